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

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

/// Allowed clock skew, in seconds, between the broker and our clock.
pub const LEEWAY_SECS: i64 = 60;

/// Upper bound on the token size; ID tokens are a few KiB, and the bound keeps
/// hostile input from costing much work before it is refused.
const MAX_TOKEN_LEN: usize = 32 * 1024;

/// RSA modulus sizes accepted in a JWKS. The lower bound matches what the
/// aws-lc verifier (`RSA_PKCS1_2048_8192_SHA256`) accepts, so a too-weak key is
/// reported when the JWKS is loaded instead of failing every login later.
const RSA_MIN_BITS: usize = 2048;
const RSA_MAX_BITS: usize = 8192;

/// Length of one P-256 coordinate in bytes.
const P256_COORD_LEN: usize = 32;

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

/// One usable verification key from the issuer's JWKS.
#[derive(Debug, Clone)]
struct VerificationKey {
    kid: Option<String>,
    /// The only algorithm this key may verify; fixed by its key type.
    alg: Algorithm,
    key: DecodingKey,
}

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

// ---------------------------------------------------------------------------
// JWKS
// ---------------------------------------------------------------------------

/// Parses the JWKS (RFC 7517) into the keys usable for RS256 and ES256.
fn parse_jwks(jwks_json: &str) -> Result<Vec<VerificationKey>, OidcError> {
    let doc: Value = serde_json::from_str(jwks_json)
        .map_err(|e| OidcError::InvalidJwks(format!("not valid JSON ({e})")))?;
    let entries = doc
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| OidcError::InvalidJwks("no `keys` array".to_owned()))?;

    let mut keys: Vec<VerificationKey> = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let jwk = entry
            .as_object()
            .ok_or_else(|| jwks_error(index, "is not a JSON object"))?;
        let Some(key) = parse_jwk(index, jwk)? else {
            continue;
        };
        // Two usable keys with one kid would make key selection ambiguous.
        if key.kid.is_some() && keys.iter().any(|k| k.alg == key.alg && k.kid == key.kid) {
            return Err(jwks_error(index, "repeats the `kid` of an earlier key"));
        }
        keys.push(key);
    }
    if keys.is_empty() {
        return Err(OidcError::InvalidJwks(
            "no usable RS256 or ES256 signing key".to_owned(),
        ));
    }
    Ok(keys)
}

fn jwks_error(index: usize, reason: &str) -> OidcError {
    OidcError::InvalidJwks(format!("key #{index} {reason}"))
}

/// Turns one JWK into a verification key; `Ok(None)` for keys we must not or
/// cannot use (so that the issuer may publish e.g. encryption keys alongside).
fn parse_jwk(index: usize, jwk: &Map<String, Value>) -> Result<Option<VerificationKey>, OidcError> {
    let text = |name: &str| -> Result<Option<&str>, OidcError> {
        match jwk.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(jwks_error(index, &format!("has a non-string `{name}`"))),
        }
    };

    if text("use")?.is_some_and(|u| u != "sig") {
        return Ok(None);
    }
    let verify_allowed = jwk.get("key_ops").is_none_or(|ops| {
        ops.as_array()
            .is_some_and(|ops| ops.iter().any(|op| op == "verify"))
    });
    if !verify_allowed {
        return Ok(None);
    }
    let kid = text("kid")?.map(str::to_owned);
    let declared_alg = text("alg")?;

    let (alg, key) = match text("kty")? {
        Some("RSA") => {
            if declared_alg.is_some_and(|a| a != "RS256") {
                return Ok(None);
            }
            (Algorithm::RS256, rsa_key(index, text("n")?, text("e")?)?)
        }
        Some("EC") => {
            if text("crv")? != Some("P-256") || declared_alg.is_some_and(|a| a != "ES256") {
                return Ok(None);
            }
            (Algorithm::ES256, ec_key(index, text("x")?, text("y")?)?)
        }
        Some(_) => return Ok(None),
        None => return Err(jwks_error(index, "has no `kty`")),
    };
    Ok(Some(VerificationKey { kid, alg, key }))
}

/// Decodes one base64url (no padding) JWK member.
fn jwk_bytes(index: usize, name: &str, value: Option<&str>) -> Result<Vec<u8>, OidcError> {
    let value = value.ok_or_else(|| jwks_error(index, &format!("lacks `{name}`")))?;
    URL_SAFE_NO_PAD
        .decode(value)
        .map_err(|_| jwks_error(index, &format!("has `{name}` that is not base64url")))
}

