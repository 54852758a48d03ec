//! What staff gather and decide for a request: attachments (files and structured entries),
//! item decisions of rectification/erasure/restriction, the recipients told of a change
//! (Art 19), and the clearing of a manual review.

use std::io::Read;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::profile::RegisterInfo;
use super::{write_tx, Context, Principal, ServiceError};
use crate::db::audit::{self, NewEvent};
use crate::db::models::{AttachmentRow, ItemRow, RecipientRow, RegisterRow, RequestRow};
use crate::db::{self, blobs, documents as doc_db, orgs, requests as req_db, AnyConnection};
use crate::domain::enums::{RequestKind, Role};
use crate::domain::retention::RetentionVerdict;
use crate::domain::validation::FieldError;

const MAX_TEXT: usize = 4000;
/// Media types staff may attach; anything else is refused with the list.
pub const ALLOWED_MEDIA_TYPES: &[&str] = &[
    "application/pdf",
    "text/csv",
    "application/json",
    "text/plain",
    "image/png",
    "image/jpeg",
];

fn audit_event(
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

fn open_request(
    conn: &mut AnyConnection,
    principal: &Principal,
    id: &str,
) -> Result<RequestRow, ServiceError> {
    req_db::find(conn, &principal.org_id, id)?.ok_or(ServiceError::NotFound("request"))
}

fn invalid(field: &str, code: &str) -> ServiceError {
    ServiceError::Validation(vec![FieldError::new(field, code)])
}

/// One of the request's registers by the slug the caller gave.
fn register_by_slug<'a>(
    registers: &'a [RegisterRow],
    slug: &str,
) -> Result<&'a RegisterRow, ServiceError> {
    registers
        .iter()
        .find(|r| r.slug == slug)
        .ok_or_else(|| invalid("register", "unknown_register"))
}

