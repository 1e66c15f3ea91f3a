//! Request and response bodies of the HTTP API: shapes, validation rules and schema, no
//! business logic. Database rows are converted here and never serialised directly.

use chrono::{DateTime, NaiveDateTime, Utc};
use rectify_db::models::{OrganizationRow, UserRow};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::domain::{identity, Role};

fn rule(
    result: Result<impl Sized, &'static str>,
    code: &'static str,
) -> Result<(), ValidationError> {
    result
        .map(|_| ())
        .map_err(|message| ValidationError::new(code).with_message(message.into()))
}

fn valid_org_code(v: &str) -> Result<(), ValidationError> {
    rule(identity::normalize_org_code(v), "org_code")
}
fn valid_username(v: &str) -> Result<(), ValidationError> {
    rule(identity::normalize_username(v), "username")
}
fn valid_timezone(v: &str) -> Result<(), ValidationError> {
    rule(identity::check_timezone(v), "timezone")
}
fn valid_password(v: &str) -> Result<(), ValidationError> {
    rule(identity::check_password(v), "password")
}
fn valid_name(v: &str) -> Result<(), ValidationError> {
    rule(identity::normalize_display_name(v), "length")
}
fn valid_id(v: i64) -> Result<(), ValidationError> {
    if v > 0 {
        Ok(())
    } else {
        Err(ValidationError::new("range").with_message("must be a positive id".into()))
    }
}

/// Tells a missing field (`None`) from an explicit `null` (`Some(None)`), for fields that
/// `PATCH` can clear.
fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

// ---------------------------------------------------------------- problems

/// An error, as RFC 9457 problem details (`application/problem+json`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemDetails {
    /// A URI naming the kind of problem: `urn:rectify:problem:<code>`.
    #[serde(rename = "type")]
    #[schema(example = "urn:rectify:problem:validation_failed")]
    pub problem_type: String,
    #[schema(example = "Unprocessable Entity")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    #[schema(example = "`code`: may hold only letters A-Z, digits, '_' and '-'")]
    pub detail: String,
    /// Stable machine-readable code.
    #[schema(example = "validation_failed")]
    pub code: String,
    /// Each failing field, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<crate::error::FieldError>,
}

// ---------------------------------------------------------------- lists

#[derive(Debug, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 200 [default: 50].
    #[validate(range(min = 1, max = 200, message = "must be 1 to 200"))]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Also count all matching items (costs one more query).
    pub total: Option<bool>,
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// All matching items; present when `total=true` was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

// ---------------------------------------------------------------- auth

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 64, message = "must be 1 to 64 characters"))]
    #[schema(example = "admin")]
    pub username: String,
    #[validate(length(min = 1, max = 128, message = "must be 1 to 128 characters"))]
    #[schema(example = "correct horse battery staple")]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the token expires.
    #[schema(example = 28800)]
    pub expires_in: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    pub organization: Organization,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[validate(length(min = 1, max = 128, message = "must be 1 to 128 characters"))]
    pub old_password: String,
    #[validate(custom(function = "valid_password"))]
    #[schema(min_length = 8, max_length = 128)]
    pub new_password: String,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    #[validate(custom(function = "valid_password"))]
    #[schema(min_length = 8, max_length = 128)]
    pub new_password: String,
}

