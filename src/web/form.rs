//! The request form as HTML fields and back: the page is drawn from the same form
//! definitions (`forms/`) that the API validates against, and a posted form becomes the
//! same JSON body the API accepts, so the two can never disagree. Input names are the
//! API's field paths (`subject.name`, `details.items[0].should_say`), so every
//! validation error lands next to its own field.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::domain::codes::FieldCode;
use crate::domain::enums::{Language, RequestKind};
use crate::domain::forms::{FieldDef, FieldType, Forms};
use crate::domain::validation::FieldError;

/// Empty rows offered for a list field when nothing has been entered yet.
const LIST_ROWS: usize = 3;

/// The posted `application/x-www-form-urlencoded` pairs, in order.
pub struct Posted(pub Vec<(String, String)>);

/// More fields than any page's form has (a log report's ticked events are the most); a body
/// with more is not one of our forms, and is refused before it is parsed.
pub const MAX_FIELDS: usize = 20_000;

impl Posted {
    /// The pairs of an `application/x-www-form-urlencoded` body, or None when it is not one
    /// (or has more than [`MAX_FIELDS`] fields).
    pub fn parse(body: &[u8]) -> Option<Posted> {
        let fields = body.iter().filter(|&&b| b == b'&').count() + 1;
        if fields > MAX_FIELDS {
            return None;
        }
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .ok()
            .map(Posted)
    }

    /// Like [`Posted::parse`], with a malformed body read as an empty form.
    pub fn parse_or_empty(body: &[u8]) -> Posted {
        Posted::parse(body).unwrap_or(Posted(Vec::new()))
    }

    /// The first non-blank value of a field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn has_prefix(&self, prefix: &str) -> bool {
        self.0
            .iter()
            .any(|(k, v)| k.starts_with(prefix) && !v.trim().is_empty())
    }
}

/// The API body for a posted form. Blank fields are left out, so "required" reads the
/// same as in the API; the representative is included as soon as any of its fields is
/// filled in, so nothing typed there is silently dropped.
pub fn to_body(
    forms: &Forms,
    kind: RequestKind,
    lang: Language,
    org: &str,
    posted: &Posted,
) -> Value {
    let mut body = Map::new();
    body.insert("organisation".into(), json!(org));
    body.insert("kind".into(), json!(kind.as_str()));
    body.insert("language".into(), json!(lang.as_str()));
    body.insert(
        "subject".into(),
        Value::Object(object_from(&forms.subject, "subject", posted)),
    );
    if posted.has_prefix("representative.") {
        body.insert(
            "representative".into(),
            Value::Object(object_from(&forms.representative, "representative", posted)),
        );
    }
    let registers = posted.all("registers");
    if !registers.is_empty() {
        body.insert("registers".into(), json!(registers));
    }
    let form = forms.form(kind);
    body.insert(
        "details".into(),
        Value::Object(object_from(&form.fields, "details", posted)),
    );
    Value::Object(body)
}

fn object_from(fields: &[FieldDef], prefix: &str, posted: &Posted) -> Map<String, Value> {
    let mut obj = Map::new();
    for field in fields {
        let path = format!("{prefix}.{}", field.name);
        let value = match field.field_type {
            FieldType::Bool => posted.get(&path).map(|_| Value::Bool(true)),
            FieldType::List => {
                let rows: Vec<Value> = (0..field.max_items.unwrap_or(LIST_ROWS))
                    .map(|i| object_from(&field.item_fields, &format!("{path}[{i}]"), posted))
                    .filter(|row| !row.is_empty())
                    .map(Value::Object)
                    .collect();
                Some(Value::Array(rows))
            }
            _ => posted.get(&path).map(|v| json!(v)),
        };
        if let Some(v) = value {
            obj.insert(field.name.clone(), v);
        }
    }
    obj
}

