//! The issuer's JSON Web Key Set (RFC 7517): which keys may verify ID tokens, checked
//! when the set is loaded so that a broken key fails there and not at every login.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::{Map, Value};

use super::OidcError;

/// RSA modulus sizes accepted in a JWKS. The lower bound matches what the
/// aws-lc verifier (`RSA_PKCS1_2048_8192_SHA256`) accepts, so a too-weak key is
/// reported when the JWKS is loaded instead of failing every login later.
const RSA_MIN_BITS: usize = 2048;
const RSA_MAX_BITS: usize = 8192;

/// Length of one P-256 coordinate in bytes.
const P256_COORD_LEN: usize = 32;

/// One usable verification key from the issuer's JWKS.
#[derive(Debug, Clone)]
pub(super) struct VerificationKey {
    pub(super) kid: Option<String>,
    /// The only algorithm this key may verify; fixed by its key type.
    pub(super) alg: Algorithm,
    pub(super) key: DecodingKey,
}

/// Parses the JWKS (RFC 7517) into the keys usable for RS256 and ES256.
pub(super) fn parse_jwks(jwks_json: &str) -> Result<Vec<VerificationKey>, OidcError> {
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

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{OidcError, OidcVerifier};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use serde_json::{json, Value};

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
