//! User queries.

use diesel::prelude::*;

use crate::models::{NewUser, OrganizationRow, UserChanges, UserRow};
use crate::organizations::{like_escape, lower};
use crate::schema::organizations::dsl as o;
use crate::schema::users::dsl as u;
use crate::DbConnection;

pub fn insert(conn: &mut DbConnection, new: NewUser<'_>) -> QueryResult<UserRow> {
    let id: i64 = diesel::insert_into(u::users)
        .values(&new)
        .returning(u::id)
        .get_result(conn)?;
    get(conn, id)
}

pub fn get(conn: &mut DbConnection, id: i64) -> QueryResult<UserRow> {
    u::users.find(id).select(UserRow::as_select()).first(conn)
}

/// The user with their organization, as authentication needs both.
pub fn get_with_organization(
    conn: &mut DbConnection,
    id: i64,
) -> QueryResult<(UserRow, OrganizationRow)> {
    u::users
        .inner_join(o::organizations)
        .filter(u::id.eq(id))
        .select((UserRow::as_select(), OrganizationRow::as_select()))
        .first(conn)
}

/// The number every change to a caller's credentials moves on (the migration's triggers move
/// it, whoever makes the change): while it stays, a caller checked earlier stands as checked.
pub fn credentials_generation(conn: &mut DbConnection) -> QueryResult<i64> {
    use crate::schema::credentials_generation::dsl as g;
    g::credentials_generation
        .filter(g::id.eq(1))
        .select(g::generation)
        .first(conn)
}

/// As [`get_with_organization`], `None` when there is no such user.
pub fn find_with_organization(
    conn: &mut DbConnection,
    id: i64,
) -> QueryResult<Option<(UserRow, OrganizationRow)>> {
    get_with_organization(conn, id).optional()
}

pub fn find_by_username(
    conn: &mut DbConnection,
    username: &str,
) -> QueryResult<Option<(UserRow, OrganizationRow)>> {
    u::users
        .inner_join(o::organizations)
        .filter(u::username.eq(username))
        .select((UserRow::as_select(), OrganizationRow::as_select()))
        .first(conn)
        .optional()
}

/// Users whose display name or username is exactly `name` (usernames are lower-case), with
/// their organizations: an imported sheet names owners the way people write them.
pub fn find_by_name(
    conn: &mut DbConnection,
    name: &str,
) -> QueryResult<Vec<(UserRow, OrganizationRow)>> {
    u::users
        .inner_join(o::organizations)
        .filter(
            u::display_name
                .eq(name)
                .or(u::username.eq(name.to_lowercase())),
        )
        .order(u::id.asc())
        .select((UserRow::as_select(), OrganizationRow::as_select()))
        .load(conn)
}

pub fn get_many(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<UserRow>> {
    crate::in_chunks(ids, |ids| {
        u::users
            .filter(u::id.eq_any(ids))
            .select(UserRow::as_select())
            .load(conn)
    })
}

pub fn username_taken(conn: &mut DbConnection, username: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        u::users.filter(u::username.eq(username)),
    ))
    .get_result(conn)
}

#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    /// Only users of organizations in this subtree (a path such as "/1/4/").
    pub within_path: Option<String>,
    pub organization_id: Option<i64>,
    pub role: Option<String>,
    pub active: Option<bool>,
    /// Matches username, display name or email, case-insensitively.
    pub q: Option<String>,
}

fn filtered(
    filter: &UserFilter,
) -> crate::schema::users::BoxedQuery<'static, <DbConnection as Connection>::Backend> {
    let mut query = u::users.into_boxed();
    if let Some(path) = &filter.within_path {
        query = query.filter(
            u::organization_id.eq_any(
                o::organizations
                    .select(o::id)
                    .filter(o::path.like(format!("{}%", like_escape(path))).escape('\\')),
            ),
        );
    }
    if let Some(org) = filter.organization_id {
        query = query.filter(u::organization_id.eq(org));
    }
    if let Some(role) = &filter.role {
        query = query.filter(u::role.eq(role.clone()));
    }
    if let Some(active) = filter.active {
        query = query.filter(u::active.eq(active));
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", like_escape(&q.to_lowercase()));
        query = query.filter(
            lower(u::username)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(u::display_name).like(pattern.clone()).escape('\\'))
                .or(lower(u::email.assume_not_null()).like(pattern).escape('\\')),
        );
    }
    query
}

pub fn list(
    conn: &mut DbConnection,
    filter: &UserFilter,
    after_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<UserRow>> {
    let mut query = filtered(filter);
    if let Some(after) = after_id {
        query = query.filter(u::id.gt(after));
    }
    query
        .order(u::id.asc())
        .limit(limit)
        .select(UserRow::as_select())
        .load(conn)
}

pub fn count_filtered(conn: &mut DbConnection, filter: &UserFilter) -> QueryResult<i64> {
    filtered(filter).count().get_result(conn)
}

pub fn update(conn: &mut DbConnection, id: i64, changes: &UserChanges) -> QueryResult<UserRow> {
    diesel::update(u::users.find(id))
        .set(changes)
        .execute(conn)?;
    get(conn, id)
}

pub fn count_active_admins(conn: &mut DbConnection) -> QueryResult<i64> {
    u::users
        .filter(u::role.eq("admin"))
        .filter(u::active.eq(true))
        .count()
        .get_result(conn)
}

pub fn count_active_in_organization(conn: &mut DbConnection, org_id: i64) -> QueryResult<i64> {
    u::users
        .filter(u::organization_id.eq(org_id))
        .filter(u::active.eq(true))
        .count()
        .get_result(conn)
}

/// Active users of these roles, with their organizations (the digest's recipients).
pub fn active_with_roles(
    conn: &mut DbConnection,
    roles: &[&str],
) -> QueryResult<Vec<(UserRow, OrganizationRow)>> {
    u::users
        .inner_join(o::organizations)
        .filter(u::active.eq(true))
        .filter(o::active.eq(true))
        .filter(u::role.eq_any(roles))
        .order(u::id.asc())
        .select((UserRow::as_select(), OrganizationRow::as_select()))
        .load(conn)
}

/// The active coordinators of one organization (not of those below it).
pub fn coordinators_of(conn: &mut DbConnection, organization_id: i64) -> QueryResult<Vec<UserRow>> {
    u::users
        .filter(u::organization_id.eq(organization_id))
        .filter(u::active.eq(true))
        .filter(u::role.eq("coordinator"))
        .order(u::id.asc())
        .limit(100)
        .select(UserRow::as_select())
        .load(conn)
}
