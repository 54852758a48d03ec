//! The letter frame printed on every page: header, address window, footer and
//! the Finnish "1 (3)" page number.

use super::fonts::FontKind;
use super::page::{baseline, Page, TextRun, BODY, LABEL_X, LEFT, MM, PAGE_H, RIGHT, TEXT_W};
use super::text::{self, Style};
use super::Frame;

const HEADER_TOP: f32 = 12.0 * MM;
/// Width kept free for "123 (456)" right of the label column.
const PAGE_NO_W: f32 = 24.0 * MM;
const RECIPIENT_TOP: f32 = 45.0 * MM;
const RECIPIENT_W: f32 = 85.0 * MM;
const FOOTER_BASELINE: f32 = PAGE_H - 10.0 * MM;

const SENDER_NAME: Style = Style::new(FontKind::Bold, 10.0);
const SENDER_LINE: Style = Style::new(FontKind::Regular, 9.0);
const LABEL: Style = Style::new(FontKind::Bold, 10.5);
const HEADER_TEXT: Style = Style::new(FontKind::Regular, 10.0);
const COMPACT_BOLD: Style = Style::new(FontKind::Bold, 9.0);
const COMPACT_TEXT: Style = Style::new(FontKind::Regular, 9.0);
const FOOTER: Style = Style::new(FontKind::Regular, 7.5);

const HEADER_LH: f32 = 13.0;
const COMPACT_LH: f32 = 11.5;
const FOOTER_LH: f32 = 9.5;

/// Where the page number goes on a page.
#[derive(Clone, Copy, Debug)]
pub(super) struct PageNumberSlot {
    pub baseline: f32,
    pub style: Style,
}

/// Pre-laid-out frame: templates for the first and later pages plus the
/// body area they leave free.
pub(super) struct FrameLayout {
    pub first: Page,
    pub later: Page,
    pub first_number: PageNumberSlot,
    pub later_number: PageNumberSlot,
    pub body_top_first: f32,
    pub body_top_later: f32,
    pub body_bottom: f32,
}

