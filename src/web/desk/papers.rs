//! The case page's small forms that make something: a letter made again, the signed export
//! bundle, a document given to the client or kept with staff, and the clearance of a manual
//! review. Each answers with the case page: a notice
//! when done, the reason in words when not.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::case::show;
use super::fields::{checked_form, first_message};
use super::{see_other, signed_in, Desk};
use crate::edge::session::Session;
use crate::letters::LetterKind;
use crate::services::bundles::{self, BundleInput};
use crate::services::documents::ReleaseInput;
use crate::services::gathering::{self, ReviewClearance};
use crate::services::{blocking, documents, Context, ServiceError};
use crate::web::error::error_page;
use crate::web::site::site;

/// `POST /desk/requests/{id}/documents/letter`: the letter of the kind chosen, written again
/// from the request as recorded now.
pub async fn remake_letter(
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
    let Some(kind) = posted.get("kind").and_then(LetterKind::parse) else {
        let text = site().text("desk_letter_choose", desk.lang);
        return failed(&ctx, &req, &desk, id, "doc_error", text).await;
    };
    let c = ctx.clone();
    let p = desk.principal.clone();
    let rid = id.clone();
    let made = blocking(move || documents::create_letter(&c, &p, &rid, kind)).await;
    finish(&ctx, &req, &desk, id, made.map(drop), "letter_made").await
}

/// `POST /desk/requests/{id}/documents/bundle`: the signed ZIP, kept with staff until released.
pub async fn build_bundle(
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
    let input = BundleInput {
        release: posted.get("release") == Some("on"),
    };
    let c = ctx.clone();
    let p = desk.principal.clone();
    let rid = id.clone();
    let made = blocking(move || bundles::build(&c, &p, &rid, input)).await;
    finish(&ctx, &req, &desk, id, made.map(drop), "bundle_made").await
}

/// `POST /desk/requests/{id}/documents/{doc_id}/release`: the document given to the client
/// (`release=yes`) or kept with staff (`release=no`).
pub async fn release_document(
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
    let (id, doc_id) = path.into_inner();
    let posted = match checked_form(&req, &body) {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    let released = match posted.get("release") {
        Some("yes") => true,
        Some("no") => false,
        _ => {
            let text = site().text("desk_document_release_choose", desk.lang);
            return failed(&ctx, &req, &desk, id, "doc_error", text).await;
        }
    };
    let c = ctx.clone();
    let p = desk.principal.clone();
    let rid = id.clone();
    let input = ReleaseInput { released };
    let done = if released {
        "document_released"
    } else {
        "document_held_back"
    };
    let made = blocking(move || documents::set_release(&c, &p, &rid, &doc_id, input)).await;
    finish(&ctx, &req, &desk, id, made.map(drop), done).await
}

/// `POST /desk/requests/{id}/review-clearance`: what was checked, by the one clearing it.
pub async fn clear_review(
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
    let note = posted.get("note").unwrap_or("").to_string();
    let input = ReviewClearance { note: note.clone() };
    let c = ctx.clone();
    let p = desk.principal.clone();
    let rid = id.clone();
    match blocking(move || gathering::clear_review(&c, &p, &rid, input)).await {
        Ok(()) => see_other(format!(
            "/desk/requests/{id}?lang={}&done=review_cleared",
            desk.lang.as_str()
        )),
        Err(ServiceError::Validation(errors)) => {
            let message = first_message(&ctx, desk.lang, &errors);
            let extra = json!({ "review_error": message, "review_note": note });
            show(
                &ctx,
                &req,
                &desk,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                extra,
            )
            .await
        }
        Err(ServiceError::Conflict { code, .. }) => {
            let text = conflict_text(&desk, code.as_str());
            failed(&ctx, &req, &desk, id, "review_error", text).await
        }
        Err(e) => error_page(&ctx, &req, e),
    }
}

async fn finish(
    ctx: &web::Data<Context>,
    req: &HttpRequest,
    desk: &Desk,
    id: String,
    made: Result<(), ServiceError>,
    done: &str,
) -> HttpResponse {
    match made {
        Ok(()) => see_other(format!(
            "/desk/requests/{id}?lang={}&done={done}#documents-h",
            desk.lang.as_str()
        )),
        Err(ServiceError::Conflict { code, .. }) => {
            let text = conflict_text(desk, code.as_str());
            failed(ctx, req, desk, id, "doc_error", text).await
        }
        Err(e) => error_page(ctx, req, e),
    }
}

fn conflict_text(desk: &Desk, code: &str) -> String {
    site().text_or(
        &format!("desk_conflict_{code}"),
        desk.lang,
        &site().text("conflict_text", desk.lang),
    )
}

/// The case page again, with the reason beside the form that failed.
async fn failed(
    ctx: &web::Data<Context>,
    req: &HttpRequest,
    desk: &Desk,
    id: String,
    slot: &str,
    text: String,
) -> HttpResponse {
    let mut extra = serde_json::Map::new();
    extra.insert(slot.to_string(), Value::String(text));
    show(
        ctx,
        req,
        desk,
        id,
        StatusCode::CONFLICT,
        Value::Object(extra),
    )
    .await
}
