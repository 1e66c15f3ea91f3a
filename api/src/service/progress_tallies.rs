//! Keeps the running progress tallies (`rectify_db::progress`) in step with the problems, so
//! that progress figures for any day are sums of a few rows rather than a replay of every
//! problem's history. Each write to a problem takes away what the problem added to the tallies
//! before it and adds what it adds after it, in the write's own transaction; the steps come
//! from the one rule, `Timeline::changes`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rectify_db::models::{OrganizationRow, ProblemRow, TallyRow};
use rectify_db::organizations as orgs;
use rectify_db::problems as db_problems;
use rectify_db::{Db, DbConnection};

use crate::domain::deadline::{end_of_day, local_date};
use crate::domain::progress::Tally;
use crate::error::Result;

/// Where a problem's steps are kept: its unit, review and aspect ('' for none).
type Key = (i64, i64, String);

/// What one problem adds to the tallies at a moment.
pub(crate) struct Share {
    problem_id: i64,
    key: Option<Key>,
    steps: Vec<(NaiveDate, Tally)>,
}

impl Share {
    /// The share of a problem that does not exist yet.
    pub(crate) fn none(problem_id: i64) -> Share {
        Share {
            problem_id,
            key: None,
            steps: Vec::new(),
        }
    }
}

/// What the problem adds now (nothing if it does not exist).
pub(crate) fn share(conn: &mut DbConnection, problem_id: i64) -> Result<Share> {
    let Some(row) = db_problems::find_any(conn, problem_id)? else {
        return Ok(Share::none(problem_id));
    };
    let unit = orgs::get(conn, row.organization_id)?;
    let mut shares = shares_of(conn, &unit, vec![row])?;
    Ok(shares.pop().unwrap_or_else(|| Share::none(problem_id)))
}

fn shares_of(
    conn: &mut DbConnection,
    unit: &OrganizationRow,
    rows: Vec<ProblemRow>,
) -> Result<Vec<Share>> {
    let mut timelines = super::reports::timelines(conn, &rows)?;
    let zone = unit.timezone.as_str();
    Ok(rows
        .into_iter()
        .map(|row| {
            let steps = timelines.remove(&row.id).map_or_else(Vec::new, |(tl, _)| {
                tl.changes(|d| end_of_day(d, zone), |at| local_date(at, zone))
            });
            Share {
                problem_id: row.id,
                key: Some((
                    row.organization_id,
                    row.review_id,
                    row.aspect.unwrap_or_default(),
                )),
                steps,
            }
        })
        .collect())
}

/// Brings the tallies up to date with a problem written since `before` was taken.
pub(crate) fn update(conn: &mut DbConnection, before: Share) -> Result<()> {
    let after = share(conn, before.problem_id)?;
    let mut changes = Changes::default();
    changes.take(&before);
    changes.put(&after);
    changes.store(conn)
}

/// Runs `write` on a problem and brings the tallies up to date with what it did.
pub(crate) fn tracking<T>(
    conn: &mut DbConnection,
    problem_id: i64,
    write: impl FnOnce(&mut DbConnection) -> Result<T>,
) -> Result<T> {
    let before = share(conn, problem_id)?;
    let value = write(conn)?;
    update(conn, before)?;
    Ok(value)
}

/// Changes to stored rows, summed per row key before they are written.
#[derive(Default)]
struct Changes(BTreeMap<(Key, NaiveDate), Tally>);

impl Changes {
    fn put(&mut self, share: &Share) {
        self.apply(share, |sum, step| sum + step);
    }

    fn take(&mut self, share: &Share) {
        self.apply(share, |sum, step| sum - step);
    }

    fn apply(&mut self, share: &Share, f: impl Fn(Tally, Tally) -> Tally) {
        let Some(key) = &share.key else { return };
        for (day, step) in &share.steps {
            let sum = self.0.entry((key.clone(), *day)).or_default();
            *sum = f(*sum, *step);
        }
    }

    fn store(self, conn: &mut DbConnection) -> Result<()> {
        rectify_db::progress::add(conn, &self.rows())?;
        Ok(())
    }

    /// Stores a unit's rows after they were cleared.
    fn store_cleared(self, conn: &mut DbConnection) -> Result<()> {
        rectify_db::progress::insert_cleared(conn, &self.rows())?;
        Ok(())
    }

    fn rows(self) -> Vec<TallyRow> {
        self.0
            .into_iter()
            .filter(|(_, t)| !t.is_zero())
            .map(
                |(((organization_id, review_id, aspect), day), t)| TallyRow {
                    organization_id,
                    review_id,
                    aspect,
                    day,
                    total: t.total,
                    draft: t.draft,
                    open: t.open,
                    in_progress: t.in_progress,
                    submitted: t.submitted,
                    closed: t.closed,
                    cancelled: t.cancelled,
                    overdue: t.overdue,
                    due_soon: t.due_soon,
                    closed_on_time: t.closed_on_time,
                    seconds_to_close: t.seconds_to_close,
                    extensions_granted: t.extensions_granted,
                    closed_rectified: t.closed_rectified,
                    closed_continuing: t.closed_continuing,
                    unrectified: t.unrectified,
                    acknowledgements_due: t.acknowledgements_due,
                    acknowledged_on_time: t.acknowledged_on_time,
                },
            )
            .collect()
    }
}

/// A stored row's counts.
pub(crate) fn tally_of(row: &TallyRow) -> Tally {
    Tally {
        total: row.total,
        draft: row.draft,
        open: row.open,
        in_progress: row.in_progress,
        submitted: row.submitted,
        closed: row.closed,
        cancelled: row.cancelled,
        overdue: row.overdue,
        due_soon: row.due_soon,
        closed_on_time: row.closed_on_time,
        seconds_to_close: row.seconds_to_close,
        extensions_granted: row.extensions_granted,
        closed_rectified: row.closed_rectified,
        closed_continuing: row.closed_continuing,
        unrectified: row.unrectified,
        acknowledgements_due: row.acknowledgements_due,
        acknowledged_on_time: row.acknowledged_on_time,
    }
}

/// Builds one unit's tallies again from its problems' histories (after its time zone changed,
/// or to check them). Part of the caller's transaction.
pub(crate) fn rebuild_unit(conn: &mut DbConnection, unit: &OrganizationRow) -> Result<u64> {
    const PAGE: i64 = 2_000;
    rectify_db::progress::clear_unit(conn, unit.id)?;
    let (mut after, mut problems) = (0, 0u64);
    let mut changes = Changes::default();
    loop {
        let rows = db_problems::page_after(conn, Some(unit.id), after, PAGE)?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        problems += rows.len() as u64;
        for share in shares_of(conn, unit, rows)? {
            changes.put(&share);
        }
    }
    changes.store_cleared(conn)?;
    Ok(problems)
}

/// Builds every unit's tallies again, one unit per transaction; returns the problems counted.
pub fn rebuild(db: &Db) -> Result<u64> {
    let units = db.read(|conn| -> Result<_> { Ok(orgs::all(conn)?) })?;
    let mut problems = 0;
    for unit in &units {
        problems += db.write_part(|conn| rebuild_unit(conn, unit))?;
    }
    Ok(problems)
}

/// Builds the tallies when a database has problems but no tallies yet (its first start after
/// the upgrade that brought them).
pub fn build_if_missing(db: &Db) -> Result<Option<u64>> {
    super::build_once(
        db,
        "the progress tallies",
        |conn| Ok(db_problems::any(conn)? && !rectify_db::progress::any(conn)?),
        rebuild,
    )
}
