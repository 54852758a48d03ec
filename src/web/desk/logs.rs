//! Log-data requests in the desk: the subject's access-log events grouped by day and user,
//! the users or single events to hold back, the report, and a misuse investigation's finding.
//!
//! A user is held back by who they are in the log (name, title and unit together), not by
//! name alone: two employees may share a name. The page sends the events of the users ticked,
//! so the report holds back exactly those.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::fields::{checked_form, error_views, ground_label, typed_date};
use super::{render, see_other, signed_in, Desk};
use crate::domain::codes::FieldCode;
use crate::domain::enums::{RequestKind, Role};
use crate::domain::validation::FieldError;
use crate::edge::session::Session;
use crate::services::logs::{
    self, LogGroupOutput, LogSearchInput, LogSearchOutput, MisuseFindingInput, LOG_WITHHELD_GROUND,
};
use crate::services::views::RequestOutput;
use crate::services::{blocking, queries, Context, ServiceError};
use crate::web::error::error_page;
use crate::web::form::Posted;
use crate::web::format_date;
use crate::web::site::{notice, site};

/// Who a log user is: name, title and unit, hex-encoded so it travels in a form field as is.
fn user_key(g: &LogGroupOutput) -> String {
    let joined = format!("{}\n{}\n{}", g.user_name, g.user_title, g.unit);
    joined.bytes().map(|b| format!("{b:02x}")).collect()
}

/// `GET /desk/requests/{id}/logs`.
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
    let view = Form::default();
    show(&ctx, &req, &desk, path.into_inner(), &view, StatusCode::OK).await
}

/// What the page shows again after a failed post.
#[derive(Default)]
struct Form {
    users: Vec<String>,
    events: Vec<String>,
    ground: Option<String>,
    errors: Vec<FieldError>,
    finding: Option<Posted>,
}

async fn show(
    ctx: &web::Data<Context>,
    req: &HttpRequest,
    desk: &Desk,
    id: String,
    form: &Form,
    status: StatusCode,
) -> HttpResponse {
    let c = ctx.clone();
    let p = desk.principal.clone();
    let loaded = blocking(move || {
        let request = queries::get(&c, &p, &id)?;
        if request.kind != RequestKind::LogInspection {
            return Err(ServiceError::NotFound("log-data request"));
        }
        let found = logs::search(&c, &p, &id, &LogSearchInput::default())?;
        let mut conn = c.conn()?;
        let finding = logs::latest_finding(&mut conn, &id)?;
        Ok((request, found, finding))
    })
    .await;
    let (request, found, finding) = match loaded {
        Ok(x) => x,
        Err(e) => return error_page(ctx, req, e),
    };
    if !desk.is(&[Role::Staff, Role::Dpo]) {
        return notice(
            req,
            StatusCode::FORBIDDEN,
            "forbidden_title",
            "desk_action_not_available",
        );
    }
    let mut data = view(ctx, desk, &request, &found, finding, form);
    let done = req
        .query_string()
        .split('&')
        .any(|p| p == "done=finding")
        .then(|| site().text("desk_done_finding", desk.lang));
    data["done"] = json!(done);
    let title = format!(
        "{} – {}",
        site().text("desk_logs_title", desk.lang),
        request.reference
    );
    render(ctx, req, desk, status, title, "desk_logs.html", data)
}

