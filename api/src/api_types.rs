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
pub struct Problem {
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
    pub new_password: String,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    #[validate(custom(function = "valid_password"))]
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
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<OrganizationRow> for Organization {
    fn from(row: OrganizationRow) -> Self {
        Self {
            id: row.id,
            code: row.code,
            name: row.name,
            parent_id: row.parent_id,
            timezone: row.timezone,
            active: row.active,
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
    #[schema(example = "DFSQ")]
    pub code: String,
    #[validate(custom(function = "valid_name"))]
    #[schema(example = "东风社区党委")]
    pub name: String,
    /// The parent organization [default: the root organization].
    #[validate(custom(function = "valid_id"))]
    pub parent_id: Option<i64>,
    /// [default: the parent's time zone]
    #[validate(custom(function = "valid_timezone"))]
    #[schema(example = "Asia/Shanghai")]
    pub timezone: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganization {
    #[validate(custom(function = "valid_name"))]
    pub name: Option<String>,
    /// Moves the organization, with its whole subtree, under another parent.
    #[validate(custom(function = "valid_id"))]
    pub parent_id: Option<i64>,
    #[validate(custom(function = "valid_timezone"))]
    pub timezone: Option<String>,
    /// `false` deactivates, `true` reactivates.
    pub active: Option<bool>,
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
    #[schema(example = "zhang.wei")]
    pub username: String,
    #[validate(custom(function = "valid_name"))]
    #[schema(example = "张伟")]
    pub display_name: String,
    #[validate(email(message = "must be an email address"))]
    pub email: Option<String>,
    pub role: Role,
    #[validate(custom(function = "valid_id"))]
    pub organization_id: i64,
    /// The initial password, 8 to 128 characters. Never returned.
    #[validate(custom(function = "valid_password"))]
    pub password: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[validate(custom(function = "valid_name"))]
    pub display_name: Option<String>,
    /// `null` removes the address.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    pub role: Option<Role>,
    #[validate(custom(function = "valid_id"))]
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
