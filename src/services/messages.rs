//! Messages from staff to the client: a question or a word about progress that does not
//! stop the clock (asking for identity or clarification does). Shown on the client's status
//! page and announced by the usual content-free e-mail. Kept apart from the internal notes,
//! so no query can show a note to the client by a missing filter.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::notes::checked_body;
use super::queries::READERS;
use super::request::Request;
use super::{write_tx, Context, Principal, ServiceError};
use crate::db::audit::{self, NewEvent};
use crate::db::schema::{request_messages, users};
use crate::db::{self, orgs, requests as req_db, AnyConnection};
use crate::domain::enums::Role;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    /// The message the client reads, 1 to 4,000 characters.
    pub body: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageOutput {
    pub id: String,
    /// Who wrote it (staff see the name; the client's view leaves it out).
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Sends a message to the client of an open request, and tells them there is news.
pub fn send(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
    input: MessageInput,
) -> Result<MessageOutput, ServiceError> {
    principal.require(&[Role::Staff])?;
    let body = checked_body(&input.body)?;
    let mut conn = ctx.conn()?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = db::now();
    write_tx(&mut conn, &principal.org_id, |conn| {
        let request = Request::load(conn, &principal.org_id, request_id)?;
        let row = &request.row;
        if !row.is_open {
            return Err(super::gathering::closed());
        }
        diesel::insert_into(request_messages::table)
            .values((
                request_messages::id.eq(&id),
                request_messages::request_id.eq(request.id()),
                request_messages::org_id.eq(principal.org_id.as_str()),
                request_messages::author_id.eq(principal.user_id.as_str()),
                request_messages::body.eq(&body),
                request_messages::created_at.eq(now),
            ))
            .execute(conn)?;
        audit::append(
            conn,
            NewEvent {
                org_id: &principal.org_id,
                request_id: Some(request.id()),
                actor_id: Some(&principal.user_id),
                actor_role: principal.role.as_str(),
                action: "message_sent",
                from_state: None,
                to_state: None,
                payload: json!({ "message": id }),
                occurred_at: now,
            },
        )?;
        let org = orgs::find_organisation(conn, &row.org_id)?;
        let subject = req_db::subject(conn, &row.id)?;
        ctx.notifier.requester_news(conn, &org, row, &subject)
    })?;
    list_with(&mut conn, request_id)?
        .pop()
        .filter(|m| m.id == id)
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("message {id} not read back")))
}

/// The messages sent on a request, oldest first.
pub fn list(
    ctx: &Context,
    principal: &Principal,
    request_id: &str,
) -> Result<Vec<MessageOutput>, ServiceError> {
    principal.require(READERS)?;
    let mut conn = ctx.conn()?;
    Request::load(&mut conn, &principal.org_id, request_id)?;
    list_with(&mut conn, request_id)
}

pub(crate) fn list_with(
    conn: &mut AnyConnection,
    request_id: &str,
) -> Result<Vec<MessageOutput>, ServiceError> {
    Ok(request_messages::table
        .inner_join(users::table.on(users::id.eq(request_messages::author_id)))
        .filter(request_messages::request_id.eq(request_id))
        .order((request_messages::created_at, request_messages::id))
        .select((
            request_messages::id,
            users::name,
            request_messages::body,
            request_messages::created_at,
        ))
        .load::<(String, String, String, chrono::NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, author, body, at)| MessageOutput {
            id,
            author,
            body,
            created_at: DateTime::from_naive_utc_and_offset(at, Utc),
        })
        .collect())
}
