//! The items of a rectification, erasure or restriction request and their decisions.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::db::models::{ItemRow, RegisterRow};
use crate::db::{self, documents as doc_db, orgs, requests as req_db};
use crate::domain::codes::{FieldCode, ProblemCode};
use crate::domain::enums::{ItemDecision, RequestKind, Role};
use crate::domain::retention::RetentionVerdict;
use crate::domain::validation::FieldError;
use crate::services::profile::RegisterInfo;
use crate::services::{write_tx, Context, Principal, ServiceError};

use super::{audit_event, closed, invalid, open_request, register_by_slug, slug_of, MAX_TEXT};

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
    pub decision: Option<ItemDecision>,
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
    pub decision: ItemDecision,
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
            decision: ItemDecision::Refused,
            ground: "gdpr_17_3_b".into(),
            explanation: match i.retention_ends_on {
                Some(d) if !i.retention_permanent => {
                    format!("The law requires the record to be kept until {d}.")
                }
                _ => "The record is kept permanently under the archival sampling rule.".into(),
            },
        }),
        decision: i.decision,
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
        return Err(invalid("description", FieldCode::Required));
    }
    if description.chars().count() > MAX_TEXT {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "description",
            FieldCode::TooLong,
        )
        .with_params(json!({ "max": MAX_TEXT }))]));
    }
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let request = open_request(conn, principal, request_id)?;
        let row = &request.row;
        let kind = row.kind;
        if !ITEM_KINDS.contains(&kind) {
            return Err(ServiceError::Conflict {
                code: ProblemCode::ItemsNotApplicable,
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
                return Err(invalid("record_category", FieldCode::UnknownCategory));
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
            request_id: row.id.to_string(),
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
            row,
            "item_added",
            json!({ "item": number, "record_category": item.record_category, "retention_ends_on": ends, "retention_permanent": permanent }),
        )?;
        Ok(item_output(&item, &registers))
    })
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
            errors.push(
                FieldError::new(field, FieldCode::TooLong).with_params(json!({ "max": MAX_TEXT })),
            );
        }
    }
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let request = open_request(conn, principal, request_id)?;
        let row = &request.row;
        if !row.is_open {
            return Err(closed());
        }
        let kind = row.kind;
        let mut item = doc_db::list_items(conn, &row.id)?
            .into_iter()
            .find(|i| i.number == number)
            .ok_or(ServiceError::NotFound("item"))?;
        let decision = ItemDecision::parse(&input.decision);
        match decision {
            Some(ItemDecision::Done) => {
                if kind == RequestKind::Rectification {
                    if text(&input.after).is_none() {
                        errors.push(FieldError::new("after", FieldCode::Required));
                    }
                    if text(&input.before).is_none() {
                        errors.push(FieldError::new("before", FieldCode::Required));
                    }
                }
                if text(&input.reason).is_none() {
                    errors.push(FieldError::new("reason", FieldCode::Required));
                }
                if input.ground.is_some() {
                    errors.push(FieldError::new("ground", FieldCode::OnlyForRefusal));
                }
            }
            Some(ItemDecision::Refused) => {
                match input.ground.as_deref() {
                    None => errors.push(FieldError::new("ground", FieldCode::Required)),
                    Some(g) => {
                        errors.extend(ctx.rules.grounds.check(&[g.to_string()], kind, "ground"))
                    }
                }
                if text(&input.explanation).is_none() {
                    errors.push(FieldError::new("explanation", FieldCode::Required));
                }
            }
            None => errors.push(FieldError::new("decision", FieldCode::InvalidChoice)),
        }
        if !errors.is_empty() {
            return Err(ServiceError::Validation(std::mem::take(&mut errors)));
        }
        let user = orgs::find_user(conn, &row.org_id, &principal.user_id)?
            .ok_or(ServiceError::Unauthorized)?;
        item.decision = decision;
        item.before_text = text(&input.before);
        item.after_text = text(&input.after);
        item.reason = text(&input.reason);
        item.ground = input.ground.clone();
        item.explanation = text(&input.explanation);
        item.decided_by = Some(user.id.to_string());
        item.decided_by_name = Some(user.name.clone());
        item.decided_by_title = user.title.clone();
        item.decided_at = Some(ctx.clock.now().naive_utc());
        doc_db::update_item(conn, &item)?;
        // The texts stay out of the audit payload: they quote the client's records.
        audit_event(
            conn,
            principal,
            row,
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
    let request = open_request(&mut conn, principal, request_id)?;
    let row = &request.row;
    let registers = req_db::registers_of(&mut conn, &row.id)?;
    Ok(doc_db::list_items(&mut conn, &row.id)?
        .iter()
        .map(|i| item_output(i, &registers))
        .collect())
}
