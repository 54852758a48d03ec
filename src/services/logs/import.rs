//! Storing access-log events: through the API in batches, or in bulk from the CLI.

use std::collections::HashMap;

use diesel::Connection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::log_writer::BackgroundWriter;
use crate::db::logs::{self as log_db, EventBatch, NewAccessEvent, NewLogUser};
use crate::db::{orgs, AnyConnection};
use crate::domain::access_log::{LineError, RawEvent};
use crate::domain::codes::FieldCode;
use crate::services::{Context, ServiceError};

use super::keys::{keyed, KeyedEvent};

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ImportSummary {
    pub read: u64,
    pub stored: u64,
    pub duplicates: u64,
    pub rejected: u64,
    /// The first rejected lines with their reasons (at most 1,000 listed).
    pub rejections: Vec<LineError>,
}

const MAX_LISTED_REJECTIONS: usize = 1000;
/// Events per transaction through the API. The CLI uses [`BULK_BATCH`]: in SQLite every
/// commit rewrites each index page it touched, so bigger transactions write less (measured
/// with the background writer, 2M events: 50,000 per batch 248,000 events/s and 420 MB RSS,
/// 100,000 246,000-262,000/s and 470 MB, 250,000 271,000/s and 600 MB).
const BATCH: usize = 20_000;
pub const BULK_BATCH: usize = 250_000;

/// Who is importing: an ingest token's organisation and source, or the CLI.
pub struct Importer<'a> {
    ctx: &'a Context,
    org_id: String,
    default_register: Option<String>,
    source: Option<String>,
    registers: HashMap<String, i64>,
    users: HashMap<(String, String, String), i64>,
    pending: EventBatch,
    batch: usize,
    background: Option<BackgroundWriter>,
    /// Events handed to the background writer, whose new ones are counted at the end.
    handed_over: u64,
    pub summary: ImportSummary,
}

