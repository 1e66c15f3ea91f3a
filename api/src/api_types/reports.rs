//! Reports: the ledger, the overdue report, progress and the weekly digest.

use super::*;

/// A file's bytes (a spreadsheet, a document, an evidence file): generated clients read it as
/// bytes, never as text or numbers.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // only its schema is used
pub struct BinaryFile(Vec<u8>);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LedgerFormat {
    #[default]
    Xlsx,
    Csv,
}

#[derive(Debug, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// Only this review's problems.
    #[validate(custom(function = "valid_id"))]
    #[param(minimum = 1)]
    pub review_id: Option<i64>,
    /// Problems of this organization and those below it [default: the caller's].
    #[validate(custom(function = "valid_id"))]
    #[param(minimum = 1)]
    pub organization_id: Option<i64>,
    /// `xlsx` [default] or `csv`: how callers written before `ledger.xlsx` and `ledger.csv`
    /// chose. Kept working, and left out of the OpenAPI document so that each operation there
    /// answers one type (generated clients decode by the declared type).
    #[param(ignore)]
    pub format: Option<LedgerFormat>,
}

/// Which problems a ledger file holds (`/reports/ledger.xlsx`, `/reports/ledger.csv`).
#[derive(Debug, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LedgerFileQuery {
    /// Only this review's problems.
    #[validate(custom(function = "valid_id"))]
    #[param(minimum = 1)]
    pub review_id: Option<i64>,
    /// Problems of this organization and those below it [default: the caller's].
    #[validate(custom(function = "valid_id"))]
    #[param(minimum = 1)]
    pub organization_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    #[default]
    Json,
    Csv,
    Xlsx,
    Docx,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverdueGrouping {
    /// The responsible unit (责任单位).
    #[default]
    Organization,
    Owner,
    Aspect,
    Review,
}

#[derive(Debug, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct OverdueQuery {
    /// Judge as of this date [default: today in each organization's time zone].
    pub as_of: Option<NaiveDate>,
    /// This organization and those below it [default: the caller's].
    #[validate(custom(function = "valid_id"))]
    #[param(minimum = 1)]
    pub organization_id: Option<i64>,
    /// How `groups` counts [default: organization].
    pub group_by: Option<OverdueGrouping>,
    /// `json` [default], `csv`, `xlsx` or `docx`: how callers written before `overdue.csv`,
    /// `overdue.xlsx` and `overdue.docx` chose. Kept working, and left out of the OpenAPI document so that this
    /// operation answers JSON alone there (generated clients type it as the report).
    #[param(ignore)]
    pub format: Option<ReportFormat>,
}

/// The day a review's report is written as of.
#[derive(Debug, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReviewReportQuery {
    /// The totals as they stood at the end of this day, rebuilt from the history [default:
    /// today on the review's unit's calendar].
    pub as_of: Option<NaiveDate>,
}

/// What an overdue list file holds (`/reports/overdue.xlsx`, `/reports/overdue.csv`).
#[derive(Debug, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OverdueFileQuery {
    /// Judge as of this date [default: today in each organization's time zone].
    pub as_of: Option<NaiveDate>,
    /// This organization and those below it [default: the caller's].
    #[validate(custom(function = "valid_id"))]
    #[param(minimum = 1)]
    pub organization_id: Option<i64>,
    /// How the counts sheet groups [default: organization].
    pub group_by: Option<OverdueGrouping>,
}

impl OverdueFileQuery {
    pub fn as_report_query(&self, format: ReportFormat) -> OverdueQuery {
        OverdueQuery {
            as_of: self.as_of,
            organization_id: self.organization_id,
            group_by: self.group_by,
            format: Some(format),
        }
    }
}

impl LedgerFileQuery {
    pub fn as_ledger_query(&self, format: LedgerFormat) -> LedgerQuery {
        LedgerQuery {
            review_id: self.review_id,
            organization_id: self.organization_id,
            format: Some(format),
        }
    }
}

/// An overdue or due-soon problem or measure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueItem {
    /// `problem` or `measure`.
    #[schema(example = "problem")]
    pub kind: &'static str,
    pub id: i64,
    /// The problem's key; for a measure, null.
    #[schema(example = "DFSQ-12")]
    pub key: Option<String>,
    #[schema(example = "对物业管理问题跟踪督促不够")]
    pub title: String,
    pub review_id: i64,
    #[schema(example = "2026年度组织生活会")]
    pub review_title: String,
    pub aspect: Option<String>,
    /// The responsible unit: the problem's, or the measure's review's.
    pub organization_id: i64,
    #[schema(example = "东风社区党委")]
    pub unit: String,
    pub owner_id: Option<i64>,
    #[schema(example = "张伟")]
    pub owner: Option<String>,
    pub deadline: NaiveDate,
    /// Days past the deadline (0 for due-soon items).
    pub days_overdue: i64,
    /// Days until the deadline (due-soon items; 0 when overdue).
    pub days_left: i64,
    /// A problem's status.
    pub status: Option<Status>,
    /// The problems a measure serves.
    pub problem_keys: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueGroup {
    /// The group's id (organization, owner or review id) or aspect name; `none` for items without.
    pub key: String,
    pub name: String,
    pub problems: usize,
    pub measures: usize,
}

/// Every overdue problem and measure in a subtree, most overdue first, with counts per group
/// and what falls due in the next 7 days.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueReport {
    pub as_of: Option<NaiveDate>,
    pub organization_id: i64,
    pub group_by: OverdueGrouping,
    pub overdue: Vec<OverdueItem>,
    pub groups: Vec<OverdueGroup>,
    pub due_soon: Vec<OverdueItem>,
    /// 督办 notices to units of the subtree not answered by their reply date, most overdue
    /// first.
    pub overdue_replies: Vec<OverdueReply>,
    /// Closed problems of the subtree whose re-check (回头看) date has come and that no
    /// re-check has been recorded for, most overdue first.
    pub rechecks_due: Vec<RecheckDue>,
}