/// The slug of a stored register id, for output.
fn slug_of(registers: &[RegisterRow], id: Option<&str>) -> Option<String> {
    id.and_then(|id| registers.iter().find(|r| r.id == id))
        .map(|r| r.slug.clone())
}

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
            FieldError::new("file", "unsupported_media_type")
                .with_params(json!({ "allowed": ALLOWED_MEDIA_TYPES.join(", ") })),
        );
    }
    let filename = safe_filename(&file.filename);
    if filename.is_empty() {
        errors.push(FieldError::new("file", "filename_required"));
    }
    check_withholding(ctx, &meta, &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let limit = u64::from(ctx.settings.documents.max_upload_mb) * 1024 * 1024;
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let row = open_request(conn, principal, request_id)?;
        let registers = req_db::registers_of(conn, &row.id)?;
        let register = register_by_slug(&registers, &meta.register)?;
        let blob = blobs::store(conn, &row.org_id, file.content, limit).map_err(|e| match e {
            blobs::BlobError::TooLarge { .. } => {
                ServiceError::Validation(vec![FieldError::new("file", "file_too_large")
                    .with_params(json!({ "max_mb": ctx.settings.documents.max_upload_mb }))])
            }
            other => ServiceError::Internal(other.into()),
        })?;
        let a = AttachmentRow {
            id: uuid::Uuid::now_v7().to_string(),
            org_id: row.org_id.clone(),
            request_id: row.id.clone(),
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
            created_by: principal.user_id.clone(),
        };
        doc_db::insert_attachment(conn, &a)?;
        audit_event(
            conn,
            principal,
            &row,
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
            errors.push(FieldError::new("withheld_ground", "unknown_ground"));
        }
        if meta
            .withheld_reason
            .as_deref()
            .is_none_or(|r| r.trim().is_empty())
        {
            errors.push(FieldError::new("withheld_reason", "required"));
        }
    }
    for (field, v) in [
        ("title", &meta.title),
        ("withheld_reason", &meta.withheld_reason),
    ] {
        if v.as_ref().is_some_and(|s| s.chars().count() > MAX_TEXT) {
            errors.push(FieldError::new(field, "too_long").with_params(json!({ "max": MAX_TEXT })));
        }
    }
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
        return Err(invalid("data", "must_be_object"));
    }
    if input.title.trim().is_empty() {
        return Err(invalid("title", "required"));
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
    let row = open_request(&mut conn, principal, request_id)?;
    let registers = req_db::registers_of(&mut conn, &row.id)?;
    Ok(doc_db::list_attachments(&mut conn, &row.id)?
        .iter()
        .map(|a| {
            let slug = slug_of(&registers, Some(&a.register_id)).unwrap_or_default();
            AttachmentOutput::of(a, &slug)
        })
        .collect())
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemOutput {
    pub id: String,
    pub number: i32,
    pub register: Option<String>,
    pub description: String,
    pub record_category: Option<String>,
    pub retention_start_on: Option<NaiveDate>,
    /// Until when the law keeps the record (erasure items).
    pub retention_ends_on: Option<NaiveDate>,
    pub retention_permanent: bool,
    /// What the retention rules suggest; staff confirm with a decision.
    pub proposal: Option<ItemProposal>,
    pub decision: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<String>,
    pub ground: Option<String>,
    pub explanation: Option<String>,
    pub decided_by: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_by_title: Option<String>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemProposal {
    pub decision: String,
    pub ground: String,
    pub explanation: String,
}

fn item_output(i: &ItemRow, registers: &[RegisterRow]) -> ItemOutput {
    let kept = i.retention_permanent || i.retention_ends_on.is_some();
    ItemOutput {
        id: i.id.clone(),
        number: i.number,
        register: slug_of(registers, i.register_id.as_deref()),
        description: i.description.clone(),
        record_category: i.record_category.clone(),
        retention_start_on: i.retention_start_on,
        retention_ends_on: i.retention_ends_on,
        retention_permanent: i.retention_permanent,
        proposal: (kept && i.decision.is_none()).then(|| ItemProposal {
            decision: "refused".into(),
            ground: "gdpr_17_3_b".into(),
            explanation: match i.retention_ends_on {
                Some(d) if !i.retention_permanent => {
                    format!("The law requires the record to be kept until {d}.")
                }
                _ => "The record is kept permanently under the archival sampling rule.".into(),
            },
        }),
        decision: i.decision.clone(),
        before: i.before_text.clone(),
        after: i.after_text.clone(),
        reason: i.reason.clone(),
        ground: i.ground.clone(),
        explanation: i.explanation.clone(),
        decided_by: i.decided_by.clone(),
        decided_by_name: i.decided_by_name.clone(),
        decided_by_title: i.decided_by_title.clone(),
        decided_at: i.decided_at.map(|t| t.and_utc()),
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    /// What is to be corrected, erased or restricted, as the requester or staff put it.
    pub description: String,
    /// Slug of one of the request's registers.
    #[serde(default)]
    pub register: Option<String>,
    /// A retention category (`config/retention.toml` or the register's own), for erasure.
    #[serde(default)]
    pub record_category: Option<String>,
    /// The date the category's period runs from (closing of the case, death, child's birth).
    #[serde(default)]
    pub retention_start_on: Option<NaiveDate>,
}

const ITEM_KINDS: [RequestKind; 3] = [
    RequestKind::Rectification,
    RequestKind::Erasure,
    RequestKind::Restriction,
];

pub fn add_item(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    input: ItemInput,
) -> Result<ItemOutput, ServiceError> {
    principal.require(&[Role::Staff])?;
    let description = input.description.trim().to_string();
    if description.is_empty() {
        return Err(invalid("description", "required"));
    }
    if description.chars().count() > MAX_TEXT {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "description",
            "too_long",
        )
        .with_params(json!({ "max": MAX_TEXT }))]));
    }
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let row = open_request(conn, principal, request_id)?;
        let kind = RequestKind::parse(&row.kind).unwrap_or(RequestKind::Access);
        if !ITEM_KINDS.contains(&kind) {
            return Err(ServiceError::Conflict {
                code: "items_not_applicable",
                detail: "items are recorded for rectification, erasure and restriction requests"
                    .into(),
                allowed: None,
            });
        }
        if !row.is_open {
            return Err(closed());
        }
        let registers = req_db::registers_of(conn, &row.id)?;
        let register = input
            .register
            .as_deref()
            .map(|slug| register_by_slug(&registers, slug))
            .transpose()?;
        let overrides = register
            .map(|r| RegisterInfo::of(r).retention_rules)
            .unwrap_or_default();
        let (mut ends, mut permanent) = (None, false);
        if let Some(category) = &input.record_category {
            if !ctx.rules.retention.is_known(&overrides, category) {
                return Err(invalid("record_category", "unknown_category"));
            }
            if kind == RequestKind::Erasure {
                let born = req_db::subject(conn, &row.id)?.birth_date;
                match ctx.rules.retention.verdict(
                    ctx.rules.retention.rule(&overrides, category),
                    input.retention_start_on,
                    born,
                    ctx.today(),
                ) {
                    RetentionVerdict::KeptUntil(d) => ends = Some(d),
                    RetentionVerdict::Permanent => permanent = true,
                    RetentionVerdict::Ended(_) | RetentionVerdict::Unknown => {}
                }
            }
        }
        let number = doc_db::list_items(conn, &row.id)?
            .iter()
            .map(|i| i.number)
            .max()
            .unwrap_or(0)
            + 1;
        let item = ItemRow {
            id: uuid::Uuid::now_v7().to_string(),
            request_id: row.id.clone(),
            number,
            register_id: register.map(|r| r.id.clone()),
            description,
            record_category: input.record_category.clone(),
            retention_start_on: input.retention_start_on,
            retention_ends_on: ends,
            retention_permanent: permanent,
            decision: None,
            before_text: None,
            after_text: None,
            reason: None,
            ground: None,
            explanation: None,
            decided_by: None,
            decided_by_name: None,
            decided_by_title: None,
            decided_at: None,
            created_at: db::now(),
        };
        doc_db::insert_item(conn, &item)?;
        audit_event(
            conn,
            principal,
            &row,
            "item_added",
            json!({ "item": number, "record_category": item.record_category, "retention_ends_on": ends, "retention_permanent": permanent }),
        )?;
        Ok(item_output(&item, &registers))
    })
}