/// An RSA key from `n` and `e`, checked by aws-lc so that a broken key is
/// reported at load time.
fn rsa_key(index: usize, n: Option<&str>, e: Option<&str>) -> Result<DecodingKey, OidcError> {
    let n = jwk_bytes(index, "n", n)?;
    let e = jwk_bytes(index, "e", e)?;
    // Some issuers pad `n` with a leading zero byte; it carries no bits.
    let n = strip_leading_zeros(&n);
    let e = strip_leading_zeros(&e);
    let bits = n.len() * 8 - n.first().map_or(8, |b| b.leading_zeros() as usize);
    if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
        return Err(jwks_error(index, &format!("is a {bits}-bit RSA key")));
    }
    if e.is_empty() {
        return Err(jwks_error(index, "has an RSA exponent of zero"));
    }
    aws_lc_rs::signature::RsaPublicKeyComponents { n, e }
        .to_parsed_public_key(&aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256)
        .map_err(|_| jwks_error(index, "is not a valid RSA public key"))?;
    Ok(DecodingKey::from_rsa_raw_components(n, e))
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// A P-256 key from `x` and `y`; the point is checked to lie on the curve.
fn ec_key(index: usize, x: Option<&str>, y: Option<&str>) -> Result<DecodingKey, OidcError> {
    let x = jwk_bytes(index, "x", x)?;
    let y = jwk_bytes(index, "y", y)?;
    if x.len() != P256_COORD_LEN || y.len() != P256_COORD_LEN {
        return Err(jwks_error(
            index,
            "has P-256 coordinates of the wrong length",
        ));
    }
    // jsonwebtoken's aws-lc verifier takes the SEC1 uncompressed point.
    let mut point = Vec::with_capacity(1 + 2 * P256_COORD_LEN);
    point.push(0x04);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    aws_lc_rs::signature::ParsedPublicKey::new(
        &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED,
        &point,
    )
    .map_err(|_| jwks_error(index, "is not a valid P-256 public key"))?;
    Ok(DecodingKey::from_ec_der(&point))
}

// ---------------------------------------------------------------------------
// Test kit
// ---------------------------------------------------------------------------

