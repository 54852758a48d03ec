//! Correcting a closed request: the DPO reopens it when its answer was wrong. The deadline
//! facts (receipt, clock stops, extension) stay as they were; the old decision stays on
//! record in the audit trail and its letters stay stored; the next answer supersedes it.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::request::Request;
use super::views::RequestOutput;
use super::{write_tx, Context, Principal, ServiceError};
use crate::db;
use crate::db::audit::{self, NewEvent};
use crate::domain::codes::{FieldCode, ProblemCode};
use crate::domain::enums::{RequestState, Role};
use crate::domain::validation::FieldError;

/// A reason must say what was wrong, not only that something was.
pub const MIN_REOPEN_REASON: usize = 20;
const MAX_REASON: usize = 4000;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenInput {
    /// What was wrong with the answer given (at least 20 characters); kept in the audit trail.
    pub reason: String,
}

pub fn reopen(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    input: ReopenInput,
) -> Result<RequestOutput, ServiceError> {
    principal.require(&[Role::Dpo])?;
    let reason = input.reason.trim().to_string();
    let length = reason.chars().count();
    if length < MIN_REOPEN_REASON {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "reason",
            FieldCode::TooShort,
        )
        .with_params(json!({ "min": MIN_REOPEN_REASON }))]));
    }
    if length > MAX_REASON {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "reason",
            FieldCode::TooLong,
        )
        .with_params(json!({ "max": MAX_REASON }))]));
    }
    let mut conn = ctx.conn()?;
    let request = write_tx(&mut conn, &principal.org_id, |conn| {
        let mut request = Request::load(conn, &principal.org_id, request_id)?;
        let from = request.row.state;
        // A withdrawal is the requester's own act, not an answer that can be wrong.
        if !matches!(from, RequestState::Completed | RequestState::Refused) {
            return Err(ServiceError::Conflict {
                code: ProblemCode::NotReopenable,
                detail: format!(
                    "only a completed or refused request can be reopened; this one is {from}"
                ),
                allowed: None,
            });
        }
        // The decision as it was, for the record; its letters stay stored as they were sent.
        let previous = request.decision.take();
        let payload = json!({
            "reason": reason,
            "previous_outcome": request.row.outcome,
            "previous_closed_on": request.row.closed_on,
            "previous_decision": previous.as_ref().map(|d| json!({
                "outcome": d.outcome,
                "grounds": d.grounds,
                "decided_by": d.decided_by,
                "decided_on": d.decided_on,
            })),
        });
        request.row.state = RequestState::InProgress;
        request.row.is_open = true;
        request.row.outcome = None;
        request.row.closed_on = None;
        request.row.updated_at = db::now();
        request.save(conn)?;
        audit::append(
            conn,
            NewEvent {
                org_id: &principal.org_id,
                request_id: Some(&request.row.id),
                actor_id: Some(&principal.user_id),
                actor_role: principal.role.as_str(),
                action: "reopened",
                from_state: Some(from.as_str()),
                to_state: Some(RequestState::InProgress.as_str()),
                payload,
                occurred_at: db::now(),
            },
        )?;
        Ok(request)
    })?;
    super::queries::full_view(ctx, &mut conn, principal, &request)
}
