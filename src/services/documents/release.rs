//! Releasing a document already made to the requester, or holding it back with staff.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::DocumentOutput;
use crate::db::audit::{self, NewEvent};
use crate::db::documents as doc_db;
use crate::db::{self};
use crate::domain::codes::ProblemCode;
use crate::domain::enums::Role;
use crate::services::request::Request;
use crate::services::{write_tx, Context, Principal, ServiceError};

/// Whether the requester may download the document.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseInput {
    /// `true`: given to the requester (downloadable from their status page for the
    /// configured number of days from now); `false`: held back, kept with staff.
    pub released: bool,
}

/// Gives a document of the request to the requester, or holds it back. Giving needs the
/// manual review cleared when the request was flagged for one. A document already given and
/// still downloadable stays as it is; one whose download time has run out gets a new one.
pub fn set_release(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    document_id: &str,
    input: ReleaseInput,
) -> Result<DocumentOutput, ServiceError> {
    principal.require(&[Role::Staff, Role::Dpo])?;
    let store = ctx.document_store();
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let request = Request::load(conn, &principal.org_id, request_id)?;
        let row = &request.row;
        let mut doc = doc_db::find_document(conn, &principal.org_id, document_id)?
            .filter(|d| d.request_id == row.id.as_str())
            .ok_or(ServiceError::NotFound("document"))?;
        let now = store.clock.now().naive_utc();
        let downloadable = doc.released_at.is_some() && doc.expires_at.is_some_and(|e| e > now);
        let action = match (input.released, doc.released_at.is_some()) {
            (true, _) if downloadable => return Ok(DocumentOutput::from(&doc)),
            (false, false) => return Ok(DocumentOutput::from(&doc)),
            (true, _) => {
                if request.needs_manual_review() && !doc_db::review_cleared(conn, &row.id)? {
                    return Err(ServiceError::Conflict {
                        code: ProblemCode::ReviewNotCleared,
                        detail: "the request was flagged for a manual review: clear it before \
                                 releasing documents"
                            .into(),
                        allowed: None,
                    });
                }
                let expires = now + chrono::Duration::days(store.download_days.into());
                doc_db::set_document_release(conn, &doc.id, Some((now, expires)))?;
                doc.released_at = Some(now);
                doc.expires_at = Some(expires);
                "document_released"
            }
            (false, true) => {
                doc_db::set_document_release(conn, &doc.id, None)?;
                doc.released_at = None;
                doc.expires_at = None;
                "document_held_back"
            }
        };
        // The document's id and kind only, never its content.
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
                payload: json!({ "document_id": doc.id, "kind": doc.kind }),
                occurred_at: db::now(),
            },
        )?;
        Ok(DocumentOutput::from(&doc))
    })
}
