//! Files and structured entries gathered for a request, and what is withheld of them.

use std::io::Read;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::db::models::AttachmentRow;
use crate::db::{self, blobs, documents as doc_db, requests as req_db};
use crate::domain::codes::FieldCode;
use crate::domain::enums::Role;
use crate::domain::validation::FieldError;
use crate::services::{write_tx, Context, Principal, ServiceError};

use super::{audit_event, invalid, open_request, register_by_slug, slug_of, MAX_TEXT};

/// Media types staff may attach; anything else is refused with the list.
pub const ALLOWED_MEDIA_TYPES: &[&str] = &[
    "application/pdf",
    "text/csv",
    "application/json",
    "text/plain",
    "image/png",
    "image/jpeg",
];

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentOutput {
    pub id: String,
    pub register: String,
    pub kind: String,
    pub title: String,
    pub filename: String,
    pub media_type: String,
    pub sha256: String,
    pub size: i64,
    pub withheld_ground: Option<String>,
    pub withheld_reason: Option<String>,
    pub redacted: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub created_by: String,
}

impl AttachmentOutput {
    fn of(a: &AttachmentRow, register_slug: &str) -> AttachmentOutput {
        AttachmentOutput {
            id: a.id.clone(),
            register: register_slug.to_string(),
            kind: a.kind.clone(),
            title: a.title.clone(),
            filename: a.filename.clone(),
            media_type: a.media_type.clone(),
            sha256: a.sha256.clone(),
            size: a.size,
            withheld_ground: a.withheld_ground.clone(),
            withheld_reason: a.withheld_reason.clone(),
            redacted: a.redacted,
            created_at: a.created_at.and_utc(),
            created_by: a.created_by.clone(),
        }
    }
}

/// How an attachment is described; the content comes separately (a file or a JSON entry).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentMeta {
    /// Slug of one of the request's registers.
    pub register: String,
    #[serde(default)]
    pub title: Option<String>,
    /// A legal-ground code when the item is withheld from the requester.
    #[serde(default)]
    pub withheld_ground: Option<String>,
    /// Why, in words the requester will read.
    #[serde(default)]
    pub withheld_reason: Option<String>,
    /// Parts were blacked out before it was attached.
    #[serde(default)]
    pub redacted: bool,
}

pub struct NewFile<R: Read> {
    pub filename: String,
    pub media_type: String,
    pub content: R,
}

/// Stores a gathered file or entry, streaming its content into the database.
pub fn add_attachment<R: Read>(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    meta: AttachmentMeta,
    kind: &str,
    file: NewFile<R>,
) -> Result<AttachmentOutput, ServiceError> {
    principal.require(&[Role::Staff])?;
    let mut errors = Vec::new();
    if !ALLOWED_MEDIA_TYPES.contains(&file.media_type.as_str()) {
        errors.push(
            FieldError::new("file", FieldCode::UnsupportedMediaType)
                .with_params(json!({ "allowed": ALLOWED_MEDIA_TYPES.join(", ") })),
        );
    }
    let filename = safe_filename(&file.filename);
    if filename.is_empty() {
        errors.push(FieldError::new("file", FieldCode::FilenameRequired));
    }
    check_withholding(ctx, &meta, &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let limit = u64::from(ctx.settings.documents.max_upload_mb) * 1024 * 1024;
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let request = open_request(conn, principal, request_id)?;
        let row = &request.row;
        // Withholding cites a ground the catalogue allows for this kind of request.
        if let Some(e) = meta.withheld_ground.as_deref().and_then(|code| {
            ctx.rules
                .grounds
                .check_one(code, row.kind, "withheld_ground")
        }) {
            return Err(ServiceError::Validation(vec![e]));
        }
        let registers = req_db::registers_of(conn, &row.id)?;
        let register = register_by_slug(&registers, &meta.register)?;
        let blob = blobs::store(conn, &row.org_id, file.content, limit).map_err(|e| match e {
            blobs::BlobError::TooLarge { .. } => {
                ServiceError::Validation(vec![FieldError::new("file", FieldCode::FileTooLarge)
                    .with_params(json!({ "max_mb": ctx.settings.documents.max_upload_mb }))])
            }
            other => ServiceError::Internal(other.into()),
        })?;
        let a = AttachmentRow {
            id: uuid::Uuid::now_v7().to_string(),
            org_id: row.org_id.to_string(),
            request_id: row.id.to_string(),
            register_id: register.id.clone(),
            kind: kind.to_string(),
            title: meta
                .title
                .clone()
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| filename.clone()),
            filename: filename.clone(),
            media_type: file.media_type.clone(),
            blob_id: blob.id,
            sha256: blob.sha256,
            size: blob.size,
            withheld_ground: meta.withheld_ground.clone(),
            withheld_reason: meta.withheld_reason.clone(),
            redacted: meta.redacted,
            created_at: db::now(),
            created_by: principal.user_id.to_string(),
        };
        doc_db::insert_attachment(conn, &a)?;
        audit_event(
            conn,
            principal,
            row,
            "attachment_added",
            json!({
                "attachment_id": a.id, "register": register.slug, "kind": a.kind,
                "sha256": a.sha256, "size": a.size,
                "withheld_ground": a.withheld_ground, "redacted": a.redacted,
            }),
        )?;
        Ok(AttachmentOutput::of(&a, &register.slug))
    })
}

