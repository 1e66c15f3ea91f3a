//! Problems: the tickets, their workflow, history and notes, and batches.

use super::*;

/// A problem (the ticket) with its deadline standing as of today in its organization's zone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    pub id: i64,
    /// `<ORGCODE>-<n>`, unique and never reused.
    #[schema(example = "DFSQ-12")]
    pub key: String,
    pub review_id: i64,
    #[schema(example = "作风建设方面")]
    pub aspect: Option<String>,
    #[schema(example = "对物业管理问题跟踪督促不够")]
    pub title: String,
    pub description: String,
    /// The responsible unit (责任单位).
    pub organization_id: i64,
    /// The accountable user (责任人).
    pub owner_id: Option<i64>,
    /// 整改时限, a date in the organization's time zone.
    pub deadline: Option<NaiveDate>,
    /// The deadline as confirmed, before any extension.
    pub original_deadline: Option<NaiveDate>,
    pub kind: ProblemKind,
    pub status: Status,
    pub extension_count: i32,
    pub cause_ids: Vec<i64>,
    pub measure_ids: Vec<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub overdue: bool,
    pub days_overdue: i64,
    pub warning: Warning,
    /// The transitions the caller may take now (by status and role; requirements such as
    /// done measures are checked when the action is taken).
    pub allowed_actions: Vec<Action>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateProblem {
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub review_id: i64,
    /// One of the review's aspects.
    pub aspect: Option<String>,
    #[validate(custom(function = "valid_title"))]
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "对物业管理问题跟踪督促不够"
    )]
    pub title: String,
    #[validate(custom(function = "valid_text"))]
    #[schema(max_length = 20000)]
    pub description: Option<String>,
    /// The responsible unit [default: the review's organization]; in the review's subtree.
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub organization_id: Option<i64>,
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub owner_id: Option<i64>,
    #[validate(custom(function = "valid_deadline"))]
    pub deadline: Option<NaiveDate>,
    /// [default: scheduled]
    pub kind: Option<ProblemKind>,
    #[validate(custom(function = "valid_ids"))]
    #[schema(max_items = 500)]
    pub cause_ids: Option<Vec<i64>>,
    #[validate(custom(function = "valid_ids"))]
    #[schema(max_items = 500)]
    pub measure_ids: Option<Vec<i64>>,
}

/// Changes to a problem. Its status changes only through transitions; its deadline, once
/// confirmed, only through an extension.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateProblem {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub aspect: Option<Option<String>>,
    #[validate(custom(function = "valid_title"))]
    #[schema(min_length = 1, max_length = 500)]
    pub title: Option<String>,
    #[validate(custom(function = "valid_text"))]
    #[schema(max_length = 20000)]
    pub description: Option<String>,
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub organization_id: Option<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub owner_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    #[validate(custom(function = "valid_deadline"))]
    pub deadline: Option<Option<NaiveDate>>,
    pub kind: Option<ProblemKind>,
    #[validate(custom(function = "valid_ids"))]
    #[schema(max_items = 500)]
    pub cause_ids: Option<Vec<i64>>,
    #[validate(custom(function = "valid_ids"))]
    #[schema(max_items = 500)]
    pub measure_ids: Option<Vec<i64>>,
    /// Refused: use `POST /problems/{id}/transitions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub status: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub action: Action,
    /// The completion note (submit) or the reason (reject, reopen, cancel).
    #[validate(custom(function = "valid_text"))]
    #[schema(max_length = 20000, example = "已召开专题会议，制定物业服务考核办法")]
    pub note: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ProblemQuery {
    /// Statuses, comma-separated: `open,in_progress`.
    pub status: Option<String>,
    /// Problems of this organization's subtree.
    pub organization_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub review_id: Option<i64>,
    pub aspect: Option<String>,
    pub kind: Option<ProblemKind>,
    /// `true`: only overdue problems; `false`: none of them.
    pub overdue: Option<bool>,
    pub warning: Option<Warning>,
    pub deadline_from: Option<NaiveDate>,
    pub deadline_to: Option<NaiveDate>,
    /// Text in the key, title or description (two Chinese characters such as 物业 suffice).
    #[validate(length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    pub q: Option<String>,
    /// `created_at` (default), `updated_at` or `deadline`; `-` in front for descending.
    /// Problems without a deadline (long-term) count as due at the end of time.
    pub sort: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub id: i64,
    /// `create` or a workflow action.
    #[schema(example = "confirm")]
    pub action: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub actor_id: Option<i64>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Note {
    pub id: i64,
    pub problem_id: i64,
    pub author_id: Option<i64>,
    #[schema(example = "已与物业公司约谈，下周复查")]
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateNote {
    #[validate(custom(function = "valid_title"))]
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "已与物业公司约谈，下周复查"
    )]
    pub body: String,
}

/// Up to 1,000 problems to create at once, all or nothing.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateProblems {
    #[validate(
        length(min = 1, max = 1000, message = "must hold 1 to 1000 problems"),
        nested
    )]
    #[schema(min_items = 1, max_items = 1000)]
    pub problems: Vec<CreateProblem>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedProblems {
    /// In the order sent.
    pub problems: Vec<Problem>,
}
