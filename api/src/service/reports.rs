//! Reports over the ledger. The ledger sheet (整改台账) is read page by page inside one read
//! transaction, so a long export is one consistent snapshot and holds one page in memory.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rectify_db::models::OrganizationRow;
use rectify_db::organizations as orgs;
use rectify_db::problems::{self as db_problems, After, ProblemFilter, Sort};
use rectify_db::{catalog as db_catalog, users as db_users, Db, DbConnection};

use super::access;
use super::organizations::visible as visible_org;
use super::Caller;
use crate::api_types::{
    AspectProgress, OrganizationProgress, OverdueGroup, OverdueGrouping, OverdueItem, OverdueQuery,
    OverdueReport, ProgressQuery, ProgressReport, ReviewProgress,
};
use crate::domain::deadline::{problem_standing, standing, today_in, Warning};
use crate::domain::ledger::status_label;
use crate::domain::vocab::ProblemKind;
use crate::domain::workflow::Status;
use crate::error::{Error, Result};
use crate::export::{Highlight, LedgerRow, Value};

/// Rows read from the database at a time.
const PAGE: i64 = 1000;

/// Which problems a ledger holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct LedgerScope {
    pub review_id: Option<i64>,
    pub organization_id: Option<i64>,
}

/// What the file is called and its sheet is named.
#[derive(Debug, Clone)]
pub struct LedgerTitle {
    pub title: String,
    /// The unit whose ledger it is, and its today.
    pub unit: String,
    pub as_of: chrono::NaiveDate,
}

use super::group;

/// A cause or measure as a ledger cell shows it: a measure's heading and body
/// (`加强理论学习。每周集中学习一次`), a cause's text, else the title alone.
fn shown(title: &str, description: &str) -> String {
    let description = description.trim();
    if description.is_empty() || description.starts_with(title) {
        return if description.is_empty() {
            title
        } else {
            description
        }
        .to_owned();
    }
    if title.ends_with(['。', '；', '：', '.', ';', ':']) {
        format!("{title}{description}")
    } else {
        format!("{title}。{description}")
    }
}

/// Checks the scope and names the ledger; call before [`ledger_rows`].
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn ledger_title(
    db: &Db,
    caller: &Caller,
    scope: LedgerScope,
    now: DateTime<Utc>,
) -> Result<LedgerTitle> {
    db.read(|conn| {
        let (org, review) = resolve(conn, caller, scope)?;
        let title = match review {
            Some(title) => format!("{title}整改台账"),
            None => format!("{}整改台账", org.name),
        };
        Ok(LedgerTitle {
            title,
            as_of: crate::domain::deadline::today_in(now, &org.timezone),
            unit: org.name,
        })
    })
}

/// The name of an organization the caller sees, for a sheet's heading.
pub fn unit_name(db: &Db, caller: &Caller, organization_id: i64) -> Result<String> {
    db.read(|conn| Ok(visible_org(conn, caller, organization_id)?.name))
}

fn resolve(
    conn: &mut DbConnection,
    caller: &Caller,
    scope: LedgerScope,
) -> Result<(OrganizationRow, Option<String>)> {
    let org = match scope.organization_id {
        Some(id) => visible_org(conn, caller, id).map_err(|_| {
            Error::invalid_field(
                "organization_id",
                "exists",
                format!("organization {id} does not exist"),
            )
        })?,
        None => orgs::get(conn, caller.organization_id)?,
    };
    let review = match scope.review_id {
        Some(id) => Some(access::review_field(conn, caller, "review_id", id)?.0.title),
        None => None,
    };
    Ok((org, review))
}

