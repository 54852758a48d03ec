//! Which names may go into a bundle. The same rules guard the writer and the
//! verifier, so a bundle we write never trips our own check, and a hostile
//! archive cannot smuggle a zip-slip name past it.

use super::manifest::{MANIFEST_NAME, SIGNATURE_NAME};

/// Long enough for any real answer file, short enough for every unzip tool.
const MAX_PATH_BYTES: usize = 1024;

/// Why `BundleWriter::add` refused a path. Returned inside `anyhow::Error`;
/// callers that need to tell a bad name from an I/O failure can downcast.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("unsafe path {path:?} in bundle: {reason}")]
    Unsafe { path: String, reason: &'static str },
    #[error("{path:?} is reserved for the bundle's own manifest and signature")]
    Reserved { path: String },
    #[error("{path:?} is already in the bundle (names are compared ignoring case)")]
    Duplicate { path: String },
}

/// Checks a relative, `/`-separated name that extracts inside its folder on
/// Linux, Windows and macOS alike.
pub(crate) fn check(path: &str) -> Result<(), PathError> {
    let unsafe_because = |reason| {
        Err(PathError::Unsafe {
            path: path.to_owned(),
            reason,
        })
    };
    if path.is_empty() {
        return unsafe_because("the name is empty");
    }
    if path.len() > MAX_PATH_BYTES {
        return unsafe_because("the name is longer than 1024 bytes");
    }
    if path.starts_with('/') {
        return unsafe_because("absolute paths are not allowed");
    }
    if path.contains('\\') {
        return unsafe_because("backslashes are not allowed; use '/'");
    }
    // A colon is a drive letter or an alternate data stream on Windows.
    if path.contains(':') {
        return unsafe_because("colons are not allowed");
    }
    if path.chars().any(char::is_control) {
        return unsafe_because("control characters are not allowed");
    }
    for segment in path.split('/') {
        match segment {
            "" => {
                return unsafe_because(
                    "empty path segments ('//' or a trailing '/') are not allowed",
                )
            }
            "." | ".." => return unsafe_because("'.' and '..' segments are not allowed"),
            _ => {}
        }
    }
    if is_reserved(path) {
        return Err(PathError::Reserved {
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// Ignoring case: `MANIFEST.JSON` would overwrite the manifest when unpacked on
/// Windows or macOS.
pub(crate) fn is_reserved(path: &str) -> bool {
    path.eq_ignore_ascii_case(MANIFEST_NAME) || path.eq_ignore_ascii_case(SIGNATURE_NAME)
}

/// Key for duplicate detection: names differing only in case collide on
/// case-insensitive file systems.
pub(crate) fn duplicate_key(path: &str) -> String {
    path.to_lowercase()
}
