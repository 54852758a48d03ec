//! The printable receipt of a request entered by staff: the reference and the status code,
//! for a client who wrote a letter, phoned or came in and so never saw the code.
//!
//! The service keeps only the code's hash, so the receipt is made from the code staff were
//! just shown, checked against that hash, and is handed out, never stored: a stored copy
//! would keep the code in clear.

use serde_json::json;
use subtle::ConstantTimeEq;

use super::auth::{normalise_status_code, sha256_hex};
use super::request::Request;
use super::{write_tx, Context, Principal, ServiceError};
use crate::db::audit::{self, NewEvent};
use crate::db::models::{OrganisationRow, RequestRow};
use crate::db::{self, orgs};
use crate::domain::enums::Role;

/// What a receipt states.
pub struct ReceiptFacts {
    pub request: RequestRow,
    pub org: OrganisationRow,
    /// The code as staff were shown it.
    pub status_code: String,
}

/// Checks the code against the request's and records that a receipt was handed out (not the
/// code). A code that does not match (e.g. replaced since) is answered as not found.
pub fn receipt(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    status_code: &str,
) -> Result<ReceiptFacts, ServiceError> {
    principal.require(&[Role::Staff])?;
    let mut conn = ctx.conn()?;
    let request = Request::load(&mut conn, &principal.org_id, request_id)?;
    let row = request.row;
    let code = normalise_status_code(status_code);
    let matches = row
        .status_token_hash
        .as_deref()
        .is_some_and(|stored| bool::from(stored.as_bytes().ct_eq(sha256_hex(&code).as_bytes())));
    if !matches {
        return Err(ServiceError::NotFound("status code"));
    }
    let org = orgs::find_organisation(&mut conn, &row.org_id)?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        audit::append(
            conn,
            NewEvent {
                org_id: &row.org_id,
                request_id: Some(&row.id),
                actor_id: Some(&principal.user_id),
                actor_role: principal.role.as_str(),
                action: "receipt_printed",
                from_state: None,
                to_state: None,
                payload: json!({}),
                occurred_at: db::now(),
            },
        )?;
        Ok(())
    })?;
    Ok(ReceiptFacts {
        request: row,
        org,
        status_code: status_code.trim().to_string(),
    })
}
