//! PDF/A-2b finishing on the lopdf object graph printpdf produced.
//!
//! printpdf 0.12 writes PDF 1.3, a GTS_PDFXVersion key in Info, no XMP and
//! (for its "A-2b" conformance) a PDF/X output intent. This module rewrites
//! the pieces PDF/A-2b (ISO 19005-2) cares about: header version, trailer
//! /ID, Info and XMP metadata that agree with each other, and an sRGB
//! /GTS_PDFA1 output intent.

use anyhow::{anyhow, Context};
use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};
use sha2::{Digest, Sha256};

use super::icc;
use super::DocInfo;

const CREATOR: &str = "rightsdesk";
const PRODUCER: &str = "rightsdesk pdf (printpdf 0.12, lopdf 0.44)";

/// Finishes `doc` as PDF/A-2b and serialises it.
pub(super) fn finish(mut doc: Document, info: &DocInfo) -> anyhow::Result<Vec<u8>> {
    doc.version = "1.7".to_string();
    // Four bytes >= 128 after the header mark the file as binary (6.1.2).
    doc.binary_mark = vec![0xE2, 0xE3, 0xCF, 0xD3];
    doc.trailer.remove(b"Encrypt");
    strip_pdfx_keys(&mut doc);

    let meta = Meta::new(info);
    let info_dict = meta.info_dictionary();
    match doc.trailer.get(b"Info").and_then(Object::as_reference) {
        Ok(id) => doc.set_object(id, info_dict),
        Err(_) => {
            let id = doc.add_object(info_dict);
            doc.trailer.set("Info", id);
        }
    }

    super::compress::compress_streams(&mut doc);

    // /ID from the content: identical input gives an identical file, and
    // any change to text or metadata gives a new identifier.
    let digest = meta.digest(&doc);
    let id = Object::String(digest[..16].to_vec(), StringFormat::Hexadecimal);
    doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));

    let mut icc_stream = Stream::new(
        Dictionary::from_iter(vec![
            ("N", Object::Integer(3)),
            ("Alternate", Object::Name(b"DeviceRGB".to_vec())),
        ]),
        icc::srgb_profile(),
    );
    // A few KB; compressing is allowed for ICC streams and saves half.
    let _ = icc_stream.compress();
    let icc_id = doc.add_object(icc_stream);
    let intent = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"OutputIntent".to_vec())),
        ("S", Object::Name(b"GTS_PDFA1".to_vec())),
        ("OutputConditionIdentifier", text_ascii(icc::DESCRIPTION)),
        ("OutputCondition", text_ascii(icc::DESCRIPTION)),
        ("Info", text_ascii(icc::DESCRIPTION)),
        ("RegistryName", text_ascii("http://www.color.org")),
        ("DestOutputProfile", Object::Reference(icc_id)),
    ]);

    // XMP must stay unfiltered so that non-PDF tools can find it (6.6.2.1).
    let xmp = Stream::new(
        Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Metadata".to_vec())),
            ("Subtype", Object::Name(b"XML".to_vec())),
        ]),
        meta.xmp(&digest).into_bytes(),
    )
    .with_compression(false);
    let xmp_id = doc.add_object(xmp);

    let catalog_id = catalog_id(&doc)?;
    let catalog = doc
        .get_dictionary_mut(catalog_id)
        .context("PDF catalog is not a dictionary")?;
    catalog.set(
        "OutputIntents",
        Object::Array(vec![Object::Dictionary(intent)]),
    );
    catalog.set("Metadata", Object::Reference(xmp_id));
    catalog.set("Lang", text_ascii(&meta.language));
    catalog.set(
        "ViewerPreferences",
        Dictionary::from_iter(vec![("DisplayDocTitle", Object::Boolean(true))]),
    );

    let mut out = Vec::new();
    doc.save_to(&mut out).context("writing the PDF")?;
    Ok(out)
}

fn catalog_id(doc: &Document) -> anyhow::Result<ObjectId> {
    doc.trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|e| anyhow!("PDF has no catalog: {e}"))
}

/// Removes PDF/X leftovers (GTS_PDFXVersion, GTS_PDFXConformance, …) and
/// PDF/X output intents anywhere in the file.
fn strip_pdfx_keys(doc: &mut Document) {
    fn clean(dict: &mut Dictionary) {
        let doomed: Vec<Vec<u8>> = dict
            .iter()
            .filter(|(k, _)| k.starts_with(b"GTS_PDFX"))
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            dict.remove(&k);
        }
        if let Ok(Object::Array(intents)) = dict.get_mut(b"OutputIntents") {
            intents.retain(|o| match o {
                Object::Dictionary(d) => {
                    !matches!(d.get(b"S"), Ok(Object::Name(n)) if n.starts_with(b"GTS_PDFX"))
                }
                _ => true,
            });
        }
    }
    for obj in doc.objects.values_mut() {
        match obj {
            Object::Dictionary(d) => clean(d),
            Object::Stream(s) => clean(&mut s.dict),
            _ => {}
        }
    }
}

/// The document metadata in the two forms PDF/A requires to agree.
struct Meta {
    title: String,
    author: String,
    subject: String,
    keywords: String,
    keyword_list: Vec<String>,
    language: String,
    created: DateTime<Utc>,
}

impl Meta {
    fn new(info: &DocInfo) -> Meta {
        let keyword_list: Vec<String> = info
            .keywords
            .iter()
            .map(|k| clean_text(k))
            .filter(|k| !k.is_empty())
            .collect();
        Meta {
            title: clean_text(&info.title),
            author: clean_text(&info.author),
            subject: clean_text(&info.subject),
            keywords: keyword_list.join(", "),
            keyword_list,
            language: language_tag(&info.language),
            // PDF dates have whole seconds; drop the fraction so both forms match.
            created: DateTime::from_timestamp(info.created.timestamp(), 0).unwrap_or(info.created),
        }
    }

