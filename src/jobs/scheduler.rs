//! The deadline watch: reminders to the assignee 7 and 2 days before the due date and daily
//! once overdue, and the DPO's daily digest. Every message has a dedupe key, so each is
//! queued once per request and threshold (or per day) whichever instance runs the tick.

use chrono::{NaiveDate, Timelike};
use minijinja::{context, Value};

use crate::db::models::{OrganisationRow, RequestRow, UserRow};
use crate::db::requests::{self as req_db, Bucket};
use crate::db::{orgs, outbox, AnyConnection};
use crate::domain::deadline::helsinki_date;
use crate::domain::enums::Role;
use crate::services::auth::sha256_hex;
use crate::services::notify::{fi_date, Queued};
use crate::services::{Context, ServiceError};

/// Days before the due date at which the assignee is reminded.
pub const REMINDER_DAYS: [i64; 2] = [7, 2];
/// An unextended request whose first month ends within this many days is the DPO's last
/// chance to have an extension notice sent.
pub const LAST_CHANCE_DAYS: i64 = 5;

/// Queues whatever is due now; returns how many messages were queued.
pub fn tick(ctx: &Context) -> Result<usize, ServiceError> {
    let mut conn = ctx.conn()?;
    let now = ctx.clock.now();
    let today = helsinki_date(now);
    let hour = now.with_timezone(&chrono_tz::Europe::Helsinki).hour();
    let mut queued = 0;
    for org in orgs::list_organisations(&mut conn)? {
        let users = orgs::list_users(&mut conn, &org.id)?;
        queued += staff_reminders(ctx, &mut conn, &org, &users, today)?;
        if hour >= ctx.settings.jobs.digest_hour {
            queued += dpo_digest(ctx, &mut conn, &org, &users, today)?;
        }
    }
    // An index range on the event time: cheap when there is nothing to purge.
    let purged = crate::services::logs::purge(ctx)?;
    if purged > 0 {
        tracing::info!(purged, "access-log events past retention purged");
    }
    Ok(queued)
}

fn staff_reminders(
    ctx: &Context,
    conn: &mut AnyConnection,
    org: &OrganisationRow,
    users: &[UserRow],
    today: NaiveDate,
) -> Result<usize, ServiceError> {
    let horizon = today + chrono::Days::new(REMINDER_DAYS[0] as u64);
    let mut queued = 0;
    for r in req_db::open_due_by(conn, &org.id, horizon)? {
        let Some(user) = r
            .assignee_id
            .as_ref()
            .and_then(|id| users.iter().find(|u| &u.id == id && u.active))
        else {
            continue;
        };
        let days = (r.due_on - today).num_days();
        let (kind, key) = if days < 0 {
            ("staff_overdue", format!("overdue:{}:{today}", r.id))
        } else {
            // The nearest threshold reached; the due date in the key re-arms after an extension.
            let threshold = REMINDER_DAYS
                .iter()
                .rev()
                .find(|t| days <= **t)
                .copied()
                .unwrap_or(REMINDER_DAYS[0]);
            (
                "staff_due_soon",
                format!("due_soon:{}:{threshold}:{}", r.id, r.due_on),
            )
        };
        if outbox::dedupe_key_exists(conn, &key)? {
            continue;
        }
        let lang = ctx.notifier.staff_language;
        let rendered = ctx
            .notifier
            .templates
            .render(
                lang,
                kind,
                context! {
                    reference => r.reference.clone(),
                    kind_label => ctx.notifier.templates.kind_label(lang, r.kind.as_str()),
                    due_on => fi_date(r.due_on),
                    days => days,
                    days_overdue => -days,
                    extended => r.extended,
                    request_url => ctx.notifier.request_url(&r),
                    organisation => org.name.clone(),
                },
            )
            .map_err(|e| ServiceError::Internal(e.into()))?;
        let added = ctx.notifier.enqueue(
            conn,
            Queued {
                org_id: &org.id,
                request_id: Some(&r.id),
                kind,
                recipient: &user.email,
                recipient_role: "staff",
                language: lang,
                rendered,
                dedupe_key: Some(key),
            },
        )?;
        queued += usize::from(added);
    }
    Ok(queued)
}

