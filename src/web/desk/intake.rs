//! Intake by staff: a request that came on paper, by phone or in person is keyed in with
//! the date it really arrived, on the same form definitions as the public form, and ends on
//! a receipt page with the reference and the client's status code (shown this once).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::fields::typed_date;
use super::{render, signed_in, Desk};
use crate::db::models::RegisterRow;
use crate::domain::enums::{Channel, Language, RequestKind, Role};
use crate::domain::validation::FieldError;
use crate::edge::session::Session;
use crate::services::{blocking, submissions, Context, ServiceError};
use crate::web::error::error_page;
use crate::web::form::{self, Drawer, Posted};
use crate::web::site::{notice, site};
use crate::web::{csrf, format_date};

/// How a request reaches staff; the web form is the client's own.
const STAFF_CHANNELS: [Channel; 4] = [
    Channel::Letter,
    Channel::InPerson,
    Channel::Phone,
    Channel::Email,
];

async fn registers(
    ctx: &web::Data<Context>,
    desk: &Desk,
) -> Result<Vec<RegisterRow>, ServiceError> {
    let c = ctx.clone();
    let org = desk.principal.org_id.clone();
    let lang = desk.lang;
    blocking(move || {
        let mut conn = c.conn()?;
        // Named in the reader's language, Finnish where a name has no translation.
        Ok(crate::db::orgs::list_registers(&mut conn, &org)?
            .iter()
            .map(|r| crate::services::profile::register_in(r, lang))
            .collect())
    })
    .await
}

/// `GET /desk/intake`: which kind of request came in.
pub async fn choose(
    ctx: web::Data<Context>,
    req: HttpRequest,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    if !desk.is(&[Role::Staff]) {
        return notice(
            &req,
            StatusCode::FORBIDDEN,
            "forbidden_title",
            "desk_action_not_available",
        );
    }
    let lang = desk.lang;
    let forms = &ctx.rules.forms;
    let kinds: Vec<Value> = RequestKind::ALL
        .iter()
        .map(|k| {
            let def = forms.form(*k);
            json!({
                "href": format!("/desk/intake/{}?lang={}", k.as_str(), lang.as_str()),
                "title": def.title.get(lang),
                "description": def.description.get(lang),
            })
        })
        .collect();
    let title = site().text("desk_intake_title", lang);
    render(
        &ctx,
        &req,
        &desk,
        StatusCode::OK,
        title,
        "desk_intake_choose.html",
        json!({ "kinds": kinds }),
    )
}

/// `GET /desk/intake/{kind}`.
pub async fn form_page(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let Some(kind) = RequestKind::parse(&path) else {
        return notice(
            &req,
            StatusCode::NOT_FOUND,
            "not_found_title",
            "not_found_text",
        );
    };
    if !desk.is(&[Role::Staff]) {
        return notice(
            &req,
            StatusCode::FORBIDDEN,
            "forbidden_title",
            "desk_action_not_available",
        );
    }
    let registers = match registers(&ctx, &desk).await {
        Ok(r) => r,
        Err(e) => return error_page(&ctx, &req, e),
    };
    let today = ctx.today().format("%Y-%m-%d").to_string();
    let posted = Posted(vec![
        ("received_on".into(), today),
        ("channel".into(), "letter".into()),
    ]);
    intake_form(&ctx, &req, &desk, kind, &registers, &posted, &[])
}