/// A 督办 notice whose reply is overdue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueReply {
    pub notice_id: i64,
    #[schema(example = "督〔2026〕17号")]
    pub reference: String,
    pub subject: String,
    /// The unit that must reply.
    pub organization_id: i64,
    #[schema(example = "东风社区党委")]
    pub unit: String,
    pub reply_by: NaiveDate,
    /// Days past the reply date, on the unit's calendar.
    pub days_overdue: i64,
    /// The problems it names.
    pub problem_ids: Vec<i64>,
}

/// A closed problem whose re-check is due.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecheckDue {
    pub problem_id: i64,
    #[schema(example = "DFSQ-12")]
    pub key: String,
    pub title: String,
    pub organization_id: i64,
    #[schema(example = "东风社区党委")]
    pub unit: String,
    pub recheck_on: NaiveDate,
    /// Days since the re-check date (0 on the day itself), on the unit's calendar.
    pub days_overdue: i64,
}

#[derive(Debug, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// This organization and those below it [default: the caller's].
    #[validate(custom(function = "valid_id"))]
    #[param(minimum = 1)]
    pub organization_id: Option<i64>,
    /// Only this review's problems.
    #[validate(custom(function = "valid_id"))]
    #[param(minimum = 1)]
    pub review_id: Option<i64>,
    /// How things stood at the end of this day (each unit's calendar), rebuilt from the
    /// history [default: now].
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationProgress {
    pub organization_id: i64,
    #[schema(example = "DFSQ")]
    pub code: String,
    #[schema(example = "东风社区党委")]
    pub name: String,
    pub parent_id: Option<i64>,
    /// The organization with every one below it.
    pub figures: crate::domain::progress::Figures,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewProgress {
    pub review_id: i64,
    #[schema(example = "2026年度组织生活会")]
    pub title: String,
    pub figures: crate::domain::progress::Figures,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AspectProgress {
    pub review_id: i64,
    /// Null for problems without an aspect.
    #[schema(example = "作风建设方面")]
    pub aspect: Option<String>,
    pub figures: crate::domain::progress::Figures,
}

/// Progress per organization (rolled up the tree), per review and per aspect.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgressReport {
    pub as_of: Option<NaiveDate>,
    pub organization_id: i64,
    pub review_id: Option<i64>,
    pub total: crate::domain::progress::Figures,
    pub organizations: Vec<OrganizationProgress>,
    /// Reviews with problems in the scope, oldest first.
    pub reviews: Vec<ReviewProgress>,
    /// Per review (oldest first): its aspects in the review's own order, then its problems
    /// without an aspect.
    pub aspects: Vec<AspectProgress>,
    /// 问题反弹: problems of the scope found back from earlier reviews.
    pub recurrence: RecurrenceFigures,
}

/// 问题反弹 in a progress report's scope, as of its day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecurrenceFigures {
    /// Problems of the scope confirmed (by the day) to repeat a closed problem of an earlier
    /// review.
    pub confirmed: u64,
    /// Problems of the scope's subtree closed (by the day) in reviews held before the
    /// scope's review (without one: before the newest review of the subtree).
    pub closed_in_earlier_reviews: u64,
    /// 问题反弹率: `confirmed` ÷ `closed_in_earlier_reviews`; null when nothing was closed.
    pub recurrence_rate: Option<f64>,
    /// 年年提: problems found back across three or more reviews, one chain each, named by
    /// its newest problem in the scope.
    pub year_after_year: Vec<RecurringChain>,
}

/// One 年年提 chain: the same problem raised in review after review.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecurringChain {
    /// The chain's newest problem.
    pub problem_id: i64,
    /// How many different reviews raised it.
    pub reviews: u64,
    /// Each time it was raised, oldest review first (problems outside the caller's view are
    /// counted but not listed).
    pub problems: Vec<ChainProblem>,
}

/// A problem of a 年年提 chain.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainProblem {
    pub id: i64,
    pub key: String,
    pub title: String,
    pub review_id: i64,
    pub review_title: String,
    pub held_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DigestFormat {
    #[default]
    Json,
    Markdown,
    Html,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct DigestQuery {
    /// An ISO week [default: the last full week on the caller's calendar].
    #[param(example = "2026-W48")]
    #[validate(length(min = 7, max = 10, message = "must be an ISO week such as 2026-W48"))]
    pub week: Option<String>,
    /// `json` [default], `markdown` or `html`.
    pub format: Option<DigestFormat>,
    /// Coordinators: the digest of this organization's subtree [default: the caller's own].
    #[validate(custom(function = "valid_id"))]
    #[param(minimum = 1)]
    pub organization_id: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct DigestWeekQuery {
    #[param(example = "2026-W48")]
    #[validate(length(min = 7, max = 10, message = "must be an ISO week such as 2026-W48"))]
    pub week: String,
}

/// One recorded digest delivery: sent at most once per (week, recipient, channel).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DigestDelivery {
    pub id: i64,
    #[schema(example = "2026-W48")]
    pub week: String,
    pub recipient_id: i64,
    /// `email`, `webhook:<id>`, or `none` for an empty digest that was not sent.
    #[schema(example = "email")]
    pub channel: String,
    /// `pending`, `sending`, `sent`, `failed` or `empty`.
    #[schema(example = "sent")]
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub next_attempt_at: DateTime<Utc>,
}
