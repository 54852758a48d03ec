//! Flows [`Block`]s onto pages.
//!
//! Rules: headings stay with what follows, a paragraph never leaves a single
//! line at the bottom of a page nor carries a single line over to the next,
//! facts rows and table rows never split (unless one alone is taller than a
//! whole page), a table's header row is repeated at the top of every page it
//! continues on, and a closing ("Ystävällisin terveisin" and the names under
//! it) never stands alone on a page: it takes the last lines of the paragraph
//! before it along.

use super::fonts::FontKind;
use super::frame::FrameLayout;
use super::page::{baseline, Fill, Page, BODY, BODY_BOLD, BODY_LH, LEFT, MM, SHADE, TEXT_W};
use super::text::{self, Style};
use super::Block;

mod write_in;

const TITLE: Style = Style::new(FontKind::Bold, 16.0);
const TITLE_LH: f32 = 20.0;
const HEADING: Style = Style::new(FontKind::Bold, 12.5);
const HEADING_LH: f32 = 16.0;
const SUBHEADING: Style = Style::new(FontKind::Bold, 11.0);
const SUBHEADING_LH: f32 = 14.5;

const PARA_AFTER: f32 = 6.0;
const BULLET_INDENT: f32 = 4.0 * MM;
const BULLET_TEXT: f32 = 8.0 * MM;

const FACT_LABEL_SHARE: f32 = 0.35;
const FACT_GAP: f32 = 4.0 * MM;
const FACT_ROW_GAP: f32 = 3.0;

const CELL: Style = Style::new(FontKind::Regular, 9.0);
const CELL_HEAD: Style = Style::new(FontKind::Bold, 9.0);
const CELL_LH: f32 = 11.0;
const CELL_PAD_X: f32 = 3.0;
const CELL_PAD_Y: f32 = 2.0;

/// Lays out `blocks` and returns the body of each page (frame not included).
pub(super) fn layout(blocks: &[Block], frame: &FrameLayout) -> Vec<Page> {
    let mut flow = Flow {
        pages: vec![Page::default()],
        y: frame.body_top_first,
        top: frame.body_top_first,
        top_later: frame.body_top_later,
        bottom: frame.body_bottom,
    };
    let closings = closing_groups(blocks);
    for (i, block) in blocks.iter().enumerate() {
        let next = blocks.get(i + 1);
        // The closing that follows this block, if any, and what it needs on this page.
        let closing_after = closings
            .iter()
            .find(|g| g.start == i + 1)
            .map_or(0.0, |g| g.height);
        if let Some(g) = closings.iter().find(|g| g.start == i) {
            flow.reserve(g.height);
        }
        // A list gets its own closing space before whatever follows it.
        let after_list = i > 0 && matches!(blocks[i - 1], Block::Bullet(_));
        if after_list && !matches!(block, Block::Bullet(_)) && !flow.at_top() {
            flow.gap(PARA_AFTER - 3.0);
        }
        match block {
            Block::Title(t) => flow.heading(t, TITLE, TITLE_LH, 4.0, 8.0, next),
            Block::Heading(t) => flow.heading(t, HEADING, HEADING_LH, 10.0, 4.0, next),
            Block::Subheading(t) => flow.heading(t, SUBHEADING, SUBHEADING_LH, 6.0, 2.0, next),
            Block::Paragraph(t) => {
                let lines = text::wrap(t, BODY, TEXT_W);
                let keep = (closing_after > 0.0).then_some(PARA_AFTER + closing_after);
                flow.lines(lines, LEFT, BODY, BODY_LH, None, keep);
                flow.gap(PARA_AFTER);
            }
            Block::Bullet(t) => {
                let lines = text::wrap(t, BODY, TEXT_W - BULLET_TEXT);
                let keep = (closing_after > 0.0).then_some(3.0 + closing_after);
                flow.lines(
                    lines,
                    LEFT + BULLET_TEXT,
                    BODY,
                    BODY_LH,
                    Some(LEFT + BULLET_INDENT),
                    keep,
                );
                flow.gap(3.0);
            }
            Block::Facts(rows) => {
                flow.facts(rows);
                flow.gap(PARA_AFTER);
            }
            Block::Table { header, rows } => {
                flow.table(header, rows);
                flow.gap(PARA_AFTER + 2.0);
            }
            Block::Spacer => {
                if !flow.at_top() {
                    flow.gap(BODY_LH);
                }
            }
            Block::PageBreak => {
                if !flow.at_top() {
                    flow.new_page();
                }
            }
            Block::Field(field) => flow.field(field),
            Block::Signature(captions) => flow.signature(captions),
        }
    }
    flow.pages
}

