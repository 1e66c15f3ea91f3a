//! Domain rules: plain Rust that knows neither actix nor diesel.

pub mod identity;
pub mod role;

pub use role::Role;
