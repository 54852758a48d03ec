//! The case page: the actions the request allows, then who, what and when, then its
//! items, gathered material, recipients, documents, notes and history.

use std::collections::HashMap;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono_tz::Europe::Helsinki;
use serde_json::{json, Value};

use super::fields::{checked_form, first_message, ground_label};
use super::queues::days_text;
use super::words::answers;
use super::{render, see_other, signed_in, Desk};
use crate::domain::enums::{Language, RequestKind, Role};
use crate::domain::workflow::Action;
use crate::edge::download::file_response;
use crate::edge::session::Session;
use crate::services::documents::DocumentOutput;
use crate::services::gathering::{AttachmentOutput, ItemOutput, RecipientOutput};
use crate::services::messages::{self, MessageInput, MessageOutput};
use crate::services::notes::{self, NoteInput, NoteOutput};
use crate::services::queries::{self, EventOutput};
use crate::services::status_code;
use crate::services::views::RequestOutput;
use crate::services::{blocking, documents, gathering, Context, ServiceError};
use crate::web::error::error_page;
use crate::web::format_date;
use crate::web::site::{notice, site};

/// Everything the case page shows, loaded in one go.
struct Case {
    request: RequestOutput,
    items: Vec<ItemOutput>,
    attachments: Vec<AttachmentOutput>,
    recipients: Vec<RecipientOutput>,
    documents: Vec<DocumentOutput>,
    notes: Vec<NoteOutput>,
    messages: Vec<MessageOutput>,
    events: Vec<EventOutput>,
    users: HashMap<String, String>,
    registers: HashMap<String, String>,
}

async fn load(ctx: &web::Data<Context>, desk: &Desk, id: String) -> Result<Case, ServiceError> {
    let c = ctx.clone();
    let p = desk.principal.clone();
    let lang = desk.lang;
    blocking(move || {
        let request = queries::get(&c, &p, &id)?;
        // Admins may read a request but not the material gathered for it.
        let casework = p.require(&[Role::Staff, Role::Dpo]).is_ok();
        let (items, attachments, recipients, documents) = if casework {
            (
                gathering::list_items(&c, &p, &id)?,
                gathering::list_attachments(&c, &p, &id)?,
                gathering::list_recipients(&c, &p, &id)?,
                documents::list(&c, &p, &id)?,
            )
        } else {
            Default::default()
        };
        let notes = notes::list(&c, &p, &id)?;
        let messages = messages::list(&c, &p, &id)?;
        let events = queries::events(&c, &p, &id)?;
        let mut conn = c.conn()?;
        let users = crate::db::orgs::list_users(&mut conn, &p.org_id)?
            .into_iter()
            .map(|u| (u.id.into_string(), u.name))
            .collect();
        // Named in the reader's language, Finnish where a name has no translation.
        let registers = crate::db::orgs::list_registers(&mut conn, &p.org_id)?
            .iter()
            .map(|r| crate::services::profile::register_in(r, lang))
            .map(|r| (r.slug, r.name))
            .collect();
        Ok(Case {
            request,
            items,
            attachments,
            recipients,
            documents,
            notes,
            messages,
            events,
            users,
            registers,
        })
    })
    .await
}

/// The actions offered as buttons: those the state allows and the viewer's role may take,
/// minus any that could only fail (a second extension).
pub fn offered_actions(request: &RequestOutput, desk: &Desk) -> Vec<Action> {
    if !desk.is(&[Role::Staff]) {
        return Vec::new();
    }
    request
        .allowed_actions
        .iter()
        .copied()
        .filter(|a| !(matches!(a, Action::Extend) && request.extended))
        .collect()
}

fn when(t: chrono::DateTime<chrono::Utc>, lang: Language) -> String {
    let at = t.with_timezone(&Helsinki);
    format!(
        "{} {}",
        format_date(at.date_naive(), lang),
        at.format("%H:%M")
    )
}

fn date_opt(d: Option<chrono::NaiveDate>, lang: Language) -> Option<String> {
    d.map(|d| format_date(d, lang))
}

