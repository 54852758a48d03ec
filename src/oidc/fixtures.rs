//! Shared fixtures of the unit tests: the issuers, settings and claims they vary.

use std::sync::OnceLock;

use serde_json::{json, Value};

use super::testkit::{self, TestIssuer};
use super::{default_identity_claim, OidcError, OidcSettings, OidcVerifier};

pub(super) const NOW: i64 = 1_750_000_000;
pub(super) const ISSUER: &str = "https://eid-broker.example.fi";
pub(super) const AUDIENCE: &str = "rightsdesk-client";
/// A lower-case identity code with padding, to see it normalised.
pub(super) const RAW_CODE: &str = " 131052-308t ";
pub(super) const CODE: &str = "131052-308T";

/// RSA key generation is slow-ish, so the tests share their issuers.
pub(super) fn rsa_issuer() -> &'static TestIssuer {
    static ISSUER: OnceLock<TestIssuer> = OnceLock::new();
    ISSUER.get_or_init(|| TestIssuer::rsa("rsa-1"))
}

pub(super) fn ec_issuer() -> &'static TestIssuer {
    static ISSUER: OnceLock<TestIssuer> = OnceLock::new();
    ISSUER.get_or_init(|| TestIssuer::ec("ec-1"))
}

pub(super) fn settings() -> OidcSettings {
    OidcSettings {
        issuer: ISSUER.to_owned(),
        audience: AUDIENCE.to_owned(),
        identity_claim: default_identity_claim(),
        jwks: "/etc/rightsdesk/jwks.json".to_owned(),
        authorization_endpoint: None,
        accepted_acr: Vec::new(),
        enabled: true,
    }
}

pub(super) fn verifier_for(issuers: &[&TestIssuer]) -> OidcVerifier {
    OidcVerifier::new(&settings(), &testkit::jwks_json_of(issuers)).expect("verifier")
}

/// A verifier that trusts both the RSA and the EC test issuer.
pub(super) fn verifier() -> OidcVerifier {
    verifier_for(&[rsa_issuer(), ec_issuer()])
}

pub(super) fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "broker-subject-42",
        "iat": NOW - 10,
        "nbf": NOW - 10,
        "exp": NOW + 300,
        "personal_identity_code": RAW_CODE,
    })
}

pub(super) fn with(mut claims: Value, name: &str, value: Value) -> Value {
    claims[name] = value;
    claims
}

pub(super) fn without(mut claims: Value, name: &str) -> Value {
    claims.as_object_mut().unwrap().remove(name);
    claims
}

pub(super) fn refuse(token: &str) -> OidcError {
    verifier()
        .verify(token, NOW)
        .expect_err("token must be refused")
}