/// Mints keys, JWKS documents and tokens for tests, including the service's
/// integration tests. Keys are generated fresh each time, so no private key
/// is ever checked in. Not meant for production use: it panics on failure.
#[doc(hidden)]
pub mod testkit {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize, PublicKeyComponents};
    use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use base64::Engine;
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    use serde_json::{json, Value};

    /// A signing key pair standing in for the eID broker.
    #[derive(Debug, Clone)]
    pub struct TestIssuer {
        kid: String,
        alg: Algorithm,
        encoding_key: EncodingKey,
        jwk: Value,
        public_key_der: Vec<u8>,
    }

    impl TestIssuer {
        /// A fresh RSA-2048 issuer signing RS256 under `kid`.
        pub fn rsa(kid: &str) -> Self {
            let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("generate RSA key");
            let pkcs8 = pair.as_der().expect("export RSA key as PKCS#8");
            // jsonwebtoken's `EncodingKey::from_rsa_der` wants PKCS#1 while
            // aws-lc-rs only exports PKCS#8, so unwrap the inner key.
            let pkcs1 = pkcs8_private_key(pkcs8.as_ref()).expect("PKCS#8 wraps the RSA key");
            let public = pair.public_key();
            let components = PublicKeyComponents::<Vec<u8>>::from(public);
            let jwk = json!({
                "kty": "RSA",
                "use": "sig",
                "alg": "RS256",
                "kid": kid,
                "n": URL_SAFE_NO_PAD.encode(&components.n),
                "e": URL_SAFE_NO_PAD.encode(&components.e),
            });
            Self {
                kid: kid.to_owned(),
                alg: Algorithm::RS256,
                encoding_key: EncodingKey::from_rsa_der(pkcs1),
                jwk,
                public_key_der: public
                    .as_der()
                    .expect("export RSA public key")
                    .as_ref()
                    .to_vec(),
            }
        }

        /// A fresh P-256 issuer signing ES256 under `kid`.
        pub fn ec(kid: &str) -> Self {
            let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
                .expect("generate P-256 key");
            let pkcs8 = pair.to_pkcs8v1().expect("export P-256 key as PKCS#8");
            let public = pair.public_key();
            // The uncompressed SEC1 point: 0x04 || x || y.
            let point = public.as_ref();
            let (x, y) = point[1..].split_at(32);
            let jwk = json!({
                "kty": "EC",
                "crv": "P-256",
                "use": "sig",
                "alg": "ES256",
                "kid": kid,
                "x": URL_SAFE_NO_PAD.encode(x),
                "y": URL_SAFE_NO_PAD.encode(y),
            });
            Self {
                kid: kid.to_owned(),
                alg: Algorithm::ES256,
                // jsonwebtoken's `from_ec_der` does want PKCS#8.
                encoding_key: EncodingKey::from_ec_der(pkcs8.as_ref()),
                jwk,
                public_key_der: public
                    .as_der()
                    .expect("export P-256 public key")
                    .as_ref()
                    .to_vec(),
            }
        }

        /// The key id put in the header of tokens from [`TestIssuer::sign`].
        pub fn kid(&self) -> &str {
            &self.kid
        }

        /// This issuer's public key as one JWK.
        pub fn jwk(&self) -> Value {
            self.jwk.clone()
        }

        /// A JWKS document holding just this issuer's public key.
        pub fn jwks_json(&self) -> String {
            jwks_json_of(&[self])
        }

        /// A signed token with `kid` in its header.
        pub fn sign(&self, claims: &Value) -> String {
            self.sign_with_kid(claims, Some(&self.kid))
        }

        /// A signed token with the given `kid` (or none) in its header.
        pub fn sign_with_kid(&self, claims: &Value, kid: Option<&str>) -> String {
            let mut header = Header::new(self.alg);
            header.kid = kid.map(str::to_owned);
            jsonwebtoken::encode(&header, claims, &self.encoding_key).expect("sign test token")
        }

        /// The public key as X.509 SubjectPublicKeyInfo DER: the bytes an
        /// attacker would feed to HMAC in a key-confusion attack.
        pub fn public_key_der(&self) -> Vec<u8> {
            self.public_key_der.clone()
        }

        /// The public key as a PEM `PUBLIC KEY` text, the other classic
        /// key-confusion secret.
        pub fn public_key_pem(&self) -> String {
            let body = STANDARD.encode(&self.public_key_der);
            let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
            for line in body.as_bytes().chunks(64) {
                pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
                pem.push('\n');
            }
            pem.push_str("-----END PUBLIC KEY-----\n");
            pem
        }
    }

    /// A JWKS document holding the public keys of all `issuers`.
    pub fn jwks_json_of(issuers: &[&TestIssuer]) -> String {
        let keys: Vec<Value> = issuers.iter().map(|i| i.jwk()).collect();
        json!({ "keys": keys }).to_string()
    }

    /// An unsecured token (`alg: none`, empty signature).
    pub fn unsigned_token(claims: &Value, kid: Option<&str>) -> String {
        let mut header = json!({ "alg": "none", "typ": "JWT" });
        if let Some(kid) = kid {
            header["kid"] = json!(kid);
        }
        format!("{}.{}.", encode_part(&header), encode_part(claims))
    }

    /// A token MACed with HS256 under `secret`.
    pub fn hs256_token(claims: &Value, secret: &[u8], kid: Option<&str>) -> String {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret))
            .expect("MAC test token")
    }

    /// Base64url of a JSON value, as a JWS header or payload.
    pub fn encode_part(value: &Value) -> String {
        URL_SAFE_NO_PAD.encode(value.to_string())
    }

    /// Returns the `privateKey` OCTET STRING content of a PKCS#8 v1
    /// `PrivateKeyInfo` (RFC 5208): SEQUENCE { INTEGER, SEQUENCE, OCTET STRING, ... }.
    fn pkcs8_private_key(der: &[u8]) -> Option<&[u8]> {
        let (tag, info, _) = der_element(der)?;
        if tag != 0x30 {
            return None;
        }
        let (tag, _version, rest) = der_element(info)?;
        if tag != 0x02 {
            return None;
        }
        let (tag, _algorithm, rest) = der_element(rest)?;
        if tag != 0x30 {
            return None;
        }
        let (tag, key, _) = der_element(rest)?;
        (tag == 0x04).then_some(key)
    }

    /// Splits one DER element off `input`: (tag, content, rest).
    fn der_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 || rest.len() < count {
                return None;
            }
            let (len_bytes, after) = rest.split_at(count);
            rest = after;
            len_bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
        };
        (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::{self, TestIssuer};
    use super::*;
    use serde_json::json;
    use std::sync::OnceLock;

    const NOW: i64 = 1_750_000_000;
    const ISSUER: &str = "https://eid-broker.example.fi";
    const AUDIENCE: &str = "rightsdesk-client";
    /// A lower-case identity code with padding, to see it normalised.
    const RAW_CODE: &str = " 131052-308t ";
    const CODE: &str = "131052-308T";

    /// RSA key generation is slow-ish, so the tests share their issuers.
    fn rsa_issuer() -> &'static TestIssuer {
        static ISSUER: OnceLock<TestIssuer> = OnceLock::new();
        ISSUER.get_or_init(|| TestIssuer::rsa("rsa-1"))
    }

    fn ec_issuer() -> &'static TestIssuer {
        static ISSUER: OnceLock<TestIssuer> = OnceLock::new();
        ISSUER.get_or_init(|| TestIssuer::ec("ec-1"))
    }

    fn settings() -> OidcSettings {
        OidcSettings {
            issuer: ISSUER.to_owned(),
            audience: AUDIENCE.to_owned(),
            identity_claim: default_identity_claim(),
            jwks: "/etc/rightsdesk/jwks.json".to_owned(),
            authorization_endpoint: None,
            accepted_acr: Vec::new(),
        }
    }

    fn verifier_for(issuers: &[&TestIssuer]) -> OidcVerifier {
        OidcVerifier::new(&settings(), &testkit::jwks_json_of(issuers)).expect("verifier")
    }

    /// A verifier that trusts both the RSA and the EC test issuer.
    fn verifier() -> OidcVerifier {
        verifier_for(&[rsa_issuer(), ec_issuer()])
    }

    fn claims() -> Value {
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

    fn with(mut claims: Value, name: &str, value: Value) -> Value {
        claims[name] = value;
        claims
    }

    fn without(mut claims: Value, name: &str) -> Value {
        claims.as_object_mut().unwrap().remove(name);
        claims
    }

    fn refuse(token: &str) -> OidcError {
        verifier()
            .verify(token, NOW)
            .expect_err("token must be refused")
    }

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

    // --- settings and JWKS -------------------------------------------------

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

    fn jwks_err(jwks: &Value) -> String {
        match OidcVerifier::new(&settings(), &jwks.to_string()) {
            Err(OidcError::InvalidJwks(reason)) => reason,
            other => panic!("expected InvalidJwks, got {other:?}"),
        }
    }

    #[test]
    fn invalid_jwks_documents_are_refused() {
        assert!(matches!(
            OidcVerifier::new(&settings(), "not json"),
            Err(OidcError::InvalidJwks(_))
        ));
        jwks_err(&json!({}));
        jwks_err(&json!({ "keys": {} }));
        jwks_err(&json!({ "keys": [] }));
        jwks_err(&json!({ "keys": ["RSA"] }));
        let rsa = rsa_issuer().jwk();
        jwks_err(&json!({ "keys": [with(rsa.clone(), "n", json!("not base64!"))] }));
        jwks_err(&json!({ "keys": [without(rsa.clone(), "e")] }));
        jwks_err(&json!({ "keys": [without(rsa.clone(), "kty")] }));
        jwks_err(&json!({ "keys": [with(rsa.clone(), "kid", json!(7))] }));
        // A 1024-bit modulus is too weak.
        let short_n = URL_SAFE_NO_PAD.encode([0xc5u8; 128]);
        let reason = jwks_err(&json!({ "keys": [with(rsa.clone(), "n", json!(short_n))] }));
        assert!(reason.contains("1024-bit"), "{reason}");
        // A point that is not on the curve.
        let ec = ec_issuer().jwk();
        let off_curve = URL_SAFE_NO_PAD.encode([1u8; 32]);
        jwks_err(&json!({ "keys": [with(ec.clone(), "y", json!(off_curve))] }));
        jwks_err(&json!({ "keys": [with(ec.clone(), "x", json!("AAAA"))] }));
        // Duplicate kids.
        jwks_err(&json!({ "keys": [rsa.clone(), rsa] }));
    }

    #[test]
    fn unusable_jwks_keys_are_skipped() {
        let rsa = rsa_issuer().jwk();
        let ec = ec_issuer().jwk();
        let skipped = [
            with(rsa.clone(), "use", json!("enc")),
            with(rsa.clone(), "alg", json!("RS384")),
            with(rsa.clone(), "key_ops", json!(["encrypt"])),
            with(ec.clone(), "crv", json!("P-384")),
            with(ec.clone(), "alg", json!("RS256")),
            json!({ "kty": "oct", "k": "c2VjcmV0", "kid": "rsa-1" }),
            json!({ "kty": "OKP", "crv": "Ed25519", "x": "AAAA" }),
        ];
        for key in &skipped {
            let reason = jwks_err(&json!({ "keys": [key] }));
            assert!(reason.contains("no usable"), "{reason}");
        }
        // Next to a usable key they do no harm, and do not make it ambiguous.
        let mut keys = skipped.to_vec();
        keys.push(rsa);
        let verifier =
            OidcVerifier::new(&settings(), &json!({ "keys": keys }).to_string()).unwrap();
        let token = rsa_issuer().sign_with_kid(&claims(), None);
        assert!(verifier.verify(&token, NOW).is_ok());
    }

    #[test]
    fn jwks_key_without_use_alg_or_kid_is_usable() {
        let mut jwk = rsa_issuer().jwk();
        for name in ["use", "alg", "kid"] {
            jwk = without(jwk, name);
        }
        let verifier =
            OidcVerifier::new(&settings(), &json!({ "keys": [jwk] }).to_string()).unwrap();
        assert!(verifier
            .verify(&rsa_issuer().sign_with_kid(&claims(), None), NOW)
            .is_ok());
        // A token naming a kid cannot match a key without one.
        assert_eq!(
            verifier.verify(&rsa_issuer().sign(&claims()), NOW),
            Err(OidcError::UnknownKey)
        );
    }
}