/// Hands every problem of the scope to `each` as a ledger row, in creation order.
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn ledger_rows(
    db: &Db,
    caller: &Caller,
    scope: LedgerScope,
    now: DateTime<Utc>,
    each: &mut dyn FnMut(LedgerRow) -> Result<()>,
) -> Result<usize> {
    db.read(|conn| {
        let (org, _) = resolve(conn, caller, scope)?;
        let filter = ProblemFilter {
            within_path: caller.scope_path(),
            organization_path: Some(org.path.clone()),
            review_id: scope.review_id,
            ..Default::default()
        };
        let mut after: Option<After> = None;
        let mut number = 0usize;
        let mut units: HashMap<i64, OrganizationRow> = HashMap::new();
        loop {
            let rows = db_problems::list(conn, &filter, Sort::CreatedAsc, after.as_ref(), PAGE)?;
            let Some(last) = rows.last() else { break };
            after = Some(After::Id(last.id));
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();

            let cause_links = db_problems::cause_links(conn, &ids)?;
            let measure_links = db_problems::measure_links(conn, &ids)?;
            let mut cause_ids: Vec<i64> = cause_links.iter().map(|(_, c)| *c).collect();
            cause_ids.sort_unstable();
            cause_ids.dedup();
            let mut measure_ids: Vec<i64> = measure_links.iter().map(|(_, m)| *m).collect();
            measure_ids.sort_unstable();
            measure_ids.dedup();
            let causes: HashMap<i64, String> = db_catalog::get_causes(conn, &cause_ids)?
                .into_iter()
                .map(|c| (c.id, shown(&c.title, &c.description)))
                .collect();
            let measures: HashMap<i64, String> = db_catalog::get_measures(conn, &measure_ids)?
                .into_iter()
                .map(|m| (m.id, shown(&m.title, &m.description)))
                .collect();
            let mut causes_of = group(cause_links);
            let mut measures_of = group(measure_links);

            let owner_ids: Vec<i64> = rows.iter().filter_map(|r| r.owner_id).collect();
            let owners: HashMap<i64, String> = db_users::get_many(conn, &owner_ids)?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect();
            let missing: Vec<i64> = rows
                .iter()
                .map(|r| r.organization_id)
                .filter(|id| !units.contains_key(id))
                .collect();
            if !missing.is_empty() {
                units.extend(
                    orgs::get_many(conn, &missing)?
                        .into_iter()
                        .map(|o| (o.id, o)),
                );
            }
            let mut progress: HashMap<i64, String> = db_problems::latest_progress(conn, &ids)?
                .into_iter()
                .map(|(id, body, _)| (id, body))
                .collect();
            let closed: HashMap<i64, chrono::NaiveDateTime> =
                db_problems::closed_at(conn, &ids)?.into_iter().collect();

            for row in rows {
                number += 1;
                let unit = units.get(&row.organization_id);
                let zone = unit.map_or("Asia/Shanghai", |u| u.timezone.as_str());
                let status: Status = row.status.parse().map_err(Error::internal)?;
                let kind: ProblemKind = row.kind.parse().map_err(Error::internal)?;
                let standing = problem_standing(status, row.deadline, today_in(now, zone));
                let joined = |ids: Option<Vec<i64>>, names: &HashMap<i64, String>| {
                    let mut ids = ids.unwrap_or_default();
                    ids.sort_unstable();
                    ids.iter()
                        .filter_map(|id| names.get(id).cloned())
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                let deadline = match (row.deadline, kind) {
                    (Some(d), _) => Value::Date(d),
                    (None, ProblemKind::LongTerm) => Value::Text("长期坚持".to_owned()),
                    (None, ProblemKind::Immediate) => Value::Text("立行立改".to_owned()),
                    (None, ProblemKind::Scheduled) => Value::Text(String::new()),
                };
                let closed_on = match (status, closed.get(&row.id)) {
                    (Status::Closed, Some(at)) => Value::Date(today_in(at.and_utc(), zone)),
                    _ => Value::Text(String::new()),
                };
                each(LedgerRow {
                    problem_id: row.id,
                    status,
                    cells: [
                        Value::Number(number as i64),
                        Value::Text(row.aspect.clone().unwrap_or_default()),
                        Value::Text(shown(&row.title, &row.description)),
                        Value::Text(joined(causes_of.remove(&row.id), &causes)),
                        Value::Text(joined(measures_of.remove(&row.id), &measures)),
                        Value::Text(unit.map(|u| u.name.clone()).unwrap_or_default()),
                        Value::Text(
                            row.owner_id
                                .and_then(|id| owners.get(&id).cloned())
                                .unwrap_or_default(),
                        ),
                        deadline,
                        Value::Text(status_label(status).to_owned()),
                        Value::Text(progress.remove(&row.id).unwrap_or_default()),
                        closed_on,
                    ],
                    highlight: match standing.warning {
                        Warning::Overdue => Highlight::Overdue,
                        Warning::DueSoon => Highlight::DueSoon,
                        Warning::None => Highlight::None,
                    },
                })?;
            }
        }
        Ok(number)
    })
}

// ---------------------------------------------------------------- the review's report

/// The 整改落实情况报告 of a review: the totals as of a day (rebuilt from the history, as the
/// progress report does), then each problem of the caller's subtree as the ledger tells it,
/// with its evidence.
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn review_report(
    db: &Db,
    caller: &Caller,
    review_id: i64,
    as_of: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<crate::document::ReviewReport> {
    use crate::document::{ReportedProblem, ReviewReport};
    let (review, org) = db.read(|conn| access::review(conn, caller, review_id))?;
    let figures = progress(
        db,
        caller,
        &ProgressQuery {
            organization_id: None,
            review_id: Some(review_id),
            as_of,
        },
        now,
    )?
    .total;
    let as_of = as_of.unwrap_or_else(|| today_in(now, &org.timezone));
    let scope = LedgerScope {
        review_id: Some(review_id),
        organization_id: None,
    };
    let mut rows = Vec::new();
    ledger_rows(db, caller, scope, now, &mut |row| {
        rows.push(row);
        Ok(())
    })?;
    let mut problems = Vec::with_capacity(rows.len());
    for row in rows {
        let evidence = db.read(|conn| {
            Ok::<_, Error>(rectify_db::closing::evidence_of(
                conn,
                row.problem_id,
                false,
            )?)
        })?;
        let text = |i: usize| row.cells[i].as_text();
        let days_overdue = match (&row.highlight, &row.cells[7]) {
            (Highlight::Overdue, Value::Date(deadline)) => {
                Some((as_of - *deadline).num_days().max(1))
            }
            _ => None,
        };
        problems.push(ReportedProblem {
            aspect: text(1),
            title: text(2),
            measures: text(4)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect(),
            unit: text(5),
            owner: text(6),
            deadline: document_date(&row.cells[7]),
            status: text(8),
            progress: text(9),
            closed_on: document_date(&row.cells[10]),
            evidence: evidence.into_iter().map(evidence_line).collect(),
            finished: matches!(row.status, Status::Closed | Status::Cancelled),
            days_overdue,
        });
    }
    Ok(ReviewReport {
        unit: org.name,
        review_title: review.title,
        held_on: review.held_on,
        as_of,
        total: figures.total,
        closed: figures.by_status.closed,
        in_progress: figures.by_status.in_progress + figures.by_status.submitted,
        overdue: figures.overdue,
        completion_rate: figures.completion_rate,
        problems,
    })
}

/// The 对账销号单 of a closed problem: what it was, its measures, the evidence, who submitted
/// it and who verified it, with the days on its unit's calendar.
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn closure_record(
    db: &Db,
    caller: &Caller,
    problem_id: i64,
) -> Result<crate::document::ClosureRecord> {
    use crate::document::chinese_date;
    db.read(|conn| {
        let (problem, unit) = access::problem(conn, caller, problem_id)?;
        if problem.status != Status::Closed.as_str() {
            return Err(Error::new(
                crate::error::Code::NotClosedOut,
                format!(
                    "{} is {}: its 对账销号单 exists once it is closed out.",
                    problem.key, problem.status
                ),
            ));
        }
        let review = rectify_db::reviews::get(conn, problem.review_id)?;
        let history = db_problems::history(conn, problem.id)?;
        let last = |action: &str| history.iter().rev().find(|h| h.action == action);
        let (submitted, verified) = (last("submit"), last("verify"));
        let mut people: Vec<i64> = [problem.owner_id]
            .into_iter()
            .chain([submitted, verified].map(|h| h.and_then(|h| h.actor_id)))
            .flatten()
            .collect();
        people.sort_unstable();
        people.dedup();
        let names: HashMap<i64, String> = db_users::get_many(conn, &people)?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect();
        let name = |id: Option<i64>| {
            id.and_then(|id| names.get(&id).cloned())
                .unwrap_or_default()
        };
        let day = |at: chrono::NaiveDateTime| chinese_date(today_in(at.and_utc(), &unit.timezone));
        let measure_ids: Vec<i64> = db_problems::measure_links(conn, &[problem.id])?
            .into_iter()
            .map(|(_, m)| m)
            .collect();
        let measures = db_catalog::get_measures(conn, &measure_ids)?
            .into_iter()
            .map(|m| {
                let text = shown(&m.title, &m.description);
                match m.done_at {
                    Some(at) => format!("{text}（{}完成）", day(at)),
                    None => text,
                }
            })
            .collect();
        let evidence = rectify_db::closing::evidence_of(conn, problem.id, false)?
            .into_iter()
            .map(evidence_line)
            .collect();
        Ok(crate::document::ClosureRecord {
            key: problem.key.clone(),
            review_title: review.title,
            aspect: problem.aspect.clone().unwrap_or_default(),
            problem: shown(&problem.title, &problem.description),
            unit: unit.name.clone(),
            owner: name(problem.owner_id),
            deadline: problem.deadline.map(chinese_date).unwrap_or_default(),
            measures,
            completion_note: submitted.and_then(|h| h.note.clone()).unwrap_or_default(),
            evidence,
            submitter: name(submitted.and_then(|h| h.actor_id)),
            submitted_on: submitted.map(|h| day(h.created_at)).unwrap_or_default(),
            verifier: name(verified.and_then(|h| h.actor_id)),
            closed_on: problem.closed_at.map(day).unwrap_or_default(),
            verification_note: verified
                .and_then(|h| h.note.clone())
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| "同意销号。".to_owned()),
        })
    })
}

/// An evidence file as a document lists it: its name, and what it is when the uploader said.
fn evidence_line(e: rectify_db::models::EvidenceRow) -> String {
    match e.description.trim() {
        "" => e.file_name,
        about => format!("{}（{about}）", e.file_name),
    }
}

/// A ledger cell as a document writes it: dates as 2026年12月31日.
fn document_date(cell: &Value) -> String {
    match cell {
        Value::Date(day) => crate::document::chinese_date(*day),
        other => other.as_text(),
    }
}

// ---------------------------------------------------------------- overdue report

/// Every overdue problem and measure in the scope, and what falls due in the next 7 days.
/// Each is judged on its unit's own calendar unless `as_of` names the day.
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn overdue(
    db: &Db,
    caller: &Caller,
    query: &OverdueQuery,
    now: DateTime<Utc>,
) -> Result<OverdueReport> {
    use crate::domain::deadline::DUE_SOON_DAYS;
    db.read(|conn| {
        let (org, _) = resolve(
            conn,
            caller,
            LedgerScope {
                review_id: None,
                organization_id: query.organization_id,
            },
        )?;
        let today = |zone: &str| query.as_of.unwrap_or_else(|| today_in(now, zone));
        let zones = db_problems::timezones_in_use(conn)?;
        let latest = zones
            .iter()
            .map(|z| today(z))
            .max()
            .unwrap_or_else(|| today(&org.timezone));
        let horizon = latest + chrono::Days::new(DUE_SOON_DAYS as u64);

        let filter = ProblemFilter {
            within_path: caller.scope_path(),
            organization_path: Some(org.path.clone()),
            statuses: Status::ALL
                .into_iter()
                .filter(|s| s.is_active())
                .map(|s| s.as_str().to_owned())
                .collect(),
            deadline_to: Some(horizon),
            ..Default::default()
        };
        let mut problems = Vec::new();
        let mut after: Option<After> = None;
        loop {
            let page =
                db_problems::list_lines(conn, &filter, Sort::DeadlineAsc, after.as_ref(), PAGE)?;
            let Some(last) = page.last() else { break };
            after = Some(After::Deadline(
                last.deadline.unwrap_or(rectify_db::problems::NO_DEADLINE),
                last.id,
            ));
            problems.extend(page);
        }
        let measures: Vec<_> = db_catalog::pending_measures_until(conn, Some(&org.path), horizon)?
            .into_iter()
            .filter(|(_, review_org)| caller.sees(&review_org.path))
            .collect();

        let mut org_ids: Vec<i64> = problems.iter().map(|p| p.organization_id).collect();
        org_ids.sort_unstable();
        org_ids.dedup();
        let units: HashMap<i64, OrganizationRow> = orgs::get_many(conn, &org_ids)?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        let owner_ids: Vec<i64> = problems
            .iter()
            .filter_map(|p| p.owner_id)
            .chain(measures.iter().filter_map(|(m, _)| m.owner_id))
            .collect();
        let owners: HashMap<i64, String> = db_users::get_many(conn, &owner_ids)?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect();
        let review_ids: Vec<i64> = problems
            .iter()
            .map(|p| p.review_id)
            .chain(measures.iter().map(|(m, _)| m.review_id))
            .collect();
        let review_titles = rectify_db::reviews::titles_of(conn, &review_ids)?;
        let measure_ids: Vec<i64> = measures.iter().map(|(m, _)| m.id).collect();
        let served = db_problems::problems_of_measure(conn, &measure_ids)?;
        let served_ids: Vec<i64> = served.iter().map(|(_, p)| *p).collect();
        let keys: HashMap<i64, String> = db_problems::get_many(conn, &served_ids)?
            .into_iter()
            .map(|p| (p.id, p.key))
            .collect();
        let mut keys_of = group(
            served
                .into_iter()
                .filter_map(|(m, p)| keys.get(&p).map(|k| (m, k.clone()))),
        );

        let mut overdue = Vec::new();
        let mut due_soon = Vec::new();
        // Everything listed is still pending (active problems, measures not done).
        let mut place = |item: OverdueItem, today: chrono::NaiveDate| {
            let standing = standing(true, Some(item.deadline), today);
            match standing.warning {
                Warning::Overdue => overdue.push(OverdueItem {
                    days_overdue: standing.days_overdue,
                    ..item
                }),
                Warning::DueSoon => due_soon.push(OverdueItem {
                    days_left: standing.days_left,
                    ..item
                }),
                Warning::None => {}
            }
        };
        for p in problems {
            let Some(deadline) = p.deadline else { continue };
            let unit = units.get(&p.organization_id);
            let zone = unit.map_or("Asia/Shanghai", |u| u.timezone.as_str());
            let item = OverdueItem {
                kind: "problem",
                id: p.id,
                key: Some(p.key),
                title: p.title,
                review_id: p.review_id,
                review_title: review_titles.get(&p.review_id).cloned().unwrap_or_default(),
                aspect: p.aspect,
                organization_id: p.organization_id,
                unit: unit.map(|u| u.name.clone()).unwrap_or_default(),
                owner_id: p.owner_id,
                owner: p.owner_id.and_then(|id| owners.get(&id).cloned()),
                deadline,
                days_overdue: 0,
                days_left: 0,
                status: p.status.parse().ok(),
                problem_keys: Vec::new(),
            };
            place(item, today(zone));
        }
        for (m, review_org) in measures {
            let Some(deadline) = m.deadline else { continue };
            let item = OverdueItem {
                kind: "measure",
                id: m.id,
                key: None,
                title: m.title.clone(),
                review_id: m.review_id,
                review_title: review_titles.get(&m.review_id).cloned().unwrap_or_default(),
                aspect: None,
                organization_id: review_org.id,
                unit: review_org.name.clone(),
                owner_id: m.owner_id,
                owner: m.owner_id.and_then(|id| owners.get(&id).cloned()),
                deadline,
                days_overdue: 0,
                days_left: 0,
                status: None,
                problem_keys: keys_of.remove(&m.id).unwrap_or_default(),
            };
            place(item, today(&review_org.timezone));
        }
        overdue.sort_by(|a, b| {
            b.days_overdue
                .cmp(&a.days_overdue)
                .then(a.kind.cmp(b.kind))
                .then(a.id.cmp(&b.id))
        });
        due_soon.sort_by(|a, b| {
            a.deadline
                .cmp(&b.deadline)
                .then(a.kind.cmp(b.kind))
                .then(a.id.cmp(&b.id))
        });
        let group_by = query.group_by.unwrap_or_default();
        let groups = overdue_groups(&overdue, group_by);
        let until = query.as_of.map_or(now.naive_utc(), |day| {
            crate::domain::deadline::end_of_day(day, &org.timezone)
        });
        let (overdue_replies, rechecks_due) = supervision_items(conn, &org, latest, until, today)?;
        Ok(OverdueReport {
            as_of: query.as_of,
            organization_id: org.id,
            group_by,
            overdue,
            groups,
            due_soon,
            overdue_replies,
            rechecks_due,
        })
    })
}

/// The supervision's overdue items in the subtree: 督办 notices not answered by their reply
/// date at `until`, and re-checks due and not recorded; each judged on its unit's calendar.
fn supervision_items(
    conn: &mut DbConnection,
    org: &OrganizationRow,
    latest_today: NaiveDate,
    until: chrono::NaiveDateTime,
    today: impl Fn(&str) -> NaiveDate,
) -> Result<(
    Vec<crate::api_types::OverdueReply>,
    Vec<crate::api_types::RecheckDue>,
)> {
    use crate::domain::notice;
    let notices = rectify_db::notices::unanswered_before(conn, &org.path, latest_today, until)?;
    let ids: Vec<i64> = notices.iter().map(|(n, _, _)| n.id).collect();
    let mut problems_of = group(rectify_db::notices::problems_of(conn, &ids)?);
    let mut replies: Vec<crate::api_types::OverdueReply> = notices
        .into_iter()
        .map(|(n, unit, zone)| crate::api_types::OverdueReply {
            notice_id: n.id,
            reference: notice::reference(n.year, n.number),
            subject: n.subject,
            organization_id: n.recipient_organization_id,
            unit,
            reply_by: n.reply_by,
            days_overdue: notice::reply_days_overdue(n.reply_by, false, today(&zone)),
            problem_ids: problems_of.remove(&n.id).unwrap_or_default(),
        })
        .filter(|r| r.days_overdue > 0)
        .collect();
    replies.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then(a.notice_id.cmp(&b.notice_id))
    });
    let mut rechecks: Vec<crate::api_types::RecheckDue> =
        rectify_db::supervision::rechecks_due_within(conn, &org.path, latest_today)?
            .into_iter()
            .filter_map(|(p, unit, zone)| {
                let on = p.recheck_on?;
                let days = (today(&zone) - on).num_days();
                (days >= 0).then_some(crate::api_types::RecheckDue {
                    problem_id: p.id,
                    key: p.key,
                    title: p.title,
                    organization_id: p.organization_id,
                    unit,
                    recheck_on: on,
                    days_overdue: days,
                })
            })
            .collect();
    rechecks.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then(a.problem_id.cmp(&b.problem_id))
    });
    Ok((replies, rechecks))
}