// ---------------------------------------------------------------- organizations

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
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Organization {
    pub fn from_row(row: OrganizationRow, evidence_required_effective: bool) -> Self {
        Self {
            id: row.id,
            code: row.code,
            name: row.name,
            parent_id: row.parent_id,
            timezone: row.timezone,
            active: row.active,
            evidence_required: row.evidence_required,
            evidence_required_effective,
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

// ---------------------------------------------------------------- users

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    #[schema(example = "zhang.wei")]
    pub username: String,
    #[schema(example = "张伟")]
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub organization_id: i64,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = crate::error::Error;
    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        Ok(Self {
            role: row
                .role
                .parse()
                .map_err(|e| crate::error::Error::internal(format!("user {}: {e}", row.id)))?,
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            email: row.email,
            organization_id: row.organization_id,
            active: row.active,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// 2 to 64 letters, digits, `.`, `_`, `-` or `@`; stored lower-case; unique.
    #[validate(custom(function = "valid_username"))]
    #[schema(pattern = r"^[A-Za-z0-9._@-]{2,64}$", example = "zhang.wei")]
    pub username: String,
    #[validate(custom(function = "valid_name"))]
    #[schema(min_length = 1, max_length = 200, example = "张伟")]
    pub display_name: String,
    #[validate(email(message = "must be an email address"))]
    pub email: Option<String>,
    pub role: Role,
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub organization_id: i64,
    /// The initial password, 8 to 128 characters. Never returned.
    #[validate(custom(function = "valid_password"))]
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[validate(custom(function = "valid_name"))]
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: Option<String>,
    /// `null` removes the address.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    pub role: Option<Role>,
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub organization_id: Option<i64>,
    /// `false` deactivates (the user's tokens stop working at once), `true` reactivates.
    pub active: Option<bool>,
}

impl UpdateUser {
    /// validator cannot see inside `Option<Option<_>>`; the email rule is checked here.
    pub fn check_email(&self) -> Result<(), crate::error::Error> {
        if let Some(Some(email)) = &self.email {
            if !validator::ValidateEmail::validate_email(email) {
                return Err(crate::error::Error::invalid_field(
                    "email",
                    "email",
                    "must be an email address",
                ));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only users of this organization (not its subtree).
    pub organization_id: Option<i64>,
    /// Only users of this subtree.
    pub within: Option<i64>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// Text in the username, display name or email.
    #[validate(length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    pub q: Option<String>,
}

// ---------------------------------------------------------------- health

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

// ---------------------------------------------------------------- tickets

use crate::domain::deadline::Warning;
use crate::domain::vocab::{ProblemKind, ReviewKind};
use crate::domain::workflow::{Action, Status};
use chrono::NaiveDate;

fn valid_title(v: &str) -> Result<(), ValidationError> {
    let n = v.trim().chars().count();
    if n == 0 {
        Err(ValidationError::new("length").with_message("must not be empty".into()))
    } else if n > 500 {
        Err(ValidationError::new("length").with_message("must be at most 500 characters".into()))
    } else {
        Ok(())
    }
}

fn valid_text(v: &str) -> Result<(), ValidationError> {
    if v.chars().count() > 20_000 {
        Err(ValidationError::new("length").with_message("must be at most 20000 characters".into()))
    } else {
        Ok(())
    }
}

fn valid_ids(v: &[i64]) -> Result<(), ValidationError> {
    if v.len() > 500 {
        return Err(ValidationError::new("length").with_message("may hold at most 500 ids".into()));
    }
    if v.iter().any(|id| *id <= 0) {
        return Err(ValidationError::new("range").with_message("must hold positive ids".into()));
    }
    Ok(())
}

fn valid_aspects(v: &[String]) -> Result<(), ValidationError> {
    if v.len() > 50 {
        return Err(
            ValidationError::new("length").with_message("may hold at most 50 aspects".into())
        );
    }
    let mut seen = std::collections::HashSet::new();
    for name in v {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ValidationError::new("length")
                .with_message("each aspect must be 1 to 200 characters".into()));
        }
        if !seen.insert(name) {
            return Err(ValidationError::new("unique")
                .with_message("aspects must differ from each other".into()));
        }
    }
    Ok(())
}

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

// ---------------------------------------------------------------- closing out

/// An evidence file's record; the bytes are at `content_url`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    pub id: i64,
    pub problem_id: i64,
    #[schema(example = "整改会议纪要.pdf")]
    pub file_name: String,
    /// Judged from the file's bytes.
    #[schema(example = "application/pdf")]
    pub content_type: String,
    pub size: i64,
    /// SHA-256 of the bytes, in hex.
    pub sha256: String,
    #[schema(example = "专题会议纪要及签到表")]
    pub description: String,
    pub uploaded_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// Set when the file was removed (it stays on record).
    pub removed_at: Option<DateTime<Utc>>,
    #[schema(example = "/api/v1/evidence/7/content")]
    pub content_url: String,
}

impl Evidence {
    /// Where an evidence file's bytes are served.
    pub fn content_url(id: i64) -> String {
        format!("/api/v1/evidence/{id}/content")
    }
}

/// The multipart form of an evidence upload.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadEvidence {
    /// JPEG, PNG, PDF, DOCX, XLSX or UTF-8 text, up to the configured size.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    #[schema(example = "专题会议纪要及签到表")]
    pub description: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvidenceQuery {
    /// Also list removed files.
    pub include_removed: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionStatus {
    Pending,
    Approved,
    Refused,
}

impl ExtensionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExtensionStatus::Pending => "pending",
            ExtensionStatus::Approved => "approved",
            ExtensionStatus::Refused => "refused",
        }
    }
}

/// A request to move a problem's deadline (延期申请).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Extension {
    pub id: i64,
    pub problem_id: i64,
    pub requested_by: Option<i64>,
    pub previous_deadline: NaiveDate,
    pub new_deadline: NaiveDate,
    #[schema(example = "需协调区住建部门，原定时限内无法完成")]
    pub reason: String,
    pub status: ExtensionStatus,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateExtension {
    /// Later than the current deadline.
    pub new_deadline: NaiveDate,
    #[validate(custom(function = "valid_title"))]
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "需协调区住建部门，原定时限内无法完成"
    )]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ExtensionDecision {
    pub approve: bool,
    /// Required when refusing: the reason the owner will read.
    #[validate(custom(function = "valid_text"))]
    #[schema(max_length = 20000)]
    pub note: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExtensionQuery {
    pub status: Option<ExtensionStatus>,
    pub problem_id: Option<i64>,
}

// ---------------------------------------------------------------- import

/// A report to import as text.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ImportReport {
    /// The report (对照检查材料) as plain text, one paragraph per line.
    #[validate(length(min = 1, max = 1000000, message = "must be 1 to 1000000 characters"))]
    #[schema(
        min_length = 1,
        max_length = 1000000,
        example = "一、存在问题\n（一）作风建设方面：一是调研不深入。二是会议多、落实少。\n二、原因剖析\n一是宗旨意识不强。\n三、整改措施\n（一）改进作风。每月走访群众不少于四次。"
    )]
    pub text: String,
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub organization_id: i64,
    #[validate(custom(function = "valid_title"))]
    #[schema(min_length = 1, max_length = 500, example = "2026年度组织生活会")]
    pub title: String,
    pub kind: ReviewKind,
    pub held_on: NaiveDate,
}

