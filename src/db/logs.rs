//! The access-log store: scopes (organisation + register), users, events. Events are written
//! in multi-row batches that skip duplicates (the source's event id is the idempotency key);
//! on PostgreSQL the monthly partition of every month in a batch is created first.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::schema::{access_events, log_scopes, log_users};
use super::AnyConnection;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = access_events)]
pub struct NewAccessEvent {
    pub scope: i64,
    pub event_id: String,
    pub subject_key: Vec<u8>,
    pub occurred_at: i64,
    pub user_ref: i64,
    pub action: String,
    pub basis: String,
    pub recipient: Option<String>,
    pub source: Option<String>,
    /// `bucket_of(occurred_at)`: leads the subject index (see the migration log_buckets).
    pub bucket: i64,
}

/// Length of a subject-index time bucket: 30 days.
pub const BUCKET_SECS: i64 = 30 * 24 * 60 * 60;

/// The time bucket of a Unix time.
pub fn bucket_of(t: i64) -> i64 {
    t.div_euclid(BUCKET_SECS)
}

/// An event as a search returns it, with its user.
#[derive(Debug, Clone, Queryable)]
pub struct FoundEvent {
    pub scope: i64,
    pub event_id: String,
    pub occurred_at: i64,
    pub action: String,
    pub basis: String,
    pub recipient: Option<String>,
    pub source: Option<String>,
    pub user_name: String,
    pub user_title: String,
    pub unit: String,
}

/// The scope id of a register, created on first use.
pub fn scope_for(conn: &mut AnyConnection, org_id: &str, register_id: &str) -> QueryResult<i64> {
    get_or_create(
        conn,
        |conn| {
            log_scopes::table
                .filter(log_scopes::org_id.eq(org_id))
                .filter(log_scopes::register_id.eq(register_id))
                .select(log_scopes::id)
                .first(conn)
                .optional()
        },
        |conn, id| {
            diesel::insert_into(log_scopes::table)
                .values((
                    log_scopes::id.eq(id),
                    log_scopes::org_id.eq(org_id),
                    log_scopes::register_id.eq(register_id),
                ))
                .execute(conn)
        },
        |conn| {
            log_scopes::table
                .select(diesel::dsl::max(log_scopes::id))
                .first::<Option<i64>>(conn)
        },
    )
}

pub fn scopes_of(
    conn: &mut AnyConnection,
    org_id: &str,
    register_ids: &[String],
) -> QueryResult<Vec<i64>> {
    log_scopes::table
        .filter(log_scopes::org_id.eq(org_id))
        .filter(log_scopes::register_id.eq_any(register_ids))
        .select(log_scopes::id)
        .load(conn)
}

/// A user met for the first time, stored in the same transaction as the events of the
/// batch that first names them.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = log_users)]
pub struct NewLogUser {
    pub id: i64,
    pub org_id: String,
    pub name: String,
    pub title: String,
    pub unit: String,
}

