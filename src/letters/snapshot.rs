//! A letter is a record of one moment: what it states about the request (its dates, the
//! rule that sets the due date, whether the clock stopped, how the client can follow the
//! request) is taken in the transaction of the action that calls for the letter, and kept
//! with the letter job and the stored document. Rendering later, or again, reads the
//! snapshot, never the request as it is by then.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::db::models::{OrganisationRow, RequestRow, UserRow};
use crate::domain::appeal::{AppealRoute, ContactPerson};
use crate::domain::authorities::Authorities;
use crate::domain::enums::{Awaiting, Channel, RequestState};
use crate::domain::texts::Texts;
use crate::services::profile::OrganisationProfile;

/// How the client gets the status code that opens the status page. The code itself is never
/// in a letter: only its hash is kept, a queued job or a stored PDF holding it would be a
/// second copy at rest, and a posted letter can be opened by others (shelters, protected
/// addresses). The letter says how the client got it, or how to ask for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusCodeRoute {
    /// Sent on the web form: the code was on the page that confirmed the request.
    Receipt,
    /// Entered by staff while the client was there or on the phone: staff were shown the code
    /// to hand over.
    HandedOver,
    /// Entered by staff from a letter or an e-mail: the client got no code, and asks for one.
    AskUs,
}

impl StatusCodeRoute {
    pub fn for_channel(channel: Channel) -> StatusCodeRoute {
        match channel {
            Channel::Web => StatusCodeRoute::Receipt,
            Channel::InPerson | Channel::Phone => StatusCodeRoute::HandedOver,
            Channel::Letter | Channel::Email => StatusCodeRoute::AskUs,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StatusCodeRoute::Receipt => "receipt",
            StatusCodeRoute::HandedOver => "handed_over",
            StatusCodeRoute::AskUs => "ask_us",
        }
    }
}

/// The facts a letter states, as they were when the action that called for it took effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterSnapshot {
    /// The date the letter bears: the day the action took effect (its `on`), which a
    /// backdated action sets in the past.
    pub dated_on: NaiveDate,
    /// The day the action was recorded; later than `dated_on` for a backdated action.
    pub recorded_on: NaiveDate,
    /// The day the request was entered, in its acknowledgement's snapshot only: a request
    /// keyed in after the day it reached us says both days.
    #[serde(default)]
    pub entered_on: Option<NaiveDate>,
    pub state: RequestState,
    pub awaiting: Option<Awaiting>,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    /// The due date under the one-month rule (paused days included, no extension).
    pub one_month_due_on: NaiveDate,
    pub extended: bool,
    pub extended_on: Option<NaiveDate>,
    pub extension_reason: Option<String>,
    /// The request is waiting on the client and the wait stops the clock (asked within the
    /// grace period). Waiting without this means the due date keeps running.
    pub clock_stopped: bool,
    pub status_code: StatusCodeRoute,
    /// Who decided, who answers questions and how the decision is challenged, as they were
    /// when the decision was made (letters of a decided request only; `None` in older
    /// snapshots, which then read the organisation's present data).
    #[serde(default)]
    pub decision: Option<DecisionFacts>,
}

/// What a decision letter says about the people behind it and the way to challenge it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionFacts {
    /// The decider's name and title, printed with "approved electronically".
    pub decider_name: Option<String>,
    pub decider_title: Option<String>,
    /// Who answers questions about the decision (Administrative Procedure Act § 44 asks a
    /// public authority for this; every organisation's letters name one).
    pub contact: Option<ContactPerson>,
    /// A public authority's appeal instructions; `None` for a private controller.
    pub appeal: Option<AppealFacts>,
}

/// The facts of appeal instructions, resolved from the organisation's data and
/// `letters/authorities.toml` at the decision's moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppealFacts {
    pub route: AppealRoute,
    /// The time limit in days from notification.
    pub days: u32,
    pub letter_deemed_received_day: u32,
    pub electronic_deemed_received_day: u32,
    /// Where the request for review or the appeal is sent.
    pub to: AppealRecipient,
    /// The courts' electronic service (appeals only).
    pub e_service: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppealRecipient {
    pub name: Texts,
    pub postal_address: Texts,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub phone_international: Option<String>,
    pub opening_hours: Option<String>,
}

