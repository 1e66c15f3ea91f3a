//! Sign-in throttling: how long an attempt must wait after failures, by client address and by
//! username, and when a run of failures is written to the audit log. Pure: the caller keeps
//! the state and passes the time.
//!
//! The address limit fires first, so one address guessing at many accounts is slowed early;
//! the username limit only holds back addresses that have themselves failed, so an attacker
//! guessing one account cannot lock its owner out: a clean address with the right password
//! still gets in.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};

/// Failures an address may make before it has to wait.
pub const ADDRESS_FREE_FAILURES: u32 = 5;
/// Failures a username may see (from failing addresses) before they have to wait.
pub const USERNAME_FREE_FAILURES: u32 = 10;
/// The wait after the first failure past the free ones; it doubles with each further one.
pub const BASE_WAIT_SECONDS: i64 = 1;
/// The longest wait.
pub const MAX_WAIT_SECONDS: i64 = 15 * 60;
/// A record with no failure for this long is forgotten.
pub const FORGET_AFTER_SECONDS: i64 = 60 * 60;
/// Records kept per kind at the most: memory stays bounded under a flood of addresses.
pub const CAPACITY: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: DateTime<Utc>,
}

impl Failures {
    /// When the next attempt may be made.
    fn free_at(&self, free: u32) -> Option<DateTime<Utc>> {
        let over = self.count.checked_sub(free)?;
        let wait = BASE_WAIT_SECONDS
            .saturating_mul(1i64 << over.min(20))
            .min(MAX_WAIT_SECONDS);
        Some(self.last + Duration::seconds(wait))
    }
}

#[derive(Debug)]
struct Records<K> {
    map: HashMap<K, Failures>,
}

impl<K: Eq + Hash + Clone> Records<K> {
    fn new() -> Self {
        Self {
            map: HashMap::new(),
        }
    }

    fn get(&self, key: &K, now: DateTime<Utc>) -> Option<Failures> {
        self.map
            .get(key)
            .copied()
            .filter(|f| now - f.last < Duration::seconds(FORGET_AFTER_SECONDS))
    }

    fn fail(&mut self, key: K, now: DateTime<Utc>) {
        if self.map.len() >= CAPACITY && !self.map.contains_key(&key) {
            self.prune(now);
        }
        let count = self.get(&key, now).map_or(0, |f| f.count);
        self.map.insert(
            key,
            Failures {
                count: count.saturating_add(1),
                last: now,
            },
        );
    }

    /// Drops forgotten records, then, if still full, the older half.
    fn prune(&mut self, now: DateTime<Utc>) {
        self.map
            .retain(|_, f| now - f.last < Duration::seconds(FORGET_AFTER_SECONDS));
        if self.map.len() >= CAPACITY {
            let mut times: Vec<DateTime<Utc>> = self.map.values().map(|f| f.last).collect();
            times.sort_unstable();
            let cut = times[times.len() / 2];
            self.map.retain(|_, f| f.last > cut);
        }
    }
}

/// The failures seen, by address and by username.
#[derive(Debug)]
pub struct SignInThrottle {
    addresses: Records<IpAddr>,
    usernames: Records<String>,
}

impl Default for SignInThrottle {
    fn default() -> Self {
        Self {
            addresses: Records::new(),
            usernames: Records::new(),
        }
    }
}

