//! Mints keys, JWKS documents and tokens for tests, including the service's
//! integration tests. Keys are generated fresh each time, so no private key
//! is ever checked in. Not meant for production use: it panics on failure.
//!
//! Compiled only for this crate's unit tests and with the `testkit` feature, which the
//! integration tests turn on (Cargo.toml, `[dev-dependencies]`); release builds do not have it.

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
        let pair =
            EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("generate P-256 key");
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
