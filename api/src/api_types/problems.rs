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
    /// 红黄绿 while the problem is open or in progress: red when overdue, yellow within the
    /// organization's `warn_days_effective` of the deadline, else green (also when there is no
    /// deadline); null otherwise.
    pub light: Option<Light>,
    /// The escalation ladder (预警升级), 0–3: 0 green (the owner is told), 1 yellow (also the
    /// unit's `leader_id`), 2 red (also its `head_id` and the coordinators of the unit above),
    /// 3 red for more than the unit's `escalate_after_days_effective` (a 督办). 0 while the
    /// problem is not being worked on.
    #[schema(minimum = 0, maximum = 3)]
    pub escalation_level: u8,
    /// The last day to acknowledge (签收): the day the problem was confirmed plus the
    /// organization's `acknowledge_days_effective`; null if it was never confirmed here.
    pub acknowledge_by: Option<NaiveDate>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// `pending` (not yet, still in time), `on_time`, or `late` (acknowledged after
    /// `acknowledge_by`, or not yet and that day has passed); null without `acknowledge_by`.
    pub acknowledgement: Option<Acknowledgement>,
    /// How the last closing came out: `rectified` (已整改), `continuing` (持续整改, reopened on
    /// `review_on`) or `unrectified` (未整改, found by an auditor and reopened); null before
    /// the first closing and after a reopening.
    pub outcome: Option<Outcome>,
    /// For a problem closed as continuing: the day it reopens by itself, unless a coordinator
    /// sets a later one (`defer_review`).
    pub review_on: Option<NaiveDate>,
    /// For a rectified closing: the day its coordinators are to re-check it (回头看), from the
    /// unit's `recheck_days_effective`; cleared once a re-check is recorded.
    pub recheck_on: Option<NaiveDate>,
    /// 问题反弹: closed problems of earlier reviews of the same subtree that this one's title
    /// repeats, best first, not yet confirmed or dismissed by a coordinator.
    pub possible_recurrence_of: Vec<PossibleRecurrence>,
    /// The earlier problem a coordinator confirmed this one repeats.
    pub recurrence_of: Option<i64>,
    /// The transitions the caller may take now (by status and role, less `acknowledge` once
    /// acknowledged and `defer_review` unless closed as continuing; requirements such as done
    /// measures are checked when the action is taken).
    pub allowed_actions: Vec<Action>,
}

/// An earlier closed problem a new one may repeat (问题反弹).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PossibleRecurrence {
    pub id: i64,
    #[schema(example = "DFSQ-3")]
    pub key: String,
    pub review_id: i64,
    /// How alike the titles read, from 0.4 to 1.
    pub score: f64,
}

/// A coordinator's decision on a flagged recurrence.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RecurrenceDecision {
    /// The earlier problem flagged in `possible_recurrence_of`.
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub of: i64,
    /// `confirm` (it came back: counted against the unit) or `dismiss`.
    pub decision: RecurrenceDecisionKind,
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
    /// The completion note (submit) or the reason (reject, reopen, cancel, defer_review,
    /// mark_unrectified).
    #[validate(custom(function = "valid_text"))]
    #[schema(max_length = 20000, example = "已召开专题会议，制定物业服务考核办法")]
    pub note: Option<String>,
    /// `verify` only: `rectified` [default] or `continuing` (持续整改, needs `review_on`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// `verify` with `outcome: continuing`, and `defer_review`: the day, after today, when the
    /// problem reopens by itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "valid_deadline"))]
    pub review_on: Option<NaiveDate>,
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
pub struct CreateRecheck {
    /// `held` (the fix held) or `recurred` (问题反弹: reopens the problem).
    pub outcome: RecheckOutcome,
    /// What the re-check found.
    #[validate(custom(function = "valid_title"))]
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "走访居民，物业投诉未再出现"
    )]
    pub note: String,
}

/// 回头看: what one re-check of a closed problem found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recheck {
    pub id: i64,
    pub problem_id: i64,
    pub outcome: RecheckOutcome,
    pub note: String,
    pub recorded_by: Option<i64>,
    pub recorded_at: DateTime<Utc>,
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