/// One field as the template draws it.
#[derive(Debug, Serialize)]
pub struct FieldView {
    pub name: String,
    pub id: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    pub label: String,
    pub help: Option<String>,
    pub required: bool,
    pub value: String,
    pub checked: bool,
    pub options: Vec<OptionView>,
    pub error: Option<String>,
    pub autocomplete: Option<&'static str>,
    /// The `<input type>` for one-line fields.
    pub input_type: &'static str,
    pub max_length: Option<usize>,
    pub rows: Vec<RowView>,
}

#[derive(Debug, Serialize)]
pub struct OptionView {
    pub value: String,
    pub id: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Debug, Serialize)]
pub struct RowView {
    pub number: usize,
    pub fields: Vec<FieldView>,
}

/// One line of the error summary at the top of the form.
#[derive(Debug, Serialize)]
pub struct ErrorLink {
    /// The field's element id, when the error belongs to a field on the page.
    pub target: Option<String>,
    pub label: Option<String>,
    pub message: String,
}

/// Element ids may not contain the path's dots and brackets.
pub fn element_id(path: &str) -> String {
    let mut id = String::from("f-");
    for c in path.chars() {
        id.push(if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '-'
        });
    }
    id.trim_end_matches('-').to_string()
}

/// The fields of one section, filled with what was posted and the errors found.
pub struct Drawer<'a> {
    pub lang: Language,
    pub posted: &'a Posted,
    pub errors: &'a BTreeMap<String, String>,
}

