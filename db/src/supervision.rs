//! What the supervision scan looks for: continuing problems whose review date has come, and
//! confirmed problems not acknowledged in time; and the reminders that fire once.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::models::{NewRecheck, ProblemRow, RecheckRow};
use crate::schema::organizations::dsl as o;
use crate::schema::problem_rechecks::dsl as rc;
use crate::schema::problem_reminders::dsl as r;
use crate::schema::problems::dsl as p;
use crate::DbConnection;

/// Problems closed as continuing whose review date is on or before `latest_today` (the latest
/// "today" of any time zone in use; each is checked again on its own calendar), with their
/// unit's time zone and path, oldest review date first.
pub fn due_for_reactivation(
    conn: &mut DbConnection,
    latest_today: NaiveDate,
    limit: i64,
) -> QueryResult<Vec<(ProblemRow, String, String)>> {
    p::problems
        .inner_join(o::organizations)
        .filter(p::review_on.le(latest_today))
        .filter(p::status.eq("closed"))
        .filter(p::outcome.eq("continuing"))
        .order((p::review_on.asc(), p::id.asc()))
        .limit(limit)
        .select((ProblemRow::as_select(), o::timezone, o::path))
        .load(conn)
}

/// Problems being worked on, not acknowledged, whose last day to acknowledge is before
/// `latest_today`, and for which no `kind` reminder was recorded for that day.
pub fn unacknowledged_after(
    conn: &mut DbConnection,
    latest_today: NaiveDate,
    kind: &str,
    limit: i64,
) -> QueryResult<Vec<(ProblemRow, String, String)>> {
    p::problems
        .inner_join(o::organizations)
        .filter(p::acknowledge_by.lt(latest_today))
        .filter(p::acknowledged_at.is_null())
        .filter(p::status.eq_any(crate::problems::ACTIVE))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            r::problem_reminders
                .filter(r::problem_id.eq(p::id))
                .filter(r::kind.eq(kind))
                .filter(r::due_on.nullable().eq(p::acknowledge_by)),
        )))
        .order((p::acknowledge_by.asc(), p::id.asc()))
        .limit(limit)
        .select((ProblemRow::as_select(), o::timezone, o::path))
        .load(conn)
}

/// Records a reminder; false when this problem's `kind` reminder for that day was recorded
/// already (by this server earlier, or by another at the same moment).
pub fn insert_reminder(
    conn: &mut DbConnection,
    problem_id: i64,
    kind: &str,
    due_on: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let seen: bool = diesel::select(diesel::dsl::exists(
        r::problem_reminders
            .filter(r::problem_id.eq(problem_id))
            .filter(r::kind.eq(kind))
            .filter(r::due_on.eq(due_on)),
    ))
    .get_result(conn)?;
    if seen {
        return Ok(false);
    }
    // Two servers may both pass the check: the key refuses the second, whose transaction
    // then fails and leaves the first's reminder standing.
    diesel::insert_into(r::problem_reminders)
        .values((
            r::problem_id.eq(problem_id),
            r::kind.eq(kind),
            r::due_on.eq(due_on),
            r::noticed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Closed problems whose re-check date is on or before `latest_today` and for which no `kind`
/// reminder was recorded for that date.
pub fn recheck_due_after(
    conn: &mut DbConnection,
    latest_today: NaiveDate,
    kind: &str,
    limit: i64,
) -> QueryResult<Vec<(ProblemRow, String, String)>> {
    p::problems
        .inner_join(o::organizations)
        .filter(p::recheck_on.le(latest_today))
        .filter(p::status.eq("closed"))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            r::problem_reminders
                .filter(r::problem_id.eq(p::id))
                .filter(r::kind.eq(kind))
                .filter(r::due_on.nullable().eq(p::recheck_on)),
        )))
        .order((p::recheck_on.asc(), p::id.asc()))
        .limit(limit)
        .select((ProblemRow::as_select(), o::timezone, o::path))
        .load(conn)
}

pub fn insert_recheck(conn: &mut DbConnection, new: NewRecheck<'_>) -> QueryResult<RecheckRow> {
    let id: i64 = diesel::insert_into(rc::problem_rechecks)
        .values(&new)
        .returning(rc::id)
        .get_result(conn)?;
    rc::problem_rechecks
        .find(id)
        .select(RecheckRow::as_select())
        .first(conn)
}