impl<'a> Importer<'a> {
    pub fn new(
        ctx: &'a Context,
        org_id: &str,
        default_register: Option<&str>,
        source: Option<&str>,
    ) -> Result<Importer<'a>, ServiceError> {
        let mut conn = ctx.conn()?;
        let mut registers = HashMap::new();
        for r in orgs::list_registers(&mut conn, org_id)? {
            let scope = log_db::scope_for(&mut conn, org_id, &r.id)?;
            registers.insert(r.slug, scope);
        }
        if let Some(d) = default_register {
            if !registers.contains_key(d) {
                return Err(ServiceError::Validation(vec![
                    crate::domain::validation::FieldError::new(
                        "register",
                        FieldCode::UnknownRegister,
                    ),
                ]));
            }
        }
        Ok(Importer {
            ctx,
            org_id: org_id.to_string(),
            default_register: default_register.map(str::to_string),
            source: source.map(str::to_string),
            registers,
            users: HashMap::new(),
            pending: EventBatch::with_capacity(BATCH),
            batch: BATCH,
            background: None,
            handed_over: 0,
            summary: ImportSummary::default(),
        })
    }

    /// Events per transaction (bulk imports use [`BULK_BATCH`]).
    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch.max(1);
        self
    }

    /// Writes the batches on a thread of their own (bulk imports); call [`Importer::finish`]
    /// at the end.
    pub fn with_background_writer(mut self, writer: BackgroundWriter) -> Self {
        self.background = Some(writer);
        self
    }

    fn reject(&mut self, e: LineError) {
        self.summary.rejected += 1;
        if self.summary.rejections.len() < MAX_LISTED_REJECTIONS {
            self.summary.rejections.push(e);
        }
    }

    pub fn add(
        &mut self,
        conn: &mut AnyConnection,
        item: Result<RawEvent, LineError>,
    ) -> Result<(), ServiceError> {
        let keyed = item.map(|e| keyed(&self.ctx.log_keyer, e));
        self.add_keyed(conn, keyed)
    }

    /// Takes an event whose subject key was computed elsewhere (e.g. on a parsing thread).
    pub fn add_keyed(
        &mut self,
        conn: &mut AnyConnection,
        item: Result<KeyedEvent, LineError>,
    ) -> Result<(), ServiceError> {
        self.summary.read += 1;
        let (e, subject_key) = match item {
            Ok(k) => (k.event, k.subject_key),
            Err(err) => {
                self.reject(err);
                return Ok(());
            }
        };
        // Events from the future or older than they are kept would never be purged, or be
        // purged at once; on PostgreSQL each far month would also cost a partition.
        let now = self.ctx.clock.now();
        let kept_days = i64::from(self.ctx.settings.logs.log_retention_days);
        if e.occurred_at > now + chrono::Duration::days(1) {
            self.reject(LineError {
                line: e.line,
                reason: "occurred_at is in the future".into(),
            });
            return Ok(());
        }
        if e.occurred_at < now - chrono::Duration::days(kept_days) {
            self.reject(LineError {
                line: e.line,
                reason: format!("occurred_at is older than the {kept_days} days events are kept"),
            });
            return Ok(());
        }
        let register = e.register.as_deref().or(self.default_register.as_deref());
        let Some(scope) = register.and_then(|r| self.registers.get(r)).copied() else {
            self.reject(LineError {
                line: e.line,
                reason: match register {
                    None => "register is missing (give --register or a register column)".into(),
                    Some(_) => "register is not one of the organisation's registers".into(),
                },
            });
            return Ok(());
        };
        let user_key = (e.user_name, e.user_title, e.unit);
        let user_ref = match self.users.get(&user_key) {
            Some(id) => *id,
            None => {
                let (name, title, unit) = (&user_key.0, &user_key.1, &user_key.2);
                let id = match log_db::find_user(conn, &self.org_id, name, title, unit)? {
                    Some(id) => id,
                    None => {
                        let user = NewLogUser::new(&self.org_id, name, title, unit);
                        let id = user.id;
                        self.pending.users.push(user);
                        id
                    }
                };
                self.users.insert(user_key, id);
                id
            }
        };
        self.pending.events.push(NewAccessEvent {
            scope,
            event_id: e.event_id,
            subject_key,
            occurred_at: e.occurred_at.timestamp(),
            bucket: log_db::bucket_of(e.occurred_at.timestamp()),
            user_ref,
            action: e.action,
            basis: e.basis,
            recipient: e.recipient,
            source: e.source.or_else(|| self.source.clone()),
        });
        if self.pending.events.len() >= self.batch {
            self.flush(conn)?;
        }
        Ok(())
    }

    /// Writes what is pending in one transaction (in the background writer's, if any).
    /// Rows go in arrival order: logs come in event-id order, so the table's primary key
    /// grows at its end. Sorting a batch for the subject index instead was measured slower
    /// (148,000 against 168,000 events/s): the table then took the random inserts.
    pub fn flush(&mut self, conn: &mut AnyConnection) -> Result<(), ServiceError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.pending);
        if let Some(writer) = &mut self.background {
            self.handed_over += batch.events.len() as u64;
            self.pending = writer.write(batch)?;
            return Ok(());
        }
        let stored = conn.transaction(|conn| log_db::insert_events(conn, &batch))?;
        self.summary.stored += stored as u64;
        self.summary.duplicates += (batch.events.len() - stored) as u64;
        self.pending = batch;
        self.pending.clear();
        Ok(())
    }

    /// Writes what is pending and waits for the background writer; the summary is then
    /// complete.
    pub fn finish(&mut self, conn: &mut AnyConnection) -> Result<(), ServiceError> {
        self.flush(conn)?;
        if let Some(mut writer) = self.background.take() {
            let stored = writer.finish()?;
            self.summary.stored += stored;
            self.summary.duplicates += self.handed_over - stored;
            self.handed_over = 0;
        }
        Ok(())
    }
}
