//! 抄送: users and organizations watching a problem or a whole review.

use diesel::prelude::*;

use crate::models::{NewWatcher, WatcherRow};
use crate::schema::organizations::dsl as o;
use crate::schema::watchers::dsl as w;
use crate::DbConnection;

/// At most this many watchers per problem or review.
pub const MAX_PER_RECORD: i64 = 200;

pub fn insert(conn: &mut DbConnection, new: NewWatcher) -> QueryResult<WatcherRow> {
    let id: i64 = diesel::insert_into(w::watchers)
        .values(&new)
        .returning(w::id)
        .get_result(conn)?;
    get(conn, id)
}

pub fn get(conn: &mut DbConnection, id: i64) -> QueryResult<WatcherRow> {
    w::watchers
        .find(id)
        .select(WatcherRow::as_select())
        .first(conn)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(w::watchers.find(id)).execute(conn)
}

/// The watchers of a problem (`problem_id`) or of a review (`review_id`), oldest first.
pub fn of_record(
    conn: &mut DbConnection,
    problem_id: Option<i64>,
    review_id: Option<i64>,
) -> QueryResult<Vec<WatcherRow>> {
    let mut query = w::watchers.into_boxed();
    query = match (problem_id, review_id) {
        (Some(p), _) => query.filter(w::problem_id.eq(p)),
        (None, Some(r)) => query.filter(w::review_id.eq(r)),
        (None, None) => return Ok(Vec::new()),
    };
    query
        .order(w::id.asc())
        .limit(MAX_PER_RECORD)
        .select(WatcherRow::as_select())
        .load(conn)
}

/// Whether the problem (directly, or through its review) is watched by this user or by one of
/// these organizations (the user's own and those above it).
pub fn watched_by(
    conn: &mut DbConnection,
    problem_id: i64,
    review_id: i64,
    user_id: i64,
    organization_ids: &[i64],
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        w::watchers
            .filter(w::problem_id.eq(problem_id).or(w::review_id.eq(review_id)))
            .filter(
                w::user_id
                    .eq(user_id)
                    .or(w::organization_id.eq_any(organization_ids)),
            ),
    ))
    .get_result(conn)
}

/// The paths of the organizations watching a problem (directly or through its review).
pub fn organization_paths(
    conn: &mut DbConnection,
    problem_id: i64,
    review_id: i64,
) -> QueryResult<Vec<String>> {
    w::watchers
        .inner_join(o::organizations.on(o::id.nullable().eq(w::organization_id)))
        .filter(w::problem_id.eq(problem_id).or(w::review_id.eq(review_id)))
        .select(o::path)
        .distinct()
        .load(conn)
}

/// What this user watches, directly or through one of these organizations (their own and
/// those above it): (problem ids, review ids), at most `limit` records.
pub fn records_watched_by(
    conn: &mut DbConnection,
    user_id: i64,
    organization_ids: &[i64],
    limit: i64,
) -> QueryResult<(Vec<i64>, Vec<i64>)> {
    let rows: Vec<(Option<i64>, Option<i64>)> = w::watchers
        .filter(
            w::user_id
                .eq(user_id)
                .or(w::organization_id.eq_any(organization_ids)),
        )
        .order(w::id.asc())
        .limit(limit)
        .select((w::problem_id, w::review_id))
        .load(conn)?;
    Ok((
        rows.iter().filter_map(|(p, _)| *p).collect(),
        rows.iter().filter_map(|(_, r)| *r).collect(),
    ))
}
