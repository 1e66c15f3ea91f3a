//! Organization queries. The tree is kept as a materialised `path` of ids.

use diesel::prelude::*;

use crate::models::{NewOrganization, OrganizationChanges, OrganizationRow};
use crate::schema::organizations::dsl as o;
use crate::DbConnection;

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// The ids of organizations in the subtree with this path, as a subquery. A macro because
/// boxed subqueries do not pass through diesel's MultiConnection backend.
#[macro_export]
macro_rules! orgs_within {
    ($path:expr) => {
        $crate::schema::organizations::table
            .select($crate::schema::organizations::id)
            .filter(
                $crate::schema::organizations::path
                    .like(format!("{}%", $crate::organizations::like_escape($path)))
                    .escape('\\'),
            )
    };
}

/// Escapes LIKE wildcards in user text; used with `ESCAPE '\'` on both backends.
pub fn like_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

// RETURNING a whole row (`as_returning`) does not pass through diesel's MultiConnection, so
// writes return the id and the row is read back in the same transaction.

/// Inserts an organization under `parent` (None only for the root) and fills in its path.
pub fn insert(
    conn: &mut DbConnection,
    new: NewOrganization<'_>,
    parent_path: Option<&str>,
) -> QueryResult<OrganizationRow> {
    let id: i64 = diesel::insert_into(o::organizations)
        .values(&new)
        .returning(o::id)
        .get_result(conn)?;
    let path = format!("{}{}/", parent_path.unwrap_or("/"), id);
    diesel::update(o::organizations.find(id))
        .set(o::path.eq(&path))
        .execute(conn)?;
    get(conn, id)
}

pub fn get(conn: &mut DbConnection, id: i64) -> QueryResult<OrganizationRow> {
    o::organizations
        .find(id)
        .select(OrganizationRow::as_select())
        .first(conn)
}

pub fn find_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<OrganizationRow>> {
    o::organizations
        .filter(o::code.eq(code))
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()
}

pub fn root(conn: &mut DbConnection) -> QueryResult<Option<OrganizationRow>> {
    o::organizations
        .filter(o::parent_id.is_null())
        .order(o::id.asc())
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    o::organizations.count().get_result(conn)
}

#[derive(Debug, Default, Clone)]
pub struct OrganizationFilter {
    /// Only this subtree (a path such as "/1/4/"), itself included.
    pub within_path: Option<String>,
    pub parent_id: Option<i64>,
    pub active: Option<bool>,
    /// Matches code or name, case-insensitively.
    pub q: Option<String>,
}

fn filtered(
    filter: &OrganizationFilter,
) -> crate::schema::organizations::BoxedQuery<'static, <DbConnection as diesel::Connection>::Backend>
{
    let mut query = o::organizations.into_boxed();
    if let Some(path) = &filter.within_path {
        query = query.filter(o::path.like(format!("{}%", like_escape(path))).escape('\\'));
    }
    if let Some(parent) = filter.parent_id {
        query = query.filter(o::parent_id.eq(parent));
    }
    if let Some(active) = filter.active {
        query = query.filter(o::active.eq(active));
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", like_escape(&q.to_lowercase()));
        query = query.filter(
            lower(o::code)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(o::name).like(pattern).escape('\\')),
        );
    }
    query
}

/// A page in id order, after `after_id`.
pub fn list(
    conn: &mut DbConnection,
    filter: &OrganizationFilter,
    after_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<OrganizationRow>> {
    let mut query = filtered(filter);
    if let Some(after) = after_id {
        query = query.filter(o::id.gt(after));
    }
    query
        .order(o::id.asc())
        .limit(limit)
        .select(OrganizationRow::as_select())
        .load(conn)
}

pub fn count_filtered(conn: &mut DbConnection, filter: &OrganizationFilter) -> QueryResult<i64> {
    filtered(filter).count().get_result(conn)
}

/// Every organization, in id order.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<OrganizationRow>> {
    o::organizations
        .order(o::id.asc())
        .select(OrganizationRow::as_select())
        .load(conn)
}

/// Organizations strictly below the one with this path, deepest last.
pub fn descendants(conn: &mut DbConnection, path: &str) -> QueryResult<Vec<OrganizationRow>> {
    o::organizations
        .filter(o::path.like(format!("{}%", like_escape(path))).escape('\\'))
        .filter(o::path.ne(path))
        .order(o::path.asc())
        .select(OrganizationRow::as_select())
        .load(conn)
}

pub fn update(
    conn: &mut DbConnection,
    id: i64,
    changes: &OrganizationChanges,
) -> QueryResult<OrganizationRow> {
    diesel::update(o::organizations.find(id))
        .set(changes)
        .execute(conn)?;
    get(conn, id)
}

/// Moves an organization (and so its whole subtree) under a new parent.
pub fn reparent(
    conn: &mut DbConnection,
    org: &OrganizationRow,
    new_parent: &OrganizationRow,
) -> QueryResult<()> {
    let new_path = format!("{}{}/", new_parent.path, org.id);
    for child in descendants(conn, &org.path)? {
        let moved = format!("{}{}", new_path, &child.path[org.path.len()..]);
        diesel::update(o::organizations.find(child.id))
            .set(o::path.eq(moved))
            .execute(conn)?;
    }
    diesel::update(o::organizations.find(org.id))
        .set((o::parent_id.eq(new_parent.id), o::path.eq(new_path)))
        .execute(conn)?;
    Ok(())
}

pub fn count_active_children(conn: &mut DbConnection, id: i64) -> QueryResult<i64> {
    o::organizations
        .filter(o::parent_id.eq(id))
        .filter(o::active.eq(true))
        .count()
        .get_result(conn)
}

pub fn get_many(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<OrganizationRow>> {
    crate::in_chunks(ids, |ids| {
        o::organizations
            .filter(o::id.eq_any(ids))
            .select(OrganizationRow::as_select())
            .load(conn)
    })
}

/// The units that name this user as their leader in charge (分管领导) or head (主要负责人).
pub fn led_by(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<OrganizationRow>> {
    o::organizations
        .filter(o::leader_id.eq(user_id).or(o::head_id.eq(user_id)))
        .filter(o::active.eq(true))
        .order(o::id.asc())
        .select(OrganizationRow::as_select())
        .load(conn)
}
