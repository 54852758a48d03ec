//! How a public authority's decision is challenged, as the organisation's data says: a request
//! for review to the organisation itself (oikaisuvaatimus, Administrative Procedure Act
//! 434/2003 §§ 49 a-49 g; the usual route for officials' decisions in municipalities and
//! wellbeing counties) or an appeal to the administrative court (valitus). And who answers
//! questions about a decision (§ 44).

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::authorities::Authorities;
use super::codes::FieldCode;
use super::validation::FieldError;

super::text_enum!(
    /// The first remedy against a decision: `review`, a request for review (oikaisuvaatimus)
    /// to the organisation's review body; `court`, an appeal (valitus) to the competent
    /// administrative court.
    AppealRoute {
        Review => "review",
        Court => "court",
    }
);

/// A public authority's appeal data (`PATCH /api/v1/organisation` `appeal`). Every field may
/// be left out: the defaults are a request for review to the organisation itself, at its own
/// address, within the time limit of `letters/authorities.toml`, and the decider as contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealSettings {
    /// `review` (oikaisuvaatimus, the default) or `court` (valitus to the administrative court).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<AppealRoute>,
    /// Where a request for review is sent; left out: the organisation, at its letterhead address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_body: Option<ReviewBody>,
    /// The competent administrative court's code in `letters/authorities.toml` (`helsinki`,
    /// `hameenlinna`, `ita_suomi`, `pohjois_suomi`, `turku`, `vaasa`); needed for `court`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub court: Option<String>,
    /// Own time limit in days (e.g. 14 under the Local Government Act 410/2015 § 134);
    /// left out: the one in `letters/authorities.toml` for the route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// Named on every decision for further information; left out: the person who decided,
    /// with the organisation's phone and e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactPerson>,
}

/// The body a request for review is addressed to, e.g. a wellbeing county's board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    pub name: String,
    pub postal_address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The registry office's opening hours, e.g. "ma-pe klo 9-15".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening_hours: Option<String>,
}

/// The person who answers questions about a decision. Staff of the organisation, never the
/// client: phone and e-mail are work contacts (else the organisation's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPerson {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

const MAX: usize = 500;

impl AppealSettings {
    pub fn route(&self) -> AppealRoute {
        self.route.unwrap_or(AppealRoute::Review)
    }

    /// The time limit in days for this organisation's route.
    pub fn days(&self, authorities: &Authorities) -> u32 {
        self.days.unwrap_or(match self.route() {
            AppealRoute::Review => authorities.appeal.review_days,
            AppealRoute::Court => authorities.appeal.court_days,
        })
    }

    pub fn check(&self, authorities: &Authorities, errors: &mut Vec<FieldError>) {
        let too_long = |field: &str, v: &str, errors: &mut Vec<FieldError>| {
            if v.chars().count() > MAX {
                errors.push(
                    FieldError::new(field, FieldCode::TooLong).with_params(json!({ "max": MAX })),
                );
            }
        };
        let required = |field: &str, v: &str, errors: &mut Vec<FieldError>| {
            if v.trim().is_empty() {
                errors.push(FieldError::new(field, FieldCode::Required));
            }
        };
        let email = |field: &str, v: &Option<String>, errors: &mut Vec<FieldError>| {
            if v.as_ref()
                .is_some_and(|e| !validator::ValidateEmail::validate_email(e))
            {
                errors.push(FieldError::new(field, FieldCode::InvalidEmail));
            }
        };
        match &self.court {
            Some(code) if authorities.court(code).is_none() => errors.push(
                FieldError::new("appeal.court", FieldCode::InvalidChoice).with_params(json!({
                    "choices": authorities.administrative_courts.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(),
                })),
            ),
            None if self.route() == AppealRoute::Court => {
                errors.push(FieldError::new("appeal.court", FieldCode::Required))
            }
            _ => {}
        }
        if self.days.is_some_and(|d| d == 0 || d > 90) {
            errors.push(
                FieldError::new("appeal.days", FieldCode::OutOfRange)
                    .with_params(json!({ "min": 1, "max": 90 })),
            );
        }
        if let Some(b) = &self.review_body {
            required("appeal.review_body.name", &b.name, errors);
            required(
                "appeal.review_body.postal_address",
                &b.postal_address,
                errors,
            );
            for (field, v) in [
                ("appeal.review_body.name", Some(&b.name)),
                ("appeal.review_body.postal_address", Some(&b.postal_address)),
                ("appeal.review_body.email", b.email.as_ref()),
                ("appeal.review_body.phone", b.phone.as_ref()),
                ("appeal.review_body.opening_hours", b.opening_hours.as_ref()),
            ] {
                too_long(field, v.map(String::as_str).unwrap_or_default(), errors);
            }
            email("appeal.review_body.email", &b.email, errors);
        }
        if let Some(c) = &self.contact {
            required("appeal.contact.name", &c.name, errors);
            for (field, v) in [
                ("appeal.contact.name", Some(&c.name)),
                ("appeal.contact.title", c.title.as_ref()),
                ("appeal.contact.phone", c.phone.as_ref()),
                ("appeal.contact.email", c.email.as_ref()),
            ] {
                too_long(field, v.map(String::as_str).unwrap_or_default(), errors);
            }
            email("appeal.contact.email", &c.email, errors);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(s: &AppealSettings) -> Vec<String> {
        let mut errors = Vec::new();
        s.check(&Authorities::embedded().unwrap(), &mut errors);
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn the_default_is_a_request_for_review_within_the_time_limit_of_the_data() {
        let a = Authorities::embedded().unwrap();
        let s = AppealSettings::default();
        assert_eq!(s.route(), AppealRoute::Review);
        assert_eq!(s.days(&a), a.appeal.review_days);
        assert!(fields(&s).is_empty());
        let own = AppealSettings {
            days: Some(14),
            ..s
        };
        assert_eq!(own.days(&a), 14);
    }

    #[test]
    fn an_appeal_to_court_needs_a_known_court() {
        let court = |code: Option<&str>| AppealSettings {
            route: Some(AppealRoute::Court),
            court: code.map(str::to_string),
            ..Default::default()
        };
        assert_eq!(fields(&court(None)), ["appeal.court"]);
        assert_eq!(fields(&court(Some("tampere"))), ["appeal.court"]);
        assert!(fields(&court(Some("vaasa"))).is_empty());
        let bad = AppealSettings {
            days: Some(0),
            contact: Some(ContactPerson {
                name: " ".into(),
                title: None,
                phone: None,
                email: Some("not an address".into()),
            }),
            ..Default::default()
        };
        assert_eq!(
            fields(&bad),
            ["appeal.days", "appeal.contact.name", "appeal.contact.email"]
        );
    }
}
