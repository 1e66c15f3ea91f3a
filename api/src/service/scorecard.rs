//! The unit scorecard (红黑榜): each child unit of an organization, its subtree's figures over a
//! period rebuilt from the history, scored and ranked by `domain::scorecard`.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rectify_db::organizations::{self as orgs, OrganizationFilter};
use rectify_db::{scorecard as db_scorecard, Db, DbConnection};

use super::organizations::visible;
use super::Caller;
use crate::api_types::{Scorecard, ScorecardQuery, ScorecardUnit};

use crate::domain::deadline::{end_of_day, local_date, today_in};
use crate::domain::scorecard::{self, Counts};
use crate::error::{Error, Result};

/// At most this many child units are ranked.
const MAX_UNITS: i64 = 500;

pub fn compute(
    db: &Db,
    caller: &Caller,
    query: &ScorecardQuery,
    now: DateTime<Utc>,
) -> Result<Scorecard> {
    db.read(|conn| {
        let org = match query.organization_id {
            Some(id) => visible(conn, caller, id).map_err(|_| {
                Error::invalid_field(
                    "organization_id",
                    "exists",
                    format!("organization {id} does not exist"),
                )
            })?,
            None => orgs::get(conn, caller.organization_id)?,
        };
        let today = today_in(now, &org.timezone);
        let to = query.to.unwrap_or(today);
        let from = query
            .from
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
        if from > to {
            return Err(Error::invalid_field(
                "from",
                "before_to",
                "the period's first day must not be after its last",
            ));
        }
        let tz = org.timezone.as_str();
        let after = end_of_day(from.pred_opt().unwrap_or(from), tz);
        let until = end_of_day(to, tz);
        let filter = OrganizationFilter {
            parent_id: Some(org.id),
            active: Some(true),
            ..Default::default()
        };
        let weights = super::organizations::policy(conn, &org)?.scorecard_weights;
        let children = orgs::list(conn, &filter, None, MAX_UNITS)?;
        let mut counted = Vec::with_capacity(children.len());
        for child in children {
            let counts = counts_of(conn, &child.path, (from, to), (after, until))?;
            counted.push((child, counts));
        }
        let scores: Vec<f64> = counted
            .iter()
            .map(|(_, c)| scorecard::score(c, &weights))
            .collect();
        let ranks = scorecard::ranks(&scores);
        let mut units: Vec<ScorecardUnit> = counted
            .into_iter()
            .zip(scores.iter().zip(ranks))
            .map(|((unit, c), (score, rank))| {
                let r = scorecard::rates(&c);
                ScorecardUnit {
                    rank,
                    organization_id: unit.id,
                    code: unit.code,
                    name: unit.name,
                    closed: c.closed,
                    closed_on_time: c.closed_on_time,
                    on_time_rate: r.on_time_rate,
                    acknowledgements_due: c.acknowledgements_due,
                    acknowledged_on_time: c.acknowledged_on_time,
                    acknowledged_on_time_rate: r.acknowledged_on_time_rate,
                    overdue: c.overdue,
                    overdue_days: c.overdue_days,
                    recurrences: c.recurrences,
                    rechecks_held: c.rechecks_held,
                    rechecks_recurred: c.rechecks_recurred,
                    rechecks_held_rate: r.rechecks_held_rate,
                    notices_received: c.notices_received,
                    score: *score,
                }
            })
            .collect();
        units.sort_by(|a, b| a.rank.cmp(&b.rank).then(a.code.cmp(&b.code)));
        Ok(Scorecard {
            organization_id: org.id,
            from,
            to,
            weights: weights.into(),
            units,
        })
    })
}

