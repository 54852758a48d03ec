//! A new status code for a client who lost theirs: the old one stops working at once. The
//! code is shown to staff once, to hand over; only its hash is kept, and the audit trail
//! records that a code was issued, never the code.

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::auth::{normalise_status_code, sha256_hex, status_code};
use super::request::Request;
use super::{write_tx, Context, Principal, ServiceError};
use crate::db::audit::{self, NewEvent};
use crate::db::{self};
use crate::domain::enums::Role;

#[derive(Debug, Serialize, ToSchema)]
pub struct NewStatusCode {
    pub reference: String,
    /// Shown this once; the old code no longer opens the status page.
    pub status_code: String,
}

pub fn reissue(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
) -> Result<NewStatusCode, ServiceError> {
    principal.require(&[Role::Staff])?;
    let code = status_code();
    let mut conn = ctx.conn()?;
    let reference = write_tx(&mut conn, &principal.org_id, |conn| {
        let mut request = Request::load(conn, &principal.org_id, request_id)?;
        request.row.status_token_hash = Some(sha256_hex(&normalise_status_code(&code)));
        request.row.updated_at = db::now();
        request.save(conn)?;
        audit::append(
            conn,
            NewEvent {
                org_id: &principal.org_id,
                request_id: Some(request.id()),
                actor_id: Some(&principal.user_id),
                actor_role: principal.role.as_str(),
                action: "status_code_reissued",
                from_state: None,
                to_state: None,
                payload: json!({}),
                occurred_at: db::now(),
            },
        )?;
        Ok(request.row.reference.clone())
    })?;
    Ok(NewStatusCode {
        reference,
        status_code: code,
    })
}
