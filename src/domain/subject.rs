//! The person the request is about, and whoever acts for them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::codes::FieldCode;
use super::enums::{ContactChannel, Relationship};
use super::forms::{validate_object, Forms};
use super::personal_id::{age_on, PersonalId};
use super::validation::{join, FieldError};

/// Age of majority: a guardian's request about someone younger goes to manual review.
pub const ADULT_AGE: u32 = 18;

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    pub name: String,
    pub personal_id: Option<PersonalId>,
    pub birth_date: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    pub address_protected: bool,
    /// The address an address-protected person allows on letters (yhteysosoite).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_address: Option<String>,
    pub contact_channel: ContactChannel,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Representative {
    pub name: String,
    pub relationship: Relationship,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_address: Option<String>,
}

// Written by hand so a stray `{:?}` never puts a name, code or address into a log.
impl std::fmt::Debug for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subject")
            .field("address_protected", &self.address_protected)
            .field("contact_channel", &self.contact_channel)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Representative {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Representative")
            .field("relationship", &self.relationship)
            .finish_non_exhaustive()
    }
}

impl Subject {
    /// Checks the `subject` member of a request against `forms/common.toml` and the rules
    /// for identity codes, birth dates and contact details.
    pub fn parse(
        forms: &Forms,
        value: &Value,
        today: NaiveDate,
    ) -> Result<Subject, Vec<FieldError>> {
        // Field and cross-field rules are all reported in one answer, so a person never
        // fixes every listed error only to be shown new ones; a field keeps its first error.
        let generic = validate_object(&forms.subject, value, "subject");
        if !value.is_object() {
            return Err(generic);
        }
        let mut errors = Vec::new();
        let text = |name: &str| text_member(value, name);
        let personal_id = match text("personal_id") {
            None => None,
            Some(raw) => match PersonalId::parse(&raw) {
                Ok(id) => Some(id),
                Err(e) => {
                    errors.push(FieldError::new("subject.personal_id", e.code()));
                    None
                }
            },
        };
        let birth_date = text("birth_date").and_then(|s| s.parse::<NaiveDate>().ok());
        if text("personal_id").is_none() && birth_date.is_none() {
            errors.push(FieldError::new(
                "subject.birth_date",
                FieldCode::PersonalIdOrBirthDateRequired,
            ));
        }
        if let Some(b) = birth_date {
            if b > today {
                errors.push(FieldError::new(
                    "subject.birth_date",
                    FieldCode::DateInFuture,
                ));
            }
            if personal_id.as_ref().is_some_and(|id| id.birth_date() != b) {
                errors.push(FieldError::new(
                    "subject.birth_date",
                    FieldCode::BirthDateMismatch,
                ));
            }
        }
        let email = text("email");
        let phone = text("phone");
        let postal_address = text("postal_address");
        let contact_address = text("contact_address");
        let address_protected = value
            .get("address_protected")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        check_contact(&email, &phone, "subject", &mut errors);
        let contact_channel = value
            .get("contact_channel")
            .and_then(Value::as_str)
            .and_then(ContactChannel::parse)
            .unwrap_or(ContactChannel::PickUp);
        let missing = match contact_channel {
            ContactChannel::Email => email.is_none().then_some("subject.email"),
            // Post to a protected person goes only to the contact address they allow.
            ContactChannel::Post if address_protected => contact_address
                .is_none()
                .then_some("subject.contact_address"),
            ContactChannel::Post => postal_address.is_none().then_some("subject.postal_address"),
            ContactChannel::Phone => phone.is_none().then_some("subject.phone"),
            ContactChannel::PickUp => None,
        };
        if let Some(field) = missing {
            errors.push(FieldError::new(field, FieldCode::ContactMissing));
        }
        if !generic.is_empty() || !errors.is_empty() {
            let mut all = generic;
            for e in errors {
                if !all.iter().any(|g| g.field == e.field) {
                    all.push(e);
                }
            }
            return Err(all);
        }
        Ok(Subject {
            name: text("name").unwrap_or_default(),
            personal_id,
            birth_date: birth_date.or_else(|| personal_id_birth(value)),
            email,
            phone,
            postal_address,
            address_protected,
            contact_address,
            contact_channel,
        })
    }

    pub fn is_temporary_id(&self) -> bool {
        self.personal_id
            .as_ref()
            .is_some_and(PersonalId::is_temporary)
    }

    pub fn is_minor_on(&self, on: NaiveDate) -> bool {
        self.birth_date.is_some_and(|b| age_on(b, on) < ADULT_AGE)
    }
}

fn personal_id_birth(value: &Value) -> Option<NaiveDate> {
    text_member(value, "personal_id")
        .and_then(|s| PersonalId::parse(&s).ok())
        .map(|id| id.birth_date())
}

impl Representative {
    pub fn parse(forms: &Forms, value: &Value) -> Result<Representative, Vec<FieldError>> {
        let mut errors = validate_object(&forms.representative, value, "representative");
        if !errors.is_empty() {
            return Err(errors);
        }
        let email = text_member(value, "email");
        let phone = text_member(value, "phone");
        check_contact(&email, &phone, "representative", &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Representative {
            name: text_member(value, "name").unwrap_or_default(),
            relationship: value
                .get("relationship")
                .and_then(Value::as_str)
                .and_then(Relationship::parse)
                .unwrap_or(Relationship::AuthorisedPerson),
            email,
            phone,
            postal_address: text_member(value, "postal_address"),
        })
    }
}