impl ImportReport {
    pub fn review_fields(&self) -> ImportedReviewFields {
        ImportedReviewFields {
            organization_id: self.organization_id,
            title: self.title.clone(),
            kind: self.kind,
            held_on: self.held_on,
        }
    }
}

/// The review that an import creates.
#[derive(Debug, Clone, Validate)]
pub struct ImportedReviewFields {
    #[validate(custom(function = "valid_id"))]
    pub organization_id: i64,
    #[validate(custom(function = "valid_title"))]
    pub title: String,
    pub kind: ReviewKind,
    pub held_on: NaiveDate,
}

/// A report or ledger to import as a file: `.txt` (UTF-8), `.docx` or `.xlsx`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the multipart form; the handler reads the parts one by one
pub struct ImportUpload {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    pub organization_id: i64,
    #[schema(example = "2026年度组织生活会")]
    pub title: String,
    pub kind: ReviewKind,
    pub held_on: NaiveDate,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Only show what would be created; write nothing.
    pub dry_run: Option<bool>,
}

/// Where an imported item came from: lines of a report, or a row of a sheet.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportSource {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedProblem {
    /// Null in a dry run.
    pub id: Option<i64>,
    #[schema(example = "DFSQ-12")]
    pub key: Option<String>,
    pub aspect: Option<String>,
    #[schema(example = "调研不深入")]
    pub title: String,
    pub description: String,
    pub organization_id: i64,
    pub owner_id: Option<i64>,
    pub deadline: Option<NaiveDate>,
    pub kind: ProblemKind,
    /// Indexes into `causes` and `measures` that the sheet links to this problem.
    pub cause_indexes: Vec<usize>,
    pub measure_indexes: Vec<usize>,
    pub source: ImportSource,
}

