//! Ingest tokens: how a client system (a patient record, a case-management system) sends
//! its access-log events. A new token is shown once, on the page that made it; the list
//! never shows a secret; a revoked token stops working at once.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{admin_or_return, done_notice, posted_text, Field, FormPage, ListPage};
use crate::domain::enums::Language;
use crate::domain::validation::FieldError;
use crate::edge::session::Session;
use crate::services::logs::{self, IngestTokenInput, IngestTokenSummary};
use crate::services::{blocking, Context, ServiceError};
use crate::web::desk::fields::checked_form;
use crate::web::desk::{see_other, Desk};
use crate::web::error::error_page;
use crate::web::form::Posted;
use crate::web::format_date;
use crate::web::site::site;

fn tokens_href(lang: Language) -> String {
    format!("/desk/admin/tokens?lang={}", lang.as_str())
}

async fn load(
    ctx: &web::Data<Context>,
    desk: &Desk,
) -> Result<Vec<IngestTokenSummary>, ServiceError> {
    let c = ctx.clone();
    let p = desk.principal.clone();
    blocking(move || logs::list_ingest_tokens(&c, &p)).await
}

fn list_page(
    ctx: &Context,
    req: &HttpRequest,
    desk: &Desk,
    tokens: &[IngestTokenSummary],
    secret: Option<(String, String)>,
) -> HttpResponse {
    let (t, lang) = (site(), desk.lang);
    let rows = tokens
        .iter()
        .map(|k| {
            let state = match k.revoked_at {
                Some(at) => t
                    .text("desk_admin_token_revoked_on", lang)
                    .replace("{date}", &format_date(at.date(), lang)),
                None => t.text("desk_admin_token_in_use", lang),
            };
            let action = match k.revoked_at {
                Some(_) => (String::new(), None),
                None => (
                    format!("{}: {}", t.text("desk_admin_token_revoke", lang), k.source),
                    Some(format!(
                        "/desk/admin/tokens/{}/revoke?lang={}",
                        k.id,
                        lang.as_str()
                    )),
                ),
            };
            // Date and time in Helsinki, in words when never used.
            let last_used = match k.last_used_at {
                Some(at) => {
                    let at = at.and_utc().with_timezone(&chrono_tz::Europe::Helsinki);
                    t.text("desk_admin_token_used_at", lang)
                        .replace("{date}", &format_date(at.date_naive(), lang))
                        .replace(
                            "{time}",
                            &at.format(if lang == Language::En {
                                "%H:%M"
                            } else {
                                "%H.%M"
                            })
                            .to_string(),
                        )
                }
                None => t.text("desk_admin_token_never_used", lang),
            };
            vec![
                (k.source.clone(), None),
                (format_date(k.created_at.date(), lang), None),
                (last_used, None),
                (state, None),
                action,
            ]
        })
        .collect();
    ListPage {
        title: t.text("desk_admin_tokens_title", lang),
        intro: t.text("desk_admin_tokens_page_intro", lang),
        done: done_notice(req, lang),
        new: Some((
            format!("/desk/admin/tokens/new?lang={}", lang.as_str()),
            t.text("desk_admin_token_new", lang),
        )),
        columns: [
            "desk_admin_field_source",
            "desk_admin_token_created",
            "desk_admin_token_last_used",
            "desk_admin_token_state",
            "desk_admin_token_actions",
        ]
        .iter()
        .map(|k| t.text(k, lang))
        .collect(),
        rows,
        empty: t.text("desk_admin_tokens_none", lang),
        secret,
    }
    .render(ctx, req, desk)
}

/// `GET /desk/admin/tokens`.
pub async fn list(
    ctx: web::Data<Context>,
    req: HttpRequest,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    match load(&ctx, &desk).await {
        Ok(tokens) => list_page(&ctx, &req, &desk, &tokens, None),
        Err(e) => error_page(&ctx, &req, e),
    }
}

