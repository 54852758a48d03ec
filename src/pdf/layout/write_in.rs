//! Room to write by hand on paper forms: ruled lines, squares to tick, boxes for a date
//! and signature lines. A field's label, help and the start of its space stay on one page,
//! and a short field is never split at all.

use super::Flow;
use crate::pdf::fonts::FontKind;
use crate::pdf::page::{baseline, BODY, BODY_BOLD, BODY_LH, LEFT, MM, RIGHT, TEXT_W};
use crate::pdf::text::{self, Style};
use crate::pdf::{Field, Space};

const HELP: Style = Style::new(FontKind::Regular, 9.0);
const HELP_LH: f32 = 11.5;
const HELP_AFTER: f32 = 1.5 * MM;
/// Handwriting needs about 8 mm a line.
const WRITE_LH: f32 = 8.5 * MM;
/// Dark enough to survive a black-and-white copy, light enough not to hide the writing.
const INK: f32 = 0.3;
const RULE_W: f32 = 0.6;
const BOX_W: f32 = 0.8;
const TICK: f32 = 3.8 * MM;
const TICK_TEXT: f32 = 7.0 * MM;
const OPTION_GAP: f32 = 1.5 * MM;
const DATE_BOX_W: f32 = 6.0 * MM;
const DATE_BOX_H: f32 = 7.5 * MM;
const DATE_DOT_W: f32 = 3.0 * MM;
const DATE_BEFORE: f32 = 1.5 * MM;
const FIELD_AFTER: f32 = 4.5 * MM;
/// Write-in lines that stay with their label; the rest may go on the next page (a half-empty
/// page wastes more paper than a split writing area).
const KEEP_LINES: usize = 3;
/// Past this, only the label and the first piece of space are kept together.
const KEEP_MAX: f32 = 90.0 * MM;
/// Room above a signature line for the signature itself.
const SIGN_ROOM: f32 = 15.0 * MM;
const SIGN_GAP: f32 = 10.0 * MM;
/// A signature block (room, line, a two-line caption) always stays together.
pub(super) const SIGNATURE_H: f32 = SIGN_ROOM + 2.0 + 2.0 * HELP_LH;

/// Label and help, wrapped where they will be drawn.
struct Head {
    x: f32,
    label: Vec<String>,
    help: Vec<String>,
}

impl Head {
    fn of(f: &Field) -> Head {
        // A statement to tick has its square in front, the text beside it.
        let x = match f.space {
            Space::Tick => LEFT + TICK_TEXT,
            _ => LEFT,
        };
        let w = RIGHT - x;
        Head {
            x,
            label: text::wrap(&f.label, BODY_BOLD, w),
            help: f
                .help
                .as_deref()
                .map(|h| text::wrap(h, HELP, w))
                .unwrap_or_default(),
        }
    }

    fn height(&self) -> f32 {
        let help = if self.help.is_empty() {
            0.0
        } else {
            self.help.len() as f32 * HELP_LH + HELP_AFTER
        };
        self.label.len().max(1) as f32 * BODY_LH + help
    }
}

fn option_lines(option: &str) -> Vec<String> {
    text::wrap(option, BODY, TEXT_W - TICK_TEXT)
}

/// The height of each piece the space may be split into (between pages).
fn units(space: &Space) -> Vec<f32> {
    match space {
        Space::Lines(n) => vec![WRITE_LH; (*n).max(1)],
        Space::Choices(options) => options
            .iter()
            .map(|o| option_lines(o).len().max(1) as f32 * BODY_LH + OPTION_GAP)
            .collect(),
        Space::Tick => Vec::new(),
        Space::Date(_) => vec![DATE_BEFORE + DATE_BOX_H],
    }
}

/// What a heading needs below it on the same page when this field follows.
pub(super) fn lead_height(f: &Field) -> f32 {
    Head::of(f).height() + units(&f.space).first().copied().unwrap_or(0.0)
}