impl SignInThrottle {
    /// Whether an attempt may be made now; if not, how long until it may.
    pub fn check(
        &self,
        address: IpAddr,
        username: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Duration> {
        let by_address = self.addresses.get(&address, now);
        let mut free_at = by_address.and_then(|f| f.free_at(ADDRESS_FREE_FAILURES));
        if by_address.is_some() {
            let by_username = self
                .usernames
                .get(&username.to_owned(), now)
                .and_then(|f| f.free_at(USERNAME_FREE_FAILURES));
            free_at = free_at.max(by_username);
        }
        match free_at {
            Some(at) if at > now => Err(at - now),
            _ => Ok(()),
        }
    }

    pub fn failed(&mut self, address: IpAddr, username: &str, now: DateTime<Utc>) {
        self.addresses.fail(address, now);
        self.usernames.fail(username.to_owned(), now);
    }

    /// The right password: the address starts clean, and so does the account.
    pub fn succeeded(&mut self, address: IpAddr, username: &str) {
        self.addresses.map.remove(&address);
        self.usernames.map.remove(username);
    }
}

/// Failed sign-ins go to the audit log at most once a minute per username and address, with
/// the number of failures the entry stands for.
/// Failures not yet written, and when the last entry was, per username and address.
type Pending = HashMap<(String, IpAddr), (u32, Option<DateTime<Utc>>)>;

#[derive(Debug, Default)]
pub struct FailureSummary {
    pending: Pending,
}

impl FailureSummary {
    /// Notes a failure; returns the count to write now, if an entry is due.
    pub fn note(&mut self, username: &str, address: IpAddr, now: DateTime<Utc>) -> Option<u32> {
        if self.pending.len() >= CAPACITY {
            self.pending
                .retain(|_, (_, written)| written.is_some_and(|w| now - w < Duration::seconds(60)));
        }
        let entry = self
            .pending
            .entry((username.to_owned(), address))
            .or_insert((0, None));
        entry.0 += 1;
        match entry.1 {
            Some(written) if now - written < Duration::seconds(60) => None,
            _ => {
                let count = entry.0;
                *entry = (0, Some(now));
                Some(count)
            }
        }
    }
}

impl FailureSummary {
    /// The failures not yet written for a username and address (on a success, so that a run
    /// of failures ends on record).
    pub fn take(&mut self, username: &str, address: IpAddr) -> Option<u32> {
        let entry = self.pending.remove(&(username.to_owned(), address))?;
        (entry.0 > 0).then_some(entry.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + seconds, 0).unwrap()
    }

    const ATTACKER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 9));
    const OWNER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 7));

    #[test]
    fn an_address_waits_longer_after_each_failure_past_the_free_ones() {
        let mut t = SignInThrottle::default();
        for i in 0..ADDRESS_FREE_FAILURES {
            assert!(t.check(ATTACKER, "li.na", at(i as i64)).is_ok());
            t.failed(ATTACKER, "li.na", at(i as i64));
        }
        // Five failures at 0..4 s: one more is free, then waits double.
        t.failed(ATTACKER, "li.na", at(4));
        assert_eq!(t.check(ATTACKER, "li.na", at(4)), Err(Duration::seconds(2)));
        assert!(t.check(ATTACKER, "li.na", at(6)).is_ok());
        t.failed(ATTACKER, "li.na", at(6));
        assert_eq!(t.check(ATTACKER, "li.na", at(6)), Err(Duration::seconds(4)));
        for i in 0..30 {
            t.failed(ATTACKER, "li.na", at(10 + i));
        }
        assert_eq!(
            t.check(ATTACKER, "li.na", at(39)),
            Err(Duration::seconds(MAX_WAIT_SECONDS))
        );
        // Forgotten an hour after the last failure.
        assert!(t
            .check(ATTACKER, "li.na", at(39 + FORGET_AFTER_SECONDS))
            .is_ok());
    }

    #[test]
    fn the_owner_from_a_clean_address_is_never_held_back_by_an_attack_on_the_account() {
        let mut t = SignInThrottle::default();
        for i in 0..100 {
            t.failed(IpAddr::from([203, 0, 113, (i % 200) as u8]), "li.na", at(i));
        }
        assert!(t.check(OWNER, "li.na", at(100)).is_ok());
        // An address that failed on this account waits for the account's limit too.
        let dirty = IpAddr::from([203, 0, 113, 250]);
        t.failed(dirty, "li.na", at(100));
        assert!(t.check(dirty, "li.na", at(101)).is_err());
        // The right password clears both.
        t.succeeded(dirty, "li.na");
        assert!(t.check(dirty, "li.na", at(101)).is_ok());
    }

    #[test]
    fn a_flood_of_addresses_keeps_memory_bounded() {
        let mut t = SignInThrottle::default();
        for i in 0..(CAPACITY as u32 + 10) {
            t.failed(IpAddr::from(i.to_be_bytes()), "x", at(i as i64 / 1000));
        }
        assert!(t.addresses.map.len() <= CAPACITY);
    }

    #[test]
    fn failures_are_summarised_once_a_minute_per_username_and_address() {
        let mut s = FailureSummary::default();
        assert_eq!(s.note("li.na", ATTACKER, at(0)), Some(1));
        for i in 1..60 {
            assert_eq!(s.note("li.na", ATTACKER, at(i)), None);
        }
        assert_eq!(s.note("li.na", OWNER, at(30)), Some(1));
        assert_eq!(s.note("li.na", ATTACKER, at(60)), Some(60));
        assert_eq!(s.note("li.na", ATTACKER, at(61)), None);
        assert_eq!(s.take("li.na", ATTACKER), Some(1));
        assert_eq!(s.take("li.na", ATTACKER), None);
    }
}