/// `POST /desk/intake/{kind}`: the same validation and durable write as the API.
pub async fn submit(
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
    let Some(kind) = RequestKind::parse(&path) else {
        return notice(
            &req,
            StatusCode::NOT_FOUND,
            "not_found_title",
            "not_found_text",
        );
    };
    if !desk.is(&[Role::Staff]) {
        return notice(
            &req,
            StatusCode::FORBIDDEN,
            "forbidden_title",
            "desk_action_not_available",
        );
    }
    let Some(posted) = Posted::parse(&body) else {
        return notice(&req, StatusCode::FORBIDDEN, "csrf_title", "csrf_text");
    };
    if !csrf::verify(&req, posted.get(csrf::FIELD)) {
        return notice(&req, StatusCode::FORBIDDEN, "csrf_title", "csrf_text");
    }
    let registers = match registers(&ctx, &desk).await {
        Ok(r) => r,
        Err(e) => return error_page(&ctx, &req, e),
    };
    let service_language = posted
        .get("service_language")
        .and_then(Language::parse)
        .unwrap_or(desk.lang);
    let mut api_body = form::to_body(&ctx.rules.forms, kind, service_language, "", &posted);
    if let Value::Object(map) = &mut api_body {
        map.remove("organisation");
        map.insert("channel".into(), json!(posted.get("channel").unwrap_or("")));
        let received = posted.get("received_on").unwrap_or("").trim();
        // A date typed as d.m.yyyy is passed on as the API takes it; anything else is
        // passed as typed, for the API's own validation to name.
        let received = typed_date(received)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| received.to_string());
        map.insert("received_on".into(), json!(received));
    }
    let principal = desk.principal.clone();
    match submissions::submit(ctx.clone().into_inner(), api_body, Some(principal), None).await {
        Ok(created) => {
            let r = created.request;
            tracing::info!(reference = %r.reference, kind = %r.kind, channel = %r.channel, "request entered by staff");
            let lang = desk.lang;
            let title = site().text("desk_intake_done_title", lang);
            render(
                &ctx,
                &req,
                &desk,
                StatusCode::CREATED,
                title,
                "desk_intake_done.html",
                json!({
                    "id": r.id,
                    "reference": r.reference,
                    "status_code": created.status_token,
                    "received_on": format_date(r.received_on, lang),
                    "due_on": format_date(r.due_on, lang),
                    "case_href": format!("/desk/requests/{}?lang={}", r.id, lang.as_str()),
                    "status_url": format!("{}/{}/status", ctx.settings.web.public_url.trim_end_matches('/'), org_slug(&ctx, &desk).await),
                }),
            )
        }
        Err(ServiceError::Validation(errors)) => {
            intake_form(&ctx, &req, &desk, kind, &registers, &posted, &errors)
        }
        Err(e) => error_page(&ctx, &req, e),
    }
}

async fn org_slug(ctx: &web::Data<Context>, desk: &Desk) -> String {
    let c = ctx.clone();
    let org = desk.principal.org_id.clone();
    blocking(move || {
        let mut conn = c.conn()?;
        Ok(crate::db::orgs::find_organisation(&mut conn, &org)?.slug)
    })
    .await
    .unwrap_or_default()
}

fn intake_form(
    ctx: &Context,
    req: &HttpRequest,
    desk: &Desk,
    kind: RequestKind,
    registers: &[RegisterRow],
    posted: &Posted,
    errors: &[FieldError],
) -> HttpResponse {
    let lang = desk.lang;
    let t = site();
    let forms = &ctx.rules.forms;
    let def = forms.form(kind);
    let mut fields = form::page_fields(forms, kind, lang);
    // The intake's own fields first, as on the page.
    for (path, key) in [
        ("received_on", "desk_intake_received_on"),
        ("channel", "desk_intake_channel"),
    ] {
        fields.insert(
            0,
            form::PageField {
                path: path.into(),
                label: t.text(key, lang),
                field_type: crate::domain::forms::FieldType::Text,
            },
        );
    }
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
                "slug": r.slug, "name": r.name,
                "id": format!("f-registers-{}", r.slug),
                "checked": chosen.contains(&r.slug.as_str()),
            })
        })
        .collect();
    let channel = posted.get("channel").unwrap_or("");
    let channels: Vec<Value> = STAFF_CHANNELS
        .iter()
        .map(|c| {
            json!({
                "value": c.as_str(),
                "label": t.text(&format!("desk_channel_{}", c.as_str()), lang),
                "checked": channel == c.as_str(),
            })
        })
        .collect();
    let service = posted
        .get("service_language")
        .and_then(Language::parse)
        .unwrap_or(lang);
    let languages: Vec<Value> = Language::ALL
        .iter()
        .map(|l| {
            json!({
                "value": l.as_str(),
                "label": t.text(&format!("desk_lang_{}", l.as_str()), lang),
                "checked": *l == service,
            })
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = format!(
        "{}: {}",
        t.text("desk_intake_title", lang),
        def.title.get(lang)
    );
    render(
        ctx,
        req,
        desk,
        status,
        title.clone(),
        "desk_intake.html",
        json!({
            "heading": title,
            "statute": def.statute.get(lang),
            "action": format!("/desk/intake/{}?lang={}", kind.as_str(), lang.as_str()),
            "received_on": posted.get("received_on").unwrap_or(""),
            "received_error": by_field.get("received_on"),
            "channels": channels,
            "channel_error": by_field.get("channel"),
            "languages": languages,
            "details": drawer.fields(&def.fields, "details"),
            "subject": drawer.fields(&forms.subject, "subject"),
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
            "today": ctx.today().format("%Y-%m-%d").to_string(),
        }),
    )
}
