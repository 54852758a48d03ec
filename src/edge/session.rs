//! Who is calling: a staff member, DPO or admin with an access token, sent as a bearer
//! header (the API) or kept in the session cookie (the DPO pages). One check for both, so
//! a deactivated account is shut out of both at once. Roles are the handlers' business.
//!
//! The cookie is HttpOnly, SameSite=Strict and scoped to `/dpo`, so a browser never sends
//! it to the API on anyone's behalf.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpRequest, ResponseError};

use crate::services::{auth, blocking, Context, Principal, ServiceError};

/// The session cookie of the DPO pages: the same JWT the API issues.
pub const COOKIE: &str = "rd_session";

/// The token of an `Authorization` value in the Bearer scheme, whose name is
/// case-insensitive (RFC 7235 § 2.1); None for another scheme or no token.
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The bearer token of `req`: None without an `Authorization` header, `Unauthorized` when
/// the header holds no bearer token.
pub fn bearer(req: &HttpRequest) -> Option<Result<String, ServiceError>> {
    let value = req.headers().get(header::AUTHORIZATION)?;
    Some(
        value
            .to_str()
            .ok()
            .and_then(bearer_token)
            .map(str::to_string)
            .ok_or(ServiceError::Unauthorized),
    )
}

/// The service context, from the app data.
pub fn context(req: &HttpRequest) -> Result<web::Data<Context>, ServiceError> {
    req.app_data::<web::Data<Context>>()
        .cloned()
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("context missing")))
}

/// The caller of a valid access token whose account is still active, with the role the
/// account holds now (not the one the token was issued with).
pub async fn verify(ctx: web::Data<Context>, token: &str) -> Result<Principal, ServiceError> {
    let claimed = ctx.tokens.verify(token)?;
    blocking(move || {
        let mut conn = ctx.conn()?;
        auth::current_principal(&mut conn, &claimed)
    })
    .await
}

/// A signed-in user of any role, from the bearer header or, without one, the session
/// cookie. `E` is how the surface answers a missing or invalid session.
pub struct Session<E = Rejected>(pub Principal, PhantomData<fn() -> E>);

impl<E> Session<E> {
    pub fn new(principal: Principal) -> Self {
        Session(principal, PhantomData)
    }
}

impl<E> FromRequest for Session<E>
where
    E: From<ServiceError> + Into<actix_web::Error> + 'static,
{
    type Error = E;
    type Future = Pin<Box<dyn Future<Output = Result<Self, E>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let token = match bearer(&req) {
                Some(found) => found?,
                None => req
                    .cookie(COOKIE)
                    .map(|c| c.value().to_string())
                    .ok_or(ServiceError::Unauthorized)?,
            };
            Ok(Session::new(verify(context(&req)?, &token).await?))
        })
    }
}

/// A bare status for a refused session, for surfaces that render their own answer
/// (`Option<Session>` on a page).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Rejected(#[from] pub ServiceError);

impl ResponseError for Rejected {
    fn status_code(&self) -> StatusCode {
        match self.0 {
            ServiceError::Unauthorized | ServiceError::BadCredentials => StatusCode::UNAUTHORIZED,
            ServiceError::Forbidden => StatusCode::FORBIDDEN,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        for value in ["Bearer abc", "bearer abc", "BEARER abc", "bEaReR  abc "] {
            assert_eq!(bearer_token(value), Some("abc"), "{value}");
        }
    }

    #[test]
    fn other_schemes_and_empty_tokens_are_not_bearer_tokens() {
        for value in [
            "Basic abc",
            "Bearer",
            "Bearer ",
            "Bearerabc",
            "Token abc",
            "",
        ] {
            assert_eq!(bearer_token(value), None, "{value}");
        }
    }

    #[test]
    fn a_header_without_a_bearer_token_is_refused_and_none_is_absent() {
        let req = TestRequest::default().to_http_request();
        assert!(bearer(&req).is_none());
        let req = TestRequest::default()
            .insert_header((header::AUTHORIZATION, "Basic dXNlcjpwdw=="))
            .to_http_request();
        assert!(matches!(
            bearer(&req),
            Some(Err(ServiceError::Unauthorized))
        ));
        let req = TestRequest::default()
            .insert_header((header::AUTHORIZATION, "bearer t0ken"))
            .to_http_request();
        assert_eq!(bearer(&req).unwrap().unwrap(), "t0ken");
    }
}
