//! The requester's own view, opened with the reference and the status token.

use chrono::NaiveDate;
use serde::Serialize;
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

use super::auth::{normalise_status_code, sha256_hex};
use super::request::Request;
use super::{Context, ServiceError};
use crate::db::models::{DocumentRow, RequestRow};
use crate::db::{audit, documents as doc_db, requests as req_db};
use crate::domain::codes::ProblemCode;
use crate::domain::enums::{Awaiting, Outcome, RequestKind, RequestState};

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusOutput {
    pub reference: String,
    pub kind: RequestKind,
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
    /// Documents released to the requester and still downloadable.
    pub documents: Vec<ReleasedDocument>,
    /// Why nothing can be downloaded yet, if so: `identity_not_verified` or `under_review`.
    pub documents_withheld: Option<String>,
    /// Messages from the organisation, oldest first.
    pub messages: Vec<ClientMessage>,
}

/// A message as the client sees it: when and what, not which employee wrote it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientMessage {
    pub sent_at: chrono::DateTime<chrono::Utc>,
    pub body: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReleasedDocument {
    pub id: String,
    pub kind: String,
    pub filename: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Why the requester may not download yet; None when they may.
fn withheld(
    conn: &mut crate::db::AnyConnection,
    request: &Request,
) -> Result<Option<String>, ServiceError> {
    if request.identity.is_none() {
        return Ok(Some("identity_not_verified".into()));
    }
    if request.needs_manual_review() && !doc_db::review_cleared(conn, request.id())? {
        return Ok(Some("under_review".into()));
    }
    Ok(None)
}

fn downloadable(
    ctx: &Context,
    conn: &mut crate::db::AnyConnection,
    row: &RequestRow,
) -> Result<Vec<DocumentRow>, ServiceError> {
    let now = ctx.clock.now().naive_utc();
    Ok(doc_db::list_documents(conn, &row.id)?
        .into_iter()
        .filter(|d| d.released_at.is_some() && d.expires_at.is_some_and(|e| e > now))
        .collect())
}

fn authenticate(
    conn: &mut crate::db::AnyConnection,
    reference: &str,
    token: &str,
) -> Result<Request, ServiceError> {
    // Codes are stored in canonical form; codes issued before that were stored as given.
    let canonical = sha256_hex(&normalise_status_code(token));
    let as_given = sha256_hex(token.trim());
    let row = req_db::find_by_reference(conn, &reference.trim().to_uppercase())?;
    let matches = row
        .as_ref()
        .and_then(|r| r.status_token_hash.as_deref())
        .is_some_and(|stored| {
            bool::from(stored.as_bytes().ct_eq(canonical.as_bytes()))
                | bool::from(stored.as_bytes().ct_eq(as_given.as_bytes()))
        });
    let row = row
        .filter(|_| matches)
        .ok_or(ServiceError::NotFound("request"))?;
    Request::from_row(row)
}

/// The requester's download: checked like the status view, then recorded in the audit trail.
pub fn download(
    ctx: &Context,
    reference: &str,
    token: &str,
    doc_id: &str,
) -> Result<DocumentRow, ServiceError> {
    let mut conn = ctx.conn()?;
    let request = authenticate(&mut conn, reference, token)?;
    let row = &request.row;
    if let Some(why) = withheld(&mut conn, &request)? {
        return Err(ServiceError::Conflict {
            code: ProblemCode::DocumentsWithheld,
            detail: format!("documents cannot be downloaded yet: {why}"),
            allowed: None,
        });
    }
    let doc = downloadable(ctx, &mut conn, row)?
        .into_iter()
        .find(|d| d.id == doc_id)
        .ok_or(ServiceError::NotFound("document"))?;
    super::write_tx(&mut conn, &row.org_id, |conn| {
        audit::append(
            conn,
            audit::NewEvent {
                org_id: &row.org_id,
                request_id: Some(&row.id),
                actor_id: None,
                actor_role: "requester",
                action: "document_downloaded",
                from_state: None,
                to_state: None,
                payload: serde_json::json!({ "document_id": doc.id, "sha256": doc.sha256 }),
                occurred_at: crate::db::now(),
            },
        )?;
        Ok(())
    })?;
    Ok(doc)
}

/// Unknown reference and wrong token answer alike.
pub fn status(ctx: &Context, reference: &str, token: &str) -> Result<StatusOutput, ServiceError> {
    let mut conn = ctx.conn()?;
    let request = authenticate(&mut conn, reference, token)?;
    let row = &request.row;
    let documents_withheld = withheld(&mut conn, &request)?;
    let documents = match documents_withheld {
        Some(_) => Vec::new(),
        None => downloadable(ctx, &mut conn, row)?
            .into_iter()
            .map(|d| ReleasedDocument {
                expires_at: d.expires_at.unwrap_or_default().and_utc(),
                id: d.id,
                kind: d.kind,
                filename: d.filename,
                media_type: d.media_type,
                size: d.size,
                sha256: d.sha256,
            })
            .collect(),
    };
    let awaiting = row.awaiting;
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
        kind: row.kind,
        state: row.state,
        received_on: row.received_on,
        due_on: row.due_on,
        extended: row.extended,
        extension_reason: row.extension_reason.clone(),
        awaiting,
        awaiting_message,
        outcome: row.outcome,
        closed_on: row.closed_on,
        documents,
        documents_withheld,
        messages: super::messages::list_with(&mut conn, &row.id)?
            .into_iter()
            .map(|m| ClientMessage {
                sent_at: m.created_at,
                body: m.body,
            })
            .collect(),
    })
}
