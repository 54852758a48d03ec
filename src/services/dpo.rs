//! The DPO's views: today's deadlines, the year in figures, and the audit chain check.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::request::Request;
use super::views::{user_ref, UserRef};
use super::{Context, Principal, ServiceError};
use crate::db::audit::{self, ChainReport};
use crate::db::orgs;
use crate::db::requests::{self as req_db, Bucket};
use crate::domain::codes::FieldCode;
use crate::domain::deadline::days_left;
use crate::domain::enums::{RequestKind, RequestState, Role};

/// Items shown per bucket; `total` always counts them all.
pub const BUCKET_LIMIT: i64 = 200;

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineItem {
    pub id: String,
    pub reference: String,
    pub kind: RequestKind,
    pub state: RequestState,
    pub due_on: NaiveDate,
    pub days_left: i64,
    pub assignee: Option<UserRef>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineBucket {
    pub total: i64,
    pub items: Vec<DeadlineItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Deadlines {
    pub today: NaiveDate,
    pub overdue: DeadlineBucket,
    pub due_within_7_days: DeadlineBucket,
    pub paused: DeadlineBucket,
    pub extended: DeadlineBucket,
}

pub fn deadlines(ctx: &Context, principal: &Principal) -> Result<Deadlines, ServiceError> {
    principal.require(&[Role::Dpo])?;
    let mut conn = ctx.conn()?;
    let today = ctx.today();
    let users = orgs::list_users(&mut conn, &principal.org_id)?;
    let mut bucket = |b: Bucket| -> Result<DeadlineBucket, ServiceError> {
        let (rows, total) = req_db::bucket(&mut conn, &principal.org_id, b, today, BUCKET_LIMIT)?;
        let items = rows
            .iter()
            .map(|r| DeadlineItem {
                id: r.id.to_string(),
                reference: r.reference.clone(),
                kind: r.kind,
                state: r.state,
                due_on: r.due_on,
                days_left: days_left(today, r.due_on),
                assignee: user_ref(&users, &r.assignee_id),
            })
            .collect();
        Ok(DeadlineBucket { total, items })
    };
    Ok(Deadlines {
        today,
        overdue: bucket(Bucket::Overdue)?,
        due_within_7_days: bucket(Bucket::DueWithin7Days)?,
        paused: bucket(Bucket::Paused)?,
        extended: bucket(Bucket::Extended)?,
    })
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct OutcomeFigures {
    pub count: i64,
    /// Median calendar days from receipt to the decision.
    pub median_days_to_answer: Option<f64>,
    /// Decided after the legal due date.
    pub answered_late: i64,
    pub extended: i64,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct KindFigures {
    pub received: i64,
    pub open: i64,
    pub open_overdue: i64,
    pub extended: i64,
    /// Per outcome: fulfilled, partially_fulfilled, refused, withdrawn.
    pub outcomes: BTreeMap<String, OutcomeFigures>,
    /// How often each legal ground was cited in refusals and partial refusals.
    pub refused_by_ground: BTreeMap<String, i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Statistics {
    pub year: i32,
    pub received: i64,
    pub by_kind: BTreeMap<String, KindFigures>,
}

pub fn statistics(
    ctx: &Context,
    principal: &Principal,
    year: i32,
) -> Result<Statistics, ServiceError> {
    principal.require(&[Role::Dpo])?;
    let (Some(from), Some(to)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year + 1, 1, 1),
    ) else {
        return Err(ServiceError::field("year", FieldCode::InvalidYear));
    };
    let mut conn = ctx.conn()?;
    let today = ctx.today();
    let rows = req_db::received_between(&mut conn, &principal.org_id, from, to)?;
    let received = rows.len() as i64;
    let mut by_kind: BTreeMap<String, KindFigures> = BTreeMap::new();
    let mut durations: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
    for request in rows.into_iter().map(Request::from_row) {
        let request = request?;
        let r = &request.row;
        let k = by_kind.entry(r.kind.to_string()).or_default();
        k.received += 1;
        k.extended += i64::from(r.extended);
        if r.is_open {
            k.open += 1;
            k.open_overdue += i64::from(request.is_overdue(today));
        }
        if let (Some(outcome), Some(closed)) = (r.outcome, r.closed_on) {
            let o = k.outcomes.entry(outcome.to_string()).or_default();
            o.count += 1;
            o.answered_late += i64::from(closed > r.due_on);
            o.extended += i64::from(r.extended);
            durations
                .entry((r.kind.to_string(), outcome.to_string()))
                .or_default()
                .push((closed - r.received_on).num_days());
            if let Some(decision) = &request.decision {
                for g in &decision.grounds {
                    *k.refused_by_ground.entry(g.clone()).or_default() += 1;
                }
            }
        }
    }
    for ((kind, outcome), mut days) in durations {
        if let Some(o) = by_kind
            .get_mut(&kind)
            .and_then(|k| k.outcomes.get_mut(&outcome))
        {
            o.median_days_to_answer = median(&mut days);
        }
    }
    Ok(Statistics {
        year,
        received,
        by_kind,
    })
}

fn median(v: &mut [i64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) as f64 / 2.0
    } else {
        v[mid] as f64
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FailedMessage {
    pub id: String,
    /// requester_news, staff_assigned, staff_due_soon, staff_overdue or dpo_digest
    pub kind: String,
    /// requester, staff or dpo (the address itself is not shown)
    pub recipient_role: String,
    pub request_reference: Option<String>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Messages given up after a permanent error or the last allowed try.
pub fn failed_messages(
    ctx: &Context,
    principal: &Principal,
) -> Result<Vec<FailedMessage>, ServiceError> {
    principal.require(&[Role::Dpo])?;
    let mut conn = ctx.conn()?;
    let rows = crate::db::outbox::failed_for_org(&mut conn, &principal.org_id)?;
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let reference = match &m.request_id {
            Some(id) => req_db::find(&mut conn, &principal.org_id, id)?.map(|r| r.reference),
            None => None,
        };
        out.push(FailedMessage {
            id: m.id,
            kind: m.kind,
            recipient_role: m.recipient_role,
            request_reference: reference,
            attempts: m.attempts,
            last_error: m.last_error,
            created_at: chrono::DateTime::from_naive_utc_and_offset(m.created_at, chrono::Utc),
        });
    }
    Ok(out)
}

pub fn verify_audit(ctx: &Context, principal: &Principal) -> Result<ChainReport, ServiceError> {
    principal.require(&[Role::Dpo, Role::Admin])?;
    let mut conn = ctx.conn()?;
    Ok(audit::verify(&mut conn, &principal.org_id)?)
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5]), Some(5.0));
        assert_eq!(median(&mut [9, 1, 4]), Some(4.0));
        assert_eq!(median(&mut [1, 2, 3, 10]), Some(2.5));
    }
}

/// Open requests due in one ISO week.
#[derive(Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct WeekLoad {
    /// The Monday of the week.
    pub week_start: NaiveDate,
    pub iso_week: u32,
    pub count: i64,
}

/// Open requests due per week, this week first, for `weeks` weeks (empty weeks included).
pub fn due_per_week(
    ctx: &Context,
    principal: &Principal,
    weeks: u32,
) -> Result<Vec<WeekLoad>, ServiceError> {
    use chrono::{Datelike, Duration};
    principal.require(&[Role::Dpo])?;
    let today = ctx.today();
    let first = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let mut load: Vec<WeekLoad> = (0..weeks)
        .map(|w| {
            let week_start = first + Duration::weeks(i64::from(w));
            WeekLoad {
                week_start,
                iso_week: week_start.iso_week().week(),
                count: 0,
            }
        })
        .collect();
    let last = first + Duration::weeks(i64::from(weeks)) - Duration::days(1);
    let mut conn = ctx.conn()?;
    for due in req_db::open_due_dates(&mut conn, &principal.org_id, today, last)? {
        let index = ((due - first).num_days() / 7) as usize;
        if let Some(week) = load.get_mut(index) {
            week.count += 1;
        }
    }
    Ok(load)
}