    fn pdf_date(&self) -> String {
        self.created.format("D:%Y%m%d%H%M%S+00'00'").to_string()
    }

    fn xmp_date(&self) -> String {
        self.created.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
    }

    /// Info entries; an empty value is left out of both Info and XMP, because
    /// PDF/A requires every Info entry to have an equal XMP counterpart.
    fn info_dictionary(&self) -> Dictionary {
        let mut d = Dictionary::new();
        for (key, value) in [
            ("Title", &self.title),
            ("Author", &self.author),
            ("Subject", &self.subject),
            ("Keywords", &self.keywords),
        ] {
            if !value.is_empty() {
                d.set(key, text_string(value));
            }
        }
        d.set("Creator", text_string(CREATOR));
        d.set("Producer", text_string(PRODUCER));
        let date = Object::String(self.pdf_date().into_bytes(), StringFormat::Literal);
        d.set("CreationDate", date.clone());
        d.set("ModDate", date);
        d
    }

    fn digest(&self, doc: &Document) -> [u8; 32] {
        let mut h = Sha256::new();
        for part in [
            &self.title,
            &self.author,
            &self.subject,
            &self.keywords,
            &self.language,
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        h.update(self.pdf_date().as_bytes());
        for obj in doc.objects.values() {
            if let Object::Stream(s) = obj {
                h.update(&s.content);
            }
        }
        h.finalize().into()
    }

    fn xmp(&self, digest: &[u8; 32]) -> String {
        let date = self.xmp_date();
        let uuid = uuid_from(digest);
        let mut props = String::new();
        let mut prop = |s: String| {
            props.push_str("   ");
            props.push_str(&s);
            props.push('\n');
        };
        prop("<dc:format>application/pdf</dc:format>".into());
        if !self.title.is_empty() {
            prop(format!(
                "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>",
                xml(&self.title)
            ));
        }
        if !self.author.is_empty() {
            prop(format!(
                "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>",
                xml(&self.author)
            ));
        }
        if !self.subject.is_empty() {
            prop(format!(
                "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>",
                xml(&self.subject)
            ));
        }
        prop(format!(
            "<dc:language><rdf:Bag><rdf:li>{}</rdf:li></rdf:Bag></dc:language>",
            xml(&self.language)
        ));
        if !self.keyword_list.is_empty() {
            let items: String = self
                .keyword_list
                .iter()
                .map(|k| format!("<rdf:li>{}</rdf:li>", xml(k)))
                .collect();
            prop(format!(
                "<dc:subject><rdf:Bag>{items}</rdf:Bag></dc:subject>"
            ));
            prop(format!(
                "<pdf:Keywords>{}</pdf:Keywords>",
                xml(&self.keywords)
            ));
        }
        prop(format!("<pdf:Producer>{}</pdf:Producer>", xml(PRODUCER)));
        prop(format!(
            "<xmp:CreatorTool>{}</xmp:CreatorTool>",
            xml(CREATOR)
        ));
        prop(format!("<xmp:CreateDate>{date}</xmp:CreateDate>"));
        prop(format!("<xmp:ModifyDate>{date}</xmp:ModifyDate>"));
        prop(format!("<xmp:MetadataDate>{date}</xmp:MetadataDate>"));
        prop(format!("<xmpMM:DocumentID>uuid:{uuid}</xmpMM:DocumentID>"));
        prop(format!("<xmpMM:InstanceID>uuid:{uuid}</xmpMM:InstanceID>"));
        prop("<pdfaid:part>2</pdfaid:part>".into());
        prop("<pdfaid:conformance>B</pdfaid:conformance>".into());

        format!(
            "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
             <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
             \x20<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
             \x20 <rdf:Description rdf:about=\"\"\n\
             \x20   xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n\
             \x20   xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n\
             \x20   xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n\
             \x20   xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\"\n\
             \x20   xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n\
             {props}\
             \x20 </rdf:Description>\n\
             \x20</rdf:RDF>\n\
             </x:xmpmeta>\n\
             {padding}\n\
             <?xpacket end=\"w\"?>",
            padding = " ".repeat(512)
        )
    }
}

/// Drops characters that are illegal in XML 1.0 and meaningless in metadata.
fn clean_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '\u{2028}' || c == '\n' || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control() && *c != '\u{FFFE}' && *c != '\u{FFFF}')
        .collect::<String>()
        .trim()
        .to_string()
}

fn language_tag(lang: &str) -> String {
    let t = lang.trim();
    let valid =
        !t.is_empty() && t.len() <= 35 && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if valid {
        t.to_string()
    } else {
        "und".to_string()
    }
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// A PDF text string: UTF-16BE with a byte-order mark, so any script survives.
fn text_string(s: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in s.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn text_ascii(s: &str) -> Object {
    Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
}

fn uuid_from(d: &[u8; 32]) -> String {
    let h: String = d[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_agree() {
        let info = DocInfo {
            title: "T".into(),
            author: "A".into(),
            subject: String::new(),
            keywords: vec![],
            language: "fi".into(),
            created: DateTime::parse_from_rfc3339("2026-11-22T08:05:09.5Z")
                .unwrap()
                .with_timezone(&Utc),
        };
        let m = Meta::new(&info);
        assert_eq!(m.pdf_date(), "D:20261122080509+00'00'");
        assert_eq!(m.xmp_date(), "2026-11-22T08:05:09+00:00");
        assert_eq!(language_tag("sv"), "sv");
        assert_eq!(language_tag("<x>"), "und");
        assert_eq!(xml("a&<b>"), "a&amp;&lt;b&gt;");
    }
}
