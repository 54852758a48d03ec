//! One page per action: exactly the fields the action needs, in words, with the
//! consequence stated before it is confirmed; after it, the case page again.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde_json::{json, Value};

use super::case::offered_actions;
use super::fields::{checked_form, ground_choices, ground_label, typed_date};
use super::{render, see_other, signed_in, Desk};
use crate::domain::enums::{Channel, IdentityMethod, Outcome, Role};
use crate::domain::validation::FieldError;
use crate::domain::workflow::Action;
use crate::edge::session::Session;
use crate::services::actions::{self, ActionInput};
use crate::services::{blocking, preview, queries, Context, ServiceError};
use crate::web::error::error_page;
use crate::web::form::Posted;
use crate::web::format_date;
use crate::web::site::{notice, site};

/// Methods staff record by hand; strong electronic identification is recorded by the
/// service itself when the client signs in with it.
const MANUAL_METHODS: [IdentityMethod; 3] = [
    IdentityMethod::InPerson,
    IdentityMethod::SignedForm,
    IdentityMethod::KnownContact,
];

fn action_of(slug: &str) -> Option<Action> {
    Action::parse(&slug.replace('-', "_"))
}

/// What was typed, to show again after an error.
#[derive(Default)]
struct Typed {
    on: String,
    assignee: String,
    method: String,
    message: String,
    reason: String,
    outcome: String,
    grounds: Vec<String>,
    explanation: String,
}

impl Typed {
    fn from_posted(p: &Posted) -> Typed {
        let get = |k: &str| p.get(k).unwrap_or("").to_string();
        Typed {
            on: get("on"),
            assignee: get("assignee"),
            method: get("method"),
            message: get("message"),
            reason: get("reason"),
            outcome: get("outcome"),
            grounds: p.all("grounds").into_iter().map(str::to_string).collect(),
            explanation: get("explanation"),
        }
    }
}

/// The effective date: none typed means today; one that cannot be read is an error.
fn parse_on(s: &str) -> Result<Option<NaiveDate>, ()> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    typed_date(s).map(Some).ok_or(())
}

