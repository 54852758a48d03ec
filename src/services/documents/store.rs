//! Storing a document of a request, with its hash in the audit trail.

use serde_json::json;

use crate::db::audit::{self, NewEvent};
use crate::db::models::{DocumentRow, RequestRow};
use crate::db::{self, blobs, documents as doc_db, AnyConnection};
use crate::domain::enums::Language;
use crate::services::{Clock, Context, Principal, ServiceError};

/// A document about to be stored for a request.
pub struct NewDocument<'a> {
    /// A letter kind, or another document's kind (`log_report_csv`, `export_bundle` ...).
    pub kind: &'a str,
    pub language: Language,
    pub filename: &'a str,
    pub media_type: &'a str,
    /// Who made it; `None` when the service did on its own.
    pub actor: Option<&'a Principal>,
    pub release: Release,
    /// A letter's snapshot (JSON) as it was rendered from; `None` for other documents.
    pub snapshot: Option<&'a str>,
}

/// Whether the requester may download a document from the status page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    ToRequester,
    StaffOnly,
}

/// What storing a document needs: the time it is made, and how long a released one stays
/// downloadable.
#[derive(Clone, Copy)]
pub struct DocumentStore<'a> {
    pub clock: &'a dyn Clock,
    pub download_days: u32,
}

impl Context {
    pub fn document_store(&self) -> DocumentStore<'_> {
        DocumentStore {
            clock: self.clock.as_ref(),
            download_days: self.settings.documents.download_days,
        }
    }
}

/// Stores bytes as a document of the request, with an audit event carrying its hash.
pub fn store_document(
    store: DocumentStore<'_>,
    conn: &mut AnyConnection,
    row: &RequestRow,
    new: &NewDocument<'_>,
    bytes: &[u8],
) -> Result<DocumentRow, ServiceError> {
    let blob = blobs::store_bytes(conn, &row.org_id, bytes).map_err(anyhow::Error::from)?;
    record_document(store, conn, row, new, blob)
}

/// Records a blob already stored (e.g. streamed) as a document of the request.
pub fn record_document(
    store: DocumentStore<'_>,
    conn: &mut AnyConnection,
    row: &RequestRow,
    new: &NewDocument<'_>,
    blob: blobs::StoredBlob,
) -> Result<DocumentRow, ServiceError> {
    let now = store.clock.now().naive_utc();
    let expires = now + chrono::Duration::days(store.download_days.into());
    let release = new.release == Release::ToRequester;
    let actor = new.actor;
    let doc = DocumentRow {
        id: uuid::Uuid::now_v7().to_string(),
        org_id: row.org_id.to_string(),
        request_id: row.id.to_string(),
        kind: new.kind.to_string(),
        language: new.language.as_str().to_string(),
        filename: new.filename.to_string(),
        media_type: new.media_type.to_string(),
        blob_id: blob.id,
        sha256: blob.sha256,
        size: blob.size,
        created_at: now,
        created_by: actor.map(|p| p.user_id.to_string()),
        released_at: release.then_some(now),
        expires_at: release.then_some(expires),
        snapshot: new.snapshot.map(str::to_string),
    };
    doc_db::insert_document(conn, &doc)?;
    audit::append(
        conn,
        NewEvent {
            org_id: &row.org_id,
            request_id: Some(&row.id),
            actor_id: actor.map(|p| p.user_id.as_str()),
            actor_role: actor.map_or("system", |p| p.role.as_str()),
            action: "document_created",
            from_state: None,
            to_state: None,
            payload: json!({
                "document_id": doc.id,
                "kind": doc.kind,
                "language": doc.language,
                "sha256": doc.sha256,
                "size": doc.size,
                "released": release,
            }),
            occurred_at: db::now(),
        },
    )?;
    Ok(doc)
}
