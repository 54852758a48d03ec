//! Reads the text back out of a PDF, as a person copying it would get it: used by the
//! tests to check what letters and reports say, without an external tool.

use std::collections::BTreeMap;

use lopdf::content::Content;
use lopdf::{Document, Encoding, Object};

/// The text of every page, runs separated by spaces and whitespace collapsed.
pub fn extract_text(pdf: &[u8]) -> anyhow::Result<String> {
    let doc = Document::load_mem(pdf)?;
    let mut text = String::new();
    for page_id in doc.get_pages().into_values() {
        let encodings: BTreeMap<Vec<u8>, Encoding> = doc
            .get_page_fonts(page_id)?
            .into_iter()
            .filter_map(|(name, font)| font.get_font_encoding(&doc).ok().map(|e| (name, e)))
            .collect();
        let content = Content::decode(&doc.get_page_content(page_id))?;
        let mut encoding = None;
        for op in &content.operations {
            match op.operator.as_str() {
                "Tf" => {
                    encoding = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .and_then(|name| encodings.get(name));
                }
                "Tj" | "'" | "\"" | "TJ" => {
                    if let Some(enc) = encoding {
                        shown(&op.operands, enc, &mut text);
                    }
                }
                // A new line or a new position: a word boundary for the reader.
                "Td" | "TD" | "Tm" | "T*" | "BT" | "ET" => text.push(' '),
                _ => {}
            }
        }
        text.push(' ');
    }
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn shown(operands: &[Object], encoding: &Encoding, out: &mut String) {
    for operand in operands {
        match operand {
            Object::String(bytes, _) => {
                if let Ok(s) = Document::decode_text(encoding, bytes) {
                    out.push_str(&s);
                }
            }
            Object::Array(items) => shown(items, encoding, out),
            _ => {}
        }
    }
}
