//! One request as every use case sees it: the stored row with its JSON columns parsed once
//! into types (details per kind, decision, identity check, review reasons). A value that
//! cannot be read is an error naming the request, never a silent default.

use chrono::NaiveDate;

use super::ServiceError;
use crate::db::models::RequestRow;
use crate::db::{requests as req_db, AnyConnection};
use crate::domain::clock::RequestClock;
use crate::domain::decision::{Decision, IdentityVerification};
use crate::domain::details::Details;

#[derive(Debug, Clone)]
pub struct Request {
    /// The stored columns. Its JSON columns are written from the typed fields by [`Request::save`].
    pub row: RequestRow,
    pub details: Details,
    pub decision: Option<Decision>,
    pub identity: Option<IdentityVerification>,
    pub review_reasons: Vec<String>,
}

fn corrupt(row: &RequestRow, column: &str, e: serde_json::Error) -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!(
        "request {}: stored {column} cannot be read: {e}",
        row.id
    ))
}

impl Request {
    pub fn from_row(row: RequestRow) -> Result<Request, ServiceError> {
        let details = Details::from_stored(row.kind, &row.details_json)
            .map_err(|e| corrupt(&row, "details", e))?;
        let decision = match &row.decision_json {
            None => None,
            Some(s) => Some(serde_json::from_str(s).map_err(|e| corrupt(&row, "decision", e))?),
        };
        let identity = match &row.identity_json {
            None => None,
            Some(s) => Some(
                serde_json::from_str(s).map_err(|e| corrupt(&row, "identity_verification", e))?,
            ),
        };
        let review_reasons = serde_json::from_str(&row.review_reasons_json)
            .map_err(|e| corrupt(&row, "review_reasons", e))?;
        Ok(Request {
            row,
            details,
            decision,
            identity,
            review_reasons,
        })
    }

    /// The request of `org_id` with this id, or 404.
    pub fn load(conn: &mut AnyConnection, org_id: &str, id: &str) -> Result<Request, ServiceError> {
        let row = req_db::find(conn, org_id, id)?.ok_or(ServiceError::NotFound("request"))?;
        Request::from_row(row)
    }

    /// By id alone: for jobs acting for the service, not for a caller of one organisation.
    pub fn load_any(conn: &mut AnyConnection, id: &str) -> Result<Request, ServiceError> {
        let row = req_db::find_any(conn, id)?.ok_or(ServiceError::NotFound("request"))?;
        Request::from_row(row)
    }

    /// Writes every column back, the JSON ones from the typed fields (details are fixed at
    /// receipt and stay as stored).
    pub fn save(&mut self, conn: &mut AnyConnection) -> Result<(), ServiceError> {
        self.row.decision_json = self.decision.as_ref().map(to_json).transpose()?;
        self.row.identity_json = self.identity.as_ref().map(to_json).transpose()?;
        self.row.review_reasons_json = to_json(&self.review_reasons)?;
        req_db::update(conn, &self.row)?;
        Ok(())
    }

    pub fn id(&self) -> &str {
        &self.row.id
    }

    /// The legal clock as stored.
    pub fn clock(&self) -> RequestClock {
        RequestClock {
            received_on: self.row.received_on,
            paused_days: self.row.paused_days.max(0) as u32,
            paused_since: self.row.paused_since,
            pause_counts: self.row.pause_counts,
            extended: self.row.extended,
        }
    }

    /// Stores a changed clock and the dates it gives.
    pub fn set_clock(
        &mut self,
        clock: &RequestClock,
        calendar: &crate::domain::calendar::Calendar,
    ) {
        let dates = clock.deadlines(calendar);
        self.row.paused_days = i32::try_from(clock.paused_days).unwrap_or(i32::MAX);
        self.row.paused_since = clock.paused_since;
        self.row.pause_counts = clock.pause_counts;
        self.row.extended = clock.extended;
        self.row.target_on = dates.target_on;
        self.row.due_on = dates.due_on;
    }

    /// The period a log-data request asks about (always stored with the request: the form
    /// requires both dates, and more than two years back needs a stated reason).
    pub fn log_period(&self) -> Option<(NaiveDate, NaiveDate)> {
        match &self.details {
            Details::LogInspection(l) => Some((l.period_from, l.period_to)),
            _ => None,
        }
    }

    pub fn needs_manual_review(&self) -> bool {
        !self.review_reasons.is_empty()
    }

    /// Open, past its due date and not waiting on a stopped clock.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.row.is_open && self.row.due_on < today && !self.row.pause_counts
    }
}

pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ServiceError> {
    serde_json::to_string(value).map_err(|e| ServiceError::Internal(e.into()))
}