impl Flow {
    pub(super) fn field(&mut self, f: &Field) {
        let head = Head::of(f);
        let units = units(&f.space);
        let kept = match f.space {
            Space::Lines(_) => KEEP_LINES,
            _ => units.len(),
        };
        let keep = head.height() + units.iter().take(kept).sum::<f32>();
        let lead = head.height() + units.first().copied().unwrap_or(0.0);
        self.reserve(if keep <= KEEP_MAX { keep } else { lead });

        if f.space == Space::Tick {
            self.tick_box(LEFT, self.y);
        }
        self.lines(head.label, head.x, BODY_BOLD, BODY_LH, None, None);
        if !head.help.is_empty() {
            self.lines(head.help, head.x, HELP, HELP_LH, None, None);
            self.y += HELP_AFTER;
        }
        match &f.space {
            Space::Lines(_) => {
                for h in units {
                    self.reserve(h);
                    self.y += h;
                    let y = self.y;
                    self.page().rule(LEFT, RIGHT, y, RULE_W, INK);
                }
            }
            Space::Choices(options) => {
                for (option, h) in options.iter().zip(units) {
                    self.reserve(h);
                    let top = self.y;
                    self.tick_box(LEFT, top);
                    for (i, line) in option_lines(option).into_iter().enumerate() {
                        let b = baseline(top + i as f32 * BODY_LH, BODY_LH, BODY.size);
                        self.page().text(LEFT + TICK_TEXT, b, BODY, line);
                    }
                    self.y += h;
                }
            }
            Space::Date(format) => {
                self.reserve(DATE_BEFORE + DATE_BOX_H);
                self.y += DATE_BEFORE;
                self.date_boxes(format);
                self.y += DATE_BOX_H;
            }
            Space::Tick => {}
        }
        self.gap(FIELD_AFTER);
    }

    /// A square centred on the text line whose top is `line_top`.
    fn tick_box(&mut self, x: f32, line_top: f32) {
        let top = line_top + (BODY_LH - TICK) / 2.0;
        self.page().outline(x, top, TICK, TICK, BOX_W, INK);
    }

    /// `[][].[][].[][][][]  pp.kk.vvvv` on the current line.
    fn date_boxes(&mut self, format: &str) {
        let top = self.y;
        let mid = baseline(top, DATE_BOX_H, BODY.size);
        let mut x = LEFT;
        for (i, boxes) in [2, 2, 4].into_iter().enumerate() {
            if i > 0 {
                self.page().text(x + 0.8 * MM, mid, BODY, ".".to_string());
                x += DATE_DOT_W;
            }
            for _ in 0..boxes {
                self.page()
                    .outline(x, top, DATE_BOX_W, DATE_BOX_H, BOX_W, INK);
                x += DATE_BOX_W;
            }
        }
        let hint = baseline(top, DATE_BOX_H, HELP.size);
        let x = x + 4.0 * MM;
        for line in text::wrap(format, HELP, RIGHT - x).into_iter().take(1) {
            self.page().text(x, hint, HELP, line);
        }
    }

