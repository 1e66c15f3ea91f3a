//! People and their roles.

use super::*;

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
