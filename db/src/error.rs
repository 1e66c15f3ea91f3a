use thiserror::Error;

/// Errors from running a query or transaction.
///
/// `Query` carries diesel's own error so the HTTP layer can map `NotFound` and constraint
/// violations in exactly one place; everything else is an internal failure.
#[derive(Debug, Error)]
pub enum DbError {
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("no database connection could be had: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// The transaction a write shared with others (SQLite's group commit) failed to commit.
    #[error("the write was not committed: {0}")]
    CommitFailed(String),
}

/// Errors from opening or migrating a database; each reads as one line for the operator.
#[derive(Debug, Error)]
pub enum SetupError {
    #[error("invalid database URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error(transparent)]
    Db(#[from] DbError),
}
