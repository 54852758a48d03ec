//! The keyed hash under which a subject's events are stored: the identity code itself
//! is never stored with an event.

use crate::domain::access_log::RawEvent;

/// The keyed hash under which a subject's events are stored and found.
pub struct SubjectKeyer(aws_lc_rs::hmac::Key);

impl SubjectKeyer {
    pub fn new(secret: &[u8]) -> SubjectKeyer {
        SubjectKeyer(aws_lc_rs::hmac::Key::new(
            aws_lc_rs::hmac::HMAC_SHA256,
            secret,
        ))
    }

    /// 16 bytes of HMAC-SHA256 over the normalised (upper-case) identity code.
    pub fn key(&self, identity_code: &str) -> Vec<u8> {
        let tag = aws_lc_rs::hmac::sign(&self.0, identity_code.trim().to_uppercase().as_bytes());
        tag.as_ref()[..16].to_vec()
    }

    /// The same key as hex text, as the desk's search index keeps it beside each request.
    pub fn key_hex(&self, identity_code: &str) -> String {
        hex::encode(self.key(identity_code))
    }
}

/// An event with its subject key; the identity code itself goes no further.
pub struct KeyedEvent {
    pub event: RawEvent,
    pub subject_key: Vec<u8>,
}

pub fn keyed(keyer: &SubjectKeyer, mut event: RawEvent) -> KeyedEvent {
    let subject_key = keyer.key(&event.subject_id);
    event.subject_id.clear();
    KeyedEvent { event, subject_key }
}
