//! Checking one ID token: the header decides the algorithm and key, the signature is
//! verified, then the registered claims and the identity are read.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use super::jwks::{parse_jwks, VerificationKey};
use super::{OidcError, OidcSettings, VerifiedIdentity, LEEWAY_SECS};

/// Upper bound on the token size; ID tokens are a few KiB, and the bound keeps
/// hostile input from costing much work before it is refused.
const MAX_TOKEN_LEN: usize = 32 * 1024;

/// Verifies ID tokens of one identity provider against its JWKS.
///
/// Build it once per (settings, JWKS) pair; it holds no clock and no I/O.
#[derive(Debug, Clone)]
pub struct OidcVerifier {
    issuer: String,
    audience: String,
    identity_claim: String,
    accepted_acr: Vec<String>,
    keys: Vec<VerificationKey>,
}

impl OidcVerifier {
    /// Builds a verifier from the settings and the JWKS document's JSON text.
    ///
    /// Keys that cannot sign ID tokens for us (`use` other than `sig`, other
    /// key types or curves, an `alg` other than RS256/ES256) are skipped;
    /// a supported key with broken parameters is an error, as is a JWKS
    /// without any usable key.
    pub fn new(settings: &OidcSettings, jwks_json: &str) -> Result<Self, OidcError> {
        for (name, value) in [
            ("issuer", &settings.issuer),
            ("audience", &settings.audience),
            ("identity_claim", &settings.identity_claim),
        ] {
            if value.trim().is_empty() {
                return Err(OidcError::InvalidSettings(format!("`{name}` is empty")));
            }
        }
        Ok(Self {
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            identity_claim: settings.identity_claim.clone(),
            accepted_acr: settings.accepted_acr.clone(),
            keys: parse_jwks(jwks_json)?,
        })
    }

    /// Verifies `token` and returns the identity it asserts.
    ///
    /// `now` is Unix seconds from the caller's clock; `exp` and `nbf` are
    /// checked against it with [`LEEWAY_SECS`] of leeway.
    pub fn verify(&self, token: &str, now: i64) -> Result<VerifiedIdentity, OidcError> {
        let header = parse_header(token)?;
        let key = self.select_key(header.alg, header.kid.as_deref())?;
        let claims = verify_signature(token, key)?;
        self.check_claims(&claims, now)
    }

    /// Picks the key for the token: by `kid` when the header has one, else the
    /// only key usable for the algorithm. Ambiguity is refused rather than
    /// resolved by trying keys in turn.
    fn select_key(&self, alg: Algorithm, kid: Option<&str>) -> Result<&VerificationKey, OidcError> {
        let mut candidates = self
            .keys
            .iter()
            .filter(|k| k.alg == alg)
            .filter(|k| kid.is_none() || k.kid.as_deref() == kid);
        match (candidates.next(), candidates.next()) {
            (Some(key), None) => Ok(key),
            _ => Err(OidcError::UnknownKey),
        }
    }

