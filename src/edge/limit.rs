//! Per-address limits at the public doors. A slot of the allowance is taken before the work,
//! in one step with the check, so attempts made at once cannot all pass it; when the
//! attempt turns out not to be what the limit is about (a submission refused as invalid, a
//! right guess at a status token), the slot is given back. Only a submission received and a
//! wrong guess use up the allowance.

use std::time::Instant;

use actix_web::HttpRequest;

use super::client::client_addr;
use crate::ratelimit::{ClientKey, RateLimiter, RetryAfter, Slot};
use crate::services::Context;

/// Which limit a door is under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    Submissions,
    TokenGuesses,
    /// Failed sign-ins; a successful one gives its slot back.
    Logins,
}

/// One attempt at a limited door, holding its slot: `keep` when the attempt counts; dropped
/// without it, the slot is given back.
#[must_use = "an attempt that should count must be kept"]
pub struct LimitGuard<'a> {
    limiter: &'a RateLimiter,
    slot: Option<Slot<ClientKey>>,
}

impl<'a> LimitGuard<'a> {
    /// Takes a slot of the client's allowance, or refuses when it is used up.
    pub fn reserve(ctx: &'a Context, req: &HttpRequest, door: Door) -> Result<Self, RetryAfter> {
        let limiter = match door {
            Door::Submissions => &ctx.limits.submissions,
            Door::TokenGuesses => &ctx.limits.token_guesses,
            Door::Logins => &ctx.limits.logins,
        };
        let slot = limiter.reserve(client_addr(ctx, req), Instant::now())?;
        Ok(LimitGuard {
            limiter,
            slot: Some(slot),
        })
    }

    /// This attempt counts against the client: the slot stays taken.
    pub fn keep(mut self) {
        self.slot = None;
    }
}

impl Drop for LimitGuard<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.limiter.release(slot);
        }
    }
}