/// Counts per group, largest first.
fn overdue_groups(items: &[OverdueItem], by: OverdueGrouping) -> Vec<OverdueGroup> {
    let mut groups: Vec<OverdueGroup> = Vec::new();
    for item in items {
        let (key, name) = match by {
            OverdueGrouping::Organization => (item.organization_id.to_string(), item.unit.clone()),
            OverdueGrouping::Owner => match item.owner_id {
                Some(id) => (id.to_string(), item.owner.clone().unwrap_or_default()),
                None => ("none".to_owned(), "未指定责任人".to_owned()),
            },
            OverdueGrouping::Aspect => match &item.aspect {
                Some(a) => (a.clone(), a.clone()),
                None => ("none".to_owned(), "未分类".to_owned()),
            },
            OverdueGrouping::Review => (item.review_id.to_string(), item.review_title.clone()),
        };
        let at = match groups.iter().position(|g| g.key == key) {
            Some(at) => at,
            None => {
                groups.push(OverdueGroup {
                    key,
                    name,
                    problems: 0,
                    measures: 0,
                });
                groups.len() - 1
            }
        };
        if item.kind == "problem" {
            groups[at].problems += 1;
        } else {
            groups[at].measures += 1;
        }
    }
    groups.sort_by(|a, b| {
        (b.problems + b.measures)
            .cmp(&(a.problems + a.measures))
            .then(a.key.cmp(&b.key))
    });
    groups
}

