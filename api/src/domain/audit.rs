//! The audit log's hash chain: each entry holds the SHA-256 of the previous entry and of its
//! own canonical form, so changing, removing or inserting any entry breaks every hash after
//! it. Pure: the database stores entries, this module computes and checks them.

use chrono::{NaiveDateTime, Timelike};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields an entry's hash covers, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor: &'a str,
    pub actor_name: &'a str,
    pub request_id: Option<&'a str>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<&'a str>,
    pub organization_path: Option<&'a str>,
    /// Canonical JSON (keys sorted), as stored.
    pub changes: &'a str,
}

/// Times are kept to the microsecond, which both databases store exactly.
pub fn truncate(at: NaiveDateTime) -> NaiveDateTime {
    at.with_nanosecond(at.nanosecond() / 1000 * 1000)
        .unwrap_or(at)
}

/// The canonical form: a JSON array of the fields and the previous hash.
pub fn canonical(entry: &Entry<'_>, prev_hash: &str) -> String {
    Value::Array(vec![
        entry.seq.into(),
        truncate(entry.at)
            .format("%Y-%m-%dT%H:%M:%S%.6fZ")
            .to_string()
            .into(),
        entry.actor.into(),
        entry.actor_name.into(),
        entry.request_id.into(),
        entry.action.into(),
        entry.entity_type.into(),
        entry.entity_id.into(),
        entry.organization_path.into(),
        entry.changes.into(),
        prev_hash.into(),
    ])
    .to_string()
}

pub fn hash(entry: &Entry<'_>, prev_hash: &str) -> String {
    base16ct::lower::encode_string(&Sha256::digest(canonical(entry, prev_hash).as_bytes()))
}

/// Walks a chain in sequence order, remembering the first entry that does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
    pub entries: i64,
    pub first_broken: Option<i64>,
}

impl Default for Verifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS.to_owned(),
            entries: 0,
            first_broken: None,
        }
    }
}

impl Verifier {
    /// Checks the next stored entry: its place, its link to the previous one and its hash.
    pub fn check(&mut self, entry: &Entry<'_>, stored_prev: &str, stored_hash: &str) {
        self.entries += 1;
        let holds = entry.seq == self.expected_seq
            && stored_prev == self.prev_hash
            && hash(entry, stored_prev) == stored_hash;
        if !holds && self.first_broken.is_none() {
            // A missing entry breaks the chain where it was expected.
            self.first_broken = Some(entry.seq.min(self.expected_seq));
        }
        self.expected_seq = entry.seq + 1;
        self.prev_hash = stored_hash.to_owned();
    }

    /// Checks the end against the head the log keeps: entries removed from the end show here.
    pub fn finish(mut self, head_seq: i64, head_hash: &str) -> Self {
        if self.first_broken.is_none()
            && (head_seq != self.expected_seq - 1 || head_hash != self.prev_hash)
        {
            self.first_broken = Some(self.expected_seq.min(head_seq.max(1)));
        }
        self
    }

    pub fn ok(&self) -> bool {
        self.first_broken.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, changes: &str) -> Entry<'_> {
        Entry {
            seq,
            at: chrono::DateTime::from_timestamp(1_795_000_000 + seq, 123_456_789)
                .unwrap()
                .naive_utc(),
            actor: "user:3",
            actor_name: "zhang.wei",
            request_id: Some("req-1"),
            action: "problem.update",
            entity_type: "problem",
            entity_id: Some("7"),
            organization_path: Some("/1/2/"),
            changes,
        }
    }

    /// (entry, prev, hash) for a valid chain of n entries.
    fn chain(changes: &[String]) -> Vec<(Entry<'_>, String, String)> {
        let mut prev = GENESIS.to_owned();
        changes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let e = entry(i as i64 + 1, c);
                let h = hash(&e, &prev);
                let out = (e, prev.clone(), h.clone());
                prev = h;
                out
            })
            .collect()
    }

    fn verify(links: &[(Entry<'_>, String, String)], head: (i64, &str)) -> Verifier {
        let mut v = Verifier::default();
        for (e, prev, h) in links {
            v.check(e, prev, h);
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn an_intact_chain_verifies() {
        let changes: Vec<String> = (0..5).map(|i| format!("{{\"n\":[null,{i}]}}")).collect();
        let links = chain(&changes);
        let last = links.last().unwrap().2.clone();
        let v = verify(&links, (5, &last));
        assert!(v.ok());
        assert_eq!(v.entries, 5);
        assert!(verify(&[], (0, GENESIS)).ok());
    }

    #[test]
    fn any_change_names_the_entry() {
        let changes: Vec<String> = (0..5).map(|i| format!("{{\"n\":[null,{i}]}}")).collect();
        let last = chain(&changes).last().unwrap().2.clone();
        // An altered field.
        let mut links = chain(&changes);
        links[2].0.actor = "user:4";
        assert_eq!(verify(&links, (5, &last)).first_broken, Some(3));
        // An altered hash, recomputed to match its own row: the next entry's link breaks.
        let mut links = chain(&changes);
        let forged = "{\"n\":[null,99]}".to_owned();
        links[1].0.changes = &forged;
        links[1].2 = hash(&links[1].0, &links[1].1);
        assert_eq!(verify(&links, (5, &last)).first_broken, Some(3));
        // A removed entry.
        let mut links = chain(&changes);
        links.remove(3);
        assert_eq!(verify(&links, (5, &last)).first_broken, Some(4));
        // A removed last entry shows against the head.
        let mut links = chain(&changes);
        links.pop();
        assert_eq!(verify(&links, (5, &last)).first_broken, Some(5));
    }

    #[test]
    fn the_canonical_form_is_stable_and_microsecond_exact() {
        let e = entry(1, "{}");
        assert_eq!(
            canonical(&e, GENESIS),
            format!("[1,\"2026-11-18T11:06:41.123456Z\",\"user:3\",\"zhang.wei\",\"req-1\",\"problem.update\",\"problem\",\"7\",\"/1/2/\",\"{{}}\",\"{GENESIS}\"]")
        );
        assert_eq!(hash(&e, GENESIS).len(), 64);
    }
}
