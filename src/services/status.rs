//! The requester's own view, opened with the reference and the status token.

use chrono::NaiveDate;
use serde::Serialize;
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

use super::auth::sha256_hex;
use super::{Context, ServiceError};
use crate::db::{audit, requests as req_db};
use crate::domain::enums::{Awaiting, Outcome, RequestState};

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusOutput {
    pub reference: String,
    pub kind: String,
    pub state: RequestState,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub extended: bool,
    pub extension_reason: Option<String>,
    /// What the organisation waits for from the requester, if anything.
    pub awaiting: Option<Awaiting>,
    /// The organisation's words about what is awaited.
    pub awaiting_message: Option<String>,
    pub outcome: Option<Outcome>,
    pub closed_on: Option<NaiveDate>,
}

/// Unknown reference and wrong token answer alike.
pub fn status(ctx: &Context, reference: &str, token: &str) -> Result<StatusOutput, ServiceError> {
    let mut conn = ctx.conn()?;
    let presented = sha256_hex(token);
    let row = req_db::find_by_reference(&mut conn, reference.trim())?;
    let matches = row
        .as_ref()
        .and_then(|r| r.status_token_hash.as_deref())
        .is_some_and(|stored| bool::from(stored.as_bytes().ct_eq(presented.as_bytes())));
    let Some(row) = row.filter(|_| matches) else {
        return Err(ServiceError::NotFound("request"));
    };
    let awaiting = row.awaiting.as_deref().and_then(Awaiting::parse);
    let awaiting_message = match awaiting {
        None => None,
        Some(_) => audit::list_for_request(&mut conn, &row.id)?
            .into_iter()
            .rev()
            .find(|e| e.action == "request_identity" || e.action == "request_clarification")
            .and_then(|e| serde_json::from_str::<serde_json::Value>(&e.payload).ok())
            .and_then(|p| {
                p.get("message")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            }),
    };
    Ok(StatusOutput {
        reference: row.reference.clone(),
        kind: row.kind.clone(),
        state: super::views::state_of(&row)?,
        received_on: row.received_on,
        due_on: row.due_on,
        extended: row.extended,
        extension_reason: row.extension_reason.clone(),
        awaiting,
        awaiting_message,
        outcome: row.outcome.as_deref().and_then(Outcome::parse),
        closed_on: row.closed_on,
    })
}
