//! Checks a bundle: archive structure, manifest, signature and every file's
//! size and SHA-256, collecting all problems found.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{ErrorKind, Read, Seek};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha2::{Digest, Sha256};
use zip::result::ZipError;
use zip::ZipArchive;

use super::manifest::{FileEntry, Manifest, SignatureFile, FORMAT, MANIFEST_NAME, SIGNATURE_NAME};
use super::path;
use super::report::{Problem, VerifyReport};
use super::signing::{key_id_of, signature_is_valid, ALGORITHM};

/// Bounds on what is read into memory; everything else is streamed.
const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;
const MAX_SIGNATURE_BYTES: u64 = 64 * 1024;

/// Verifies a bundle. With `trusted_key` the signature must be by that key;
/// without it the key embedded in `manifest.sig` is used and
/// `VerifyReport::trusted_key_used` is false.
pub fn verify(input: impl Read + Seek, trusted_key: Option<&[u8]>) -> VerifyReport {
    let mut report = VerifyReport::default();
    let mut archive = match ZipArchive::new(input) {
        Ok(archive) => archive,
        Err(e) => {
            report.problems.push(Problem::NotAZip(e.to_string()));
            return report;
        }
    };
    // Duplicate names, overlapping entries or local headers that disagree with
    // the central directory let different unzip tools see different files.
    if let Err(e) = archive.validate_header_consistency() {
        report.problems.push(Problem::NotAZip(e.to_string()));
    }

    let manifest_json = read_small(&mut archive, MANIFEST_NAME, MAX_MANIFEST_BYTES);
    let signature_json = read_small(&mut archive, SIGNATURE_NAME, MAX_SIGNATURE_BYTES);
    match &manifest_json {
        None => report.problems.push(Problem::ManifestMissing),
        Some(Err(e)) => report.problems.push(Problem::ManifestInvalid(e.clone())),
        Some(Ok(bytes)) => match parse_manifest(bytes) {
            Ok(manifest) => report.manifest = Some(manifest),
            Err(e) => report.problems.push(Problem::ManifestInvalid(e)),
        },
    }
    // Nothing to check a signature against without the manifest's bytes.
    if let Some(Ok(bytes)) = &manifest_json {
        check_signature(&mut report, bytes, signature_json, trusted_key);
    }
    if let Some(manifest) = report.manifest.take() {
        check_files(&mut archive, &manifest, &mut report.problems);
        report.manifest = Some(manifest);
    }
    report
}

/// `None` if the entry is absent; `Some(Err)` if it cannot be read or is too big.
fn read_small<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    name: &str,
    limit: u64,
) -> Option<Result<Vec<u8>, String>> {
    let file = match archive.by_name(name) {
        Ok(file) => file,
        Err(ZipError::FileNotFound) => return None,
        Err(e) => return Some(Err(format!("cannot read {name}: {e}"))),
    };
    let mut bytes = Vec::new();
    Some(match file.take(limit + 1).read_to_end(&mut bytes) {
        Err(e) => Err(format!("cannot read {name}: {e}")),
        Ok(_) if bytes.len() as u64 > limit => Err(format!("{name} is larger than {limit} bytes")),
        Ok(_) => Ok(bytes),
    })
}

fn parse_manifest(bytes: &[u8]) -> Result<Manifest, String> {
    let manifest: Manifest = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if manifest.format != FORMAT {
        return Err(format!(
            "format is {:?}, expected {FORMAT:?}",
            manifest.format
        ));
    }
    Ok(manifest)
}

fn check_signature(
    report: &mut VerifyReport,
    manifest_json: &[u8],
    signature_json: Option<Result<Vec<u8>, String>>,
    trusted_key: Option<&[u8]>,
) {
    let Some(Ok(signature_json)) = signature_json else {
        let problem = match signature_json {
            None => Problem::SignatureMissing,
            _ => Problem::SignatureInvalid,
        };
        report.problems.push(problem);
        return;
    };
    let Some((embedded_key, signature)) = parse_signature_file(&signature_json) else {
        report.problems.push(Problem::SignatureInvalid);
        return;
    };
    let valid_with = |key: &[u8]| signature_is_valid(key, manifest_json, &signature);
    match trusted_key {
        Some(trusted) => {
            report.key_id = Some(key_id_of(trusted));
            report.trusted_key_used = true;
            if !valid_with(trusted) {
                if trusted == embedded_key.as_slice() {
                    report.problems.push(Problem::SignatureInvalid);
                } else {
                    report.problems.push(Problem::UnexpectedKey {
                        expected: key_id_of(trusted),
                        found: key_id_of(&embedded_key),
                    });
                    // Also say whether it is intact at all under its own key.
                    if !valid_with(&embedded_key) {
                        report.problems.push(Problem::SignatureInvalid);
                    }
                }
            }
        }
        None => {
            report.key_id = Some(key_id_of(&embedded_key));
            if !valid_with(&embedded_key) {
                report.problems.push(Problem::SignatureInvalid);
            }
        }
    }
}