/// `GET /desk/requests/{id}/{action}`.
pub async fn form(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let (id, slug) = path.into_inner();
    let Some(action) = action_of(&slug) else {
        return notice(
            &req,
            StatusCode::NOT_FOUND,
            "not_found_title",
            "not_found_text",
        );
    };
    let typed = Typed {
        on: ctx.today().format("%Y-%m-%d").to_string(),
        ..Typed::default()
    };
    page(
        &ctx,
        &req,
        &desk,
        id,
        action,
        typed,
        Vec::new(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /desk/requests/{id}/{action}`.
pub async fn submit(
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
    let (id, slug) = path.into_inner();
    let Some(action) = action_of(&slug) else {
        return notice(
            &req,
            StatusCode::NOT_FOUND,
            "not_found_title",
            "not_found_text",
        );
    };
    let posted = match checked_form(&req, &body) {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    let mut typed = Typed::from_posted(&posted);
    // "Assign to me" is its own button on the assign page.
    if action == Action::Assign && posted.get("to_me").is_some() {
        typed.assignee = desk.principal.user_id.to_string();
    }
    let Ok(on) = parse_on(&typed.on) else {
        let errors = vec![FieldError::new(
            "on",
            crate::domain::codes::FieldCode::InvalidDate,
        )];
        return page(
            &ctx,
            &req,
            &desk,
            id,
            action,
            typed,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let input = ActionInput {
        action,
        on,
        assignee: Some(typed.assignee.clone()).filter(|s| !s.is_empty()),
        method: IdentityMethod::parse(&typed.method),
        reason: Some(typed.reason.clone()),
        message: Some(typed.message.clone()),
        outcome: Outcome::parse(&typed.outcome),
        grounds: typed.grounds.clone(),
        explanation: Some(typed.explanation.clone()),
    };
    let c = ctx.clone();
    let p = desk.principal.clone();
    let request_id = id.clone();
    match blocking(move || actions::apply(&c, &p, &request_id, input)).await {
        // A late clock stop was said before confirming, so the case page needs no notice.
        Ok(_) => see_other(format!(
            "/desk/requests/{id}?lang={}&done={}",
            desk.lang.as_str(),
            action.as_str()
        )),
        Err(ServiceError::Validation(errors)) => {
            page(
                &ctx,
                &req,
                &desk,
                id,
                action,
                typed,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ServiceError::Conflict { code, .. }) => {
            let text = site().text_or(
                &format!("desk_conflict_{}", code.as_str()),
                desk.lang,
                &site().text("conflict_text", desk.lang),
            );
            page(
                &ctx,
                &req,
                &desk,
                id,
                action,
                typed,
                Vec::new(),
                Some(text),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => error_page(&ctx, &req, e),
    }
}

#[allow(clippy::too_many_arguments)]
async fn page(
    ctx: &web::Data<Context>,
    req: &HttpRequest,
    desk: &Desk,
    id: String,
    action: Action,
    typed: Typed,
    errors: Vec<FieldError>,
    conflict: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let lang = desk.lang;
    let c = ctx.clone();
    let p = desk.principal.clone();
    let today = ctx.today();
    let loaded = blocking(move || {
        let request = queries::get(&c, &p, &id)?;
        let dates = preview::dates(&c, &p, &id, today)?;
        let mut conn = c.conn()?;
        let users = crate::db::orgs::list_users(&mut conn, &p.org_id)?;
        Ok((request, dates, users))
    })
    .await;
    let (request, dates, users) = match loaded {
        Ok(found) => found,
        Err(e) => return error_page(ctx, req, e),
    };
    if !offered_actions(&request, desk).contains(&action) {
        // Not offered on the case page, so not reachable from here either.
        return notice(
            req,
            StatusCode::FORBIDDEN,
            "forbidden_title",
            "desk_action_not_available",
        );
    }
    let t = site();
    let forms = &ctx.rules.forms;
    let field_error = |field: &str| -> Option<String> {
        let found: Vec<String> = errors
            .iter()
            .filter(|e| e.field == field || e.field.starts_with(&format!("{field}[")))
            .map(|e| forms.message(e.code.as_str(), lang, e.params.as_ref()))
            .collect();
        (!found.is_empty()).then(|| found.join(" "))
    };
    let summary: Vec<Value> = errors
        .iter()
        .map(|e| {
            let field = e.field.split('[').next().unwrap_or("");
            json!({
                "target": format!("f-{field}"),
                "label": t.text_or(&format!("desk_field_{field}"), lang, ""),
                "message": forms.message(e.code.as_str(), lang, e.params.as_ref()),
            })
        })
        .collect();
    let consequence = consequence(ctx, action, &request, &dates, lang);
    let staff: Vec<Value> = users
        .iter()
        .filter(|u| u.active && u.role == Role::Staff)
        .map(|u| {
            json!({
                "id": u.id.as_str(),
                "name": u.name,
                "title": u.title,
                "selected": typed.assignee == u.id.as_str()
                    || (typed.assignee.is_empty() && request.assignee.as_ref().is_some_and(|a| a.id == u.id.as_str())),
            })
        })
        .collect();
    let grounds = ground_choices(ctx, request.kind, lang, |code| {
        typed.grounds.iter().any(|g| g == code)
    });
    // A request that came as a letter usually came on the signed paper form.
    let method = if typed.method.is_empty() && request.channel == Channel::Letter {
        IdentityMethod::SignedForm.as_str().to_string()
    } else {
        typed.method.clone()
    };
    let methods: Vec<Value> = MANUAL_METHODS
        .iter()
        .map(|m| {
            json!({
                "value": m.as_str(),
                "label": t.text(&format!("desk_method_{}", m.as_str()), lang),
                "hint": t.text(&format!("desk_method_{}_hint", m.as_str()), lang),
                "checked": method == m.as_str(),
            })
        })
        .collect();
    let name = action.as_str();
    let fields: Vec<&str> = match action {
        Action::Assign => vec!["assignee"],
        Action::Start => vec!["on"],
        Action::VerifyIdentity => vec!["method", "on"],
        Action::RequestIdentity | Action::RequestClarification => vec!["message", "on"],
        Action::RequesterReplied => vec!["message", "on"],
        Action::Extend => vec!["reason", "on"],
        // The outcome and its grounds follow from the items and the material (shown below).
        Action::Complete => vec!["explanation", "on"],
        Action::Refuse => vec!["grounds", "explanation", "on"],
        Action::Withdraw => vec!["reason", "on"],
    };
    let data = json!({
        "action": name,
        "heading": t.text(&format!("desk_action_{name}"), lang),
        "intro": t.text(&format!("desk_intro_{name}"), lang),
        "reference": request.reference,
        "case_href": format!("/desk/requests/{}?lang={}", request.id, lang.as_str()),
        "post": format!("/desk/requests/{}/{}?lang={}", request.id, name.replace('_', "-"), lang.as_str()),
        "fields": fields,
        "consequence": consequence,
        "conflict": conflict,
        "summary": summary,
        "errors": {
            "on": field_error("on"), "assignee": field_error("assignee"), "method": field_error("method"),
            "message": field_error("message"), "reason": field_error("reason"), "outcome": field_error("outcome"),
            "grounds": field_error("grounds"), "explanation": field_error("explanation"),
        },
        "values": {
            "on": typed.on, "message": typed.message, "reason": typed.reason, "explanation": typed.explanation,
        },
        "today": today.format("%Y-%m-%d").to_string(),
        "received": request.received_on.format("%Y-%m-%d").to_string(),
        "staff": staff,
        "grounds": grounds,
        "methods": methods,
        "reason_label": t.text(&format!("desk_reason_{name}"), lang),
        "message_label": t.text(&format!("desk_message_{name}"), lang),
        "min_reason": (action == Action::Extend).then_some(actions::MIN_EXTENSION_REASON),
    });
    let title = format!(
        "{} – {}",
        t.text(&format!("desk_action_{name}"), lang),
        request.reference
    );
    render(ctx, req, desk, status, title, "desk_action.html", data)
}

/// The consequence of the action, in words, before it is confirmed.
fn consequence(
    ctx: &Context,
    action: Action,
    request: &crate::services::views::RequestOutput,
    dates: &preview::DatePreview,
    lang: crate::domain::enums::Language,
) -> Vec<String> {
    let t = site();
    let date = |d: NaiveDate| format_date(d, lang);
    let mut said = Vec::new();
    match action {
        Action::Extend => {
            if let Some(after) = dates.due_if_extended {
                said.push(
                    t.text("desk_will_extend", lang)
                        .replace("{from}", &date(dates.due_now))
                        .replace("{to}", &date(after)),
                );
            } else {
                said.push(t.text("desk_will_not_extend", lang));
            }
        }
        Action::RequestIdentity | Action::RequestClarification => {
            let key = if dates.stop_would_count {
                "desk_will_stop_clock"
            } else {
                "desk_will_not_stop_clock"
            };
            said.push(
                t.text(key, lang)
                    .replace("{days}", &dates.grace_days.to_string()),
            );
            said.push(t.text("desk_will_send_letter", lang));
        }
        Action::RequesterReplied | Action::VerifyIdentity if request.clock_stopped => {
            said.push(t.text("desk_will_restart_clock", lang));
        }
        Action::Start if request.assignee.is_none() => {
            said.push(t.text("desk_will_assign_you", lang));
        }
        Action::Complete => match &dates.outcome {
            Ok(derived) => {
                said.push(t.text("desk_will_outcome", lang).replace(
                    "{outcome}",
                    &t.text(&format!("desk_outcome_{}", derived.outcome.as_str()), lang),
                ));
                if !derived.grounds.is_empty() {
                    let grounds: Vec<String> = derived
                        .grounds
                        .iter()
                        .map(|g| ground_label(ctx, g, lang))
                        .collect();
                    said.push(
                        t.text("desk_will_grounds", lang)
                            .replace("{grounds}", &grounds.join("; ")),
                    );
                    said.push(t.text("desk_will_certificate", lang));
                } else {
                    said.push(t.text("desk_will_answer", lang));
                }
                said.push(t.text("desk_will_close", lang));
            }
            Err(undecided) => {
                let numbers: Vec<String> = undecided.0.iter().map(i32::to_string).collect();
                said.push(
                    t.text("desk_will_undecided", lang)
                        .replace("{items}", &numbers.join(", ")),
                );
            }
        },
        Action::Refuse => {
            said.push(t.text("desk_will_certificate", lang));
            said.push(t.text("desk_will_close", lang));
        }
        Action::Withdraw => said.push(t.text("desk_will_close", lang)),
        _ => {}
    }
    said
}
