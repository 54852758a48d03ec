//! What `verify` found: the manifest, the key used, and every problem.

use std::fmt;

use super::manifest::Manifest;

#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    /// The parsed manifest, when there is one (even if its signature fails).
    pub manifest: Option<Manifest>,
    /// Id of the key the signature was checked with.
    pub key_id: Option<String>,
    /// True when the signature was checked against the caller's trusted key
    /// (`problems` says whether it passed); false when only the key embedded
    /// in the bundle was available, which proves the bundle intact but not
    /// who made it: callers should say so.
    pub trusted_key_used: bool,
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// A summary line, then one line per problem.
impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(m) = &self.manifest {
            write!(
                f,
                "bundle {} ({}, {} files): ",
                m.reference,
                m.kind,
                m.files.len()
            )?;
        }
        if self.is_ok() {
            write!(f, "OK")?;
        } else {
            write!(f, "{} problem(s)", self.problems.len())?;
        }
        match (&self.key_id, self.trusted_key_used) {
            (Some(id), true) => write!(f, "; checked against trusted key {id}")?,
            (Some(id), false) => write!(
                f,
                "; checked with key {id} embedded in the bundle, not a trusted key"
            )?,
            (None, _) => {}
        }
        for problem in &self.problems {
            write!(f, "\n- {problem}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("not a valid ZIP archive: {0}")]
    NotAZip(String),
    #[error("manifest.json is missing")]
    ManifestMissing,
    #[error("manifest.json is not a valid manifest: {0}")]
    ManifestInvalid(String),
    #[error("manifest.sig is missing: the bundle is not signed")]
    SignatureMissing,
    #[error("the signature in manifest.sig does not match manifest.json: the manifest was changed or the signature is damaged")]
    SignatureInvalid,
    #[error("signed by key {found}, not by the trusted key {expected}")]
    UnexpectedKey { expected: String, found: String },
    #[error("{0} is listed in the manifest but missing from the bundle")]
    FileMissing(String),
    #[error("{0} is in the bundle but not listed in the manifest")]
    FileNotInManifest(String),
    #[error("{path} is {actual} bytes, but the manifest says {expected}")]
    SizeMismatch {
        path: String,
        expected: u64,
        actual: u64,
    },
    #[error("{path} has SHA-256 {actual}, but the manifest says {expected}")]
    HashMismatch {
        path: String,
        expected: String,
        actual: String,
    },
    #[error(
        "unsafe file name {0:?}: it could be unpacked outside its folder or over the manifest"
    )]
    UnsafePath(String),
}
