//! The client's pages: the organisation's request page, one form per right, the receipt,
//! the status page with downloads, and the accessibility statement.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::error_page;
use super::form::{self, Drawer, Posted};
use super::site::{notice, page_language, site, Frame};
use super::{csrf, format_date, secure_cookies, too_many, with_cookie};
use crate::db::models::{OrganisationRow, RegisterRow};
use crate::db::orgs;
use crate::domain::enums::{Language, RequestKind};
use crate::domain::validation::FieldError;
use crate::edge::download::file_response;
use crate::edge::limit::{Door, LimitGuard};
use crate::edge::status_token;
use crate::services::profile::{register_in, RegisterInfo};
use crate::services::status::{self as status_service, StatusOutput};
use crate::services::{blocking, submissions, Context, ServiceError};

/// The organisation and its registers, or None for an unknown slug.
pub(super) async fn load_org(
    ctx: &web::Data<Context>,
    slug: &str,
) -> Result<Option<(OrganisationRow, Vec<RegisterRow>)>, ServiceError> {
    let c = ctx.clone();
    let slug = slug.to_string();
    blocking(move || {
        let mut conn = c.conn()?;
        let Some(org) = orgs::find_organisation_by_slug(&mut conn, &slug)? else {
            return Ok(None);
        };
        let registers = orgs::list_registers(&mut conn, &org.id)?;
        Ok(Some((org, registers)))
    })
    .await
}

fn org_value(org: &OrganisationRow) -> Value {
    json!({
        "slug": org.slug,
        "name": org.name,
        "email": org.email,
        "phone": org.phone,
        "postal_address": org.postal_address,
    })
}

/// A page in the organisation's name with a fresh or kept CSRF value.
struct OrgPage<'a> {
    frame: Frame<'a>,
    cookie: Option<actix_web::cookie::Cookie<'static>>,
}

impl<'a> OrgPage<'a> {
    fn new(
        ctx: &Context,
        req: &'a HttpRequest,
        lang: Language,
        org: &OrganisationRow,
        title: String,
    ) -> Self {
        let (token, cookie) = csrf::token(req, secure_cookies(ctx));
        OrgPage {
            frame: Frame {
                req,
                lang,
                title,
                org: Some(org_value(org)),
                csrf: Some(token),
            },
            cookie,
        }
    }

    fn render(self, status: StatusCode, template: &str, data: Value) -> HttpResponse {
        with_cookie(self.frame.page(status, template, data), self.cookie)
    }
}

pub(super) fn unknown_org(req: &HttpRequest) -> HttpResponse {
    notice(
        req,
        StatusCode::NOT_FOUND,
        "not_found_title",
        "not_found_text",
    )
}

/// The registers in the page's language (Finnish where a text has no translation).
fn register_views(registers: &[RegisterRow], lang: Language) -> Vec<Value> {
    registers
        .iter()
        .map(|r| register_in(r, lang))
        .map(|r| {
            let info = RegisterInfo::of(&r);
            json!({
                "slug": r.slug,
                "name": r.name,
                "description": r.description,
                "purposes": info.purposes,
                "data_categories": info.data_categories,
                "retention": info.retention,
            })
        })
        .collect()
}

/// `GET /{org}/`: the rights in plain language and the registers kept.
pub async fn org_page(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    let (org, registers) = match load_org(&ctx, &path).await {
        Ok(Some(found)) => found,
        Ok(None) => return unknown_org(&req),
        Err(e) => return error_page(&ctx, &req, e),
    };
    let lang = page_language(&req);
    let forms = &ctx.rules.forms;
    let kinds: Vec<Value> = forms
        .forms_in_order()
        .map(|f| {
            json!({
                "kind": f.kind.as_str(),
                "title": f.title.get(lang),
                "description": f.description.get(lang),
                "statute": f.statute.get(lang),
                "href": format!("/{}/request/{}?lang={}", org.slug, f.kind.as_str(), lang.as_str()),
                // The same form on paper, for those who cannot or will not send it online.
                "pdf_href": format!("/{}/forms/{}.pdf?lang={}", org.slug, f.kind.as_str(), lang.as_str()),
            })
        })
        .collect();
    let page = OrgPage::new(
        &ctx,
        &req,
        lang,
        &org,
        format!("{} – {}", site().text("org_page_title", lang), org.name),
    );
    page.render(
        StatusCode::OK,
        "org.html",
        json!({ "kinds": kinds, "registers": register_views(&registers, lang) }),
    )
}