impl FrameLayout {
    pub(super) fn new(frame: &Frame) -> FrameLayout {
        let mut first = Page::default();
        let mut later = Page::default();

        // --- first page header: sender block (left) and label column (right).
        let sender_w = LABEL_X - LEFT - 6.0 * MM;
        let mut y = HEADER_TOP;
        for (i, line) in frame.sender.iter().enumerate() {
            let (style, lh) = if i == 0 {
                (SENDER_NAME, HEADER_LH)
            } else {
                (SENDER_LINE, 11.5)
            };
            for l in text::wrap(line, style, sender_w) {
                first.text(LEFT, baseline(y, lh, style.size), style, l);
                y += lh;
            }
        }
        let sender_bottom = y;

        let label_w = RIGHT - PAGE_NO_W - LABEL_X;
        let mut y = HEADER_TOP;
        let first_number = PageNumberSlot {
            baseline: baseline(y, HEADER_LH, HEADER_TEXT.size),
            style: HEADER_TEXT,
        };
        for l in text::wrap(&frame.doc_label, LABEL, label_w) {
            first.text(LABEL_X, baseline(y, HEADER_LH, LABEL.size), LABEL, l);
            y += HEADER_LH;
        }
        if frame.doc_label.trim().is_empty() {
            y += HEADER_LH;
        }
        for field in [&frame.date, &frame.reference] {
            for l in text::wrap(field, HEADER_TEXT, RIGHT - LABEL_X) {
                first.text(
                    LABEL_X,
                    baseline(y, HEADER_LH, HEADER_TEXT.size),
                    HEADER_TEXT,
                    l,
                );
                y += HEADER_LH;
            }
        }
        let header_bottom = sender_bottom.max(y);

        // --- address window (first page only).
        let mut body_top_first = header_bottom + 10.0 * MM;
        let recipient_lines: Vec<String> = frame
            .recipient
            .iter()
            .flat_map(|l| text::wrap(l, BODY, RECIPIENT_W))
            .collect();
        if !recipient_lines.is_empty() {
            let mut y = RECIPIENT_TOP.max(header_bottom + 4.0 * MM);
            for l in recipient_lines {
                first.text(LEFT, baseline(y, HEADER_LH, BODY.size), BODY, l);
                y += HEADER_LH;
            }
            body_top_first = body_top_first.max(y + 12.0 * MM);
        }

        // --- compact header for later pages.
        let mut y = HEADER_TOP;
        let later_number = PageNumberSlot {
            baseline: baseline(y, COMPACT_LH, COMPACT_TEXT.size),
            style: COMPACT_TEXT,
        };
        if let Some(name) = frame.sender.first() {
            for l in text::wrap(name, COMPACT_BOLD, sender_w) {
                later.text(
                    LEFT,
                    baseline(y, COMPACT_LH, COMPACT_BOLD.size),
                    COMPACT_BOLD,
                    l,
                );
                y += COMPACT_LH;
            }
        }
        let left_bottom = y;
        let mut y = HEADER_TOP;
        for l in text::wrap(&frame.doc_label, COMPACT_BOLD, label_w) {
            later.text(
                LABEL_X,
                baseline(y, COMPACT_LH, COMPACT_BOLD.size),
                COMPACT_BOLD,
                l,
            );
            y += COMPACT_LH;
        }
        for l in text::wrap(&frame.reference, COMPACT_TEXT, RIGHT - LABEL_X) {
            later.text(
                LABEL_X,
                baseline(y, COMPACT_LH, COMPACT_TEXT.size),
                COMPACT_TEXT,
                l,
            );
            y += COMPACT_LH;
        }
        let rule_y = left_bottom.max(y).max(HEADER_TOP + COMPACT_LH) + 3.0;
        later.rule(LEFT, RIGHT, rule_y, 0.5, 0.55);
        let body_top_later = rule_y + 8.0 * MM;

        // --- footer, bottom-aligned, on every page.
        let footer_lines: Vec<String> = frame
            .footer
            .iter()
            .flat_map(|l| text::wrap(l, FOOTER, TEXT_W))
            .collect();
        let body_bottom = if footer_lines.is_empty() {
            PAGE_H - 20.0 * MM
        } else {
            let n = footer_lines.len() as f32;
            let first_baseline = FOOTER_BASELINE - (n - 1.0) * FOOTER_LH;
            let rule_y = first_baseline - FOOTER.size - 4.0;
            for page in [&mut first, &mut later] {
                page.rule(LEFT, RIGHT, rule_y, 0.5, 0.55);
                for (i, l) in footer_lines.iter().enumerate() {
                    page.text(
                        LEFT,
                        first_baseline + i as f32 * FOOTER_LH,
                        FOOTER,
                        l.clone(),
                    );
                }
            }
            rule_y - 8.0 * MM
        };

        // Absurd frames (dozens of address lines) must not leave a negative body.
        let min_body = 60.0 * MM;
        let body_top_first = body_top_first.min(body_bottom - min_body);
        let body_top_later = body_top_later.min(body_bottom - min_body);

        FrameLayout {
            first,
            later,
            first_number,
            later_number,
            body_top_first,
            body_top_later,
            body_bottom,
        }
    }

    /// The frame texts for page `index` (0-based) of `total`, page number included.
    pub(super) fn page_texts(&self, index: usize, total: usize) -> Vec<TextRun> {
        let (template, slot) = if index == 0 {
            (&self.first, self.first_number)
        } else {
            (&self.later, self.later_number)
        };
        let mut texts: Vec<TextRun> = template
            .texts
            .iter()
            .map(|t| TextRun {
                x: t.x,
                baseline: t.baseline,
                style: t.style,
                text: t.text.clone(),
            })
            .collect();
        let number = format!("{} ({})", index + 1, total);
        let x = RIGHT - text::width(&number, slot.style);
        texts.push(TextRun {
            x,
            baseline: slot.baseline,
            style: slot.style,
            text: number,
        });
        texts
    }

    pub(super) fn template(&self, index: usize) -> &Page {
        if index == 0 {
            &self.first
        } else {
            &self.later
        }
    }
}
