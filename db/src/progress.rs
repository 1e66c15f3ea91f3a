//! The running tallies behind the progress figures (see the `progress_tallies` migration):
//! adding changes, reading a subtree's rows, and clearing a unit's or a review's.

use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::models::TallyRow;
use crate::schema::progress_tallies::dsl as t;
use crate::DbConnection;

/// Adds each row's counts to the stored row with its key (creating it). Callers give rows in
/// key order, so that concurrent writers on PostgreSQL lock shared rows in the same order.
pub fn add(conn: &mut DbConnection, rows: &[TallyRow]) -> QueryResult<()> {
    // The upsert is written per backend: diesel's multi-backend connection has no ON CONFLICT.
    macro_rules! upsert {
        ($c:expr, $row:expr) => {
            diesel::insert_into(t::progress_tallies)
                .values($row)
                .on_conflict((t::organization_id, t::review_id, t::aspect, t::day))
                .do_update()
                .set((
                    t::total.eq(t::total + excluded(t::total)),
                    t::draft.eq(t::draft + excluded(t::draft)),
                    t::open.eq(t::open + excluded(t::open)),
                    t::in_progress.eq(t::in_progress + excluded(t::in_progress)),
                    t::submitted.eq(t::submitted + excluded(t::submitted)),
                    t::closed.eq(t::closed + excluded(t::closed)),
                    t::cancelled.eq(t::cancelled + excluded(t::cancelled)),
                    t::overdue.eq(t::overdue + excluded(t::overdue)),
                    t::due_soon.eq(t::due_soon + excluded(t::due_soon)),
                    t::closed_on_time.eq(t::closed_on_time + excluded(t::closed_on_time)),
                    t::seconds_to_close.eq(t::seconds_to_close + excluded(t::seconds_to_close)),
                    t::extensions_granted
                        .eq(t::extensions_granted + excluded(t::extensions_granted)),
                    t::closed_rectified.eq(t::closed_rectified + excluded(t::closed_rectified)),
                    t::closed_continuing.eq(t::closed_continuing + excluded(t::closed_continuing)),
                    t::unrectified.eq(t::unrectified + excluded(t::unrectified)),
                    t::acknowledgements_due
                        .eq(t::acknowledgements_due + excluded(t::acknowledgements_due)),
                    t::acknowledged_on_time
                        .eq(t::acknowledged_on_time + excluded(t::acknowledged_on_time)),
                ))
                .execute($c)
        };
    }
    for row in rows {
        match conn {
            DbConnection::Sqlite(c) => upsert!(c, row)?,
            DbConnection::Postgres(c) => upsert!(c, row)?,
        };
    }
    Ok(())
}

/// The rows of the units within `path` (of one review, if given), leaving out reviews still
/// being imported.
pub fn within(
    conn: &mut DbConnection,
    path: &str,
    review_id: Option<i64>,
) -> QueryResult<Vec<TallyRow>> {
    let mut query = t::progress_tallies
        .filter(t::organization_id.eq_any(crate::orgs_within!(path)))
        .filter(t::review_id.ne_all(crate::staged_reviews!()))
        .into_boxed();
    if let Some(review) = review_id {
        query = query.filter(t::review_id.eq(review));
    }
    query.select(TallyRow::as_select()).load(conn)
}

/// Forgets one unit's rows (before they are built again from its problems).
/// Writes a unit's rows after [`clear_unit`]: plain inserts, many rows a statement (a unit's
/// history may make hundreds of thousands of rows; one upsert each was most of a rebuild).
/// Each key must be given once.
pub fn insert_cleared(conn: &mut DbConnection, rows: &[TallyRow]) -> QueryResult<()> {
    // 21 values a row: 1,000 rows stay inside SQLite's 32,766 bound values.
    for part in rows.chunks(1_000) {
        let insert = diesel::insert_into(t::progress_tallies).values(part);
        match conn {
            DbConnection::Sqlite(c) => insert.execute(c)?,
            DbConnection::Postgres(c) => insert.execute(c)?,
        };
    }
    Ok(())
}

pub fn clear_unit(conn: &mut DbConnection, organization_id: i64) -> QueryResult<usize> {
    diesel::delete(t::progress_tallies.filter(t::organization_id.eq(organization_id))).execute(conn)
}

/// Forgets one review's rows (when the review goes).
pub fn clear_review(conn: &mut DbConnection, review_id: i64) -> QueryResult<usize> {
    diesel::delete(t::progress_tallies.filter(t::review_id.eq(review_id))).execute(conn)
}

/// Whether any row exists: an empty table beside existing problems has not been built yet.
pub fn any(conn: &mut DbConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(t::progress_tallies.select(t::day))).get_result(conn)
}