fn closed() -> ServiceError {
    ServiceError::Conflict {
        code: "request_closed",
        detail: "the request is closed".into(),
        allowed: None,
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemDecisionInput {
    /// `done` or `refused`.
    pub decision: String,
    /// Rectification: the entry as it was and as it is now.
    #[serde(default)]
    pub before: Option<String>,
    #[serde(default)]
    pub after: Option<String>,
    /// Why the change was made (done) .
    #[serde(default)]
    pub reason: Option<String>,
    /// Refused: the legal-ground code and the explanation the requester reads.
    #[serde(default)]
    pub ground: Option<String>,
    #[serde(default)]
    pub explanation: Option<String>,
}

pub fn decide_item(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    number: i32,
    input: ItemDecisionInput,
) -> Result<ItemOutput, ServiceError> {
    principal.require(&[Role::Staff])?;
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut errors = Vec::new();
    for (field, v) in [
        ("before", &input.before),
        ("after", &input.after),
        ("reason", &input.reason),
        ("explanation", &input.explanation),
    ] {
        if v.as_ref().is_some_and(|s| s.chars().count() > MAX_TEXT) {
            errors.push(FieldError::new(field, "too_long").with_params(json!({ "max": MAX_TEXT })));
        }
    }
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let row = open_request(conn, principal, request_id)?;
        if !row.is_open {
            return Err(closed());
        }
        let kind = RequestKind::parse(&row.kind).unwrap_or(RequestKind::Access);
        let mut item = doc_db::list_items(conn, &row.id)?
            .into_iter()
            .find(|i| i.number == number)
            .ok_or(ServiceError::NotFound("item"))?;
        match input.decision.as_str() {
            "done" => {
                if kind == RequestKind::Rectification {
                    if text(&input.after).is_none() {
                        errors.push(FieldError::new("after", "required"));
                    }
                    if text(&input.before).is_none() {
                        errors.push(FieldError::new("before", "required"));
                    }
                }
                if text(&input.reason).is_none() {
                    errors.push(FieldError::new("reason", "required"));
                }
                if input.ground.is_some() {
                    errors.push(FieldError::new("ground", "only_for_refusal"));
                }
            }
            "refused" => {
                match input.ground.as_deref() {
                    None => errors.push(FieldError::new("ground", "required")),
                    Some(g) => {
                        errors.extend(ctx.rules.grounds.check(&[g.to_string()], kind, "ground"))
                    }
                }
                if text(&input.explanation).is_none() {
                    errors.push(FieldError::new("explanation", "required"));
                }
            }
            _ => errors.push(FieldError::new("decision", "invalid_choice")),
        }
        if !errors.is_empty() {
            return Err(ServiceError::Validation(std::mem::take(&mut errors)));
        }
        let user = orgs::find_user(conn, &row.org_id, &principal.user_id)?
            .ok_or(ServiceError::Unauthorized)?;
        item.decision = Some(input.decision.clone());
        item.before_text = text(&input.before);
        item.after_text = text(&input.after);
        item.reason = text(&input.reason);
        item.ground = input.ground.clone();
        item.explanation = text(&input.explanation);
        item.decided_by = Some(user.id.clone());
        item.decided_by_name = Some(user.name.clone());
        item.decided_by_title = user.title.clone();
        item.decided_at = Some(ctx.clock.now().naive_utc());
        doc_db::update_item(conn, &item)?;
        // The texts stay out of the audit payload: they quote the client's records.
        audit_event(
            conn,
            principal,
            &row,
            "item_decided",
            json!({ "item": number, "decision": item.decision, "ground": item.ground }),
        )?;
        let registers = req_db::registers_of(conn, &row.id)?;
        Ok(item_output(&item, &registers))
    })
}