/// A closing: a run of one-line paragraphs (and spacers) at the end of the
/// document or just before a page break, such as "Ystävällisin terveisin",
/// the signer and the organisation.
struct ClosingGroup {
    start: usize,
    height: f32,
}

/// The most blocks a closing may hold; a longer run of short lines is content.
const CLOSING_MAX: usize = 8;

fn closing_groups(blocks: &[Block]) -> Vec<ClosingGroup> {
    let one_line = |b: &Block| match b {
        Block::Paragraph(t) => text::wrap(t, BODY, TEXT_W).len() == 1,
        Block::Spacer => true,
        _ => false,
    };
    let height = |b: &Block| match b {
        Block::Paragraph(_) => BODY_LH + PARA_AFTER,
        _ => BODY_LH,
    };
    let ends = blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b, Block::PageBreak))
        .map(|(i, _)| i)
        .chain([blocks.len()]);
    let mut groups = Vec::new();
    for end in ends {
        let mut start = end;
        while start > 0 && end - start < CLOSING_MAX && one_line(&blocks[start - 1]) {
            start -= 1;
        }
        // At least two lines make a closing, and something must come before it.
        let paragraphs = blocks[start..end]
            .iter()
            .filter(|b| matches!(b, Block::Paragraph(_)))
            .count();
        if start > 0 && paragraphs >= 2 {
            groups.push(ClosingGroup {
                start,
                height: blocks[start..end].iter().map(height).sum::<f32>() - PARA_AFTER,
            });
        }
    }
    groups
}

/// Minimum height the block after a heading needs on the same page.
fn lead_height(block: Option<&Block>) -> f32 {
    match block {
        Some(Block::Paragraph(_) | Block::Bullet(_)) => 2.0 * BODY_LH,
        Some(Block::Facts(_)) => BODY_LH + FACT_ROW_GAP,
        Some(Block::Table { .. }) => 2.0 * (CELL_LH + 2.0 * CELL_PAD_Y),
        Some(Block::Heading(_) | Block::Subheading(_)) => SUBHEADING_LH + BODY_LH,
        Some(Block::Field(f)) => write_in::lead_height(f),
        Some(Block::Signature(_)) => write_in::SIGNATURE_H,
        _ => 0.0,
    }
}

/// A row of independently wrapped cells: (x, lines).
#[derive(Clone)]
struct Row {
    cells: Vec<(f32, Vec<String>)>,
    style: Style,
}

impl Row {
    fn line_count(&self) -> usize {
        self.cells
            .iter()
            .map(|c| c.1.len())
            .max()
            .unwrap_or(0)
            .max(1)
    }
}

struct Flow {
    pages: Vec<Page>,
    /// Top of the free space on the current page.
    y: f32,
    /// Top of the body on the current page.
    top: f32,
    top_later: f32,
    bottom: f32,
}

