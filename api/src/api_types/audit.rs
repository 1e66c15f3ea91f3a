//! The audit log.

use super::*;

#[derive(Debug, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// `problem`, `review`, `user`, `organization`, `cause`, `measure`, `note`, `evidence`,
    /// `extension`, `service_account`, `service_token`, `webhook`, `delivery`, `session`.
    #[validate(length(min = 1, max = 50, message = "must be 1 to 50 characters"))]
    pub entity_type: Option<String>,
    #[validate(length(min = 1, max = 50, message = "must be 1 to 50 characters"))]
    pub entity_id: Option<String>,
    /// `user:<id>`, `service:<id>`, `cli` or `anonymous`.
    #[validate(length(min = 1, max = 80, message = "must be 1 to 80 characters"))]
    pub actor: Option<String>,
    #[validate(length(min = 1, max = 80, message = "must be 1 to 80 characters"))]
    #[param(example = "problem.transition")]
    pub action: Option<String>,
    /// Entries at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Entries before this time.
    pub to: Option<DateTime<Utc>>,
}

/// One write, as the audit log keeps it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    #[schema(example = "user:3")]
    pub actor: String,
    #[schema(example = "zhang.wei")]
    pub actor_name: String,
    pub request_id: Option<String>,
    #[schema(example = "problem.transition")]
    pub action: String,
    #[schema(example = "problem")]
    pub entity_type: String,
    pub entity_id: Option<String>,
    /// Each changed field as `[before, after]` (`before` is null on creation).
    #[schema(value_type = Object, example = json!({"status": ["open", "in_progress"]}))]
    pub changes: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The result of recomputing the whole chain.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditVerification {
    pub ok: bool,
    pub entries: i64,
    /// The sequence number of the first entry that does not hold; null when all do.
    pub first_broken: Option<i64>,
}
