//! Internal notes on a request: staff's own remarks, never shown to the client. The audit
//! trail records that a note was written and which one, not its text: the trail is read
//! more widely than the request, and a note may hold anything.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::queries::READERS;
use super::request::Request;
use super::{write_tx, Context, Principal, ServiceError};
use crate::db::audit::{self, NewEvent};
use crate::db::schema::{request_notes, users};
use crate::db::{self, AnyConnection};
use crate::domain::codes::FieldCode;
use crate::domain::enums::Role;
use crate::domain::validation::FieldError;

pub const MAX_NOTE: usize = 4000;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    /// The note, 1 to 4,000 characters.
    pub body: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoteOutput {
    pub id: String,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A note's or message's text, trimmed: 1 to [`MAX_NOTE`] characters.
pub fn checked_body(body: &str) -> Result<String, ServiceError> {
    let body = body.trim().to_string();
    if body.is_empty() {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "body",
            FieldCode::Required,
        )]));
    }
    if body.chars().count() > MAX_NOTE {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "body",
            FieldCode::TooLong,
        )
        .with_params(json!({ "max": MAX_NOTE }))]));
    }
    Ok(body)
}

/// Writes a note; staff and the DPO may, on open and closed requests alike.
pub fn add(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    input: NoteInput,
) -> Result<NoteOutput, ServiceError> {
    principal.require(&[Role::Staff, Role::Dpo])?;
    let body = checked_body(&input.body)?;
    let mut conn = ctx.conn()?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = db::now();
    write_tx(&mut conn, &principal.org_id, |conn| {
        let request = Request::load(conn, &principal.org_id, request_id)?;
        diesel::insert_into(request_notes::table)
            .values((
                request_notes::id.eq(&id),
                request_notes::request_id.eq(request.id()),
                request_notes::org_id.eq(principal.org_id.as_str()),
                request_notes::author_id.eq(principal.user_id.as_str()),
                request_notes::body.eq(&body),
                request_notes::created_at.eq(now),
            ))
            .execute(conn)?;
        audit::append(
            conn,
            NewEvent {
                org_id: &principal.org_id,
                request_id: Some(request.id()),
                actor_id: Some(&principal.user_id),
                actor_role: principal.role.as_str(),
                action: "note_added",
                from_state: None,
                to_state: None,
                payload: json!({ "note": id }),
                occurred_at: now,
            },
        )?;
        Ok(())
    })?;
    let mut found = list_with(&mut conn, request_id)?;
    found
        .pop()
        .filter(|n| n.id == id)
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("note {id} not read back")))
}

/// The notes on a request, oldest first.
pub fn list(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
) -> Result<Vec<NoteOutput>, ServiceError> {
    principal.require(READERS)?;
    let mut conn = ctx.conn()?;
    Request::load(&mut conn, &principal.org_id, request_id)?;
    list_with(&mut conn, request_id)
}

fn list_with(conn: &mut AnyConnection, request_id: &str) -> Result<Vec<NoteOutput>, ServiceError> {
    Ok(request_notes::table
        .inner_join(users::table.on(users::id.eq(request_notes::author_id)))
        .filter(request_notes::request_id.eq(request_id))
        .order((request_notes::created_at, request_notes::id))
        .select((
            request_notes::id,
            users::name,
            request_notes::body,
            request_notes::created_at,
        ))
        .load::<(String, String, String, chrono::NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, author, body, at)| NoteOutput {
            id,
            author,
            body,
            created_at: DateTime::from_naive_utc_and_offset(at, Utc),
        })
        .collect())
}
