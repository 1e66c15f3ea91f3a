//! Schemas of the domain's types as the API documents them. The domain knows nothing of
//! utoipa: each type here mirrors one of its types field for field, under the same name.

use std::borrow::Cow;

use chrono::NaiveDate;
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

use crate::domain::digest::DigestLine;
use crate::domain::progress::{OutcomeCounts, StatusCounts};

/// Gives a domain type the schema of its mirror.
macro_rules! schema_of {
    ($domain:ty => $mirror:ty) => {
        impl utoipa::PartialSchema for $domain {
            fn schema() -> RefOr<Schema> {
                <$mirror as utoipa::PartialSchema>::schema()
            }
        }

        impl ToSchema for $domain {
            fn name() -> Cow<'static, str> {
                <$mirror as ToSchema>::name()
            }

            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                <$mirror as ToSchema>::schemas(schemas)
            }
        }
    };
}

/// What a user may do (DOMAIN.md "Who sees what").
#[derive(ToSchema)]
#[schema(as = Role)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub(super) enum RoleSchema {
    Admin,
    Coordinator,
    Owner,
    Auditor,
}

schema_of!(crate::domain::role::Role => RoleSchema);

/// What found the problems (检视 / 会议 / 反馈).
#[derive(ToSchema)]
#[schema(as = ReviewKind)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub(super) enum ReviewKindSchema {
    /// 组织生活会
    OrganizationalLife,
    /// 民主生活会
    DemocraticLife,
    /// 主题教育专题会
    ThemeEducation,
    /// 巡视/巡察反馈
    InspectionFeedback,
    /// 审计反馈
    Audit,
    Other,
}

schema_of!(crate::domain::vocab::ReviewKind => ReviewKindSchema);

/// How a problem is to be fixed.
#[derive(ToSchema)]
#[schema(as = ProblemKind)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub(super) enum ProblemKindSchema {
    /// 立行立改
    Immediate,
    /// 限期整改
    Scheduled,
    /// 长期坚持: needs no deadline.
    LongTerm,
}

schema_of!(crate::domain::vocab::ProblemKind => ProblemKindSchema);

#[derive(ToSchema)]
#[schema(as = Status)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub(super) enum StatusSchema {
    Draft,
    Open,
    InProgress,
    Submitted,
    Closed,
    Cancelled,
}

schema_of!(crate::domain::workflow::Status => StatusSchema);

#[derive(ToSchema)]
#[schema(as = Action)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub(super) enum ActionSchema {
    Confirm,
    Start,
    Submit,
    Verify,
    Reject,
    Reopen,
    Cancel,
    /// 签收: the owner or a coordinator of the unit takes the task on (once; `start` does it
    /// too); the status stays.
    Acknowledge,
    /// A coordinator sets a later review date (`review_on`) for a problem closed as
    /// continuing, with the reason; the status stays.
    DeferReview,
    /// 未整改: an auditor finds a closed problem was not fixed and reopens it, with the reason.
    MarkUnrectified,
    /// Taken by the service alone, never by a caller: a continuing problem reopens on its
    /// review date.
    Reactivate,
}

schema_of!(crate::domain::workflow::Action => ActionSchema);

/// Whether the responsible unit acknowledged the problem (签收) in time.
#[derive(ToSchema)]
#[schema(as = Acknowledgement)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub(super) enum AcknowledgementSchema {
    Pending,
    OnTime,
    Late,
}

schema_of!(crate::domain::supervision::Acknowledgement => AcknowledgementSchema);

/// 红黄绿: the light of a problem being worked on.
#[derive(ToSchema)]
#[schema(as = Light)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub(super) enum LightSchema {
    Green,
    Yellow,
    Red,
}

schema_of!(crate::domain::supervision::Light => LightSchema);

/// How a closing came out.
#[derive(ToSchema)]
#[schema(as = Outcome)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub(super) enum OutcomeSchema {
    /// 已整改
    Rectified,
    /// 持续整改: closed for now, reopened on its review date.
    Continuing,
    /// 未整改: found by an auditor and reopened.
    Unrectified,
}

schema_of!(crate::domain::supervision::Outcome => OutcomeSchema);

/// What a re-check (回头看) found.
#[derive(ToSchema)]
#[schema(as = RecheckOutcome)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub(super) enum RecheckOutcomeSchema {
    /// The fix held.
    Held,
    /// 问题反弹: the problem came back and is reopened.
    Recurred,
}

schema_of!(crate::domain::supervision::RecheckOutcome => RecheckOutcomeSchema);

/// A coordinator's decision on a flagged recurrence (问题反弹).
#[derive(ToSchema)]
#[schema(as = RecurrenceDecisionKind)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub(super) enum RecurrenceDecisionKindSchema {
    /// The same problem came back.
    Confirm,
    /// A different problem that reads alike.
    Dismiss,
}

schema_of!(crate::domain::recurrence::Decision => RecurrenceDecisionKindSchema);

