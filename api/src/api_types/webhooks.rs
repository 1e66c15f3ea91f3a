//! Webhooks and their deliveries.

use super::*;

/// What a webhook is: an office system's endpoint (`generic`: each event as JSON, signed with
/// `X-Rectify-Signature`), or a chat group's robot (`wecom` 企业微信, `dingtalk` 钉钉, `feishu`
/// 飞书), which gets its platform's own message: the weekly digest of its organization once a
/// week (not one per person) and a line for each problem gone overdue. A DingTalk or Feishu
/// robot with 加签 is given its secret (`SEC…`) and each message is signed as the platform asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookKind {
    Generic,
    Wecom,
    Dingtalk,
    Feishu,
}

impl From<WebhookKind> for crate::domain::robot::Kind {
    fn from(kind: WebhookKind) -> Self {
        use crate::domain::robot::Kind;
        match kind {
            WebhookKind::Generic => Kind::Generic,
            WebhookKind::Wecom => Kind::Wecom,
            WebhookKind::Dingtalk => Kind::Dingtalk,
            WebhookKind::Feishu => Kind::Feishu,
        }
    }
}

impl From<crate::domain::robot::Kind> for WebhookKind {
    fn from(kind: crate::domain::robot::Kind) -> Self {
        use crate::domain::robot::Kind;
        match kind {
            Kind::Generic => WebhookKind::Generic,
            Kind::Wecom => WebhookKind::Wecom,
            Kind::Dingtalk => WebhookKind::Dingtalk,
            Kind::Feishu => WebhookKind::Feishu,
        }
    }
}

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
    /// problem.created, problem.transitioned, problem.overdue,
    /// problem.acknowledgement_overdue (not acknowledged by its last day, once per problem and
    /// day), problem.reactivated (a continuing problem reopened on its review date),
    /// problem.recheck_due (a closed problem's re-check, 回头看, came due; once per date),
    /// problem.escalated (the problem climbed the ladder: level 1 yellow, 2 red, 3 督办; once
    /// per level and deadline, naming who is told), supervision_notice.issued (a 督办 notice
    /// to a unit of the subtree),
    /// extension.requested, extension.decided, digest.weekly.
    #[validate(length(min = 1, max = 11, message = "must name 1 to 11 events"))]
    #[schema(min_items = 1, example = json!(["problem.created", "problem.overdue"]))]
    pub events: Vec<String>,
    /// Events about this organization's subtree are sent.
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub organization_id: i64,
    /// Signs each delivery (HMAC-SHA256); never shown again. Required for `generic`; for a
    /// DingTalk or Feishu robot its 加签 secret, if it has one; WeCom robots have none.
    #[validate(length(min = 16, max = 200, message = "must be 16 to 200 characters"))]
    #[schema(min_length = 16, max_length = 200)]
    pub secret: Option<String>,
    /// [default: generic]; a robot takes digest.weekly and problem.overdue only.
    pub kind: Option<WebhookKind>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    #[validate(length(min = 8, max = 2000, message = "must be 8 to 2000 characters"))]
    pub url: Option<String>,
    #[validate(length(min = 1, max = 11, message = "must name 1 to 11 events"))]
    pub events: Option<Vec<String>>,
    #[validate(length(min = 16, max = 200, message = "must be 16 to 200 characters"))]
    pub secret: Option<String>,
    pub active: Option<bool>,
    pub kind: Option<WebhookKind>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub kind: WebhookKind,
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
