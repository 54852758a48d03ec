//! Builds a bundle by streaming each file into the ZIP while hashing it.

use std::collections::HashSet;
use std::io::{ErrorKind, Read, Seek, Write};

use anyhow::{bail, Context};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use chrono::{DateTime, Datelike, Timelike, Utc};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::manifest::{FileEntry, Manifest, SignatureFile, FORMAT, MANIFEST_NAME, SIGNATURE_NAME};
use super::path::{self, PathError};
use super::signing::{SigningKey, ALGORITHM};

/// One copy buffer per writer, reused for every file.
const BUF_SIZE: usize = 64 * 1024;

/// Entries stay below 4 GiB so they need no ZIP64 headers, which some unzip
/// tools still mishandle. Raising it means `.large_file(true)` in `options`.
const MAX_ENTRY_BYTES: u64 = u32::MAX as u64;

pub struct BundleWriter<W: Write + Seek> {
    zip: ZipWriter<W>,
    manifest: Manifest,
    seen: HashSet<String>,
    mtime: zip::DateTime,
    buf: Box<[u8]>,
}

impl<W: Write + Seek> BundleWriter<W> {
    pub fn new(out: W, reference: &str, kind: &str, created_at: DateTime<Utc>) -> Self {
        Self {
            zip: ZipWriter::new(out),
            manifest: Manifest {
                format: FORMAT.to_owned(),
                reference: reference.to_owned(),
                kind: kind.to_owned(),
                created_at,
                files: Vec::new(),
            },
            seen: HashSet::new(),
            mtime: zip_time(created_at),
            buf: vec![0; BUF_SIZE].into_boxed_slice(),
        }
    }

    /// Streams `content` into the bundle as `path`, hashing it on the way.
    /// Already-compressed types (PDF, PNG, JPEG, ZIP) are stored, the rest deflated.
    /// On error nothing of the file is kept and the writer stays usable.
    pub fn add(
        &mut self,
        path: &str,
        media_type: &str,
        mut content: impl Read,
    ) -> anyhow::Result<FileEntry> {
        path::check(path)?;
        let key = path::duplicate_key(path);
        if self.seen.contains(&key) {
            return Err(PathError::Duplicate {
                path: path.to_owned(),
            }
            .into());
        }
        if media_type.trim().is_empty() {
            bail!("{path:?} has no media type");
        }
        let method = if is_precompressed(path, media_type) {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        self.zip
            .start_file(path, self.options(method))
            .with_context(|| format!("starting {path:?} in the bundle"))?;
        let (size, sha256) = match self.copy(&mut content) {
            Ok(done) => done,
            Err(e) => {
                // Drop the half-written entry so a retry or the next file is unaffected.
                let _ = self.zip.abort_file();
                return Err(e.context(format!("adding {path:?} to the bundle")));
            }
        };
        let entry = FileEntry {
            path: path.to_owned(),
            size,
            sha256,
            media_type: media_type.to_owned(),
        };
        self.seen.insert(key);
        self.manifest.files.push(entry.clone());
        Ok(entry)
    }

    /// Writes `manifest.json` and `manifest.sig` and closes the archive.
    pub fn finish(mut self, key: &SigningKey) -> anyhow::Result<(W, Manifest)> {
        let manifest_json = serde_json::to_vec_pretty(&self.manifest)?;
        let signature = SignatureFile {
            algorithm: ALGORITHM.to_owned(),
            key_id: key.key_id(),
            public_key: BASE64.encode(key.public_key()),
            signature: BASE64.encode(key.sign(&manifest_json)),
        };
        let signature_json = serde_json::to_vec_pretty(&signature)?;
        for (name, bytes) in [
            (MANIFEST_NAME, &manifest_json),
            (SIGNATURE_NAME, &signature_json),
        ] {
            self.zip
                .start_file(name, self.options(CompressionMethod::Deflated))?;
            self.zip.write_all(bytes)?;
        }
        let out = self.zip.finish().context("closing the bundle")?;
        Ok((out, self.manifest))
    }

    fn options(&self, method: CompressionMethod) -> SimpleFileOptions {
        SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(self.mtime)
            .unix_permissions(0o644)
    }

    /// Copies through the fixed buffer; returns (size, hex SHA-256).
    fn copy(&mut self, content: &mut impl Read) -> anyhow::Result<(u64, String)> {
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        loop {
            let n = match content.read(&mut self.buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e).context("reading the file's content"),
            };
            size += n as u64;
            if size >= MAX_ENTRY_BYTES {
                bail!("the file is 4 GiB or larger, which a bundle entry cannot be");
            }
            let chunk = &self.buf[..n];
            hasher.update(chunk);
            self.zip
                .write_all(chunk)
                .context("writing into the bundle")?;
        }
        Ok((size, hex::encode(hasher.finalize())))
    }
}

/// Compressing these again costs CPU and saves nothing.
fn is_precompressed(path: &str, media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let by_type = matches!(
        essence.as_str(),
        "application/pdf"
            | "image/png"
            | "image/jpeg"
            | "image/jpg"
            | "application/zip"
            | "application/x-zip-compressed"
    );
    let ext = path
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase());
    let by_ext = matches!(ext.as_deref(), Some("pdf" | "png" | "jpg" | "jpeg" | "zip"));
    by_type || by_ext
}

/// ZIP timestamps have no zone and start in 1980; the bundle's own time, in
/// UTC, keeps the archive reproducible.
fn zip_time(at: DateTime<Utc>) -> zip::DateTime {
    let to_u8 = |v: u32| u8::try_from(v).unwrap_or_default();
    u16::try_from(at.year())
        .ok()
        .and_then(|year| {
            zip::DateTime::from_date_and_time(
                year,
                to_u8(at.month()),
                to_u8(at.day()),
                to_u8(at.hour()),
                to_u8(at.minute()),
                to_u8(at.second()),
            )
            .ok()
        })
        .unwrap_or_default()
}
