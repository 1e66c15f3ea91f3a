use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Logs go to standard error, human-readable or one JSON object a line.
pub fn init(format: LogFormat, filter: &str) {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal, never into files or journals.
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
    };
}

/// 24 random bytes for trace and span ids, from two version-4 UUIDs (the OS's generator).
pub fn random_bytes() -> [u8; 24] {
    let mut bytes = [0u8; 24];
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(&uuid::Uuid::new_v4().as_bytes()[..8]);
    bytes
}

/// A new span id: 16 hex digits, never all zero.
pub fn span_id() -> String {
    crate::domain::trace::TraceParent::start(random_bytes()).parent_id
}
