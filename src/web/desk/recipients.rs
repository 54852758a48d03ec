//! Recipients of the data (GDPR Art 19): who was given the data that was corrected, erased or
//! restricted, and when each was told. Both forms live on the case page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::case::show;
use super::fields::{checked_form, typed_date};
use super::{see_other, signed_in, Desk};
use crate::domain::codes::FieldCode;
use crate::domain::validation::FieldError;
use crate::edge::session::Session;
use crate::services::gathering::{self, NotifiedInput, RecipientInput};
use crate::services::{blocking, Context, ServiceError};
use crate::web::error::error_page;
use crate::web::form::Posted;

/// The date field as typed: empty is none, anything else must be a date.
fn date_field(posted: &Posted, name: &str) -> Result<Option<chrono::NaiveDate>, ServiceError> {
    match posted.get(name) {
        None => Ok(None),
        Some(typed) => typed_date(typed).map(Some).ok_or_else(|| {
            ServiceError::Validation(vec![FieldError::new(name, FieldCode::InvalidDate)])
        }),
    }
}

/// `POST /desk/requests/{id}/recipients`.
pub async fn add(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let id = path.into_inner();
    let posted = match checked_form(&req, &body) {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    let name = posted.get("name").unwrap_or("").to_string();
    let result = match date_field(&posted, "notified_on") {
        Err(e) => Err(e),
        Ok(notified_on) => {
            let input = RecipientInput {
                name: name.clone(),
                register: None,
                notified_on,
            };
            let (c, p, rid) = (ctx.clone(), desk.principal.clone(), id.clone());
            blocking(move || gathering::add_recipient(&c, &p, &rid, input))
                .await
                .map(drop)
        }
    };
    answer(
        &ctx,
        &req,
        &desk,
        id,
        result,
        json!({ "recipient_name": name }),
    )
    .await
}

/// `POST /desk/requests/{id}/recipients/{recipient_id}`: the recipient was told.
pub async fn notified(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let (id, recipient_id) = path.into_inner();
    let posted = match checked_form(&req, &body) {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    let result = match date_field(&posted, "on") {
        Err(e) => Err(e),
        Ok(on) => {
            let (c, p, rid) = (ctx.clone(), desk.principal.clone(), id.clone());
            blocking(move || {
                gathering::recipient_notified(&c, &p, &rid, &recipient_id, NotifiedInput { on })
            })
            .await
            .map(drop)
        }
    };
    answer(&ctx, &req, &desk, id, result, json!({})).await
}

/// Back to the recipients on the case page, or the case page with the reason beside the form.
async fn answer(
    ctx: &web::Data<Context>,
    req: &HttpRequest,
    desk: &Desk,
    id: String,
    result: Result<(), ServiceError>,
    mut extra: serde_json::Value,
) -> HttpResponse {
    match result {
        Ok(()) => see_other(format!(
            "/desk/requests/{id}?lang={}&done=recipient#recipients-h",
            desk.lang.as_str()
        )),
        Err(ServiceError::Validation(errors)) => {
            let message = errors
                .iter()
                .map(|e| {
                    ctx.rules
                        .forms
                        .message(e.code.as_str(), desk.lang, e.params.as_ref())
                })
                .collect::<Vec<_>>()
                .join(" ");
            extra["recipient_error"] = json!(message);
            show(ctx, req, desk, id, StatusCode::UNPROCESSABLE_ENTITY, extra).await
        }
        Err(e) => error_page(ctx, req, e),
    }
}