impl NewLogUser {
    /// A new user's id is derived from who they are (62 bits of SHA-256 over organisation,
    /// name, title and unit), so an importer needs no write to learn it: on SQLite the bulk
    /// writer holds the write lock for most of a second per batch, and an importer waiting
    /// for it to create a user stood still (measured: the import ran at half speed). Two
    /// importers meeting the same new user derive the same id and store one row. Users
    /// stored before ids were derived keep theirs ([`find_user`] is asked first).
    pub fn new(org_id: &str, name: &str, title: &str, unit: &str) -> NewLogUser {
        let mut hasher = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        for part in [org_id, name, title, unit] {
            // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let digest = hasher.finish();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest.as_ref()[..8]);
        NewLogUser {
            id: (u64::from_le_bytes(first) >> 2) as i64,
            org_id: org_id.to_string(),
            name: name.to_string(),
            title: title.to_string(),
            unit: unit.to_string(),
        }
    }
}

/// A stored user's id. A read: it does not wait for a writer.
pub fn find_user(
    conn: &mut AnyConnection,
    org_id: &str,
    name: &str,
    title: &str,
    unit: &str,
) -> QueryResult<Option<i64>> {
    log_users::table
        .filter(log_users::org_id.eq(org_id))
        .filter(log_users::name.eq(name))
        .filter(log_users::title.eq(title))
        .filter(log_users::unit.eq(unit))
        .select(log_users::id)
        .first(conn)
        .optional()
}

/// What one transaction stores: the users met for the first time, then the events.
#[derive(Debug, Default)]
pub struct EventBatch {
    pub users: Vec<NewLogUser>,
    pub events: Vec<NewAccessEvent>,
}

impl EventBatch {
    pub fn with_capacity(events: usize) -> EventBatch {
        EventBatch {
            users: Vec::new(),
            events: Vec::with_capacity(events),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.events.is_empty()
    }

    pub fn clear(&mut self) {
        self.users.clear();
        self.events.clear();
    }
}

/// Small dimension tables get portable ids (max + 1); a concurrent importer that takes the
/// same id makes the insert fail, and the lookup is simply tried again.
fn get_or_create(
    conn: &mut AnyConnection,
    find: impl Fn(&mut AnyConnection) -> QueryResult<Option<i64>>,
    insert: impl Fn(&mut AnyConnection, i64) -> QueryResult<usize>,
    max: impl Fn(&mut AnyConnection) -> QueryResult<Option<i64>>,
) -> QueryResult<i64> {
    for _ in 0..5 {
        if let Some(id) = find(conn)? {
            return Ok(id);
        }
        let id = max(conn)?.unwrap_or(0) + 1;
        let attempt = conn.transaction(|conn| insert(conn, id));
        match attempt {
            Ok(_) => return Ok(id),
            Err(e) if super::is_unique_violation(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    find(conn)?.ok_or(diesel::result::Error::NotFound)
}

/// Month boundaries (Unix seconds) around a time, for PostgreSQL's monthly partitions.
fn month_bounds(t: i64) -> (i64, i64, String) {
    let d = Utc
        .timestamp_opt(t, 0)
        .single()
        .unwrap_or_default()
        .date_naive();
    let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or_default();
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    let secs = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc()
            .timestamp()
    };
    (
        secs(first),
        secs(next),
        format!("access_events_y{}m{:02}", first.year(), first.month()),
    )
}

fn ensure_partitions(conn: &mut AnyConnection, rows: &[NewAccessEvent]) -> QueryResult<()> {
    if !matches!(conn, AnyConnection::Postgresql(_)) {
        return Ok(());
    }
    let months: BTreeSet<(i64, i64, String)> =
        rows.iter().map(|r| month_bounds(r.occurred_at)).collect();
    for (from, to, name) in months {
        diesel::sql_query(format!(
            "CREATE TABLE IF NOT EXISTS {name} PARTITION OF access_events FOR VALUES FROM ({from}) TO ({to})"
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// Stores a batch's new users and events, skipping what is already stored; returns how
/// many events were new. Call it inside a transaction (on PostgreSQL the staging table
/// empties at commit).
pub fn insert_events(conn: &mut AnyConnection, batch: &EventBatch) -> QueryResult<usize> {
    let rows = &batch.events;
    match conn {
        AnyConnection::Sqlite(c) => {
            for user in &batch.users {
                diesel::insert_or_ignore_into(log_users::table)
                    .values(user)
                    .execute(c)?;
            }
        }
        // PostgreSQL takes at most 65,535 bind parameters per statement: 5 x 10,000 fits,
        // and a first import may meet tens of thousands of users in one batch.
        AnyConnection::Postgresql(c) => {
            for chunk in batch.users.chunks(10_000) {
                diesel::insert_into(log_users::table)
                    .values(chunk)
                    .on_conflict_do_nothing()
                    .execute(c)?;
            }
        }
    }
    if rows.is_empty() {
        return Ok(0);
    }
    ensure_partitions(conn, rows)?;
    match conn {
        // One cached prepared statement per row: SQLite compiles a multi-row VALUES statement
        // afresh every time, which cost more than the inserts themselves. (The CLI's bulk
        // import on SQLite goes through `log_writer` instead.)
        AnyConnection::Sqlite(c) => {
            let mut stored = 0;
            for row in rows {
                stored += diesel::insert_or_ignore_into(access_events::table)
                    .values(row)
                    .execute(c)?;
            }
            Ok(stored)
        }
        AnyConnection::Postgresql(c) => copy_events(c, rows),
    }
}

diesel::table! {
    /// A temporary table per connection (created by `copy_events`, not by a migration).
    access_events_staging (scope, event_id) {
        scope -> BigInt,
        event_id -> Text,
        subject_key -> Binary,
        occurred_at -> BigInt,
        user_ref -> BigInt,
        action -> Text,
        basis -> Text,
        recipient -> Nullable<Text>,
        source -> Nullable<Text>,
        bucket -> BigInt,
    }
}

/// PostgreSQL: COPY into a temporary staging table, then one INSERT ... SELECT that skips
/// duplicates (COPY itself cannot). Measured against 3,000-row INSERT statements with
/// ON CONFLICT DO NOTHING: see the README's access-log figures.
fn copy_events(conn: &mut diesel::PgConnection, rows: &[NewAccessEvent]) -> QueryResult<usize> {
    // SET LOCAL: no "already exists, skipping" notice on every batch but the first.
    conn.batch_execute(
        "SET LOCAL client_min_messages = warning;
         CREATE TEMPORARY TABLE IF NOT EXISTS access_events_staging (
            scope BIGINT NOT NULL, event_id TEXT NOT NULL, subject_key BYTEA NOT NULL,
            occurred_at BIGINT NOT NULL, user_ref BIGINT NOT NULL, action TEXT NOT NULL,
            basis TEXT NOT NULL, recipient TEXT, source TEXT, bucket BIGINT NOT NULL
         ) ON COMMIT DELETE ROWS",
    )?;
    diesel::copy_from(access_events_staging::table)
        .from_raw_data(access_events_staging::table, |out| {
            let mut line = String::with_capacity(256);
            for r in rows {
                line.clear();
                copy_text_row(&mut line, r);
                out.write_all(line.as_bytes())
                    .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
            }
            QueryResult::Ok(())
        })
        .execute(conn)?;
    // A batch carrying the same event twice is fine: DO NOTHING skips the second copy too.
    diesel::sql_query(
        "INSERT INTO access_events \
         (scope, event_id, subject_key, occurred_at, user_ref, action, basis, recipient, source, bucket) \
         SELECT scope, event_id, subject_key, occurred_at, user_ref, action, basis, recipient, source, bucket \
         FROM access_events_staging ON CONFLICT DO NOTHING",
    )
    .execute(conn)
}

/// One row in COPY's text format: tab-separated, `\N` for NULL, backslash escapes, bytea
/// in hex (`\\x...` once escaped).
fn copy_text_row(out: &mut String, r: &NewAccessEvent) {
    use std::fmt::Write;
    fn text(out: &mut String, s: &str) {
        for ch in s.chars() {
            match ch {
                '\\' => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c => out.push(c),
            }
        }
    }
    fn optional(out: &mut String, s: &Option<String>) {
        match s {
            Some(s) => text(out, s),
            None => out.push_str("\\N"),
        }
    }
    let _ = write!(out, "{}\t", r.scope);
    text(out, &r.event_id);
    out.push_str("\t\\\\x");
    out.push_str(&hex::encode(&r.subject_key));
    let _ = write!(out, "\t{}\t{}\t", r.occurred_at, r.user_ref);
    text(out, &r.action);
    out.push('\t');
    text(out, &r.basis);
    out.push('\t');
    optional(out, &r.recipient);
    out.push('\t');
    optional(out, &r.source);
    let _ = writeln!(out, "\t{}", r.bucket);
}

/// One subject's events in the scopes and period, oldest first.
pub fn search(
    conn: &mut AnyConnection,
    scopes: &[i64],
    subject_key: &[u8],
    from: i64,
    to: i64,
) -> QueryResult<Vec<FoundEvent>> {
    // One seek per bucket: an IN list on the index's first column, not a range, so the
    // subject key narrows each seek.
    let buckets: Vec<i64> = (bucket_of(from)..=bucket_of(to)).collect();
    access_events::table
        .inner_join(log_users::table)
        .filter(access_events::bucket.eq_any(buckets))
        .filter(access_events::subject_key.eq(subject_key))
        .filter(access_events::occurred_at.ge(from))
        .filter(access_events::occurred_at.lt(to))
        .order((access_events::occurred_at, access_events::event_id))
        .select((
            access_events::scope,
            access_events::event_id,
            access_events::occurred_at,
            access_events::action,
            access_events::basis,
            access_events::recipient,
            access_events::source,
            log_users::name,
            log_users::title,
            log_users::unit,
        ))
        .load::<FoundEvent>(conn)
        // The scopes are filtered here, not in SQL: given `scope IN (...)`, SQLite's planner
        // (without statistics) walks the primary key instead of seeking the subject index.
        // One subject's events are few, so this costs nothing.
        .map(|events| {
            events
                .into_iter()
                .filter(|e| scopes.contains(&e.scope))
                .collect()
        })
}

/// Removes events older than `cutoff` (Unix seconds). On PostgreSQL whole months go by
/// dropping their partitions; only the month the cutoff falls in is deleted row by row.
pub fn purge_before(conn: &mut AnyConnection, cutoff: i64) -> QueryResult<usize> {
    let mut removed = 0;
    if matches!(conn, AnyConnection::Postgresql(_)) {
        #[derive(QueryableByName)]
        struct Part {
            #[diesel(sql_type = diesel::sql_types::Text)]
            name: String,
        }
        let parts: Vec<Part> = diesel::sql_query(
            "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
             JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'access_events'",
        )
        .load(conn)?;
        for part in parts {
            let Some((y, m)) = part
                .name
                .strip_prefix("access_events_y")
                .and_then(|s| s.split_once('m'))
                .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
            else {
                continue;
            };
            let Some(first) = NaiveDate::from_ymd_opt(y, m, 1) else {
                continue;
            };
            let (_, end, _) = month_bounds(
                first
                    .and_hms_opt(0, 0, 0)
                    .unwrap_or_default()
                    .and_utc()
                    .timestamp(),
            );
            if end <= cutoff {
                #[derive(QueryableByName)]
                struct Count {
                    #[diesel(sql_type = BigInt)]
                    n: i64,
                }
                let n: Count =
                    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {}", part.name))
                        .get_result(conn)?;
                diesel::sql_query(format!("DROP TABLE {}", part.name)).execute(conn)?;
                removed += n.n as usize;
            }
        }
    }
    removed += diesel::delete(
        access_events::table
            .filter(access_events::bucket.le(bucket_of(cutoff)))
            .filter(access_events::occurred_at.lt(cutoff)),
    )
    .execute(conn)?;
    Ok(removed)
}

pub fn count(conn: &mut AnyConnection) -> QueryResult<i64> {
    access_events::table.count().get_result(conn)
}

impl From<FoundEvent> for crate::domain::log_grouping::SeenEvent {
    fn from(e: FoundEvent) -> Self {
        crate::domain::log_grouping::SeenEvent {
            event_id: e.event_id,
            occurred_at: e.occurred_at,
            action: e.action,
            basis: e.basis,
            recipient: e.recipient,
            source: e.source,
            user_name: e.user_name,
            user_title: e.user_title,
            unit: e.unit,
        }
    }
}

/// The organisation and source system of an unrevoked ingest token.
pub fn find_ingest_token(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> QueryResult<Option<(String, String, String)>> {
    use super::schema::ingest_tokens as t;
    t::table
        .filter(t::token_hash.eq(token_hash))
        .filter(t::revoked_at.is_null())
        .select((t::id, t::org_id, t::source))
        .first(conn)
        .optional()
}

/// Records that the token was used at `now`, unless that was already recorded less than
/// `min_gap` before: at most one write per token in that time, however many batches come.
pub fn touch_ingest_token(
    conn: &mut AnyConnection,
    id: &str,
    now: chrono::NaiveDateTime,
    min_gap: chrono::Duration,
) -> QueryResult<()> {
    use super::schema::ingest_tokens as t;
    diesel::update(
        t::table.filter(t::id.eq(id)).filter(
            t::last_used_at
                .is_null()
                .or(t::last_used_at.le(now - min_gap)),
        ),
    )
    .set(t::last_used_at.eq(now))
    .execute(conn)
    .map(drop)
}

pub struct NewIngestToken<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub source: &'a str,
    pub token_hash: &'a str,
    pub created_by: &'a str,
}

pub fn insert_ingest_token(conn: &mut AnyConnection, new: &NewIngestToken<'_>) -> QueryResult<()> {
    use super::schema::ingest_tokens as t;
    diesel::insert_into(t::table)
        .values((
            t::id.eq(new.id),
            t::org_id.eq(new.org_id),
            t::source.eq(new.source),
            t::token_hash.eq(new.token_hash),
            t::created_at.eq(super::now()),
            t::created_by.eq(new.created_by),
        ))
        .execute(conn)
        .map(|_| ())
}

/// An ingest token as its organisation's admin sees it: never the secret nor its hash.
#[derive(Debug, Clone, Queryable)]
pub struct IngestTokenRow {
    pub id: String,
    pub source: String,
    pub created_at: chrono::NaiveDateTime,
    pub revoked_at: Option<chrono::NaiveDateTime>,
    pub last_used_at: Option<chrono::NaiveDateTime>,
}

pub fn list_ingest_tokens(
    conn: &mut AnyConnection,
    org_id: &str,
) -> QueryResult<Vec<IngestTokenRow>> {
    use super::schema::ingest_tokens as t;
    t::table
        .filter(t::org_id.eq(org_id))
        .order((t::created_at.desc(), t::id))
        .select((
            t::id,
            t::source,
            t::created_at,
            t::revoked_at,
            t::last_used_at,
        ))
        .load(conn)
}

/// Revokes a token of the organisation; an already revoked one keeps its first time.
/// `None` when the organisation has no such token; `true` when this call revoked it.
pub fn revoke_ingest_token(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
) -> QueryResult<Option<(IngestTokenRow, bool)>> {
    use super::schema::ingest_tokens as t;
    let changed = diesel::update(
        t::table
            .filter(t::org_id.eq(org_id))
            .filter(t::id.eq(id))
            .filter(t::revoked_at.is_null()),
    )
    .set(t::revoked_at.eq(super::now()))
    .execute(conn)?
        == 1;
    t::table
        .filter(t::org_id.eq(org_id))
        .filter(t::id.eq(id))
        .select((
            t::id,
            t::source,
            t::created_at,
            t::revoked_at,
            t::last_used_at,
        ))
        .first(conn)
        .optional()
        .map(|row| row.map(|r| (r, changed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_users_id_depends_on_who_they_are_only() {
        let a = NewLogUser::new("org", "Matti Esimerkki", "ohjaaja", "Yksikkö");
        assert_eq!(
            a.id,
            NewLogUser::new("org", "Matti Esimerkki", "ohjaaja", "Yksikkö").id
        );
        assert!(a.id > 0);
        for other in [
            NewLogUser::new("org2", "Matti Esimerkki", "ohjaaja", "Yksikkö"),
            NewLogUser::new("org", "Matti Esimerkki", "ohjaaja", "Yksikkö 2"),
            // The parts are length-prefixed: moving a letter across a boundary changes the id.
            NewLogUser::new("org", "Matti Esimerkkio", "hjaaja", "Yksikkö"),
        ] {
            assert_ne!(a.id, other.id);
        }
    }

    #[test]
    fn copy_rows_escape_what_copy_text_format_would_misread() {
        let row = NewAccessEvent {
            scope: 3,
            event_id: "a\tb\\c".into(),
            subject_key: vec![0x00, 0xab, 0xff],
            occurred_at: 1_700_000_000,
            user_ref: 7,
            action: "view\nprint".into(),
            basis: "asiakkuus\r".into(),
            recipient: None,
            source: Some("Apotti".into()),
            bucket: bucket_of(1_700_000_000),
        };
        let mut line = String::new();
        copy_text_row(&mut line, &row);
        assert_eq!(
            line,
            "3\ta\\tb\\\\c\t\\\\x00abff\t1700000000\t7\tview\\nprint\tasiakkuus\\r\t\\N\tApotti\t655\n"
        );
    }
}