/// The report as table rows, for CSV and XLSX.
pub const OVERDUE_COLUMNS: crate::export::Columns<'static> = crate::export::Columns {
    headers: &[
        "类型",
        "编号",
        "问题/措施",
        "方面",
        "责任单位",
        "责任人",
        "整改时限",
        "逾期天数",
        "状态",
    ],
    widths: &[8.0, 12.0, 50.0, 18.0, 16.0, 10.0, 12.0, 10.0, 10.0],
};

/// The due-soon sheet's columns: as the overdue list's, with the days left.
pub const DUE_SOON_COLUMNS: crate::export::Columns<'static> = crate::export::Columns {
    headers: &[
        "类型",
        "编号",
        "问题/措施",
        "方面",
        "责任单位",
        "责任人",
        "整改时限",
        "剩余天数",
        "状态",
    ],
    widths: OVERDUE_COLUMNS.widths,
};

/// The counts sheet's columns: one row per group (unit, owner, review or aspect).
pub const GROUP_COLUMNS: crate::export::Columns<'static> = crate::export::Columns {
    headers: &["分组", "逾期问题", "逾期措施", "合计"],
    widths: &[40.0, 14.0, 14.0, 14.0],
};

pub fn overdue_rows(report: &OverdueReport) -> Vec<crate::export::Row> {
    item_rows(&report.overdue, Highlight::Overdue, |i| i.days_overdue)
}

