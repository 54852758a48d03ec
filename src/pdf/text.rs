//! Measuring and greedy word wrapping on top of [`super::fonts`].
//!
//! One pass over the characters, no allocation per word beyond the output
//! lines, so wrapping stays linear even for very long paragraphs or cells.

use super::fonts::{classify, compose, CharClass, Face, FontKind, Fonts, NBSP};

/// Text style: face and size in points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Style {
    pub font: FontKind,
    pub size: f32,
}

impl Style {
    pub(super) const fn new(font: FontKind, size: f32) -> Style {
        Style { font, size }
    }

    fn face(self) -> &'static Face {
        Fonts::get().face(self.font)
    }
}

/// Width in points of an already-cleaned single line (e.g. a page number).
pub(super) fn width(text: &str, style: Style) -> f32 {
    style.face().width(text, style.size)
}

/// Natural single-line width and widest unbreakable word, in points.
/// Used to size table columns from their content.
pub(super) fn extent(text: &str, style: Style) -> (f32, f32) {
    let face = style.face();
    let space = face.advance_units(' ');
    let (mut line, mut widest_line, mut word, mut widest_word) = (0u64, 0u64, 0u64, 0u64);
    let mut pending_space = false;
    for ch in text.chars() {
        match classify(face, ch) {
            None => {}
            Some(CharClass::Text(c)) => {
                if pending_space && line > 0 {
                    line += space;
                }
                pending_space = false;
                let a = face.advance_units(c);
                line += a;
                word += a;
                widest_word = widest_word.max(word);
            }
            Some(CharClass::Space) => {
                pending_space = true;
                word = 0;
            }
            Some(CharClass::Break) => {
                widest_line = widest_line.max(line);
                line = 0;
                word = 0;
                pending_space = false;
            }
        }
    }
    widest_line = widest_line.max(line);
    (
        face.units_to_pt(widest_line, style.size),
        face.units_to_pt(widest_word, style.size),
    )
}

/// Wraps `text` into lines no wider than `max_width` points.
///
/// Runs of white space collapse to one space, forced breaks ('\u{2028}' or
/// '\n') start a new line, and words wider than the line are broken between
/// characters so nothing ever overflows the column. Characters the font lacks
/// are already replaced here, so the returned lines can be drawn as they are.
pub(super) fn wrap(text: &str, style: Style, max_width: f32) -> Vec<String> {
    let face = style.face();
    let max_units = ((max_width.max(1.0) * face_units_per_pt(face, style.size)) as u64).max(1);
    let mut w = Wrapper {
        face,
        max_units,
        space: face.advance_units(' '),
        lines: Vec::new(),
        line: String::new(),
        line_units: 0,
        word: String::new(),
        word_units: 0,
    };
    for ch in text.chars() {
        if is_combining_mark(ch) {
            if let Some(last) = w.word.chars().last() {
                if let Some(c) = compose(last, ch).filter(|c| face.has(*c)) {
                    w.word.pop();
                    w.word_units -= face.advance_units(last);
                    w.push_char(c);
                    continue;
                }
            }
        }
        match classify(face, ch) {
            None => {}
            Some(CharClass::Text(c)) => w.push_char(c),
            Some(CharClass::Space) => w.finish_word(),
            Some(CharClass::Break) => {
                w.finish_word();
                w.flush_line();
            }
        }
    }
    w.finish_word();
    if !w.line.is_empty() {
        w.flush_line();
    }
    w.lines
}

fn face_units_per_pt(face: &Face, size: f32) -> f32 {
    // units_to_pt(u) = u * size / upem  =>  units per pt = upem / size
    1.0 / face.units_to_pt(1, size.max(0.1))
}

fn is_combining_mark(ch: char) -> bool {
    ('\u{300}'..='\u{36F}').contains(&ch)
}

struct Wrapper<'a> {
    face: &'a Face,
    max_units: u64,
    space: u64,
    lines: Vec<String>,
    line: String,
    line_units: u64,
    word: String,
    word_units: u64,
}

impl Wrapper<'_> {
    fn push_char(&mut self, c: char) {
        self.word.push(c);
        self.word_units += self.face.advance_units(c);
    }

    fn finish_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        if !self.line.is_empty() {
            if self.line_units + self.space + self.word_units <= self.max_units {
                self.line.push(' ');
                self.line.push_str(&self.word);
                self.line_units += self.space + self.word_units;
                self.word.clear();
                self.word_units = 0;
                return;
            }
            self.flush_line();
        }
        if self.word_units <= self.max_units {
            std::mem::swap(&mut self.line, &mut self.word);
            self.line_units = self.word_units;
        } else {
            self.break_long_word();
        }
        self.word.clear();
        self.word_units = 0;
    }

    /// Splits an over-long word (an IBAN, a URL, a run of digits) between
    /// characters; the last piece stays open so the next word can follow it.
    fn break_long_word(&mut self) {
        let word = std::mem::take(&mut self.word);
        for c in word.chars() {
            let a = self.face.advance_units(c);
            if !self.line.is_empty() && self.line_units + a > self.max_units {
                self.flush_line();
            }
            self.line.push(c);
            self.line_units += a;
        }
    }

    fn flush_line(&mut self) {
        let mut line = std::mem::take(&mut self.line);
        if line.contains(NBSP) {
            // NBSP only matters for breaking; draw it as an ordinary space so the
            // ToUnicode map never has two characters for one glyph.
            line = line.replace(NBSP, " ");
        }
        self.lines.push(line);
        self.line_units = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: Style = Style::new(FontKind::Regular, 10.0);

    #[test]
    fn wraps_within_width() {
        let text = "Hyvä asiakas, olemme käsitelleet pyyntönne henkilötietojen \
                    tarkastamisesta ja toteamme seuraavaa.";
        let lines = wrap(text, BODY, 120.0);
        assert!(lines.len() > 2);
        for l in &lines {
            assert!(width(l, BODY) <= 120.0 + 0.01, "{l}");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn forced_breaks_and_long_words() {
        let lines = wrap("a\u{2028}b", BODY, 100.0);
        assert_eq!(lines, vec!["a", "b"]);
        let long = "x".repeat(500);
        let lines = wrap(&long, BODY, 50.0);
        assert!(lines.len() > 5);
        assert_eq!(lines.concat(), long);
        for l in &lines {
            assert!(width(l, BODY) <= 50.0 + 0.01);
        }
    }

    #[test]
    fn nbsp_does_not_break_and_is_drawn_as_space() {
        let lines = wrap("summa 1\u{a0}234,56\u{a0}€", BODY, 60.0);
        assert!(lines.iter().any(|l| l == "1 234,56 €"), "{lines:?}");
    }

    #[test]
    fn decomposed_letters_are_composed() {
        assert_eq!(wrap("Ha\u{308}meenlinna", BODY, 500.0), vec!["Hämeenlinna"]);
    }

    #[test]
    fn extent_reports_widest_word() {
        let (line, word) = extent("aa bbbb", BODY);
        assert!(line > word && word > 0.0);
    }
}
