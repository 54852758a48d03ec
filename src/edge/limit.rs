//! Per-address limits at the public doors. The allowance is checked before the work and
//! used up after it, so only what the limit is about counts: a submission received, a
//! wrong guess at a status token.

use std::time::Instant;

use actix_web::HttpRequest;

use super::client::client_addr;
use crate::ratelimit::{RateLimiter, RetryAfter};
use crate::services::Context;

/// Which limit a door is under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    Submissions,
    TokenGuesses,
}

/// One attempt at a limited door, let through by `check`; `record` counts it.
#[must_use = "an attempt that should count must be recorded"]
pub struct LimitGuard<'a> {
    limiter: &'a RateLimiter,
    addr: std::net::IpAddr,
}

impl<'a> LimitGuard<'a> {
    /// Refuses when the client's address has used up its window; counts nothing yet.
    pub fn check(ctx: &'a Context, req: &HttpRequest, door: Door) -> Result<Self, RetryAfter> {
        let limiter = match door {
            Door::Submissions => &ctx.limits.submissions,
            Door::TokenGuesses => &ctx.limits.token_guesses,
        };
        let addr = client_addr(ctx, req);
        limiter.check(addr, Instant::now())?;
        Ok(LimitGuard { limiter, addr })
    }

    /// Counts this attempt against the address.
    pub fn record(self) {
        self.limiter.record(self.addr, Instant::now());
    }
}
