//! Work beside the server: the outbox worker and the deadline scheduler, on the injected
//! clock. `rightsdesk jobs run-once` runs both once (cron deployments, tests).

pub mod letters;
pub mod scheduler;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

use crate::services::{Context, ServiceError};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Reminders and digests queued by the scheduler.
    pub queued: usize,
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
    /// Queued letters (acknowledgements) rendered and stored.
    pub letters: usize,
}

/// Renders every queued letter, a batch per round; `worker_id` names the claims.
pub fn write_letters(ctx: &Context, worker_id: &str) -> Result<usize, ServiceError> {
    const BATCH: i64 = 50;
    let mut total = 0;
    loop {
        let round = letters::write_due(ctx, worker_id, BATCH)?;
        total += round.written;
        if round.seen < BATCH as usize {
            return Ok(total);
        }
    }
}

/// One scheduler tick, then the outbox drained of everything due now.
pub async fn run_once(ctx: Arc<Context>, worker_id: &str) -> Result<Report, ServiceError> {
    let c = ctx.clone();
    let queued = crate::services::blocking(move || scheduler::tick(&c)).await?;
    let c = ctx.clone();
    let wid = worker_id.to_string();
    let letters = crate::services::blocking(move || write_letters(&c, &wid)).await?;
    let mut report = worker::drain(ctx, worker_id).await?;
    report.queued = queued;
    report.letters = letters;
    Ok(report)
}

/// Runs the worker every few seconds and the scheduler every minute until the server stops.
pub fn spawn(ctx: Arc<Context>) {
    let worker_id = format!("worker-{}", uuid::Uuid::new_v4().simple());
    let c = ctx.clone();
    let letters_id = worker_id.clone();
    actix_web::rt::spawn(async move {
        loop {
            let l = c.clone();
            let wid = letters_id.clone();
            if let Err(e) = crate::services::blocking(move || write_letters(&l, &wid)).await {
                tracing::error!(error = %e, "letter writer");
            }
            actix_web::rt::time::sleep(Duration::from_secs(2)).await;
        }
    });
    let c = ctx.clone();
    actix_web::rt::spawn(async move {
        loop {
            if let Err(e) = worker::drain(c.clone(), &worker_id).await {
                tracing::error!(error = %e, "outbox worker");
            }
            actix_web::rt::time::sleep(Duration::from_secs(2)).await;
        }
    });
    actix_web::rt::spawn(async move {
        loop {
            let c = ctx.clone();
            match crate::services::blocking(move || scheduler::tick(&c)).await {
                Ok(n) if n > 0 => tracing::info!(queued = n, "scheduler"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "scheduler"),
            }
            actix_web::rt::time::sleep(Duration::from_secs(60)).await;
        }
    });
}