fn digest_recipients(ctx: &Context, users: &[UserRow]) -> Vec<String> {
    if !ctx.settings.jobs.digest_recipients.is_empty() {
        return ctx.settings.jobs.digest_recipients.clone();
    }
    users
        .iter()
        .filter(|u| u.active && u.role == Role::Dpo)
        .map(|u| u.email.clone())
        .collect()
}

fn dpo_digest(
    ctx: &Context,
    conn: &mut AnyConnection,
    org: &OrganisationRow,
    users: &[UserRow],
    today: NaiveDate,
) -> Result<usize, ServiceError> {
    let key_for =
        |recipient: &str| format!("digest:{}:{today}:{}", org.id, &sha256_hex(recipient)[..16]);
    let mut pending = Vec::new();
    for recipient in digest_recipients(ctx, users) {
        let key = key_for(&recipient);
        if !outbox::dedupe_key_exists(conn, &key)? {
            pending.push((recipient, key));
        }
    }
    if pending.is_empty() {
        return Ok(0);
    }
    let lang = ctx.notifier.staff_language;
    let t = &ctx.notifier.templates;
    let item = |r: &RequestRow, days: i64| {
        context! {
            reference => r.reference.clone(),
            kind_label => t.kind_label(lang, r.kind.as_str()),
            due_on => fi_date(r.due_on),
            days => days,
            assignee => r.assignee_id.as_ref().and_then(|id| users.iter().find(|u| &u.id == id)).map(|u| u.name.clone()),
            awaiting_label => r.awaiting.map(|a| t.awaiting_label(lang, a.as_str())),
        }
    };
    let limit = crate::services::dpo::BUCKET_LIMIT;
    let (overdue_rows, _) = req_db::bucket(conn, &org.id, Bucket::Overdue, today, limit)?;
    let (soon_rows, _) = req_db::bucket(conn, &org.id, Bucket::DueWithin7Days, today, limit)?;
    let (paused_rows, _) = req_db::bucket(conn, &org.id, Bucket::Paused, today, limit)?;
    let overdue: Vec<Value> = overdue_rows
        .iter()
        .map(|r| item(r, (today - r.due_on).num_days()))
        .collect();
    let due_soon: Vec<Value> = soon_rows
        .iter()
        .map(|r| item(r, (r.due_on - today).num_days()))
        .collect();
    let last_chance: Vec<Value> = soon_rows
        .iter()
        .filter(|r| !r.extended && (r.due_on - today).num_days() <= LAST_CHANCE_DAYS)
        .map(|r| item(r, (r.due_on - today).num_days()))
        .collect();
    let paused: Vec<Value> = paused_rows
        .iter()
        .map(|r| item(r, (r.due_on - today).num_days()))
        .collect();
    let week_ago = ctx.notifier.now() - chrono::Duration::days(7);
    let failed: Vec<Value> = outbox::failed_for_org(conn, &org.id)?
        .into_iter()
        .filter(|m| m.created_at >= week_ago && m.kind != "dpo_digest")
        .map(|m| {
            context! {
                subject_kind => m.kind,
                recipient_role => m.recipient_role,
                attempts => m.attempts,
                last_error => m.last_error,
            }
        })
        .collect();
    if overdue.is_empty()
        && due_soon.is_empty()
        && last_chance.is_empty()
        && paused.is_empty()
        && failed.is_empty()
    {
        return Ok(0);
    }
    let rendered = t
        .render(
            lang,
            "dpo_digest",
            context! {
                organisation => org.name.clone(),
                today => fi_date(today),
                overdue, due_soon, last_chance, paused,
                failed_messages => failed,
                board_url => format!("{}/dpo", ctx.notifier.public_url),
            },
        )
        .map_err(|e| ServiceError::Internal(e.into()))?;
    let mut queued = 0;
    for (recipient, key) in pending {
        queued += usize::from(ctx.notifier.enqueue(
            conn,
            Queued {
                org_id: &org.id,
                request_id: None,
                kind: "dpo_digest",
                recipient: &recipient,
                recipient_role: "dpo",
                language: lang,
                rendered: rendered.clone(),
                dedupe_key: Some(key),
            },
        )?);
    }
    Ok(queued)
}
