//! Signing in.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Auth;
use super::error::{too_many_requests, AppError, Problem};
use crate::edge::limit::{Door, LimitGuard};
use crate::services::{admin, auth, blocking, Context, ServiceError};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenOutput {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
}

/// Wrong credentials and throttled attempts answer alike.
#[utoipa::path(tag = "auth", request_body = TokenInput, responses(
    (status = 200, body = TokenOutput, description = "A bearer token"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "Malformed body"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Wrong e-mail or password, or too many attempts"),
    (status = 429, body = Problem, content_type = "application/problem+json", description = "Too many failed sign-ins from this address; see Retry-After"),
))]
#[post("/auth/token")]
pub async fn token(
    ctx: web::Data<Context>,
    req: HttpRequest,
    body: web::Json<TokenInput>,
) -> Result<HttpResponse, AppError> {
    let TokenInput { email, password } = body.into_inner();
    let attempt = match LimitGuard::reserve(&ctx, &req, Door::Logins) {
        Ok(attempt) => attempt,
        Err(retry) => return Ok(too_many_requests(retry)),
    };
    let c = ctx.clone();
    let issued = match blocking(move || auth::login(&c, &email, &password)).await {
        Ok(issued) => issued,
        Err(e) => {
            // Only a failed sign-in counts against the address.
            if matches!(e, ServiceError::BadCredentials) {
                attempt.keep();
            }
            return Err(e.into());
        }
    };
    Ok(HttpResponse::Ok().json(TokenOutput {
        access_token: issued.access_token,
        token_type: "Bearer",
        expires_in: issued.expires_in,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordInput {
    pub current_password: String,
    /// At least 12 characters.
    pub new_password: String,
}

/// Changes the signed-in user's own password.
#[utoipa::path(tag = "auth", request_body = PasswordInput, security(("bearer" = [])), responses(
    (status = 204, description = "Changed"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "Malformed body"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Wrong current password or too short a new one"),
))]
#[post("/auth/password")]
pub async fn change_password(
    ctx: web::Data<Context>,
    auth: Auth,
    body: web::Json<PasswordInput>,
) -> Result<HttpResponse, AppError> {
    let PasswordInput {
        current_password,
        new_password,
    } = body.into_inner();
    blocking(move || {
        let mut conn = ctx.conn()?;
        admin::change_password(&mut conn, &auth.0, &current_password, &new_password)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
