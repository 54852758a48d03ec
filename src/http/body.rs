//! Request bodies that may be left out.

use std::future::{ready, Future};
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

/// A JSON body that may be left out. No body at all (neither `Content-Length` nor
/// `Transfer-Encoding`, or a length of 0) or a JSON `null` reads as `T::default()` (the
/// OpenAPI document says `oneOf: [T, null]`, not required); a body that is sent must be JSON
/// of the right shape, or the request is refused with the problem document every JSON body
/// gets (415 for another content type, 413, 400 naming what is wrong).
///
/// `Option<web::Json<T>>` is not the same: it reads a body it cannot parse (a typo in a field
/// name, `"false"` as a string, a trailing comma) as no body, and the defaults then apply.
pub struct OptionalJson<T>(pub T);

impl<T> OptionalJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// Whether the request carries no body at all (HTTP/1.1: RFC 9112 § 6.3).
fn without_body(req: &HttpRequest) -> bool {
    let headers = req.headers();
    match headers.get(header::CONTENT_LENGTH) {
        Some(length) => length.to_str().is_ok_and(|l| l.trim() == "0"),
        None => !headers.contains_key(header::TRANSFER_ENCODING),
    }
}

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if without_body(req) {
            return Box::pin(ready(Ok(OptionalJson(T::default()))));
        }
        let json = web::Json::<Option<T>>::from_request(req, payload);
        Box::pin(async move { Ok(OptionalJson(json.await?.into_inner().unwrap_or_default())) })
    }
}