/// One subtree's figures over the period: `days` on the organization's calendar, `instants`
/// the same period as UTC instants (after, until].
fn counts_of(
    conn: &mut DbConnection,
    path: &str,
    days: (NaiveDate, NaiveDate),
    instants: (chrono::NaiveDateTime, chrono::NaiveDateTime),
) -> Result<Counts> {
    let ((from, to), (after, until)) = (days, instants);
    let mut c = Counts::default();
    let zones: std::collections::HashMap<i64, String> = orgs::list(
        conn,
        &OrganizationFilter {
            within_path: Some(path.to_owned()),
            ..Default::default()
        },
        None,
        10_000,
    )?
    .into_iter()
    .map(|o| (o.id, o.timezone))
    .collect();
    let zone = |org: i64| zones.get(&org).map_or("Asia/Shanghai", String::as_str);

    // Closed in the period, and on time: as the history says at each close.
    let verified = db_scorecard::verified_between(conn, path, after, until)?;
    let mut timelines = super::reports::timelines(conn, &verified)?;
    for row in &verified {
        let Some((timeline, entries)) = timelines.remove(&row.id) else {
            continue;
        };
        let tz = zone(row.organization_id);
        for close in entries
            .iter()
            .filter(|h| h.action == "verify" && h.created_at > after && h.created_at <= until)
        {
            c.closed += 1;
            let at = timeline.at(close.created_at, |t| local_date(t, tz));
            if at.and_then(|s| s.on_time) == Some(true) {
                c.closed_on_time += 1;
            }
        }
    }

    for (unit, by, acknowledged_at) in db_scorecard::acknowledgements_between(conn, path, from, to)?
    {
        let Some(by) = by else { continue };
        c.acknowledgements_due += 1;
        if acknowledged_at.is_some_and(|at| local_date(at, zone(unit)) <= by) {
            c.acknowledged_on_time += 1;
        }
    }

    // Overdue at the end of the period: as the history says then.
    let candidates = db_scorecard::overdue_candidates(conn, path, to, until)?;
    let timelines = super::reports::timelines(conn, &candidates)?;
    for row in &candidates {
        let Some((timeline, _)) = timelines.get(&row.id) else {
            continue;
        };
        let tz = zone(row.organization_id);
        let Some(standing) = timeline.at(until, |t| local_date(t, tz)) else {
            continue;
        };
        if let (true, Some(deadline)) = (standing.status.is_active(), standing.deadline) {
            if deadline < to {
                c.overdue += 1;
                c.overdue_days += (to - deadline).num_days().max(0) as u64;
            }
        }
    }

    c.recurrences =
        db_scorecard::confirmed_recurrences_between(conn, path, after, until)?.max(0) as u64;
    for outcome in db_scorecard::recheck_outcomes_between(conn, path, after, until)? {
        match outcome.as_str() {
            "held" => c.rechecks_held += 1,
            _ => c.rechecks_recurred += 1,
        }
    }
    c.notices_received = db_scorecard::notices_between(conn, path, after, until)?.max(0) as u64;
    Ok(c)
}

/// The scorecard's columns in a sheet, as CSV and XLSX give them.
pub const COLUMNS: crate::export::Columns<'static> = crate::export::Columns {
    headers: &[
        "排名",
        "单位代码",
        "单位",
        "销号数",
        "按期销号数",
        "按期完成率",
        "应签收数",
        "按时签收数",
        "及时签收率",
        "逾期数",
        "逾期天数",
        "问题反弹数",
        "回头看巩固数",
        "回头看反弹数",
        "回头看巩固率",
        "收到督办数",
        "得分",
    ],
    widths: &[
        6.0, 10.0, 24.0, 8.0, 10.0, 10.0, 8.0, 10.0, 10.0, 8.0, 8.0, 10.0, 12.0, 12.0, 12.0, 10.0,
        8.0,
    ],
};

/// One row per unit, best first (the sheet's colours are the ledger's, for what is overdue
/// or due soon: a scorecard has none).
pub fn rows(card: &Scorecard) -> Vec<crate::export::Row> {
    use crate::export::{Highlight, Row, Value};
    let pct = |r: Option<f64>| r.map_or(String::new(), |r| format!("{:.1}%", r * 100.0));
    card.units
        .iter()
        .map(|u| {
            let n = |v: u64| Value::Number(v as i64);
            Row {
                cells: vec![
                    n(u.rank as u64),
                    Value::Text(u.code.clone()),
                    Value::Text(u.name.clone()),
                    n(u.closed),
                    n(u.closed_on_time),
                    Value::Text(pct(u.on_time_rate)),
                    n(u.acknowledgements_due),
                    n(u.acknowledged_on_time),
                    Value::Text(pct(u.acknowledged_on_time_rate)),
                    n(u.overdue),
                    n(u.overdue_days),
                    n(u.recurrences),
                    n(u.rechecks_held),
                    n(u.rechecks_recurred),
                    Value::Text(pct(u.rechecks_held_rate)),
                    n(u.notices_received),
                    Value::Text(format!("{:.1}", u.score)),
                ],
                highlight: Highlight::None,
            }
        })
        .collect()
}
