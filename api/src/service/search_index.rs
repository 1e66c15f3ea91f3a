//! Keeps the search index (`rectify_db::search`) holding each problem's words
//! (`domain::search`): set when a problem is made or changed, in the same transaction.

use rectify_db::models::ProblemRow;
use rectify_db::problems as db_problems;
use rectify_db::{Db, DbConnection};

use crate::domain::search::problem_grams;
use crate::error::Result;

/// Indexes a problem as it now reads.
pub(crate) fn index(conn: &mut DbConnection, row: &ProblemRow) -> Result<()> {
    rectify_db::search::index(
        conn,
        row.id,
        &problem_grams(&row.key, &row.title, &row.description),
    )?;
    Ok(())
}

/// Indexes every problem again, a page per transaction; returns how many.
pub fn rebuild(db: &Db) -> Result<u64> {
    const PAGE: i64 = 2_000;
    let (mut after, mut problems) = (0, 0u64);
    loop {
        let done = db.write_part(|conn| -> Result<Option<i64>> {
            let rows = db_problems::page_after(conn, None, after, PAGE)?;
            let entries: Vec<(i64, Vec<u32>)> = rows
                .iter()
                .map(|r| (r.id, problem_grams(&r.key, &r.title, &r.description)))
                .collect();
            rectify_db::search::index_many(conn, &entries)?;
            problems += rows.len() as u64;
            Ok(rows.last().map(|r| r.id))
        })?;
        match done {
            Some(last) => after = last,
            None => return Ok(problems),
        }
    }
}

/// Builds the index when a database has problems that are not in it (its first start after
/// the upgrade that brought it).
pub fn build_if_missing(db: &Db) -> Result<Option<u64>> {
    super::build_once(
        db,
        "the search index",
        |conn| Ok(rectify_db::search::unindexed(conn)?),
        rebuild,
    )
}
