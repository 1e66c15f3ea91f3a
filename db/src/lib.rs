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
pub mod notices;
pub mod organizations;
pub mod problems;
pub mod progress;
pub mod recurrences;
pub mod reviews;
pub mod schema;
pub mod scorecard;
pub mod search;
pub mod seed;
pub mod service_accounts;
pub mod supervision;
pub mod users;
pub mod watchers;
pub mod webhooks;

pub use connection::{
    private_dir, private_file, Backend, DatabaseUrl, Db, DbConnection, DbOptions, WriterState,
};

/// Ids bound into one `IN (…)` at the most: far below SQLite's limit on a statement's
/// parameters (32,766) and PostgreSQL's (65,535), whatever else the statement binds.
const IDS_PER_QUERY: usize = 10_000;

/// Runs a query for a list of ids once per distinct id, in chunks that every backend takes:
/// a report over a whole tree may name hundreds of thousands. The query must not depend on
/// seeing every id at once (results are per id, or grouped by id).
pub(crate) fn in_chunks<T>(
    ids: &[i64],
    mut query: impl FnMut(&[i64]) -> diesel::QueryResult<Vec<T>>,
) -> diesel::QueryResult<Vec<T>> {
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let mut rows = Vec::new();
    for chunk in unique.chunks(IDS_PER_QUERY) {
        rows.extend(query(chunk)?);
    }
    Ok(rows)
}
pub use error::{DbError, SetupError};
