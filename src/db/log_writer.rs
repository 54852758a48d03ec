//! Bulk access-log writing (`logs import`): a writer thread that stores one batch while the
//! next is read ([`BackgroundWriter`]), and what it writes with ([`bulk_sink`]).
//!
//! On SQLite that is one prepared statement on a dedicated connection, bound and stepped
//! once per event inside one transaction per batch. Through diesel every row also paid for
//! walking the insert's query tree, a statement-cache lookup and boxed binds: in a profile
//! that was as much work as SQLite's own. Diesel offers no hook to the raw connection, so
//! this writer opens its own on the same file (rusqlite over the same bundled SQLite).
//! On PostgreSQL it is a diesel connection of its own that COPYs (`logs::insert_events`).

use rusqlite::{params, Connection, OpenFlags};

use super::logs::EventBatch;
use super::DbTarget;

const INSERT_USER: &str =
    "INSERT OR IGNORE INTO log_users (id, org_id, name, title, unit) VALUES (?1, ?2, ?3, ?4, ?5)";

const INSERT: &str = "INSERT OR IGNORE INTO access_events \
     (scope, event_id, subject_key, occurred_at, user_ref, action, basis, recipient, source, bucket) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

pub struct DirectSqliteWriter {
    conn: Connection,
}

impl DirectSqliteWriter {
    /// Opens the (already migrated) database file for writing events.
    pub fn open(path: &str) -> rusqlite::Result<DirectSqliteWriter> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // A page cache that holds the subject index's hot pages, and no WAL sync per batch
        // (a re-run of an import stores nothing twice, so a crash costs a re-run, not data).
        // The import's pooled connection only reads (users), so it keeps the usual settings.
        conn.execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
             PRAGMA cache_size = -524288; PRAGMA wal_autocheckpoint = 20000;",
        )?;
        Ok(DirectSqliteWriter { conn })
    }

    /// Stores the batch's new users and events in one transaction, skipping what is already
    /// stored; returns how many events were new.
    pub fn insert(&mut self, batch: &EventBatch) -> rusqlite::Result<usize> {
        let tx = self.conn.transaction()?;
        let mut stored = 0;
        {
            let mut insert_user = tx.prepare(INSERT_USER)?;
            for u in &batch.users {
                insert_user.execute(params![u.id, u.org_id, u.name, u.title, u.unit])?;
            }
            let mut insert = tx.prepare(INSERT)?;
            for r in &batch.events {
                stored += insert.execute(params![
                    r.scope,
                    r.event_id,
                    r.subject_key,
                    r.occurred_at,
                    r.user_ref,
                    r.action,
                    r.basis,
                    r.recipient,
                    r.source,
                    r.bucket,
                ])?;
            }
        }
        tx.commit()?;
        Ok(stored)
    }
}

/// The bulk import's sink for a database: on SQLite the direct writer above, on
/// PostgreSQL a connection of its own (COPY through `logs::insert_events`).
pub fn bulk_sink(target: &DbTarget) -> anyhow::Result<BatchSink> {
    Ok(match target {
        DbTarget::Sqlite(path) => {
            let mut writer = DirectSqliteWriter::open(path)?;
            Box::new(move |batch| Ok(writer.insert(batch)?))
        }
        DbTarget::Postgres(_) => {
            let mut conn = super::establish(target)?;
            Box::new(move |batch| {
                Ok(diesel::Connection::transaction(&mut conn, |c| {
                    super::logs::insert_events(c, batch)
                })?)
            })
        }
    })
}

/// Where a bulk import's batches go: a function that stores one batch in one transaction
/// and returns how many of its events were new.
pub type BatchSink = Box<dyn FnMut(&EventBatch) -> anyhow::Result<usize> + Send>;

/// Writes batches on a thread of its own, so that the next batch is read, checked and
/// resolved while the last one is written. (Inline, the reading stood still during each
/// write.)
pub struct BackgroundWriter {
    batches: Option<std::sync::mpsc::SyncSender<EventBatch>>,
    emptied: std::sync::mpsc::Receiver<EventBatch>,
    thread: Option<std::thread::JoinHandle<anyhow::Result<u64>>>,
}

impl BackgroundWriter {
    pub fn start(mut sink: BatchSink) -> std::io::Result<BackgroundWriter> {
        // One batch waits while one is written: at most two batches in memory besides the
        // one being filled, and the filled vectors come back to be reused.
        let (batches, incoming) = std::sync::mpsc::sync_channel::<EventBatch>(1);
        let (give_back, emptied) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || {
                let mut stored = 0u64;
                for mut batch in incoming {
                    stored += sink(&batch)? as u64;
                    batch.clear();
                    let _ = give_back.send(batch);
                }
                Ok(stored)
            })?;
        Ok(BackgroundWriter {
            batches: Some(batches),
            emptied,
            thread: Some(thread),
        })
    }

    /// Hands a batch over (waiting while the previous one is still queued) and returns an
    /// empty batch to fill next.
    pub fn write(&mut self, batch: EventBatch) -> anyhow::Result<EventBatch> {
        let capacity = batch.events.capacity();
        let sent = self.batches.as_ref().map(|b| b.send(batch));
        if !matches!(sent, Some(Ok(()))) {
            // The thread has stopped: its error says why.
            self.finish()?;
            anyhow::bail!("the log writer has stopped");
        }
        Ok(self
            .emptied
            .try_recv()
            .unwrap_or_else(|_| EventBatch::with_capacity(capacity)))
    }

    /// Waits for the last batch; returns how many events were new in all batches.
    pub fn finish(&mut self) -> anyhow::Result<u64> {
        self.batches = None;
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| anyhow::anyhow!("the log writer panicked"))?,
            None => Ok(0),
        }
    }
}

impl Drop for BackgroundWriter {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::logs::NewAccessEvent;

    fn rows(n: usize) -> EventBatch {
        let events = (0..n)
            .map(|i| NewAccessEvent {
                scope: 1,
                event_id: format!("e{i}"),
                subject_key: vec![0; 16],
                occurred_at: 0,
                user_ref: 1,
                action: "view".into(),
                basis: "asiakkuus".into(),
                recipient: None,
                source: None,
                bucket: 0,
            })
            .collect();
        EventBatch {
            users: Vec::new(),
            events,
        }
    }

    #[test]
    fn the_background_writer_counts_what_its_sink_stored() {
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = seen.clone();
        // Every batch has one duplicate.
        let mut writer = BackgroundWriter::start(Box::new(move |batch| {
            counter.fetch_add(batch.events.len(), std::sync::atomic::Ordering::SeqCst);
            Ok(batch.events.len() - 1)
        }))
        .unwrap();
        for n in [3, 5, 2] {
            let next = writer.write(rows(n)).unwrap();
            assert!(next.is_empty());
        }
        assert_eq!(writer.finish().unwrap(), 7);
        assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 10);
    }

    #[test]
    fn a_failing_write_stops_the_import_with_its_reason() {
        let mut writer =
            BackgroundWriter::start(Box::new(|_: &EventBatch| anyhow::bail!("disk full"))).unwrap();
        // The first batch is accepted into the queue; the failure shows at the latest at
        // the end.
        let outcome = writer
            .write(rows(1))
            .and_then(|_| writer.write(rows(1)))
            .and_then(|_| writer.write(rows(1)))
            .and_then(|_| writer.finish());
        let error = outcome.unwrap_err().to_string();
        assert!(error.contains("disk full"), "{error}");
    }
}
