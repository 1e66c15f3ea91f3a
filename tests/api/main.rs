//! One test binary for the whole HTTP API; a module per capability.

mod abuse;
mod auth;
mod catalog;
mod cli;
mod closing;
mod commits;
mod console;
mod corpus;
mod crash;
mod errors;
mod health;
mod import;
mod integration;
mod listing;
mod matrix;
mod openapi;
mod organizations;
mod persistence;
mod problems;
mod readme;
mod reports;
mod reviews;
mod scoping;
mod supervision;
mod users;
