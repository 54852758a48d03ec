//! Per-address rate limits for the public doors: submissions and status-code guesses.
//! Fixed windows in memory: enough to stop a script, cheap, and forgotten on restart
//! (a restart costs an attacker nothing they could not get by waiting).
//!
//! A client is counted by network, not by address: an IPv4 address, or the /64 of an IPv6
//! address (one subscriber's allocation: its 2^64 addresses would each be a fresh
//! allowance). The table of windows is bounded: ended windows leave it from the front of a
//! queue kept in start order (each once, never by a sweep of the table), and when it is full
//! the oldest window is forgotten to make room.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::config::Settings;

/// Most clients a limiter keeps windows for; beyond it the oldest window is forgotten. A
/// window takes about 80 bytes, so a full table about 5 MB.
pub const MAX_TRACKED: usize = 65_536;

/// What a client address counts as: the IPv4 address (an IPv4-mapped IPv6 address counts
/// as the IPv4 address it maps), or the IPv6 /64 it lies in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    V4(Ipv4Addr),
    /// The upper 64 bits of the address.
    V6Net(u64),
}

impl ClientKey {
    pub fn of(addr: IpAddr) -> ClientKey {
        match addr.to_canonical() {
            IpAddr::V4(v4) => ClientKey::V4(v4),
            IpAddr::V6(v6) => ClientKey::V6Net((u128::from(v6) >> 64) as u64),
        }
    }
}

/// One key's fixed window: when it started and what it has counted.
#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    count: u32,
}

/// The windows of the keys seen lately, at most `capacity` of them.
struct Windows<K> {
    by_key: HashMap<K, Window>,
    /// Keys in the order their windows started. An entry whose key has since started a new
    /// window (or was forgotten) no longer matches `by_key` and is skipped.
    order: VecDeque<(K, Instant)>,
}

impl<K: Copy + Eq + Hash> Windows<K> {
    fn new() -> Windows<K> {
        Windows {
            by_key: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_key.len()
    }

    /// Takes the front entry off the queue, and its window out of the table when the entry
    /// is still that window's; true when a window left.
    fn pop_front(&mut self) -> bool {
        let Some((key, start)) = self.order.pop_front() else {
            return false;
        };
        let current = self.by_key.get(&key).is_some_and(|w| w.start == start);
        if current {
            self.by_key.remove(&key);
        }
        current
    }

    /// Drops the windows that have ended, oldest first, and stops at the first that still
    /// runs: each window leaves once, so a hit costs O(1) on average.
    fn expire(&mut self, now: Instant, length: Duration) {
        while let Some(&(key, start)) = self.order.front() {
            let current = self.by_key.get(&key).is_some_and(|w| w.start == start);
            if current && now < start + length {
                break;
            }
            self.pop_front();
        }
    }

    /// The window of `key` if it still runs.
    fn running(&self, key: &K, now: Instant, length: Duration) -> Option<Window> {
        self.by_key
            .get(key)
            .copied()
            .filter(|w| now < w.start + length)
    }

    /// The running window of `key`, started now if none runs; a new key in a full table
    /// first makes room by forgetting the oldest window.
    fn running_or_new(
        &mut self,
        key: K,
        now: Instant,
        length: Duration,
        capacity: usize,
    ) -> &mut Window {
        if self.running(&key, now, length).is_none() {
            if !self.by_key.contains_key(&key) {
                while self.by_key.len() >= capacity.max(1) && !self.order.is_empty() {
                    self.pop_front();
                }
            }
            self.by_key.insert(
                key,
                Window {
                    start: now,
                    count: 0,
                },
            );
            self.order.push_back((key, now));
        }
        self.by_key.get_mut(&key).expect("a running window")
    }
}

pub struct RateLimiter {
    limit: u32,
    window: Duration,
    capacity: usize,
    windows: Mutex<Windows<ClientKey>>,
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
        RateLimiter::with_capacity(limit, window, MAX_TRACKED)
    }

    /// A limiter that keeps windows for `capacity` clients at most.
    pub fn with_capacity(limit: u32, window: Duration, capacity: usize) -> RateLimiter {
        RateLimiter {
            limit,
            window,
            capacity,
            windows: Mutex::new(Windows::new()),
        }
    }

