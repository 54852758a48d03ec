//! A requester opens their request with its reference and the status token given at
//! submission. Every look-up is a guess as far as the door knows: wrong ones count against
//! the address, so tokens cannot be found by trying, whichever surface is asked.

use actix_web::{web, HttpRequest};

use super::limit::{Door, LimitGuard};
use crate::ratelimit::RetryAfter;
use crate::services::{blocking, Context, ServiceError};

/// The header the API takes the status token in.
pub const HEADER: &str = "X-Status-Token";

/// The status token sent in [`HEADER`]; empty when absent, which never matches.
pub fn from_header(req: &HttpRequest) -> String {
    req.headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Runs `look_up` (which checks reference and token) under the guess limit: refused while
/// the address has guessed wrong too often, and a wrong guess (not found) counts. The guess
/// holds its slot while it is looked up, so guesses sent at once cannot all pass the limit.
pub async fn guarded<T: Send + 'static>(
    ctx: &web::Data<Context>,
    req: &HttpRequest,
    look_up: impl FnOnce(&Context) -> Result<T, ServiceError> + Send + 'static,
) -> Result<Result<T, ServiceError>, RetryAfter> {
    let guard = LimitGuard::reserve(ctx, req, Door::TokenGuesses)?;
    let c = ctx.clone();
    let found = blocking(move || look_up(&c)).await;
    if matches!(found, Err(ServiceError::NotFound(_))) {
        guard.keep();
    }
    Ok(found)
}
