//! Organisation slugs share the URL space with the service's own paths.

/// Paths the organisation pages must not shadow: an organisation cannot take these slugs.
pub const RESERVED_SLUGS: &[&str] = &["api", "dpo", "static", "health", "openapi.json"];