    /// Checks the registered claims and extracts the identity, after the
    /// signature has been verified.
    fn check_claims(
        &self,
        claims: &Map<String, Value>,
        now: i64,
    ) -> Result<VerifiedIdentity, OidcError> {
        match required(claims, "iss")? {
            Value::String(iss) if *iss == self.issuer => {}
            _ => return Err(OidcError::WrongIssuer),
        }

        let audience_ok = match required(claims, "aud")? {
            Value::String(aud) => *aud == self.audience,
            Value::Array(auds) => auds.iter().any(|a| a.as_str() == Some(&self.audience)),
            _ => false,
        };
        if !audience_ok {
            return Err(OidcError::WrongAudience);
        }

        let exp = numeric_date(claims, "exp")?.ok_or_else(|| missing("exp"))?;
        if exp <= now.saturating_sub(LEEWAY_SECS) {
            return Err(OidcError::Expired);
        }
        let nbf = numeric_date(claims, "nbf")?;
        if nbf.is_some_and(|nbf| nbf > now.saturating_add(LEEWAY_SECS)) {
            return Err(OidcError::NotYetValid);
        }
        // `iat` is optional, but when present it must at least be a date.
        numeric_date(claims, "iat")?;

        if !self.accepted_acr.is_empty() {
            let acr = non_empty_string(claims, "acr")?;
            if !self.accepted_acr.iter().any(|accepted| accepted == acr) {
                return Err(OidcError::InsufficientAssurance);
            }
        }

        let subject = non_empty_string(claims, "sub")?;
        let identity = non_empty_string(claims, &self.identity_claim)?;

        Ok(VerifiedIdentity {
            identity_code: identity.trim().to_uppercase(),
            subject: subject.to_owned(),
            issuer: self.issuer.clone(),
            nonce: claims
                .get("nonce")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }
}

// ---------------------------------------------------------------------------
// Token header and signature
// ---------------------------------------------------------------------------

/// The parts of the JOSE header that decide which key may verify the token.
struct TokenHeader {
    alg: Algorithm,
    kid: Option<String>,
}

/// Reads the header ourselves instead of via `jsonwebtoken::decode_header`:
/// that one fails on `alg: none` and other unknown algorithms as a JSON error,
/// and we want to refuse any algorithm but RS256/ES256 explicitly, before a
/// key is looked at.
fn parse_header(token: &str) -> Result<TokenHeader, OidcError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(OidcError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(_payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(OidcError::Malformed);
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| OidcError::Malformed)?;
    let header: Map<String, Value> =
        serde_json::from_slice(&bytes).map_err(|_| OidcError::Malformed)?;

    let alg = match header.get("alg") {
        Some(Value::String(alg)) => match alg.as_str() {
            "RS256" => Algorithm::RS256,
            "ES256" => Algorithm::ES256,
            _ => return Err(OidcError::UnsupportedAlgorithm),
        },
        _ => return Err(OidcError::Malformed),
    };
    // RFC 7515 §4.1.11: a recipient that does not understand a critical
    // extension must reject the token; we understand none.
    if header.contains_key("crit") {
        return Err(OidcError::UnsupportedCriticalHeader);
    }
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(OidcError::Malformed),
    };
    Ok(TokenHeader { alg, kid })
}

/// Verifies the signature with jsonwebtoken and returns the claims.
///
/// All of jsonwebtoken's claim validation is switched off: its `exp`/`nbf`
/// checks read the system clock, and its `iss` check accepts an array of
/// issuers. The claims are checked in [`OidcVerifier::check_claims`].
fn verify_signature(token: &str, key: &VerificationKey) -> Result<Map<String, Value>, OidcError> {
    let mut validation = Validation::new(key.alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.leeway = 0;

    match jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, &validation) {
        Ok(data) => Ok(data.claims),
        Err(err) => Err(match err.kind() {
            ErrorKind::InvalidSignature => OidcError::BadSignature,
            ErrorKind::InvalidAlgorithm | ErrorKind::UnsupportedAlgorithm => {
                OidcError::UnsupportedAlgorithm
            }
            // The key was validated when the JWKS was loaded, so a key error
            // here means the signature cannot be checked: refuse it as such.
            ErrorKind::InvalidRsaKey(_)
            | ErrorKind::InvalidEcdsaKey
            | ErrorKind::InvalidKeyFormat => OidcError::BadSignature,
            _ => OidcError::Malformed,
        }),
    }
}

// ---------------------------------------------------------------------------
// Claims
// ---------------------------------------------------------------------------

fn missing(name: &str) -> OidcError {
    OidcError::MissingClaim(name.to_owned())
}

fn invalid(name: &str) -> OidcError {
    OidcError::InvalidClaim(name.to_owned())
}

/// A claim that must be present; JSON `null` counts as absent.
fn required<'a>(claims: &'a Map<String, Value>, name: &str) -> Result<&'a Value, OidcError> {
    match claims.get(name) {
        None | Some(Value::Null) => Err(missing(name)),
        Some(value) => Ok(value),
    }
}

