//! What an action would do to a request (its dates, its outcome), said before staff confirm it.

use chrono::NaiveDate;

use super::queries::READERS;
use super::request::Request;
use super::{Context, Principal, ServiceError};
use crate::domain::deadline;
use crate::domain::outcome::{derive_outcome, DerivedOutcome, Undecided};

#[derive(Debug, Clone, PartialEq)]
pub struct DatePreview {
    pub due_now: NaiveDate,
    /// The due date after an extension given today; None when it can no longer be extended.
    pub due_if_extended: Option<NaiveDate>,
    /// Whether asking the client something today would stop the clock.
    pub stop_would_count: bool,
    pub grace_days: u32,
    /// What completing now would decide, from the items and the material as they stand.
    pub outcome: Result<DerivedOutcome, Undecided>,
}

pub fn dates(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    on: NaiveDate,
) -> Result<DatePreview, ServiceError> {
    principal.require(READERS)?;
    let mut conn = ctx.conn()?;
    let request = Request::load(&mut conn, &principal.org_id, request_id)?;
    let clock = request.clock();
    let facts = super::outcome::decision_facts(&mut conn, request.id())?;
    let calendar = &ctx.rules.calendar;
    let grace_days = ctx.settings.rules.clock_stop_grace_days;
    Ok(DatePreview {
        due_now: request.row.due_on,
        due_if_extended: {
            let mut extended = clock;
            extended.extend(calendar, on).ok().map(|d| d.due_on)
        },
        stop_would_count: deadline::clock_stop_counts(request.row.received_on, on, grace_days),
        grace_days,
        outcome: derive_outcome(&facts),
    })
}
