//! Embedded DejaVu Sans faces: measuring, character clean-up and subsetting.
//!
//! printpdf is built without `text_layout`, so it neither measures nor subsets.
//! We measure with ttf-parser (advance widths, no kerning: the PDF /W array that
//! printpdf writes has no kerning either, so what we measure is what is drawn)
//! and subset with allsorts before handing the font to printpdf.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use anyhow::{anyhow, Context};
use sha2::{Digest, Sha256};

const REGULAR_TTF: &[u8] = include_bytes!("../../letters/fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../letters/fonts/DejaVuSans-Bold.ttf");

/// Marker for "no glyph" in the advance table.
const MISSING: u16 = u16::MAX;
/// Used inside laid-out text for no-break spaces; drawn as a plain space.
pub(super) const NBSP: char = '\u{a0}';

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum FontKind {
    Regular,
    Bold,
}

impl FontKind {
    pub(super) const ALL: [FontKind; 2] = [FontKind::Regular, FontKind::Bold];

    fn bytes(self) -> &'static [u8] {
        match self {
            FontKind::Regular => REGULAR_TTF,
            FontKind::Bold => BOLD_TTF,
        }
    }

    pub(super) fn postscript_name(self) -> &'static str {
        match self {
            FontKind::Regular => "DejaVuSans",
            FontKind::Bold => "DejaVuSans-Bold",
        }
    }
}

/// One face with a flat advance table for the whole BMP.
///
/// Building the table costs a few milliseconds once per process; afterwards
/// measuring a character is an array index, which keeps wrapping 45,000-row
/// tables cheap (no per-call cmap lookups, no hashing).
pub(super) struct Face {
    face: ttf_parser::Face<'static>,
    advances: Vec<u16>,
    units_per_em: f32,
    replacement: char,
}

impl Face {
    fn load(kind: FontKind) -> Face {
        // The bytes are compiled in and known-good; a parse failure is a build defect.
        let face = ttf_parser::Face::parse(kind.bytes(), 0).expect("embedded DejaVu font parses");
        let mut advances = vec![MISSING; 0x1_0000];
        for (cp, slot) in advances.iter_mut().enumerate() {
            let Some(ch) = char::from_u32(cp as u32) else {
                continue;
            };
            if let Some(gid) = face.glyph_index(ch) {
                // Glyph 0 is .notdef: PDF/A forbids showing it, so treat it as missing.
                if gid.0 != 0 {
                    *slot = face.glyph_hor_advance(gid).unwrap_or(0).min(MISSING - 1);
                }
            }
        }
        let units_per_em = f32::from(face.units_per_em());
        let replacement = if advances[0xFFFD] != MISSING {
            '\u{FFFD}'
        } else {
            '?'
        };
        Face {
            face,
            advances,
            units_per_em,
            replacement,
        }
    }

    pub(super) fn has(&self, ch: char) -> bool {
        let cp = ch as usize;
        cp < self.advances.len() && self.advances[cp] != MISSING
    }

    /// Advance in font units; unknown characters measure as the replacement glyph.
    #[inline]
    pub(super) fn advance_units(&self, ch: char) -> u64 {
        let cp = ch as usize;
        match self.advances.get(cp) {
            Some(&a) if a != MISSING => u64::from(a),
            _ => u64::from(self.advances[self.replacement as usize]),
        }
    }

    /// Width of `text` at `size` points.
    pub(super) fn width(&self, text: &str, size: f32) -> f32 {
        let units: u64 = text.chars().map(|c| self.advance_units(c)).sum();
        self.units_to_pt(units, size)
    }

    #[inline]
    pub(super) fn units_to_pt(&self, units: u64, size: f32) -> f32 {
        units as f32 * size / self.units_per_em
    }

    fn glyph_id(&self, ch: char) -> Option<u16> {
        self.face.glyph_index(ch).map(|g| g.0).filter(|g| *g != 0)
    }
}

