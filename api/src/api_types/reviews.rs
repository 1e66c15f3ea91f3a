//! Reviews and their aspects.

use super::*;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Review {
    pub id: i64,
    pub organization_id: i64,
    #[schema(example = "2023年度组织生活会")]
    pub title: String,
    pub kind: ReviewKind,
    pub held_on: NaiveDate,
    /// The report the problems were found in, as text.
    pub source_text: Option<String>,
    /// The review's aspects (方面), in order.
    #[schema(example = json!(["政治建设方面", "作风建设方面"]))]
    pub aspects: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateReview {
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub organization_id: i64,
    #[validate(custom(function = "valid_title"))]
    #[schema(min_length = 1, max_length = 500, example = "2023年度组织生活会")]
    pub title: String,
    pub kind: ReviewKind,
    pub held_on: NaiveDate,
    #[validate(length(max = 1000000, message = "must be at most 1000000 characters"))]
    pub source_text: Option<String>,
    #[validate(custom(function = "valid_aspects"))]
    #[schema(max_items = 50, example = json!(["政治建设方面", "作风建设方面"]))]
    pub aspects: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateReview {
    #[validate(custom(function = "valid_title"))]
    #[schema(min_length = 1, max_length = 500)]
    pub title: Option<String>,
    pub kind: Option<ReviewKind>,
    pub held_on: Option<NaiveDate>,
    /// `null` removes the text.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub source_text: Option<Option<String>>,
    /// Replaces the aspects; one that problems still use cannot be removed.
    #[validate(custom(function = "valid_aspects"))]
    #[schema(max_items = 50)]
    pub aspects: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// Reviews held in this organization's subtree.
    pub organization_id: Option<i64>,
    pub kind: Option<ReviewKind>,
    pub held_from: Option<NaiveDate>,
    pub held_to: Option<NaiveDate>,
    /// Text in the title.
    #[validate(length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    pub q: Option<String>,
}