/// (public key, signature), or `None` if the file is malformed or
/// inconsistent (e.g. a key_id that is not its public key's).
fn parse_signature_file(bytes: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let file: SignatureFile = serde_json::from_slice(bytes).ok()?;
    let public_key = BASE64.decode(&file.public_key).ok()?;
    let signature = BASE64.decode(&file.signature).ok()?;
    let consistent = file.algorithm == ALGORITHM
        && public_key.len() == 32
        && file.key_id == key_id_of(&public_key);
    consistent.then_some((public_key, signature))
}

fn check_files<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    manifest: &Manifest,
    problems: &mut Vec<Problem>,
) {
    let mut listed: HashMap<&str, &FileEntry> = HashMap::new();
    let mut unsafe_names: HashSet<&str> = HashSet::new();
    let mut buf = vec![0u8; 64 * 1024];
    for entry in &manifest.files {
        let name = entry.path.as_str();
        if path::check(name).is_err() {
            problems.push(Problem::UnsafePath(name.to_owned()));
            unsafe_names.insert(name);
            continue;
        }
        if listed.insert(name, entry).is_some() {
            problems.push(Problem::ManifestInvalid(format!("{name} is listed twice")));
            continue;
        }
        match archive.index_for_name(name) {
            None => problems.push(Problem::FileMissing(name.to_owned())),
            Some(index) => check_file(archive, index, entry, &mut buf, problems),
        }
    }
    let names: Vec<String> = archive
        .file_names()
        .zip(archive.file_names_raw())
        .map(|(decoded, raw)| match decoded {
            Ok(name) => name.into_owned(),
            Err(_) => String::from_utf8_lossy(raw).into_owned(),
        })
        .collect();
    for name in names {
        if name == MANIFEST_NAME || name == SIGNATURE_NAME || listed.contains_key(name.as_str()) {
            continue;
        }
        // Directory entries (added when a bundle is re-zipped) carry no content.
        if let Some(dir) = name.strip_suffix('/') {
            if path::check(dir).is_ok() {
                continue;
            }
        }
        if path::check(&name).is_err() {
            if !unsafe_names.contains(name.as_str()) {
                problems.push(Problem::UnsafePath(name));
            }
        } else {
            problems.push(Problem::FileNotInManifest(name));
        }
    }
}

/// Streams one entry out of the archive. Reads at most one byte past the
/// expected size, so an oversized (or zip-bomb) entry is not inflated in full.
fn check_file<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    index: usize,
    entry: &FileEntry,
    buf: &mut [u8],
    problems: &mut Vec<Problem>,
) {
    let unreadable =
        |e: &dyn fmt::Display| Problem::NotAZip(format!("cannot read {}: {e}", entry.path));
    let file = match archive.by_index(index) {
        Ok(file) => file,
        Err(e) => return problems.push(unreadable(&e)),
    };
    let declared_size = file.size();
    let mut limited = file.take(entry.size.saturating_add(1));
    let mut hasher = Sha256::new();
    let mut actual: u64 = 0;
    loop {
        match limited.read(buf) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buf[..n]);
                actual += n as u64;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return problems.push(unreadable(&e)),
        }
    }
    // A size mismatch implies a hash mismatch; report only the more telling one.
    if actual != entry.size {
        let actual = if actual > entry.size {
            actual.max(declared_size)
        } else {
            actual
        };
        return problems.push(Problem::SizeMismatch {
            path: entry.path.clone(),
            expected: entry.size,
            actual,
        });
    }
    let digest = hex::encode(hasher.finalize());
    if !digest.eq_ignore_ascii_case(&entry.sha256) {
        problems.push(Problem::HashMismatch {
            path: entry.path.clone(),
            expected: entry.sha256.clone(),
            actual: digest,
        });
    }
}
