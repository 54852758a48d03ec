//! Kind-specific request details, typed. The form definitions check shape and lengths;
//! the rules that relate fields to each other or to the receipt date live here.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::codes::FieldCode;
use super::enums::RequestKind;
use super::forms::{validate_object, Forms};
use super::validation::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessScope {
    WholeRecord,
    Period,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessForm {
    Electronic,
    Paper,
    ViewOnSite,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessDetails {
    pub scope: AccessScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_from: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_to: Option<NaiveDate>,
    pub form: AccessForm,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RectificationItem {
    pub what_is_wrong: String,
    pub should_say: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RectificationDetails {
    pub items: Vec<RectificationItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErasureDetails {
    pub what: String,
    pub why: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PortabilityFormat {
    Json,
    Csv,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortabilityDetails {
    pub format: PortabilityFormat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
}

/// Restriction (Art 18) and objection (Art 21) both carry the person's grounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroundsDetails {
    pub grounds: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogInspectionDetails {
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub misuse_suspected: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub misuse_when: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub misuse_how_noticed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub misuse_suspected_user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub misuse_data_concerned: Option<String>,
}

/// Log data is given two years back (Act 703/2023 § 11); older only with a special reason.
pub const LOG_LOOKBACK_MONTHS: u32 = 24;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Details {
    Access(AccessDetails),
    Rectification(RectificationDetails),
    Erasure(ErasureDetails),
    Portability(PortabilityDetails),
    Restriction(GroundsDetails),
    Objection(GroundsDetails),
    LogInspection(LogInspectionDetails),
}

impl Details {
    /// Checks `value` against the kind's form and the cross-field rules, and returns the
    /// typed details with blank strings dropped and text trimmed.
    pub fn parse(
        forms: &Forms,
        kind: RequestKind,
        value: &Value,
        received_on: NaiveDate,
    ) -> Result<Details, Vec<FieldError>> {
        let errors = validate_object(&forms.form(kind).fields, value, "details");
        if !errors.is_empty() {
            return Err(errors);
        }
        let cleaned = clean(value);
        let typed = match kind {
            RequestKind::Access => from_value(cleaned).map(Details::Access),
            RequestKind::Rectification => from_value(cleaned).map(Details::Rectification),
            RequestKind::Erasure => from_value(cleaned).map(Details::Erasure),
            RequestKind::Portability => from_value(cleaned).map(Details::Portability),
            RequestKind::Restriction => from_value(cleaned).map(Details::Restriction),
            RequestKind::Objection => from_value(cleaned).map(Details::Objection),
            RequestKind::LogInspection => from_value(cleaned).map(Details::LogInspection),
        }?;
        let errors = typed.cross_field_errors(received_on);
        if errors.is_empty() {
            Ok(typed)
        } else {
            Err(errors)
        }
    }

    /// Reads details stored by `parse` (trusted: written by this service).
    pub fn from_stored(kind: RequestKind, json: &str) -> Result<Details, serde_json::Error> {
        Ok(match kind {
            RequestKind::Access => Details::Access(serde_json::from_str(json)?),
            RequestKind::Rectification => Details::Rectification(serde_json::from_str(json)?),
            RequestKind::Erasure => Details::Erasure(serde_json::from_str(json)?),
            RequestKind::Portability => Details::Portability(serde_json::from_str(json)?),
            RequestKind::Restriction => Details::Restriction(serde_json::from_str(json)?),
            RequestKind::Objection => Details::Objection(serde_json::from_str(json)?),
            RequestKind::LogInspection => Details::LogInspection(serde_json::from_str(json)?),
        })
    }

    fn cross_field_errors(&self, received_on: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        match self {
            Details::Access(a) => {
                if let (Some(from), Some(to)) = (a.period_from, a.period_to) {
                    check_period(from, to, received_on, &mut errors);
                }
            }
            Details::LogInspection(l) => {
                check_period(l.period_from, l.period_to, received_on, &mut errors);
                if l.period_from < log_lookback_start(received_on) && l.special_reason.is_none() {
                    errors.push(FieldError::new(
                        "details.special_reason",
                        FieldCode::SpecialReasonRequired,
                    ));
                }
            }
            _ => {}
        }
        errors
    }

    /// True when a log-inspection period reaches past the two-year look-back.
    pub fn reaches_beyond_lookback(&self, received_on: NaiveDate) -> bool {
        matches!(self, Details::LogInspection(l) if l.period_from < log_lookback_start(received_on))
    }
}

/// The first day of the statutory look-back: two years before receipt.
pub fn log_lookback_start(received_on: NaiveDate) -> NaiveDate {
    received_on
        .checked_sub_months(Months::new(LOG_LOOKBACK_MONTHS))
        .unwrap_or(NaiveDate::MIN)
}

fn check_period(
    from: NaiveDate,
    to: NaiveDate,
    received_on: NaiveDate,
    errors: &mut Vec<FieldError>,
) {
    if to < from {
        errors.push(FieldError::new("details.period_to", FieldCode::PeriodOrder));
    }
    if from > received_on {
        errors.push(FieldError::new(
            "details.period_from",
            FieldCode::DateInFuture,
        ));
    }
}

fn from_value<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, Vec<FieldError>> {
    // The generic check passed, so a failure here means the form and the type disagree.
    serde_json::from_value(v).map_err(|_| vec![FieldError::new("details", FieldCode::WrongType)])
}

/// Trims strings and drops blank or null members so optional fields read as absent.
fn clean(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !matches!(v, Value::Null))
                .filter(|(_, v)| !matches!(v, Value::String(s) if s.trim().is_empty()))
                .map(|(k, v)| (k.clone(), clean(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(clean).collect()),
        Value::String(s) => Value::String(s.trim().to_string()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::forms::{FieldDef, FieldType};
    use serde_json::json;

    fn forms() -> Forms {
        Forms::embedded().unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A value for every field a form defines, so the typed struct must accept all of them.
    fn full_example(fields: &[FieldDef]) -> Value {
        let mut map = serde_json::Map::new();
        for f in fields {
            let v = match f.field_type {
                FieldType::Text | FieldType::Textarea => json!("some text"),
                FieldType::Date => json!("2025-01-01"),
                FieldType::Choice => json!(f.options.last().unwrap()),
                FieldType::Bool => json!(true),
                FieldType::List => json!([full_example(&f.item_fields)]),
            };
            map.insert(f.name.clone(), v);
        }
        Value::Object(map)
    }

    #[test]
    fn forms_and_types_agree_for_every_kind() {
        let forms = forms();
        for kind in RequestKind::ALL {
            let fields = &forms.form(*kind).fields;
            let example = full_example(fields);
            let details = Details::parse(&forms, *kind, &example, date("2025-06-01"))
                .unwrap_or_else(|e| panic!("{kind}: {e:?}"));
            // Every field of the typed struct is a field of the form, and back again.
            let stored = serde_json::to_value(&details).unwrap();
            let mut keys: Vec<&String> = stored.as_object().unwrap().keys().collect();
            keys.sort();
            let mut names: Vec<&String> = fields.iter().map(|f| &f.name).collect();
            names.sort();
            assert_eq!(keys, names, "{kind}");
            // Every choice option deserialises.
            for f in fields.iter().filter(|f| f.field_type == FieldType::Choice) {
                for option in &f.options {
                    let mut v = example.clone();
                    v[&f.name] = json!(option);
                    Details::parse(&forms, *kind, &v, date("2025-06-01"))
                        .unwrap_or_else(|e| panic!("{kind} {option}: {e:?}"));
                }
            }
            let back = Details::from_stored(*kind, &stored.to_string()).unwrap();
            assert_eq!(back, details);
        }
    }

    #[test]
    fn log_inspection_beyond_two_years_needs_a_special_reason() {
        let forms = forms();
        let received = date("2025-03-05");
        let old = json!({ "period_from": "2023-03-04", "period_to": "2025-03-01" });
        let err = Details::parse(&forms, RequestKind::LogInspection, &old, received).unwrap_err();
        assert_eq!(err[0].code.as_str(), "special_reason_required");
        let exactly_two_years = json!({ "period_from": "2023-03-05", "period_to": "2025-03-01" });
        let d = Details::parse(
            &forms,
            RequestKind::LogInspection,
            &exactly_two_years,
            received,
        )
        .unwrap();
        assert!(!d.reaches_beyond_lookback(received));
        let with_reason = json!({ "period_from": "2020-01-01", "period_to": "2025-03-01",
            "special_reason": "  Suspected misuse by a former employee  " });
        let d = Details::parse(&forms, RequestKind::LogInspection, &with_reason, received).unwrap();
        assert!(d.reaches_beyond_lookback(received));
        match d {
            Details::LogInspection(l) => assert_eq!(
                l.special_reason.as_deref(),
                Some("Suspected misuse by a former employee")
            ),
            _ => unreachable!(),
        }
    }

    #[test]
    fn periods_must_be_in_order_and_not_start_after_receipt() {
        let forms = forms();
        let v = json!({ "scope": "period", "period_from": "2025-05-01",
            "period_to": "2025-04-01", "form": "paper" });
        let err = Details::parse(&forms, RequestKind::Access, &v, date("2025-04-15")).unwrap_err();
        let codes: Vec<&str> = err.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["period_order", "date_in_future"]);
    }

    #[test]
    fn blank_optional_fields_are_dropped() {
        let forms = forms();
        let v = json!({ "scope": "whole_record", "form": "electronic", "description": "   ",
            "period_from": null });
        let d = Details::parse(&forms, RequestKind::Access, &v, date("2025-04-15")).unwrap();
        assert_eq!(
            serde_json::to_value(d).unwrap(),
            json!({ "scope": "whole_record", "form": "electronic" })
        );
    }
}
