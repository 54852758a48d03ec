//! The DPO's views.

use actix_web::{get, post, web, HttpResponse};
use chrono::Datelike;
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::Auth;
use super::error::{AppError, Problem};
use crate::db::audit::ChainReport;
use crate::domain::codes::FieldCode;
use crate::services::corrections::{self, ReopenInput};
use crate::services::dpo::{self, Deadlines, FailedMessage, Statistics};
use crate::services::views::RequestOutput;
use crate::services::{blocking, Context, ServiceError};

#[utoipa::path(tag = "dpo", security(("bearer" = [])), responses(
    (status = 200, body = Deadlines, description = "Today's buckets: overdue, due within 7 days, paused, extended"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "DPO only"),
))]
#[get("/dpo/deadlines")]
pub async fn deadlines(ctx: web::Data<Context>, auth: Auth) -> Result<HttpResponse, AppError> {
    let out = blocking(move || dpo::deadlines(&ctx, &auth.0)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Deserialize, IntoParams)]
pub struct YearQuery {
    /// Year of receipt (default this year).
    pub year: Option<i32>,
}

#[utoipa::path(tag = "dpo", params(YearQuery), security(("bearer" = [])), responses(
    (status = 200, body = Statistics, description = "Per kind and outcome"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "Invalid query"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "DPO only"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Year out of range"),
))]
#[get("/dpo/statistics")]
pub async fn statistics(
    ctx: web::Data<Context>,
    auth: Auth,
    q: web::Query<YearQuery>,
) -> Result<HttpResponse, AppError> {
    let year = q.year.unwrap_or_else(|| ctx.today().year());
    if !(2000..=2200).contains(&year) {
        return Err(ServiceError::field("year", FieldCode::InvalidYear).into());
    }
    let out = blocking(move || dpo::statistics(&ctx, &auth.0, year)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "dpo", security(("bearer" = [])), responses(
    (status = 200, body = ChainReport, description = "Whether the organisation's audit chain is intact, and its first broken link"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "DPO or admin only"),
))]
#[get("/audit/verify")]
pub async fn verify_audit(ctx: web::Data<Context>, auth: Auth) -> Result<HttpResponse, AppError> {
    let out = blocking(move || dpo::verify_audit(&ctx, &auth.0)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "dpo", security(("bearer" = [])), responses(
    (status = 200, body = Vec<FailedMessage>, description = "Messages that could not be delivered"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "DPO only"),
))]
#[get("/dpo/failed-messages")]
pub async fn failed_messages(
    ctx: web::Data<Context>,
    auth: Auth,
) -> Result<HttpResponse, AppError> {
    let out = blocking(move || dpo::failed_messages(&ctx, &auth.0)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "dpo", params(("id" = String, Path, description = "Request id")), request_body = ReopenInput, security(("bearer" = [])), responses(
    (status = 200, body = RequestOutput, description = "Open again, in progress, with its deadline facts unchanged; the old decision is kept in the audit trail"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "DPO only"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request in your organisation"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "Not completed or refused (not_reopenable)"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "The reason is missing, too short or too long"),
))]
#[post("/requests/{id}/reopen")]
pub async fn reopen(
    ctx: web::Data<Context>,
    auth: Auth,
    id: web::Path<String>,
    body: web::Json<ReopenInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let out = blocking(move || corrections::reopen(&ctx, &auth.0, &id, input)).await?;
    Ok(HttpResponse::Ok().json(out))
}
