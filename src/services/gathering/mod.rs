//! What staff gather and decide for a request: attachments (files and structured entries),
//! item decisions of rectification/erasure/restriction, the recipients told of a change
//! (Art 19), and the clearing of a manual review. One file per resource; what they share
//! (finding the request, its audit event, register slugs) is here.

mod attachments;
mod items;
mod recipients;
mod review;

pub use attachments::*;
pub use items::*;
pub use recipients::*;
pub use review::*;

use serde_json::Value;

use crate::db::audit::{self, NewEvent};
use crate::db::models::{RegisterRow, RequestRow};
use crate::db::{self, AnyConnection};
use crate::domain::codes::{FieldCode, ProblemCode};
use crate::domain::validation::FieldError;
use crate::services::request::Request;
use crate::services::{Principal, ServiceError};

pub(super) const MAX_TEXT: usize = 4000;

pub(super) fn audit_event(
    conn: &mut AnyConnection,
    principal: &Principal,
    row: &RequestRow,
    action: &'static str,
    payload: Value,
) -> Result<(), ServiceError> {
    audit::append(
        conn,
        NewEvent {
            org_id: &row.org_id,
            request_id: Some(&row.id),
            actor_id: Some(&principal.user_id),
            actor_role: principal.role.as_str(),
            action,
            from_state: None,
            to_state: None,
            payload,
            occurred_at: db::now(),
        },
    )?;
    Ok(())
}

pub(super) fn open_request(
    conn: &mut AnyConnection,
    principal: &Principal,
    id: &str,
) -> Result<Request, ServiceError> {
    Request::load(conn, &principal.org_id, id)
}

pub(super) fn invalid(field: &str, code: FieldCode) -> ServiceError {
    ServiceError::Validation(vec![FieldError::new(field, code)])
}

/// One of the request's registers by the slug the caller gave.
pub(super) fn register_by_slug<'a>(
    registers: &'a [RegisterRow],
    slug: &str,
) -> Result<&'a RegisterRow, ServiceError> {
    registers
        .iter()
        .find(|r| r.slug == slug)
        .ok_or_else(|| invalid("register", FieldCode::UnknownRegister))
}

/// The slug of a stored register id, for output.
pub(super) fn slug_of(registers: &[RegisterRow], id: Option<&str>) -> Option<String> {
    id.and_then(|id| registers.iter().find(|r| r.id == id))
        .map(|r| r.slug.clone())
}

pub(crate) fn closed() -> ServiceError {
    ServiceError::Conflict {
        code: ProblemCode::RequestClosed,
        detail: "the request is closed".into(),
        allowed: None,
    }
}
