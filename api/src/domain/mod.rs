//! Domain rules: plain Rust that knows neither actix nor diesel.

pub mod audit;
pub mod deadline;
pub mod digest;
pub mod evidence;
pub mod identity;
pub mod ledger;
pub mod progress;
pub mod report;
pub mod role;
pub mod similarity;
pub mod vocab;
pub mod webhook;
pub mod workflow;

pub use role::Role;
