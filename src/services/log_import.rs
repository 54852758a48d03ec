//! `logs import`: an access-log file (NDJSON or CSV) streamed into the database in three
//! stages, parsing → resolving → writing, with progress reported while it runs. The CLI
//! parses the arguments and shows the progress and the summary.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::logs::{self, ImportSummary, Importer};
use super::{Context, ServiceError};
use crate::db;
use crate::domain::access_log::{read_events, Format};

/// How far an import has come: reported every half second or so.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Bytes of the file read so far (read-ahead included).
    pub bytes_read: u64,
    /// The file's size when it was opened (0 when unknown).
    pub file_size: u64,
    /// Lines read (events and rejected lines).
    pub lines_read: u64,
    /// Since the import started.
    pub elapsed: Duration,
}

/// What an import did, and how long it took.
#[derive(Debug)]
pub struct Imported {
    pub summary: ImportSummary,
    pub elapsed: Duration,
}

/// Counts the bytes read from the file, for the progress bar.
struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn internal(e: impl Into<anyhow::Error>) -> ServiceError {
    ServiceError::Internal(e.into())
}

/// Streams `file` into the organisation `org` (its slug) in batches; `progress` is called
/// from this thread while the import runs.
pub fn import_file(
    ctx: &Context,
    file: &Path,
    org: &str,
    register: Option<&str>,
    format: Format,
    source: Option<&str>,
    mut progress: impl FnMut(&Progress),
) -> Result<Imported, ServiceError> {
    let mut conn = ctx.pool.get().map_err(internal)?;
    let org_row = db::orgs::find_organisation_by_slug(&mut conn, org)
        .map_err(internal)?
        .ok_or_else(|| anyhow::anyhow!("no organisation with slug '{org}'"))?;
    let input = std::fs::File::open(file)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", file.display()))?;
    let size = input.metadata().map(|m| m.len()).unwrap_or(0);
    let started = Instant::now();
    let mut importer =
        Importer::new(ctx, &org_row.id, register, source)?.with_batch(logs::BULK_BATCH);
    importer = importer.with_background_writer(
        db::log_writer::BackgroundWriter::start(db::log_writer::bulk_sink(
            &ctx.settings.db_target(),
        )?)
        .map_err(internal)?,
    );
    let consumed = Arc::new(AtomicU64::new(0));
    let reader = std::io::BufReader::with_capacity(
        1 << 20,
        Counted {
            inner: input,
            count: consumed.clone(),
        },
    );
    // Three stages on two cores: parsing, checking and hashing on one thread, resolving
    // registers and users on this one, writing on the importer's background writer.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<_>>(8);
    let keyer = &ctx.log_keyer;
    std::thread::scope(|scope| -> Result<(), ServiceError> {
        scope.spawn(move || {
            let mut batch = Vec::with_capacity(4096);
            for item in read_events(reader, format) {
                batch.push(item.map(|e| logs::keyed(keyer, e)));
                if batch.len() == 4096
                    && tx
                        .send(std::mem::replace(&mut batch, Vec::with_capacity(4096)))
                        .is_err()
                {
                    return;
                }
            }
            let _ = tx.send(batch);
        });
        let mut last = Instant::now();
        for batch in rx {
            for item in batch {
                importer.add_keyed(&mut conn, item)?;
            }
            if last.elapsed().as_millis() >= 500 {
                last = Instant::now();
                progress(&Progress {
                    bytes_read: consumed.load(Ordering::Relaxed),
                    file_size: size,
                    lines_read: importer.summary.read,
                    elapsed: started.elapsed(),
                });
            }
        }
        Ok(())
    })?;
    importer.finish(&mut conn)?;
    Ok(Imported {
        summary: std::mem::take(&mut importer.summary),
        elapsed: started.elapsed(),
    })
}
