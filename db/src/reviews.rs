//! Reviews (the meeting or feedback that found the problems) and their ordered aspects.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::models::{NewReview, ReviewChanges, ReviewRow};
use crate::organizations::{like_escape, lower};
use crate::schema::problems::dsl as p;
use crate::schema::review_aspects::dsl as a;
use crate::schema::reviews::dsl as r;
use crate::DbConnection;

/// The ids of reviews whose import is still being written, as a subquery: they, and the
/// problems, causes and measures they hold, are hidden from every reader until it ends.
#[macro_export]
macro_rules! staged_reviews {
    () => {
        $crate::schema::reviews::table
            .select($crate::schema::reviews::id)
            .filter($crate::schema::reviews::importing_until.is_not_null())
    };
}

pub fn insert(
    conn: &mut DbConnection,
    new: NewReview<'_>,
    aspects: &[String],
) -> QueryResult<ReviewRow> {
    let id: i64 = diesel::insert_into(r::reviews)
        .values(&new)
        .returning(r::id)
        .get_result(conn)?;
    replace_aspects(conn, id, aspects)?;
    r::reviews
        .find(id)
        .select(ReviewRow::as_select())
        .first(conn)
}

/// A review that readers may see (not one still being imported).
pub fn get(conn: &mut DbConnection, id: i64) -> QueryResult<ReviewRow> {
    r::reviews
        .find(id)
        .filter(r::importing_until.is_null())
        .select(ReviewRow::as_select())
        .first(conn)
}

pub fn aspects(conn: &mut DbConnection, review_id: i64) -> QueryResult<Vec<String>> {
    a::review_aspects
        .filter(a::review_id.eq(review_id))
        .order(a::position.asc())
        .select(a::name)
        .load(conn)
}

pub fn aspects_of(
    conn: &mut DbConnection,
    review_ids: &[i64],
) -> QueryResult<HashMap<i64, Vec<String>>> {
    let rows: Vec<(i64, String)> = a::review_aspects
        .filter(a::review_id.eq_any(review_ids))
        .order((a::review_id.asc(), a::position.asc()))
        .select((a::review_id, a::name))
        .load(conn)?;
    let mut map: HashMap<i64, Vec<String>> = HashMap::new();
    for (review, name) in rows {
        map.entry(review).or_default().push(name);
    }
    Ok(map)
}

pub fn replace_aspects(
    conn: &mut DbConnection,
    review_id: i64,
    aspects: &[String],
) -> QueryResult<()> {
    diesel::delete(a::review_aspects.filter(a::review_id.eq(review_id))).execute(conn)?;
    for (position, name) in aspects.iter().enumerate() {
        diesel::insert_into(a::review_aspects)
            .values((
                a::review_id.eq(review_id),
                a::position.eq(position as i32),
                a::name.eq(name),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Updates a review if it is still at `version`; `None` when another write got there first.
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    version: i64,
    changes: &ReviewChanges,
) -> QueryResult<Option<ReviewRow>> {
    let n = diesel::update(
        r::reviews
            .filter(r::id.eq(id))
            .filter(r::version.eq(version)),
    )
    .set((changes, r::version.eq(r::version + 1)))
    .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    get(conn, id).map(Some)
}

/// Problems of this review that use this aspect.
pub fn aspect_use(conn: &mut DbConnection, review_id: i64, aspect: &str) -> QueryResult<i64> {
    p::problems
        .filter(p::review_id.eq(review_id))
        .filter(p::aspect.eq(aspect))
        .count()
        .get_result(conn)
}

/// Whether a review has a problem in the subtree with this path (so a caller there sees it).
pub fn has_problem_within(
    conn: &mut DbConnection,
    review_id: i64,
    path: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        p::problems
            .filter(p::review_id.eq(review_id))
            .filter(p::organization_id.eq_any(crate::orgs_within!(path))),
    ))
    .get_result(conn)
}

#[derive(Debug, Default, Clone)]
pub struct ReviewFilter {
    /// The caller's subtree: reviews held there, or with a problem there.
    pub visible_within: Option<String>,
    /// Reviews held by organizations in this subtree.
    pub organization_path: Option<String>,
    pub kind: Option<String>,
    pub held_from: Option<NaiveDate>,
    pub held_to: Option<NaiveDate>,
    pub q: Option<String>,
}

fn filtered(
    filter: &ReviewFilter,
) -> crate::schema::reviews::BoxedQuery<'static, <DbConnection as Connection>::Backend> {
    let mut query = r::reviews.filter(r::importing_until.is_null()).into_boxed();
    if let Some(path) = &filter.visible_within {
        query = query.filter(
            r::organization_id
                .eq_any(crate::orgs_within!(path))
                .or(r::id.eq_any(
                    p::problems
                        .select(p::review_id)
                        .filter(p::organization_id.eq_any(crate::orgs_within!(path))),
                )),
        );
    }
    if let Some(path) = &filter.organization_path {
        query = query.filter(r::organization_id.eq_any(crate::orgs_within!(path)));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(r::kind.eq(kind.clone()));
    }
    if let Some(from) = filter.held_from {
        query = query.filter(r::held_on.ge(from));
    }
    if let Some(to) = filter.held_to {
        query = query.filter(r::held_on.le(to));
    }
    if let Some(q) = &filter.q {
        query = query.filter(
            lower(r::title)
                .like(format!("%{}%", like_escape(&q.to_lowercase())))
                .escape('\\'),
        );
    }
    query
}

/// Newest first (by id), after `before_id`.
pub fn list(
    conn: &mut DbConnection,
    filter: &ReviewFilter,
    before_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ReviewRow>> {
    let mut query = filtered(filter);
    if let Some(before) = before_id {
        query = query.filter(r::id.lt(before));
    }
    query
        .order(r::id.desc())
        .limit(limit)
        .select(ReviewRow::as_select())
        .load(conn)
}

pub fn count_filtered(conn: &mut DbConnection, filter: &ReviewFilter) -> QueryResult<i64> {
    filtered(filter).count().get_result(conn)
}

/// The titles of these reviews that readers may see, by id.
pub fn titles_of(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
    let rows = crate::in_chunks(ids, |ids| {
        r::reviews
            .filter(r::id.eq_any(ids))
            .filter(r::importing_until.is_null())
            .select((r::id, r::title))
            .load::<(i64, String)>(conn)
    })?;
    Ok(rows.into_iter().collect())
}

/// The day each of these reviews was held.
pub fn held_on_of(
    conn: &mut DbConnection,
    ids: &[i64],
) -> QueryResult<Vec<(i64, chrono::NaiveDate)>> {
    crate::in_chunks(ids, |ids| {
        r::reviews
            .filter(r::id.eq_any(ids))
            .select((r::id, r::held_on))
            .load(conn)
    })
}
