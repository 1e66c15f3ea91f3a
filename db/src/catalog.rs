//! Causes and corrective measures: they belong to a review and link to many problems.

use diesel::prelude::*;

use crate::models::{CauseChanges, CauseRow, MeasureChanges, MeasureRow, NewCause, NewMeasure};
use crate::schema::causes::dsl as c;
use crate::schema::measures::dsl as m;
use crate::schema::problem_causes::dsl as pc;
use crate::schema::problem_measures::dsl as pm;
use crate::schema::problems::dsl as p;
use crate::schema::reviews::dsl as r;
use crate::DbConnection;

pub fn insert_cause(conn: &mut DbConnection, new: NewCause<'_>) -> QueryResult<CauseRow> {
    let id: i64 = diesel::insert_into(c::causes)
        .values(&new)
        .returning(c::id)
        .get_result(conn)?;
    c::causes.find(id).select(CauseRow::as_select()).first(conn)
}

/// A cause readers may see (not one of an import still being written).
pub fn get_cause(conn: &mut DbConnection, id: i64) -> QueryResult<CauseRow> {
    c::causes
        .find(id)
        .filter(c::review_id.ne_all(crate::staged_reviews!()))
        .select(CauseRow::as_select())
        .first(conn)
}

pub fn update_cause(
    conn: &mut DbConnection,
    id: i64,
    version: i64,
    changes: &CauseChanges,
) -> QueryResult<Option<CauseRow>> {
    let n = diesel::update(
        c::causes
            .filter(c::id.eq(id))
            .filter(c::version.eq(version)),
    )
    .set((changes, c::version.eq(c::version + 1)))
    .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    get_cause(conn, id).map(Some)
}

pub fn insert_measure(conn: &mut DbConnection, new: NewMeasure<'_>) -> QueryResult<MeasureRow> {
    let id: i64 = diesel::insert_into(m::measures)
        .values(&new)
        .returning(m::id)
        .get_result(conn)?;
    m::measures
        .find(id)
        .select(MeasureRow::as_select())
        .first(conn)
}

/// A measure readers may see (not one of an import still being written).
pub fn get_measure(conn: &mut DbConnection, id: i64) -> QueryResult<MeasureRow> {
    m::measures
        .find(id)
        .filter(m::review_id.ne_all(crate::staged_reviews!()))
        .select(MeasureRow::as_select())
        .first(conn)
}

pub fn get_measures(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<MeasureRow>> {
    crate::in_chunks(ids, |ids| {
        m::measures
            .filter(m::id.eq_any(ids))
            .select(MeasureRow::as_select())
            .load(conn)
    })
}

pub fn get_causes(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<CauseRow>> {
    crate::in_chunks(ids, |ids| {
        c::causes
            .filter(c::id.eq_any(ids))
            .select(CauseRow::as_select())
            .load(conn)
    })
}

pub fn update_measure(
    conn: &mut DbConnection,
    id: i64,
    version: i64,
    changes: &MeasureChanges,
) -> QueryResult<Option<MeasureRow>> {
    let n = diesel::update(
        m::measures
            .filter(m::id.eq(id))
            .filter(m::version.eq(version)),
    )
    .set((changes, m::version.eq(m::version + 1)))
    .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    get_measure(conn, id).map(Some)
}

#[derive(Debug, Default, Clone)]
pub struct CatalogFilter {
    /// The caller's subtree: items of reviews held there, or linked to a problem there.
    pub visible_within: Option<String>,
    pub review_id: Option<i64>,
    pub problem_id: Option<i64>,
    /// Measures only.
    pub owner_id: Option<i64>,
    /// Measures only.
    pub done: Option<bool>,
}

pub fn list_causes(
    conn: &mut DbConnection,
    filter: &CatalogFilter,
    after_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<CauseRow>> {
    let mut query = c::causes
        .filter(c::review_id.ne_all(crate::staged_reviews!()))
        .into_boxed();
    if let Some(path) = &filter.visible_within {
        query = query.filter(
            c::review_id
                .eq_any(
                    r::reviews
                        .select(r::id)
                        .filter(r::organization_id.eq_any(crate::orgs_within!(path))),
                )
                .or(c::id.eq_any(
                    pc::problem_causes
                        .inner_join(p::problems)
                        .select(pc::cause_id)
                        .filter(p::organization_id.eq_any(crate::orgs_within!(path))),
                )),
        );
    }
    if let Some(review) = filter.review_id {
        query = query.filter(c::review_id.eq(review));
    }
    if let Some(problem) = filter.problem_id {
        query = query.filter(
            c::id.eq_any(
                pc::problem_causes
                    .select(pc::cause_id)
                    .filter(pc::problem_id.eq(problem)),
            ),
        );
    }
    if let Some(after) = after_id {
        query = query.filter(c::id.gt(after));
    }
    query
        .order(c::id.asc())
        .limit(limit)
        .select(CauseRow::as_select())
        .load(conn)
}

pub fn list_measures(
    conn: &mut DbConnection,
    filter: &CatalogFilter,
    after_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<MeasureRow>> {
    let mut query = m::measures
        .filter(m::review_id.ne_all(crate::staged_reviews!()))
        .into_boxed();
    if let Some(path) = &filter.visible_within {
        query = query.filter(
            m::review_id
                .eq_any(
                    r::reviews
                        .select(r::id)
                        .filter(r::organization_id.eq_any(crate::orgs_within!(path))),
                )
                .or(m::id.eq_any(
                    pm::problem_measures
                        .inner_join(p::problems)
                        .select(pm::measure_id)
                        .filter(p::organization_id.eq_any(crate::orgs_within!(path))),
                )),
        );
    }
    if let Some(review) = filter.review_id {
        query = query.filter(m::review_id.eq(review));
    }
    if let Some(problem) = filter.problem_id {
        query = query.filter(
            m::id.eq_any(
                pm::problem_measures
                    .select(pm::measure_id)
                    .filter(pm::problem_id.eq(problem)),
            ),
        );
    }
    if let Some(owner) = filter.owner_id {
        query = query.filter(m::owner_id.eq(owner));
    }
    if let Some(done) = filter.done {
        query = query.filter(m::done.eq(done));
    }
    if let Some(after) = after_id {
        query = query.filter(m::id.gt(after));
    }
    query
        .order(m::id.asc())
        .limit(limit)
        .select(MeasureRow::as_select())
        .load(conn)
}

/// Measures not done whose deadline is on or before `until`, of reviews whose organization is
/// in the subtree `within` (all when None), with that organization.
pub fn pending_measures_until(
    conn: &mut DbConnection,
    within: Option<&str>,
    until: chrono::NaiveDate,
) -> QueryResult<Vec<(MeasureRow, crate::models::OrganizationRow)>> {
    use crate::schema::organizations::dsl as o;
    let mut query = m::measures
        .inner_join(r::reviews.inner_join(o::organizations))
        .filter(m::done.eq(false))
        .filter(m::deadline.le(until))
        .filter(r::importing_until.is_null())
        .into_boxed();
    if let Some(path) = within {
        query = query.filter(
            o::path
                .like(format!("{}%", crate::organizations::like_escape(path)))
                .escape('\\'),
        );
    }
    query
        .order((m::deadline.asc(), m::id.asc()))
        .select((
            MeasureRow::as_select(),
            crate::models::OrganizationRow::as_select(),
        ))
        .load(conn)
}
