//! Bearer-token extractors.

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest};

use super::error::AppError;
use crate::services::{auth, blocking, Context, Principal, ServiceError};

/// A signed-in staff member, DPO or admin whose account is still active.
pub struct Auth(pub Principal);

fn bearer(req: &HttpRequest) -> Option<Result<String, ServiceError>> {
    let header = req.headers().get(actix_web::http::header::AUTHORIZATION)?;
    let token = header
        .to_str()
        .ok()
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    Some(token.ok_or(ServiceError::Unauthorized))
}

async fn verify(req: HttpRequest, token: String) -> Result<Principal, AppError> {
    let ctx = req
        .app_data::<web::Data<Context>>()
        .cloned()
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("context missing")))?;
    let principal = ctx.tokens.verify(&token)?;
    let p = principal.clone();
    blocking(move || {
        let mut conn = ctx.conn()?;
        auth::check_active(&mut conn, &p)
    })
    .await?;
    Ok(principal)
}

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
                Some(Err(e)) => return Err(e.into()),
                Some(Ok(token)) => token,
            };
            let ctx = req
                .app_data::<web::Data<Context>>()
                .cloned()
                .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("context missing")))?;
            // Staff tokens are ours (HS256); anything else can only be an ID token.
            if ctx.tokens.verify(&token).is_ok() {
                return verify(req, token).await.map(Submitter::Staff);
            }
            Ok(Submitter::IdToken(token))
        })
    }
}

impl FromRequest for Auth {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Auth, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match bearer(&req) {
                None => Err(ServiceError::Unauthorized.into()),
                Some(Err(e)) => Err(e.into()),
                Some(Ok(token)) => verify(req, token).await.map(Auth),
            }
        })
    }
}
