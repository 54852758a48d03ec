//! Access-log ingestion (ingest tokens), the log search and the log report.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::auth::Auth;
use super::body::OptionalJson;
use super::error::{AppError, Problem};
use crate::domain::access_log::read_body;
use crate::domain::codes::ProblemCode;
use crate::edge::session::bearer_token;
use crate::services::documents::DocumentOutput;
use crate::services::logs::{
    self, ImportSummary, Importer, IngestTokenInput, IngestTokenOutput, IngestTokenSummary,
    LogSearchInput, LogSearchOutput, MisuseFindingInput, MisuseFindingOutput,
};
use crate::services::{blocking, Context, ServiceError};

/// Largest ingestion body; bigger files go through `rightsdesk logs import`.
pub const MAX_INGEST_BODY: usize = 64 * 1024 * 1024;

#[derive(Deserialize, IntoParams)]
pub struct IngestQuery {
    /// Register slug for events without a `register` field.
    pub register: Option<String>,
}

/// One access-log event as a client system sends it (documentation of the accepted body).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AccessEventInput {
    /// The source's own id: the idempotency key.
    pub event_id: String,
    /// RFC 3339, e.g. 2025-03-04T09:15:22+02:00.
    pub occurred_at: String,
    /// The client's identity code: hashed on arrival, never stored.
    pub subject_id: String,
    pub user_name: String,
    pub user_title: String,
    pub unit: String,
    /// view, create, update, print, disclose, ...
    pub action: String,
    /// Care relationship, statutory task, consent, ...
    pub basis: String,
    /// Who received the data, for disclosures.
    pub recipient: Option<String>,
    pub source: Option<String>,
    /// Register slug, when the events mix registers.
    pub register: Option<String>,
}

#[utoipa::path(tag = "access-log", params(IngestQuery), request_body(content = Vec<AccessEventInput>, content_type = "application/json", description = "A JSON array of events; NDJSON (application/x-ndjson, one event per line) is accepted too"),
    security(("bearer" = [])), responses(
    (status = 200, body = ImportSummary, description = "Read, stored, duplicates skipped, rejected lines with reasons"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "No valid ingest token"),
    (status = 413, body = Problem, content_type = "application/problem+json", description = "Body over 64 MiB: use the CLI"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Unknown register"),
))]
#[post("/access-log/events")]
pub async fn ingest(
    ctx: web::Data<Context>,
    req: HttpRequest,
    query: web::Query<IngestQuery>,
    mut payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let token = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .unwrap_or("")
        .to_string();
    // The token first: nobody without one makes the service read up to 64 MiB.
    let c = ctx.clone();
    let caller = blocking(move || logs::authenticate_ingest(&c, &token)).await?;
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_INGEST_BODY) {
        return Ok(too_large());
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = next_chunk(&mut payload).await {
        let chunk = chunk.map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
        if body.len() + chunk.len() > MAX_INGEST_BODY {
            return Ok(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    let register = query.into_inner().register;
    let summary = blocking(move || {
        let mut importer = Importer::new(
            &ctx,
            &caller.org_id,
            register.as_deref(),
            Some(&caller.source),
        )?;
        let mut conn = ctx.conn()?;
        for item in read_body(&body) {
            importer.add(&mut conn, item)?;
        }
        importer.flush(&mut conn)?;
        tracing::info!(
            read = importer.summary.read,
            stored = importer.summary.stored,
            rejected = importer.summary.rejected,
            "access-log events ingested"
        );
        Ok::<_, ServiceError>(importer.summary)
    })
    .await?;
    Ok(HttpResponse::Ok().json(summary))
}

fn too_large() -> HttpResponse {
    Problem::new(
        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
        ProblemCode::PayloadTooLarge,
        "the body is over 64 MiB: send it in parts, or import the file with `rightsdesk logs import`",
    )
    .response()
}

/// The next chunk of the body stream, without another dependency.
async fn next_chunk(
    payload: &mut web::Payload,
) -> Option<Result<web::Bytes, actix_web::error::PayloadError>> {
    use futures_core::Stream;
    std::future::poll_fn(|cx| std::pin::Pin::new(&mut *payload).poll_next(cx)).await
}

#[utoipa::path(tag = "access-log", request_body = IngestTokenInput, security(("bearer" = [])), responses(
    (status = 201, body = IngestTokenOutput, description = "The token, shown once"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "Admins only"),
))]
#[post("/ingest-tokens")]
pub async fn create_token(
    ctx: web::Data<Context>,
    auth: Auth,
    body: web::Json<IngestTokenInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let out = blocking(move || logs::create_ingest_token(&ctx, &auth.0, input)).await?;
    Ok(HttpResponse::Created().json(out))
}

