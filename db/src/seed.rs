//! Bulk writes for `rectify dev seed`: many rows a statement, ids returned in order. Only a
//! development ledger is written this way; the service's own writes go row by row through
//! the use cases.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::models::{NewCause, NewHistory, NewMeasure, NewReview, NewUser};
use crate::schema::{
    causes, measures, organizations, problem_causes, problem_history, problem_measures, problems,
    reviews, users,
};
use crate::DbConnection;

/// Rows a statement: 1,000 rows of the widest table bind about 20,000 values, inside
/// SQLite's 32,766.
const ROWS_PER_STATEMENT: usize = 1_000;

/// Multi-row INSERT does not pass through diesel's `MultiConnection`, so each statement is
/// run on the backend's own connection.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            DbConnection::Sqlite($c) => $body,
            DbConnection::Postgres($c) => $body,
        }
    };
}

/// A problem as a seeded ledger holds it: with the times and outcome of the steps it took.
#[derive(Debug, Insertable)]
#[diesel(table_name = problems)]
pub struct SeedProblem<'a> {
    pub key: String,
    pub review_id: i64,
    pub aspect: Option<&'a str>,
    pub title: String,
    pub description: &'a str,
    pub organization_id: i64,
    pub owner_id: Option<i64>,
    pub deadline: Option<NaiveDate>,
    pub original_deadline: Option<NaiveDate>,
    pub kind: &'a str,
    pub status: &'a str,
    pub created_by: Option<i64>,
    pub submitted_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub outcome: Option<&'a str>,
    pub version: i64,
}

pub fn users(conn: &mut DbConnection, rows: &[NewUser<'_>]) -> QueryResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(rows.len());
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let insert = diesel::insert_into(users::table)
            .values(part)
            .returning(users::id);
        ids.extend(on_backend!(conn, |c| insert.get_results::<i64>(c))?);
    }
    Ok(ids)
}

pub fn reviews(conn: &mut DbConnection, rows: &[NewReview<'_>]) -> QueryResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(rows.len());
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let insert = diesel::insert_into(reviews::table)
            .values(part)
            .returning(reviews::id);
        ids.extend(on_backend!(conn, |c| insert.get_results::<i64>(c))?);
    }
    Ok(ids)
}

/// Each review's aspects, in order: (review, position, name).
pub fn aspects(conn: &mut DbConnection, rows: &[(i64, i32, &str)]) -> QueryResult<()> {
    use crate::schema::review_aspects::dsl as a;
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let values: Vec<_> = part
            .iter()
            .map(|&(review, position, name)| {
                (
                    a::review_id.eq(review),
                    a::position.eq(position),
                    a::name.eq(name),
                )
            })
            .collect();
        let insert = diesel::insert_into(a::review_aspects).values(&values);
        on_backend!(conn, |c| insert.execute(c))?;
    }
    Ok(())
}

pub fn causes(conn: &mut DbConnection, rows: &[NewCause<'_>]) -> QueryResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(rows.len());
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let insert = diesel::insert_into(causes::table)
            .values(part)
            .returning(causes::id);
        ids.extend(on_backend!(conn, |c| insert.get_results::<i64>(c))?);
    }
    Ok(ids)
}

pub fn measures(conn: &mut DbConnection, rows: &[NewMeasure<'_>]) -> QueryResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(rows.len());
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let insert = diesel::insert_into(measures::table)
            .values(part)
            .returning(measures::id);
        ids.extend(on_backend!(conn, |c| insert.get_results::<i64>(c))?);
    }
    Ok(ids)
}

pub fn problems(conn: &mut DbConnection, rows: &[SeedProblem<'_>]) -> QueryResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(rows.len());
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let insert = diesel::insert_into(problems::table)
            .values(part)
            .returning(problems::id);
        ids.extend(on_backend!(conn, |c| insert.get_results::<i64>(c))?);
    }
    Ok(ids)
}

pub fn history(conn: &mut DbConnection, rows: &[NewHistory<'_>]) -> QueryResult<()> {
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let insert = diesel::insert_into(problem_history::table).values(part);
        on_backend!(conn, |c| insert.execute(c))?;
    }
    Ok(())
}

/// Links (problem, cause) and (problem, measure).
pub fn links(
    conn: &mut DbConnection,
    to_causes: &[(i64, i64)],
    to_measures: &[(i64, i64)],
) -> QueryResult<()> {
    use problem_causes::dsl as pc;
    use problem_measures::dsl as pm;
    for part in to_causes.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<_> = part
            .iter()
            .map(|&(problem, cause)| (pc::problem_id.eq(problem), pc::cause_id.eq(cause)))
            .collect();
        let insert = diesel::insert_into(pc::problem_causes).values(&rows);
        on_backend!(conn, |c| insert.execute(c))?;
    }
    for part in to_measures.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<_> = part
            .iter()
            .map(|&(problem, measure)| (pm::problem_id.eq(problem), pm::measure_id.eq(measure)))
            .collect();
        let insert = diesel::insert_into(pm::problem_measures).values(&rows);
        on_backend!(conn, |c| insert.execute(c))?;
    }
    Ok(())
}

/// Sets a unit's next problem number past the keys the seed gave out, and its leader and
/// head for the escalation ladder.
pub fn finish_unit(
    conn: &mut DbConnection,
    organization_id: i64,
    next_problem_number: i64,
    leader_id: Option<i64>,
    head_id: Option<i64>,
) -> QueryResult<()> {
    use organizations::dsl as o;
    diesel::update(o::organizations.find(organization_id))
        .set((
            o::next_problem_number.eq(next_problem_number),
            o::leader_id.eq(leader_id),
            o::head_id.eq(head_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// How many problems the ledger holds, drafts of imports included.
pub fn problem_count(conn: &mut DbConnection) -> QueryResult<i64> {
    problems::table.count().get_result(conn)
}
