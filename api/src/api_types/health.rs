//! Liveness and readiness.

use super::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// What is running: for support requests and for monitors that compare servers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Version {
    #[schema(example = "0.1.0")]
    pub version: &'static str,
    /// The commit the binary was built from (empty when built outside a git checkout).
    #[schema(example = "4d6e23d1a2b3")]
    pub commit: &'static str,
    /// `sqlite` or `postgresql`.
    #[schema(example = "sqlite")]
    pub backend: &'static str,
    /// The newest database migration applied.
    #[schema(example = "2026-11-30-000006")]
    pub schema_version: Option<String>,
}
