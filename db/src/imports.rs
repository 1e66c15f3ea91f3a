//! Large imports written in parts: a review stays hidden (`importing_until` set) while its
//! problems, causes and measures are written in short transactions, and is either published
//! at the end or removed, part by part, when its import failed or its process died.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::causes::dsl as c;
use crate::schema::measures::dsl as m;
use crate::schema::problem_causes::dsl as pc;
use crate::schema::problem_history::dsl as h;
use crate::schema::problem_measures::dsl as pm;
use crate::schema::problems::dsl as p;
use crate::schema::review_aspects::dsl as a;
use crate::schema::reviews::dsl as r;
use crate::DbConnection;

/// Makes a staged review visible; false when it is no longer staged (it was removed).
pub fn publish(conn: &mut DbConnection, review_id: i64) -> QueryResult<bool> {
    let changed = diesel::update(
        r::reviews
            .find(review_id)
            .filter(r::importing_until.is_not_null()),
    )
    .set(r::importing_until.eq(None::<NaiveDateTime>))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Staged reviews whose lease ran out before `now`: their imports will not finish.
pub fn abandoned(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<Vec<(i64, i64)>> {
    r::reviews
        .filter(r::importing_until.lt(now))
        .select((r::id, r::organization_id))
        .order(r::id.asc())
        .load(conn)
}

/// Removes up to `limit` rows' worth of a staged review, problems first, then causes and
/// measures, then the review itself. Returns how many problems, causes and measures it
/// removed, and whether the review is gone. Does nothing to a published review.
pub fn remove_part(
    conn: &mut DbConnection,
    review_id: i64,
    limit: i64,
) -> QueryResult<(usize, bool)> {
    let staged: bool = diesel::select(diesel::dsl::exists(
        r::reviews
            .find(review_id)
            .filter(r::importing_until.is_not_null()),
    ))
    .get_result(conn)?;
    if !staged {
        return Ok((0, true));
    }
    let problems: Vec<i64> = p::problems
        .filter(p::review_id.eq(review_id))
        .select(p::id)
        .limit(limit)
        .load(conn)?;
    if !problems.is_empty() {
        diesel::delete(pc::problem_causes.filter(pc::problem_id.eq_any(&problems)))
            .execute(conn)?;
        diesel::delete(pm::problem_measures.filter(pm::problem_id.eq_any(&problems)))
            .execute(conn)?;
        diesel::delete(h::problem_history.filter(h::problem_id.eq_any(&problems))).execute(conn)?;
        crate::search::forget(conn, &problems)?;
        let removed = diesel::delete(p::problems.filter(p::id.eq_any(&problems))).execute(conn)?;
        return Ok((removed, false));
    }
    let causes: Vec<i64> = c::causes
        .filter(c::review_id.eq(review_id))
        .select(c::id)
        .limit(limit)
        .load(conn)?;
    if !causes.is_empty() {
        let removed = diesel::delete(c::causes.filter(c::id.eq_any(&causes))).execute(conn)?;
        return Ok((removed, false));
    }
    let measures: Vec<i64> = m::measures
        .filter(m::review_id.eq(review_id))
        .select(m::id)
        .limit(limit)
        .load(conn)?;
    if !measures.is_empty() {
        let removed = diesel::delete(m::measures.filter(m::id.eq_any(&measures))).execute(conn)?;
        return Ok((removed, false));
    }
    diesel::delete(a::review_aspects.filter(a::review_id.eq(review_id))).execute(conn)?;
    crate::progress::clear_review(conn, review_id)?;
    diesel::delete(r::reviews.find(review_id)).execute(conn)?;
    Ok((0, true))
}