fn check_withholding(ctx: &Context, meta: &AttachmentMeta, errors: &mut Vec<FieldError>) {
    if let Some(code) = &meta.withheld_ground {
        if ctx.rules.grounds.get(code).is_none() {
            errors.push(FieldError::new("withheld_ground", FieldCode::UnknownGround));
        }
        if meta
            .withheld_reason
            .as_deref()
            .is_none_or(|r| r.trim().is_empty())
        {
            errors.push(FieldError::new("withheld_reason", FieldCode::Required));
        }
    }
    for (field, v) in [
        ("title", &meta.title),
        ("withheld_reason", &meta.withheld_reason),
    ] {
        if v.as_ref().is_some_and(|s| s.chars().count() > MAX_TEXT) {
            errors.push(
                FieldError::new(field, FieldCode::TooLong).with_params(json!({ "max": MAX_TEXT })),
            );
        }
    }
}

/// Whether a piece of gathered material is given to the requester or withheld, and why.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithholdingInput {
    /// A legal-ground code to withhold it; null gives it to the requester.
    #[serde(default)]
    pub withheld_ground: Option<String>,
    /// Why, in words the requester will read; required when withheld.
    #[serde(default)]
    pub withheld_reason: Option<String>,
}

/// Withholds gathered material on a ground, or gives it after all, while the request is open.
/// The audit event names the ground, not the reason's text.
pub fn set_withholding(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    attachment_id: &str,
    input: WithholdingInput,
) -> Result<AttachmentOutput, ServiceError> {
    principal.require(&[Role::Staff])?;
    let tidy = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let meta = AttachmentMeta {
        withheld_ground: tidy(input.withheld_ground),
        withheld_reason: tidy(input.withheld_reason),
        ..AttachmentMeta::default()
    };
    let mut errors = Vec::new();
    check_withholding(ctx, &meta, &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    // A reason without a ground would tell the client something was withheld when it was not.
    let reason = meta
        .withheld_ground
        .as_ref()
        .and(meta.withheld_reason.clone());
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let request = open_request(conn, principal, request_id)?;
        let row = &request.row;
        if !row.is_open {
            return Err(super::closed());
        }
        if let Some(e) = meta.withheld_ground.as_deref().and_then(|code| {
            ctx.rules
                .grounds
                .check_one(code, row.kind, "withheld_ground")
        }) {
            return Err(ServiceError::Validation(vec![e]));
        }
        let changed = doc_db::set_attachment_withholding(
            conn,
            &row.id,
            attachment_id,
            meta.withheld_ground.as_deref(),
            reason.as_deref(),
        )?;
        if changed == 0 {
            return Err(ServiceError::NotFound("attachment"));
        }
        audit_event(
            conn,
            principal,
            row,
            "attachment_withholding_changed",
            json!({ "attachment_id": attachment_id, "withheld_ground": meta.withheld_ground }),
        )?;
        let registers = req_db::registers_of(conn, &row.id)?;
        let a = doc_db::list_attachments(conn, &row.id)?
            .into_iter()
            .find(|a| a.id == attachment_id)
            .ok_or(ServiceError::NotFound("attachment"))?;
        let slug = slug_of(&registers, Some(&a.register_id)).unwrap_or_default();
        Ok(AttachmentOutput::of(&a, &slug))
    })
}

/// A structured entry: a JSON object gathered from a client system.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    /// Slug of one of the request's registers.
    pub register: String,
    /// What the entry is, e.g. "Client basic data".
    pub title: String,
    #[serde(default)]
    pub withheld_ground: Option<String>,
    #[serde(default)]
    pub withheld_reason: Option<String>,
    #[serde(default)]
    pub redacted: bool,
    /// The data as the source system holds it (a JSON object).
    #[schema(value_type = Object)]
    pub data: Value,
}

pub fn add_entry(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    input: EntryInput,
) -> Result<AttachmentOutput, ServiceError> {
    if !input.data.is_object() {
        return Err(invalid("data", FieldCode::MustBeObject));
    }
    if input.title.trim().is_empty() {
        return Err(invalid("title", FieldCode::Required));
    }
    let bytes = serde_json::to_vec_pretty(&input.data).map_err(anyhow::Error::from)?;
    let slug: String = input
        .title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let meta = AttachmentMeta {
        register: input.register,
        title: Some(input.title),
        withheld_ground: input.withheld_ground,
        withheld_reason: input.withheld_reason,
        redacted: input.redacted,
    };
    add_attachment(
        ctx,
        principal,
        request_id,
        meta,
        "entry",
        NewFile {
            filename: format!("{}.json", slug.trim_matches('-')),
            media_type: "application/json".into(),
            content: &bytes[..],
        },
    )
}

/// Keeps the last path segment, without control characters; never a path.
pub fn safe_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    // Characters other systems read as drive letters, streams or wildcards become '-'.
    base.chars()
        .filter(|c| !c.is_control())
        .map(|c| {
            if matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '-'
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(200)
        .collect()
}

pub fn list_attachments(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
) -> Result<Vec<AttachmentOutput>, ServiceError> {
    principal.require(&[Role::Staff, Role::Dpo])?;
    let mut conn = ctx.conn()?;
    let request = open_request(&mut conn, principal, request_id)?;
    let row = &request.row;
    let registers = req_db::registers_of(&mut conn, &row.id)?;
    Ok(doc_db::list_attachments(&mut conn, &row.id)?
        .iter()
        .map(|a| {
            let slug = slug_of(&registers, Some(&a.register_id)).unwrap_or_default();
            AttachmentOutput::of(a, &slug)
        })
        .collect())
}
