//! Webhook rules: the events, how a delivery is signed, and when a failed one is retried.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const EVENTS: [&str; 6] = [
    "problem.created",
    "problem.transitioned",
    "problem.overdue",
    "extension.requested",
    "extension.decided",
    "digest.weekly",
];

/// After this many failed attempts a delivery is given up (it can still be re-sent).
pub const MAX_ATTEMPTS: i32 = 10;

/// The signature header's value: `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. Signing
/// the timestamp with the body lets receivers refuse replays of old deliveries.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any size");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let bytes = mac.finalize().into_bytes();
    format!("sha256={}", base16ct::lower::encode_string(&bytes))
}

/// The wait before retry number `attempt` (1 = the first retry): exponential from `base`,
/// capped at an hour.
pub fn backoff(base: std::time::Duration, attempt: i32) -> std::time::Duration {
    let factor = 2u32.saturating_pow(attempt.clamp(1, 20) as u32 - 1);
    base.saturating_mul(factor)
        .min(std::time::Duration::from_secs(3600))
}

/// Whether a webhook of `events` (comma-separated) wants `event`.
pub fn subscribed(events: &str, event: &str) -> bool {
    events.split(',').any(|e| e.trim() == event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn signatures_are_hmac_sha256_of_timestamp_and_body() {
        // RFC 4231 test case 2 shape: key "Jefe", message "what do ya want for nothing?".
        let sig = signature("Jefe", 0, "what do ya want for nothing?");
        assert_ne!(sig, signature("Jefe", 1, "what do ya want for nothing?"));
        assert_ne!(sig, signature("Jefe2", 0, "what do ya want for nothing?"));
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"0.what do ya want for nothing?");
        let expected: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(sig, format!("sha256={expected}"));
    }

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        let base = Duration::from_secs(30);
        assert_eq!(backoff(base, 1), Duration::from_secs(30));
        assert_eq!(backoff(base, 2), Duration::from_secs(60));
        assert_eq!(backoff(base, 5), Duration::from_secs(480));
        assert_eq!(backoff(base, 9), Duration::from_secs(3600));
        assert_eq!(backoff(base, 1000), Duration::from_secs(3600));
    }

    #[test]
    fn subscriptions_match_whole_event_names() {
        assert!(subscribed(
            "problem.created,problem.overdue",
            "problem.overdue"
        ));
        assert!(!subscribed("problem.created", "problem"));
    }
}
