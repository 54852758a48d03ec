//! The DPO's deadline board: sign-in with staff credentials (role dpo), the buckets,
//! a weekly chart of due dates, and each request's timeline. The session is the same
//! JWT the API issues, kept in an HttpOnly, SameSite=Strict cookie (Secure under TLS).

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono_tz::Europe::Helsinki;
use serde_json::{json, Value};

use super::error::error_page;
use super::form::Posted;
use super::site::{page_language, site, Frame};
use super::{csrf, format_date, secure_cookies, with_cookie};
use crate::domain::enums::Role;
use crate::edge::session::{Session, COOKIE};
use crate::services::{auth, blocking, dpo, queries, Context, Principal, ServiceError};

/// Weeks shown in the chart: this one and the next twelve, about three months.
const CHART_WEEKS: u32 = 13;

fn session_cookie(ctx: &Context, value: String, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build(COOKIE, value)
        .path("/dpo")
        .http_only(true)
        .secure(secure_cookies(ctx))
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::seconds(max_age_secs))
        .finish()
}

/// The signed-in DPO: a valid session of an active user whose role is dpo.
fn signed_in_dpo(session: Option<Session>) -> Option<Principal> {
    let principal = session?.0;
    principal.require(&[Role::Dpo]).ok()?;
    Some(principal)
}

/// The sign-in form; also the page for a request without a valid session.
pub(super) fn login_page(
    ctx: &Context,
    req: &HttpRequest,
    status: StatusCode,
    problem: Option<&str>,
    email: &str,
) -> HttpResponse {
    let lang = page_language(req);
    let (token, cookie) = csrf::token(req, secure_cookies(ctx));
    let frame = Frame {
        req,
        lang,
        title: site().text("dpo_login_title", lang),
        org: None,
        csrf: Some(token),
    };
    let resp = frame.page(
        status,
        "dpo_login.html",
        json!({
            "action": format!("/dpo/login?lang={}", lang.as_str()),
            "problem": problem.map(|key| site().text(key, lang)),
            "email": email,
        }),
    );
    with_cookie(resp, cookie)
}

fn see_other(location: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .finish()
}

/// `POST /dpo/login`.
pub async fn login(ctx: web::Data<Context>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let posted = Posted::parse_or_empty(&body);
    if !csrf::verify(&req, posted.get(csrf::FIELD)) {
        return login_page(&ctx, &req, StatusCode::FORBIDDEN, Some("csrf_text"), "");
    }
    let email = posted.get("email").unwrap_or("").to_string();
    let password = posted.get("password").unwrap_or("").to_string();
    let c = ctx.clone();
    let issued = match blocking(move || auth::login(&c, &email, &password)).await {
        Ok(issued) => issued,
        Err(ServiceError::BadCredentials) => {
            return login_page(
                &ctx,
                &req,
                StatusCode::UNAUTHORIZED,
                Some("dpo_login_failed"),
                posted.get("email").unwrap_or(""),
            )
        }
        Err(e) => return error_page(&ctx, &req, e),
    };
    match ctx.tokens.verify(&issued.access_token) {
        Ok(p) if p.role == Role::Dpo => {
            let cookie = session_cookie(&ctx, issued.access_token, issued.expires_in as i64);
            let lang = page_language(&req);
            with_cookie(
                see_other(format!("/dpo?lang={}", lang.as_str())),
                Some(cookie),
            )
        }
        Ok(_) => login_page(&ctx, &req, StatusCode::FORBIDDEN, Some("dpo_not_dpo"), ""),
        Err(e) => error_page(&ctx, &req, e),
    }
}

/// `POST /dpo/logout`: forgets the session cookie.
pub async fn logout(ctx: web::Data<Context>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let posted = Posted::parse_or_empty(&body);
    if !csrf::verify(&req, posted.get(csrf::FIELD)) {
        return login_page(&ctx, &req, StatusCode::FORBIDDEN, Some("csrf_text"), "");
    }
    let lang = page_language(&req);
    with_cookie(
        see_other(format!("/dpo?lang={}", lang.as_str())),
        Some(session_cookie(&ctx, String::new(), 0)),
    )
}

fn bucket_view(bucket: &dpo::DeadlineBucket, lang: crate::domain::enums::Language) -> Value {
    let items: Vec<Value> = bucket
        .items
        .iter()
        .map(|i| {
            json!({
                "id": i.id,
                "reference": i.reference,
                "kind": i.kind,
                "state": i.state.as_str(),
                "due_on": format_date(i.due_on, lang),
                "days_left": i.days_left,
                "assignee": i.assignee.as_ref().map(|a| a.name.clone()),
            })
        })
        .collect();
    json!({
        "total": bucket.total,
        "more": bucket.total - bucket.items.len() as i64,
        "items": items,
    })
}

