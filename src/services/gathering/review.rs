//! Clearing the manual review a request was flagged for.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::db::documents as doc_db;
use crate::domain::codes::{FieldCode, ProblemCode};
use crate::domain::enums::Role;
use crate::domain::validation::FieldError;
use crate::services::{write_tx, Context, Principal, ServiceError};

use super::{audit_event, open_request};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewClearance {
    /// What staff checked (e.g. that the guardian may act for the child).
    pub note: String,
}

/// Clears the manual review, after which documents may be released to a representative.
pub fn clear_review(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    input: ReviewClearance,
) -> Result<(), ServiceError> {
    principal.require(&[Role::Staff])?;
    let note = input.note.trim().to_string();
    if note.chars().count() < 10 {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "note",
            FieldCode::TooShort,
        )
        .with_params(json!({ "min": 10 }))]));
    }
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let request = open_request(conn, principal, request_id)?;
        let row = &request.row;
        if !request.needs_manual_review() {
            return Err(ServiceError::Conflict {
                code: ProblemCode::NoReviewNeeded,
                detail: "the request is not flagged for manual review".into(),
                allowed: None,
            });
        }
        if doc_db::review_cleared(conn, &row.id)? {
            return Err(ServiceError::Conflict {
                code: ProblemCode::ReviewAlreadyCleared,
                detail: "the review was already cleared".into(),
                allowed: None,
            });
        }
        doc_db::clear_review(conn, &row.id, &principal.user_id, &note)?;
        audit_event(conn, principal, row, "review_cleared", json!({}))
    })
}