/// A problem that a cause or measure may address; confirm by setting its `problem_ids`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuggestedLink {
    pub problem_index: usize,
    /// Null in a dry run.
    pub problem_id: Option<i64>,
    /// Shared character bigrams, 0 to 1.
    #[schema(example = 0.31)]
    pub score: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedEntry {
    /// Null in a dry run.
    pub id: Option<i64>,
    #[schema(example = "加强理论武装")]
    pub title: String,
    pub description: String,
    pub source: ImportSource,
    /// From a report only; nothing is linked until a coordinator confirms.
    pub suggested_problems: Vec<SuggestedLink>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportWarning {
    /// `numbering_gap`, `missing_shi`, `unnumbered_item`, `maybe_two_items`, `empty_section`,
    /// `missing_section`, `unknown_section`, `unnumbered_aspect`, `no_sections`, `several_owners`.
    #[schema(example = "missing_shi")]
    pub code: String,
    #[schema(example = "item 2 is numbered without 是; read as an item")]
    pub message: String,
    /// Source line (reports); 0 means the whole document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Sheet row and cell (ledgers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "G5")]
    pub cell: Option<String>,
}

/// What an import created, or in a dry run would create.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportResult {
    pub dry_run: bool,
    /// `report` (text or Word) or `ledger` (a sheet).
    #[schema(example = "report")]
    pub source_kind: &'static str,
    /// The review created; null in a dry run.
    pub review: Option<Review>,
    pub aspects: Vec<String>,
    pub problems: Vec<ImportedProblem>,
    pub causes: Vec<ImportedEntry>,
    pub measures: Vec<ImportedEntry>,
    pub warnings: Vec<ImportWarning>,
}

// ---------------------------------------------------------------- reports

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
    /// `xlsx` [default] or `csv` (UTF-8 with BOM).
    pub format: Option<LedgerFormat>,
}

// ---------------------------------------------------------------- audit

#[derive(Debug, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// `problem`, `review`, `user`, `organization`, `cause`, `measure`, `note`, `evidence`,
    /// `extension`, `service_account`, `service_token`, `webhook`, `delivery`, `session`.
    #[validate(length(min = 1, max = 50, message = "must be 1 to 50 characters"))]
    pub entity_type: Option<String>,
    #[validate(length(min = 1, max = 50, message = "must be 1 to 50 characters"))]
    pub entity_id: Option<String>,
    /// `user:<id>`, `service:<id>`, `cli` or `anonymous`.
    #[validate(length(min = 1, max = 80, message = "must be 1 to 80 characters"))]
    pub actor: Option<String>,
    #[validate(length(min = 1, max = 80, message = "must be 1 to 80 characters"))]
    #[param(example = "problem.transition")]
    pub action: Option<String>,
    /// Entries at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Entries before this time.
    pub to: Option<DateTime<Utc>>,
}

