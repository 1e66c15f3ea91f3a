//! Service accounts of office systems and their tokens.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::models::{
    NewServiceAccount, NewServiceToken, OrganizationRow, ServiceAccountChanges, ServiceAccountRow,
    ServiceTokenRow,
};
use crate::schema::organizations::dsl as o;
use crate::schema::service_accounts::dsl as a;
use crate::schema::service_tokens::dsl as t;
use crate::DbConnection;

pub fn insert(
    conn: &mut DbConnection,
    new: NewServiceAccount<'_>,
) -> QueryResult<ServiceAccountRow> {
    let id: i64 = diesel::insert_into(a::service_accounts)
        .values(&new)
        .returning(a::id)
        .get_result(conn)?;
    get(conn, id)
}

pub fn get(conn: &mut DbConnection, id: i64) -> QueryResult<ServiceAccountRow> {
    a::service_accounts
        .find(id)
        .select(ServiceAccountRow::as_select())
        .first(conn)
}

pub fn get_with_organization(
    conn: &mut DbConnection,
    id: i64,
) -> QueryResult<(ServiceAccountRow, OrganizationRow)> {
    a::service_accounts
        .inner_join(o::organizations)
        .filter(a::id.eq(id))
        .select((ServiceAccountRow::as_select(), OrganizationRow::as_select()))
        .first(conn)
}

/// Accounts in a subtree (all when `within` is None), after an id, in id order.
pub fn list(
    conn: &mut DbConnection,
    within: Option<&str>,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ServiceAccountRow>> {
    let mut query = a::service_accounts.into_boxed();
    if let Some(path) = within {
        query = query.filter(a::organization_id.eq_any(crate::orgs_within!(path)));
    }
    if let Some(after) = after {
        query = query.filter(a::id.gt(after));
    }
    query
        .order(a::id.asc())
        .limit(limit)
        .select(ServiceAccountRow::as_select())
        .load(conn)
}

pub fn update(
    conn: &mut DbConnection,
    id: i64,
    changes: &ServiceAccountChanges,
) -> QueryResult<ServiceAccountRow> {
    diesel::update(a::service_accounts.find(id))
        .set(changes)
        .execute(conn)?;
    get(conn, id)
}

pub fn insert_token(
    conn: &mut DbConnection,
    new: NewServiceToken<'_>,
) -> QueryResult<ServiceTokenRow> {
    let id: i64 = diesel::insert_into(t::service_tokens)
        .values(&new)
        .returning(t::id)
        .get_result(conn)?;
    t::service_tokens
        .find(id)
        .select(ServiceTokenRow::as_select())
        .first(conn)
}

pub fn tokens(conn: &mut DbConnection, account_id: i64) -> QueryResult<Vec<ServiceTokenRow>> {
    t::service_tokens
        .filter(t::account_id.eq(account_id))
        .order(t::id.asc())
        .select(ServiceTokenRow::as_select())
        .load(conn)
}

/// The token with this hash, its account and the account's organization.
pub fn find_token(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<(ServiceTokenRow, ServiceAccountRow, OrganizationRow)>> {
    t::service_tokens
        .inner_join(a::service_accounts.inner_join(o::organizations))
        .filter(t::token_hash.eq(token_hash))
        .select((
            ServiceTokenRow::as_select(),
            ServiceAccountRow::as_select(),
            OrganizationRow::as_select(),
        ))
        .first(conn)
        .optional()
}

pub fn revoke_token(
    conn: &mut DbConnection,
    account_id: i64,
    token_id: i64,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        t::service_tokens
            .filter(t::id.eq(token_id))
            .filter(t::account_id.eq(account_id))
            .filter(t::revoked_at.is_null()),
    )
    .set(t::revoked_at.eq(Some(at)))
    .execute(conn)
}

/// Records use at most once a minute per token, so that reads stay reads.
pub fn touch_token(
    conn: &mut DbConnection,
    token_id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let stale = now - chrono::Duration::seconds(60);
    diesel::update(
        t::service_tokens
            .filter(t::id.eq(token_id))
            .filter(t::last_used_at.is_null().or(t::last_used_at.lt(stale))),
    )
    .set(t::last_used_at.eq(Some(now)))
    .execute(conn)
}