pub(super) struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    pub(super) fn get() -> &'static Fonts {
        static FONTS: OnceLock<Fonts> = OnceLock::new();
        FONTS.get_or_init(|| Fonts {
            regular: Face::load(FontKind::Regular),
            bold: Face::load(FontKind::Bold),
        })
    }

    pub(super) fn face(&self, kind: FontKind) -> &Face {
        match kind {
            FontKind::Regular => &self.regular,
            FontKind::Bold => &self.bold,
        }
    }
}

/// Line-break behaviour of a cleaned character.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum CharClass {
    /// Ordinary printable character (includes NBSP, which must not break).
    Text(char),
    /// Breakable white space; runs collapse to one space.
    Space,
    /// Forced line break ('\u{2028}', '\n', '\u{2029}').
    Break,
}

/// Normalises one input character for `kind`.
///
/// Returns `None` for characters that should simply vanish (controls, soft
/// hyphens, zero-width marks). Anything the font cannot draw becomes U+FFFD,
/// so the content stream never references .notdef (a PDF/A-2 requirement)
/// and user text can never make rendering fail.
pub(super) fn classify(face: &Face, ch: char) -> Option<CharClass> {
    let out = match ch {
        '\u{2028}' | '\u{2029}' | '\n' => CharClass::Break,
        '\r' => return None,
        '\t'
        | ' '
        | '\u{2000}'..='\u{2006}'
        | '\u{2008}'..='\u{200A}'
        | '\u{205F}'
        | '\u{3000}' => CharClass::Space,
        '\u{a0}' | '\u{2007}' | '\u{202F}' => CharClass::Text(NBSP),
        '\u{ad}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' => return None,
        c if c.is_control() => return None,
        c if face.has(c) => CharClass::Text(c),
        c => CharClass::Text(fallback(face, c)),
    };
    Some(out)
}

/// A printable stand-in for a character missing from the font.
fn fallback(face: &Face, ch: char) -> char {
    let candidate = match ch {
        '\u{2010}' | '\u{2011}' | '\u{2012}' => '-',
        '\u{2032}' => '\'',
        '\u{2033}' => '"',
        _ => face.replacement,
    };
    if face.has(candidate) {
        candidate
    } else {
        face.replacement
    }
}

/// Composes the decomposed Nordic letters that users paste from macOS
/// (e.g. "a" + U+0308). Without a shaper a lone combining mark would be drawn
/// beside the letter instead of on it.
pub(super) fn compose(base: char, mark: char) -> Option<char> {
    let composed = match (base, mark) {
        ('a', '\u{308}') => 'ä',
        ('o', '\u{308}') => 'ö',
        ('u', '\u{308}') => 'ü',
        ('A', '\u{308}') => 'Ä',
        ('O', '\u{308}') => 'Ö',
        ('U', '\u{308}') => 'Ü',
        ('a', '\u{30A}') => 'å',
        ('A', '\u{30A}') => 'Å',
        ('e', '\u{301}') => 'é',
        ('E', '\u{301}') => 'É',
        ('s', '\u{30C}') => 'š',
        ('S', '\u{30C}') => 'Š',
        ('z', '\u{30C}') => 'ž',
        ('Z', '\u{30C}') => 'Ž',
        _ => return None,
    };
    Some(composed)
}

/// Collects the characters actually drawn with each face.
///
/// A flat BMP bitmap rather than a set: a 1,000-page report draws millions of
/// characters and this sits on that path.
pub(super) struct UsedChars {
    bmp: [Vec<bool>; 2],
    other: [BTreeSet<char>; 2],
}

impl Default for UsedChars {
    fn default() -> Self {
        UsedChars {
            bmp: [vec![false; 0x1_0000], vec![false; 0x1_0000]],
            other: [BTreeSet::new(), BTreeSet::new()],
        }
    }
}

impl UsedChars {
    fn slot(kind: FontKind) -> usize {
        match kind {
            FontKind::Regular => 0,
            FontKind::Bold => 1,
        }
    }

    pub(super) fn add(&mut self, kind: FontKind, text: &str) {
        let i = Self::slot(kind);
        for c in text.chars() {
            match self.bmp[i].get_mut(c as usize) {
                Some(seen) => *seen = true,
                None => {
                    self.other[i].insert(c);
                }
            }
        }
    }

