//! Rectify: a rectification ledger (整改台账) service.
//!
//! `domain` holds the rules and knows neither actix nor diesel; `service` runs use cases over
//! the database; `http` is the thin HTTP layer; `startup` builds the server from settings.

pub mod api_types;
pub mod auth;
pub mod cli;
pub mod config;
pub mod console;
pub mod delivery;
pub mod document;
pub mod domain;
pub mod error;
pub mod export;
pub mod http;
pub mod service;
pub mod startup;
pub mod storage;
pub mod telemetry;

pub use http::openapi_document;
