//! The items of a rectification, erasure or restriction request: add one, and decide one
//! (done, with before and after; or refused, with its ground and the words the client reads).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::fields::{checked_form, error_views, ground_choices, ground_label, typed_date};
use super::{render, see_other, signed_in, Desk};
use crate::domain::enums::{ItemDecision, RequestKind, Role};
use crate::domain::validation::FieldError;
use crate::edge::session::Session;
use crate::services::gathering::{self, ItemDecisionInput, ItemInput, ItemOutput};
use crate::services::views::RequestOutput;
use crate::services::{blocking, queries, Context, ServiceError};
use crate::web::error::error_page;
use crate::web::form::Posted;
use crate::web::format_date;
use crate::web::site::{notice, site};

/// The kinds whose answer is decided item by item.
pub const ITEM_KINDS: [RequestKind; 3] = [
    RequestKind::Rectification,
    RequestKind::Erasure,
    RequestKind::Restriction,
];

struct Loaded {
    request: RequestOutput,
    items: Vec<ItemOutput>,
    registers: Vec<(String, String)>,
}

async fn load(ctx: &web::Data<Context>, desk: &Desk, id: String) -> Result<Loaded, ServiceError> {
    let c = ctx.clone();
    let p = desk.principal.clone();
    blocking(move || {
        let request = queries::get(&c, &p, &id)?;
        let items = gathering::list_items(&c, &p, &id)?;
        let mut conn = c.conn()?;
        let registers = crate::db::requests::registers_of(&mut conn, &id)?
            .into_iter()
            .map(|r| (r.slug, r.name))
            .collect();
        Ok(Loaded {
            request,
            items,
            registers,
        })
    })
    .await
}

/// Every field a template may ask about, so an absent error is null, not undefined.
const ITEM_FIELDS: [&str; 10] = [
    "description",
    "register",
    "record_category",
    "retention_start_on",
    "decision",
    "before",
    "after",
    "reason",
    "ground",
    "explanation",
];

fn errors_view(ctx: &Context, desk: &Desk, errors: &[FieldError]) -> (Value, Vec<Value>) {
    let (by_field, summary) = error_views(ctx, desk.lang, &ITEM_FIELDS, "desk_item_field_", errors);
    (Value::Object(by_field), summary)
}

fn allowed(desk: &Desk, request: &RequestOutput) -> bool {
    desk.is(&[Role::Staff]) && ITEM_KINDS.contains(&request.kind) && !request.state.is_terminal()
}

