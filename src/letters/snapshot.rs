//! A letter is a record of one moment: what it states about the request (its dates, the
//! rule that sets the due date, whether the clock stopped, how the client can follow the
//! request) is taken in the transaction of the action that calls for the letter, and kept
//! with the letter job and the stored document. Rendering later, or again, reads the
//! snapshot, never the request as it is by then.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::db::models::RequestRow;
use crate::domain::enums::{Awaiting, Channel, RequestState};

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
        };
        assert_eq!(LetterSnapshot::from_json(&s.to_json()), Some(s));
        assert_eq!(LetterSnapshot::from_json("{\"dated_on\":1}"), None);
    }
}