    pub(super) fn signature(&mut self, captions: &[String]) {
        let n = captions.len().max(1);
        let w = (TEXT_W - SIGN_GAP * (n - 1) as f32) / n as f32;
        let wrapped: Vec<Vec<String>> = captions.iter().map(|c| text::wrap(c, HELP, w)).collect();
        let caption_h = wrapped.iter().map(Vec::len).max().unwrap_or(0) as f32 * HELP_LH;
        self.reserve(SIGN_ROOM + 2.0 + caption_h);
        let line_y = self.y + SIGN_ROOM;
        for (i, lines) in wrapped.into_iter().enumerate() {
            let x = LEFT + i as f32 * (w + SIGN_GAP);
            // Black: the one line that must show on any copy.
            self.page().rule(x, x + w, line_y, RULE_W, 0.0);
            for (k, line) in lines.into_iter().enumerate() {
                let b = baseline(line_y + 2.0 + k as f32 * HELP_LH, HELP_LH, HELP.size);
                self.page().text(x, b, HELP, line);
            }
        }
        self.y = line_y + 2.0 + caption_h;
        self.gap(FIELD_AFTER);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::frame::FrameLayout;
    use crate::pdf::layout::layout;
    use crate::pdf::page::Page;
    use crate::pdf::{Block, Frame};

    fn frame() -> FrameLayout {
        FrameLayout::new(&Frame {
            sender: vec!["Turvakoti Satama ry".into()],
            footer: vec!["Turvakoti Satama ry · Satamakatu 1".into()],
            ..Frame::default()
        })
    }

    fn field(label: &str, space: Space) -> Block {
        Block::Field(Field {
            label: label.into(),
            help: Some("Ohjeteksti kentän alla.".into()),
            space,
        })
    }

    /// Where `text` was drawn: (page index, baseline).
    fn find(pages: &[Page], text: &str) -> (usize, f32) {
        pages
            .iter()
            .enumerate()
            .find_map(|(i, p)| {
                p.texts
                    .iter()
                    .find(|t| t.text == text)
                    .map(|t| (i, t.baseline))
            })
            .unwrap_or_else(|| panic!("'{text}' not drawn"))
    }

    #[test]
    fn each_kind_of_space_draws_its_boxes_and_lines() {
        let f = frame();
        let pages = layout(
            &[
                field("Nimi", Space::Lines(2)),
                field(
                    "Kanava",
                    Space::Choices(vec!["Postitse".into(), "Puhelimitse".into()]),
                ),
                field("Turvakielto", Space::Tick),
                field("Syntymäaika", Space::Date("pp.kk.vvvv".into())),
            ],
            &f,
        );
        assert_eq!(pages.len(), 1);
        let page = &pages[0];
        // Two write-in lines (the frame's rules are not body rules), 2 + 1 + 8 boxes.
        assert_eq!(page.rules.len(), 2);
        assert_eq!(page.outlines.len(), 2 + 1 + 8);
        for t in [
            "Postitse",
            "Puhelimitse",
            "pp.kk.vvvv",
            "Ohjeteksti kentän alla.",
        ] {
            find(&pages, t);
        }
        // The tick box sits beside its statement, not under it.
        let (_, b) = find(&pages, "Turvakielto");
        let tick = &page.outlines[2];
        assert!(
            tick.top < b && tick.top + tick.h > b - BODY.size,
            "{tick:?} vs {b}"
        );
        assert!(tick.x + tick.w < LEFT + TICK_TEXT);
        // The write-in lines are under the label, a line's height apart.
        let (_, label) = find(&pages, "Nimi");
        let mut ys: Vec<f32> = page
            .rules
            .iter()
            .map(|r| r.y)
            .filter(|y| *y > label)
            .collect();
        ys.sort_by(f32::total_cmp);
        assert!((ys[1] - ys[0] - WRITE_LH).abs() < 0.01, "{ys:?}");
    }

    /// Lines under the label on the label's page, wherever the field starts.
    fn lines_with_label(space: Space, filler: usize) -> (usize, usize) {
        let f = frame();
        let mut blocks: Vec<Block> = (0..filler)
            .map(|i| Block::Paragraph(format!("Täyte {i}")))
            .collect();
        blocks.push(field("Mitä tietoja pyydät?", space));
        let pages = layout(&blocks, &f);
        let (page, label) = find(&pages, "Mitä tietoja pyydät?");
        let on_page = pages[page].rules.iter().filter(|r| r.y > label).count();
        let boxes = pages[page]
            .outlines
            .iter()
            .filter(|o| o.top > label)
            .count();
        assert!(pages[page]
            .rules
            .iter()
            .all(|r| r.y <= f.body_bottom + 0.01));
        (on_page, boxes)
    }

    #[test]
    fn short_fields_move_whole_and_long_ones_keep_their_first_lines() {
        let mut split = false;
        // Filler that ends the first page at every height the field could start at.
        for filler in 30..70 {
            assert_eq!(lines_with_label(Space::Lines(3), filler).0, 3, "{filler}");
            let options = Space::Choices(vec!["a".into(), "b".into(), "c".into()]);
            assert_eq!(lines_with_label(options, filler).1, 3, "{filler}");
            let (kept, _) = lines_with_label(Space::Lines(8), filler);
            assert!(kept >= KEEP_LINES, "{filler}: {kept}");
            split |= kept < 8;
        }
        assert!(
            split,
            "a long area splits rather than leave half a page empty"
        );
    }

    #[test]
    fn a_long_field_splits_between_lines_and_never_overflows() {
        let f = frame();
        let pages = layout(&[field("Perustelut", Space::Lines(60))], &f);
        assert!(pages.len() >= 2);
        let drawn: usize = pages.iter().map(|p| p.rules.len()).sum();
        assert_eq!(drawn, 60);
        for p in &pages {
            assert!(p.rules.iter().all(|r| r.y <= f.body_bottom + 0.01));
        }
    }

    #[test]
    fn signature_lines_stand_side_by_side_with_captions_under_them() {
        let f = frame();
        let pages = layout(
            &[Block::Signature(vec![
                "Paikka ja päivämäärä".into(),
                "Allekirjoitus ja nimenselvennys".into(),
            ])],
            &f,
        );
        let rules = &pages[0].rules;
        assert_eq!(rules.len(), 2);
        let (a, b) = (&rules[0], &rules[1]);
        assert!((a.y - b.y).abs() < 0.01 && a.x2 < b.x1);
        assert_eq!(a.grey, 0.0, "signature lines are black");
        let (_, caption) = find(&pages, "Allekirjoitus ja nimenselvennys");
        assert!(caption > b.y);
        // Room to sign above the line.
        assert!(a.y - f.body_top_first >= SIGN_ROOM - 0.01);
    }
}
