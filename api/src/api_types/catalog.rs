//! Causes and measures.

use super::*;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Cause {
    pub id: i64,
    pub review_id: i64,
    #[schema(example = "理论学习不够深入")]
    pub title: String,
    pub description: String,
    pub problem_ids: Vec<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateCause {
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub review_id: i64,
    #[validate(custom(function = "valid_title"))]
    #[schema(min_length = 1, max_length = 500, example = "理论学习不够深入")]
    pub title: String,
    #[validate(custom(function = "valid_text"))]
    #[schema(max_length = 20000)]
    pub description: Option<String>,
    /// Problems of the same review that this cause explains.
    #[validate(custom(function = "valid_ids"))]
    #[schema(max_items = 500)]
    pub problem_ids: Option<Vec<i64>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateCause {
    #[validate(custom(function = "valid_title"))]
    #[schema(min_length = 1, max_length = 500)]
    pub title: Option<String>,
    #[validate(custom(function = "valid_text"))]
    #[schema(max_length = 20000)]
    pub description: Option<String>,
    /// Replaces the linked problems.
    #[validate(custom(function = "valid_ids"))]
    #[schema(max_items = 500)]
    pub problem_ids: Option<Vec<i64>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Measure {
    pub id: i64,
    pub review_id: i64,
    #[schema(example = "加强理论武装")]
    pub title: String,
    pub description: String,
    pub owner_id: Option<i64>,
    pub deadline: Option<NaiveDate>,
    pub done: bool,
    pub done_at: Option<DateTime<Utc>>,
    pub problem_ids: Vec<i64>,
    pub overdue: bool,
    pub days_overdue: i64,
    pub warning: Warning,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateMeasure {
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub review_id: i64,
    #[validate(custom(function = "valid_title"))]
    #[schema(min_length = 1, max_length = 500, example = "加强理论武装")]
    pub title: String,
    #[validate(custom(function = "valid_text"))]
    #[schema(max_length = 20000)]
    pub description: Option<String>,
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub owner_id: Option<i64>,
    #[validate(custom(function = "valid_deadline"))]
    pub deadline: Option<NaiveDate>,
    /// Problems of the same review that this measure addresses.
    #[validate(custom(function = "valid_ids"))]
    #[schema(max_items = 500)]
    pub problem_ids: Option<Vec<i64>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeasure {
    #[validate(custom(function = "valid_title"))]
    #[schema(min_length = 1, max_length = 500)]
    pub title: Option<String>,
    #[validate(custom(function = "valid_text"))]
    #[schema(max_length = 20000)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub owner_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    #[validate(custom(function = "valid_deadline"))]
    pub deadline: Option<Option<NaiveDate>>,
    /// `true` marks the measure done (its owner or a linked problem's owner may do this).
    pub done: Option<bool>,
    /// Replaces the linked problems.
    #[validate(custom(function = "valid_ids"))]
    #[schema(max_items = 500)]
    pub problem_ids: Option<Vec<i64>>,
}

#[derive(Debug, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct CatalogQuery {
    pub review_id: Option<i64>,
    /// Only those linked to this problem.
    pub problem_id: Option<i64>,
}

#[derive(Debug, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct MeasureQuery {
    pub review_id: Option<i64>,
    /// Only those linked to this problem.
    pub problem_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub done: Option<bool>,
}
