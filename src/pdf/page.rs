//! Page geometry and the device-independent page model.
//!
//! Layout works top-down in points (y grows downwards, like reading); only
//! the emitter flips to PDF's bottom-up coordinates.

use super::fonts::FontKind;
use super::text::Style;

pub(super) const MM: f32 = 72.0 / 25.4;
/// A4 portrait.
pub(super) const PAGE_W: f32 = 210.0 * MM;
pub(super) const PAGE_H: f32 = 297.0 * MM;
/// SFS 2487: the left margin is also where the window-envelope address starts.
pub(super) const LEFT: f32 = 20.0 * MM;
pub(super) const RIGHT: f32 = PAGE_W - 20.0 * MM;
pub(super) const TEXT_W: f32 = RIGHT - LEFT;
/// Start of the document-label column in the header.
pub(super) const LABEL_X: f32 = 110.0 * MM;

pub(super) const BODY: Style = Style::new(FontKind::Regular, 10.5);
pub(super) const BODY_BOLD: Style = Style::new(FontKind::Bold, 10.5);
pub(super) const BODY_LH: f32 = 14.5;

/// Light grey for the table header shade.
pub(super) const SHADE: f32 = 0.88;

/// One run of text on a single baseline.
#[derive(Debug)]
pub(super) struct TextRun {
    pub x: f32,
    /// Baseline, measured from the top of the page.
    pub baseline: f32,
    pub style: Style,
    pub text: String,
}

/// A filled grey rectangle (top-left corner, from the top of the page).
#[derive(Debug)]
pub(super) struct Fill {
    pub x: f32,
    pub top: f32,
    pub w: f32,
    pub h: f32,
    pub grey: f32,
}

/// A horizontal rule.
#[derive(Debug)]
pub(super) struct Rule {
    pub x1: f32,
    pub x2: f32,
    pub y: f32,
    pub width: f32,
    pub grey: f32,
}

/// A stroked rectangle (top-left corner, from the top of the page): a box to tick or
/// to write one character in.
#[derive(Debug)]
pub(super) struct Outline {
    pub x: f32,
    pub top: f32,
    pub w: f32,
    pub h: f32,
    pub width: f32,
    pub grey: f32,
}

#[derive(Debug, Default)]
pub(super) struct Page {
    pub texts: Vec<TextRun>,
    pub fills: Vec<Fill>,
    pub rules: Vec<Rule>,
    pub outlines: Vec<Outline>,
}

impl Page {
    pub(super) fn text(&mut self, x: f32, baseline: f32, style: Style, text: String) {
        if !text.is_empty() {
            self.texts.push(TextRun {
                x,
                baseline,
                style,
                text,
            });
        }
    }

    pub(super) fn rule(&mut self, x1: f32, x2: f32, y: f32, width: f32, grey: f32) {
        self.rules.push(Rule {
            x1,
            x2,
            y,
            width,
            grey,
        });
    }

    pub(super) fn outline(&mut self, x: f32, top: f32, w: f32, h: f32, width: f32, grey: f32) {
        self.outlines.push(Outline {
            x,
            top,
            w,
            h,
            width,
            grey,
        });
    }
}

/// Baseline for a line box whose top is `top`: the glyphs are centred in the
/// box so that extra leading is shared above and below.
pub(super) fn baseline(top: f32, line_height: f32, size: f32) -> f32 {
    top + (line_height - size) / 2.0 + 0.8 * size
}