fn view(ctx: &Context, desk: &Desk, case: &Case) -> Value {
    let lang = desk.lang;
    let t = site();
    let r = &case.request;
    let user = |id: &Option<String>| id.as_ref().and_then(|id| case.users.get(id)).cloned();
    let forms = &ctx.rules.forms;
    let actions: Vec<Value> = offered_actions(r, desk)
        .into_iter()
        .map(|a| {
            json!({
                "href": format!("/desk/requests/{}/{}?lang={}", r.id, a.as_str().replace('_', "-"), lang.as_str()),
                "label": t.text(&format!("desk_action_{}", a.as_str()), lang),
                "primary": matches!(a, Action::Complete | Action::Start),
            })
        })
        .collect();
    let identity = r.identity_verification.as_ref().map(|v| {
        json!({
            "method": t.text(&format!("desk_method_{}", v.method.as_str()), lang),
            "by": case.users.get(&v.verified_by).cloned().unwrap_or_else(|| t.text("dpo_by_system", lang)),
            "on": format_date(v.verified_on, lang),
        })
    });
    let representative = r
        .subject
        .representative
        .as_ref()
        .map(|rep| answers(&forms.representative, rep, lang));
    let review: Vec<String> = r
        .review_reasons
        .iter()
        .map(|k| t.text_or(&format!("desk_review_{k}"), lang, k))
        .collect();
    let items: Vec<Value> = case
        .items
        .iter()
        .map(|i| {
            json!({
                "number": i.number,
                "description": i.description,
                "register": i.register.as_ref().map(|s| case.registers.get(s).cloned().unwrap_or_else(|| s.clone())),
                "decision": i.decision.map(|d| t.text(&format!("desk_item_{}", d.as_str()), lang)).unwrap_or_else(|| t.text("desk_item_undecided", lang)),
                "before": i.before, "after": i.after, "reason": i.reason,
                "ground": i.ground.as_deref().map(|g| ground_label(ctx, g, lang)),
                "retention_ends": date_opt(i.retention_ends_on, lang),
            })
        })
        .collect();
    let attachments: Vec<Value> = case
        .attachments
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "title": a.title,
                "register": case.registers.get(&a.register).cloned().unwrap_or_else(|| a.register.clone()),
                "withheld": a.withheld_ground.as_deref().map(|g| ground_label(ctx, g, lang)),
                "reason": a.withheld_reason,
                "redacted": a.redacted,
                "added": when(a.created_at, lang),
                "by": case.users.get(&a.created_by).cloned(),
            })
        })
        .collect();
    let recipients: Vec<Value> = case
        .recipients
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "name": p.name,
                "notified": date_opt(p.notified_on, lang),
            })
        })
        .collect();
    let now = ctx.clock.now();
    let docs: Vec<Value> = case
        .documents
        .iter()
        .map(|d| {
            // In words: given to the client (and until when they can download it), or kept
            // with staff; the button offers the other way.
            let given = d.released_at.is_some() && d.expires_at.is_some_and(|e| e > now);
            let status = match (d.released_at, d.expires_at) {
                (Some(_), Some(until)) if until > now => t
                    .text("desk_document_given", lang)
                    .replace("{date}", &format_date(until.with_timezone(&Helsinki).date_naive(), lang)),
                (Some(_), _) => t.text("desk_document_given_expired", lang),
                (None, _) => t.text("desk_document_kept", lang),
            };
            json!({
                "id": d.id,
                "given": given,
                "status": status,
                "release": format!("/desk/requests/{}/documents/{}/release?lang={}", r.id, d.id, lang.as_str()),
                "release_label": format!("{} ({})",
                    t.text(if given { "desk_document_hold" } else { "desk_document_release" }, lang),
                    t.text_or(&format!("desk_doc_{}", d.kind), lang, &t.text("desk_doc_other", lang))),
                "what": t.text_or(&format!("desk_doc_{}", d.kind), lang, &t.text("desk_doc_other", lang)),
                "language": t.text(&format!("desk_lang_{}", d.language), lang),
                "made": when(d.created_at, lang),
                "by": user(&d.created_by).unwrap_or_else(|| t.text("dpo_by_system", lang)),
                "released": d.released_at.map(|at| when(at, lang)),
                "open": format!("/desk/requests/{}/documents/{}", r.id, d.id),
                "pdf": d.media_type == "application/pdf",
            })
        })
        .collect();
    // Letters already made can be made again; other documents are made by their own actions.
    let mut remake: Vec<Value> = Vec::new();
    for d in &case.documents {
        if let Some(kind) = crate::letters::LetterKind::parse(&d.kind) {
            let value = json!({
                "value": kind.as_str(),
                "label": t.text_or(&format!("desk_doc_{}", d.kind), lang, &d.kind),
            });
            if !remake.contains(&value) {
                remake.push(value);
            }
        }
    }
    let sent: Vec<Value> = case
        .messages
        .iter()
        .map(|m| json!({ "author": m.author, "when": when(m.created_at, lang), "body": m.body }))
        .collect();
    let review_cleared = case.events.iter().any(|e| e.action == "review_cleared");
    let notes: Vec<Value> = case
        .notes
        .iter()
        .map(|n| json!({ "author": n.author, "when": when(n.created_at, lang), "body": n.body }))
        .collect();
    let history: Vec<Value> = case
        .events
        .iter()
        .rev()
        .map(|e| {
            let who = match (e.actor_id.as_ref().and_then(|id| case.users.get(id)), e.actor_role.as_str()) {
                (Some(name), _) => name.clone(),
                (None, "requester" | "public") => t.text("dpo_by_requester", lang),
                _ => t.text("dpo_by_system", lang),
            };
            let on = e.payload["on"]
                .as_str()
                .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .map(|d| format_date(d, lang));
            json!({
                "when": when(e.occurred_at, lang),
                "on": on,
                "what": t.text_or(&format!("event_{}", e.action), lang, &t.text("desk_event_other", lang)),
                "who": who,
                "to": e.to_state.as_deref().filter(|_| e.from_state != e.to_state).map(|s| t.text(&format!("state_short_{s}"), lang)),
            })
        })
        .collect();
    let pause = r.paused_since.map(|since| {
        json!({
            "since": format_date(since, lang),
            "awaiting": r.awaiting.map(|a| t.text(&format!("desk_awaiting_{}", a.as_str()), lang)),
            "stops_clock": r.clock_stopped,
        })
    });
    json!({
        "r": {
            "id": r.id,
            "reference": r.reference,
            "kind": t.text(&format!("kind_{}", r.kind.as_str()), lang),
            "state": t.text(&format!("state_short_{}", r.state.as_str()), lang),
            "open": !r.state.is_terminal(),
            "channel": t.text(&format!("desk_channel_{}", r.channel.as_str()), lang),
            "language": t.text(&format!("desk_lang_{}", r.language.as_str()), lang),
            "registers": r.registers.iter().map(|s| case.registers.get(s).cloned().unwrap_or_else(|| s.clone())).collect::<Vec<_>>(),
            "received": format_date(r.received_on, lang),
            "target": format_date(r.target_on, lang),
            "due": format_date(r.due_on, lang),
            "days": days_text(r.days_left, r.overdue, r.clock_stopped, lang),
            "late": r.overdue,
            "paused_days": r.paused_days,
            "pause": pause,
            "extended": r.extended,
            "extended_on": date_opt(r.extended_on, lang),
            "extension_reason": r.extension_reason,
            "handler": r.assignee.as_ref().map(|a| a.name.clone()),
            "outcome": r.outcome.map(|o| t.text(&format!("desk_outcome_{}", o.as_str()), lang)),
            "closed": date_opt(r.closed_on, lang),
            "repeat": r.repeat_within_year,
            "review": review,
        },
        "subject": {
            "name": r.subject.name,
            "personal_id": r.subject.personal_id,
            "birth_date": date_opt(r.subject.birth_date, lang),
            "temporary_id": r.subject.temporary_id,
            "email": r.subject.email,
            "phone": r.subject.phone,
            "address": r.subject.postal_address,
            "protected": r.subject.address_protected,
            "withheld": r.subject.postal_address_withheld,
            "contact_address": r.subject.contact_address,
            "contact": t.text(&format!("desk_contact_{}", r.subject.contact_channel.as_str()), lang),
        },
        "representative": representative,
        "details": answers(&forms.form(r.kind).fields, &r.details, lang),
        "identity": identity,
        "actions": actions,
        "items": items,
        "attachments": attachments,
        "recipients": recipients,
        "documents": docs,
        "notes": notes,
        "history": history,
        "can_note": desk.is(&[Role::Staff, Role::Dpo]),
        "casework": desk.is(&[Role::Staff, Role::Dpo]),
        "note_max": notes::MAX_NOTE,
        "note_error": null,
        "messages": sent,
        "can_message": desk.is(&[Role::Staff]) && !r.state.is_terminal(),
        "message_error": null,
        "message_text": "",
        "note_text": "",
        "new_status_code": null,
        "can_gather": desk.is(&[Role::Staff]) && !r.state.is_terminal(),
        "item_kind": super::items::ITEM_KINDS.contains(&r.kind),
        "items_editable": desk.is(&[Role::Staff])
            && super::items::ITEM_KINDS.contains(&r.kind)
            && !r.state.is_terminal(),
        "can_reissue": desk.is(&[Role::Staff]) && !r.state.is_terminal(),
        "remake": if desk.is(&[Role::Staff]) { remake } else { Vec::new() },
        "can_bundle": desk.is(&[Role::Staff])
            && matches!(r.kind, RequestKind::Access | RequestKind::Portability),
        "review_cleared": r.needs_manual_review && review_cleared,
        "can_clear_review": desk.is(&[Role::Staff])
            && r.needs_manual_review
            && !review_cleared
            && !r.state.is_terminal(),
        "can_release": desk.is(&[Role::Staff, Role::Dpo]),
        "is_log": r.kind == RequestKind::LogInspection,
        "doc_error": null,
        "recipient_error": null,
        "recipient_name": "",
        "today": ctx.today().to_string(),
        "review_error": null,
        "review_note": "",
    })
}

