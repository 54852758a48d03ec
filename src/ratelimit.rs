//! Per-address rate limits for the public doors: submissions and status-code guesses.
//! Fixed windows in memory: enough to stop a script, cheap, and forgotten on restart
//! (a restart costs an attacker nothing they could not get by waiting).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::Settings;

/// Above this many tracked addresses, expired windows are swept on the next hit.
const SWEEP_ABOVE: usize = 10_000;

pub struct RateLimiter {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// Refused: try again after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

impl RetryAfter {
    /// Whole minutes, rounded up, for people.
    pub fn minutes(self) -> u64 {
        self.0.div_ceil(60).max(1)
    }
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            limit,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one hit and refuses it when the address has used up its window.
    pub fn hit(&self, addr: IpAddr, now: Instant) -> Result<(), RetryAfter> {
        self.check(addr, now)?;
        self.record(addr, now);
        Ok(())
    }

    /// Refuses when the address has used up its window, without counting.
    pub fn check(&self, addr: IpAddr, now: Instant) -> Result<(), RetryAfter> {
        let windows = self.windows.lock().expect("rate-limit lock");
        match windows.get(&addr) {
            Some(&(start, count)) if now < start + self.window && count >= self.limit => {
                Err(RetryAfter((start + self.window - now).as_secs().max(1)))
            }
            _ => Ok(()),
        }
    }

    /// Counts one hit (a failed guess, say) against the address.
    pub fn record(&self, addr: IpAddr, now: Instant) {
        let mut windows = self.windows.lock().expect("rate-limit lock");
        if windows.len() > SWEEP_ABOVE {
            let window = self.window;
            windows.retain(|_, (start, _)| now < *start + window);
        }
        let entry = windows.entry(addr).or_insert((now, 0));
        if now >= entry.0 + self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}

/// The service's two limits.
pub struct Limits {
    pub submissions: RateLimiter,
    pub token_guesses: RateLimiter,
    /// Proxies whose `X-Forwarded-For` is believed (see `edge::client`).
    pub trusted_proxies: Vec<IpAddr>,
}

impl Limits {
    pub fn from_settings(s: &Settings) -> Limits {
        let window = Duration::from_secs(u64::from(s.web.rate_limit_window_minutes) * 60);
        Limits {
            submissions: RateLimiter::new(s.web.submit_limit, window),
            token_guesses: RateLimiter::new(s.web.token_guess_limit, window),
            trusted_proxies: s.web.trusted_proxies.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn refuses_after_the_limit_until_the_window_ends() {
        let rl = RateLimiter::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        let a = ip("192.0.2.1");
        for _ in 0..3 {
            assert!(rl.hit(a, t0).is_ok());
        }
        let refused = rl.hit(a, t0 + Duration::from_secs(20)).unwrap_err();
        assert_eq!(refused, RetryAfter(40));
        assert_eq!(refused.minutes(), 1);
        assert!(
            rl.hit(ip("192.0.2.2"), t0).is_ok(),
            "other addresses unaffected"
        );
        assert!(
            rl.hit(a, t0 + Duration::from_secs(60)).is_ok(),
            "new window"
        );
    }

    #[test]
    fn check_does_not_count_and_record_does() {
        let rl = RateLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        let a = ip("2001:db8::1");
        for _ in 0..10 {
            assert!(rl.check(a, t0).is_ok());
        }
        rl.record(a, t0);
        rl.record(a, t0);
        assert!(rl.check(a, t0).is_err());
    }

    #[test]
    fn sweeps_expired_windows() {
        let rl = RateLimiter::new(1, Duration::from_secs(1));
        let t0 = Instant::now();
        for i in 0..=SWEEP_ABOVE as u32 {
            rl.record(IpAddr::from(i.to_be_bytes()), t0);
        }
        rl.record(ip("192.0.2.9"), t0 + Duration::from_secs(5));
        assert_eq!(rl.windows.lock().unwrap().len(), 1);
    }
}
