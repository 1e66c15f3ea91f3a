//! Webhooks and their deliveries.

use super::*;

#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    #[validate(length(min = 8, max = 2000, message = "must be 8 to 2000 characters"))]
    #[schema(
        min_length = 8,
        max_length = 2000,
        example = "https://oa.example.gov.cn/hooks/rectify"
    )]
    pub url: String,
    /// problem.created, problem.transitioned, problem.overdue, extension.requested,
    /// extension.decided, digest.weekly.
    #[validate(length(min = 1, max = 6, message = "must name 1 to 6 events"))]
    #[schema(min_items = 1, example = json!(["problem.created", "problem.overdue"]))]
    pub events: Vec<String>,
    /// Events about this organization's subtree are sent.
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub organization_id: i64,
    /// Signs each delivery (HMAC-SHA256); never shown again.
    #[validate(length(min = 16, max = 200, message = "must be 16 to 200 characters"))]
    #[schema(min_length = 16, max_length = 200)]
    pub secret: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    #[validate(length(min = 8, max = 2000, message = "must be 8 to 2000 characters"))]
    pub url: Option<String>,
    #[validate(length(min = 1, max = 6, message = "must name 1 to 6 events"))]
    pub events: Option<Vec<String>>,
    #[validate(length(min = 16, max = 200, message = "must be 16 to 200 characters"))]
    pub secret: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub organization_id: i64,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryAttempt {
    pub at: DateTime<Utc>,
    /// The receiver's status; null when it could not be reached.
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// One event for one webhook, and every attempt to send it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    #[schema(example = "problem.transitioned")]
    pub event: String,
    /// Sent as `X-Rectify-Delivery`; the same on every attempt, for de-duplication.
    pub delivery_id: String,
    /// `pending`, `delivered` or `failed`.
    #[schema(example = "delivered")]
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The JSON body sent.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub attempt_log: Vec<DeliveryAttempt>,
}
