//! Log inspection (Act 703/2023 § 11): access-log ingestion from client systems, the search
//! for one subject's events, and the report that answers "who looked at my data".

mod finding;
mod import;
mod ingest;
mod keys;
mod report;
mod search;

pub use finding::*;
pub use import::*;
pub use ingest::*;
pub use keys::*;
pub use report::*;
pub use search::*;

use crate::db::logs as log_db;
use crate::services::{Context, ServiceError};

/// Scheduler: removes events older than the configured age.
pub fn purge(ctx: &Context) -> Result<usize, ServiceError> {
    let cutoff =
        ctx.clock.now() - chrono::Duration::days(ctx.settings.logs.log_retention_days.into());
    let mut conn = ctx.conn()?;
    Ok(log_db::purge_before(&mut conn, cutoff.timestamp())?)
}
