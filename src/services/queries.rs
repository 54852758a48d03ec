//! Reading requests and their audit trail, always within the caller's organisation.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::request::Request;
use super::views::{self, FullRequest, RequestOutput, RequestSummary};
use super::{Context, Principal, ServiceError};
use crate::db::requests::ListFilter;
use crate::db::{audit, orgs, requests as req_db, AnyConnection};
use crate::domain::codes::FieldCode;
use crate::domain::enums::{RequestKind, RequestState, Role};

pub const READERS: &[Role] = &[Role::Staff, Role::Dpo, Role::Admin];

pub fn full_view(
    ctx: &Context,
    conn: &mut AnyConnection,
    principal: &Principal,
    request: &Request,
) -> Result<RequestOutput, ServiceError> {
    let row = &request.row;
    let subject = req_db::subject(conn, &row.id)?;
    let registers = req_db::registers_of(conn, &row.id)?;
    let users = orgs::list_users(conn, &row.org_id)?;
    let org = orgs::find_organisation(conn, &row.org_id)?;
    views::full(
        FullRequest {
            request,
            subject: &subject,
            registers: &registers,
            users: &users,
            org: &org,
        },
        principal,
        ctx.today(),
    )
}

pub fn get(ctx: &Context, principal: &Principal, id: &str) -> Result<RequestOutput, ServiceError> {
    principal.require(READERS)?;
    let mut conn = ctx.conn()?;
    let request = Request::load(&mut conn, &principal.org_id, id)?;
    full_view(ctx, &mut conn, principal, &request)
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub state: Option<RequestState>,
    pub kind: Option<RequestKind>,
    pub overdue: bool,
    pub due_before: Option<NaiveDate>,
    pub assignee: Option<String>,
    pub register: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestPage {
    pub items: Vec<RequestSummary>,
    pub total: i64,
    pub limit: u32,
    pub offset: u32,
}

pub fn list(
    ctx: &Context,
    principal: &Principal,
    q: ListQuery,
) -> Result<RequestPage, ServiceError> {
    principal.require(READERS)?;
    let mut conn = ctx.conn()?;
    let today = ctx.today();
    let register_id = match &q.register {
        None => None,
        Some(slug) => Some(
            orgs::list_registers(&mut conn, &principal.org_id)?
                .into_iter()
                .find(|r| &r.slug == slug)
                .map(|r| r.id)
                .ok_or_else(|| ServiceError::field("register", FieldCode::UnknownRegister))?,
        ),
    };
    let filter = ListFilter {
        state: q.state,
        kind: q.kind,
        overdue_on: q.overdue.then_some(today),
        due_before: q.due_before,
        assignee_id: q.assignee.clone(),
        register_id,
        limit: q.limit.into(),
        offset: q.offset.into(),
    };
    let (rows, total) = req_db::list(&mut conn, &principal.org_id, &filter)?;
    let users = orgs::list_users(&mut conn, &principal.org_id)?;
    let items = rows
        .into_iter()
        .map(|r| Ok(views::summary(&Request::from_row(r)?, &users, today)))
        .collect::<Result<_, ServiceError>>()?;
    Ok(RequestPage {
        items,
        total,
        limit: q.limit,
        offset: q.offset,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventOutput {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<String>,
    pub actor_role: String,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    #[schema(value_type = Object)]
    pub payload: Value,
    pub hash: String,
}

pub fn events(
    ctx: &Context,
    principal: &Principal,
    id: &str,
) -> Result<Vec<EventOutput>, ServiceError> {
    principal.require(READERS)?;
    let mut conn = ctx.conn()?;
    req_db::find(&mut conn, &principal.org_id, id)?.ok_or(ServiceError::NotFound("request"))?;
    Ok(audit::list_for_request(&mut conn, id)?
        .into_iter()
        .map(|e| EventOutput {
            seq: e.seq,
            occurred_at: DateTime::from_naive_utc_and_offset(e.occurred_at, Utc),
            actor_id: e.actor_id,
            actor_role: e.actor_role,
            action: e.action,
            from_state: e.from_state,
            to_state: e.to_state,
            payload: serde_json::from_str(&e.payload).unwrap_or(Value::Null),
            hash: e.hash,
        })
        .collect())
}