pub fn list_items(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
) -> Result<Vec<ItemOutput>, ServiceError> {
    principal.require(&[Role::Staff, Role::Dpo])?;
    let mut conn = ctx.conn()?;
    let row = open_request(&mut conn, principal, request_id)?;
    let registers = req_db::registers_of(&mut conn, &row.id)?;
    Ok(doc_db::list_items(&mut conn, &row.id)?
        .iter()
        .map(|i| item_output(i, &registers))
        .collect())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientInput {
    /// Who received the data (an authority, a service provider ...).
    pub name: String,
    #[serde(default)]
    pub register: Option<String>,
    /// When they were told of the rectification, erasure or restriction.
    #[serde(default)]
    pub notified_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecipientOutput {
    pub id: String,
    pub name: String,
    pub register: Option<String>,
    pub notified_on: Option<NaiveDate>,
    pub notified_by: Option<String>,
}

impl RecipientOutput {
    fn of(r: RecipientRow, registers: &[RegisterRow]) -> RecipientOutput {
        RecipientOutput {
            register: slug_of(registers, r.register_id.as_deref()),
            id: r.id,
            name: r.name,
            notified_on: r.notified_on,
            notified_by: r.notified_by,
        }
    }
}

pub fn add_recipient(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    input: RecipientInput,
) -> Result<RecipientOutput, ServiceError> {
    principal.require(&[Role::Staff])?;
    let name = input.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 300 {
        return Err(invalid(
            "name",
            if name.is_empty() {
                "required"
            } else {
                "too_long"
            },
        ));
    }
    let today = ctx.today();
    if input.notified_on.is_some_and(|d| d > today) {
        return Err(invalid("notified_on", "date_in_future"));
    }
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let row = open_request(conn, principal, request_id)?;
        let registers = req_db::registers_of(conn, &row.id)?;
        let register = input
            .register
            .as_deref()
            .map(|slug| register_by_slug(&registers, slug))
            .transpose()?;
        let r = RecipientRow {
            id: uuid::Uuid::now_v7().to_string(),
            request_id: row.id.clone(),
            register_id: register.map(|g| g.id.clone()),
            name,
            notified_on: input.notified_on,
            notified_by: input.notified_on.map(|_| principal.user_id.clone()),
            created_at: db::now(),
        };
        doc_db::insert_recipient(conn, &r)?;
        audit_event(
            conn,
            principal,
            &row,
            "recipient_recorded",
            json!({ "recipient_id": r.id, "notified_on": r.notified_on }),
        )?;
        Ok(RecipientOutput::of(r, &registers))
    })
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifiedInput {
    /// The day the recipient was told; today if left out.
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// Records that a recipient was told of the change (Art 19).
pub fn recipient_notified(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    recipient_id: &str,
    input: NotifiedInput,
) -> Result<RecipientOutput, ServiceError> {
    principal.require(&[Role::Staff])?;
    let on = input.on.unwrap_or_else(|| ctx.today());
    if on > ctx.today() {
        return Err(invalid("on", "date_in_future"));
    }
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let row = open_request(conn, principal, request_id)?;
        let mut r = doc_db::list_recipients(conn, &row.id)?
            .into_iter()
            .find(|r| r.id == recipient_id)
            .ok_or(ServiceError::NotFound("recipient"))?;
        r.notified_on = Some(on);
        r.notified_by = Some(principal.user_id.clone());
        doc_db::update_recipient(conn, &r)?;
        audit_event(
            conn,
            principal,
            &row,
            "recipient_notified",
            json!({ "recipient_id": r.id, "notified_on": on }),
        )?;
        let registers = req_db::registers_of(conn, &row.id)?;
        Ok(RecipientOutput::of(r, &registers))
    })
}

pub fn list_recipients(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
) -> Result<Vec<RecipientOutput>, ServiceError> {
    principal.require(&[Role::Staff, Role::Dpo])?;
    let mut conn = ctx.conn()?;
    let row = open_request(&mut conn, principal, request_id)?;
    let registers = req_db::registers_of(&mut conn, &row.id)?;
    Ok(doc_db::list_recipients(&mut conn, &row.id)?
        .into_iter()
        .map(|r| RecipientOutput::of(r, &registers))
        .collect())
}

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
            "too_short",
        )
        .with_params(json!({ "min": 10 }))]));
    }
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let row = open_request(conn, principal, request_id)?;
        if row.review_reasons == "[]" {
            return Err(ServiceError::Conflict {
                code: "no_review_needed",
                detail: "the request is not flagged for manual review".into(),
                allowed: None,
            });
        }
        if doc_db::review_cleared(conn, &row.id)? {
            return Err(ServiceError::Conflict {
                code: "review_already_cleared",
                detail: "the review was already cleared".into(),
                allowed: None,
            });
        }
        doc_db::clear_review(conn, &row.id, &principal.user_id, &note)?;
        audit_event(conn, principal, &row, "review_cleared", json!({}))
    })
}
