//! Requests: submission (public or staff), staff work, the audit trail and the requester's status.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::auth::{Auth, Submitter};
use super::error::{too_many_requests, AppError, Problem};
use crate::domain::codes::FieldCode;
use crate::domain::enums::{
    Channel, ContactChannel, Language, Relationship, RequestKind, RequestState,
};
use crate::edge::limit::{Door, LimitGuard};
use crate::edge::status_token;
use crate::services::actions::{self, ActionInput};
use crate::services::queries::{self, EventOutput, ListQuery, RequestPage};
use crate::services::status::{self as status_service, StatusOutput};
use crate::services::views::RequestOutput;
use crate::services::{blocking, submissions, Context, ServiceError};

/// The subject of the request (documentation of the accepted body).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct SubjectInput {
    pub name: String,
    /// Finnish personal identity code; or give `birth_date`.
    pub personal_id: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    /// Turvakielto: the address is then shown only to allowed roles and never printed.
    pub address_protected: Option<bool>,
    pub contact_channel: ContactChannel,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct RepresentativeInput {
    pub name: String,
    pub relationship: Relationship,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
}

/// A new request. Every field is checked and all problems are reported together.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct NewRequestInput {
    /// The organisation's slug; required without a token.
    pub organisation: Option<String>,
    pub kind: RequestKind,
    /// Language of service (default fi).
    pub language: Option<Language>,
    /// Register slugs; default all of the organisation's registers.
    pub registers: Option<Vec<String>>,
    pub subject: SubjectInput,
    pub representative: Option<RepresentativeInput>,
    /// Kind-specific fields as defined by `GET /api/v1/forms`.
    #[schema(value_type = Object)]
    pub details: Value,
    /// Staff only: how the request reached the organisation.
    pub channel: Option<Channel>,
    /// Staff only: the real date of receipt, if earlier than today.
    pub received_on: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedOutput {
    pub id: String,
    /// Human-readable and unique across the service, e.g. `SAT-2026-00042`.
    pub reference: String,
    pub state: RequestState,
    pub received_on: NaiveDate,
    pub target_on: NaiveDate,
    pub due_on: NaiveDate,
    /// Shown once: with the reference it opens the status page. Only its hash is stored.
    pub status_token: String,
}

/// Without a token: a public submission (rate-limited per address). With a staff token:
/// a request entered by staff. With an ID token from the organisation's identity provider
/// (OpenID Connect, RS256/ES256): the requester's identity is verified by `strong_eid`.
#[utoipa::path(tag = "public", request_body = NewRequestInput, security((), ("bearer" = [])), responses(
    (status = 201, body = CreatedOutput, description = "Received: stored durably, the clock runs"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "Malformed body"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "A token was sent but is not valid"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields, all listed"),
    (status = 429, body = Problem, content_type = "application/problem+json", description = "Too many submissions from this address; see Retry-After"),
))]
#[post("/requests")]
pub async fn create(
    ctx: web::Data<Context>,
    req: HttpRequest,
    submitter: Submitter,
    body: web::Json<Value>,
) -> Result<HttpResponse, AppError> {
    let (principal, id_token) = match submitter {
        Submitter::Staff(p) => (Some(p), None),
        Submitter::IdToken(t) => (None, Some(submissions::Proof::IdToken(t))),
        Submitter::Anonymous => (None, None),
    };
    // Public submissions are limited per address; staff entering requests are not.
    let guard = match principal {
        Some(_) => None,
        None => match LimitGuard::reserve(&ctx, &req, Door::Submissions) {
            Ok(guard) => Some(guard),
            Err(retry) => return Ok(too_many_requests(retry)),
        },
    };
    let created = submissions::submit(
        ctx.clone().into_inner(),
        body.into_inner(),
        principal,
        id_token,
    )
    .await?;
    // Counted once received; refused (invalid, say), the `?` above gave the slot back.
    if let Some(guard) = guard {
        guard.keep();
    }
    let r = created.request;
    tracing::info!(reference = %r.reference, kind = %r.kind, channel = %r.channel, "request received");
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/requests/{}", r.id)))
        .json(CreatedOutput {
            id: r.id.into_string(),
            reference: r.reference,
            state: r.state,
            received_on: r.received_on,
            target_on: r.target_on,
            due_on: r.due_on,
            status_token: created.status_token,
        }))
}

