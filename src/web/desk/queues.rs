//! The queues (tabs with counts, filters in the address, pages of 50) and search.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

use super::fields::{checked_form, typed_date};
use super::{render, signed_in, Desk};
use crate::db::orgs;
use crate::db::queues::{PageStart, Queue, QueueFilter, RowKey};
use crate::domain::enums::{Language, RequestKind, RequestState};
use crate::edge::session::Session;
use crate::services::desk::{self, QueueRow, SearchBy};
use crate::services::{blocking, Context};
use crate::web::error::error_page;
use crate::web::format_date;
use crate::web::site::{notice, site};

/// The filters a queue's address may carry; each is optional and unknown values are said
/// to be unknown rather than ignored silently.
#[derive(Debug, Default, Deserialize)]
pub struct FilterParams {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    register: String,
    #[serde(default)]
    handler: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: Option<i64>,
    /// Where the page starts (`RowKey::encode`): just after or just before that row.
    #[serde(default)]
    after: String,
    #[serde(default)]
    before: String,
}

/// The days left in words, so the state never rests on colour alone.
pub fn days_text(days_left: i64, overdue: bool, clock_stopped: bool, lang: Language) -> String {
    let t = site();
    if clock_stopped {
        return t.text("desk_days_paused", lang);
    }
    let key = match days_left {
        d if d < 0 && overdue => "desk_days_late",
        0 => "desk_days_today",
        1 => "desk_days_one",
        _ => "desk_days_left",
    };
    t.text(key, lang)
        .replace("{days}", &days_left.abs().to_string())
}

/// A pager link: the same queue and filters, starting just `side` ("after" or "before") the
/// row `key`, numbered `page`.
fn pager_link(queue: Queue, query: &str, side: &str, key: &str, page: i64) -> String {
    let start = serde_urlencoded::to_string([(side, key)]).unwrap_or_default();
    format!("/desk/queue/{}?{query}&{start}&page={page}", queue.as_str())
}

/// A queue's size as a tab shows it: past the counting cap, "10000+".
fn count_text(n: i64) -> String {
    if n > desk::COUNT_CAP {
        format!("{}+", desk::COUNT_CAP)
    } else {
        n.to_string()
    }
}

pub fn row_view(r: &QueueRow, lang: Language) -> Value {
    let t = site();
    json!({
        "id": r.id,
        "reference": r.reference,
        "name": r.client_name,
        "protected": r.address_protected,
        "kind": t.text(&format!("kind_{}", r.kind.as_str()), lang),
        "state": t.text(&format!("state_short_{}", r.state.as_str()), lang),
        "registers": r.registers.join(", "),
        "received": format_date(r.received_on, lang),
        "due": format_date(r.due_on, lang),
        "days": days_text(r.days_left, r.overdue, r.clock_stopped, lang),
        "late": r.overdue,
        "handler": r.handler,
        "review": r.needs_review,
    })
}

fn parse_date(
    value: &str,
    field: &str,
    problems: &mut Vec<String>,
    lang: Language,
) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        return None;
    }
    let date = typed_date(value);
    if date.is_none() {
        problems.push(
            site()
                .text("desk_filter_bad_date", lang)
                .replace("{field}", &site().text(field, lang)),
        );
    }
    date
}

