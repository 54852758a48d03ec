//! Content storage in the database, in chunks, so a large file streams in and out without
//! being held in memory and every server instance reads the same bytes.

use std::io::Read;

use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::{blob_chunks, blobs};
use super::AnyConnection;

/// Small enough to keep a chunk's round trip cheap, large enough that a 100 MB file is 100 rows.
pub const CHUNK_SIZE: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct StoredBlob {
    pub id: String,
    pub size: i64,
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("content is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Stores everything `content` yields, refusing more than `limit` bytes. Call inside the
/// transaction that records what the blob belongs to.
pub fn store(
    conn: &mut AnyConnection,
    org_id: &str,
    mut content: impl Read,
    limit: u64,
) -> Result<StoredBlob, BlobError> {
    let id = uuid::Uuid::now_v7().to_string();
    // The parent row first: chunks reference it.
    diesel::insert_into(blobs::table)
        .values((
            blobs::id.eq(&id),
            blobs::org_id.eq(org_id),
            blobs::size.eq(0i64),
            blobs::sha256.eq(""),
            blobs::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    let mut buf = vec![0u8; CHUNK_SIZE];
    let mut seq = 0i32;
    loop {
        let filled = fill(&mut content, &mut buf)?;
        if filled == 0 {
            break;
        }
        size += filled as u64;
        if size > limit {
            return Err(BlobError::TooLarge { limit });
        }
        hasher.update(&buf[..filled]);
        diesel::insert_into(blob_chunks::table)
            .values((
                blob_chunks::blob_id.eq(&id),
                blob_chunks::seq.eq(seq),
                blob_chunks::data.eq(&buf[..filled]),
            ))
            .execute(conn)?;
        seq += 1;
        if filled < buf.len() {
            break;
        }
    }
    let sha256 = hex::encode(hasher.finalize());
    let size = size as i64;
    diesel::update(blobs::table.find(&id))
        .set((blobs::size.eq(size), blobs::sha256.eq(&sha256)))
        .execute(conn)?;
    Ok(StoredBlob { id, size, sha256 })
}

pub fn store_bytes(
    conn: &mut AnyConnection,
    org_id: &str,
    bytes: &[u8],
) -> Result<StoredBlob, BlobError> {
    store(conn, org_id, bytes, u64::MAX)
}

/// Reads until the buffer is full or the source ends.
fn fill(source: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match source.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

pub fn chunk_count(conn: &mut AnyConnection, blob_id: &str) -> QueryResult<i64> {
    blob_chunks::table
        .filter(blob_chunks::blob_id.eq(blob_id))
        .count()
        .get_result(conn)
}

pub fn chunk(conn: &mut AnyConnection, blob_id: &str, seq: i32) -> QueryResult<Vec<u8>> {
    blob_chunks::table
        .filter(blob_chunks::blob_id.eq(blob_id))
        .filter(blob_chunks::seq.eq(seq))
        .select(blob_chunks::data)
        .first(conn)
}

/// The whole content; only for things known to be small (letters, structured entries).
pub fn read_all(conn: &mut AnyConnection, blob_id: &str) -> QueryResult<Vec<u8>> {
    let chunks: Vec<Vec<u8>> = blob_chunks::table
        .filter(blob_chunks::blob_id.eq(blob_id))
        .order(blob_chunks::seq)
        .select(blob_chunks::data)
        .load(conn)?;
    Ok(chunks.concat())
}

/// A `Read` over a stored blob that fetches one chunk at a time from a pooled connection.
pub struct BlobReader<'c> {
    conn: &'c mut AnyConnection,
    blob_id: String,
    chunks: i32,
    next: i32,
    current: Vec<u8>,
    pos: usize,
}

impl<'c> BlobReader<'c> {
    pub fn open(conn: &'c mut AnyConnection, blob_id: &str) -> QueryResult<BlobReader<'c>> {
        let chunks = chunk_count(conn, blob_id)? as i32;
        Ok(BlobReader {
            conn,
            blob_id: blob_id.to_string(),
            chunks,
            next: 0,
            current: Vec::new(),
            pos: 0,
        })
    }
}

impl Read for BlobReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.current.len() {
            if self.next >= self.chunks {
                return Ok(0);
            }
            self.current =
                chunk(self.conn, &self.blob_id, self.next).map_err(std::io::Error::other)?;
            self.next += 1;
            self.pos = 0;
        }
        let n = out.len().min(self.current.len() - self.pos);
        out[..n].copy_from_slice(&self.current[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
