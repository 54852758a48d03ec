//! The API's callers: signed-in users (`Auth`) and submitters.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest};

use super::error::AppError;
use crate::edge::session::{bearer, context, verify, Session};
use crate::services::Principal;

/// A signed-in staff member, DPO or admin whose account is still active; refusals are
/// problem documents.
pub type Auth = Session<AppError>;

/// Who sent a submission: staff with their access token, a requester with an ID token
/// from the organisation's identity provider, or nobody in particular.
pub enum Submitter {
    Staff(Principal),
    IdToken(String),
    Anonymous,
}

impl FromRequest for Submitter {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Submitter, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let token = match bearer(&req) {
                None => return Ok(Submitter::Anonymous),
                Some(found) => found?,
            };
            let ctx = context(&req)?;
            // Staff tokens are ours (HS256); anything else can only be an ID token.
            if ctx.tokens.verify(&token).is_ok() {
                return Ok(Submitter::Staff(verify(ctx, &token).await?));
            }
            Ok(Submitter::IdToken(token))
        })
    }
}
