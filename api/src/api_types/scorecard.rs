//! The unit scorecard (红黑榜).

use super::*;

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ScorecardQuery {
    /// Its child units are ranked [default: the caller's organization].
    #[validate(custom(function = "valid_id"))]
    #[param(minimum = 1)]
    pub organization_id: Option<i64>,
    /// The first day of the period, on the organization's calendar [default: 1 January of
    /// this year].
    pub from: Option<NaiveDate>,
    /// The last day of the period [default: today].
    pub to: Option<NaiveDate>,
    /// `json` [default], `csv` or `xlsx`.
    pub format: Option<ScorecardFormat>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScorecardFormat {
    #[default]
    Json,
    Csv,
    Xlsx,
}

/// One child unit on the scorecard, with its subtree's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScorecardUnit {
    pub rank: usize,
    pub organization_id: i64,
    #[schema(example = "DFSQ")]
    pub code: String,
    #[schema(example = "东风社区党委")]
    pub name: String,
    /// Problems closed out (verified) in the period.
    pub closed: u64,
    /// Of those, submitted by their deadline.
    pub closed_on_time: u64,
    /// `closed_on_time / closed` (按期完成率); null with nothing closed.
    pub on_time_rate: Option<f64>,
    /// Problems whose last day to acknowledge fell in the period.
    pub acknowledgements_due: u64,
    pub acknowledged_on_time: u64,
    /// 及时签收率; null with nothing due.
    pub acknowledged_on_time_rate: Option<f64>,
    /// Open or in progress and past the deadline at the end of `to`.
    pub overdue: u64,
    pub overdue_days: u64,
    /// Problems written in the period confirmed to repeat an earlier one (问题反弹).
    pub recurrences: u64,
    pub rechecks_held: u64,
    pub rechecks_recurred: u64,
    /// held / (held + recurred); null without re-checks.
    pub rechecks_held_rate: Option<f64>,
    /// 督办 notices received in the period.
    pub notices_received: u64,
    /// By the scorecard's `weights` (the defaults: 40·on_time_rate +
    /// 30·acknowledged_on_time_rate + 30·rechecks_held_rate, a rate with nothing to measure
    /// counting in full, − 2 per problem overdue − 0.1 per day overdue − 5 per recurrence − 5
    /// per notice received); one decimal.
    pub score: f64,
}

/// Child units ranked over a period (红黑榜), best first; equal scores share a rank.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Scorecard {
    pub organization_id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The weights of the score: the organization's policy (`scorecard_weights_effective`).
    pub weights: ScorecardWeights,
    pub units: Vec<ScorecardUnit>,
}