impl Flow {
    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("there is always a page")
    }

    fn at_top(&self) -> bool {
        self.y <= self.top + 0.01
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.top = self.top_later;
        self.y = self.top;
    }

    fn fits(&self, h: f32) -> bool {
        self.y + h <= self.bottom + 0.01
    }

    /// Starts a new page unless `h` fits here (or we are already at the top,
    /// where moving on would not help).
    fn reserve(&mut self, h: f32) {
        if !self.fits(h) && !self.at_top() {
            self.new_page();
        }
    }

    fn gap(&mut self, h: f32) {
        // Space at the end of a page is simply dropped.
        self.y = (self.y + h).min(self.bottom);
    }

    fn heading(
        &mut self,
        t: &str,
        style: Style,
        lh: f32,
        before: f32,
        after: f32,
        next: Option<&Block>,
    ) {
        let lines = text::wrap(t, style, TEXT_W);
        if lines.is_empty() {
            return;
        }
        let before = if self.at_top() { 0.0 } else { before };
        let need = before + lines.len() as f32 * lh + after + lead_height(next);
        self.reserve(need);
        if !self.at_top() {
            self.y += before;
        }
        self.lines(lines, LEFT, style, lh, None, None);
        self.gap(after);
    }

    /// Places wrapped lines one by one, breaking pages between them. With a
    /// bullet x the "•" goes in front of the first line (hanging indent).
    /// `keep_after`: the height that must follow the last line on its page
    /// (a closing), so the last lines move with it rather than leave it alone.
    fn lines(
        &mut self,
        lines: Vec<String>,
        x: f32,
        style: Style,
        lh: f32,
        bullet: Option<f32>,
        keep_after: Option<f32>,
    ) {
        let n = lines.len();
        let after = keep_after.unwrap_or(0.0);
        // Orphan and widow control: the first two and the last two lines of a
        // block stay together, so a block of three or fewer moves whole.
        if n <= 3 {
            self.reserve(n as f32 * lh + after);
        } else {
            self.reserve(2.0 * lh);
        }
        for (i, line) in lines.into_iter().enumerate() {
            if n > 3 && i == n - 2 {
                self.reserve(2.0 * lh + after);
            }
            self.reserve(lh);
            let b = baseline(self.y, lh, style.size);
            if i == 0 {
                if let Some(bx) = bullet {
                    self.page().text(bx, b, style, "•".to_string());
                }
            }
            self.page().text(x, b, style, line);
            self.y += lh;
        }
    }

    fn facts(&mut self, rows: &[(String, String)]) {
        let label_w = TEXT_W * FACT_LABEL_SHARE - FACT_GAP;
        let value_x = LEFT + TEXT_W * FACT_LABEL_SHARE;
        let value_w = TEXT_W * (1.0 - FACT_LABEL_SHARE);
        for (label, value) in rows {
            let row = Row {
                cells: vec![
                    (LEFT, text::wrap(label, BODY_BOLD, label_w)),
                    (value_x, text::wrap(value, BODY, value_w)),
                ],
                style: BODY,
            };
            // Labels are bold, values regular: draw the two cells with their own style.
            self.place_row(
                row,
                BODY_LH,
                0.0,
                FACT_ROW_GAP,
                &mut |_| {},
                Some(BODY_BOLD),
            );
        }
    }

    /// Places one atomic row. `on_new_page` redraws a repeated table header.
    /// `first_cell_style` overrides the style of the first cell (facts labels).
    fn place_row(
        &mut self,
        mut row: Row,
        lh: f32,
        pad_y: f32,
        after: f32,
        on_new_page: &mut dyn FnMut(&mut Flow),
        first_cell_style: Option<Style>,
    ) -> f32 {
        let n = row.line_count();
        let h = n as f32 * lh + 2.0 * pad_y;
        if !self.fits(h) && !self.at_top() {
            self.new_page();
            on_new_page(self);
        }
        let top = self.y;
        // Rows taller than a whole page are the one case where a row must split.
        let mut line_top = top + pad_y;
        for i in 0..n {
            if i > 0 && !self.fits(line_top - self.y + lh + pad_y) {
                self.y = line_top;
                self.new_page();
                on_new_page(self);
                line_top = self.y + pad_y;
            }
            for (ci, (x, lines)) in row.cells.iter_mut().enumerate() {
                if let Some(line) = lines.get_mut(i) {
                    let style = match (ci, first_cell_style) {
                        (0, Some(s)) => s,
                        _ => row.style,
                    };
                    let b = baseline(line_top, lh, style.size);
                    let x = *x;
                    // Moved out, not cloned: the row is consumed line by line.
                    let line = std::mem::take(line);
                    self.pages
                        .last_mut()
                        .expect("there is always a page")
                        .text(x, b, style, line);
                }
            }
            line_top += lh;
        }
        self.y = line_top + pad_y;
        let row_bottom = self.y;
        self.gap(after);
        row_bottom
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let ncols = rows
            .iter()
            .map(Vec::len)
            .chain([header.len()])
            .max()
            .unwrap_or(0);
        if ncols == 0 {
            return;
        }
        let widths = column_widths(header, rows, ncols);
        let mut xs = Vec::with_capacity(ncols);
        let mut x = LEFT;
        for w in &widths {
            xs.push(x);
            x += w;
        }
        let wrap_row = |cells: &[String], style: Style| Row {
            cells: (0..ncols)
                .map(|c| {
                    let t = cells.get(c).map(String::as_str).unwrap_or("");
                    (
                        xs[c] + CELL_PAD_X,
                        text::wrap(t, style, widths[c] - 2.0 * CELL_PAD_X),
                    )
                })
                .collect(),
            style,
        };
        let head = (!header.is_empty()).then(|| wrap_row(header, CELL_HEAD));
        let head_h = head
            .as_ref()
            .map_or(0.0, |h| h.line_count() as f32 * CELL_LH + 2.0 * CELL_PAD_Y);

        let draw_head = |flow: &mut Flow| {
            if let Some(h) = &head {
                let top = flow.y;
                flow.page().fills.push(Fill {
                    x: LEFT,
                    top,
                    w: TEXT_W,
                    h: head_h,
                    grey: SHADE,
                });
                let bottom = flow.place_row(h.clone(), CELL_LH, CELL_PAD_Y, 0.0, &mut |_| {}, None);
                flow.page().rule(LEFT, LEFT + TEXT_W, bottom, 0.6, 0.45);
            }
        };

        // Header plus the first row must start together.
        let first_h = rows.first().map_or(0.0, |r| {
            wrap_row(r, CELL).line_count() as f32 * CELL_LH + 2.0 * CELL_PAD_Y
        });
        self.reserve(head_h + first_h);
        draw_head(self);
        let mut redraw = |flow: &mut Flow| draw_head(flow);
        for r in rows {
            let row = wrap_row(r, CELL);
            let bottom = self.place_row(row, CELL_LH, CELL_PAD_Y, 0.0, &mut redraw, None);
            self.page().rule(LEFT, LEFT + TEXT_W, bottom, 0.3, 0.7);
        }
    }
}

