//! Row structs: what a query reads (`…Row`), what an insert writes (`New…`) and what an
//! update changes (`…Changes`). They never leave the server as JSON; the API has its own types.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{organizations, users};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub path: String,
    pub timezone: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = organizations)]
pub struct NewOrganization<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub parent_id: Option<i64>,
    pub path: &'a str,
    pub timezone: &'a str,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = organizations)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub active: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: String,
    pub organization_id: i64,
    pub password_hash: String,
    pub active: bool,
    pub password_changed_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub email: Option<&'a str>,
    pub role: &'a str,
    pub organization_id: i64,
    pub password_hash: &'a str,
    pub active: bool,
    pub password_changed_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// `None` leaves a column as it is; `email: Some(None)` clears the address.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub email: Option<Option<String>>,
    pub role: Option<String>,
    pub organization_id: Option<i64>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
    pub password_changed_at: Option<NaiveDateTime>,
    pub updated_at: Option<NaiveDateTime>,
}