/// What falls due in the next 7 days, yellow, with the days left.
pub fn due_soon_rows(report: &OverdueReport) -> Vec<crate::export::Row> {
    item_rows(&report.due_soon, Highlight::DueSoon, |i| i.days_left)
}

/// The counts per group, as the JSON report gives them.
pub fn group_rows(report: &OverdueReport) -> Vec<crate::export::Row> {
    report
        .groups
        .iter()
        .map(|g| crate::export::Row {
            cells: vec![
                Value::Text(g.name.clone()),
                Value::Number(g.problems as i64),
                Value::Number(g.measures as i64),
                Value::Number((g.problems + g.measures) as i64),
            ],
            highlight: Highlight::None,
        })
        .collect()
}

/// The overdue replies sheet's columns.
pub const OVERDUE_REPLY_COLUMNS: crate::export::Columns<'static> = crate::export::Columns {
    headers: &[
        "文号",
        "事由",
        "承办单位",
        "答复期限",
        "逾期天数",
        "涉及问题数",
    ],
    widths: &[18.0, 50.0, 18.0, 12.0, 10.0, 12.0],
};

/// The due re-checks sheet's columns.
pub const RECHECK_DUE_COLUMNS: crate::export::Columns<'static> = crate::export::Columns {
    headers: &["编号", "问题", "责任单位", "回头看日期", "逾期天数"],
    widths: &[12.0, 56.0, 18.0, 12.0, 10.0],
};

