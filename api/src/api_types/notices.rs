//! 督办 notices.

use super::*;

/// A 督办 notice: a supervising unit's numbered notice to a unit below it, naming problems,
/// with the day by which the unit must reply.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SupervisionNotice {
    pub id: i64,
    /// As printed: 督〔year〕number号.
    #[schema(example = "督〔2026〕17号")]
    pub reference: String,
    pub year: i32,
    /// Counts up from 1 per issuing organization and year.
    pub number: i64,
    pub issuing_organization_id: i64,
    pub recipient_organization_id: i64,
    /// The coordinator who issued it; null when the escalation ladder (or an office system's
    /// token) issued it.
    pub issued_by: Option<i64>,
    /// Issued by the escalation ladder, for a problem that reached level 3 (督办).
    pub automatic: bool,
    #[schema(example = "关于督促整改DFSQ-3“物业服务投诉处理不及时”的督办通知")]
    pub subject: String,
    pub body: String,
    pub problem_ids: Vec<i64>,
    /// The last day to reply, on the recipient's calendar.
    pub reply_by: NaiveDate,
    pub reply: Option<String>,
    /// The evidence the reply cites: files attached to the problems the notice names.
    pub reply_evidence_ids: Vec<i64>,
    pub replied_by: Option<i64>,
    pub replied_at: Option<DateTime<Utc>>,
    /// Days past `reply_by` without a reply (0 when replied or not yet due).
    pub reply_days_overdue: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateSupervisionNotice {
    /// A unit strictly below the caller's organization.
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub recipient_organization_id: i64,
    /// Problems of the recipient's subtree, 1 to 100.
    #[validate(length(min = 1, max = 100, message = "must name 1 to 100 problems"))]
    #[validate(custom(function = "valid_ids"))]
    #[schema(min_items = 1, max_items = 100)]
    pub problem_ids: Vec<i64>,
    #[validate(custom(function = "valid_title"))]
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "关于督促整改物业管理问题的督办通知"
    )]
    pub subject: String,
    #[validate(custom(function = "valid_text"))]
    #[schema(max_length = 20000)]
    pub body: Option<String>,
    /// After today [default: 7 days from today].
    #[validate(custom(function = "valid_deadline"))]
    pub reply_by: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReplyToNotice {
    /// What was done, why it was late, and what comes next.
    #[validate(custom(function = "valid_title"))]
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "已约谈物业公司，制定整改计划，12月20日前完成"
    )]
    pub reply: String,
    /// Evidence to cite, 0 to 20: files already attached to the problems the notice names
    /// (`POST /api/v1/problems/{id}/evidence`) [default: none].
    #[serde(default)]
    #[validate(length(max = 20, message = "may cite at most 20 files"))]
    #[validate(custom(function = "valid_ids"))]
    #[schema(max_items = 20)]
    pub evidence_ids: Vec<i64>,
}

#[derive(Debug, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct NoticeQuery {
    /// `true`: only notices still awaiting a reply; `false`: only those replied to.
    pub awaiting_reply: Option<bool>,
}