fn new_page(
    ctx: &Context,
    req: &HttpRequest,
    desk: &Desk,
    posted: &Posted,
    errors: &[FieldError],
    status: StatusCode,
) -> HttpResponse {
    let (t, lang) = (site(), desk.lang);
    FormPage {
        title: t.text("desk_admin_token_new", lang),
        intro: Some(t.text("desk_admin_token_new_intro", lang)),
        back: (tokens_href(lang), t.text("desk_admin_tokens_title", lang)),
        post: format!("/desk/admin/tokens/new?lang={}", lang.as_str()),
        submit: t.text("desk_admin_token_create", lang),
        facts: Vec::new(),
        consequence: None,
        links: Vec::new(),
        fields: vec![Field::new(
            "source",
            "text",
            "desk_admin_field_source",
            posted.get("source").unwrap_or(""),
        )],
        errors,
    }
    .render(ctx, req, desk, status)
}

/// `GET /desk/admin/tokens/new`.
pub async fn new_form(
    ctx: web::Data<Context>,
    req: HttpRequest,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    new_page(&ctx, &req, &desk, &Posted(Vec::new()), &[], StatusCode::OK)
}

/// `POST /desk/admin/tokens/new`: makes the token and shows it once, in this answer only
/// (never in an address, so it stays out of the history and the logs).
pub async fn create(
    ctx: web::Data<Context>,
    req: HttpRequest,
    body: web::Bytes,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    let posted = match checked_form(&req, &body) {
        Ok(p) => p,
        Err(page) => return page,
    };
    let input = IngestTokenInput {
        source: posted_text(&posted, "source"),
    };
    let c = ctx.clone();
    let p = desk.principal.clone();
    let made = match blocking(move || logs::create_ingest_token(&c, &p, input)).await {
        Ok(m) => m,
        Err(ServiceError::Validation(errors)) => {
            return new_page(
                &ctx,
                &req,
                &desk,
                &posted,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => return error_page(&ctx, &req, e),
    };
    let tokens = match load(&ctx, &desk).await {
        Ok(t) => t,
        Err(e) => return error_page(&ctx, &req, e),
    };
    let label = site()
        .text("desk_admin_token_secret", desk.lang)
        .replace("{source}", &made.source);
    list_page(&ctx, &req, &desk, &tokens, Some((label, made.token)))
}

fn revoke_page(
    ctx: &Context,
    req: &HttpRequest,
    desk: &Desk,
    token: &IngestTokenSummary,
) -> HttpResponse {
    let (t, lang) = (site(), desk.lang);
    FormPage {
        title: format!(
            "{}: {}",
            t.text("desk_admin_token_revoke", lang),
            token.source
        ),
        intro: None,
        back: (tokens_href(lang), t.text("desk_admin_tokens_title", lang)),
        post: format!(
            "/desk/admin/tokens/{}/revoke?lang={}",
            token.id,
            lang.as_str()
        ),
        submit: t.text("desk_admin_token_revoke", lang),
        facts: vec![
            (
                t.text("desk_admin_field_source", lang),
                token.source.clone(),
            ),
            (
                t.text("desk_admin_token_created", lang),
                format_date(token.created_at.date(), lang),
            ),
        ],
        consequence: Some(
            t.text("desk_admin_token_revoke_consequence", lang)
                .replace("{source}", &token.source),
        ),
        links: Vec::new(),
        fields: Vec::new(),
        errors: &[],
    }
    .render(ctx, req, desk, StatusCode::OK)
}

/// `GET /desk/admin/tokens/{id}/revoke`: what revoking means, before it is done.
pub async fn revoke_form(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    let id = path.into_inner();
    let tokens = match load(&ctx, &desk).await {
        Ok(t) => t,
        Err(e) => return error_page(&ctx, &req, e),
    };
    match tokens.iter().find(|k| k.id == id && k.revoked_at.is_none()) {
        Some(token) => revoke_page(&ctx, &req, &desk, token),
        None => error_page(&ctx, &req, ServiceError::NotFound("ingest token")),
    }
}

/// `POST /desk/admin/tokens/{id}/revoke`.
pub async fn revoke(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    if let Err(page) = checked_form(&req, &body) {
        return page;
    }
    let id = path.into_inner();
    let c = ctx.clone();
    let p = desk.principal.clone();
    match blocking(move || logs::revoke_ingest_token(&c, &p, &id)).await {
        Ok(_) => see_other(format!("{}&done=revoked", tokens_href(desk.lang))),
        Err(e) => error_page(&ctx, &req, e),
    }
}