/// `GET /dpo`: the board, or the sign-in form.
pub async fn board(
    ctx: web::Data<Context>,
    req: HttpRequest,
    session: Option<Session>,
) -> HttpResponse {
    let Some(principal) = signed_in_dpo(session) else {
        return login_page(&ctx, &req, StatusCode::OK, None, "");
    };
    let c = ctx.clone();
    let p = principal.clone();
    let loaded = blocking(move || {
        let deadlines = dpo::deadlines(&c, &p)?;
        let weeks = dpo::due_per_week(&c, &p, CHART_WEEKS)?;
        Ok((deadlines, weeks))
    })
    .await;
    let (deadlines, weeks) = match loaded {
        Ok(found) => found,
        Err(e) => return error_page(&ctx, &req, e),
    };
    let lang = page_language(&req);
    let peak = weeks.iter().map(|w| w.count).max().unwrap_or(0).max(1);
    let chart: Vec<Value> = weeks
        .iter()
        .map(|w| {
            json!({
                "week": w.iso_week,
                "starts": format_date(w.week_start, lang),
                "count": w.count,
                // Bar length in per cent of the chart's width, drawn as an SVG attribute.
                "bar": w.count * 100 / peak,
            })
        })
        .collect();
    let (token, cookie) = csrf::token(&req, secure_cookies(&ctx));
    let frame = Frame {
        req: &req,
        lang,
        title: site().text("dpo_board_title", lang),
        org: None,
        csrf: Some(token),
    };
    let resp = frame.page(
        StatusCode::OK,
        "dpo_board.html",
        json!({
            "today": format_date(deadlines.today, lang),
            "buckets": [
                { "key": "dpo_overdue", "id": "overdue", "data": bucket_view(&deadlines.overdue, lang) },
                { "key": "dpo_due_week", "id": "due-week", "data": bucket_view(&deadlines.due_within_7_days, lang) },
                { "key": "dpo_paused", "id": "paused", "data": bucket_view(&deadlines.paused, lang) },
                { "key": "dpo_extended", "id": "extended", "data": bucket_view(&deadlines.extended, lang) },
            ],
            "chart": chart,
        }),
    );
    with_cookie(resp, cookie)
}

/// `GET /dpo/requests/{id}`: one request's audit timeline.
pub async fn timeline(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    session: Option<Session>,
) -> HttpResponse {
    let Some(principal) = signed_in_dpo(session) else {
        return login_page(&ctx, &req, StatusCode::UNAUTHORIZED, None, "");
    };
    let c = ctx.clone();
    let id = path.into_inner();
    let loaded = blocking(move || {
        let request = queries::get(&c, &principal, &id)?;
        let events = queries::events(&c, &principal, &id)?;
        let mut conn = c.conn()?;
        let users: std::collections::HashMap<String, String> =
            crate::db::orgs::list_users(&mut conn, &principal.org_id)?
                .into_iter()
                .map(|u| (u.id.into_string(), u.name))
                .collect();
        Ok((request, events, users))
    })
    .await;
    let lang = page_language(&req);
    let (request, events, users) = match loaded {
        Ok(found) => found,
        Err(e) => return error_page(&ctx, &req, e),
    };
    let texts = site();
    let state = |s: &Option<String>| {
        s.as_deref()
            .map(|s| texts.text_or(&format!("state_short_{s}"), lang, s))
    };
    let events: Vec<Value> = events
        .iter()
        .map(|e| {
            let who = match (e.actor_id.as_ref().and_then(|id| users.get(id)), e.actor_role.as_str()) {
                (Some(name), _) => name.clone(),
                (None, "requester" | "public") => texts.text("dpo_by_requester", lang),
                (None, "system") => texts.text("dpo_by_system", lang),
                (None, role) => role.to_string(),
            };
            let at = e.occurred_at.with_timezone(&Helsinki);
            json!({
                "when": format!("{} {}", format_date(at.date_naive(), lang), at.format("%H:%M")),
                "action": texts.text_or(&format!("event_{}", e.action), lang, &e.action.replace('_', " ")),
                "who": who,
                "from": state(&e.from_state),
                "to": state(&e.to_state),
                "changed": e.to_state.is_some() && e.from_state != e.to_state,
            })
        })
        .collect();
    let request = serde_json::to_value(&request).unwrap_or(Value::Null);
    let frame = Frame {
        req: &req,
        lang,
        title: site()
            .text("dpo_timeline_title", lang)
            .replace("{reference}", request["reference"].as_str().unwrap_or("")),
        org: None,
        csrf: None,
    };
    frame.page(
        StatusCode::OK,
        "dpo_timeline.html",
        json!({
            "request": {
                "reference": request["reference"],
                "kind": request["kind"],
                "state": request["state"],
                "due_on": date_of(&request["due_on"], lang),
                "received_on": date_of(&request["received_on"], lang),
            },
            "events": events,
        }),
    )
}

/// An ISO date from a JSON view, written the page's way.
fn date_of(v: &Value, lang: crate::domain::enums::Language) -> String {
    v.as_str()
        .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .map(|d| format_date(d, lang))
        .unwrap_or_default()
}