impl Drawer<'_> {
    pub fn fields(&self, fields: &[FieldDef], prefix: &str) -> Vec<FieldView> {
        fields.iter().map(|f| self.field(f, prefix)).collect()
    }

    fn field(&self, def: &FieldDef, prefix: &str) -> FieldView {
        let name = format!("{prefix}.{}", def.name);
        let id = element_id(&name);
        let value = self.posted.get(&name).unwrap_or("").to_string();
        let options = def
            .options
            .iter()
            .map(|o| OptionView {
                id: format!("{id}-{o}"),
                label: def
                    .option_labels
                    .get(o)
                    .map(|t| t.get(self.lang).to_string())
                    .unwrap_or_else(|| o.replace('_', " ")),
                checked: value == *o,
                value: o.clone(),
            })
            .collect();
        let rows = if def.field_type == FieldType::List {
            let filled = (0..def.max_items.unwrap_or(LIST_ROWS))
                .filter(|i| self.posted.has_prefix(&format!("{name}[{i}].")))
                .max()
                .map_or(0, |i| i + 1);
            let count = (filled + 1)
                .max(LIST_ROWS)
                .min(def.max_items.unwrap_or(LIST_ROWS));
            let needed = def.min_items.unwrap_or(0);
            (0..count)
                .map(|i| {
                    let mut fields = self.fields(&def.item_fields, &format!("{name}[{i}]"));
                    // Rows beyond the minimum are optional as a whole.
                    if i >= needed {
                        fields.iter_mut().for_each(|f| f.required = false);
                    }
                    RowView {
                        number: i + 1,
                        fields,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        FieldView {
            checked: def.field_type == FieldType::Bool && !value.is_empty(),
            error: self.errors.get(&name).cloned(),
            autocomplete: autocomplete(&name),
            input_type: input_type(def.field_type, &name),
            label: def.label.get(self.lang).to_string(),
            help: def.help.as_ref().map(|h| h.get(self.lang).to_string()),
            required: def.required,
            max_length: def.max_length,
            field_type: def.field_type,
            name,
            id,
            value,
            options,
            rows,
        }
    }
}

/// Phones show the right keyboard for e-mail addresses, numbers and dates.
fn input_type(field_type: FieldType, path: &str) -> &'static str {
    match field_type {
        FieldType::Date => "date",
        _ if path.ends_with(".email") => "email",
        _ if path.ends_with(".phone") => "tel",
        _ => "text",
    }
}

/// Lets browsers fill in the person's own details (WCAG 1.3.5).
fn autocomplete(path: &str) -> Option<&'static str> {
    Some(match path {
        "subject.name" => "name",
        "subject.email" => "email",
        "subject.phone" => "tel",
        "subject.postal_address" => "street-address",
        "subject.birth_date" => "bday",
        _ => return None,
    })
}

/// Localised messages by field path, and the summary lines in page order.
pub fn localise_errors(
    forms: &Forms,
    lang: Language,
    errors: &[FieldError],
    fields: &[PageField],
) -> (BTreeMap<String, String>, Vec<ErrorLink>) {
    let by_path: BTreeMap<&str, &PageField> = fields.iter().map(|f| (f.path.as_str(), f)).collect();
    let page_order: Vec<&str> = fields.iter().map(|f| f.path.as_str()).collect();
    let mut by_field = BTreeMap::new();
    let mut summary = Vec::new();
    for e in errors {
        let field = by_path.get(e.field.as_str());
        // A missing choice or date gets words that say what to do.
        let code = match (e.code, field.map(|f| f.field_type)) {
            (FieldCode::Required, Some(FieldType::Choice)) => "required_choice",
            (FieldCode::Required, Some(FieldType::Date)) => "required_date",
            (code, _) => code.as_str(),
        };
        let message = forms.message(code, lang, e.params.as_ref());
        let label = field.map(|f| f.label.clone());
        let target = label.as_ref().map(|_| element_id(&e.field));
        by_field
            .entry(e.field.clone())
            .and_modify(|m: &mut String| {
                m.push(' ');
                m.push_str(&message);
            })
            .or_insert_with(|| message.clone());
        summary.push(ErrorLink {
            target,
            label,
            message,
        });
    }
    // The summary follows the page: the request first, then the person, then the
    // representative, each in field order; errors without a field of their own go last.
    let position = |e: &FieldError| {
        page_order
            .iter()
            .position(|p| *p == e.field)
            .unwrap_or(usize::MAX)
    };
    let mut order: Vec<usize> = (0..errors.len()).collect();
    order.sort_by_key(|&i| position(&errors[i]));
    let mut slots: Vec<Option<ErrorLink>> = summary.into_iter().map(Some).collect();
    let summary = order.into_iter().filter_map(|i| slots[i].take()).collect();
    (by_field, summary)
}

/// Every field path on the page with its label, in page order, for the error summary.
/// A field as the page shows it: where it is, what it is called and what kind of input.
pub struct PageField {
    pub path: String,
    pub label: String,
    pub field_type: FieldType,
}

/// The form's fields in page order: the request's details, the person, the representative.
pub fn page_fields(forms: &Forms, kind: RequestKind, lang: Language) -> Vec<PageField> {
    fn walk(fields: &[FieldDef], prefix: &str, lang: Language, out: &mut Vec<PageField>) {
        for f in fields {
            let path = format!("{prefix}.{}", f.name);
            out.push(PageField {
                path: path.clone(),
                label: f.label.get(lang).to_string(),
                field_type: f.field_type,
            });
            for i in 0..f.max_items.unwrap_or(0) {
                walk(&f.item_fields, &format!("{path}[{i}]"), lang, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&forms.form(kind).fields, "details", lang, &mut out);
    walk(&forms.subject, "subject", lang, &mut out);
    walk(&forms.representative, "representative", lang, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_with_more_fields_than_any_form_is_not_parsed() {
        let at_cap = "a=1&".repeat(MAX_FIELDS - 1) + "a=1";
        assert_eq!(
            Posted::parse(at_cap.as_bytes()).unwrap().0.len(),
            MAX_FIELDS
        );
        let over = "a&".repeat(MAX_FIELDS);
        assert!(Posted::parse(over.as_bytes()).is_none());
    }

    fn posted(pairs: &[(&str, &str)]) -> Posted {
        Posted(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn a_posted_form_becomes_the_api_body() {
        let forms = Forms::embedded().unwrap();
        let p = posted(&[
            ("subject.name", "Åsa Öhman"),
            ("subject.personal_id", "131052-308T"),
            ("subject.email", ""),
            ("subject.address_protected", "on"),
            ("subject.contact_channel", "post"),
            ("registers", "turvakoti"),
            ("registers", "tuki"),
            ("details.items[0].what_is_wrong", "Osoite"),
            ("details.items[0].should_say", "Uusi osoite"),
            ("details.items[2].what_is_wrong", "Puhelin"),
            ("csrf", "x"),
        ]);
        let body = to_body(&forms, RequestKind::Rectification, Language::Sv, "org", &p);
        assert_eq!(body["organisation"], "org");
        assert_eq!(body["language"], "sv");
        assert_eq!(body["subject"]["name"], "Åsa Öhman");
        assert_eq!(body["subject"]["address_protected"], true);
        assert!(
            body["subject"].get("email").is_none(),
            "blank fields are left out"
        );
        assert!(body.get("representative").is_none());
        assert_eq!(body["registers"], json!(["turvakoti", "tuki"]));
        let items = body["details"]["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "empty rows are dropped");
        assert_eq!(items[1]["what_is_wrong"], "Puhelin");
    }

    #[test]
    fn any_representative_field_brings_the_representative() {
        let forms = Forms::embedded().unwrap();
        let p = posted(&[("representative.name", "Veli")]);
        let body = to_body(&forms, RequestKind::Access, Language::Fi, "org", &p);
        assert_eq!(body["representative"]["name"], "Veli");
    }

    #[test]
    fn ids_are_html_safe() {
        assert_eq!(
            element_id("details.items[0].should_say"),
            "f-details-items-0--should_say"
        );
    }

    #[test]
    fn errors_are_localised_and_linked_to_their_fields() {
        let forms = Forms::embedded().unwrap();
        let labels = page_fields(&forms, RequestKind::Access, Language::En);
        let errors = vec![
            FieldError::new("subject.name", FieldCode::Required),
            FieldError::new("registers", FieldCode::UnknownRegister),
        ];
        let (by_field, summary) = localise_errors(&forms, Language::En, &errors, &labels);
        assert!(by_field["subject.name"].len() > 3);
        assert_eq!(summary[0].target.as_deref(), Some("f-subject-name"));
        assert_eq!(summary[0].label.as_deref(), Some("Name"));
        assert!(summary[1].target.is_none());
    }

    #[test]
    fn a_missing_choice_or_date_says_what_to_do() {
        let forms = Forms::embedded().unwrap();
        let fields = page_fields(&forms, RequestKind::Access, Language::Fi);
        let errors = vec![
            FieldError::new("subject.contact_channel", FieldCode::Required),
            FieldError::new("subject.birth_date", FieldCode::Required),
            FieldError::new("subject.name", FieldCode::Required),
        ];
        let (by_field, _) = localise_errors(&forms, Language::Fi, &errors, &fields);
        assert_eq!(
            by_field["subject.contact_channel"],
            "Valitse jokin vaihtoehdoista."
        );
        assert_eq!(by_field["subject.birth_date"], "Anna päivämäärä.");
        assert_eq!(by_field["subject.name"], "Tämä tieto on pakollinen.");
    }

    #[test]
    fn list_fields_offer_a_free_row_after_the_last_filled_one() {
        let forms = Forms::embedded().unwrap();
        let errors = BTreeMap::new();
        let p = posted(&[("details.items[3].what_is_wrong", "x")]);
        let drawer = Drawer {
            lang: Language::Fi,
            posted: &p,
            errors: &errors,
        };
        let fields = drawer.fields(&forms.form(RequestKind::Rectification).fields, "details");
        let items = fields.iter().find(|f| f.name == "details.items").unwrap();
        assert_eq!(items.rows.len(), 5);
        assert_eq!(items.rows[3].fields[0].value, "x");
    }
}
