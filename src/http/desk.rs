//! What the staff desk needs from the API, for other clients too: internal notes, messages
//! to the client, search by reference, name or identity code, and a new status code for a
//! client who lost theirs.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Auth;
use super::error::{AppError, Problem};
use crate::services::desk::{self, SearchResult};
use crate::services::messages::{self, MessageInput, MessageOutput};
use crate::services::notes::{self, NoteInput, NoteOutput};
use crate::services::status_code::{self, NewStatusCode};
use crate::services::{blocking, Context};

#[utoipa::path(tag = "requests", params(("id" = String, Path, description = "Request id")), security(("bearer" = [])), responses(
    (status = 200, body = Vec<NoteOutput>, description = "The request's internal notes, oldest first; never shown to the requester"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
))]
#[get("/requests/{id}/notes")]
pub async fn list_notes(
    ctx: web::Data<Context>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let out = blocking(move || notes::list(&ctx, &auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "requests", params(("id" = String, Path, description = "Request id")), request_body = NoteInput, security(("bearer" = [])), responses(
    (status = 201, body = NoteOutput, description = "The note is kept; the audit trail records that it was written, not its text"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "Only staff and the DPO write notes"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Empty, or longer than 4,000 characters"),
))]
#[post("/requests/{id}/notes")]
pub async fn add_note(
    ctx: web::Data<Context>,
    auth: Auth,
    id: web::Path<String>,
    body: web::Json<NoteInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let out = blocking(move || notes::add(&ctx, &auth.0, &id, input)).await?;
    Ok(HttpResponse::Created().json(out))
}

#[utoipa::path(tag = "requests", params(("id" = String, Path, description = "Request id")), security(("bearer" = [])), responses(
    (status = 200, body = Vec<MessageOutput>, description = "Messages sent to the client, oldest first"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
))]
#[get("/requests/{id}/messages")]
pub async fn list_messages(
    ctx: web::Data<Context>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let out = blocking(move || messages::list(&ctx, &auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "requests", params(("id" = String, Path, description = "Request id")), request_body = MessageInput, security(("bearer" = [])), responses(
    (status = 201, body = MessageOutput, description = "Shown on the client's status page at once; the client is told by the usual e-mail without content if they chose e-mail. The clock keeps running"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "Only staff send messages"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "The request is closed"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Empty, or longer than 4,000 characters"),
))]
#[post("/requests/{id}/messages")]
pub async fn send_message(
    ctx: web::Data<Context>,
    auth: Auth,
    id: web::Path<String>,
    body: web::Json<MessageInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let out = blocking(move || messages::send(&ctx, &auth.0, &id, input)).await?;
    Ok(HttpResponse::Created().json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchInput {
    /// A reference (exact, any case), a personal identity code (exact) or any part of the
    /// client's name (case and accents ignored). Sent in the body, so it stays out of
    /// addresses and logs.
    pub q: String,
}

#[utoipa::path(tag = "requests", request_body = SearchInput, security(("bearer" = [])), responses(
    (status = 200, body = SearchResult, description = "Matching requests of your organisation, open and closed"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
))]
#[post("/requests/search")]
pub async fn search(
    ctx: web::Data<Context>,
    auth: Auth,
    body: web::Json<SearchInput>,
) -> Result<HttpResponse, AppError> {
    let q = body.into_inner().q;
    let out = blocking(move || desk::search(&ctx, &auth.0, &q)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "requests", params(("id" = String, Path, description = "Request id")), security(("bearer" = [])), responses(
    (status = 201, body = NewStatusCode, description = "A new status code, shown this once; the old one stops working"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "Only staff issue codes"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
))]
#[post("/requests/{id}/status-code")]
pub async fn reissue_status_code(
    ctx: web::Data<Context>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let out = blocking(move || status_code::reissue(&ctx, &auth.0, &id)).await?;
    Ok(HttpResponse::Created().json(out))
}
