//! Signed ZIP export bundles: the answer files of one data-subject request, a
//! `manifest.json` listing each file's size and SHA-256, and a `manifest.sig`
//! holding an Ed25519 signature over the manifest's exact bytes.
//!
//! The writer streams every file (memory stays flat whatever the size) and the
//! verifier re-hashes every file by streaming it out of the archive, collecting
//! every problem it finds rather than stopping at the first.

mod manifest;
mod path;
mod report;
mod signing;
mod verify;
mod writer;

#[cfg(test)]
mod tests;

pub use manifest::{FileEntry, Manifest, FORMAT, MANIFEST_NAME, SIGNATURE_NAME};
pub use path::PathError;
pub use report::{Problem, VerifyReport};
pub use signing::{key_id_of, SigningKey, ALGORITHM};
pub use verify::verify;
pub use writer::BundleWriter;
