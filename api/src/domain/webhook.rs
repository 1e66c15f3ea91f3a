//! Webhook rules: the events, how a delivery is signed, and when a failed one is retried.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const EVENTS: [&str; 11] = [
    "problem.created",
    "problem.transitioned",
    "problem.overdue",
    "problem.acknowledgement_overdue",
    "problem.reactivated",
    "problem.recheck_due",
    "problem.escalated",
    "supervision_notice.issued",
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

/// Whether a webhook may be sent to this address: only to the public internet. Loopback,
/// private, shared (CGNAT), link-local (cloud metadata at 169.254.169.254 included), multicast,
/// broadcast, unspecified and reserved addresses are refused, in IPv4 and IPv6 alike, an
/// IPv4 address written as IPv6 (`::ffff:127.0.0.1`) judged as the IPv4 one. Hosts the
/// operator allows by name are the only way to reach an internal system.
pub fn public_address(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return public_address(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local, fd00:ec2::254 included
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
                || first == 0x2001 && v6.segments()[1] == 0x0db8 // documentation
                || first == 0x0064 && v6.segments()[1] == 0xff9b // NAT64 of any IPv4
                || first == 0) // the rest of ::/16: IPv4-compatible, discard, reserved
        }
    }
}

/// Whether a webhook of `events` (comma-separated) wants `event`.
pub fn subscribed(events: &str, event: &str) -> bool {
    events.split(',').any(|e| e.trim() == event)
}

/// How much of a receiver's answer is read to look for a refusal in it.
pub const ANSWER_READ_BYTES: u64 = 16 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_targets() {
        let refused = [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.0.1",
            "198.18.0.1",
            "192.0.2.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd00:ec2::254",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::7f00:1",
            "2001:db8::1",
            "::7f00:1",
            "fec0::1",
        ];
        for ip in refused {
            assert!(!public_address(ip.parse().unwrap()), "{ip} must be refused");
        }
        let allowed = [
            "1.1.1.1",
            "8.8.8.8",
            "100.128.0.1",
            "172.32.0.1",
            "203.0.114.1",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
        ];
        for ip in allowed {
            assert!(public_address(ip.parse().unwrap()), "{ip} is public");
        }
    }
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
