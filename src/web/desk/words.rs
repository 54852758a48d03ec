//! Stored form answers in words: each field by its label from `forms/`, choices by their
//! option labels, dates as d.m.yyyy, yes/no in the reader's language. Staff never read
//! raw keys.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use crate::domain::enums::Language;
use crate::domain::forms::{FieldDef, FieldType};
use crate::web::format_date;
use crate::web::site::site;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Answer {
    pub label: String,
    pub text: String,
    /// For a list: each row's answers.
    pub rows: Vec<Vec<Answer>>,
}

/// The answers of `value` to the fields `defs`, in form order; unanswered fields are left out.
pub fn answers(defs: &[FieldDef], value: &Value, lang: Language) -> Vec<Answer> {
    defs.iter()
        .filter_map(|def| {
            let v = value.get(&def.name)?;
            let label = def.label.get(lang).to_string();
            match def.field_type {
                FieldType::List => {
                    let rows: Vec<Vec<Answer>> = v
                        .as_array()?
                        .iter()
                        .map(|row| answers(&def.item_fields, row, lang))
                        .filter(|row| !row.is_empty())
                        .collect();
                    (!rows.is_empty()).then(|| Answer {
                        label,
                        text: String::new(),
                        rows,
                    })
                }
                _ => {
                    let text = in_words(def, v, lang)?;
                    Some(Answer {
                        label,
                        text,
                        rows: Vec::new(),
                    })
                }
            }
        })
        .collect()
}

fn in_words(def: &FieldDef, v: &Value, lang: Language) -> Option<String> {
    let text = match (def.field_type, v) {
        (_, Value::Null) => return None,
        (FieldType::Bool, Value::Bool(b)) => {
            site().text(if *b { "desk_yes" } else { "desk_no" }, lang)
        }
        (FieldType::Choice, Value::String(s)) => def
            .option_labels
            .get(s)
            .map(|t| t.get(lang).to_string())
            .unwrap_or_else(|| s.clone()),
        (FieldType::Date, Value::String(s)) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(|d| format_date(d, lang))
            .unwrap_or_else(|_| s.clone()),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    };
    (!text.trim().is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::enums::RequestKind;
    use crate::domain::forms::Forms;
    use serde_json::json;

    #[test]
    fn answers_read_as_labels_and_words_not_keys() {
        let forms = Forms::embedded().unwrap();
        let defs = &forms.form(RequestKind::LogInspection).fields;
        let found = answers(
            defs,
            &json!({ "period_from": "2025-01-01", "period_to": "2026-11-01" }),
            Language::Fi,
        );
        let texts: Vec<&str> = found.iter().map(|a| a.text.as_str()).collect();
        assert!(texts.contains(&"1.1.2025"), "{found:?}");
        assert!(found.iter().all(|a| !a.label.contains('_')), "{found:?}");
    }

    #[test]
    fn list_rows_keep_their_fields() {
        let forms = Forms::embedded().unwrap();
        let defs = &forms.form(RequestKind::Rectification).fields;
        let found = answers(
            defs,
            &json!({ "items": [{ "what_is_wrong": "Osoite", "should_say": "Kotikatu 1" }] }),
            Language::Sv,
        );
        let list = found.iter().find(|a| !a.rows.is_empty()).expect("a list");
        assert_eq!(list.rows[0][0].text, "Osoite");
        assert_eq!(list.rows[0][1].text, "Kotikatu 1");
    }
}
