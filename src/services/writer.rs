//! Group commit for submissions. "Received" must be on disk before we say so, and an
//! fsync per request caps SQLite at a few hundred per second; one writer thread takes
//! every submission waiting at that moment into one transaction and answers them all
//! after the single durable commit.

use std::sync::mpsc;
use std::thread;

use diesel::Connection;
use tokio::sync::oneshot;

use std::collections::HashMap;

use super::submissions::{commit_one, load_scope, resolve, Created, Draft, OrgScope};
use std::sync::Arc;

use super::notify::Notifier;
use super::ServiceError;
use crate::db::audit;
use crate::db::{self, AnyConnection, DbTarget};
use crate::domain::calendar::Calendar;
use crate::domain::codes::FieldCode;

struct Job {
    draft: Draft,
    reply: oneshot::Sender<Result<Created, ServiceError>>,
}

#[derive(Clone)]
pub struct SubmissionWriter {
    sender: mpsc::Sender<Job>,
    /// Keeps the WAL checkpointer running while any handle lives.
    _alive: std::sync::Arc<()>,
}

impl SubmissionWriter {
    /// Starts the writer thread with its own connection; it stops when every handle is dropped.
    pub fn start(
        target: DbTarget,
        max_batch: usize,
        calendar: Calendar,
        notifier: Arc<Notifier>,
    ) -> SubmissionWriter {
        let (sender, receiver) = mpsc::channel::<Job>();
        let alive = std::sync::Arc::new(());
        db::spawn_wal_checkpointer(&target, std::sync::Arc::downgrade(&alive));
        thread::Builder::new()
            .name("submission-writer".into())
            .spawn(move || run(target, max_batch, calendar, notifier, receiver))
            .map(|_| ())
            .unwrap_or_else(|e| tracing::error!(error = %e, "cannot start the submission writer"));
        SubmissionWriter {
            sender,
            _alive: alive,
        }
    }

    pub async fn submit(&self, draft: Draft) -> Result<Created, ServiceError> {
        let (reply, answer) = oneshot::channel();
        self.sender.send(Job { draft, reply }).map_err(|_| {
            ServiceError::Internal(anyhow::anyhow!("submission writer has stopped"))
        })?;
        answer.await.map_err(|_| {
            ServiceError::Internal(anyhow::anyhow!("submission writer dropped a job"))
        })?
    }
}

fn run(
    target: DbTarget,
    max_batch: usize,
    calendar: Calendar,
    notifier: Arc<Notifier>,
    receiver: mpsc::Receiver<Job>,
) {
    let mut conn: Option<AnyConnection> = None;
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match receiver.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if conn.is_none() {
            match db::establish(&target) {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    tracing::error!(error = %e, "submission writer cannot connect");
                    fail_all(batch, "the database is not reachable");
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        // Each organisation is read once per batch. Jobs are sorted by organisation id: one
        // lock order for every instance, so PostgreSQL writers never deadlock.
        let mut scopes: HashMap<String, Option<OrgScope>> = HashMap::new();
        for job in &batch {
            let key = job.draft.request.org.key();
            if let std::collections::hash_map::Entry::Vacant(slot) = scopes.entry(key) {
                slot.insert(load_scope(c, &job.draft.request.org).unwrap_or_else(|e| {
                    tracing::error!(error = %e, "cannot read an organisation");
                    None
                }));
            }
        }
        let org_id = |job: &Job| {
            scopes
                .get(&job.draft.request.org.key())
                .and_then(|s| s.as_ref().map(|s| s.org.id.to_string()))
                .unwrap_or_default()
        };
        batch.sort_by_cached_key(org_id);
        let started = std::time::Instant::now();
        match commit_batch(c, &calendar, &notifier, &scopes, &batch) {
            Ok(results) => {
                tracing::debug!(
                    batch = batch.len(),
                    us = started.elapsed().as_micros() as u64,
                    "group commit"
                );
                for (job, result) in batch.into_iter().zip(results) {
                    let _ = job.reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, batch = batch.len(), "group commit failed");
                conn = None;
                fail_all(batch, "the submission could not be stored");
            }
        }
    }
}

/// One transaction; each submission in its own savepoint so a bad one fails alone.
fn commit_batch(
    conn: &mut AnyConnection,
    calendar: &Calendar,
    notifier: &Notifier,
    scopes: &HashMap<String, Option<OrgScope>>,
    batch: &[Job],
) -> Result<Vec<Result<Created, ServiceError>>, diesel::result::Error> {
    conn.transaction(|conn| {
        let mut locked: Option<&str> = None;
        let mut results = Vec::with_capacity(batch.len());
        for job in batch {
            let Some(scope) = scopes
                .get(&job.draft.request.org.key())
                .and_then(Option::as_ref)
            else {
                results.push(Err(ServiceError::field(
                    "organisation",
                    FieldCode::UnknownOrganisation,
                )));
                continue;
            };
            if locked != Some(scope.org.id.as_str()) {
                audit::lock_org(conn, &scope.org.id)?;
                locked = Some(scope.org.id.as_str());
            }
            results.push(conn.transaction(|conn| {
                let prepared = resolve(conn, calendar, scope, &job.draft)?;
                commit_one(conn, notifier, &prepared)
            }));
        }
        Ok(results)
    })
}

fn fail_all(batch: Vec<Job>, why: &'static str) {
    for job in batch {
        let _ = job
            .reply
            .send(Err(ServiceError::Internal(anyhow::anyhow!(why))));
    }
}
