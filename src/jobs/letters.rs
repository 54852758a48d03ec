//! Writes the letters that the fast submission path queued: claim, write, record. Claiming
//! is the outbox's conditional UPDATE, so two instances on one database never write the same
//! letter; a letter that cannot be written is tried again later (30 s, 1 min, 2 min … at
//! most 1 h), and the others go ahead meanwhile.

use chrono::Duration;

use super::worker::backoff;
use crate::db::documents as doc_db;
use crate::services::{documents, Context, ServiceError};

/// How long a claim holds; a worker that dies mid-letter loses the job to another after this.
const LEASE_SECONDS: i64 = 120;

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Jobs that were free when the round looked (at most its limit).
    pub seen: usize,
    /// Letters written and stored.
    pub written: usize,
}

/// Claims and writes up to `limit` queued letters for `worker`.
pub fn write_due(ctx: &Context, worker: &str, limit: i64) -> Result<Round, ServiceError> {
    let mut conn = ctx.conn()?;
    let now = ctx.notifier.now();
    let jobs = doc_db::pending_letters(&mut conn, now, limit)?;
    let mut round = Round {
        seen: jobs.len(),
        written: 0,
    };
    for (request_id, kind, snapshot) in jobs {
        let now = ctx.notifier.now();
        let lease_until = now + Duration::seconds(LEASE_SECONDS);
        let Some(attempts) =
            doc_db::claim_letter_job(&mut conn, &request_id, &kind, worker, now, lease_until)?
        else {
            // Another worker has it.
            continue;
        };
        match documents::write_queued_letter(
            ctx.letter_desk(),
            &mut conn,
            &request_id,
            &kind,
            snapshot.as_deref(),
            worker,
        ) {
            Ok(true) => round.written += 1,
            Ok(false) => {}
            // One letter that cannot be written must not hold up the others: it waits and is
            // tried again.
            Err(e) => {
                let cause = describe(&e);
                tracing::error!(request_id = %request_id, kind = %kind, error = %cause, "letter not written");
                let retry_at = ctx.notifier.now() + backoff(attempts);
                doc_db::fail_letter_job(&mut conn, &request_id, &kind, worker, retry_at, &cause)?;
            }
        }
    }
    Ok(round)
}

/// The error as logged and recorded on the job: an internal error's cause chain rather than
/// "internal error", with any e-mail address in it redacted.
fn describe(e: &ServiceError) -> String {
    let text = match e {
        ServiceError::Internal(inner) => format!("{inner:#}"),
        other => other.to_string(),
    };
    crate::mail::redact_addresses(&text)
}
