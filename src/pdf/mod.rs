//! PDF letters and reports (PDF/A-2b) in the Finnish SFS 2487 letter layout.
//!
//! Pipeline: [`layout`] flows the blocks onto A4 pages (measuring with
//! ttf-parser), [`emit`] turns the pages plus the letter [`Frame`] into
//! printpdf operations with subset DejaVu Sans fonts, and [`pdfa`] rewrites
//! printpdf's output into PDF/A-2b with lopdf (XMP, sRGB output intent, /ID).
//!
//! The page number ("1 (3)") needs the page count, so everything is laid out
//! first and only then emitted.

mod compress;
mod emit;
mod extract;
mod fonts;
mod frame;
mod icc;
mod layout;
mod page;
mod pdfa;
mod text;

pub use extract::extract_text;

#[cfg(test)]
mod tests;

// These types carry personal data (names, addresses): Debug exists for tests,
// not for logging them.

/// Document metadata, written to both the Info dictionary and XMP.
#[derive(Debug, Clone)]
pub struct DocInfo {
    /// e.g. "Kieltäytymistodistus SAT-2026-000123"
    pub title: String,
    /// Organisation name.
    pub author: String,
    pub subject: String,
    pub keywords: Vec<String>,
    /// "fi" | "sv" | "en": /Lang in the catalog and dc:language.
    pub language: String,
    pub created: chrono::DateTime<chrono::Utc>,
}

/// Printed on every page: the Finnish letter layout (SFS 2487 style).
#[derive(Debug, Clone, Default)]
pub struct Frame {
    /// Top-left: organisation name (bold), then its address lines.
    pub sender: Vec<String>,
    /// Top-right: "KIELTÄYTYMISTODISTUS" / "INTYG OM VÄGRAN" / "REFUSAL CERTIFICATE".
    pub doc_label: String,
    /// Under the label, already formatted, e.g. "22.11.2026".
    pub date: String,
    /// Under the date, e.g. "SAT-2026-000123".
    pub reference: String,
    /// First page only, in the address window (20 mm from left, 45 mm from top).
    pub recipient: Vec<String>,
    /// Bottom of every page, small.
    pub footer: Vec<String>,
}

/// Body content, flowed top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Large bold, once near the top of the body.
    Title(String),
    /// Bold.
    Heading(String),
    /// Bold, smaller.
    Subheading(String),
    /// Wrapped to the text width; '\u{2028}' (or '\n') forces a line break.
    Paragraph(String),
    /// "•" with a hanging indent, wrapped.
    Bullet(String),
    /// Label (bold, ~35 % width) and wrapped value; a row never splits across pages.
    Facts(Vec<(String, String)>),
    /// Column widths follow the content (clamped); cells wrap; the shaded
    /// header row is repeated on every page the table continues on; rows never split.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// One blank body line.
    Spacer,
    /// Continue on a new page (ignored at the top of a page).
    PageBreak,
    /// A field to fill in by hand on a paper form: bold label, optional help, then the space.
    Field(Field),
    /// Signature lines side by side, each with its caption under the line.
    Signature(Vec<String>),
}

/// A write-in field of a paper form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: String,
    /// Smaller text under the label.
    pub help: Option<String>,
    pub space: Space,
}

/// The room left for handwriting, drawn in dark grey so it survives black-and-white copying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Space {
    /// Ruled lines to write on (at least one).
    Lines(usize),
    /// A square before each option, one option a line.
    Choices(Vec<String>),
    /// A square before the label itself: a statement the person ticks.
    Tick,
    /// Boxes for day, month and year, with the format beside them (e.g. "pp.kk.vvvv").
    Date(String),
}

/// Renders a PDF/A-2b document: A4 portrait, DejaVu Sans (subset, embedded).
///
/// Never panics on user text: characters missing from the font are replaced
/// with U+FFFD, control characters are dropped and over-long words are broken.
///
/// # Errors
/// Only if subsetting the embedded font or serialising fails, which points to
/// a defect here rather than to bad input.
pub fn render(info: &DocInfo, frame: &Frame, blocks: &[Block]) -> anyhow::Result<Vec<u8>> {
    let frame = frame::FrameLayout::new(frame);
    let pages = layout::layout(blocks, &frame);
    let doc = emit::build(info, &frame, pages)?;
    pdfa::finish(doc, info)
}
