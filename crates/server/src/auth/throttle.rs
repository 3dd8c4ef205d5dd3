//! Login throttling, per user name and per client address: after `MAX_FAILURES_PER_USER`
//! failed logins for one name (or `MAX_FAILURES_PER_ADDRESS` from one address) within
//! `WINDOW`, further logins for it are refused, the right password too, until the oldest
//! failure leaves the window. Kept in memory, per server process.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Failed logins one user name may have within `WINDOW`.
pub const MAX_FAILURES_PER_USER: usize = 5;
/// Failed logins one client address may have within `WINDOW`.
pub const MAX_FAILURES_PER_ADDRESS: usize = 20;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Names and addresses tracked at most (the oldest are forgotten first).
const MAX_TRACKED: usize = 10_000;

#[derive(Default)]
pub struct Throttle {
    users: HashMap<String, VecDeque<Instant>>,
    addresses: HashMap<IpAddr, VecDeque<Instant>>,
}

fn prune(failures: &mut VecDeque<Instant>, now: Instant) {
    while failures
        .front()
        .is_some_and(|t| now.duration_since(*t) >= WINDOW)
    {
        failures.pop_front();
    }
}

/// How long until `failures` drops below `max`; None: not locked.
fn locked_for(
    failures: Option<&mut VecDeque<Instant>>,
    max: usize,
    now: Instant,
) -> Option<Duration> {
    let failures = failures?;
    prune(failures, now);
    if failures.len() < max {
        return None;
    }
    let oldest = failures[failures.len() - max];
    Some(WINDOW.saturating_sub(now.duration_since(oldest)))
}

fn forget_oldest<K: Clone + Eq + std::hash::Hash>(
    map: &mut HashMap<K, VecDeque<Instant>>,
    now: Instant,
) {
    if map.len() < MAX_TRACKED {
        return;
    }
    map.retain(|_, f| {
        prune(f, now);
        !f.is_empty()
    });
    while map.len() >= MAX_TRACKED {
        let oldest = map
            .iter()
            .min_by_key(|(_, f)| f.back().copied())
            .map(|(k, _)| k.clone());
        match oldest {
            Some(k) => map.remove(&k),
            None => break,
        };
    }
}

impl Throttle {
    /// None: a login for `user` from `address` may be tried; Some: refused for this long.
    pub fn check(&mut self, user: &str, address: Option<IpAddr>) -> Option<Duration> {
        let now = Instant::now();
        let by_user = locked_for(
            self.users.get_mut(&user.to_lowercase()),
            MAX_FAILURES_PER_USER,
            now,
        );
        let by_address = address
            .and_then(|a| locked_for(self.addresses.get_mut(&a), MAX_FAILURES_PER_ADDRESS, now));
        by_user.max(by_address)
    }

    pub fn failed(&mut self, user: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        forget_oldest(&mut self.users, now);
        self.users
            .entry(user.to_lowercase())
            .or_default()
            .push_back(now);
        if let Some(a) = address {
            forget_oldest(&mut self.addresses, now);
            self.addresses.entry(a).or_default().push_back(now);
        }
    }

    /// A successful login clears the user's failures (not the address's).
    pub fn succeeded(&mut self, user: &str) {
        self.users.remove(&user.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_user_and_twenty_the_address() {
        let mut t = Throttle::default();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..MAX_FAILURES_PER_USER {
            assert!(t.check("alice", Some(a)).is_none());
            t.failed("alice", Some(a));
        }
        let wait = t.check("Alice", None).expect("locked, whatever the case");
        assert!(wait <= WINDOW && wait > WINDOW - Duration::from_secs(60));
        assert!(
            t.check("bob", Some(a)).is_none(),
            "other users from there still may"
        );
        for i in 0..(MAX_FAILURES_PER_ADDRESS - MAX_FAILURES_PER_USER) {
            t.failed(&format!("user{i}"), Some(a));
        }
        assert!(t.check("bob", Some(a)).is_some(), "the address is locked");
        assert!(t.check("bob", Some("192.0.2.2".parse().unwrap())).is_none());
        t.succeeded("alice");
        assert!(t.check("alice", None).is_none());
    }
}