fn text_member(value: &Value, name: &str) -> Option<String> {
    value
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn check_contact(
    email: &Option<String>,
    phone: &Option<String>,
    prefix: &str,
    errors: &mut Vec<FieldError>,
) {
    if let Some(e) = email {
        if !validator::ValidateEmail::validate_email(e) {
            errors.push(FieldError::new(
                join(prefix, "email"),
                FieldCode::InvalidEmail,
            ));
        }
    }
    if let Some(p) = phone {
        if !is_plausible_phone(p) {
            errors.push(FieldError::new(
                join(prefix, "phone"),
                FieldCode::InvalidPhone,
            ));
        }
    }
}

/// Digits with optional leading +, spaces, dashes and brackets; 5 to 15 digits (E.164).
pub fn is_plausible_phone(s: &str) -> bool {
    let body = s.strip_prefix('+').unwrap_or(s);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    body.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')'))
        && (5..=15).contains(&digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn codes(r: Result<Subject, Vec<FieldError>>) -> Vec<(String, String)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code.to_string()))
            .collect()
    }

    #[test]
    fn a_valid_subject_with_identity_code() {
        let forms = Forms::embedded().unwrap();
        let s = Subject::parse(
            &forms,
            &json!({ "name": " Maija Meikäläinen ", "personal_id": "131052-308t",
                     "email": "maija@example.fi", "contact_channel": "email" }),
            today(),
        )
        .unwrap();
        assert_eq!(s.name, "Maija Meikäläinen");
        assert_eq!(s.personal_id.as_ref().unwrap().as_str(), "131052-308T");
        assert_eq!(s.birth_date, NaiveDate::from_ymd_opt(1952, 10, 13));
        assert!(!s.is_minor_on(today()));
    }

    #[test]
    fn identity_code_or_birth_date_is_required() {
        let forms = Forms::embedded().unwrap();
        let errors = codes(Subject::parse(
            &forms,
            &json!({ "name": "A", "contact_channel": "pick_up" }),
            today(),
        ));
        assert_eq!(
            errors,
            [(
                "subject.birth_date".into(),
                "personal_id_or_birth_date_required".into()
            )]
        );
    }

    #[test]
    fn bad_identity_code_and_missing_contact_are_reported_together() {
        let forms = Forms::embedded().unwrap();
        let errors = codes(Subject::parse(
            &forms,
            &json!({ "name": "A", "personal_id": "131052-308A", "contact_channel": "post" }),
            today(),
        ));
        assert!(errors.contains(&(
            "subject.personal_id".into(),
            "personal_id_bad_check_character".into()
        )));
        assert!(errors.contains(&("subject.postal_address".into(), "contact_missing".into())));
    }

    #[test]
    fn birth_date_must_match_the_identity_code_and_not_be_in_the_future() {
        let forms = Forms::embedded().unwrap();
        let errors = codes(Subject::parse(
            &forms,
            &json!({ "name": "A", "personal_id": "131052-308T", "birth_date": "1952-10-14",
                     "contact_channel": "pick_up" }),
            today(),
        ));
        assert_eq!(
            errors,
            [("subject.birth_date".into(), "birth_date_mismatch".into())]
        );
        let errors = codes(Subject::parse(
            &forms,
            &json!({ "name": "A", "birth_date": "2030-01-01", "contact_channel": "pick_up" }),
            today(),
        ));
        assert_eq!(
            errors,
            [("subject.birth_date".into(), "date_in_future".into())]
        );
    }

    #[test]
    fn minors_are_recognised_from_the_birth_date() {
        let forms = Forms::embedded().unwrap();
        let s = Subject::parse(
            &forms,
            &json!({ "name": "Lapsi", "personal_id": "010516B903X", "contact_channel": "pick_up" }),
            today(),
        )
        .unwrap();
        assert!(s.is_minor_on(today()));
    }

    #[test]
    fn debug_output_carries_no_personal_data() {
        let forms = Forms::embedded().unwrap();
        let s = Subject::parse(
            &forms,
            &json!({ "name": "Maija Meikäläinen", "personal_id": "131052-308T",
                     "postal_address": "Salainen tie 1", "contact_channel": "post" }),
            today(),
        )
        .unwrap();
        let printed = format!("{s:?}");
        for secret in ["Maija", "131052", "Salainen"] {
            assert!(!printed.contains(secret), "{printed}");
        }
    }

    #[test]
    fn post_to_a_protected_person_needs_their_contact_address() {
        let forms = Forms::embedded().unwrap();
        let errors = codes(Subject::parse(
            &forms,
            &json!({ "name": "A", "birth_date": "1990-01-01", "address_protected": true,
                     "postal_address": "Salainen tie 1", "contact_channel": "post" }),
            today(),
        ));
        assert_eq!(
            errors,
            [("subject.contact_address".into(), "contact_missing".into())]
        );
        let s = Subject::parse(
            &forms,
            &json!({ "name": "A", "birth_date": "1990-01-01", "address_protected": true,
                     "contact_address": "PL 10, 00101 Helsinki", "contact_channel": "post" }),
            today(),
        )
        .unwrap();
        assert_eq!(s.contact_address.as_deref(), Some("PL 10, 00101 Helsinki"));
    }

    #[test]
    fn phone_and_email_formats() {
        assert!(is_plausible_phone("+358 40 123 4567"));
        assert!(is_plausible_phone("(09) 310 1691"));
        assert!(!is_plausible_phone("call me"));
        assert!(!is_plausible_phone("12"));
        let forms = Forms::embedded().unwrap();
        let errors = codes(Subject::parse(
            &forms,
            &json!({ "name": "A", "birth_date": "1990-01-01", "email": "not-an-address",
                     "contact_channel": "email" }),
            today(),
        ));
        assert_eq!(errors, [("subject.email".into(), "invalid_email".into())]);
    }
}
