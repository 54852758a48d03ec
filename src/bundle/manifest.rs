//! The two JSON documents every bundle carries.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Value of `Manifest::format`; bump the number on an incompatible change.
pub const FORMAT: &str = "rightsdesk-bundle/1";
pub const MANIFEST_NAME: &str = "manifest.json";
pub const SIGNATURE_NAME: &str = "manifest.sig";

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub format: String,
    /// The request's reference, e.g. `SAT-2026-000123`.
    pub reference: String,
    /// The kind of request answered: `access`, `portability`, ...
    pub kind: String,
    pub created_at: DateTime<Utc>,
    /// Every file of the bundle except the manifest and its signature, in the order added.
    pub files: Vec<FileEntry>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    /// Lower-case hex SHA-256 of the file's uncompressed content.
    pub sha256: String,
    pub media_type: String,
}

/// Contents of `manifest.sig`. The public key is embedded so a bundle can be
/// checked for integrity without our key at hand; proving origin needs the
/// trusted key (see `verify`).
#[derive(Serialize, Deserialize, Debug)]
pub(crate) struct SignatureFile {
    pub algorithm: String,
    pub key_id: String,
    /// Base64 (standard, padded) of the 32-byte Ed25519 public key.
    pub public_key: String,
    /// Base64 of the Ed25519 signature over the exact bytes of `manifest.json`.
    pub signature: String,
}