/// Column widths proportional to content, clamped so that no column is
/// narrower than its longest word (within reason) or wider than half the page.
///
/// A column's appetite is the 90th percentile of its cells' one-line widths,
/// so a few unusually long cells do not squeeze every other column.
fn column_widths(header: &[String], rows: &[Vec<String>], ncols: usize) -> Vec<f32> {
    // +1 pt slack so a word measured to fit exactly is not broken by rounding.
    let pad = 2.0 * CELL_PAD_X + 1.0;
    let floor = (TEXT_W / ncols as f32).min(14.0 * MM);
    let mut naturals: Vec<Vec<f32>> = vec![Vec::with_capacity(rows.len()); ncols];
    let mut min = vec![0.0f32; ncols];
    for (c, t) in header.iter().enumerate().take(ncols) {
        let (line, word) = text::extent(t, CELL_HEAD);
        min[c] = word;
        // The header wraps rather than widening the column much.
        naturals[c].push(word.max(line * 0.5));
    }
    for row in rows {
        for (c, t) in row.iter().enumerate().take(ncols) {
            let (line, word) = text::extent(t, CELL);
            naturals[c].push(line);
            min[c] = min[c].max(word);
        }
    }
    let min: Vec<f32> = min
        .iter()
        .map(|m| (m + pad).clamp(floor, TEXT_W * 0.3))
        .collect();
    let desired: Vec<f32> = naturals
        .iter_mut()
        .zip(&min)
        .map(|(widths, m)| (percentile(widths, 0.9) + pad).clamp(*m, (TEXT_W * 0.5).max(*m)))
        .collect();
    let sum_desired: f32 = desired.iter().sum();
    let sum_min: f32 = min.iter().sum();
    if sum_desired <= TEXT_W {
        // Everything fits on one line: share the spare width in proportion.
        return desired.iter().map(|d| d * TEXT_W / sum_desired).collect();
    }
    if sum_min >= TEXT_W {
        // Even the longest words do not fit side by side. Keep the narrow
        // columns intact and cap only the widest ones, whose long words
        // will then break: better one broken word than all of them.
        let cap = water_level(&min, TEXT_W);
        return min.iter().map(|m| m.min(cap)).collect();
    }
    // Every column gets its minimum. Then columns that want little more get
    // all they want (short names, dates and states should not wrap), as long
    // as each remaining column could still get as much; the remaining spare
    // goes to the texty columns in proportion to their appetite.
    let need: Vec<f32> = desired.iter().zip(&min).map(|(d, m)| d - m).collect();
    let mut order: Vec<usize> = (0..ncols).collect();
    order.sort_by(|a, b| need[*a].total_cmp(&need[*b]));
    let mut widths = min.clone();
    let mut spare = TEXT_W - sum_min;
    let mut k = 0;
    while k < ncols {
        let i = order[k];
        if need[i] * (ncols - k) as f32 > spare {
            break;
        }
        widths[i] += need[i];
        spare -= need[i];
        k += 1;
    }
    let rest: f32 = order[k..].iter().map(|&i| need[i]).sum();
    if rest > 0.0 {
        for &i in &order[k..] {
            widths[i] += spare * need[i] / rest;
        }
    }
    widths
}

