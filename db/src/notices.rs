//! 督办 notices: numbered per issuing organization and year, naming problems of the recipient
//! unit, with a reply deadline and the reply.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::models::{NewNotice, NoticeRow};
use crate::schema::notice_problems::dsl as np;
use crate::schema::supervision_notices::dsl as sn;
use crate::DbConnection;

/// The next number of an issuing organization's notices in a year (the writer holds the
/// database, and a unique key refuses a second writer that raced it on PostgreSQL).
pub fn next_number(conn: &mut DbConnection, issuing_org: i64, year: i32) -> QueryResult<i64> {
    let last: Option<i64> = sn::supervision_notices
        .filter(sn::issuing_organization_id.eq(issuing_org))
        .filter(sn::year.eq(year))
        .select(diesel::dsl::max(sn::number))
        .first(conn)?;
    Ok(last.unwrap_or(0) + 1)
}

pub fn insert(
    conn: &mut DbConnection,
    new: NewNotice<'_>,
    problem_ids: &[i64],
) -> QueryResult<NoticeRow> {
    let id: i64 = diesel::insert_into(sn::supervision_notices)
        .values(&new)
        .returning(sn::id)
        .get_result(conn)?;
    for problem_id in problem_ids {
        diesel::insert_into(np::notice_problems)
            .values((np::notice_id.eq(id), np::problem_id.eq(problem_id)))
            .execute(conn)?;
    }
    get(conn, id)
}

pub fn get(conn: &mut DbConnection, id: i64) -> QueryResult<NoticeRow> {
    sn::supervision_notices
        .find(id)
        .select(NoticeRow::as_select())
        .first(conn)
}

/// The problems each of these notices names, as (notice, problem) pairs in problem order.
pub fn problems_of(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    crate::in_chunks(ids, |ids| {
        np::notice_problems
            .filter(np::notice_id.eq_any(ids))
            .order((np::notice_id.asc(), np::problem_id.asc()))
            .select((np::notice_id, np::problem_id))
            .load(conn)
    })
}

/// Whether a 督办 was issued already for this problem and deadline (issued automatically once).
pub fn issued_for(
    conn: &mut DbConnection,
    problem_id: i64,
    deadline: NaiveDate,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        sn::supervision_notices
            .inner_join(np::notice_problems)
            .filter(np::problem_id.eq(problem_id))
            .filter(sn::for_deadline.eq(deadline)),
    ))
    .get_result(conn)
}

/// Notices to units in the subtree at `path` (all when `None`), newest first, before the
/// keyset cursor `before_id`; only those still awaiting a reply when `awaiting_reply`.
pub fn list(
    conn: &mut DbConnection,
    path: Option<&str>,
    awaiting_reply: Option<bool>,
    before_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<NoticeRow>> {
    let mut query = sn::supervision_notices.into_boxed();
    if let Some(path) = path {
        query = query.filter(sn::recipient_organization_id.eq_any(crate::orgs_within!(path)));
    }
    match awaiting_reply {
        Some(true) => query = query.filter(sn::replied_at.is_null()),
        Some(false) => query = query.filter(sn::replied_at.is_not_null()),
        None => {}
    }
    if let Some(before) = before_id {
        query = query.filter(sn::id.lt(before));
    }
    query
        .order(sn::id.desc())
        .limit(limit)
        .select(NoticeRow::as_select())
        .load(conn)
}

/// Records the reply; false when one was recorded already.
pub fn reply(
    conn: &mut DbConnection,
    id: i64,
    text: &str,
    by: Option<i64>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        sn::supervision_notices
            .filter(sn::id.eq(id))
            .filter(sn::replied_at.is_null()),
    )
    .set((
        sn::reply.eq(Some(text)),
        sn::replied_by.eq(by),
        sn::replied_at.eq(Some(at)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Notices to units in the subtree at `path` unanswered at `until` whose reply date is before
/// `latest_today` (the latest "today" of any calendar): with the recipient's name and time zone,
/// most overdue first.
pub fn unanswered_before(
    conn: &mut DbConnection,
    path: &str,
    latest_today: NaiveDate,
    until: NaiveDateTime,
) -> QueryResult<Vec<(NoticeRow, String, String)>> {
    use crate::schema::organizations::dsl as o;
    sn::supervision_notices
        .inner_join(o::organizations.on(o::id.eq(sn::recipient_organization_id)))
        .filter(
            o::path
                .like(format!("{}%", crate::organizations::like_escape(path)))
                .escape('\\'),
        )
        .filter(sn::reply_by.lt(latest_today))
        .filter(sn::created_at.le(until))
        .filter(sn::replied_at.is_null().or(sn::replied_at.gt(until)))
        .order((sn::reply_by.asc(), sn::id.asc()))
        .select((NoticeRow::as_select(), o::name, o::timezone))
        .load(conn)
}

/// Records the evidence a reply cites.
pub fn cite_evidence(
    conn: &mut DbConnection,
    notice_id: i64,
    evidence_ids: &[i64],
) -> QueryResult<()> {
    use crate::schema::notice_evidence::dsl as ne;
    for evidence_id in evidence_ids {
        diesel::insert_into(ne::notice_evidence)
            .values((ne::notice_id.eq(notice_id), ne::evidence_id.eq(evidence_id)))
            .execute(conn)?;
    }
    Ok(())
}

/// The evidence the replies to these notices cite, as (notice, evidence) pairs in evidence order.
pub fn cited_evidence(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    use crate::schema::notice_evidence::dsl as ne;
    crate::in_chunks(ids, |ids| {
        ne::notice_evidence
            .filter(ne::notice_id.eq_any(ids))
            .order((ne::notice_id.asc(), ne::evidence_id.asc()))
            .select((ne::notice_id, ne::evidence_id))
            .load(conn)
    })
}