/// `GET /desk/requests/{id}/items/new`.
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
    add_page(
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

/// `POST /desk/requests/{id}/items/new`.
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
    let text = |k: &str| {
        posted
            .get(k)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let start = text("retention_start_on");
    let retention_start_on = match start.as_deref().map(typed_date) {
        Some(None) => {
            let errors = [FieldError::new(
                "retention_start_on",
                crate::domain::codes::FieldCode::InvalidDate,
            )];
            return add_page(
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
        Some(Some(d)) => Some(d),
        None => None,
    };
    let input = ItemInput {
        description: posted.get("description").unwrap_or("").to_string(),
        register: text("register"),
        record_category: text("record_category"),
        retention_start_on,
    };
    let c = ctx.clone();
    let p = desk.principal.clone();
    let request_id = id.clone();
    match blocking(move || gathering::add_item(&c, &p, &request_id, input)).await {
        Ok(_) => see_other(format!(
            "/desk/requests/{id}?lang={}&done=item_added#items-h",
            desk.lang.as_str()
        )),
        Err(ServiceError::Validation(errors)) => {
            add_page(
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

async fn add_page(
    ctx: &web::Data<Context>,
    req: &HttpRequest,
    desk: &Desk,
    id: String,
    posted: &Posted,
    errors: &[FieldError],
    status: StatusCode,
) -> HttpResponse {
    let loaded = match load(ctx, desk, id).await {
        Ok(l) => l,
        Err(e) => return error_page(ctx, req, e),
    };
    if !allowed(desk, &loaded.request) {
        return notice(
            req,
            StatusCode::FORBIDDEN,
            "forbidden_title",
            "desk_action_not_available",
        );
    }
    let lang = desk.lang;
    let t = site();
    let (by_field, summary) = errors_view(ctx, desk, errors);
    let chosen_register = posted.get("register").unwrap_or("");
    let chosen_category = posted.get("record_category").unwrap_or("");
    let registers: Vec<Value> = loaded
        .registers
        .iter()
        .map(|(slug, name)| json!({ "value": slug, "label": name, "selected": slug == chosen_register }))
        .collect();
    let categories: Vec<Value> = ctx
        .rules
        .retention
        .categories()
        .iter()
        .map(|c| {
            json!({
                "value": c.code,
                "label": c.name.as_ref().map(|n| n.get(lang).to_string()).unwrap_or_else(|| c.code.clone()),
                "selected": c.code == chosen_category,
            })
        })
        .collect();
    let r = &loaded.request;
    let title = format!("{} – {}", t.text("desk_item_add", lang), r.reference);
    render(
        ctx,
        req,
        desk,
        status,
        title,
        "desk_item_add.html",
        json!({
            "reference": r.reference,
            "case_href": format!("/desk/requests/{}?lang={}", r.id, lang.as_str()),
            "post": format!("/desk/requests/{}/items/new?lang={}", r.id, lang.as_str()),
            "erasure": r.kind == RequestKind::Erasure,
            "registers": registers,
            "categories": categories,
            "values": {
                "description": posted.get("description").unwrap_or(""),
                "retention_start_on": posted.get("retention_start_on").unwrap_or(""),
            },
            "errors": by_field,
            "summary": summary,
        }),
    )
}

/// `GET /desk/requests/{id}/items/{number}`.
pub async fn decide_form(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let (id, number) = path.into_inner();
    decide_page(
        &ctx,
        &req,
        &desk,
        id,
        number,
        &Posted(Vec::new()),
        &[],
        StatusCode::OK,
    )
    .await
}

/// `POST /desk/requests/{id}/items/{number}`.
pub async fn decide(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
    body: web::Bytes,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let (id, number) = path.into_inner();
    let posted = match checked_form(&req, &body) {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    let text = |k: &str| posted.get(k).map(str::to_string);
    let input = ItemDecisionInput {
        decision: posted.get("decision").unwrap_or("").to_string(),
        before: text("before"),
        after: text("after"),
        reason: text("reason"),
        ground: posted
            .get("ground")
            .filter(|g| !g.is_empty())
            .map(str::to_string),
        explanation: text("explanation"),
    };
    let c = ctx.clone();
    let p = desk.principal.clone();
    let request_id = id.clone();
    match blocking(move || gathering::decide_item(&c, &p, &request_id, number, input)).await {
        Ok(_) => see_other(format!(
            "/desk/requests/{id}?lang={}&done=item_decided#items-h",
            desk.lang.as_str()
        )),
        Err(ServiceError::Validation(errors)) => {
            decide_page(
                &ctx,
                &req,
                &desk,
                id,
                number,
                &posted,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_page(&ctx, &req, e),
    }
}

#[allow(clippy::too_many_arguments)]
async fn decide_page(
    ctx: &web::Data<Context>,
    req: &HttpRequest,
    desk: &Desk,
    id: String,
    number: i32,
    posted: &Posted,
    errors: &[FieldError],
    status: StatusCode,
) -> HttpResponse {
    let loaded = match load(ctx, desk, id).await {
        Ok(l) => l,
        Err(e) => return error_page(ctx, req, e),
    };
    if !allowed(desk, &loaded.request) {
        return notice(
            req,
            StatusCode::FORBIDDEN,
            "forbidden_title",
            "desk_action_not_available",
        );
    }
    let Some(item) = loaded.items.iter().find(|i| i.number == number) else {
        return notice(
            req,
            StatusCode::NOT_FOUND,
            "not_found_title",
            "not_found_text",
        );
    };
    let lang = desk.lang;
    let t = site();
    let r = &loaded.request;
    let (by_field, summary) = errors_view(ctx, desk, errors);
    let value = |k: &str, stored: &Option<String>| -> String {
        posted
            .get(k)
            .map(str::to_string)
            .or_else(|| stored.clone())
            .unwrap_or_default()
    };
    let decision = posted
        .get("decision")
        .map(str::to_string)
        .or_else(|| item.decision.map(|d| d.as_str().to_string()))
        .unwrap_or_default();
    let ground = value("ground", &item.ground);
    let grounds = ground_choices(ctx, r.kind, lang, |code| code == ground);
    let decisions: Vec<Value> = [ItemDecision::Done, ItemDecision::Refused]
        .iter()
        .map(|d| {
            json!({
                "value": d.as_str(),
                "label": t.text(&format!("desk_item_decide_{}", d.as_str()), lang),
                "checked": decision == d.as_str(),
            })
        })
        .collect();
    let proposal = item.proposal.as_ref().map(|p| {
        json!({
            "decision": t.text(&format!("desk_item_decide_{}", p.decision.as_str()), lang),
            "ground": ground_label(ctx, &p.ground, lang),
            // In the reader's language, not the API's English sentence.
            "explanation": match item.retention_ends_on {
                Some(d) if !item.retention_permanent => t
                    .text("desk_item_proposal_kept_until", lang)
                    .replace("{date}", &format_date(d, lang)),
                _ => t.text("desk_item_proposal_kept_permanently", lang),
            },
        })
    });
    let title = format!(
        "{} – {}",
        t.text("desk_item_decide", lang)
            .replace("{number}", &number.to_string()),
        r.reference
    );
    render(
        ctx,
        req,
        desk,
        status,
        title,
        "desk_item_decide.html",
        json!({
            "heading": t.text("desk_item_decide", lang).replace("{number}", &number.to_string()),
            "description": item.description,
            "reference": r.reference,
            "case_href": format!("/desk/requests/{}?lang={}", r.id, lang.as_str()),
            "post": format!("/desk/requests/{}/items/{number}?lang={}", r.id, lang.as_str()),
            "rectification": r.kind == RequestKind::Rectification,
            "decisions": decisions,
            "grounds": grounds,
            "proposal": proposal,
            "values": {
                "before": value("before", &item.before),
                "after": value("after", &item.after),
                "reason": value("reason", &item.reason),
                "explanation": value("explanation", &item.explanation),
            },
            "errors": by_field,
            "summary": summary,
        }),
    )
}