/// The cap `c` with `sum(min(w, c)) == total` (all of `widths` are positive).
fn water_level(widths: &[f32], total: f32) -> f32 {
    let mut sorted = widths.to_vec();
    sorted.sort_by(f32::total_cmp);
    let mut used = 0.0;
    for (i, w) in sorted.iter().enumerate() {
        let rest = (sorted.len() - i) as f32;
        if used + w * rest >= total {
            return (total - used) / rest;
        }
        used += w;
    }
    total / widths.len().max(1) as f32
}

fn percentile(values: &mut [f32], q: f32) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let k = ((values.len() - 1) as f32 * q).round() as usize;
    let (_, v, _) = values.select_nth_unstable_by(k, f32::total_cmp);
    *v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::Frame;

    fn frame() -> FrameLayout {
        FrameLayout::new(&Frame {
            sender: vec!["Turvakoti Satama ry".into()],
            footer: vec!["Turvakoti Satama ry · Satamakatu 1".into()],
            ..Frame::default()
        })
    }

    /// The page each drawn line is on, by its text.
    fn page_of(pages: &[Page], text: &str) -> usize {
        pages
            .iter()
            .position(|p| p.texts.iter().any(|t| t.text == text))
            .unwrap_or_else(|| panic!("'{text}' not drawn"))
    }

    /// A paragraph of `n` lines whose lines can be told apart: each line is one long word
    /// (wider than half the text width, so two never share a line).
    fn numbered_paragraph(tag: &str, n: usize) -> (Block, Vec<String>) {
        let words: Vec<String> = (0..n)
            .map(|i| format!("{tag}{i:02}{}", "x".repeat(60)))
            .collect();
        (Block::Paragraph(words.join(" ")), words)
    }

    #[test]
    fn a_closing_never_stands_alone_and_takes_the_last_lines_with_it() {
        let f = frame();
        let mut moved = 0;
        // Filler that ends the page at every height the last paragraph could start at.
        for filler in 20..60 {
            let mut blocks: Vec<Block> = (0..filler)
                .map(|i| Block::Paragraph(format!("Täyte {i}")))
                .collect();
            let (last, lines) = numbered_paragraph("loppu", 5);
            blocks.push(last);
            blocks.push(Block::Paragraph("Ystävällisin terveisin".into()));
            blocks.push(Block::Paragraph(
                "Maija Meikäläinen, sosiaalityöntekijä".into(),
            ));
            blocks.push(Block::Paragraph("Turvakoti Satama ry".into()));
            let pages = layout(&blocks, &f);
            let closing = page_of(&pages, "Ystävällisin terveisin");
            assert_eq!(
                page_of(&pages, "Turvakoti Satama ry"),
                closing,
                "filler {filler}"
            );
            let with_closing = lines
                .iter()
                .filter(|l| page_of(&pages, l) == closing)
                .count();
            assert!(
                with_closing >= 2,
                "filler {filler}: {with_closing} line(s) with the closing"
            );
            let first = page_of(&pages, &lines[0]);
            let on_first = lines.iter().filter(|l| page_of(&pages, l) == first).count();
            assert!(on_first >= 2, "filler {filler}: a single line left behind");
            if first != closing {
                moved += 1;
            }
        }
        assert!(
            moved > 0,
            "some filler made the paragraph break across pages"
        );
    }

    #[test]
    fn a_paragraph_carries_no_single_line_to_the_next_page() {
        let f = frame();
        // One- and two-line fillers together end the page at every line of the paragraph.
        for filler in (20..45).flat_map(|a| (0..4).map(move |b| (a, b))) {
            let (ones, twos) = filler;
            let mut blocks: Vec<Block> = (0..ones)
                .map(|i| Block::Paragraph(format!("Täyte {i}")))
                .collect();
            for i in 0..twos {
                blocks.push(numbered_paragraph(&format!("kaksi{i}-"), 2).0);
            }
            let (para, lines) = numbered_paragraph("kpl", 6);
            blocks.push(para);
            blocks.push(Block::Table {
                header: vec!["A".into()],
                rows: vec![vec!["b".into()]],
            });
            let pages = layout(&blocks, &f);
            for page in lines
                .iter()
                .map(|l| page_of(&pages, l))
                .collect::<std::collections::BTreeSet<_>>()
            {
                let here = lines.iter().filter(|l| page_of(&pages, l) == page).count();
                assert!(
                    here >= 2,
                    "filler {filler:?}: page {page} holds {here} line(s)"
                );
            }
        }
    }

    #[test]
    fn widths_fill_text_width() {
        let header = vec!["Nro".to_string(), "Kuvaus".to_string(), "Pvm".to_string()];
        let rows = vec![vec![
            "1".to_string(),
            "Pitkä kuvaus joka vie paljon tilaa ".repeat(5),
            "1.1.2026".to_string(),
        ]];
        let w = column_widths(&header, &rows, 3);
        let sum: f32 = w.iter().sum();
        assert!((sum - TEXT_W).abs() < 0.5, "{sum}");
        assert!(w[1] > w[0] && w[1] > w[2], "{w:?}");
    }

    #[test]
    fn crowded_tables_cap_only_the_widest_columns() {
        let w = water_level(&[50.0, 60.0, 200.0, 300.0], 400.0);
        assert!((w - 145.0).abs() < 0.01, "{w}");
        let header: Vec<String> = (0..8).map(|i| format!("Sarake{i}")).collect();
        let rows = vec![(0..8).map(|_| "Henkilöstörekisteri".to_string()).collect()];
        let w = column_widths(&header, &rows, 8);
        let sum: f32 = w.iter().sum();
        assert!((sum - TEXT_W).abs() < 0.5, "{sum}");
    }
}
