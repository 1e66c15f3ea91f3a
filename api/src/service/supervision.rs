//! The supervision scan, on the injected clock: continuing problems (持续整改) reopen on their
//! review date, problems not acknowledged (签收) in time are chased once
//! (`problem.acknowledgement_overdue`), closed problems due for a re-check (回头看) are
//! announced once (`problem.recheck_due`), and pending problems climb the escalation ladder
//! (`problem.escalated`, a 督办 notice at the top). Each problem is decided on its own unit's
//! calendar.

use chrono::{DateTime, Utc};
use rectify_db::{organizations as orgs, supervision as db_supervision, Db};

use super::Caller;
use crate::domain::deadline::today_in;
use crate::domain::supervision;
use crate::domain::workflow::Status;
use crate::error::{Error, Result};

/// Problems looked at per round; a full round means more may be waiting.
const BATCH: i64 = 200;

pub const ACKNOWLEDGEMENT_OVERDUE: &str = "problem.acknowledgement_overdue";
pub const RECHECK_DUE: &str = "problem.recheck_due";

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Scanned {
    /// Continuing problems reopened because their review date came.
    pub reactivated: usize,
    /// Problems chased because they were not acknowledged in time.
    pub acknowledgements_late: usize,
    /// Closed problems whose re-check came due.
    pub rechecks_due: usize,
    /// Steps climbed on the escalation ladder.
    pub escalations: usize,
    /// A batch was full: run again.
    pub more: bool,
}

/// One round of the scan.
pub fn scan(db: &Db, now: DateTime<Utc>) -> Result<Scanned> {
    let zones = db.read(|conn| Ok::<_, Error>(rectify_db::problems::timezones_in_use(conn)?))?;
    let Some(latest_today) = zones.iter().map(|tz| today_in(now, tz)).max() else {
        return Ok(Scanned::default());
    };
    let mut scanned = Scanned::default();

    let due = db.read(|conn| {
        Ok::<_, Error>(db_supervision::due_for_reactivation(
            conn,
            latest_today,
            BATCH,
        )?)
    })?;
    let full = due.len() as i64 == BATCH;
    if !due.is_empty() {
        let scheduler = scheduler(db)?;
        for (problem, _, _) in due {
            let reopened = super::audit::write(db, now, |conn| {
                super::problems::reactivate(conn, &scheduler, problem.id, now)
            });
            match reopened {
                Ok(true) => scanned.reactivated += 1,
                Ok(false) => {}
                // Changed meanwhile (or reopened by another server): the next round looks again.
                Err(e) => {
                    tracing::debug!(problem = problem.id, error = %e.detail, "reactivation skipped")
                }
            }
        }
    }

    let late = db.read(|conn| {
        Ok::<_, Error>(db_supervision::unacknowledged_after(
            conn,
            latest_today,
            ACKNOWLEDGEMENT_OVERDUE,
            BATCH,
        )?)
    })?;
    // A full batch that changed something: more may be waiting. (A full batch of problems not
    // yet due on their own calendar changes nothing, and waits for the next round.)
    scanned.more = full && scanned.reactivated > 0;
    let full = late.len() as i64 == BATCH;
    for (problem, zone, path) in late {
        let today = today_in(now, &zone);
        let status: Status = problem.status.parse().map_err(Error::internal)?;
        let (true, Some(by)) = (
            supervision::acknowledgement_overdue(
                status,
                problem.acknowledge_by,
                problem.acknowledged_at.is_some(),
                today,
            ),
            problem.acknowledge_by,
        ) else {
            continue;
        };
        let chased = remind(
            db,
            now,
            problem.id,
            ACKNOWLEDGEMENT_OVERDUE,
            by,
            &path,
            || {
                let mut data = super::webhooks::problem_data(&problem);
                data["acknowledge_by"] = by.to_string().into();
                data["days_late"] = (today - by).num_days().into();
                data
            },
        );
        match chased {
            Ok(true) => scanned.acknowledgements_late += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::debug!(problem = problem.id, error = %e.detail, "acknowledgement reminder skipped")
            }
        }
    }
    scanned.more |= full && scanned.acknowledgements_late > 0;

    let due = db.read(|conn| {
        Ok::<_, Error>(db_supervision::recheck_due_after(
            conn,
            latest_today,
            RECHECK_DUE,
            BATCH,
        )?)
    })?;
    let full = due.len() as i64 == BATCH;
    for (problem, zone, path) in due {
        let today = today_in(now, &zone);
        let status: Status = problem.status.parse().map_err(Error::internal)?;
        let (true, Some(on)) = (
            supervision::recheck_due(status, problem.recheck_on, today),
            problem.recheck_on,
        ) else {
            continue;
        };
        let announced = remind(db, now, problem.id, RECHECK_DUE, on, &path, || {
            let mut data = super::webhooks::problem_data(&problem);
            data["recheck_on"] = on.to_string().into();
            data
        });
        match announced {
            Ok(true) => scanned.rechecks_due += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::debug!(problem = problem.id, error = %e.detail, "re-check reminder skipped")
            }
        }
    }
    scanned.more |= full && scanned.rechecks_due > 0;

    // The ladder: every candidate in id order, a batch at a time, up to a bound per round.
    let mut after_id = 0;
    let scheduler = scheduler(db)?;
    for _ in 0..LADDER_BATCHES {
        let batch = db.read(|conn| {
            Ok::<_, Error>(db_supervision::escalation_candidates(
                conn,
                latest_today,
                after_id,
                BATCH,
            )?)
        })?;
        let Some((last, _, _)) = batch.last() else {
            break;
        };
        after_id = last.id;
        for (problem, _, _) in &batch {
            match super::audit::write(db, now, |conn| {
                super::problems::escalate(conn, &scheduler, problem.id, now)
            }) {
                Ok(levels) => scanned.escalations += levels.len(),
                Err(e) => {
                    tracing::debug!(problem = problem.id, error = %e.detail, "escalation skipped")
                }
            }
        }
        if (batch.len() as i64) < BATCH {
            break;
        }
    }
    Ok(scanned)
}

/// Batches of the ladder looked at per round (the rest waits for the next round).
const LADDER_BATCHES: usize = 25;

fn scheduler(db: &Db) -> Result<Caller> {
    let root = db
        .read(|conn| Ok::<_, Error>(orgs::root(conn)?))?
        .ok_or_else(|| Error::internal("no root organization"))?;
    Ok(Caller::scheduler(&root))
}

/// Records a reminder and queues its event, once per problem, kind and date: false when it
/// was recorded already.
fn remind(
    db: &Db,
    now: DateTime<Utc>,
    problem_id: i64,
    kind: &str,
    due_on: chrono::NaiveDate,
    path: &str,
    data: impl FnOnce() -> serde_json::Value,
) -> Result<bool> {
    super::audit::write(db, now, |conn| {
        if !db_supervision::insert_reminder(conn, problem_id, kind, due_on, now.naive_utc())? {
            return Ok(false);
        }
        super::webhooks::enqueue(conn, kind, path, data(), None, now)?;
        Ok(true)
    })
}