#[derive(ToSchema)]
#[schema(as = Warning)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub(super) enum WarningSchema {
    None,
    DueSoon,
    Overdue,
}

schema_of!(crate::domain::deadline::Warning => WarningSchema);

/// Counts by status.
#[derive(ToSchema)]
#[schema(as = StatusCounts)]
#[allow(dead_code)]
pub(super) struct StatusCountsSchema {
    pub draft: u64,
    pub open: u64,
    pub in_progress: u64,
    pub submitted: u64,
    pub closed: u64,
    pub cancelled: u64,
}

schema_of!(crate::domain::progress::StatusCounts => StatusCountsSchema);

/// Closed problems by the outcome of their closing.
#[derive(ToSchema)]
#[schema(as = OutcomeCounts)]
#[allow(dead_code)]
pub(super) struct OutcomeCountsSchema {
    /// 已整改.
    pub rectified: u64,
    /// 持续整改: closed for now, reopened on its review date.
    pub continuing: u64,
}

schema_of!(crate::domain::progress::OutcomeCounts => OutcomeCountsSchema);

/// The figures for a set of problems.
#[derive(ToSchema)]
#[schema(as = Figures)]
#[allow(dead_code)]
pub(super) struct FiguresSchema {
    pub total: u64,
    pub by_status: StatusCounts,
    /// closed ÷ (all − cancelled); null when there is nothing to complete.
    pub completion_rate: Option<f64>,
    /// Closed without being late ÷ closed; null when nothing is closed.
    pub on_time_rate: Option<f64>,
    /// Open or in progress past the deadline on the day.
    pub overdue: u64,
    /// Open or in progress and due within the 7 days from the day (the day included).
    pub due_soon: u64,
    pub average_days_to_close: Option<f64>,
    pub extensions_granted: u64,
    /// The closed problems split by outcome (they sum to `by_status.closed`).
    pub closed_by_outcome: OutcomeCounts,
    /// Reopened by an auditor as 未整改 and not closed again since.
    pub unrectified: u64,
    /// Confirmed problems acknowledged (签收), or whose last day to acknowledge has passed.
    pub acknowledgements_due: u64,
    /// 及时签收率: acknowledged by the last day ÷ acknowledgements due; null when none is due.
    pub acknowledged_on_time_rate: Option<f64>,
}

schema_of!(crate::domain::progress::Figures => FiguresSchema);

/// One line of a digest.
#[derive(ToSchema)]
#[schema(as = DigestLine)]
#[allow(dead_code)]
pub(super) struct DigestLineSchema {
    #[schema(example = "DFSQ-12")]
    pub key: String,
    #[schema(example = "对物业管理问题跟踪督促不够")]
    pub title: String,
    #[schema(example = "东风社区党委")]
    pub unit: String,
    pub owner: Option<String>,
    pub deadline: Option<NaiveDate>,
    /// Overdue lines: days past the deadline; waiting lines: days waiting; due lines: days left.
    pub days: i64,
}

schema_of!(crate::domain::digest::DigestLine => DigestLineSchema);

#[derive(ToSchema)]
#[schema(as = Digest)]
#[allow(dead_code)]
pub(super) struct DigestSchema {
    #[schema(example = "2026-W48")]
    pub week: String,
    /// The week as dates.
    #[schema(example = "11月23日—11月29日")]
    pub period: String,
    pub recipient_id: i64,
    #[schema(example = "张伟")]
    pub recipient: String,
    /// The day the lists are judged on: the week's Sunday, or today for the current week.
    pub as_of: NaiveDate,
    pub newly_overdue: Vec<DigestLine>,
    pub still_overdue: Vec<DigestLine>,
    pub due_next_7_days: Vec<DigestLine>,
    /// Submitted more than 3 days ago and not yet verified.
    pub waiting_verification: Vec<DigestLine>,
    pub pending_extensions: Vec<DigestLine>,
    /// Being worked on and not acknowledged (签收) after the last day to; `days`: days late.
    pub not_acknowledged: Vec<DigestLine>,
    /// Closed, and their re-check (回头看) is due: for coordinators to look again.
    pub recheck_due: Vec<DigestLine>,
    /// 督办 notices to the recipient's units not answered by their reply date: `key` is the
    /// reference (督〔2026〕17号), `title` the subject, `deadline` the reply date; `days`: days
    /// late.
    pub overdue_replies: Vec<DigestLine>,
    /// Problems of units the recipient leads, as the escalation ladder tells them: a leader in
    /// charge (分管领导) from yellow on, a head (主要负责人) from red on.
    pub escalated: Vec<DigestLine>,
    /// Problems the recipient watches (抄送), red or yellow.
    pub watched: Vec<DigestLine>,
    pub closed_this_week: Vec<DigestLine>,
    pub completion_rate: Option<f64>,
    pub completion_rate_last_week: Option<f64>,
    /// This week's rate minus last week's, in percentage points.
    pub completion_change: Option<f64>,
}

schema_of!(crate::domain::digest::Digest => DigestSchema);
