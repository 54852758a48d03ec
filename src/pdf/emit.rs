//! Turns laid-out pages into printpdf operations and a lopdf document.

use anyhow::bail;
use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFont, PdfFontHandle,
    PdfPage, PdfParseErrorSeverity, PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem,
};

use super::fonts::{self, FontKind, UsedChars};
use super::frame::FrameLayout;
use super::page::{Page, TextRun, PAGE_H};
use super::DocInfo;

/// Fixed, short resource names keep content streams small and output stable.
fn font_id(kind: FontKind) -> FontId {
    match kind {
        FontKind::Regular => FontId("FR".to_string()),
        FontKind::Bold => FontId("FB".to_string()),
    }
}

/// Two decimals are far below a printer dot and keep the streams compact.
fn r2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

fn grey(level: f32) -> Color {
    // DeviceRGB, which the sRGB output intent covers (PDF/A-2 6.2.4.3).
    Color::Rgb(Rgb {
        r: level,
        g: level,
        b: level,
        icc_profile: None,
    })
}

fn point(x: f32, y_from_top: f32) -> LinePoint {
    LinePoint {
        p: Point {
            x: Pt(r2(x)),
            y: Pt(r2(PAGE_H - y_from_top)),
        },
        bezier: false,
    }
}

/// Builds the printpdf document and lets printpdf serialise it into lopdf
/// objects; PDF/A finishing happens afterwards on that object graph.
pub(super) fn build(
    info: &DocInfo,
    frame: &FrameLayout,
    pages: Vec<Page>,
) -> anyhow::Result<lopdf::Document> {
    let total = pages.len();
    let mut used = UsedChars::default();
    let mut pdf_pages = Vec::with_capacity(total);
    for (i, mut body) in pages.into_iter().enumerate() {
        let template = frame.template(i);
        let mut texts = frame.page_texts(i, total);
        texts.append(&mut body.texts);
        let ops = page_ops(template, &body, texts, &mut used);
        pdf_pages.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
    }

    let mut doc = PdfDocument::new(&info.title);
    for kind in FontKind::ALL {
        if let Some(chars) = used.get(kind) {
            let sub = fonts::subset(kind, &chars)?;
            doc.resources
                .fonts
                .map
                .insert(font_id(kind), PdfFont::new(sub.parsed));
        }
    }
    doc.with_pages(pdf_pages);

    let opts = PdfSaveOptions {
        // We compress ourselves after finishing (the XMP stream must stay plain).
        optimize: false,
        subset_fonts: false,
        ..PdfSaveOptions::default()
    };
    let mut warnings = Vec::new();
    let lodoc = doc.to_lopdf_document(&opts, &mut warnings);
    if let Some(w) = warnings
        .iter()
        .find(|w| w.severity == PdfParseErrorSeverity::Error)
    {
        bail!("printpdf reported an error while serialising: {}", w.msg);
    }
    Ok(lodoc)
}

fn page_ops(template: &Page, body: &Page, texts: Vec<TextRun>, used: &mut UsedChars) -> Vec<Op> {
    let mut ops = Vec::with_capacity(texts.len() * 2 + 16);

    // Shading first so that rules and text are painted over it.
    let mut fill: Option<f32> = None;
    for f in template.fills.iter().chain(&body.fills) {
        if fill != Some(f.grey) {
            ops.push(Op::SetFillColor { col: grey(f.grey) });
            fill = Some(f.grey);
        }
        ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(r2(f.x)),
                y: Pt(r2(PAGE_H - f.top - f.h)),
                width: Pt(r2(f.w)),
                height: Pt(r2(f.h)),
                mode: Some(PaintMode::Fill),
                winding_order: None,
            },
        });
    }

    let mut stroke: Option<(f32, f32)> = None;
    for r in template.rules.iter().chain(&body.rules) {
        if stroke != Some((r.grey, r.width)) {
            ops.push(Op::SetOutlineColor { col: grey(r.grey) });
            ops.push(Op::SetOutlineThickness { pt: Pt(r.width) });
            stroke = Some((r.grey, r.width));
        }
        ops.push(Op::DrawLine {
            line: Line {
                points: vec![point(r.x1, r.y), point(r.x2, r.y)],
                is_closed: false,
            },
        });
    }
    for o in template.outlines.iter().chain(&body.outlines) {
        if stroke != Some((o.grey, o.width)) {
            ops.push(Op::SetOutlineColor { col: grey(o.grey) });
            ops.push(Op::SetOutlineThickness { pt: Pt(o.width) });
            stroke = Some((o.grey, o.width));
        }
        ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(r2(o.x)),
                y: Pt(r2(PAGE_H - o.top - o.h)),
                width: Pt(r2(o.w)),
                height: Pt(r2(o.h)),
                mode: Some(PaintMode::Stroke),
                winding_order: None,
            },
        });
    }

    ops.push(Op::SetFillColor { col: grey(0.0) });
    ops.push(Op::StartTextSection);
    let mut current: Option<(FontKind, f32)> = None;
    // Where the viewer's line matrix is: Td moves relative to it. Deltas are
    // rounded and accumulated exactly as emitted, so positions do not drift.
    let (mut at_x, mut at_y) = (0.0f32, 0.0f32);
    for t in texts {
        let key = (t.style.font, t.style.size);
        if current != Some(key) {
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(font_id(t.style.font)),
                size: Pt(t.style.size),
            });
            current = Some(key);
        }
        used.add(t.style.font, &t.text);
        // Td with two short numbers instead of a six-number Tm: about a third
        // of the content-stream formatting work on long reports.
        let dx = r2(t.x - at_x);
        let dy = r2(PAGE_H - t.baseline - at_y);
        at_x += dx;
        at_y += dy;
        ops.push(Op::SetTextCursor {
            pos: Point {
                x: Pt(dx),
                y: Pt(dy),
            },
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(t.text)],
        });
    }
    ops.push(Op::EndTextSection);
    ops
}