/// 督办 notices not answered in time, red.
pub fn overdue_reply_rows(report: &OverdueReport) -> Vec<crate::export::Row> {
    report
        .overdue_replies
        .iter()
        .map(|r| crate::export::Row {
            cells: vec![
                Value::Text(r.reference.clone()),
                Value::Text(r.subject.clone()),
                Value::Text(r.unit.clone()),
                Value::Date(r.reply_by),
                Value::Number(r.days_overdue),
                Value::Number(r.problem_ids.len() as i64),
            ],
            highlight: Highlight::Overdue,
        })
        .collect()
}

/// Re-checks due and not recorded; red once past their day.
pub fn recheck_due_rows(report: &OverdueReport) -> Vec<crate::export::Row> {
    report
        .rechecks_due
        .iter()
        .map(|r| crate::export::Row {
            cells: vec![
                Value::Text(r.key.clone()),
                Value::Text(r.title.clone()),
                Value::Text(r.unit.clone()),
                Value::Date(r.recheck_on),
                Value::Number(r.days_overdue),
            ],
            highlight: if r.days_overdue > 0 {
                Highlight::Overdue
            } else {
                Highlight::DueSoon
            },
        })
        .collect()
}

fn item_rows(
    items: &[OverdueItem],
    highlight: Highlight,
    days: impl Fn(&OverdueItem) -> i64,
) -> Vec<crate::export::Row> {
    items
        .iter()
        .map(|i| crate::export::Row {
            cells: vec![
                Value::Text(
                    if i.kind == "problem" {
                        "问题"
                    } else {
                        "措施"
                    }
                    .to_owned(),
                ),
                Value::Text(i.key.clone().unwrap_or_else(|| i.problem_keys.join("、"))),
                Value::Text(i.title.clone()),
                Value::Text(i.aspect.clone().unwrap_or_default()),
                Value::Text(i.unit.clone()),
                Value::Text(i.owner.clone().unwrap_or_default()),
                Value::Date(i.deadline),
                Value::Number(days(i)),
                Value::Text(i.status.map(status_label).unwrap_or("未完成").to_owned()),
            ],
            highlight,
        })
        .collect()
}

// ---------------------------------------------------------------- progress

/// Each problem's timeline (for figures on any past day) with its history rows: one query
/// for the page's history and one for its approved extensions.
pub(crate) fn timelines(
    conn: &mut DbConnection,
    rows: &[rectify_db::models::ProblemRow],
) -> Result<
    HashMap<
        i64,
        (
            crate::domain::progress::Timeline,
            Vec<rectify_db::models::HistoryRow>,
        ),
    >,
> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut history = group(
        db_problems::history_of(conn, &ids)?
            .into_iter()
            .map(|h| (h.problem_id, h)),
    );
    let mut extensions = group(
        rectify_db::closing::approved_extensions(conn, &ids)?
            .into_iter()
            .map(|e| (e.problem_id, e)),
    );
    Ok(rows
        .iter()
        .map(|row| {
            let entries = history.remove(&row.id).unwrap_or_default();
            let timeline = crate::domain::progress::Timeline {
                created_at: row.created_at,
                original_deadline: row.original_deadline.or(row.deadline),
                history: entries
                    .iter()
                    .filter_map(|h| {
                        h.to_status
                            .parse()
                            .ok()
                            .map(|s| (h.created_at, h.action.clone(), s))
                    })
                    .collect(),
                extensions: extensions
                    .remove(&row.id)
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|e| e.decided_at.map(|at| (at, e.new_deadline)))
                    .collect(),
                outcomes: entries
                    .iter()
                    .filter_map(|h| Some((h.created_at, h.outcome.as_deref()?.parse().ok()?)))
                    .collect(),
                acknowledge_by: row.acknowledge_by,
                acknowledged_at: row.acknowledged_at,
            };
            (row.id, (timeline, entries))
        })
        .collect())
}

