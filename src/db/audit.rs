//! The append-only audit trail: one hash chain per organisation.
//! `hash = SHA-256(previous hash || canonical event)`; the head row serialises appenders.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::models::AuditEventRow;
use super::schema::{audit_events, audit_heads};
use super::AnyConnection;

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub struct NewEvent<'a> {
    pub org_id: &'a str,
    pub request_id: Option<&'a str>,
    pub actor_id: Option<&'a str>,
    pub actor_role: &'a str,
    pub action: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: Option<&'a str>,
    pub payload: serde_json::Value,
    pub occurred_at: NaiveDateTime,
}

/// The exact bytes hashed: fixed field order, the payload as stored.
#[derive(Serialize)]
struct Canonical<'a> {
    org_id: &'a str,
    seq: i64,
    id: &'a str,
    request_id: Option<&'a str>,
    occurred_at: String,
    actor_id: Option<&'a str>,
    actor_role: &'a str,
    action: &'a str,
    from_state: Option<&'a str>,
    to_state: Option<&'a str>,
    payload: &'a str,
}

pub fn event_hash(prev_hash: &str, e: &AuditEventRow) -> String {
    let canonical = Canonical {
        org_id: &e.org_id,
        seq: e.seq,
        id: &e.id,
        request_id: e.request_id.as_deref(),
        occurred_at: e.occurred_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        actor_id: e.actor_id.as_deref(),
        actor_role: &e.actor_role,
        action: &e.action,
        from_state: e.from_state.as_deref(),
        to_state: e.to_state.as_deref(),
        payload: &e.payload,
    };
    // Serialising a struct of strings and integers cannot fail.
    let bytes = serde_json::to_vec(&canonical).unwrap_or_default();
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(&bytes);
    hex::encode(h.finalize())
}

/// Takes the organisation's write lock for the rest of the transaction: the first
/// statement of every write transaction, so SQLite never has to upgrade a read lock
/// and PostgreSQL serialises writers per organisation.
pub fn lock_org(conn: &mut AnyConnection, org_id: &str) -> QueryResult<()> {
    diesel::update(audit_heads::table.find(org_id))
        .set(audit_heads::last_seq.eq(audit_heads::last_seq))
        .execute(conn)
        .map(|_| ())
}

pub fn append(conn: &mut AnyConnection, e: NewEvent<'_>) -> QueryResult<AuditEventRow> {
    let (seq, prev_hash): (i64, String) = diesel::update(audit_heads::table.find(e.org_id))
        .set(audit_heads::last_seq.eq(audit_heads::last_seq + 1))
        .returning((audit_heads::last_seq, audit_heads::last_hash))
        .get_result(conn)?;
    let mut row = AuditEventRow {
        id: uuid::Uuid::now_v7().to_string(),
        org_id: e.org_id.to_string(),
        seq,
        request_id: e.request_id.map(str::to_string),
        occurred_at: e.occurred_at,
        actor_id: e.actor_id.map(str::to_string),
        actor_role: e.actor_role.to_string(),
        action: e.action.to_string(),
        from_state: e.from_state.map(str::to_string),
        to_state: e.to_state.map(str::to_string),
        payload: e.payload.to_string(),
        prev_hash,
        hash: String::new(),
    };
    row.hash = event_hash(&row.prev_hash, &row);
    diesel::insert_into(audit_events::table)
        .values(&row)
        .execute(conn)?;
    diesel::update(audit_heads::table.find(e.org_id))
        .set(audit_heads::last_hash.eq(&row.hash))
        .execute(conn)?;
    Ok(row)
}

pub fn list_for_request(
    conn: &mut AnyConnection,
    request_id: &str,
) -> QueryResult<Vec<AuditEventRow>> {
    audit_events::table
        .filter(audit_events::request_id.eq(request_id))
        .order(audit_events::seq)
        .select(AuditEventRow::as_select())
        .load(conn)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BrokenLink {
    pub seq: i64,
    pub event_id: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChainReport {
    pub events_checked: i64,
    pub intact: bool,
    pub first_broken: Option<BrokenLink>,
}

const VERIFY_BATCH: i64 = 5_000;

/// The organisation's chain head: the last sequence number and its hash.
pub fn head(conn: &mut AnyConnection, org_id: &str) -> QueryResult<(i64, String)> {
    audit_heads::table
        .find(org_id)
        .select((audit_heads::last_seq, audit_heads::last_hash))
        .first(conn)
}

/// Re-walks the organisation's chain and reports the first broken link. The head and the
/// events are read in one read-only snapshot (REPEATABLE READ on PostgreSQL, a read
/// transaction on SQLite's WAL), and only events up to that head are walked, so appends
/// committed while the check runs are neither seen nor reported as missing.
pub fn verify(conn: &mut AnyConnection, org_id: &str) -> QueryResult<ChainReport> {
    conn.transaction(|conn| {
        if matches!(conn, AnyConnection::Postgresql(_)) {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(conn)?;
        }
        let (head_seq, head_hash) = head(conn, org_id)?;
        verify_to(conn, org_id, head_seq, &head_hash)
    })
}

/// Walks the chain from the genesis to the given head (events after it are not looked at)
/// and checks that the head's sequence number and hash are where the walk ends.
pub fn verify_to(
    conn: &mut AnyConnection,
    org_id: &str,
    head_seq: i64,
    head_hash: &str,
) -> QueryResult<ChainReport> {
    let mut expected_seq = 1i64;
    let mut prev = GENESIS_HASH.to_string();
    let broken = |seq: i64, id: Option<&str>, reason: &str, checked: i64| ChainReport {
        events_checked: checked,
        intact: false,
        first_broken: Some(BrokenLink {
            seq,
            event_id: id.map(str::to_string),
            reason: reason.to_string(),
        }),
    };
    loop {
        let batch: Vec<AuditEventRow> = audit_events::table
            .filter(audit_events::org_id.eq(org_id))
            .filter(audit_events::seq.ge(expected_seq))
            .filter(audit_events::seq.le(head_seq))
            .order(audit_events::seq)
            .limit(VERIFY_BATCH)
            .select(AuditEventRow::as_select())
            .load(conn)?;
        if batch.is_empty() {
            break;
        }
        for e in &batch {
            let checked = expected_seq - 1;
            if e.seq != expected_seq {
                return Ok(broken(expected_seq, None, "event missing", checked));
            }
            if e.prev_hash != prev {
                return Ok(broken(
                    e.seq,
                    Some(&e.id),
                    "previous hash does not match",
                    checked,
                ));
            }
            if event_hash(&prev, e) != e.hash {
                return Ok(broken(
                    e.seq,
                    Some(&e.id),
                    "event content does not match its hash",
                    checked,
                ));
            }
            prev = e.hash.clone();
            expected_seq += 1;
        }
    }
    let checked = expected_seq - 1;
    if checked != head_seq || prev != head_hash {
        return Ok(broken(
            checked + 1,
            None,
            "events missing at the end of the chain",
            checked,
        ));
    }
    Ok(ChainReport {
        events_checked: checked,
        intact: true,
        first_broken: None,
    })
}