/// `GET /desk/queue/{queue}`.
pub async fn queue(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    params: Option<web::Query<FilterParams>>,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let lang = desk.lang;
    let Some(queue) = Queue::parse(&path) else {
        return notice(
            &req,
            StatusCode::NOT_FOUND,
            "not_found_title",
            "not_found_text",
        );
    };
    let params = params.map(|p| p.into_inner()).unwrap_or_default();
    let mut problems = Vec::new();
    let mut filter = QueueFilter::new(queue, &desk.principal.user_id, ctx.today());
    if !params.kind.is_empty() {
        filter.kind = RequestKind::parse(&params.kind);
        if filter.kind.is_none() {
            problems.push(site().text("desk_filter_bad_kind", lang));
        }
    }
    if !params.state.is_empty() {
        filter.state = RequestState::parse(&params.state);
        if filter.state.is_none() {
            problems.push(site().text("desk_filter_bad_state", lang));
        }
    }
    filter.received_from = parse_date(&params.from, "desk_filter_from", &mut problems, lang);
    filter.received_to = parse_date(&params.to, "desk_filter_to", &mut problems, lang);
    let c = ctx.clone();
    let principal = desk.principal.clone();
    let register = params.register.clone();
    let handler = params.handler.clone();
    let page_no = params.page.unwrap_or(1);
    let start = match (params.after.as_str(), params.before.as_str()) {
        ("", "") => Some(PageStart::First),
        (after, "") => RowKey::parse(after).map(PageStart::After),
        ("", before) => RowKey::parse(before).map(PageStart::Before),
        _ => None,
    };
    let start = start.unwrap_or_else(|| {
        problems.push(site().text("desk_page_bad_start", lang));
        PageStart::First
    });
    let loaded = blocking(move || {
        let mut conn = c.conn()?;
        // Named in the reader's language, Finnish where a name has no translation.
        let registers: Vec<_> = orgs::list_registers(&mut conn, &principal.org_id)?
            .iter()
            .map(|r| crate::services::profile::register_in(r, lang))
            .collect();
        let users = orgs::list_users(&mut conn, &principal.org_id)?;
        drop(conn);
        let mut filter = filter;
        let mut unknown = Vec::new();
        if !register.is_empty() {
            match registers.iter().find(|r| r.slug == register) {
                Some(r) => filter.register_id = Some(r.id.clone()),
                None => unknown.push("desk_filter_bad_register"),
            }
        }
        if !handler.is_empty() {
            match users.iter().find(|u| u.id.as_str() == handler) {
                Some(u) => filter.handler_id = Some(u.id.to_string()),
                None => unknown.push("desk_filter_bad_handler"),
            }
        }
        let counts = desk::counts(&c, &principal, &filter)?;
        // The tab's own count is the page's total: no need to count the queue twice.
        let total = counts
            .iter()
            .find(|(q, _)| *q == filter.queue)
            .map(|(_, n)| *n);
        let page = desk::page(&c, &principal, &filter, &start, page_no, total)?;
        Ok((registers, users, counts, page, unknown))
    })
    .await;
    let (registers, users, counts, page, unknown) = match loaded {
        Ok(found) => found,
        Err(e) => return error_page(&ctx, &req, e),
    };
    problems.extend(unknown.into_iter().map(|k| site().text(k, lang)));
    let t = site();
    // The filters again, for the tabs' and pager's links, so a filtered view survives paging.
    let keep: Vec<(&str, &str)> = [
        ("kind", params.kind.as_str()),
        ("register", params.register.as_str()),
        ("handler", params.handler.as_str()),
        ("state", params.state.as_str()),
        ("from", params.from.as_str()),
        ("to", params.to.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let mut query = serde_urlencoded::to_string(&keep).unwrap_or_default();
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str(&format!("lang={}", lang.as_str()));
    let tabs: Vec<Value> = counts
        .iter()
        .map(|(q, n)| {
            json!({
                "href": format!("/desk/queue/{}?{query}", q.as_str()),
                "label": t.text(&format!("desk_queue_{}", q.as_str().replace('-', "_")), lang),
                "count": count_text(*n),
                "current": *q == queue,
            })
        })
        .collect();
    let rows: Vec<Value> = page.rows.iter().map(|r| row_view(r, lang)).collect();
    let choices = |items: Vec<(String, String)>, current: &str| -> Vec<Value> {
        items
            .into_iter()
            .map(|(value, label)| json!({ "value": value, "label": label, "selected": value == current }))
            .collect()
    };
    let title = t.text(
        &format!("desk_queue_{}", queue.as_str().replace('-', "_")),
        lang,
    );
    let data = json!({
        "queue": queue.as_str(),
        "heading": title,
        "tabs": tabs,
        "rows": rows,
        "total": count_text(page.total),
        "page": page.page,
        "pages": page.pages,
        "pages_at_least": page.pages_at_least,
        "prev": page.prev.as_ref().map(|key| pager_link(queue, &query, "before", key, page.page - 1)),
        "next": page.next.as_ref().map(|key| pager_link(queue, &query, "after", key, page.page + 1)),
        "problems": problems,
        "filters": {
            "active": !keep.is_empty(),
            "kinds": choices(RequestKind::ALL.iter().map(|k| (k.as_str().to_string(), t.text(&format!("kind_{}", k.as_str()), lang))).collect(), &params.kind),
            "states": choices(RequestState::ALL.iter().map(|s| (s.as_str().to_string(), t.text(&format!("state_short_{}", s.as_str()), lang))).collect(), &params.state),
            "registers": choices(registers.into_iter().map(|r| (r.slug, r.name)).collect(), &params.register),
            "handlers": choices(users.into_iter().filter(|u| u.active).map(|u| (u.id.to_string(), u.name)).collect(), &params.handler),
            "from": params.from,
            "to": params.to,
            "clear": format!("/desk/queue/{}?lang={}", queue.as_str(), lang.as_str()),
        },
    });
    render(
        &ctx,
        &req,
        &desk,
        StatusCode::OK,
        title,
        "desk_queue.html",
        data,
    )
}

/// `GET /desk/search`: the search form.
pub async fn search_form(
    ctx: web::Data<Context>,
    req: HttpRequest,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let title = site().text("desk_search_title", desk.lang);
    render(
        &ctx,
        &req,
        &desk,
        StatusCode::OK,
        title,
        "desk_search.html",
        json!({ "q": "", "searched": false, "problem": null }),
    )
}

/// `POST /desk/search`: by reference, identity code or name. A post, not a link, so names
/// and identity codes stay out of addresses, browser history and proxies' logs.
pub async fn search(
    ctx: web::Data<Context>,
    req: HttpRequest,
    body: web::Bytes,
    session: Option<Session>,
) -> HttpResponse {
    let desk: Desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let lang = desk.lang;
    let posted = match checked_form(&req, &body) {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    let q = posted.get("q").unwrap_or("").trim().to_string();
    let t = site();
    let title = t.text("desk_search_title", lang);
    if q.is_empty() {
        return render(
            &ctx,
            &req,
            &desk,
            StatusCode::UNPROCESSABLE_ENTITY,
            title,
            "desk_search.html",
            json!({ "q": "", "searched": false, "problem": t.text("desk_search_empty", lang) }),
        );
    }
    let c = ctx.clone();
    let principal = desk.principal.clone();
    let query = q.clone();
    let found = match blocking(move || desk::search(&c, &principal, &query)).await {
        Ok(found) => found,
        Err(e) => return error_page(&ctx, &req, e),
    };
    let by = match found.by {
        SearchBy::Reference => "desk_search_by_reference",
        SearchBy::PersonalId => "desk_search_by_personal_id",
        SearchBy::Name => "desk_search_by_name",
    };
    let rows: Vec<Value> = found.rows.iter().map(|r| row_view(r, lang)).collect();
    render(
        &ctx,
        &req,
        &desk,
        StatusCode::OK,
        title,
        "desk_search.html",
        json!({
            // An identity code is not written back into the page, for anyone looking on.
            "q": if found.by == SearchBy::PersonalId { String::new() } else { q },
            "searched": true,
            "problem": null,
            "by": t.text(by, lang),
            "rows": rows,
            "truncated": found.truncated,
        }),
    )
}
