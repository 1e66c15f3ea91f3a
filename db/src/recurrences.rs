//! 问题反弹: new problems flagged as possibly repeating closed problems of earlier reviews, and
//! the coordinators' decisions on them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::problem_recurrences::dsl as pr;
use crate::schema::problems::dsl as p;
use crate::schema::reviews::dsl as r;
use crate::DbConnection;

/// The titles of the newest problems of other reviews than `review_id`, at most `limit`: a
/// picture of the ledger's wording.
pub fn latest_titles(
    conn: &mut DbConnection,
    review_id: i64,
    limit: i64,
) -> QueryResult<Vec<String>> {
    p::problems
        .filter(p::review_id.ne(review_id))
        .order(p::id.desc())
        .limit(limit)
        .select(p::title)
        .load(conn)
}

/// Closed problems of reviews held before `held_before` (not `review_id` itself, nor one still
/// being imported) whose units are in the subtree at `path`, newest first, at most `limit`:
/// (id, title, key, review). For a small ledger: it reads every problem of those reviews.
pub fn earlier_closed(
    conn: &mut DbConnection,
    path: &str,
    held_before: NaiveDate,
    review_id: i64,
    limit: i64,
) -> QueryResult<Vec<(i64, String, String, i64)>> {
    // The reviews named outright, so that the problems are read through their review's index
    // (a subquery let the planner walk every problem, newest first, looking for them).
    let earlier_reviews: Vec<i64> = r::reviews
        .filter(r::held_on.lt(held_before))
        .filter(r::importing_until.is_null())
        .filter(r::id.ne(review_id))
        .select(r::id)
        .load(conn)?;
    if earlier_reviews.is_empty() {
        return Ok(Vec::new());
    }
    p::problems
        .filter(p::status.eq("closed"))
        .filter(p::review_id.eq_any(earlier_reviews))
        .filter(p::organization_id.eq_any(crate::orgs_within!(path)))
        .order(p::id.desc())
        .limit(limit)
        .select((p::id, p::title, p::key, p::review_id))
        .load(conn)
}

/// A closed problem a new one may repeat: (id, title, key, review).
pub type Candidate = (i64, String, String, i64);

/// The closed problems of reviews held before `held_before` (not `review_id` itself, nor one
/// still being imported) in the subtree at `path`, newest first, when the subtree holds at most
/// `limit` closed problems in all; `None` when it holds more. A unit's own history is small
/// however large the ledger: it is read through the units' index (`problems_unit_status_idx`),
/// whatever words the rest of the ledger repeats.
pub fn earlier_closed_nearby(
    conn: &mut DbConnection,
    path: &str,
    held_before: NaiveDate,
    review_id: i64,
    limit: i64,
) -> QueryResult<Option<Vec<Candidate>>> {
    let closed: Vec<i64> = p::problems
        .filter(p::organization_id.eq_any(crate::orgs_within!(path)))
        .filter(p::status.eq("closed"))
        .select(p::id)
        .limit(limit + 1)
        .load(conn)?;
    if closed.len() as i64 > limit {
        return Ok(None);
    }
    let earlier = diesel::dsl::exists(
        r::reviews
            .filter(r::id.eq(p::review_id))
            .filter(r::held_on.lt(held_before))
            .filter(r::importing_until.is_null()),
    );
    let mut rows: Vec<Candidate> = p::problems
        .filter(p::organization_id.eq_any(crate::orgs_within!(path)))
        .filter(p::status.eq("closed"))
        .filter(p::review_id.ne(review_id))
        .filter(earlier)
        .select((p::id, p::title, p::key, p::review_id))
        .load(conn)?;
    rows.sort_unstable_by_key(|row| std::cmp::Reverse(row.0));
    Ok(Some(rows))
}

/// Closed problems of reviews held before `held_before` (not `review_id` itself, nor one still
/// being imported) whose units are in the subtree at `path` and whose words (the search index)
/// hold all of `grams`, newest first: (id, title, key, review).
pub fn earlier_closed_holding(
    conn: &mut DbConnection,
    path: &str,
    held_before: NaiveDate,
    review_id: i64,
    grams: &[u32],
    limit: i64,
) -> QueryResult<Vec<(i64, String, String, i64)>> {
    if grams.is_empty() {
        return Ok(Vec::new());
    }
    let on_sqlite = matches!(conn, DbConnection::Sqlite(_));
    let earlier_reviews = r::reviews
        .filter(r::held_on.lt(held_before))
        .filter(r::importing_until.is_null())
        .filter(r::id.ne(review_id))
        .select(r::id);
    p::problems
        .filter(crate::search::holding(on_sqlite, grams))
        .filter(p::status.eq("closed"))
        .filter(p::review_id.eq_any(earlier_reviews))
        .filter(p::organization_id.eq_any(crate::orgs_within!(path)))
        .order(p::id.desc())
        .limit(limit)
        .select((p::id, p::title, p::key, p::review_id))
        .load(conn)
}

