//! Domain rules: plain Rust that knows no web framework, no database and no schema library.

/// `Display` and `FromStr` for a vocabulary enum by its `as_str` and `ALL`.
macro_rules! names {
    ($t:ty, $what:literal) => {
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl std::str::FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| format!("unknown {} {s:?}", $what))
            }
        }
    };
}

pub mod assignment;
pub mod audit;
pub mod deadline;
pub mod digest;
pub mod evidence;
pub mod identity;
pub mod ledger;
pub mod notice;
pub mod numbering;
pub mod progress;
pub mod recurrence;
pub mod reflow;
pub mod report;
pub mod robot;
pub mod role;
pub mod scorecard;
pub mod search;
pub mod similarity;
pub mod supervision;
pub mod text;
pub mod throttle;
pub mod trace;
pub mod vocab;
pub mod webhook;
pub mod workflow;

pub use role::Role;