/// Progress as it stood at the end of `as_of` (each unit's calendar) or now, summed from the
/// progress tallies.
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn progress(
    db: &Db,
    caller: &Caller,
    query: &ProgressQuery,
    now: DateTime<Utc>,
) -> Result<ProgressReport> {
    progress_and_days(db, caller, query, &[], now).map(|(report, _)| report)
}

/// The progress report, and from the same rows the scope's figures at the end of each of
/// `days` (each unit on its own calendar): the completion line of the console's dashboard.
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn progress_and_days(
    db: &Db,
    caller: &Caller,
    query: &ProgressQuery,
    days: &[chrono::NaiveDate],
    now: DateTime<Utc>,
) -> Result<(ProgressReport, Vec<crate::domain::progress::Figures>)> {
    use crate::domain::progress::{Figures, Tally};
    db.read(|conn| {
        let (org, _) = resolve(
            conn,
            caller,
            LedgerScope {
                review_id: query.review_id,
                organization_id: query.organization_id,
            },
        )?;
        let mut tree = vec![org.clone()];
        tree.extend(orgs::descendants(conn, &org.path)?);
        let tree: Vec<OrganizationRow> =
            tree.into_iter().filter(|o| caller.sees(&o.path)).collect();
        let units: HashMap<i64, &OrganizationRow> = tree.iter().map(|o| (o.id, o)).collect();
        // The day asked for (or today), on each zone's calendar.
        let mut report_days: HashMap<&str, chrono::NaiveDate> = HashMap::new();
        let mut on_days = vec![Tally::default(); days.len()];
        let mut by_unit: HashMap<i64, Tally> = HashMap::new();
        let mut by_aspect: HashMap<(i64, String), Tally> = HashMap::new();
        // Closed problems per review of the subtree on the day (all of them, for the
        // recurrence rate of one review's report: what the reviews before it closed).
        let mut closed_by_review: HashMap<i64, i64> = HashMap::new();
        let report_day =
            |unit: &OrganizationRow| query.as_of.unwrap_or_else(|| today_in(now, &unit.timezone));
        if query.review_id.is_some() {
            for row in rectify_db::progress::within(conn, &org.path, None)? {
                if let Some(unit) = units.get(&row.organization_id) {
                    if row.day <= report_day(unit) {
                        *closed_by_review.entry(row.review_id).or_default() += row.closed;
                    }
                }
            }
        }
        for row in rectify_db::progress::within(conn, &org.path, query.review_id)? {
            // Units outside the caller's view are left out, as the ledger leaves them out.
            let Some(unit) = units.get(&row.organization_id) else {
                continue;
            };
            let tally = super::progress_tallies::tally_of(&row);
            for (day, sum) in days.iter().zip(on_days.iter_mut()) {
                if row.day <= *day {
                    *sum += tally;
                }
            }
            let report_day = *report_days
                .entry(unit.timezone.as_str())
                .or_insert_with(|| query.as_of.unwrap_or_else(|| today_in(now, &unit.timezone)));
            if row.day <= report_day {
                if query.review_id.is_none() {
                    *closed_by_review.entry(row.review_id).or_default() += tally.closed;
                }
                *by_unit.entry(row.organization_id).or_default() += tally;
                *by_aspect.entry((row.review_id, row.aspect)).or_default() += tally;
            }
        }
        // A problem moved to another aspect leaves rows summing to nothing behind: an aspect is
        // listed while problems of it exist, as before.
        by_aspect.retain(|_, tally| tally.total > 0);
        // Rolled up: each unit into itself and every organization above it within the report.
        let mut rolled: HashMap<i64, Tally> = HashMap::new();
        for (unit_id, tally) in &by_unit {
            for ancestor in units[unit_id]
                .path
                .split('/')
                .filter_map(|s| s.parse::<i64>().ok())
                .filter(|id| units.contains_key(id))
            {
                *rolled.entry(ancestor).or_default() += *tally;
            }
        }
        let total = by_unit.values().fold(Tally::default(), |sum, t| sum + *t);
        // Reviews in id order; a review's aspects in its own order, then problems without one.
        let mut by_review: std::collections::BTreeMap<i64, Tally> = Default::default();
        for ((review_id, _), tally) in &by_aspect {
            *by_review.entry(*review_id).or_default() += *tally;
        }
        let review_ids: Vec<i64> = by_review.keys().copied().collect();
        let aspect_order = rectify_db::reviews::aspects_of(conn, &review_ids)?;
        let mut aspects: Vec<((i64, String), Tally)> = by_aspect.into_iter().collect();
        aspects.sort_by_cached_key(|((review_id, aspect), _)| {
            let position = aspect_order
                .get(review_id)
                .and_then(|names| names.iter().position(|n| n == aspect))
                .unwrap_or(usize::MAX);
            (*review_id, aspect.is_empty(), position, aspect.clone())
        });
        let by_org: HashMap<i64, Figures> = rolled
            .into_iter()
            .map(|(id, t)| (id, Figures::from(t)))
            .collect();
        let total = Figures::from(total);
        let on_days: Vec<Figures> = on_days.into_iter().map(Figures::from).collect();
        let organizations = tree
            .iter()
            .map(|o| OrganizationProgress {
                organization_id: o.id,
                code: o.code.clone(),
                name: o.name.clone(),
                parent_id: o.parent_id,
                figures: by_org.get(&o.id).copied().unwrap_or_default(),
            })
            .collect();
        let mut titles = rectify_db::reviews::titles_of(conn, &review_ids)?;
        let reviews = by_review
            .into_iter()
            .map(|(review_id, tally)| ReviewProgress {
                review_id,
                title: titles.remove(&review_id).unwrap_or_default(),
                figures: Figures::from(tally),
            })
            .collect();
        let report = ProgressReport {
            as_of: query.as_of,
            organization_id: org.id,
            review_id: query.review_id,
            total,
            organizations,
            reviews,
            aspects: aspects
                .into_iter()
                .map(|((review_id, aspect), tally)| AspectProgress {
                    review_id,
                    aspect: Some(aspect).filter(|a| !a.is_empty()),
                    figures: Figures::from(tally),
                })
                .collect(),
            recurrence: recurrence(
                conn,
                caller,
                &org,
                (query.review_id, &closed_by_review),
                query.as_of,
                now,
            )?,
        };
        Ok((report, on_days))
    })
}

