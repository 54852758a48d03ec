//! A request as submitted, checked field by field before anything touches the database:
//! the organisation it is addressed to, the right, the subject, the details of that right.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::Value;

use super::codes::FieldCode;
use super::deadline::helsinki_date;
use super::details::Details;
use super::enums::{Channel, Language, Relationship, RequestKind};
use super::forms::Forms;
use super::subject::{Representative, Subject};
use super::validation::FieldError;

const PUBLIC_FIELDS: &[&str] = &[
    "organisation",
    "kind",
    "language",
    "registers",
    "subject",
    "representative",
    "details",
];
const STAFF_ONLY_FIELDS: &[&str] = &["channel", "received_on"];

/// Why a request needs a person to look at it before anything else happens.
pub mod review {
    pub const GUARDIAN_FOR_MINOR: &str = "guardian_request_about_minor";
    pub const PROTECTED_SUBJECT_REPRESENTED: &str = "representative_for_address_protected_subject";
    pub const LEGAL_REPRESENTATIVE_AUTHORITY: &str = "legal_representative_must_prove_authority";
    pub const TEMPORARY_IDENTITY_CODE: &str = "temporary_identity_code";
    pub const LOG_PERIOD_BEYOND_TWO_YEARS: &str = "log_period_beyond_two_years";
}

/// Where the request is addressed: a public form names the organisation, staff belong to one.
#[derive(Debug, Clone)]
pub enum OrgRef {
    Slug(String),
    Id(String),
}

impl OrgRef {
    /// A key that tells organisations apart within a batch.
    pub fn key(&self) -> String {
        match self {
            OrgRef::Id(id) => format!("id:{id}"),
            OrgRef::Slug(slug) => format!("slug:{slug}"),
        }
    }
}

/// Who submits: the public (web form or API without a token), or staff of an organisation,
/// who may say how and when a request reached them.
#[derive(Debug, Clone, Copy)]
pub enum Submitter<'a> {
    Public,
    Staff { org_id: &'a str },
}

/// A submission whose fields are all valid. What needs the database (the organisation,
/// its registers, earlier requests) is resolved later, by the writer.
#[derive(Debug)]
pub struct NewRequest {
    pub org: OrgRef,
    /// Register slugs; empty means every register of the organisation.
    pub registers: Vec<String>,
    pub kind: RequestKind,
    pub language: Language,
    pub channel: Channel,
    pub received_on: NaiveDate,
    pub received_at: DateTime<Utc>,
    pub subject: Subject,
    pub representative: Option<Representative>,
    pub details: Details,
}

impl NewRequest {
    /// Checks every field of a submitted JSON body and reports every problem at once.
    /// Public submissions name their organisation and are received `now`; staff enter
    /// requests that reached them by any channel, possibly days ago.
    pub fn parse(
        forms: &Forms,
        body: &Value,
        submitter: Submitter<'_>,
        now: DateTime<Utc>,
    ) -> Result<NewRequest, Vec<FieldError>> {
        let Value::Object(obj) = body else {
            return Err(vec![FieldError::new("", FieldCode::WrongType)]);
        };
        let mut errors: Vec<FieldError> = Vec::new();
        for key in obj.keys() {
            let known =
                PUBLIC_FIELDS.contains(&key.as_str()) || STAFF_ONLY_FIELDS.contains(&key.as_str());
            if !known {
                errors.push(FieldError::new(key.as_str(), FieldCode::UnknownField));
            } else if matches!(submitter, Submitter::Public)
                && STAFF_ONLY_FIELDS.contains(&key.as_str())
            {
                errors.push(FieldError::new(key.as_str(), FieldCode::StaffOnly));
            }
        }

        let org = match (submitter, obj.get("organisation")) {
            (Submitter::Staff { org_id }, _) => Some(OrgRef::Id(org_id.to_string())),
            (Submitter::Public, Some(Value::String(slug))) if !slug.trim().is_empty() => {
                Some(OrgRef::Slug(slug.trim().to_string()))
            }
            (Submitter::Public, None | Some(Value::Null)) => {
                errors.push(FieldError::new("organisation", FieldCode::Required));
                None
            }
            (Submitter::Public, Some(_)) => {
                errors.push(FieldError::new(
                    "organisation",
                    FieldCode::UnknownOrganisation,
                ));
                None
            }
        };

        let kind = enum_member(
            obj.get("kind"),
            "kind",
            true,
            RequestKind::parse,
            &mut errors,
        );
        let language = enum_member(
            obj.get("language"),
            "language",
            false,
            Language::parse,
            &mut errors,
        )
        .unwrap_or(Language::Fi);

        let today = helsinki_date(now);
        let (channel, received_on, received_at) = match submitter {
            Submitter::Public => (Channel::Web, today, now),
            Submitter::Staff { .. } => {
                let channel = enum_member(
                    obj.get("channel"),
                    "channel",
                    true,
                    Channel::parse,
                    &mut errors,
                )
                .unwrap_or(Channel::Letter);
                let received_on = match obj.get("received_on") {
                    None | Some(Value::Null) => today,
                    Some(v) => match v.as_str().and_then(|s| s.parse::<NaiveDate>().ok()) {
                        None => {
                            errors.push(FieldError::new("received_on", FieldCode::InvalidDate));
                            today
                        }
                        Some(d) if d > today => {
                            errors.push(FieldError::new("received_on", FieldCode::DateInFuture));
                            today
                        }
                        Some(d) if d < today - chrono::Days::new(366) => {
                            errors.push(FieldError::new("received_on", FieldCode::TooOld));
                            today
                        }
                        Some(d) => d,
                    },
                };
                let received_at = if received_on == today {
                    now
                } else {
                    noon_helsinki(received_on)
                };
                (channel, received_on, received_at)
            }
        };

        let subject = match obj.get("subject") {
            None | Some(Value::Null) => {
                errors.push(FieldError::new("subject", FieldCode::Required));
                None
            }
            Some(v) => match Subject::parse(forms, v, today) {
                Ok(s) => Some(s),
                Err(e) => {
                    errors.extend(e);
                    None
                }
            },
        };
        let representative = match obj.get("representative") {
            None | Some(Value::Null) => None,
            Some(v) => match Representative::parse(forms, v) {
                Ok(r) => Some(r),
                Err(e) => {
                    errors.extend(e);
                    None
                }
            },
        };
        let details = match (kind, obj.get("details")) {
            (_, None | Some(Value::Null)) => {
                errors.push(FieldError::new("details", FieldCode::Required));
                None
            }
            (None, _) => None,
            (Some(kind), Some(v)) => match Details::parse(forms, kind, v, received_on) {
                Ok(d) => Some(d),
                Err(e) => {
                    errors.extend(e);
                    None
                }
            },
        };
        let registers = register_slugs(obj.get("registers"), &mut errors);

        match (org, kind, subject, details) {
            (Some(org), Some(kind), Some(subject), Some(details)) if errors.is_empty() => {
                Ok(NewRequest {
                    org,
                    registers,
                    kind,
                    language,
                    channel,
                    received_on,
                    received_at,
                    subject,
                    representative,
                    details,
                })
            }
            _ => Err(errors),
        }
    }