#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    pub state: Option<RequestState>,
    pub kind: Option<RequestKind>,
    /// Only requests past their legal due date (clock not stopped).
    pub overdue: Option<bool>,
    /// Only open requests due before this date.
    pub due_before: Option<NaiveDate>,
    /// User id of the assignee.
    pub assignee: Option<String>,
    /// Register slug.
    pub register: Option<String>,
    /// Page size (default 50).
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

const DEFAULT_PAGE: u32 = 50;

#[utoipa::path(tag = "requests", params(ListParams), security(("bearer" = [])), responses(
    (status = 200, body = RequestPage, description = "Requests sorted by due date"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "Invalid query"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Unknown register"),
))]
#[get("/requests")]
pub async fn list(
    ctx: web::Data<Context>,
    auth: Auth,
    q: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let max = ctx.settings.web.max_page_size;
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > max {
        return Err(
            ServiceError::Validation(vec![crate::domain::validation::FieldError::new(
                "limit",
                FieldCode::OutOfRange,
            )
            .with_params(serde_json::json!({ "min": 1, "max": max }))])
            .into(),
        );
    }
    let query = ListQuery {
        state: q.state,
        kind: q.kind,
        overdue: q.overdue.unwrap_or(false),
        due_before: q.due_before,
        assignee: q.assignee,
        register: q.register,
        limit,
        offset: q.offset.unwrap_or(0),
    };
    let page = blocking(move || queries::list(&ctx, &auth.0, query)).await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(tag = "requests", params(("id" = String, Path, description = "Request id")), security(("bearer" = [])), responses(
    (status = 200, body = RequestOutput, description = "The request"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
))]
#[get("/requests/{id}")]
pub async fn get(
    ctx: web::Data<Context>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let out = blocking(move || queries::get(&ctx, &auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Serialize, ToSchema)]
pub struct ActionOutput {
    #[serde(flatten)]
    pub request: RequestOutput,
    /// Set when the action did less than one may expect, e.g. a clock stop outside the grace period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

#[utoipa::path(tag = "requests", params(("id" = String, Path, description = "Request id")), request_body = ActionInput, security(("bearer" = [])), responses(
    (status = 200, body = ActionOutput, description = "The updated request"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "Malformed body"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "Only staff act on requests"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "Not allowed in this state (see allowed_actions), already extended, identity not verified"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields"),
))]
#[post("/requests/{id}/actions")]
pub async fn act(
    ctx: web::Data<Context>,
    auth: Auth,
    id: web::Path<String>,
    body: web::Json<ActionInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let action = input.action;
    let result = blocking(move || actions::apply(&ctx, &auth.0, &id, input)).await?;
    tracing::info!(reference = %result.request.reference, action = %action, state = %result.request.state, "action taken");
    Ok(HttpResponse::Ok().json(ActionOutput {
        request: result.request,
        notice: result.notice,
    }))
}

#[utoipa::path(tag = "requests", params(("id" = String, Path, description = "Request id")), security(("bearer" = [])), responses(
    (status = 200, body = Vec<EventOutput>, description = "The audit trail of the request, oldest first"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
))]
#[get("/requests/{id}/events")]
pub async fn events(
    ctx: web::Data<Context>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let out = blocking(move || queries::events(&ctx, &auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The requester's view. Unknown reference and wrong token answer alike.
#[utoipa::path(tag = "public", params(
    ("reference" = String, Path, description = "The request's reference"),
    ("X-Status-Token" = String, Header, description = "The status token given at submission"),
), security(("status_token" = [])), responses(
    (status = 200, body = StatusOutput, description = "State and dates"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "Unknown reference or wrong token"),
    (status = 429, body = Problem, content_type = "application/problem+json", description = "Too many wrong guesses from this address; see Retry-After"),
))]
#[get("/requests/{reference}/status")]
pub async fn status(
    ctx: web::Data<Context>,
    req: HttpRequest,
    reference: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = status_token::from_header(&req);
    let look_up = move |c: &Context| status_service::status(c, &reference, &token);
    match status_token::guarded(&ctx, &req, look_up).await {
        Ok(found) => Ok(HttpResponse::Ok().json(found?)),
        Err(retry) => Ok(too_many_requests(retry)),
    }
}
