//! Strong electronic identification: an ID token from the organisation's OpenID Connect
//! provider (e.g. a national eID broker) verifies the requester's identity. The issuer's
//! keys (JWKS) come from a file or a URL and are cached; an unknown key id triggers one
//! early reload, so the provider can rotate keys without a restart.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::ServiceError;
use crate::db::models::OrganisationRow;
use crate::oidc::{OidcError, OidcSettings, OidcVerifier, VerifiedIdentity};

/// Keys are fetched again after this long even when nothing failed.
const REFRESH_AFTER: Duration = Duration::from_secs(3600);
/// An unknown key id reloads the keys at most this often (a forger cannot make us hammer the provider).
const RELOAD_AT_MOST_EVERY: Duration = Duration::from_secs(60);
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_JWKS_BYTES: u64 = 1024 * 1024;

struct Cached {
    settings: OidcSettings,
    verifier: Arc<OidcVerifier>,
    loaded: Instant,
}

#[derive(Default)]
pub struct EidVerifiers {
    cache: Mutex<HashMap<String, Cached>>,
}

impl EidVerifiers {
    /// The identity in `token` if the organisation has a provider and the token is valid
    /// for it. Every refusal is `Unauthorized`; the reason is logged without the token.
    pub fn verify(
        &self,
        org: &OrganisationRow,
        token: &str,
        now: i64,
    ) -> Result<VerifiedIdentity, ServiceError> {
        // Switched off is the same as not configured.
        let settings =
            OidcSettings::in_use(org.oidc.as_deref()).ok_or(ServiceError::Unauthorized)?;
        let verifier = self.verifier(&org.id, &settings, false)?;
        let result = match verifier.verify(token, now) {
            Err(OidcError::UnknownKey) => {
                let fresh = self.verifier(&org.id, &settings, true)?;
                fresh.verify(token, now)
            }
            other => other,
        };
        result.map_err(|e| {
            tracing::info!(reason = %e, "ID token refused");
            ServiceError::Unauthorized
        })
    }

    fn verifier(
        &self,
        org_id: &str,
        settings: &OidcSettings,
        key_missing: bool,
    ) -> Result<Arc<OidcVerifier>, ServiceError> {
        {
            let cache = self.cache.lock().expect("eid cache lock");
            if let Some(c) = cache.get(org_id) {
                let age = c.loaded.elapsed();
                let fresh_enough = if key_missing {
                    age < RELOAD_AT_MOST_EVERY
                } else {
                    age < REFRESH_AFTER
                };
                if c.settings == *settings && fresh_enough {
                    return Ok(c.verifier.clone());
                }
            }
        }
        let jwks = load_jwks(&settings.jwks).map_err(|e| {
            tracing::warn!(error = %e, "identity provider keys could not be loaded");
            ServiceError::Unauthorized
        })?;
        let verifier = Arc::new(OidcVerifier::new(settings, &jwks).map_err(|e| {
            tracing::warn!(error = %e, "identity provider keys are not usable");
            ServiceError::Unauthorized
        })?);
        self.cache.lock().expect("eid cache lock").insert(
            org_id.to_string(),
            Cached {
                settings: settings.clone(),
                verifier: verifier.clone(),
                loaded: Instant::now(),
            },
        );
        Ok(verifier)
    }
}

/// The JWKS document from a file path or an http(s) URL.
pub fn load_jwks(source: &str) -> anyhow::Result<String> {
    if source.starts_with("https://") || source.starts_with("http://") {
        use std::io::Read;
        let client = reqwest::blocking::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .build()?;
        let resp = client.get(source).send()?.error_for_status()?;
        let mut body = String::new();
        resp.take(MAX_JWKS_BYTES).read_to_string(&mut body)?;
        Ok(body)
    } else {
        Ok(std::fs::read_to_string(source)?)
    }
}
