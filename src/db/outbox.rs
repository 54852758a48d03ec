//! The transactional outbox. Claiming is a conditional UPDATE: exactly one worker, of any
//! instance, gets a message; a crashed worker's claim lapses and the message is tried again.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::OutboxRow;
use super::schema::{outbox, outbox_attempts};
use super::AnyConnection;

/// Adds a message; `false` when its dedupe key was used before (a reminder already queued).
pub fn enqueue(conn: &mut AnyConnection, row: &OutboxRow) -> QueryResult<bool> {
    // A savepoint, so a duplicate does not abort the caller's PostgreSQL transaction.
    let inserted =
        conn.transaction(|conn| diesel::insert_into(outbox::table).values(row).execute(conn));
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if super::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

/// Ready to send: pending and its time has come, or claimed by a worker whose lease lapsed.
#[allow(clippy::type_complexity)]
fn due(
    now: NaiveDateTime,
) -> Box<
    dyn BoxableExpression<
        outbox::table,
        Backend,
        SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
    >,
> {
    Box::new(
        outbox::state
            .eq("pending")
            .and(outbox::next_attempt_at.le(now))
            .or(outbox::state
                .eq("sending")
                .and(outbox::locked_until.lt(now))),
    )
}

pub fn due_ids(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<String>> {
    outbox::table
        .filter(due(now))
        .order(outbox::next_attempt_at)
        .limit(limit)
        .select(outbox::id)
        .load(conn)
}

/// Takes up to `limit` due messages for `worker` until `lease_until`, in one statement;
/// a message another worker took in the meantime is simply not returned.
pub fn claim_due(
    conn: &mut AnyConnection,
    worker: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    let ids = due_ids(conn, now, limit)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(
        outbox::table
            .filter(outbox::id.eq_any(&ids))
            .filter(due(now)),
    )
    .set((
        outbox::state.eq("sending"),
        outbox::locked_until.eq(lease_until),
        outbox::locked_by.eq(worker),
        outbox::attempts.eq(outbox::attempts + 1),
    ))
    .returning(outbox::all_columns)
    .get_results(conn)
}

pub struct Finish<'a> {
    pub id: &'a str,
    pub worker: &'a str,
    pub at: NaiveDateTime,
    /// sent, temporary_failure or permanent_failure
    pub outcome: &'a str,
    pub detail: Option<&'a str>,
    /// When a temporary failure is tried again; `None` gives the message up.
    pub retry_at: Option<NaiveDateTime>,
}

/// Records attempts and the messages' new states (where `worker` still holds them), in one transaction.
pub fn finish_all(conn: &mut AnyConnection, all: &[Finish<'_>]) -> QueryResult<()> {
    conn.transaction(|conn| all.iter().try_for_each(|f| finish_one(conn, f)))
}

fn finish_one(conn: &mut AnyConnection, f: &Finish<'_>) -> QueryResult<()> {
    {
        diesel::insert_into(outbox_attempts::table)
            .values((
                outbox_attempts::id.eq(uuid::Uuid::now_v7().to_string()),
                outbox_attempts::message_id.eq(f.id),
                outbox_attempts::attempted_at.eq(f.at),
                outbox_attempts::worker.eq(f.worker),
                outbox_attempts::outcome.eq(f.outcome),
                outbox_attempts::detail.eq(f.detail),
            ))
            .execute(conn)?;
        let target = outbox::table
            .find(f.id)
            .filter(outbox::locked_by.eq(f.worker));
        match (f.outcome, f.retry_at) {
            ("sent", _) => diesel::update(target)
                .set((
                    outbox::state.eq("sent"),
                    outbox::sent_at.eq(f.at),
                    outbox::locked_until.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?,
            (_, Some(retry_at)) => diesel::update(target)
                .set((
                    outbox::state.eq("pending"),
                    outbox::next_attempt_at.eq(retry_at),
                    outbox::last_error.eq(f.detail),
                    outbox::locked_until.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?,
            (_, None) => diesel::update(target)
                .set((
                    outbox::state.eq("failed"),
                    outbox::last_error.eq(f.detail),
                    outbox::locked_until.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?,
        };
        Ok(())
    }
}

pub fn failed_for_org(conn: &mut AnyConnection, org_id: &str) -> QueryResult<Vec<OutboxRow>> {
    outbox::table
        .filter(outbox::org_id.eq(org_id))
        .filter(outbox::state.eq("failed"))
        .order(outbox::created_at.desc())
        .limit(500)
        .select(OutboxRow::as_select())
        .load(conn)
}

pub fn dedupe_key_exists(conn: &mut AnyConnection, key: &str) -> QueryResult<bool> {
    let n: i64 = outbox::table
        .filter(outbox::dedupe_key.eq(key))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