    /// The characters used with `kind`, or `None` if the face is unused.
    pub(super) fn get(&self, kind: FontKind) -> Option<BTreeSet<char>> {
        let i = Self::slot(kind);
        let mut set: BTreeSet<char> = self.bmp[i]
            .iter()
            .enumerate()
            .filter(|(_, used)| **used)
            .filter_map(|(cp, _)| char::from_u32(cp as u32))
            .collect();
        set.extend(self.other[i].iter().copied());
        (!set.is_empty()).then_some(set)
    }
}

/// A subset font ready for printpdf.
pub(super) struct SubsetFace {
    pub(super) parsed: printpdf::ParsedFont,
}

/// Subsets `kind` down to `chars` and wraps it as a printpdf font.
///
/// The subset keeps a Unicode cmap, so printpdf's own char -> glyph lookup
/// (and the ToUnicode CMap it derives from it) works on the renumbered font.
pub(super) fn subset(kind: FontKind, chars: &BTreeSet<char>) -> anyhow::Result<SubsetFace> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{CmapTarget, SubsetProfile};

    let face = Fonts::get().face(kind);
    let mut gids: Vec<u16> = chars.iter().filter_map(|&c| face.glyph_id(c)).collect();
    gids.sort_unstable();
    gids.dedup();
    // allsorts requires .notdef first and no duplicates.
    gids.insert(0, 0);

    let font_file = ReadScope::new(kind.bytes())
        .read::<FontData<'_>>()
        .map_err(|e| anyhow!("reading {}: {e}", kind.postscript_name()))?;
    let provider = font_file
        .table_provider(0)
        .map_err(|e| anyhow!("font table provider: {e}"))?;
    let bytes =
        allsorts::subset::subset(&provider, &gids, &SubsetProfile::Pdf, CmapTarget::Unicode)
            .map_err(|e| anyhow!("subsetting {}: {e:?}", kind.postscript_name()))?;

    let mut warnings = Vec::new();
    let mut parsed = printpdf::ParsedFont::from_bytes(&bytes, 0, &mut warnings)
        .context("printpdf could not parse the subset font")?;
    // printpdf only adds the "ABCDEF+" subset tag when it subsets itself; the tag
    // is what tells readers (and pdffonts) that this is a subset. Derive it from
    // the glyph set so identical input gives byte-identical output.
    parsed.font_name = Some(format!(
        "{}+{}",
        subset_tag(kind, &gids),
        kind.postscript_name()
    ));
    Ok(SubsetFace { parsed })
}

fn subset_tag(kind: FontKind, gids: &[u16]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(kind.postscript_name().as_bytes());
    for g in gids {
        hasher.update(g.to_be_bytes());
    }
    hasher
        .finalize()
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nordic_letters_are_in_both_faces() {
        let fonts = Fonts::get();
        for kind in FontKind::ALL {
            for c in "ÅÄÖåäöŠšŽž€•–".chars() {
                assert!(fonts.face(kind).has(c), "{kind:?} lacks {c}");
            }
        }
    }

    #[test]
    fn unknown_characters_get_a_drawable_stand_in() {
        let face = Fonts::get().face(FontKind::Regular);
        let Some(CharClass::Text(c)) = classify(face, '\u{1F600}') else {
            panic!("emoji should map to text");
        };
        assert!(face.has(c));
        assert_eq!(classify(face, '\u{7}'), None);
        assert_eq!(classify(face, '\u{2028}'), Some(CharClass::Break));
    }

    #[test]
    fn subset_is_small() {
        let chars: BTreeSet<char> = "Hyvä asiakas, ÅÄÖ åäö".chars().collect();
        let sub = subset(FontKind::Regular, &chars).unwrap();
        assert!(
            sub.parsed.original_bytes.len() < 40_000,
            "{}",
            sub.parsed.original_bytes.len()
        );
        assert!(sub.parsed.lookup_glyph_index('ä' as u32).is_some());
    }
}