#[utoipa::path(tag = "access-log", security(("bearer" = [])), responses(
    (status = 200, body = Vec<IngestTokenSummary>, description = "The organisation's ingest tokens, newest first, without their secrets"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "Admins only"),
))]
#[get("/ingest-tokens")]
pub async fn list_tokens(ctx: web::Data<Context>, auth: Auth) -> Result<HttpResponse, AppError> {
    let out = blocking(move || logs::list_ingest_tokens(&ctx, &auth.0)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Revokes an ingest token: the next ingestion with it is refused (401). Revoking a revoked
/// token changes nothing.
#[utoipa::path(tag = "access-log", params(("id" = String, Path, description = "Ingest token id")), security(("bearer" = [])), responses(
    (status = 200, body = IngestTokenSummary, description = "The token, now revoked"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "Admins only"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such token in your organisation"),
))]
#[delete("/ingest-tokens/{id}")]
pub async fn revoke_token(
    ctx: web::Data<Context>,
    auth: Auth,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let out = blocking(move || logs::revoke_ingest_token(&ctx, &auth.0, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "access-log", params(("id" = String, Path, description = "Request id")), request_body = Option<LogSearchInput>, security(("bearer" = [])), responses(
    (status = 200, body = LogSearchOutput, description = "The subject's events in the period, grouped by day and user"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "A body was sent but is not a valid LogSearchInput"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "Not a log-inspection request"),
))]
#[post("/requests/{id}/log-search")]
pub async fn search(
    ctx: web::Data<Context>,
    auth: Auth,
    id: web::Path<String>,
    body: OptionalJson<LogSearchInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let out = blocking(move || logs::search(&ctx, &auth.0, &id, &input)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "access-log", params(("id" = String, Path, description = "Request id")), request_body = Option<LogSearchInput>, security(("bearer" = [])), responses(
    (status = 201, body = Vec<DocumentOutput>, description = "The report as PDF and CSV, stored and released"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "A body was sent but is not a valid LogSearchInput; nothing is made"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "Not a log-inspection request"),
))]
#[post("/requests/{id}/log-report")]
pub async fn report(
    ctx: web::Data<Context>,
    auth: Auth,
    id: web::Path<String>,
    body: OptionalJson<LogSearchInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let out = blocking(move || logs::report(&ctx, &auth.0, &id, &input)).await?;
    Ok(HttpResponse::Created().json(out))
}

#[utoipa::path(tag = "access-log", params(("id" = String, Path, description = "Request id")), request_body = MisuseFindingInput, security(("bearer" = [])), responses(
    (status = 201, body = MisuseFindingOutput, description = "Recorded and audited; the answer letter states the latest finding"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "Not a log-inspection request, or the request is closed"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "No finding text, or a date in the future or before receipt"),
))]
#[post("/requests/{id}/misuse-finding")]
pub async fn record_misuse_finding(
    ctx: web::Data<Context>,
    auth: Auth,
    id: web::Path<String>,
    body: web::Json<MisuseFindingInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let out = blocking(move || logs::record_finding(&ctx, &auth.0, &id, input)).await?;
    Ok(HttpResponse::Created().json(out))
}
