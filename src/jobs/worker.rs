//! Sends what the outbox holds: claim, send, record. Temporary failures back off
//! (30 s, 1 min, 2 min … at most 1 h); permanent ones, and the last allowed try, fail
//! the message, which the DPO then sees.

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};

use super::Report;
use crate::db::outbox::{self, Finish};
use crate::mail::{Outgoing, SendOutcome};
use crate::services::{blocking, Context, ServiceError};

const BATCH: i64 = 50;
/// How long a claim holds; a worker that dies mid-send loses the message to another after this.
const LEASE_SECONDS: i64 = 120;

pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 8) - 1;
    Duration::seconds((30i64 << exp).min(3600))
}

/// Sends every message due now; returns what happened.
pub async fn drain(ctx: Arc<Context>, worker_id: &str) -> Result<Report, ServiceError> {
    let mut report = Report::default();
    loop {
        let c = ctx.clone();
        let wid = worker_id.to_string();
        let claimed = blocking(move || {
            let mut conn = c.conn()?;
            let now = c.notifier.now();
            let lease = now + Duration::seconds(LEASE_SECONDS);
            Ok(outbox::claim_due(&mut conn, &wid, now, lease, BATCH)?)
        })
        .await?;
        if claimed.is_empty() {
            return Ok(report);
        }
        let mut results = Vec::with_capacity(claimed.len());
        for row in claimed {
            let outcome = ctx
                .mailer
                .send(&Outgoing {
                    id: &row.id,
                    recipient: &row.recipient,
                    subject: &row.subject,
                    text: &row.body_text,
                    html: &row.body_html,
                })
                .await;
            let max_attempts = ctx.settings.mail.mail_max_attempts as i32;
            let (label, detail, retry_at): (&'static str, Option<String>, Option<NaiveDateTime>) =
                match outcome {
                    SendOutcome::Sent => {
                        report.sent += 1;
                        ("sent", None, None)
                    }
                    SendOutcome::Temporary(e) if row.attempts < max_attempts => {
                        report.retrying += 1;
                        let at = ctx.notifier.now() + backoff(row.attempts);
                        ("temporary_failure", Some(e), Some(at))
                    }
                    SendOutcome::Temporary(e) => {
                        report.failed += 1;
                        ("temporary_failure", Some(e), None)
                    }
                    SendOutcome::Permanent(e) => {
                        report.failed += 1;
                        ("permanent_failure", Some(e), None)
                    }
                };
            tracing::info!(message = %row.id, kind = %row.kind, outcome = label, attempt = row.attempts, "outbox");
            results.push((row.id, label, detail, retry_at));
        }
        // One transaction records the whole batch.
        let c = ctx.clone();
        let wid = worker_id.to_string();
        blocking(move || {
            let mut conn = c.conn()?;
            let at = c.notifier.now();
            let finishes: Vec<Finish<'_>> = results
                .iter()
                .map(|(id, label, detail, retry_at)| Finish {
                    id,
                    worker: &wid,
                    at,
                    outcome: label,
                    detail: detail.as_deref(),
                    retry_at: *retry_at,
                })
                .collect();
            outbox::finish_all(&mut conn, &finishes)?;
            Ok(())
        })
        .await?;
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let secs: Vec<i64> = (1..=10).map(|a| backoff(a).num_seconds()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    }
}
