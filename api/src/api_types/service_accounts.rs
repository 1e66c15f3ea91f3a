//! Office systems' accounts and their tokens.

use super::*;

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