/// Where the person stands with strong identification on this form.
pub enum Eid {
    /// Not identified (yet); the form offers it when the organisation has a provider.
    Unused,
    /// Came back from the provider without a valid identification.
    Failed,
    /// Identified: the sealed ticket rides along with the form.
    Proven(String),
}

/// Draws the form, filled with `posted` and marked with `errors`.
#[allow(clippy::too_many_arguments)]
pub(super) fn form_response(
    ctx: &Context,
    req: &HttpRequest,
    lang: Language,
    org: &OrganisationRow,
    registers: &[RegisterRow],
    kind: RequestKind,
    posted: &Posted,
    errors: &[FieldError],
    eid: Eid,
) -> HttpResponse {
    let forms = &ctx.rules.forms;
    let def = forms.form(kind);
    let fields = form::page_fields(forms, kind, lang);
    let (by_field, summary) = form::localise_errors(forms, lang, errors, &fields);
    let drawer = Drawer {
        lang,
        posted,
        errors: &by_field,
    };
    let chosen = posted.all("registers");
    let registers: Vec<Value> = registers
        .iter()
        .map(|r| {
            json!({
                "slug": r.slug,
                "name": register_in(r, lang).name,
                "id": format!("f-registers-{}", r.slug),
                "checked": chosen.contains(&r.slug.as_str()),
            })
        })
        .collect();
    let title = def.title.get(lang).to_string();
    let page = OrgPage::new(ctx, req, lang, org, format!("{title} – {}", org.name));
    let start = super::eid::start_href(org, kind, lang);
    let eid = match eid {
        Eid::Proven(ticket) => json!({ "ticket": ticket, "failed": false, "start": start }),
        Eid::Failed => json!({ "ticket": null, "failed": true, "start": start }),
        Eid::Unused => json!({ "ticket": null, "failed": false, "start": start }),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page.render(
        status,
        "form.html",
        json!({
            "kind": kind.as_str(),
            "heading": title,
            "description": def.description.get(lang),
            "statute": def.statute.get(lang),
            "action": format!("/{}/request/{}?lang={}", org.slug, kind.as_str(), lang.as_str()),
            "details": drawer.fields(&def.fields, "details"),
            "subject": drawer.fields(&forms.subject, "subject"),
            // The whole section is optional: nothing in it is marked required on its own.
            "representative": drawer
                .fields(&forms.representative, "representative")
                .into_iter()
                .map(|mut f| {
                    f.required = false;
                    f
                })
                .collect::<Vec<_>>(),
            "registers": registers,
            "registers_error": by_field.get("registers"),
            "errors": summary,
            "eid": eid,
        }),
    )
}

/// `GET /{org}/request/{kind}`: an empty form.
pub async fn form_page(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (slug, kind) = path.into_inner();
    let Some(kind) = RequestKind::parse(&kind) else {
        return unknown_org(&req);
    };
    match load_org(&ctx, &slug).await {
        Ok(Some((org, registers))) => form_response(
            &ctx,
            &req,
            page_language(&req),
            &org,
            &registers,
            kind,
            &Posted(Vec::new()),
            &[],
            Eid::Unused,
        ),
        Ok(None) => unknown_org(&req),
        Err(e) => error_page(&ctx, &req, e),
    }
}

fn expired_form(req: &HttpRequest) -> HttpResponse {
    notice(req, StatusCode::FORBIDDEN, "csrf_title", "csrf_text")
}

/// `POST /{org}/request/{kind}`: the same validation and durable write as the API.
pub async fn form_post(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let (slug, kind) = path.into_inner();
    let Some(kind) = RequestKind::parse(&kind) else {
        return unknown_org(&req);
    };
    let Some(posted) = Posted::parse(&body) else {
        return expired_form(&req);
    };
    if !csrf::verify(&req, posted.get(csrf::FIELD)) {
        return expired_form(&req);
    }
    let (org, registers) = match load_org(&ctx, &slug).await {
        Ok(Some(found)) => found,
        Ok(None) => return unknown_org(&req),
        Err(e) => return error_page(&ctx, &req, e),
    };
    let guard = match LimitGuard::reserve(&ctx, &req, Door::Submissions) {
        Ok(guard) => guard,
        Err(retry) => return too_many(&req, retry, Some(org_value(&org))),
    };
    let lang = page_language(&req);
    let api_body = form::to_body(&ctx.rules.forms, kind, lang, &org.slug, &posted);
    let ticket = posted.get("eid_ticket").map(str::to_string);
    let proven = ticket
        .as_deref()
        .and_then(|t| super::eid::ticket_code(&ctx, &org, t));
    let proof = proven.map(submissions::Proof::Proven);
    let eid = match (ticket, proof.is_some()) {
        (Some(t), true) => Eid::Proven(t),
        _ => Eid::Unused,
    };
    match submissions::submit(ctx.clone().into_inner(), api_body, None, proof).await {
        Ok(created) => {
            guard.keep();
            let r = created.request;
            tracing::info!(reference = %r.reference, kind = %r.kind, channel = "web_form", "request received");
            let query = serde_urlencoded::to_string([
                ("reference", r.reference.as_str()),
                ("token", created.status_token.as_str()),
                ("lang", lang.as_str()),
            ])
            .unwrap_or_default();
            let status_path = format!("/{}/status?{query}", org.slug);
            let page = OrgPage::new(&ctx, &req, lang, &org, site().text("received_title", lang));
            page.render(
                StatusCode::CREATED,
                "received.html",
                json!({
                    "reference": r.reference,
                    "token": created.status_token,
                    "received_on": format_date(r.received_on, lang),
                    "due_on": format_date(r.due_on, lang),
                    "status_path": status_path,
                    "status_url": format!("{}{status_path}", ctx.settings.web.public_url.trim_end_matches('/')),
                    "identity_verified": r.identity_json.is_some(),
                }),
            )
        }
        Err(ServiceError::Validation(errors)) => form_response(
            &ctx, &req, lang, &org, &registers, kind, &posted, &errors, eid,
        ),
        Err(e) => error_page(&ctx, &req, e),
    }
}

#[derive(Deserialize)]
pub struct StatusQuery {
    reference: Option<String>,
    token: Option<String>,
}

/// `GET /{org}/status`: the lookup form, or the status when the link carries both values.
pub async fn status_page(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<StatusQuery>,
) -> HttpResponse {
    let org = match load_org(&ctx, &path).await {
        Ok(Some((org, _))) => org,
        Ok(None) => return unknown_org(&req),
        Err(e) => return error_page(&ctx, &req, e),
    };
    match (&query.reference, &query.token) {
        (Some(r), Some(t)) if !r.trim().is_empty() && !t.trim().is_empty() => {
            show_status(&ctx, &req, &org, r.trim(), t.trim()).await
        }
        _ => status_form(&ctx, &req, &org, StatusCode::OK, false, ""),
    }
}

/// `POST /{org}/status`: the lookup form sent.
pub async fn status_post(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let Some(posted) = Posted::parse(&body) else {
        return expired_form(&req);
    };
    if !csrf::verify(&req, posted.get(csrf::FIELD)) {
        return expired_form(&req);
    }
    let org = match load_org(&ctx, &path).await {
        Ok(Some((org, _))) => org,
        Ok(None) => return unknown_org(&req),
        Err(e) => return error_page(&ctx, &req, e),
    };
    let reference = posted.get("reference").unwrap_or("").trim().to_string();
    let token = posted.get("token").unwrap_or("").trim().to_string();
    show_status(&ctx, &req, &org, &reference, &token).await
}

fn status_form(
    ctx: &Context,
    req: &HttpRequest,
    org: &OrganisationRow,
    status: StatusCode,
    not_found: bool,
    reference: &str,
) -> HttpResponse {
    let lang = page_language(req);
    let page = OrgPage::new(ctx, req, lang, org, site().text("status_title", lang));
    page.render(
        status,
        "status_form.html",
        json!({
            "action": format!("/{}/status?lang={}", org.slug, lang.as_str()),
            "not_found": not_found,
            "reference": reference,
        }),
    )
}

/// References carry their organisation's prefix: another organisation's request is not
/// shown under this one's name, and answers like any wrong guess (an empty code never matches).
fn own_reference(org: &OrganisationRow, reference: &str) -> bool {
    reference
        .trim()
        .to_uppercase()
        .starts_with(&format!("{}-", org.reference_prefix))
}

async fn show_status(
    ctx: &web::Data<Context>,
    req: &HttpRequest,
    org: &OrganisationRow,
    reference: &str,
    token: &str,
) -> HttpResponse {
    let r = reference.to_string();
    let t = match own_reference(org, reference) {
        true => token.to_string(),
        false => String::new(),
    };
    let look_up = move |c: &Context| status_service::status(c, &r, &t);
    match status_token::guarded(ctx, req, look_up).await {
        Err(retry) => too_many(req, retry, Some(org_value(org))),
        Ok(Ok(status)) => status_view(ctx, req, org, status, token),
        Ok(Err(ServiceError::NotFound(_))) => {
            status_form(ctx, req, org, StatusCode::NOT_FOUND, true, reference)
        }
        Ok(Err(e)) => error_page(ctx, req, e),
    }
}

fn status_view(
    ctx: &Context,
    req: &HttpRequest,
    org: &OrganisationRow,
    s: StatusOutput,
    token: &str,
) -> HttpResponse {
    let lang = page_language(req);
    let kind_title = ctx.rules.forms.form(s.kind).title.get(lang).to_string();
    let documents: Vec<Value> = s
        .documents
        .iter()
        .map(|d| {
            let query = serde_urlencoded::to_string([
                ("reference", s.reference.as_str()),
                ("token", token),
            ])
            .unwrap_or_default();
            json!({
                "filename": d.filename,
                "kind": d.kind,
                "size_kb": (d.size + 1023) / 1024,
                "expires_on": format_date(d.expires_at.date_naive(), lang),
                "href": format!("/{}/status/documents/{}?{query}", org.slug, d.id),
            })
        })
        .collect();
    let page = OrgPage::new(ctx, req, lang, org, site().text("status_title", lang));
    page.render(
        StatusCode::OK,
        "status.html",
        json!({
            "reference": s.reference,
            "kind_title": kind_title,
            "state": s.state.as_str(),
            "received_on": format_date(s.received_on, lang),
            "due_on": format_date(s.due_on, lang),
            "extended": s.extended,
            "extension_reason": s.extension_reason,
            "awaiting": s.awaiting.map(|a| a.as_str()),
            "awaiting_message": s.awaiting_message,
            "outcome": s.outcome.map(|o| o.as_str()),
            "closed_on": s.closed_on.map(|d| format_date(d, lang)),
            "documents": documents,
            "documents_withheld": s.documents_withheld,
            "messages": s.messages.iter().map(|m| json!({
                "on": format_date(m.sent_at.with_timezone(&chrono_tz::Europe::Helsinki).date_naive(), lang),
                "body": m.body,
            })).collect::<Vec<_>>(),
        }),
    )
}

/// `GET /{org}/status/documents/{doc_id}`: a released document, checked like the status.
pub async fn document(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<StatusQuery>,
) -> HttpResponse {
    let (slug, doc_id) = path.into_inner();
    let org = match load_org(&ctx, &slug).await {
        Ok(Some((org, _))) => org,
        Ok(None) => return unknown_org(&req),
        Err(e) => return error_page(&ctx, &req, e),
    };
    let reference = query.reference.clone().unwrap_or_default();
    let token = match own_reference(&org, &reference) {
        true => query.token.clone().unwrap_or_default(),
        false => String::new(),
    };
    let look_up = move |c: &Context| status_service::download(c, &reference, &token, &doc_id);
    match status_token::guarded(&ctx, &req, look_up).await {
        Err(retry) => too_many(&req, retry, Some(org_value(&org))),
        Ok(Ok(doc)) => file_response(
            ctx,
            doc.blob_id,
            &doc.filename,
            &doc.media_type,
            &doc.sha256,
            doc.size,
        ),
        // Held back (identity not verified, under review) answers like a wrong guess.
        Ok(Err(ServiceError::NotFound(_) | ServiceError::Conflict { .. })) => unknown_org(&req),
        Ok(Err(e)) => error_page(&ctx, &req, e),
    }
}

/// `GET /{org}/accessibility`: the accessibility statement (Act 306/2019).
pub async fn accessibility(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    let org = match load_org(&ctx, &path).await {
        Ok(Some((org, _))) => org,
        Ok(None) => return unknown_org(&req),
        Err(e) => return error_page(&ctx, &req, e),
    };
    let lang = page_language(&req);
    let mut fill = BTreeMap::new();
    fill.insert("organisation", org.name.clone());
    fill.insert("date", format_date(super::STATEMENT_DATE, lang));
    fill.insert("email", org.email.clone().unwrap_or_default());
    let filled = |key: &str| {
        let mut text = site().text(key, lang);
        for (k, v) in &fill {
            text = text.replace(&format!("{{{k}}}"), v);
        }
        text
    };
    let page = OrgPage::new(&ctx, &req, lang, &org, site().text("a11y_title", lang));
    page.render(
        StatusCode::OK,
        "accessibility.html",
        json!({
            "body": filled("a11y_body"),
            "feedback": filled("a11y_feedback_text"),
            "enforcement": filled("a11y_enforcement_text"),
        }),
    )
}
