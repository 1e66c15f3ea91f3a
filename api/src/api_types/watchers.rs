//! 抄送: watchers of problems and reviews.

use super::*;

/// Who watches a problem or a whole review: a user, or an organization (its people and those
/// below it). Watchers read what they watch even outside their subtree (read-only; each such
/// read is audited), and its events reach their organization's webhooks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Watcher {
    pub id: i64,
    /// Set when a problem is watched.
    pub problem_id: Option<i64>,
    /// Set when a whole review is watched (each of its problems).
    pub review_id: Option<i64>,
    /// Set when a user watches.
    pub user_id: Option<i64>,
    /// Set when an organization watches.
    pub organization_id: Option<i64>,
    pub added_by: Option<i64>,
    pub added_at: DateTime<Utc>,
}

/// Exactly one of `user_id` and `organization_id`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AddWatcher {
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub user_id: Option<i64>,
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub organization_id: Option<i64>,
}
