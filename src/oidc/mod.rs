//! Verification of OpenID Connect ID tokens issued by a national eID broker.
//!
//! A successfully verified token proves that the person identified themselves
//! with strong electronic identification, so the service may mark the person's
//! identity as verified. Everything here is therefore fail-closed: anything
//! unexpected in the token, its header or the issuer's JWKS is an error.
//!
//! Design notes:
//! - Only `RS256` and `ES256` are accepted, and the algorithm is decided from
//!   the raw header *before* any key is looked at, which rules out `alg: none`
//!   and HMAC key-confusion attacks (an HS256 token "signed" with the issuer's
//!   public key).
//! - Time-based checks (`exp`, `nbf`) use the caller's `now`, never the system
//!   clock, because the service runs on a fakeable clock.
//! - [`OidcError`]'s messages never contain the token or any claim value:
//!   identity codes must never reach logs.
//!
//! Layout: the public types are here; `verify` checks tokens, `jwks` turns the
//! issuer's key set into verification keys, and `testkit` (unit tests and the `testkit`
//! feature only) mints keys and tokens for tests.

mod jwks;
mod verify;

#[cfg(test)]
mod fixtures;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;

pub use verify::OidcVerifier;

/// Allowed clock skew, in seconds, between the broker and our clock.
pub const LEEWAY_SECS: i64 = 60;

/// The claim that carries the Finnish personal identity code when the settings
/// do not name another one.
pub fn default_identity_claim() -> String {
    "personal_identity_code".to_owned()
}

/// Settings of one organisation's identity provider.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OidcSettings {
    /// Expected `iss` claim, compared exactly.
    pub issuer: String,
    /// Our client id; the token's `aud` must contain it.
    pub audience: String,
    /// Claim that carries the Finnish personal identity code; default "personal_identity_code".
    #[serde(default = "default_identity_claim")]
    pub identity_claim: String,
    /// Where the issuer's JWKS is: a file path or an https URL (loading is done by the caller).
    pub jwks: String,
    /// Where the request pages send people to identify themselves (implicit flow,
    /// `response_mode=form_post`); without it only the API accepts ID tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// The authentication levels accepted in the token's `acr` claim (the broker's values for,
    /// say, eIDAS substantial and high); the pages also ask for them (`acr_values`). Empty:
    /// not checked, so the broker must be set up to issue nothing weaker.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted_acr: Vec<String>,
    /// Whether strong identification is in use. Switched off, the settings are kept for
    /// switching it on again, and everything treats the organisation as having no provider.
    /// Settings stored before this flag existed read as switched on.
    #[serde(default = "switched_on")]
    pub enabled: bool,
}

fn switched_on() -> bool {
    true
}

impl OidcSettings {
    /// The stored settings (the organisation's `oidc` column) when strong identification is
    /// switched on; None when it is off, not configured or unreadable.
    pub fn in_use(stored: Option<&str>) -> Option<OidcSettings> {
        stored
            .and_then(|s| serde_json::from_str::<OidcSettings>(s).ok())
            .filter(|o| o.enabled)
    }
}

/// Who a verified token says the person is.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedIdentity {
    /// The personal identity code, trimmed and upper-cased.
    pub identity_code: String,
    /// The token's `sub` claim (the broker's identifier for the person).
    pub subject: String,
    /// The token's `iss` claim (equal to the configured issuer).
    pub issuer: String,
    /// The `nonce` claim, which binds a browser sign-in to the request that started it.
    pub nonce: Option<String>,
}

/// Why settings, a JWKS or a token were refused.
///
/// The messages name claims but never carry their values, nor the token, so
/// they are safe to log.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum OidcError {
    /// The settings cannot work (for example an empty issuer).
    #[error("invalid OIDC settings: {0}")]
    InvalidSettings(String),
    /// The JWKS could not be parsed or holds no usable signing key.
    #[error("invalid JWKS: {0}")]
    InvalidJwks(String),
    /// The token is not a well-formed compact JWS with JSON header and claims.
    #[error("ID token is malformed")]
    Malformed,
    /// The token's `alg` is not RS256 or ES256 (this includes `none` and HMAC).
    #[error("ID token uses an algorithm that is not accepted")]
    UnsupportedAlgorithm,
    /// The token's header lists critical extensions (`crit`) that we do not implement.
    #[error("ID token requires unsupported critical header extensions")]
    UnsupportedCriticalHeader,
    /// No single usable JWKS key matches the token's `kid` and algorithm.
    #[error("no usable key in the JWKS matches the ID token")]
    UnknownKey,
    /// The signature does not verify with the selected key.
    #[error("ID token signature is invalid")]
    BadSignature,
    /// `iss` is not the configured issuer.
    #[error("ID token issuer does not match the configured issuer")]
    WrongIssuer,
    /// `aud` does not contain the configured audience.
    #[error("ID token audience does not contain the configured audience")]
    WrongAudience,
    /// `exp` is more than the leeway in the past.
    #[error("ID token has expired")]
    Expired,
    /// `nbf` is more than the leeway in the future.
    #[error("ID token is not yet valid")]
    NotYetValid,
    /// A required claim is absent; carries the claim's name only.
    #[error("ID token lacks the required claim `{0}`")]
    MissingClaim(String),
    /// A claim is present but has the wrong type or is empty; carries the claim's name only.
    #[error("ID token claim `{0}` has an invalid value")]
    InvalidClaim(String),
    /// `acr` is not one of the accepted authentication levels.
    #[error("ID token's authentication level (`acr`) is not one of the accepted ones")]
    InsufficientAssurance,
}

#[cfg(test)]
mod tests {
    use super::fixtures::{AUDIENCE, ISSUER};
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_deserialize_with_default_claim_and_reject_unknown_fields() {
        let parsed: OidcSettings = serde_json::from_value(json!({
            "issuer": ISSUER, "audience": AUDIENCE, "jwks": "https://broker/jwks",
        }))
        .unwrap();
        assert_eq!(parsed.identity_claim, "personal_identity_code");
        let unknown = serde_json::from_value::<OidcSettings>(json!({
            "issuer": ISSUER, "audience": AUDIENCE, "jwks": "x", "secret": "y",
        }));
        assert!(unknown.is_err());
    }
}
