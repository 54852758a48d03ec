//! Group commit for submissions. "Received" must be on disk before we say so, and an
//! fsync per request caps SQLite at a few hundred per second; one writer thread takes
//! every submission waiting at that moment into one transaction and answers them all
//! after the single durable commit.

use std::sync::mpsc;
use std::thread;

use diesel::Connection;
use tokio::sync::oneshot;

use super::submissions::{commit_one, find_org, resolve, Created, Draft};
use super::ServiceError;
use crate::db::{self, AnyConnection, DbTarget};
use crate::domain::calendar::Calendar;

struct Job {
    draft: Draft,
    reply: oneshot::Sender<Result<Created, ServiceError>>,
}

#[derive(Clone)]
pub struct SubmissionWriter {
    sender: mpsc::Sender<Job>,
}

impl SubmissionWriter {
    /// Starts the writer thread with its own connection; it stops when every handle is dropped.
    pub fn start(target: DbTarget, max_batch: usize, calendar: Calendar) -> SubmissionWriter {
        let (sender, receiver) = mpsc::channel::<Job>();
        thread::Builder::new()
            .name("submission-writer".into())
            .spawn(move || run(target, max_batch, calendar, receiver))
            .map(|_| ())
            .unwrap_or_else(|e| tracing::error!(error = %e, "cannot start the submission writer"));
        SubmissionWriter { sender }
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

fn run(target: DbTarget, max_batch: usize, calendar: Calendar, receiver: mpsc::Receiver<Job>) {
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
        // One lock order (by organisation id) for every instance, so PostgreSQL writers
        // never deadlock; unknown organisations sort first and fail alone.
        let mut keyed: Vec<(String, Job)> = Vec::with_capacity(batch.len());
        for job in batch {
            let key = match find_org(c, &job.draft.org) {
                Ok(org) => org.map(|o| o.id).unwrap_or_default(),
                Err(_) => String::new(),
            };
            keyed.push((key, job));
        }
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        let batch: Vec<Job> = keyed.into_iter().map(|(_, job)| job).collect();
        let started = std::time::Instant::now();
        match commit_batch(c, &calendar, &batch) {
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
    batch: &[Job],
) -> Result<Vec<Result<Created, ServiceError>>, diesel::result::Error> {
    conn.transaction(|conn| {
        Ok(batch
            .iter()
            .map(|job| {
                conn.transaction(|conn| {
                    let prepared = resolve(conn, calendar, &job.draft)?;
                    commit_one(conn, &prepared)
                })
            })
            .collect())
    })
}

fn fail_all(batch: Vec<Job>, why: &'static str) {
    for job in batch {
        let _ = job
            .reply
            .send(Err(ServiceError::Internal(anyhow::anyhow!(why))));
    }
}