/// 问题反弹 in a progress report's scope, as of the end of `as_of` (the organization's
/// calendar) or now: confirmed recurrences against what earlier reviews closed (from the
/// closed problems per review on the day, `closed_by_review`), and the 年年提 chains.
fn recurrence(
    conn: &mut DbConnection,
    caller: &Caller,
    org: &OrganizationRow,
    (review_id, closed_by_review): (Option<i64>, &HashMap<i64, i64>),
    as_of: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<crate::api_types::RecurrenceFigures> {
    use rectify_db::recurrences as db_recurrences;
    let until = as_of.map_or(now.naive_utc(), |day| {
        crate::domain::deadline::end_of_day(day, &org.timezone)
    });
    let links = db_recurrences::confirmed_within(conn, &org.path, review_id, until)?;
    let in_scope: std::collections::HashSet<i64> = links.iter().map(|(p, _)| *p).collect();
    // Earlier: held before the report's review, or before the newest review of the subtree.
    let review_ids: Vec<i64> = closed_by_review.keys().copied().collect();
    let held: HashMap<i64, NaiveDate> = rectify_db::reviews::held_on_of(conn, &review_ids)?
        .into_iter()
        .collect();
    let held_before = match review_id {
        Some(id) => Some(rectify_db::reviews::get(conn, id)?.held_on),
        None => held.values().max().copied(),
    };
    let closed: i64 = closed_by_review
        .iter()
        .filter(|(id, _)| held_before.is_some_and(|day| held.get(id).is_some_and(|h| *h < day)))
        .map(|(_, n)| (*n).max(0))
        .sum();
    // Follow the chains back, whatever subtree the earlier problems are in.
    let mut all_links = links.clone();
    let mut seen: std::collections::HashSet<i64> = in_scope.clone();
    let mut frontier: Vec<i64> = links.iter().map(|(_, e)| *e).collect();
    while !frontier.is_empty() {
        frontier.retain(|id| seen.insert(*id));
        let found = db_recurrences::confirmed_of(conn, &frontier, until)?;
        frontier = found.iter().map(|(_, e)| *e).collect();
        all_links.extend(found);
    }
    let mut ids: Vec<i64> = all_links.iter().flat_map(|(p, e)| [*p, *e]).collect();
    ids.sort_unstable();
    ids.dedup();
    let problems: HashMap<i64, db_recurrences::ChainProblem> =
        db_recurrences::chain_problems(conn, &ids)?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
    let review_of: HashMap<i64, (i64, NaiveDate)> = problems
        .values()
        .map(|p| (p.id, (p.review_id, p.held_on)))
        .collect();
    let chains = crate::domain::recurrence::year_after_year(&all_links, &review_of, |p| {
        in_scope.contains(&p)
    });
    let paths: HashMap<i64, String> = orgs::get_many(
        conn,
        &problems
            .values()
            .map(|p| p.organization_id)
            .collect::<Vec<_>>(),
    )?
    .into_iter()
    .map(|o| (o.id, o.path))
    .collect();
    let year_after_year = chains
        .into_iter()
        .map(|(head, chain)| {
            let reviews: std::collections::HashSet<i64> = chain
                .iter()
                .filter_map(|p| review_of.get(p))
                .map(|(r, _)| *r)
                .collect();
            crate::api_types::RecurringChain {
                problem_id: head,
                reviews: reviews.len() as u64,
                problems: chain
                    .iter()
                    .filter_map(|id| problems.get(id))
                    .filter(|p| {
                        paths
                            .get(&p.organization_id)
                            .is_some_and(|path| caller.sees(path))
                    })
                    .map(|p| crate::api_types::ChainProblem {
                        id: p.id,
                        key: p.key.clone(),
                        title: p.title.clone(),
                        review_id: p.review_id,
                        review_title: p.review_title.clone(),
                        held_on: p.held_on,
                    })
                    .collect(),
            }
        })
        .collect();
    let confirmed = in_scope.len() as u64;
    Ok(crate::api_types::RecurrenceFigures {
        confirmed,
        closed_in_earlier_reviews: closed.max(0) as u64,
        recurrence_rate: (closed > 0)
            .then(|| (confirmed as f64 / closed as f64 * 10_000.0).round() / 10_000.0),
        year_after_year,
    })
}
