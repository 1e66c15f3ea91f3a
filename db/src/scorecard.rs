//! What the unit scorecard counts, per subtree and period (instants after `after`, up to and
//! including `until`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::models::ProblemRow;
use crate::schema::problem_history::dsl as h;
use crate::schema::problem_rechecks::dsl as rc;
use crate::schema::problem_recurrences::dsl as pr;
use crate::schema::problems::dsl as p;
use crate::schema::supervision_notices::dsl as sn;
use crate::DbConnection;

/// Problems of the subtree verified (closed out) in the period.
pub fn verified_between(
    conn: &mut DbConnection,
    path: &str,
    after: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<ProblemRow>> {
    p::problems
        .filter(p::organization_id.eq_any(crate::orgs_within!(path)))
        .filter(
            p::id.eq_any(
                h::problem_history
                    .filter(h::action.eq("verify"))
                    .filter(h::created_at.gt(after))
                    .filter(h::created_at.le(until))
                    .select(h::problem_id),
            ),
        )
        .order(p::id.asc())
        .select(ProblemRow::as_select())
        .load(conn)
}

/// A problem's unit, its last day to acknowledge, and when it was acknowledged.
pub type Acknowledgement = (i64, Option<NaiveDate>, Option<NaiveDateTime>);

/// The acknowledgements of the problems of the subtree whose last day to acknowledge falls in
/// `from..=to`.
pub fn acknowledgements_between(
    conn: &mut DbConnection,
    path: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<Acknowledgement>> {
    p::problems
        .filter(p::organization_id.eq_any(crate::orgs_within!(path)))
        .filter(p::acknowledge_by.ge(from))
        .filter(p::acknowledge_by.le(to))
        .select((p::organization_id, p::acknowledge_by, p::acknowledged_at))
        .load(conn)
}

/// Problems of the subtree that existed by `until` with a deadline before `to` (as confirmed or
/// now): those that may have been overdue at the period's end.
pub fn overdue_candidates(
    conn: &mut DbConnection,
    path: &str,
    to: NaiveDate,
    until: NaiveDateTime,
) -> QueryResult<Vec<ProblemRow>> {
    p::problems
        .filter(p::organization_id.eq_any(crate::orgs_within!(path)))
        .filter(p::created_at.le(until))
        .filter(p::original_deadline.lt(to).or(p::deadline.lt(to)))
        .order(p::id.asc())
        .select(ProblemRow::as_select())
        .load(conn)
}

/// Problems of the subtree written in the period that a coordinator confirmed repeat an
/// earlier one.
pub fn confirmed_recurrences_between(
    conn: &mut DbConnection,
    path: &str,
    after: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<i64> {
    pr::problem_recurrences
        .inner_join(p::problems.on(p::id.eq(pr::problem_id)))
        .filter(pr::decision.eq("confirmed"))
        .filter(p::organization_id.eq_any(crate::orgs_within!(path)))
        .filter(p::created_at.gt(after))
        .filter(p::created_at.le(until))
        .select(pr::problem_id)
        .distinct()
        .load::<i64>(conn)
        .map(|ids| ids.len() as i64)
}

/// The outcomes of the re-checks of the subtree's problems recorded in the period.
pub fn recheck_outcomes_between(
    conn: &mut DbConnection,
    path: &str,
    after: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    rc::problem_rechecks
        .inner_join(p::problems.on(p::id.eq(rc::problem_id)))
        .filter(p::organization_id.eq_any(crate::orgs_within!(path)))
        .filter(rc::recorded_at.gt(after))
        .filter(rc::recorded_at.le(until))
        .select(rc::outcome)
        .load(conn)
}

/// 督办 notices issued in the period to the subtree's units.
pub fn notices_between(
    conn: &mut DbConnection,
    path: &str,
    after: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<i64> {
    sn::supervision_notices
        .filter(sn::recipient_organization_id.eq_any(crate::orgs_within!(path)))
        .filter(sn::created_at.gt(after))
        .filter(sn::created_at.le(until))
        .count()
        .get_result(conn)
}