impl DecisionFacts {
    /// The facts from the organisation's data as it is now and the user who decided.
    pub fn resolve(
        org: &OrganisationRow,
        decider: Option<&UserRow>,
        authorities: &Authorities,
    ) -> DecisionFacts {
        let profile = OrganisationProfile::of(org);
        let settings = profile.appeal_settings();
        // The contact person: the organisation's, else the decider; work phone and e-mail
        // (the organisation's where the contact has none of their own), never the client's.
        let contact = settings
            .contact
            .clone()
            .or_else(|| {
                decider.map(|u| ContactPerson {
                    name: u.name.clone(),
                    title: u.title.clone(),
                    phone: None,
                    email: None,
                })
            })
            .map(|c| ContactPerson {
                phone: c.phone.or_else(|| profile.phone.clone()),
                email: c.email.or_else(|| profile.email.clone()),
                ..c
            });
        let same = |s: &str| Texts {
            fi: s.to_string(),
            sv: s.to_string(),
            en: s.to_string(),
        };
        let appeal = profile.public_authority.then(|| {
            let route = settings.route();
            let court = settings.court.as_deref().and_then(|c| authorities.court(c));
            let to = match (route, court) {
                (AppealRoute::Court, Some(c)) => AppealRecipient {
                    name: c.name.clone(),
                    postal_address: c.postal_address.clone(),
                    email: Some(c.email.clone()),
                    phone: Some(c.phone.clone()),
                    phone_international: Some(c.phone_international.clone()),
                    opening_hours: None,
                },
                _ => match &settings.review_body {
                    Some(b) => AppealRecipient {
                        name: same(&b.name),
                        postal_address: same(&b.postal_address),
                        email: b.email.clone(),
                        phone: b.phone.clone(),
                        phone_international: None,
                        opening_hours: b.opening_hours.clone(),
                    },
                    None => AppealRecipient {
                        name: same(&org.name),
                        postal_address: same(
                            &profile
                                .postal_address
                                .as_deref()
                                .unwrap_or_default()
                                .replace('\n', ", "),
                        ),
                        email: profile.email.clone(),
                        phone: profile.phone.clone(),
                        phone_international: None,
                        opening_hours: None,
                    },
                },
            };
            // A court route without a court cannot be saved; should one be stored anyway,
            // the instructions send a request for review to the organisation instead.
            let route = if court.is_none() {
                AppealRoute::Review
            } else {
                route
            };
            AppealFacts {
                route,
                // The organisation's own time limit for its route, else the law's.
                days: if route == settings.route() {
                    settings.days(authorities)
                } else {
                    authorities.appeal.review_days
                },
                letter_deemed_received_day: authorities.appeal.letter_deemed_received_day,
                electronic_deemed_received_day: authorities.appeal.electronic_deemed_received_day,
                e_service: (route == AppealRoute::Court)
                    .then(|| authorities.appeal.court_e_service.clone()),
                to,
            }
        });
        DecisionFacts {
            decider_name: decider.map(|u| u.name.clone()),
            decider_title: decider.and_then(|u| u.title.clone()),
            contact,
            appeal,
        }
    }
}

impl LetterSnapshot {
    /// The request as it is now, after the change. `one_month_due_on` is the due date without
    /// the extension, which only the calendar gives.
    pub fn of(
        row: &RequestRow,
        one_month_due_on: NaiveDate,
        dated_on: NaiveDate,
        recorded_on: NaiveDate,
    ) -> LetterSnapshot {
        LetterSnapshot {
            dated_on,
            recorded_on,
            entered_on: None,
            state: row.state,
            awaiting: row.awaiting,
            received_on: row.received_on,
            due_on: row.due_on,
            one_month_due_on,
            extended: row.extended,
            extended_on: row.extended_on,
            extension_reason: row.extension_reason.clone(),
            clock_stopped: row.awaiting.is_some() && row.paused_since.is_some() && row.pause_counts,
            status_code: StatusCodeRoute::for_channel(row.channel),
            decision: None,
        }
    }

    pub fn to_json(&self) -> String {
        // A struct of dates, flags and strings always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A stored snapshot; `None` for one that cannot be read (then the caller falls back to
    /// the request as it is).
    pub fn from_json(text: &str) -> Option<LetterSnapshot> {
        serde_json::from_str(text).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_code_route_follows_how_the_request_came() {
        use StatusCodeRoute::*;
        for (channel, route) in [
            (Channel::Web, Receipt),
            (Channel::InPerson, HandedOver),
            (Channel::Phone, HandedOver),
            (Channel::Letter, AskUs),
            (Channel::Email, AskUs),
        ] {
            assert_eq!(StatusCodeRoute::for_channel(channel), route, "{channel}");
        }
    }

    #[test]
    fn a_snapshot_reads_back_as_written_and_junk_is_none() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let s = LetterSnapshot {
            dated_on: d("2026-11-20"),
            recorded_on: d("2026-11-23"),
            entered_on: Some(d("2026-11-23")),
            state: RequestState::AwaitingRequester,
            awaiting: Some(Awaiting::Identity),
            received_on: d("2026-11-16"),
            due_on: d("2026-12-16"),
            one_month_due_on: d("2026-12-16"),
            extended: false,
            extended_on: None,
            extension_reason: None,
            clock_stopped: true,
            status_code: StatusCodeRoute::AskUs,
            decision: None,
        };
        assert_eq!(LetterSnapshot::from_json(&s.to_json()), Some(s));
        assert_eq!(LetterSnapshot::from_json("{\"dated_on\":1}"), None);
    }
}