fn view(
    ctx: &Context,
    desk: &Desk,
    request: &RequestOutput,
    found: &LogSearchOutput,
    finding: Option<crate::domain::misuse::MisuseFinding>,
    form: &Form,
) -> Value {
    let lang = desk.lang;
    let words = &ctx.letters.labels(request.language).log_report;
    let action_words = |a: &str| words.action(a).to_string();
    // Users in the order they first appear, with their event count.
    let mut users: Vec<(String, &LogGroupOutput, usize)> = Vec::new();
    for g in &found.groups {
        let key = user_key(g);
        match users.iter_mut().find(|(k, _, _)| *k == key) {
            Some(u) => u.2 += g.count,
            None => users.push((key, g, g.count)),
        }
    }
    let users: Vec<Value> = users
        .into_iter()
        .map(|(key, g, count)| {
            json!({
                "key": key,
                "name": g.user_name,
                "title": g.user_title,
                "unit": g.unit,
                "count": count,
                "suspected": g.highlighted,
                "checked": form.users.contains(&key),
            })
        })
        .collect();
    let groups: Vec<Value> = found
        .groups
        .iter()
        .map(|g| {
            let actions: BTreeMap<String, usize> = g
                .actions
                .iter()
                .map(|(a, n)| (action_words(a), *n))
                .collect();
            json!({
                "date": format_date(g.date, lang),
                "name": g.user_name,
                "title": g.user_title,
                "unit": g.unit,
                "count": g.count,
                "suspected": g.highlighted,
                "actions": actions.into_iter().map(|(a, n)| format!("{a} {n}")).collect::<Vec<_>>().join(", "),
                "events": g.events.iter().map(|e| {
                    let at = e.occurred_at.with_timezone(&chrono_tz::Europe::Helsinki);
                    json!({
                        "id": e.event_id,
                        "time": at.format("%H:%M:%S").to_string(),
                        "action": action_words(&e.action),
                        "basis": e.basis,
                        "recipient": e.recipient,
                        "checked": form.events.contains(&e.event_id),
                    })
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    let chosen = form.ground.as_deref().unwrap_or(LOG_WITHHELD_GROUND);
    let grounds =
        super::fields::ground_choices(ctx, RequestKind::LogInspection, lang, |c| c == chosen);
    let fields = [
        "withhold",
        "withheld_ground",
        "misuse_found",
        "finding",
        "on",
    ];
    let (errors, summary) = error_views(ctx, lang, &fields, "desk_logs_field_", &form.errors);
    let posted = |k: &str| {
        form.finding
            .as_ref()
            .and_then(|p| p.get(k))
            .unwrap_or("")
            .to_string()
    };
    let open = !request.state.is_terminal();
    let staff = desk.is(&[Role::Staff]);
    json!({
        "reference": request.reference,
        "case_href": format!("/desk/requests/{}?lang={}", request.id, lang.as_str()),
        "post": format!("/desk/requests/{}/logs?lang={}", request.id, lang.as_str()),
        "finding_post": format!("/desk/requests/{}/misuse-finding?lang={}", request.id, lang.as_str()),
        "period": format!("{} – {}", format_date(found.period_from, lang), format_date(found.period_to, lang)),
        "registers": found.registers.join(", "),
        "total": found.total_events,
        "suspected": found.suspected_user,
        "highlighted": found.highlighted_events,
        "users": users,
        "groups": groups,
        "grounds": grounds,
        "can_report": staff && open,
        "can_find": staff && open,
        "finding": finding.map(|f| json!({
            "found": f.misuse_found,
            "text": f.finding,
            "on": format_date(f.on, lang),
        })),
        "values": {
            "misuse_found": posted("misuse_found"),
            "finding": posted("finding"),
            "on": posted("on"),
        },
        "errors": errors,
        "summary": summary,
        "ground_default": ground_label(ctx, LOG_WITHHELD_GROUND, lang),
    })
}

/// `POST /desk/requests/{id}/logs`: makes the report, holding back what was ticked.
pub async fn report(
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
    let users: Vec<String> = posted
        .all("withhold_user")
        .into_iter()
        .map(str::to_string)
        .collect();
    let events: Vec<String> = posted
        .all("withhold_event")
        .into_iter()
        .map(str::to_string)
        .collect();
    let ground = posted
        .get("withheld_ground")
        .filter(|g| !g.is_empty())
        .map(str::to_string);
    let c = ctx.clone();
    let p = desk.principal.clone();
    let (rid, ticked_users, ticked_events, g) =
        (id.clone(), users.clone(), events.clone(), ground.clone());
    let made = blocking(move || {
        // The events of the users ticked, found in the same log the page showed.
        let all = logs::search(&c, &p, &rid, &LogSearchInput::default())?;
        let mut withhold_events = ticked_events;
        for group in all
            .groups
            .iter()
            .filter(|g| ticked_users.contains(&user_key(g)))
        {
            withhold_events.extend(group.events.iter().map(|e| e.event_id.clone()));
        }
        withhold_events.sort();
        withhold_events.dedup();
        let input = LogSearchInput {
            withhold_users: Vec::new(),
            withhold_events,
            withheld_ground: g,
        };
        logs::report(&c, &p, &rid, &input)
    })
    .await;
    let form = Form {
        users,
        events,
        ground,
        ..Form::default()
    };
    match made {
        Ok(_) => see_other(format!(
            "/desk/requests/{id}?lang={}&done=log_report_made#documents-h",
            desk.lang.as_str()
        )),
        Err(ServiceError::Validation(errors)) => {
            let form = Form { errors, ..form };
            show(
                &ctx,
                &req,
                &desk,
                id,
                &form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_page(&ctx, &req, e),
    }
}

/// `POST /desk/requests/{id}/misuse-finding`.
pub async fn record_finding(
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
    let mut errors = Vec::new();
    let misuse_found = match posted.get("misuse_found") {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => {
            errors.push(FieldError::new("misuse_found", FieldCode::Required));
            None
        }
    };
    let on_text = posted.get("on").unwrap_or("").trim();
    let on = if on_text.is_empty() {
        None
    } else {
        let typed = typed_date(on_text);
        if typed.is_none() {
            errors.push(FieldError::new("on", FieldCode::InvalidDate));
        }
        typed
    };
    let result = match misuse_found.filter(|_| errors.is_empty()) {
        None => Err(ServiceError::Validation(errors)),
        Some(misuse_found) => {
            let input = MisuseFindingInput {
                misuse_found,
                finding: posted.get("finding").unwrap_or("").to_string(),
                on,
            };
            let c = ctx.clone();
            let p = desk.principal.clone();
            let rid = id.clone();
            blocking(move || logs::record_finding(&c, &p, &rid, input)).await
        }
    };
    match result {
        Ok(_) => see_other(format!(
            "/desk/requests/{id}/logs?lang={}&done=finding",
            desk.lang.as_str()
        )),
        Err(ServiceError::Validation(errors)) => {
            let form = Form {
                errors,
                finding: Some(posted),
                ..Form::default()
            };
            show(
                &ctx,
                &req,
                &desk,
                id,
                &form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_page(&ctx, &req, e),
    }
}
