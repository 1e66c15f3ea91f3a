//! W3C Trace Context (`traceparent`): a request joins the caller's trace, or starts one, and
//! what it sends on (webhook deliveries) carries the trace on with a span of its own.

/// A trace context: the trace, the span that is its parent here, and its flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceParent {
    /// 32 lowercase hex digits, not all zero.
    pub trace_id: String,
    /// 16 lowercase hex digits, not all zero.
    pub parent_id: String,
    /// `01` when the caller samples the trace.
    pub flags: String,
}

fn hex_of_len(text: &str, len: usize) -> bool {
    text.len() == len
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && text.bytes().any(|b| b != b'0')
}

impl TraceParent {
    /// Reads a `traceparent` header as the specification says: version 00 exactly as
    /// written; a later version by its first four fields; anything else is no context.
    pub fn parse(header: &str) -> Option<TraceParent> {
        let header = header.trim();
        let parts: Vec<&str> = header.split('-').collect();
        let (version, trace_id, parent_id, flags) = match parts.as_slice() {
            [v, t, p, f] => (*v, *t, *p, *f),
            [v, t, p, f, ..] if *v != "00" => (*v, *t, *p, *f),
            _ => return None,
        };
        let version_ok =
            version.len() == 2 && version.bytes().all(|b| b.is_ascii_hexdigit()) && version != "ff";
        let flags_ok = flags.len() == 2 && flags.bytes().all(|b| b.is_ascii_hexdigit());
        (version_ok && flags_ok && hex_of_len(trace_id, 32) && hex_of_len(parent_id, 16)).then(
            || TraceParent {
                trace_id: trace_id.to_owned(),
                parent_id: parent_id.to_owned(),
                flags: flags.to_ascii_lowercase(),
            },
        )
    }

    /// A new trace, sampled, from 24 random bytes (16 for the trace, 8 for the span).
    pub fn start(random: [u8; 24]) -> TraceParent {
        let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let mut trace_id = hex(&random[..16]);
        let mut parent_id = hex(&random[16..]);
        // All-zero ids are invalid; the chance is nil, the rule is kept.
        if !hex_of_len(&trace_id, 32) {
            trace_id.replace_range(31.., "1");
        }
        if !hex_of_len(&parent_id, 16) {
            parent_id.replace_range(15.., "1");
        }
        TraceParent {
            trace_id,
            parent_id,
            flags: "01".to_owned(),
        }
    }

    /// The header for a call made from here, as the span `span_id` (16 hex digits).
    pub fn child(&self, span_id: &str) -> String {
        format!("00-{}-{}-{}", self.trace_id, span_id, self.flags)
    }

    pub fn header(&self) -> String {
        format!("00-{}-{}-{}", self.trace_id, self.parent_id, self.flags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_traceparent_is_read_as_the_specification_says() {
        let ok = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let parsed = TraceParent::parse(ok).unwrap();
        assert_eq!(parsed.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(parsed.header(), ok);
        assert_eq!(
            parsed.child("b7ad6b7169203331"),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01"
        );
        // A later version may add fields; version 00 may not.
        assert!(TraceParent::parse(&format!("01{}-extra", &ok[2..])).is_some());
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        ] {
            assert_eq!(TraceParent::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_started_trace_is_valid() {
        let started = TraceParent::start([0; 24]);
        assert!(TraceParent::parse(&started.header()).is_some());
        let random = TraceParent::start([7; 24]);
        assert_eq!(random.trace_id, "07".repeat(16));
    }
}
