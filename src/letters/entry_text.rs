//! A structured entry's fields as a client reads them in a letter: the keys an integration
//! sent (`decision_date`, `contact.startDate`, `services[2]`) turned into words, dates in the
//! letter's language, yes and no in words. Labels staff typed are kept exactly as typed.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use chrono_tz::Europe::Helsinki;
use serde_json::{json, Value};

use super::context::format_date;
use super::Labels;
use crate::domain::enums::Language;

/// The entry's fields in reading order, each `{key, value}` in words.
pub fn readable_rows(content: &Value, labels: &Labels, lang: Language) -> Vec<Value> {
    let mut out = Vec::new();
    walk(&mut Vec::new(), content, labels, lang, &mut out);
    out
}

fn walk(path: &mut Vec<String>, v: &Value, labels: &Labels, lang: Language, out: &mut Vec<Value>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(readable_key(k));
                walk(path, v, labels, lang, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let last = path.pop().unwrap_or_default();
                path.push(format!("{last} {}", i + 1).trim().to_string());
                walk(path, v, labels, lang, out);
                path.pop();
                path.push(last);
            }
        }
        leaf => {
            let value = match leaf {
                Value::String(s) => readable_value(s, lang),
                Value::Bool(b) => word(labels, if *b { "yes" } else { "no" }),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            out.push(json!({ "key": capitalised(&path.join(" – ")), "value": value }));
        }
    }
}

fn word(labels: &Labels, key: &str) -> String {
    labels
        .words
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// An identifier (`decision_date`, `startDate`) becomes words; anything else (a label with
/// spaces or letters outside ASCII, as staff type them) is kept as it is.
fn readable_key(key: &str) -> String {
    let identifier = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !identifier {
        return key.to_string();
    }
    let mut words = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        if c == '_' || c == '-' {
            words.push(' ');
            previous_lower = false;
        } else if c.is_ascii_uppercase() && previous_lower {
            words.push(' ');
            words.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else {
            words.push(c.to_ascii_lowercase());
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    words.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// ISO dates and times as the letter's language writes them (times in Finnish time);
/// any other text unchanged.
fn readable_value(s: &str, lang: Language) -> String {
    let t = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return format_date(d, lang);
    }
    let local = DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&Helsinki).naive_local())
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M"));
    match local {
        Ok(dt) => {
            let time = match lang {
                Language::En => dt.format("%H:%M"),
                Language::Fi | Language::Sv => dt.format("%H.%M"),
            };
            format!("{} {time}", format_date(dt.date(), lang))
        }
        Err(_) => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::letters::Letters;

    fn rows(content: Value, lang: Language) -> Vec<(String, String)> {
        let letters = Letters::embedded().expect("the letter files load");
        readable_rows(&content, letters.labels(lang), lang)
            .into_iter()
            .map(|r| {
                (
                    r["key"].as_str().unwrap().to_string(),
                    r["value"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn integration_keys_become_words_and_typed_labels_stay() {
        let got = rows(
            json!({ "decision_date": "2024-03-01", "contact": { "startDate": "2024-03-05T08:30:00Z" },
                    "services": ["Perhetyö", "Tukihenkilö"], "Päätöksen tekijä": "Sosiaalityöntekijä",
                    "urgent": true, "note": null }),
            Language::Fi,
        );
        // In the order given, not sorted.
        assert_eq!(
            got,
            [
                ("Decision date".to_string(), "1.3.2024".to_string()),
                ("Contact – start date".into(), "5.3.2024 10.30".into()),
                ("Services 1".into(), "Perhetyö".into()),
                ("Services 2".into(), "Tukihenkilö".into()),
                ("Päätöksen tekijä".into(), "Sosiaalityöntekijä".into()),
                ("Urgent".into(), "kyllä".into()),
                ("Note".into(), String::new()),
            ]
        );
    }

    #[test]
    fn dates_and_yes_no_follow_the_letters_language() {
        let content = json!({ "päivä": "2026-11-02", "kiireellinen": false });
        assert_eq!(
            rows(content.clone(), Language::Sv),
            [
                ("Päivä".to_string(), "2.11.2026".to_string()),
                ("Kiireellinen".into(), "nej".into())
            ]
        );
        assert_eq!(rows(content, Language::En)[0].1, "2 November 2026");
        assert_eq!(readable_value("2026-13-45", Language::Fi), "2026-13-45");
        assert_eq!(readable_value("Kotikatu 1", Language::Fi), "Kotikatu 1");
    }
}
