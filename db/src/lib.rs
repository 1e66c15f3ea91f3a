//! Rectify's storage layer: one diesel schema over SQLite and PostgreSQL.
//!
//! Everything SQL lives here. Callers get a [`Db`] and use its two doors: [`Db::read`] for
//! queries and [`Db::write`] for a whole write transaction; they never hold a pooled
//! connection themselves or choose how a backend writes.

pub mod audit;
pub mod catalog;
pub mod closing;
mod connection;
pub mod digests;
mod error;
pub mod idempotency;
pub mod imports;
pub mod models;
pub mod organizations;
pub mod problems;
pub mod reviews;
pub mod schema;
pub mod service_accounts;
pub mod users;
pub mod webhooks;

pub use connection::{private_dir, Backend, DatabaseUrl, Db, DbConnection, DbOptions};
pub use error::{DbError, SetupError};
