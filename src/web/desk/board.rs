//! The DPO's deadline board, now one page of the desk: the buckets and a weekly chart of
//! due dates.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::queues::days_text;
use super::{render, signed_in};
use crate::domain::enums::{Language, Role};
use crate::edge::session::Session;
use crate::services::{blocking, dpo, Context};
use crate::web::error::error_page;
use crate::web::format_date;
use crate::web::site::{notice, site};

/// Weeks shown in the chart: this one and the next twelve, about three months.
const CHART_WEEKS: u32 = 13;

fn bucket_view(bucket: &dpo::DeadlineBucket, lang: Language) -> Value {
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
                "days": days_text(i.days_left, i.days_left < 0, false, lang),
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

/// `GET /desk/board`: for the DPO.
pub async fn board(
    ctx: web::Data<Context>,
    req: HttpRequest,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    if !desk.is(&[Role::Dpo]) {
        return notice(
            &req,
            StatusCode::FORBIDDEN,
            "forbidden_title",
            "dpo_not_dpo",
        );
    }
    let c = ctx.clone();
    let p = desk.principal.clone();
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
    let lang = desk.lang;
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
    let title = site().text("dpo_board_title", lang);
    render(
        &ctx,
        &req,
        &desk,
        StatusCode::OK,
        title,
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
    )
}
