//! Group commit for submissions. "Received" must be on disk before we say so, and an
//! fsync per request caps SQLite at a few hundred per second; one writer thread takes
//! every submission waiting at that moment into one transaction and answers them all
//! after the single durable commit.

use std::sync::mpsc;
use std::thread;

use diesel::Connection;
use tokio::sync::oneshot;

use super::submissions::{commit_one, Created, PreparedSubmission};
use super::ServiceError;
use crate::db::{self, AnyConnection, DbTarget};

struct Job {
    prepared: PreparedSubmission,
    reply: oneshot::Sender<Result<Created, ServiceError>>,
}

#[derive(Clone)]
pub struct SubmissionWriter {
    sender: mpsc::Sender<Job>,
}

impl SubmissionWriter {
    /// Starts the writer thread with its own connection; it stops when every handle is dropped.
    pub fn start(target: DbTarget, max_batch: usize) -> SubmissionWriter {
        let (sender, receiver) = mpsc::channel::<Job>();
        thread::Builder::new()
            .name("submission-writer".into())
            .spawn(move || run(target, max_batch, receiver))
            .map(|_| ())
            .unwrap_or_else(|e| tracing::error!(error = %e, "cannot start the submission writer"));
        SubmissionWriter { sender }
    }

    pub async fn submit(&self, prepared: PreparedSubmission) -> Result<Created, ServiceError> {
        let (reply, answer) = oneshot::channel();
        self.sender.send(Job { prepared, reply }).map_err(|_| {
            ServiceError::Internal(anyhow::anyhow!("submission writer has stopped"))
        })?;
        answer.await.map_err(|_| {
            ServiceError::Internal(anyhow::anyhow!("submission writer dropped a job"))
        })?
    }
}

fn run(target: DbTarget, max_batch: usize, receiver: mpsc::Receiver<Job>) {
    let mut conn: Option<AnyConnection> = None;
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match receiver.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        // One lock order for every instance, so PostgreSQL writers never deadlock.
        batch.sort_by(|a, b| a.prepared.org.id.cmp(&b.prepared.org.id));
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
        match commit_batch(c, &batch) {
            Ok(results) => {
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
    batch: &[Job],
) -> Result<Vec<Result<Created, ServiceError>>, diesel::result::Error> {
    conn.transaction(|conn| {
        Ok(batch
            .iter()
            .map(|job| conn.transaction(|conn| commit_one(conn, &job.prepared)))
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
