//! Gathering in the desk: a structured entry (a title and its fields, as the source system
//! shows them) from one of the request's registers, given to the client or withheld with its
//! ground and the reason the client reads.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

use super::fields::{checked_form, ground_choices};
use super::{render, see_other, signed_in, Desk};
use crate::domain::enums::Role;
use crate::domain::validation::FieldError;
use crate::edge::session::Session;
use crate::services::gathering::{self, EntryInput};
use crate::services::{blocking, queries, Context, ServiceError};
use crate::web::error::error_page;
use crate::web::form::Posted;
use crate::web::site::{notice, site};

/// Rows of label and value offered on the page; empty rows are left out.
const ROWS: usize = 8;

/// `GET /desk/requests/{id}/entries/new`.
pub async fn new_form(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    page(
        &ctx,
        &req,
        &desk,
        path.into_inner(),
        &Posted(Vec::new()),
        &[],
        StatusCode::OK,
    )
    .await
}

/// `POST /desk/requests/{id}/entries/new`.
pub async fn add(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page_) => return page_,
    };
    let id = path.into_inner();
    let posted = match checked_form(&req, &body) {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    let mut data = Map::new();
    for i in 0..ROWS {
        let label = posted.get(&format!("label_{i}")).unwrap_or("").trim();
        let value = posted.get(&format!("value_{i}")).unwrap_or("").trim();
        if !label.is_empty() || !value.is_empty() {
            data.insert(label.to_string(), json!(value));
        }
    }
    let mut errors = Vec::new();
    if data.is_empty() {
        errors.push(FieldError::new(
            "label_0",
            crate::domain::codes::FieldCode::Required,
        ));
    }
    if data.keys().any(String::is_empty) {
        errors.push(FieldError::new(
            "label_0",
            crate::domain::codes::FieldCode::Required,
        ));
    }
    let withheld = posted.get("withheld") == Some("on");
    let text = |k: &str| {
        posted
            .get(k)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if withheld && text("withheld_ground").is_none() {
        errors.push(FieldError::new(
            "withheld_ground",
            crate::domain::codes::FieldCode::Required,
        ));
    }
    if !errors.is_empty() {
        return page(
            &ctx,
            &req,
            &desk,
            id,
            &posted,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let input = EntryInput {
        register: posted.get("register").unwrap_or("").to_string(),
        title: posted.get("title").unwrap_or("").to_string(),
        withheld_ground: if withheld {
            text("withheld_ground")
        } else {
            None
        },
        withheld_reason: if withheld {
            text("withheld_reason")
        } else {
            None
        },
        redacted: posted.get("redacted") == Some("on"),
        data: Value::Object(data),
    };
    let c = ctx.clone();
    let p = desk.principal.clone();
    let request_id = id.clone();
    match blocking(move || gathering::add_entry(&c, &p, &request_id, input)).await {
        Ok(_) => see_other(format!(
            "/desk/requests/{id}?lang={}&done=entry_added#material-h",
            desk.lang.as_str()
        )),
        Err(ServiceError::Validation(errors)) => {
            page(
                &ctx,
                &req,
                &desk,
                id,
                &posted,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_page(&ctx, &req, e),
    }
}

async fn page(
    ctx: &web::Data<Context>,
    req: &HttpRequest,
    desk: &Desk,
    id: String,
    posted: &Posted,
    errors: &[FieldError],
    status: StatusCode,
) -> HttpResponse {
    let c = ctx.clone();
    let p = desk.principal.clone();
    let loaded = blocking(move || {
        let request = queries::get(&c, &p, &id)?;
        let mut conn = c.conn()?;
        let registers = crate::db::requests::registers_of(&mut conn, &id)?;
        Ok((request, registers))
    })
    .await;
    let (request, registers) = match loaded {
        Ok(found) => found,
        Err(e) => return error_page(ctx, req, e),
    };
    if !desk.is(&[Role::Staff]) || request.state.is_terminal() {
        return notice(
            req,
            StatusCode::FORBIDDEN,
            "forbidden_title",
            "desk_action_not_available",
        );
    }
    let lang = desk.lang;
    let t = site();
    let forms = &ctx.rules.forms;
    let mut by_field: Map<String, Value> = [
        "title",
        "register",
        "label_0",
        "withheld_ground",
        "withheld_reason",
        "data",
    ]
    .into_iter()
    .map(|f| (f.to_string(), Value::Null))
    .collect();
    let summary: Vec<Value> = errors
        .iter()
        .map(|e| {
            let message = forms.message(e.code.as_str(), lang, e.params.as_ref());
            by_field.insert(e.field.clone(), json!(message));
            json!({
                "target": format!("f-{}", e.field),
                "label": t.text_or(&format!("desk_entry_field_{}", e.field), lang, ""),
                "message": message,
            })
        })
        .collect();
    let chosen = posted.get("register").unwrap_or("");
    let registers: Vec<Value> = registers
        .iter()
        .map(|r| json!({ "value": r.slug, "label": r.name, "selected": r.slug == chosen }))
        .collect();
    let ground = posted.get("withheld_ground").unwrap_or("");
    let grounds = ground_choices(ctx, request.kind, lang, |code| code == ground);
    let rows: Vec<Value> = (0..ROWS)
        .map(|i| {
            json!({
                "i": i,
                "number": i + 1,
                "label": posted.get(&format!("label_{i}")).unwrap_or(""),
                "value": posted.get(&format!("value_{i}")).unwrap_or(""),
            })
        })
        .collect();
    let title = format!("{} – {}", t.text("desk_entry_add", lang), request.reference);
    render(
        ctx,
        req,
        desk,
        status,
        title,
        "desk_entry_add.html",
        json!({
            "reference": request.reference,
            "case_href": format!("/desk/requests/{}?lang={}", request.id, lang.as_str()),
            "post": format!("/desk/requests/{}/entries/new?lang={}", request.id, lang.as_str()),
            "registers": registers,
            "grounds": grounds,
            "rows": rows,
            "values": {
                "title": posted.get("title").unwrap_or(""),
                "withheld": posted.get("withheld") == Some("on"),
                "withheld_reason": posted.get("withheld_reason").unwrap_or(""),
                "redacted": posted.get("redacted") == Some("on"),
            },
            "errors": by_field,
            "summary": summary,
        }),
    )
}
