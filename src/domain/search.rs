//! How the desk finds a client by name: both the stored name and the typed query are
//! folded the same way, so "makinen" finds "Mäkinen" and "ÅSTRÖM" finds "Åström".

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lower case, accents removed (canonical decomposition without the combining marks),
/// runs of whitespace as one space.
pub fn fold_name(name: &str) -> String {
    let stripped: String = name
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    stripped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A LIKE pattern matching any part of a folded name. `%`, `_` and the escape character
/// are taken literally (escaped with `\`), so a typed percent sign matches only itself.
pub fn contains_pattern(query: &str) -> String {
    let mut pattern = String::from("%");
    for c in fold_name(query).chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The folded query as a full-text phrase for the trigram index (SQLite FTS5), when it is
/// long enough to have a three-letter piece; a shorter query is matched by `contains_pattern`.
/// Inside the quotes only `"` is special, and doubling it makes it literal.
pub fn trigram_phrase(query: &str) -> Option<String> {
    let folded = fold_name(query);
    (folded.chars().count() >= 3).then(|| format!("\"{}\"", folded.replace('"', "\"\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_fold_away() {
        assert_eq!(fold_name("Mäkinen"), "makinen");
        assert_eq!(fold_name("  ÅSTRÖM,   Björn "), "astrom, bjorn");
        assert_eq!(fold_name("Šárka Dvořák"), "sarka dvorak");
        assert_eq!(
            fold_name("Maija Meikäläinen"),
            fold_name("MAIJA meikalainen")
        );
    }

    #[test]
    fn like_wildcards_in_a_query_are_literal() {
        assert_eq!(contains_pattern("Mäki"), "%maki%");
        assert_eq!(contains_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }

    #[test]
    fn a_trigram_phrase_is_quoted_and_needs_three_letters() {
        assert_eq!(trigram_phrase("Mäki").as_deref(), Some("\"maki\""));
        assert_eq!(
            trigram_phrase("a \"b\" c").as_deref(),
            Some("\"a \"\"b\"\" c\"")
        );
        assert_eq!(trigram_phrase(" Wu "), None);
    }
}