    fn windows(&self) -> MutexGuard<'_, Windows<ClientKey>> {
        self.windows.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts one hit and refuses it when the address has used up its window.
    pub fn hit(&self, addr: IpAddr, now: Instant) -> Result<(), RetryAfter> {
        self.check(addr, now)?;
        self.record(addr, now);
        Ok(())
    }

    /// Refuses when the address has used up its window, without counting.
    pub fn check(&self, addr: IpAddr, now: Instant) -> Result<(), RetryAfter> {
        let windows = self.windows();
        match windows.running(&ClientKey::of(addr), now, self.window) {
            Some(w) if w.count >= self.limit => {
                Err(RetryAfter((w.start + self.window - now).as_secs().max(1)))
            }
            _ => Ok(()),
        }
    }

    /// Counts one hit (a failed guess, say) against the address.
    pub fn record(&self, addr: IpAddr, now: Instant) {
        let mut windows = self.windows();
        windows.expire(now, self.window);
        let w = windows.running_or_new(ClientKey::of(addr), now, self.window, self.capacity);
        w.count = w.count.saturating_add(1);
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
        for i in 0..=10_000u32 {
            rl.record(IpAddr::from(i.to_be_bytes()), t0);
        }
        rl.record(ip("192.0.2.9"), t0 + Duration::from_secs(5));
        assert_eq!(rl.windows.lock().unwrap().len(), 1);
    }

    #[test]
    fn an_ipv6_slash_64_is_one_client_and_ipv4_addresses_are_each_one() {
        let rl = RateLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(rl.hit(ip("2001:db8:1:2::1"), t0).is_ok());
        assert!(rl.hit(ip("2001:db8:1:2:ffff:ffff:ffff:fffe"), t0).is_ok());
        assert!(
            rl.hit(ip("2001:db8:1:2:1234::9"), t0).is_err(),
            "a new address in the same /64 is the same client"
        );
        assert!(rl.hit(ip("2001:db8:1:3::1"), t0).is_ok(), "the next /64");
        // IPv4 clients are not lumped together (all of IPv4 mapped into IPv6 is one /64).
        assert!(rl.hit(ip("192.0.2.1"), t0).is_ok());
        assert!(rl.hit(ip("::ffff:192.0.2.1"), t0).is_ok());
        assert!(
            rl.hit(ip("192.0.2.1"), t0).is_err(),
            "mapped and plain IPv4 are one address"
        );
        assert!(rl.hit(ip("::ffff:192.0.2.2"), t0).is_ok());
        assert!(rl.hit(ip("192.0.2.3"), t0).is_ok());
    }

    #[test]
    fn the_table_is_bounded_and_forgets_the_oldest_window_first() {
        let rl = RateLimiter::with_capacity(1, Duration::from_secs(3600), 1_000);
        let t0 = Instant::now();
        let addr = |i: u32| IpAddr::from(i.to_be_bytes());
        for i in 0..5_000u32 {
            // Every window still runs: nothing has expired, so only the bound can help.
            rl.record(addr(i), t0 + Duration::from_millis(u64::from(i)));
        }
        assert_eq!(rl.windows().len(), 1_000);
        assert!(rl.windows().order.len() <= 1_000);
        let later = t0 + Duration::from_secs(10);
        assert!(rl.check(addr(0), later).is_ok(), "the oldest was forgotten");
        assert!(rl.check(addr(3_999), later).is_ok());
        assert!(
            rl.check(addr(4_000), later).is_err(),
            "recent ones are kept"
        );
        assert!(rl.check(addr(4_999), later).is_err());
        // A known client's new hit does not push anyone out.
        rl.record(addr(4_999), later);
        assert_eq!(rl.windows().len(), 1_000);
        assert!(rl.check(addr(4_000), later).is_err());
    }

    #[test]
    fn restarted_windows_leave_no_stale_entries_behind() {
        let rl = RateLimiter::with_capacity(5, Duration::from_secs(1), 100);
        let t0 = Instant::now();
        for round in 0..1_000u64 {
            let now = t0 + Duration::from_millis(1_500 * round);
            rl.record(ip("192.0.2.1"), now);
            rl.record(ip("2001:db8::1"), now);
        }
        let w = rl.windows();
        assert_eq!((w.len(), w.order.len()), (2, 2));
    }
}