/// A required claim holding a string that is not blank.
fn non_empty_string<'a>(claims: &'a Map<String, Value>, name: &str) -> Result<&'a str, OidcError> {
    match required(claims, name)? {
        Value::String(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(invalid(name)),
    }
}

/// An optional NumericDate claim (RFC 7519 §2), in whole seconds. Fractions
/// are truncated, and values beyond `i64` saturate, so comparisons never wrap.
fn numeric_date(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>, OidcError> {
    let value = match claims.get(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n,
        Some(_) => return Err(invalid(name)),
    };
    if let Some(secs) = value.as_i64() {
        Ok(Some(secs))
    } else if value.as_u64().is_some() {
        Ok(Some(i64::MAX))
    } else {
        match value.as_f64() {
            // `as` saturates for out-of-range floats.
            Some(secs) if secs.is_finite() => Ok(Some(secs.trunc() as i64)),
            _ => Err(invalid(name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::testkit::{self, TestIssuer};
    use super::*;
    use serde_json::json;

    // --- accepted tokens ---------------------------------------------------

    #[test]
    fn valid_rs256_token_verifies() {
        let identity = verifier()
            .verify(&rsa_issuer().sign(&claims()), NOW)
            .unwrap();
        assert_eq!(
            identity,
            VerifiedIdentity {
                identity_code: CODE.to_owned(),
                subject: "broker-subject-42".to_owned(),
                issuer: ISSUER.to_owned(),
                nonce: None,
            }
        );
    }

    #[test]
    fn valid_es256_token_verifies() {
        let identity = verifier()
            .verify(&ec_issuer().sign(&claims()), NOW)
            .unwrap();
        assert_eq!(identity.identity_code, CODE);
        assert_eq!(identity.subject, "broker-subject-42");
    }

    #[test]
    fn audience_array_is_accepted() {
        let token = rsa_issuer().sign(&with(claims(), "aud", json!(["other", AUDIENCE])));
        assert_eq!(verifier().verify(&token, NOW).unwrap().identity_code, CODE);
    }

    #[test]
    fn token_without_kid_uses_the_only_key_for_its_alg() {
        let token = rsa_issuer().sign_with_kid(&claims(), None);
        assert!(verifier().verify(&token, NOW).is_ok());
    }

    #[test]
    fn the_authentication_level_is_checked_when_levels_are_configured() {
        const SUBSTANTIAL: &str = "http://ftn.ficora.fi/2017/loa2";
        const HIGH: &str = "http://ftn.ficora.fi/2017/loa3";
        let settings = OidcSettings {
            accepted_acr: vec![SUBSTANTIAL.to_owned(), HIGH.to_owned()],
            ..settings()
        };
        let strict = OidcVerifier::new(&settings, &testkit::jwks_json_of(&[rsa_issuer()])).unwrap();
        let sign = |claims: Value| rsa_issuer().sign(&claims);
        for level in [SUBSTANTIAL, HIGH] {
            let token = sign(with(claims(), "acr", json!(level)));
            assert_eq!(strict.verify(&token, NOW).unwrap().identity_code, CODE);
        }
        let weak = sign(with(
            claims(),
            "acr",
            json!("http://ftn.ficora.fi/2017/loa1"),
        ));
        assert_eq!(
            strict.verify(&weak, NOW),
            Err(OidcError::InsufficientAssurance)
        );
        assert_eq!(
            strict.verify(&sign(claims()), NOW),
            Err(OidcError::MissingClaim("acr".into()))
        );
        assert_eq!(
            strict.verify(&sign(with(claims(), "acr", json!([HIGH]))), NOW),
            Err(OidcError::InvalidClaim("acr".into()))
        );
        // Without configured levels the claim is not looked at.
        assert!(verifier().verify(&weak, NOW).is_ok());
    }

    #[test]
    fn custom_identity_claim_is_used() {
        let settings = OidcSettings {
            identity_claim: "hetu".to_owned(),
            ..settings()
        };
        let verifier = OidcVerifier::new(&settings, &rsa_issuer().jwks_json()).unwrap();
        let token = rsa_issuer().sign(&with(claims(), "hetu", json!("010101a123b")));
        assert_eq!(
            verifier.verify(&token, NOW).unwrap().identity_code,
            "010101A123B"
        );
    }

    #[test]
    fn exp_within_leeway_is_accepted() {
        let token = rsa_issuer().sign(&with(claims(), "exp", json!(NOW - 30)));
        assert!(verifier().verify(&token, NOW).is_ok());
    }

    #[test]
    fn nbf_within_leeway_is_accepted() {
        let token = rsa_issuer().sign(&with(claims(), "nbf", json!(NOW + 30)));
        assert!(verifier().verify(&token, NOW).is_ok());
    }

    #[test]
    fn uses_callers_clock_not_system_time() {
        // Expired by decades in real time, fine at the caller's `now`.
        let early = 1_000_000_000;
        let token = rsa_issuer().sign(&json!({
            "iss": ISSUER, "aud": AUDIENCE, "sub": "s", "exp": early + 60,
            "personal_identity_code": CODE,
        }));
        assert!(verifier().verify(&token, early).is_ok());
    }

    // --- refused tokens ----------------------------------------------------

    #[test]
    fn forged_signature_with_same_kid_is_refused() {
        let forger = TestIssuer::ec(ec_issuer().kid());
        assert_eq!(refuse(&forger.sign(&claims())), OidcError::BadSignature);
    }

    #[test]
    fn forged_rs256_signature_with_same_kid_is_refused() {
        let forger = TestIssuer::rsa(rsa_issuer().kid());
        assert_eq!(refuse(&forger.sign(&claims())), OidcError::BadSignature);
    }

    #[test]
    fn expired_token_is_refused() {
        let token = rsa_issuer().sign(&with(claims(), "exp", json!(NOW - 120)));
        assert_eq!(refuse(&token), OidcError::Expired);
    }

    #[test]
    fn not_yet_valid_token_is_refused() {
        let token = rsa_issuer().sign(&with(claims(), "nbf", json!(NOW + 120)));
        assert_eq!(refuse(&token), OidcError::NotYetValid);
    }

    #[test]
    fn wrong_audience_is_refused() {
        for aud in [
            json!("someone-else"),
            json!(["a", "b"]),
            json!([]),
            json!(42),
        ] {
            let token = rsa_issuer().sign(&with(claims(), "aud", aud));
            assert_eq!(refuse(&token), OidcError::WrongAudience);
        }
    }

    #[test]
    fn wrong_issuer_is_refused() {
        for iss in [
            json!("https://evil.example"),
            json!(format!("{ISSUER}/")),
            json!([ISSUER]),
        ] {
            let token = rsa_issuer().sign(&with(claims(), "iss", iss));
            assert_eq!(refuse(&token), OidcError::WrongIssuer);
        }
    }

    #[test]
    fn alg_none_is_refused() {
        for kid in [None, Some(rsa_issuer().kid())] {
            let token = testkit::unsigned_token(&claims(), kid);
            assert_eq!(refuse(&token), OidcError::UnsupportedAlgorithm);
        }
        // The same with an upper-case spelling and with a junk signature.
        let header = testkit::encode_part(&json!({ "alg": "None" }));
        let token = format!("{header}.{}.c2ln", testkit::encode_part(&claims()));
        assert_eq!(refuse(&token), OidcError::UnsupportedAlgorithm);
    }

    #[test]
    fn hs256_key_confusion_is_refused() {
        let rsa = rsa_issuer();
        // The bare RSAPublicKey (PKCS#1) form of the same key, too.
        let pkcs1 = aws_lc_rs::rsa::PublicKey::from_der(&rsa.public_key_der())
            .unwrap()
            .as_ref()
            .to_vec();
        let secrets: Vec<Vec<u8>> = vec![
            rsa.public_key_der(),
            pkcs1,
            rsa.public_key_pem().into_bytes(),
            rsa.jwks_json().into_bytes(),
            verifier_jwks_text().into_bytes(),
        ];
        for secret in &secrets {
            for kid in [Some(rsa.kid()), None] {
                let token = testkit::hs256_token(&claims(), secret, kid);
                assert_eq!(refuse(&token), OidcError::UnsupportedAlgorithm);
            }
        }
    }

    /// The exact JWKS text the verifier in these tests was built from.
    fn verifier_jwks_text() -> String {
        testkit::jwks_json_of(&[rsa_issuer(), ec_issuer()])
    }

    #[test]
    fn other_algorithms_are_refused() {
        for alg in [
            "HS384", "HS512", "RS384", "RS512", "PS256", "ES384", "EdDSA", "", "rs256",
        ] {
            let header = testkit::encode_part(&json!({ "alg": alg, "kid": "rsa-1" }));
            let token = format!("{header}.{}.c2ln", testkit::encode_part(&claims()));
            assert_eq!(refuse(&token), OidcError::UnsupportedAlgorithm, "alg {alg}");
        }
    }

    #[test]
    fn alg_that_disagrees_with_key_type_is_refused() {
        // An ES256 header pointing at the RSA key's kid finds no key.
        let ec_signed_for_rsa_kid = ec_issuer().sign_with_kid(&claims(), Some(rsa_issuer().kid()));
        assert_eq!(refuse(&ec_signed_for_rsa_kid), OidcError::UnknownKey);
    }

    #[test]
    fn missing_identity_claim_is_refused() {
        let token = rsa_issuer().sign(&without(claims(), "personal_identity_code"));
        assert_eq!(
            refuse(&token),
            OidcError::MissingClaim("personal_identity_code".to_owned())
        );
    }

    #[test]
    fn blank_or_non_string_identity_claim_is_refused() {
        for value in [
            json!("   "),
            json!(""),
            json!(131052308),
            json!(["131052-308T"]),
        ] {
            let token = rsa_issuer().sign(&with(claims(), "personal_identity_code", value));
            assert_eq!(
                refuse(&token),
                OidcError::InvalidClaim("personal_identity_code".to_owned())
            );
        }
    }

    #[test]
    fn missing_registered_claims_are_refused() {
        for name in ["iss", "aud", "exp", "sub"] {
            let token = rsa_issuer().sign(&without(claims(), name));
            assert_eq!(
                refuse(&token),
                OidcError::MissingClaim(name.to_owned()),
                "{name}"
            );
        }
    }

    #[test]
    fn non_numeric_dates_are_refused() {
        for name in ["exp", "nbf", "iat"] {
            let token = rsa_issuer().sign(&with(claims(), name, json!("soon")));
            assert_eq!(
                refuse(&token),
                OidcError::InvalidClaim(name.to_owned()),
                "{name}"
            );
        }
    }

    #[test]
    fn unknown_kid_is_refused() {
        let token = rsa_issuer().sign_with_kid(&claims(), Some("rotated-away"));
        assert_eq!(refuse(&token), OidcError::UnknownKey);
    }

    #[test]
    fn no_kid_with_several_candidate_keys_is_refused() {
        let second = TestIssuer::ec("ec-2");
        let verifier = verifier_for(&[ec_issuer(), &second]);
        let token = ec_issuer().sign_with_kid(&claims(), None);
        assert_eq!(verifier.verify(&token, NOW), Err(OidcError::UnknownKey));
        // With its kid the same issuer's token is fine.
        assert!(verifier.verify(&ec_issuer().sign(&claims()), NOW).is_ok());
    }

    #[test]
    fn garbage_tokens_are_refused() {
        let valid = rsa_issuer().sign(&claims());
        let oversized = "a".repeat(MAX_TOKEN_LEN + 1);
        for token in [
            "",
            "garbage",
            "a.b",
            "a.b.c.d",
            "...",
            "!!!.???.***",
            &format!("{valid}.extra"),
            &format!(" {valid}"),
            &oversized,
        ] {
            assert_eq!(refuse(token), OidcError::Malformed);
        }
        // A header that is JSON but not an object, and one without `alg`.
        for header in [json!(["RS256"]), json!({ "kid": "rsa-1" })] {
            let token = format!("{}.{}.c2ln", testkit::encode_part(&header), "e30");
            assert_eq!(refuse(&token), OidcError::Malformed);
        }
    }

    #[test]
    fn tampered_payload_is_refused() {
        let token = rsa_issuer().sign(&claims());
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = testkit::encode_part(&with(
            claims(),
            "personal_identity_code",
            json!("010101-0101"),
        ));
        parts[1] = &forged;
        assert_eq!(refuse(&parts.join(".")), OidcError::BadSignature);

        // The same for an ES256 token, and a truncated signature.
        let token = ec_issuer().sign(&claims());
        let mut parts: Vec<&str> = token.split('.').collect();
        parts[1] = &forged;
        assert_eq!(refuse(&parts.join(".")), OidcError::BadSignature);
        // A valid signature, but over other claims.
        let other = ec_issuer().sign(&with(claims(), "sub", json!("someone-else")));
        let mut parts: Vec<&str> = token.split('.').collect();
        parts[2] = other.rsplit('.').next().unwrap();
        assert_eq!(refuse(&parts.join(".")), OidcError::BadSignature);
    }

    #[test]
    fn critical_header_extensions_are_refused() {
        let header =
            testkit::encode_part(&json!({ "alg": "RS256", "kid": "rsa-1", "crit": ["exp"] }));
        let token = format!("{header}.{}.c2ln", testkit::encode_part(&claims()));
        assert_eq!(refuse(&token), OidcError::UnsupportedCriticalHeader);
    }

    // --- error messages ----------------------------------------------------

    #[test]
    fn error_messages_never_contain_identity_code() {
        let rsa = rsa_issuer();
        let cases = [
            with(claims(), "exp", json!(NOW - 120)),
            with(claims(), "nbf", json!(NOW + 120)),
            with(claims(), "aud", json!(RAW_CODE)),
            with(claims(), "iss", json!(CODE)),
            with(claims(), "sub", json!([CODE])),
            with(claims(), "personal_identity_code", json!(["131052-308T"])),
            with(claims(), "exp", json!(CODE)),
        ];
        let mut tokens: Vec<String> = cases.iter().map(|c| rsa.sign(c)).collect();
        tokens.push(TestIssuer::ec(ec_issuer().kid()).sign(&claims()));
        tokens.push(testkit::unsigned_token(&claims(), None));
        tokens.push(testkit::hs256_token(&claims(), &rsa.public_key_der(), None));
        tokens.push(rsa.sign_with_kid(&claims(), Some(CODE)));
        for token in &tokens {
            let err = refuse(token);
            let message = format!("{err} / {err:?}");
            for needle in [CODE, RAW_CODE.trim(), token.as_str()] {
                assert!(!message.contains(needle), "{message:?} leaks a value");
            }
        }
    }

    #[test]
    fn empty_settings_are_refused() {
        let jwks = rsa_issuer().jwks_json();
        let empty_issuer = OidcSettings {
            issuer: String::new(),
            ..settings()
        };
        assert!(matches!(
            OidcVerifier::new(&empty_issuer, &jwks),
            Err(OidcError::InvalidSettings(_))
        ));
        let empty_audience = OidcSettings {
            audience: " ".to_owned(),
            ..settings()
        };
        assert!(matches!(
            OidcVerifier::new(&empty_audience, &jwks),
            Err(OidcError::InvalidSettings(_))
        ));
    }
}
