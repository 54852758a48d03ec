//! Request-form definitions (`forms/*.toml`): the web form, `GET /forms` and the
//! validation of a request's `details` all read these, so they never disagree.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::codes::FieldCode;
use super::enums::{Language, RequestKind};
use super::texts::Texts;
use super::validation::{join, FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Textarea,
    Date,
    Choice,
    Bool,
    List,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequiredIf {
    pub field: String,
    pub equals: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    pub name: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_if: Option<RequiredIf>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<usize>,
    pub label: Texts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Texts>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub option_labels: BTreeMap<String, Texts>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub item_fields: Vec<FieldDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormDef {
    pub kind: RequestKind,
    /// The provision the form rests on, written as each language cites statutes.
    pub statute: Texts,
    pub title: Texts,
    pub description: Texts,
    pub fields: Vec<FieldDef>,
}

#[derive(Debug, Clone, Deserialize)]
struct KindOrder {
    order: Vec<RequestKind>,
}

#[derive(Debug, Clone, Deserialize)]
struct CommonDef {
    subject: Vec<FieldDef>,
    representative: Vec<FieldDef>,
    language_labels: Texts,
    kind_order: KindOrder,
}

/// Every form definition plus the localised validation messages.
#[derive(Debug, Clone)]
pub struct Forms {
    kinds: BTreeMap<RequestKind, FormDef>,
    pub subject: Vec<FieldDef>,
    pub representative: Vec<FieldDef>,
    pub language_labels: Texts,
    pub kind_order: Vec<RequestKind>,
    messages: BTreeMap<String, Texts>,
}

#[derive(Debug, thiserror::Error)]
pub enum FormsError {
    #[error("form file {file}: {message}")]
    Parse { file: String, message: String },
    #[error("form files: {0}")]
    Inconsistent(String),
}

const EMBEDDED: &[(&str, &str)] = &[
    ("access.toml", include_str!("../../forms/access.toml")),
    (
        "rectification.toml",
        include_str!("../../forms/rectification.toml"),
    ),
    ("erasure.toml", include_str!("../../forms/erasure.toml")),
    (
        "portability.toml",
        include_str!("../../forms/portability.toml"),
    ),
    (
        "restriction.toml",
        include_str!("../../forms/restriction.toml"),
    ),
    ("objection.toml", include_str!("../../forms/objection.toml")),
    (
        "log_inspection.toml",
        include_str!("../../forms/log_inspection.toml"),
    ),
];
const EMBEDDED_COMMON: &str = include_str!("../../forms/common.toml");
const EMBEDDED_MESSAGES: &str = include_str!("../../forms/messages.toml");

fn parse<T: serde::de::DeserializeOwned>(file: &str, src: &str) -> Result<T, FormsError> {
    toml::from_str(src).map_err(|e| FormsError::Parse {
        file: file.to_string(),
        message: e.to_string(),
    })
}

impl Forms {
    /// The definitions shipped in `forms/`, compiled into the binary.
    pub fn embedded() -> Result<Forms, FormsError> {
        let files: Vec<(String, String)> = EMBEDDED
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        Forms::from_sources(&files, EMBEDDED_COMMON, EMBEDDED_MESSAGES)
    }

    /// Reads `<dir>/<kind>.toml`, `common.toml` and `messages.toml` (an organisation's own wording).
    pub fn from_dir(dir: &std::path::Path) -> Result<Forms, FormsError> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name)).map_err(|e| FormsError::Parse {
                file: dir.join(name).display().to_string(),
                message: e.to_string(),
            })
        };
        let mut files = Vec::new();
        for (name, _) in EMBEDDED {
            files.push((name.to_string(), read(name)?));
        }
        Forms::from_sources(&files, &read("common.toml")?, &read("messages.toml")?)
    }

    fn from_sources(
        files: &[(String, String)],
        common: &str,
        messages: &str,
    ) -> Result<Forms, FormsError> {
        let mut kinds = BTreeMap::new();
        for (name, src) in files {
            let form: FormDef = parse(name, src)?;
            kinds.insert(form.kind, form);
        }
        let common: CommonDef = parse("common.toml", common)?;
        let messages: BTreeMap<String, Texts> = parse("messages.toml", messages)?;
        let forms = Forms {
            kinds,
            subject: common.subject,
            representative: common.representative,
            language_labels: common.language_labels,
            kind_order: common.kind_order.order,
            messages,
        };
        forms.check()?;
        Ok(forms)
    }

    fn check(&self) -> Result<(), FormsError> {
        for kind in RequestKind::ALL {
            if !self.kinds.contains_key(kind) {
                return Err(FormsError::Inconsistent(format!("no form for kind {kind}")));
            }
            if !self.kind_order.contains(kind) {
                return Err(FormsError::Inconsistent(format!(
                    "kind_order misses {kind}"
                )));
            }
        }
        Ok(())
    }

    pub fn form(&self, kind: RequestKind) -> &FormDef {
        // `check` guarantees every kind has a form.
        &self.kinds[&kind]
    }

    pub fn forms_in_order(&self) -> impl Iterator<Item = &FormDef> {
        self.kind_order.iter().map(|k| &self.kinds[k])
    }

    /// The localised message for a validation code; the code itself when none is defined.
    pub fn message(&self, code: &str, lang: Language, params: Option<&Value>) -> String {
        let Some(texts) = self.messages.get(code) else {
            return code.replace('_', " ");
        };
        let mut text = texts.get(lang).to_string();
        if let Some(Value::Object(map)) = params {
            for (k, v) in map {
                let v = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                text = text.replace(&format!("{{{k}}}"), &v);
            }
        }
        text
    }

    pub fn message_codes(&self) -> impl Iterator<Item = &String> {
        self.messages.keys()
    }
}

