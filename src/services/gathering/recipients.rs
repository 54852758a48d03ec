//! Who received the data and was told of a change (Art 19).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::db::models::{RecipientRow, RegisterRow};
use crate::db::{self, documents as doc_db, requests as req_db};
use crate::domain::codes::FieldCode;
use crate::domain::enums::Role;
use crate::services::{write_tx, Context, Principal, ServiceError};

use super::{audit_event, invalid, open_request, register_by_slug, slug_of};

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
                FieldCode::Required
            } else {
                FieldCode::TooLong
            },
        ));
    }
    let today = ctx.today();
    if input.notified_on.is_some_and(|d| d > today) {
        return Err(invalid("notified_on", FieldCode::DateInFuture));
    }
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let request = open_request(conn, principal, request_id)?;
        let row = &request.row;
        let registers = req_db::registers_of(conn, &row.id)?;
        let register = input
            .register
            .as_deref()
            .map(|slug| register_by_slug(&registers, slug))
            .transpose()?;
        let r = RecipientRow {
            id: uuid::Uuid::now_v7().to_string(),
            request_id: row.id.to_string(),
            register_id: register.map(|g| g.id.clone()),
            name,
            notified_on: input.notified_on,
            notified_by: input.notified_on.map(|_| principal.user_id.to_string()),
            created_at: db::now(),
        };
        doc_db::insert_recipient(conn, &r)?;
        audit_event(
            conn,
            principal,
            row,
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
        return Err(invalid("on", FieldCode::DateInFuture));
    }
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let request = open_request(conn, principal, request_id)?;
        let row = &request.row;
        let mut r = doc_db::list_recipients(conn, &row.id)?
            .into_iter()
            .find(|r| r.id == recipient_id)
            .ok_or(ServiceError::NotFound("recipient"))?;
        r.notified_on = Some(on);
        r.notified_by = Some(principal.user_id.to_string());
        doc_db::update_recipient(conn, &r)?;
        audit_event(
            conn,
            principal,
            row,
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
    let request = open_request(&mut conn, principal, request_id)?;
    let row = &request.row;
    let registers = req_db::registers_of(&mut conn, &row.id)?;
    Ok(doc_db::list_recipients(&mut conn, &row.id)?
        .into_iter()
        .map(|r| RecipientOutput::of(r, &registers))
        .collect())
}
