//! One test binary for the whole HTTP API; a module per capability.

mod auth;
mod cli;
mod errors;
mod health;
mod openapi;
mod organizations;
mod persistence;
mod users;