/// Checks a JSON object against field definitions: unknown fields, required fields,
/// types, lengths, choices, dates and list sizes. Cross-field rules live with the typed details.
pub fn validate_object(fields: &[FieldDef], value: &Value, prefix: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let Value::Object(obj) = value else {
        errors.push(FieldError::new(prefix, FieldCode::WrongType));
        return errors;
    };
    for key in obj.keys() {
        if !fields.iter().any(|f| &f.name == key) {
            errors.push(FieldError::new(join(prefix, key), FieldCode::UnknownField));
        }
    }
    for field in fields {
        let path = join(prefix, &field.name);
        let present = obj.get(&field.name).filter(|v| !is_blank(v));
        let required = field.required
            || field.required_if.as_ref().is_some_and(|cond| {
                obj.get(&cond.field).and_then(Value::as_str) == Some(cond.equals.as_str())
            });
        match present {
            None if required => errors.push(FieldError::new(path, FieldCode::Required)),
            None => {}
            Some(v) => validate_value(field, v, &path, &mut errors),
        }
    }
    errors
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn validate_value(field: &FieldDef, v: &Value, path: &str, errors: &mut Vec<FieldError>) {
    match field.field_type {
        FieldType::Text | FieldType::Textarea => match v.as_str() {
            None => errors.push(FieldError::new(path, FieldCode::WrongType)),
            Some(s) => {
                if let Some(max) = field.max_length {
                    if s.trim().chars().count() > max {
                        errors.push(
                            FieldError::new(path, FieldCode::TooLong)
                                .with_params(json!({ "max": max })),
                        );
                    }
                }
            }
        },
        FieldType::Date => {
            if v.as_str()
                .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
                .is_none()
            {
                errors.push(FieldError::new(path, FieldCode::InvalidDate));
            }
        }
        FieldType::Choice => match v.as_str() {
            Some(s) if field.options.iter().any(|o| o == s) => {}
            _ => errors.push(
                FieldError::new(path, FieldCode::InvalidChoice)
                    .with_params(json!({ "options": field.options.join(", ") })),
            ),
        },
        FieldType::Bool => {
            if !v.is_boolean() {
                errors.push(FieldError::new(path, FieldCode::WrongType));
            }
        }
        FieldType::List => {
            let Some(items) = v.as_array() else {
                errors.push(FieldError::new(path, FieldCode::NotAList));
                return;
            };
            if let Some(min) = field.min_items {
                if items.len() < min {
                    errors.push(
                        FieldError::new(path, FieldCode::TooFewItems)
                            .with_params(json!({ "min": min })),
                    );
                }
            }
            if let Some(max) = field.max_items {
                if items.len() > max {
                    errors.push(
                        FieldError::new(path, FieldCode::TooManyItems)
                            .with_params(json!({ "max": max })),
                    );
                    return;
                }
            }
            for (i, item) in items.iter().enumerate() {
                errors.extend(validate_object(
                    &field.item_fields,
                    item,
                    &format!("{path}[{i}]"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms() -> Forms {
        Forms::embedded().expect("embedded forms parse")
    }

    #[test]
    fn every_kind_has_a_form_with_complete_texts() {
        let forms = forms();
        for kind in RequestKind::ALL {
            let form = forms.form(*kind);
            assert!(form.title.is_complete(), "{kind} title");
            assert!(form.description.is_complete(), "{kind} description");
            let mut stack: Vec<&FieldDef> = form.fields.iter().collect();
            stack.extend(forms.subject.iter());
            stack.extend(forms.representative.iter());
            while let Some(f) = stack.pop() {
                assert!(f.label.is_complete(), "{kind} {} label", f.name);
                if let Some(help) = &f.help {
                    assert!(help.is_complete(), "{kind} {} help", f.name);
                }
                if f.field_type == FieldType::Choice {
                    assert!(!f.options.is_empty(), "{} has no options", f.name);
                    for o in &f.options {
                        let label = f.option_labels.get(o);
                        assert!(
                            label.is_some_and(Texts::is_complete),
                            "{kind} {} option {o} label",
                            f.name
                        );
                    }
                }
                stack.extend(f.item_fields.iter());
            }
        }
    }

    #[test]
    fn every_message_is_in_three_languages() {
        let forms = forms();
        for code in forms.message_codes() {
            for lang in Language::ALL {
                assert!(
                    !forms.message(code, *lang, None).trim().is_empty(),
                    "{code} {lang}"
                );
            }
        }
    }

    #[test]
    fn generic_validation_reports_each_problem_with_its_path() {
        let forms = forms();
        let fields = &forms.form(RequestKind::Rectification).fields;
        let errors = validate_object(
            fields,
            &json!({ "items": [{ "what_is_wrong": "x" }], "colour": "red" }),
            "details",
        );
        let codes: Vec<(String, String)> = errors
            .into_iter()
            .map(|e| (e.field, e.code.to_string()))
            .collect();
        assert!(codes.contains(&("details.colour".into(), "unknown_field".into())));
        assert!(codes.contains(&("details.items[0].should_say".into(), "required".into())));
    }

    #[test]
    fn required_if_and_choices() {
        let forms = forms();
        let fields = &forms.form(RequestKind::Access).fields;
        let errors = validate_object(
            fields,
            &json!({ "scope": "period", "form": "carrier_pigeon" }),
            "details",
        );
        let codes: Vec<&str> = errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["required", "required", "invalid_choice"]);
        let ok = validate_object(
            fields,
            &json!({ "scope": "whole_record", "form": "electronic" }),
            "details",
        );
        assert!(ok.is_empty(), "{ok:?}");
    }

    #[test]
    fn message_placeholders_are_filled() {
        let forms = forms();
        let text = forms.message("too_long", Language::En, Some(&json!({ "max": 200 })));
        assert!(text.contains("200"), "{text}");
    }
}
