//! The organization tree.

use super::*;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Organization {
    pub id: i64,
    /// Short code; the prefix of the organization's problem keys.
    #[schema(example = "DFSQ")]
    pub code: String,
    #[schema(example = "东风社区党委")]
    pub name: String,
    /// Null only for the root organization.
    pub parent_id: Option<i64>,
    /// IANA time zone in which the organization's deadlines fall due.
    #[schema(example = "Asia/Shanghai")]
    pub timezone: String,
    pub active: bool,
    /// Whether a problem needs evidence before it can be submitted; null inherits the
    /// parent's setting.
    pub evidence_required: Option<bool>,
    /// The setting in force: this organization's, else the nearest ancestor's, else true.
    pub evidence_required_effective: bool,
    /// Days a unit has to acknowledge (签收) a problem once it is confirmed; null inherits
    /// the parent's setting.
    #[schema(minimum = 0, maximum = 730, example = 3)]
    pub acknowledge_days: Option<i32>,
    /// The setting in force: this organization's, else the nearest ancestor's, else 3.
    pub acknowledge_days_effective: i32,
    /// Days before a deadline when a problem's light turns yellow; null inherits the parent's
    /// setting.
    #[schema(minimum = 0, maximum = 730, example = 7)]
    pub warn_days: Option<i32>,
    /// The setting in force: this organization's, else the nearest ancestor's, else 7.
    pub warn_days_effective: i32,
    /// Days after a rectified closing when its coordinators re-check it (回头看); 0: never;
    /// null inherits the parent's setting.
    #[schema(minimum = 0, maximum = 730, example = 90)]
    pub recheck_days: Option<i32>,
    /// The setting in force: this organization's, else the nearest ancestor's, else 90.
    pub recheck_days_effective: i32,
    /// Days a problem stays red (overdue) before it becomes a 督办 (escalation level 3); null
    /// inherits the parent's setting.
    #[schema(minimum = 0, maximum = 730, example = 14)]
    pub escalate_after_days: Option<i32>,
    /// The setting in force: this organization's, else the nearest ancestor's, else 14.
    pub escalate_after_days_effective: i32,
    /// The leader in charge (分管领导), told of the unit's problems from yellow on.
    pub leader_id: Option<i64>,
    /// The head of the unit (主要负责人), told of its problems from red on.
    pub head_id: Option<i64>,
    /// How the scorecard (红黑榜) of its child units weighs their figures; null inherits the
    /// parent's setting.
    pub scorecard_weights: Option<ScorecardWeights>,
    /// The weights in force: this organization's, else the nearest ancestor's, else 40, 30,
    /// 30, 2, 0.1, 5 and 5.
    pub scorecard_weights_effective: ScorecardWeights,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Organization {
    pub fn from_row(row: OrganizationRow, policy: crate::service::organizations::Policy) -> Self {
        let scorecard_weights = crate::service::organizations::own_weights(&row).map(Into::into);
        Self {
            id: row.id,
            code: row.code,
            name: row.name,
            parent_id: row.parent_id,
            timezone: row.timezone,
            active: row.active,
            evidence_required: row.evidence_required,
            evidence_required_effective: policy.evidence_required,
            acknowledge_days: row.acknowledge_days,
            acknowledge_days_effective: policy.acknowledge_days,
            warn_days: row.warn_days,
            warn_days_effective: policy.warn_days,
            recheck_days: row.recheck_days,
            recheck_days_effective: policy.recheck_days,
            escalate_after_days: row.escalate_after_days,
            escalate_after_days_effective: policy.escalate_after_days,
            leader_id: row.leader_id,
            head_id: row.head_id,
            scorecard_weights,
            scorecard_weights_effective: policy.scorecard_weights.into(),
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganization {
    /// 1 to 32 letters, digits, `_` or `-`; stored upper-case; unique.
    #[validate(custom(function = "valid_org_code"))]
    #[schema(pattern = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$", example = "DFSQ")]
    pub code: String,
    #[validate(custom(function = "valid_name"))]
    #[schema(min_length = 1, max_length = 200, example = "东风社区党委")]
    pub name: String,
    /// The parent organization [default: the root organization].
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub parent_id: Option<i64>,
    /// [default: the parent's time zone]
    #[validate(custom(function = "valid_timezone"))]
    #[schema(example = "Asia/Shanghai")]
    pub timezone: Option<String>,
    /// Whether problems need evidence before submission [default: inherit the parent's].
    pub evidence_required: Option<bool>,
    /// Days to acknowledge (签收) a confirmed problem [default: inherit the parent's].
    #[validate(custom(function = "valid_policy_days"))]
    #[schema(minimum = 0, maximum = 730)]
    pub acknowledge_days: Option<i32>,
    /// Days before a deadline when the light turns yellow [default: inherit the parent's].
    #[validate(custom(function = "valid_policy_days"))]
    #[schema(minimum = 0, maximum = 730)]
    pub warn_days: Option<i32>,
    /// Days after a rectified closing when it is re-checked (回头看), 0 for never [default:
    /// inherit the parent's].
    #[validate(custom(function = "valid_policy_days"))]
    #[schema(minimum = 0, maximum = 730)]
    pub recheck_days: Option<i32>,
    /// Days red before a 督办 [default: inherit the parent's].
    #[validate(custom(function = "valid_policy_days"))]
    #[schema(minimum = 0, maximum = 730)]
    pub escalate_after_days: Option<i32>,
    /// The leader in charge (分管领导): an active user.
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub leader_id: Option<i64>,
    /// The head of the unit (主要负责人): an active user.
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub head_id: Option<i64>,
    /// How its scorecard weighs its child units' figures [default: inherit the parent's].
    pub scorecard_weights: Option<ScorecardWeights>,
}

/// How a scorecard (红黑榜) weighs each figure, every weight from 0 to 1000. The score is
/// `on_time`·按期完成率 + `acknowledged`·及时签收率 + `rechecks_held`·回头看巩固率 (a rate
/// with nothing to measure counts in full), less `per_overdue` per problem overdue at the
/// period's end, `per_overdue_day` per day overdue, `per_recurrence` per confirmed recurrence
/// and `per_notice` per 督办 notice received.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScorecardWeights {
    #[schema(minimum = 0, maximum = 1000, example = 40.0)]
    pub on_time: f64,
    #[schema(minimum = 0, maximum = 1000, example = 30.0)]
    pub acknowledged: f64,
    #[schema(minimum = 0, maximum = 1000, example = 30.0)]
    pub rechecks_held: f64,
    #[schema(minimum = 0, maximum = 1000, example = 2.0)]
    pub per_overdue: f64,
    #[schema(minimum = 0, maximum = 1000, example = 0.1)]
    pub per_overdue_day: f64,
    #[schema(minimum = 0, maximum = 1000, example = 5.0)]
    pub per_recurrence: f64,
    #[schema(minimum = 0, maximum = 1000, example = 5.0)]
    pub per_notice: f64,
}

impl From<crate::domain::scorecard::Weights> for ScorecardWeights {
    fn from(w: crate::domain::scorecard::Weights) -> Self {
        Self {
            on_time: w.on_time,
            acknowledged: w.acknowledged,
            rechecks_held: w.rechecks_held,
            per_overdue: w.per_overdue,
            per_overdue_day: w.per_overdue_day,
            per_recurrence: w.per_recurrence,
            per_notice: w.per_notice,
        }
    }
}

impl From<ScorecardWeights> for crate::domain::scorecard::Weights {
    fn from(w: ScorecardWeights) -> Self {
        Self {
            on_time: w.on_time,
            acknowledged: w.acknowledged,
            rechecks_held: w.rechecks_held,
            per_overdue: w.per_overdue,
            per_overdue_day: w.per_overdue_day,
            per_recurrence: w.per_recurrence,
            per_notice: w.per_notice,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganization {
    #[validate(custom(function = "valid_name"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// Moves the organization, with its whole subtree, under another parent.
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub parent_id: Option<i64>,
    #[validate(custom(function = "valid_timezone"))]
    pub timezone: Option<String>,
    /// `false` deactivates, `true` reactivates.
    pub active: Option<bool>,
    /// `null` inherits the parent's setting again.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub evidence_required: Option<Option<bool>>,
    /// `null` inherits the parent's setting again.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(custom(function = "valid_policy_days"))]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 730)]
    pub acknowledge_days: Option<Option<i32>>,
    /// `null` inherits the parent's setting again.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(custom(function = "valid_policy_days"))]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 730)]
    pub warn_days: Option<Option<i32>>,
    /// `null` inherits the parent's setting again.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(custom(function = "valid_policy_days"))]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 730)]
    pub recheck_days: Option<Option<i32>>,
    /// `null` inherits the parent's setting again.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(custom(function = "valid_policy_days"))]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 730)]
    pub escalate_after_days: Option<Option<i32>>,
    /// `null` names no one.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(custom(function = "valid_id"))]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub leader_id: Option<Option<i64>>,
    /// `null` names no one.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(custom(function = "valid_id"))]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub head_id: Option<Option<i64>>,
    /// `null` inherits the parent's weights again.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ScorecardWeights>)]
    pub scorecard_weights: Option<Option<ScorecardWeights>>,
}

#[derive(Debug, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct OrganizationQuery {
    /// Only the direct children of this organization.
    pub parent_id: Option<i64>,
    /// Only this subtree (the organization itself and everything below it).
    pub within: Option<i64>,
    pub active: Option<bool>,
    /// Text in the code or name.
    #[validate(length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    pub q: Option<String>,
}