/// One write, as the audit log keeps it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    #[schema(example = "user:3")]
    pub actor: String,
    #[schema(example = "zhang.wei")]
    pub actor_name: String,
    pub request_id: Option<String>,
    #[schema(example = "problem.transition")]
    pub action: String,
    #[schema(example = "problem")]
    pub entity_type: String,
    pub entity_id: Option<String>,
    /// Each changed field as `[before, after]` (`before` is null on creation).
    #[schema(value_type = Object, example = json!({"status": ["open", "in_progress"]}))]
    pub changes: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The result of recomputing the whole chain.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditVerification {
    pub ok: bool,
    pub entries: i64,
    /// The sequence number of the first entry that does not hold; null when all do.
    pub first_broken: Option<i64>,
}

// ---------------------------------------------------------------- service accounts

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Read what the account's subtree holds.
    Read,
    /// Also create and change records (implies `read`).
    Write,
}

#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateServiceAccount {
    #[validate(custom(function = "valid_name"))]
    #[schema(min_length = 1, max_length = 200, example = "区委组织部党建平台")]
    pub name: String,
    /// The subtree the account works in.
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub organization_id: i64,
    #[validate(length(min = 1, max = 2, message = "must name read, write or both"))]
    #[schema(min_items = 1, example = json!(["read", "write"]))]
    pub scopes: Vec<Scope>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateServiceAccount {
    #[validate(custom(function = "valid_name"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[validate(length(min = 1, max = 2, message = "must name read, write or both"))]
    pub scopes: Option<Vec<Scope>>,
    /// `false` stops every token of the account at once.
    pub active: Option<bool>,
}

/// A token of a service account; the secret itself is shown only when it is made.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceToken {
    pub id: i64,
    /// The token's first characters, to tell tokens apart.
    #[schema(example = "rct_3f9a1c2b")]
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceAccount {
    pub id: i64,
    #[schema(example = "区委组织部党建平台")]
    pub name: String,
    pub organization_id: i64,
    pub scopes: Vec<Scope>,
    pub active: bool,
    /// When any of its tokens was last used.
    pub last_used_at: Option<DateTime<Utc>>,
    pub tokens: Vec<ServiceToken>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new token: `token` is shown this once and stored only as a hash.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuedServiceToken {
    #[schema(example = "rct_3f9a1c2b…")]
    pub token: String,
    pub token_id: i64,
    pub account: ServiceAccount,
}

// ---------------------------------------------------------------- webhooks

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
    /// problem.created, problem.transitioned, problem.overdue, extension.requested,
    /// extension.decided, digest.weekly.
    #[validate(length(min = 1, max = 6, message = "must name 1 to 6 events"))]
    #[schema(min_items = 1, example = json!(["problem.created", "problem.overdue"]))]
    pub events: Vec<String>,
    /// Events about this organization's subtree are sent.
    #[validate(custom(function = "valid_id"))]
    #[schema(minimum = 1)]
    pub organization_id: i64,
    /// Signs each delivery (HMAC-SHA256); never shown again.
    #[validate(length(min = 16, max = 200, message = "must be 16 to 200 characters"))]
    #[schema(min_length = 16, max_length = 200)]
    pub secret: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    #[validate(length(min = 8, max = 2000, message = "must be 8 to 2000 characters"))]
    pub url: Option<String>,
    #[validate(length(min = 1, max = 6, message = "must name 1 to 6 events"))]
    pub events: Option<Vec<String>>,
    #[validate(length(min = 16, max = 200, message = "must be 16 to 200 characters"))]
    pub secret: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
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

// ---------------------------------------------------------------- batch

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

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    #[default]
    Json,
    Csv,
    Xlsx,
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
    /// `json` [default], `csv` (UTF-8 with BOM) or `xlsx`.
    pub format: Option<ReportFormat>,
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
    pub reviews: Vec<ReviewProgress>,
    pub aspects: Vec<AspectProgress>,
}

// ---------------------------------------------------------------- digest

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
    /// An ISO week.
    #[param(example = "2026-W48")]
    #[validate(length(min = 7, max = 10, message = "must be an ISO week such as 2026-W48"))]
    pub week: String,
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