    /// What a person must look at before anything else happens (see [`review`]).
    pub fn review_reasons(&self) -> Vec<&'static str> {
        let (subject, received_on) = (&self.subject, self.received_on);
        let mut reasons = Vec::new();
        if let Some(rep) = &self.representative {
            if rep.relationship == Relationship::Guardian && subject.is_minor_on(received_on) {
                reasons.push(review::GUARDIAN_FOR_MINOR);
            }
            if rep.relationship == Relationship::LegalRepresentative {
                reasons.push(review::LEGAL_REPRESENTATIVE_AUTHORITY);
            }
            if subject.address_protected {
                reasons.push(review::PROTECTED_SUBJECT_REPRESENTED);
            }
        }
        if subject.is_temporary_id() {
            reasons.push(review::TEMPORARY_IDENTITY_CODE);
        }
        if self.details.reaches_beyond_lookback(received_on) {
            reasons.push(review::LOG_PERIOD_BEYOND_TWO_YEARS);
        }
        reasons
    }
}

/// The register slugs a body names, each checked to be a string.
pub fn register_slugs(value: Option<&Value>, errors: &mut Vec<FieldError>) -> Vec<String> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut slugs = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(s) => slugs.push(s.to_string()),
                    None => errors.push(FieldError::new(
                        format!("registers[{i}]"),
                        FieldCode::WrongType,
                    )),
                }
            }
            slugs
        }
        Some(_) => {
            errors.push(FieldError::new("registers", FieldCode::NotAList));
            Vec::new()
        }
    }
}

fn enum_member<T>(
    v: Option<&Value>,
    field: &str,
    required: bool,
    parse: fn(&str) -> Option<T>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    match v {
        None | Some(Value::Null) => {
            if required {
                errors.push(FieldError::new(field, FieldCode::Required));
            }
            None
        }
        Some(v) => {
            let parsed = v.as_str().and_then(parse);
            if parsed.is_none() {
                errors.push(FieldError::new(field, FieldCode::InvalidChoice));
            }
            parsed
        }
    }
}

fn noon_helsinki(d: NaiveDate) -> DateTime<Utc> {
    let noon = d.and_hms_opt(12, 0, 0).unwrap_or_default();
    chrono_tz::Europe::Helsinki
        .from_local_datetime(&noon)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&noon))
}

/// The reference said on the phone: organisation prefix, year, sequence (e.g. `TK-2026-00042`).
pub fn format_reference(prefix: &str, year: i32, n: i64) -> String {
    format!("{prefix}-{year}-{n:05}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_short_and_sortable() {
        assert_eq!(format_reference("TK", 2026, 42), "TK-2026-00042");
        assert_eq!(format_reference("TK", 2026, 123456), "TK-2026-123456");
    }

    #[test]
    fn noon_in_helsinki_is_morning_in_utc() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        assert_eq!(noon_helsinki(d).format("%H:%M").to_string(), "10:00");
        let d = NaiveDate::from_ymd_opt(2026, 7, 15).unwrap();
        assert_eq!(noon_helsinki(d).format("%H:%M").to_string(), "09:00");
    }
}
