//! Ed25519 keys (aws-lc-rs) for signing manifests.

use anyhow::anyhow;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use sha2::{Digest, Sha256};

/// Value of `algorithm` in `manifest.sig`.
pub const ALGORITHM: &str = "Ed25519";

pub struct SigningKey {
    pair: Ed25519KeyPair,
}

impl SigningKey {
    /// A fresh key, and its PKCS#8 v2 DER for the caller to store (it is the
    /// private key: keep it secret).
    pub fn generate() -> anyhow::Result<(Self, Vec<u8>)> {
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| anyhow!("could not generate an Ed25519 key"))?;
        let der = doc.as_ref().to_vec();
        Ok((Self::from_pkcs8(&der)?, der))
    }

    /// Loads a PKCS#8 DER Ed25519 private key. The lenient parser also takes
    /// v1 files (what `openssl genpkey -algorithm ED25519` writes); a v2 file's
    /// public key is still checked against its private key.
    pub fn from_pkcs8(der: &[u8]) -> anyhow::Result<Self> {
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
            .map_err(|e| anyhow!("not a PKCS#8 Ed25519 private key: {e}"))?;
        Ok(Self { pair })
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.pair
            .public_key()
            .as_ref()
            .try_into()
            .expect("Ed25519 public keys are 32 bytes")
    }

    pub fn key_id(&self) -> String {
        key_id_of(&self.public_key())
    }

    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        self.pair.sign(msg).as_ref().to_vec()
    }
}

// Never print key material, only which key it is.
impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

/// Short, stable name of a public key: the first 16 hex digits of its SHA-256.
pub fn key_id_of(public_key: &[u8]) -> String {
    let mut id = hex::encode(Sha256::digest(public_key));
    id.truncate(16);
    id
}

pub(crate) fn signature_is_valid(public_key: &[u8], msg: &[u8], signature: &[u8]) -> bool {
    UnparsedPublicKey::new(&ED25519, public_key)
        .verify(msg, signature)
        .is_ok()
}