/// A review's organization and the day it was held, whether or not it is still being imported.
pub fn review_of(conn: &mut DbConnection, review_id: i64) -> QueryResult<(i64, NaiveDate)> {
    r::reviews
        .find(review_id)
        .select((r::organization_id, r::held_on))
        .first(conn)
}

/// Flags `problem_id` as possibly repeating `earlier_id`.
pub fn flag(
    conn: &mut DbConnection,
    problem_id: i64,
    earlier_id: i64,
    score: f64,
) -> QueryResult<()> {
    diesel::insert_into(pr::problem_recurrences)
        .values((
            pr::problem_id.eq(problem_id),
            pr::earlier_id.eq(earlier_id),
            pr::score.eq(score),
        ))
        .execute(conn)?;
    Ok(())
}

/// One flag as a reader sees it: (problem, earlier problem, its key, its review, score,
/// decision).
pub type Flag = (i64, i64, String, i64, f64, Option<String>);

/// The flags of these problems, best score first.
pub fn of_problems(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Flag>> {
    pr::problem_recurrences
        .inner_join(p::problems.on(p::id.eq(pr::earlier_id)))
        .filter(pr::problem_id.eq_any(ids))
        .order((pr::problem_id.asc(), pr::score.desc(), pr::earlier_id.asc()))
        .select((
            pr::problem_id,
            pr::earlier_id,
            p::key,
            p::review_id,
            pr::score,
            pr::decision,
        ))
        .load(conn)
}

/// Records a decision on a flag; false when there is no such flag.
pub fn decide(
    conn: &mut DbConnection,
    problem_id: i64,
    earlier_id: i64,
    decision: &str,
    by: Option<i64>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        pr::problem_recurrences
            .filter(pr::problem_id.eq(problem_id))
            .filter(pr::earlier_id.eq(earlier_id)),
    )
    .set((
        pr::decision.eq(Some(decision)),
        pr::decided_by.eq(by),
        pr::decided_at.eq(Some(at)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Confirmed recurrences decided by `until` of the problems of the subtree at `path` (of
/// `review_id` alone when given): (problem, the earlier problem it repeats).
pub fn confirmed_within(
    conn: &mut DbConnection,
    path: &str,
    review_id: Option<i64>,
    until: NaiveDateTime,
) -> QueryResult<Vec<(i64, i64)>> {
    let mut query = pr::problem_recurrences
        .inner_join(p::problems.on(p::id.eq(pr::problem_id)))
        .filter(pr::decision.eq("confirmed"))
        .filter(pr::decided_at.le(until))
        .filter(p::organization_id.eq_any(crate::orgs_within!(path)))
        .select((pr::problem_id, pr::earlier_id))
        .into_boxed();
    if let Some(review_id) = review_id {
        query = query.filter(p::review_id.eq(review_id));
    }
    query.load(conn)
}

/// Confirmed recurrences decided by `until` of these problems, to follow a chain back.
pub fn confirmed_of(
    conn: &mut DbConnection,
    ids: &[i64],
    until: NaiveDateTime,
) -> QueryResult<Vec<(i64, i64)>> {
    crate::in_chunks(ids, |ids| {
        pr::problem_recurrences
            .filter(pr::decision.eq("confirmed"))
            .filter(pr::decided_at.le(until))
            .filter(pr::problem_id.eq_any(ids))
            .select((pr::problem_id, pr::earlier_id))
            .load(conn)
    })
}

/// One problem of a recurrence chain, as a report lists it.
#[derive(Debug, Clone, Queryable)]
pub struct ChainProblem {
    pub id: i64,
    pub key: String,
    pub title: String,
    pub organization_id: i64,
    pub review_id: i64,
    pub review_title: String,
    pub held_on: NaiveDate,
}

/// These problems with their reviews.
pub fn chain_problems(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<ChainProblem>> {
    crate::in_chunks(ids, |ids| {
        p::problems
            .inner_join(r::reviews)
            .filter(p::id.eq_any(ids))
            .select((
                p::id,
                p::key,
                p::title,
                p::organization_id,
                p::review_id,
                r::title,
                r::held_on,
            ))
            .load(conn)
    })
}