/// A problem's re-checks, oldest first, after the keyset cursor `after_id` when given.
pub fn rechecks_of(
    conn: &mut DbConnection,
    problem_id: i64,
    after_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<RecheckRow>> {
    let mut query = rc::problem_rechecks
        .filter(rc::problem_id.eq(problem_id))
        .into_boxed();
    if let Some(after) = after_id {
        query = query.filter(rc::id.gt(after));
    }
    query
        .order(rc::id.asc())
        .limit(limit)
        .select(RecheckRow::as_select())
        .load(conn)
}

/// Problems being worked on whose escalation level may have changed by `latest_today`: never
/// looked at for their current deadline, or due for their next level. Keyset on id after
/// `after_id`.
pub fn escalation_candidates(
    conn: &mut DbConnection,
    latest_today: NaiveDate,
    after_id: i64,
    limit: i64,
) -> QueryResult<Vec<(ProblemRow, String, String)>> {
    p::problems
        .inner_join(o::organizations)
        .filter(p::status.eq_any(crate::problems::ACTIVE))
        .filter(p::deadline.is_not_null())
        .filter(p::id.gt(after_id))
        .filter(
            p::escalated_deadline
                .is_null()
                .or(p::escalated_deadline.ne(p::deadline))
                .or(p::next_escalation_on.le(latest_today)),
        )
        .order(p::id.asc())
        .limit(limit)
        .select((ProblemRow::as_select(), o::timezone, o::path))
        .load(conn)
}

/// Records the escalation level reached for a deadline and when to look again, without making
/// a new version of the problem (nothing a reader edits changed). False when the deadline
/// moved meanwhile: the next round looks again.
pub fn record_escalation(
    conn: &mut DbConnection,
    problem_id: i64,
    deadline: NaiveDate,
    level: i32,
    next_on: Option<NaiveDate>,
    lapsed: bool,
) -> QueryResult<bool> {
    let n = diesel::update(
        p::problems
            .filter(p::id.eq(problem_id))
            .filter(p::deadline.eq(deadline)),
    )
    .set((
        p::escalation_level.eq(level),
        p::escalated_deadline.eq(Some(deadline)),
        p::next_escalation_on.eq(next_on),
        p::lapses.eq(p::lapses + i32::from(lapsed)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// How many times the unit's problems of a review have lapsed into red (each deadline once).
pub fn lapses_in_review(
    conn: &mut DbConnection,
    organization_id: i64,
    review_id: i64,
) -> QueryResult<i64> {
    let sum: Option<i64> = p::problems
        .filter(p::organization_id.eq(organization_id))
        .filter(p::review_id.eq(review_id))
        .select(diesel::dsl::sum(p::lapses))
        .first(conn)?;
    Ok(sum.unwrap_or(0))
}

/// Closed problems of the subtree at `path` whose re-check date is on or before `latest_today`
/// and not yet recorded: with their unit's name and time zone, most overdue first.
pub fn rechecks_due_within(
    conn: &mut DbConnection,
    path: &str,
    latest_today: NaiveDate,
) -> QueryResult<Vec<(ProblemRow, String, String)>> {
    p::problems
        .inner_join(o::organizations)
        .filter(p::recheck_on.le(latest_today))
        .filter(p::status.eq("closed"))
        .filter(
            o::path
                .like(format!("{}%", crate::organizations::like_escape(path)))
                .escape('\\'),
        )
        .order((p::recheck_on.asc(), p::id.asc()))
        .select((ProblemRow::as_select(), o::name, o::timezone))
        .load(conn)
}

/// Whose pending problems a digest's supervision sections look at.
pub enum Watched<'a> {
    /// The problems of these units (a leader's or head's).
    Units(&'a [i64]),
    /// These problems, and the problems of these reviews (a watcher's).
    Records {
        problems: &'a [i64],
        reviews: &'a [i64],
    },
}

/// Problems being worked on, due on or before `due_by`, of `which`: with their unit's name,
/// time zone and path, the earliest deadline first, at most `limit`.
pub fn pending_due_by(
    conn: &mut DbConnection,
    which: Watched<'_>,
    due_by: NaiveDate,
    limit: i64,
) -> QueryResult<Vec<(ProblemRow, String, String, String)>> {
    let mut query = p::problems
        .inner_join(o::organizations)
        .filter(p::status.eq_any(crate::problems::ACTIVE))
        .filter(p::deadline.le(due_by))
        .into_boxed();
    query = match which {
        Watched::Units(ids) => query.filter(p::organization_id.eq_any(ids.to_vec())),
        Watched::Records { problems, reviews } => query.filter(
            p::id
                .eq_any(problems.to_vec())
                .or(p::review_id.eq_any(reviews.to_vec())),
        ),
    };
    query
        .order((p::deadline.asc(), p::id.asc()))
        .limit(limit)
        .select((ProblemRow::as_select(), o::name, o::timezone, o::path))
        .load(conn)
}