/// `GET /desk/requests/{id}`.
pub async fn page(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    show(
        &ctx,
        &req,
        &desk,
        path.into_inner(),
        StatusCode::OK,
        json!({}),
    )
    .await
}

/// The case page, with `extra` (a done notice, a note's error) merged into its data.
pub async fn show(
    ctx: &web::Data<Context>,
    req: &HttpRequest,
    desk: &Desk,
    id: String,
    status: StatusCode,
    extra: Value,
) -> HttpResponse {
    let case = match load(ctx, desk, id).await {
        Ok(case) => case,
        Err(e) => return error_page(ctx, req, e),
    };
    let mut data = view(ctx, desk, &case);
    if let (Value::Object(d), Value::Object(e)) = (&mut data, extra) {
        d.extend(e);
    }
    let done = req
        .query_string()
        .split('&')
        .find_map(|p| p.strip_prefix("done="))
        .filter(|a| a.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(|a| site().text_or(&format!("desk_done_{a}"), desk.lang, ""));
    if let Value::Object(d) = &mut data {
        d.entry("done")
            .or_insert(json!(done.filter(|s| !s.is_empty())));
    }
    let title = site()
        .text("desk_case_title", desk.lang)
        .replace("{reference}", &case.request.reference);
    render(ctx, req, desk, status, title, "desk_case.html", data)
}

/// `POST /desk/requests/{id}/notes`.
pub async fn add_note(
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
    let input = NoteInput {
        body: posted.get("body").unwrap_or("").to_string(),
    };
    let text = input.body.clone();
    let c = ctx.clone();
    let p = desk.principal.clone();
    let request_id = id.clone();
    match blocking(move || notes::add(&c, &p, &request_id, input)).await {
        Ok(_) => see_other(format!(
            "/desk/requests/{id}?lang={}&done=note#notes",
            desk.lang.as_str()
        )),
        Err(ServiceError::Validation(errors)) => {
            let message = first_message(&ctx, desk.lang, &errors);
            let extra = json!({ "note_error": message, "note_text": text });
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
        Err(e) => error_page(&ctx, &req, e),
    }
}

/// `POST /desk/requests/{id}/messages`: a message the client reads on their status page.
pub async fn send_message(
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
    let input = MessageInput {
        body: posted.get("body").unwrap_or("").to_string(),
    };
    let text = input.body.clone();
    let c = ctx.clone();
    let p = desk.principal.clone();
    let request_id = id.clone();
    match blocking(move || messages::send(&c, &p, &request_id, input)).await {
        Ok(_) => see_other(format!(
            "/desk/requests/{id}?lang={}&done=message#messages",
            desk.lang.as_str()
        )),
        Err(ServiceError::Validation(errors)) => {
            let message = first_message(&ctx, desk.lang, &errors);
            let extra = json!({ "message_error": message, "message_text": text });
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
        Err(e) => error_page(&ctx, &req, e),
    }
}

/// `POST /desk/requests/{id}/status-code`: a new code, shown on the case page this once.
pub async fn reissue_status_code(
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
    if let Err(page) = checked_form(&req, &body) {
        return page;
    }
    let c = ctx.clone();
    let p = desk.principal.clone();
    let request_id = id.clone();
    match blocking(move || status_code::reissue(&c, &p, &request_id)).await {
        Ok(issued) => {
            show(
                &ctx,
                &req,
                &desk,
                id,
                StatusCode::OK,
                json!({ "new_status_code": issued.status_code }),
            )
            .await
        }
        Err(e) => error_page(&ctx, &req, e),
    }
}

/// `GET /desk/requests/{id}/documents/{doc_id}`: opened in the browser (PDF inline), or
/// downloaded with `?download=1`.
pub async fn document(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let (request_id, doc_id) = path.into_inner();
    let c = ctx.clone();
    let p = desk.principal.clone();
    let doc = match blocking(move || documents::find(&c, &p, &doc_id)).await {
        Ok(doc) if doc.request_id == request_id => doc,
        Ok(_) => {
            return notice(
                &req,
                StatusCode::NOT_FOUND,
                "not_found_title",
                "not_found_text",
            )
        }
        Err(e) => return error_page(&ctx, &req, e),
    };
    let download = req.query_string().contains("download=1");
    let mut resp = file_response(
        ctx.clone(),
        doc.blob_id,
        &doc.filename,
        &doc.media_type,
        &doc.sha256,
        doc.size,
    );
    if !download && doc.media_type == "application/pdf" {
        if let Ok(v) = header::HeaderValue::from_str("inline") {
            resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
    }
    resp
}
