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

/// Fixed windows per key (a client's network, a hashed account name): at most `limit`
/// counted in each window, for at most `capacity` keys.
pub struct Limiter<K> {
    limit: u32,
    window: Duration,
    capacity: usize,
    windows: Mutex<Windows<K>>,
}

/// The per-address limiter of the public doors.
pub type RateLimiter = Limiter<ClientKey>;

/// Refused: try again after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

impl RetryAfter {
    /// Whole minutes, rounded up, for people.
    pub fn minutes(self) -> u64 {
        self.0.div_ceil(60).max(1)
    }
}

/// One count taken by [`Limiter::reserve_key`] in the window that was running then.
#[derive(Debug)]
#[must_use = "a slot is kept, or given back with `release`"]
pub struct Slot<K> {
    key: K,
    start: Instant,
}

impl<K: Copy + Eq + Hash> Limiter<K> {
    pub fn new(limit: u32, window: Duration) -> Limiter<K> {
        Limiter::with_capacity(limit, window, MAX_TRACKED)
    }

    /// A limiter that keeps windows for `capacity` keys at most.
    pub fn with_capacity(limit: u32, window: Duration, capacity: usize) -> Limiter<K> {
        Limiter {
            limit,
            window,
            capacity,
            windows: Mutex::new(Windows::new()),
        }
    }

    fn windows(&self) -> MutexGuard<'_, Windows<K>> {
        self.windows.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn refusal(&self, w: Window, now: Instant) -> RetryAfter {
        RetryAfter((w.start + self.window - now).as_secs().max(1))
    }

    /// Refuses when `key` has used up its window, without counting.
    pub fn check_key(&self, key: K, now: Instant) -> Result<(), RetryAfter> {
        match self.windows().running(&key, now, self.window) {
            Some(w) if w.count >= self.limit => Err(self.refusal(w, now)),
            _ => Ok(()),
        }
    }

    /// Counts one against `key`, whatever its window holds already.
    pub fn record_key(&self, key: K, now: Instant) {
        let mut windows = self.windows();
        windows.expire(now, self.window);
        let w = windows.running_or_new(key, now, self.window, self.capacity);
        w.count = w.count.saturating_add(1);
    }

    /// Takes one count of `key`'s window, or refuses when none is left. The check and the
    /// count happen under one lock, so of many attempts at once no more pass than the limit
    /// allows; the slot is given back with [`Limiter::release`] if the attempt should not
    /// count after all.
    pub fn reserve_key(&self, key: K, now: Instant) -> Result<Slot<K>, RetryAfter> {
        let mut windows = self.windows();
        windows.expire(now, self.window);
        match windows.running(&key, now, self.window) {
            Some(w) if w.count >= self.limit => Err(self.refusal(w, now)),
            _ => {
                let w = windows.running_or_new(key, now, self.window, self.capacity);
                w.count = w.count.saturating_add(1);
                Ok(Slot {
                    key,
                    start: w.start,
                })
            }
        }
    }

    /// Gives back a slot whose attempt does not count. A window that has ended (or was
    /// forgotten) since has nothing to give back to.
    pub fn release(&self, slot: Slot<K>) {
        let mut windows = self.windows();
        if let Some(w) = windows.by_key.get_mut(&slot.key) {
            if w.start == slot.start {
                w.count = w.count.saturating_sub(1);
            }
        }
    }

    /// Forgets `key`'s window (a successful login clears its failures).
    pub fn forget(&self, key: K) {
        self.windows().by_key.remove(&key);
    }
}

impl Limiter<ClientKey> {
    /// Counts one hit and refuses it when the address has used up its window.
    pub fn hit(&self, addr: IpAddr, now: Instant) -> Result<(), RetryAfter> {
        self.reserve(addr, now).map(|_kept| ())
    }

    /// Refuses when the address has used up its window, without counting.
    pub fn check(&self, addr: IpAddr, now: Instant) -> Result<(), RetryAfter> {
        self.check_key(ClientKey::of(addr), now)
    }

    /// Counts one hit (a failed guess, say) against the address.
    pub fn record(&self, addr: IpAddr, now: Instant) {
        self.record_key(ClientKey::of(addr), now)
    }

    /// Takes one count of the address's window before the work (see [`Limiter::reserve_key`]).
    pub fn reserve(&self, addr: IpAddr, now: Instant) -> Result<Slot<ClientKey>, RetryAfter> {
        self.reserve_key(ClientKey::of(addr), now)
    }
}

/// The service's two limits.
pub struct Limits {
    pub submissions: RateLimiter,
    pub token_guesses: RateLimiter,
    pub logins: RateLimiter,
    /// Proxies whose `X-Forwarded-For` is believed (see `edge::client`).
    pub trusted_proxies: Vec<IpAddr>,
}

impl Limits {
    pub fn from_settings(s: &Settings) -> Limits {
        let window = Duration::from_secs(u64::from(s.web.rate_limit_window_minutes) * 60);
        Limits {
            submissions: RateLimiter::new(s.web.submit_limit, window),
            token_guesses: RateLimiter::new(s.web.token_guess_limit, window),
            logins: RateLimiter::new(s.web.login_limit, window),
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
    fn parallel_reservations_take_no_more_than_the_limit_and_released_ones_come_back() {
        let rl = std::sync::Arc::new(RateLimiter::new(5, Duration::from_secs(60)));
        let t0 = Instant::now();
        let start = std::sync::Arc::new(std::sync::Barrier::new(40));
        let taken: Vec<_> = (0..40)
            .map(|_| {
                let (rl, start) = (rl.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    rl.reserve(ip("203.0.113.5"), t0)
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        let (slots, refused): (Vec<_>, Vec<_>) = taken.into_iter().partition(Result::is_ok);
        assert_eq!((slots.len(), refused.len()), (5, 35));
        // Two attempts turn out not to count: their slots come back, and only theirs.
        let mut slots = slots.into_iter().map(Result::unwrap);
        rl.release(slots.next().unwrap());
        rl.release(slots.next().unwrap());
        assert!(rl.reserve(ip("203.0.113.5"), t0).is_ok());
        assert!(rl.reserve(ip("203.0.113.5"), t0).is_ok());
        assert!(rl.reserve(ip("203.0.113.5"), t0).is_err());
        // A slot of a window that has ended gives nothing to the next one.
        let later = t0 + Duration::from_secs(60);
        let next = rl.reserve(ip("203.0.113.5"), later).unwrap();
        rl.release(slots.next().unwrap());
        for _ in 0..4 {
            assert!(rl.reserve(ip("203.0.113.5"), later).is_ok());
        }
        assert!(rl.reserve(ip("203.0.113.5"), later).is_err());
        rl.release(next);
        assert!(rl.reserve(ip("203.0.113.5"), later).is_ok());
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
