//! Reports over the ledger. The ledger sheet (整改台账) is read page by page inside one read
//! transaction, so a long export is one consistent snapshot and holds one page in memory.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rectify_db::models::OrganizationRow;
use rectify_db::organizations as orgs;
use rectify_db::problems::{self as db_problems, After, ProblemFilter, Sort};
use rectify_db::{catalog as db_catalog, users as db_users, Db, DbConnection};

use super::access;
use super::organizations::visible as visible_org;
use super::Caller;
use crate::domain::deadline::{problem_standing, today_in, Warning};
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
}

fn group<T>(pairs: impl IntoIterator<Item = (i64, T)>) -> HashMap<i64, Vec<T>> {
    let mut map: HashMap<i64, Vec<T>> = HashMap::new();
    for (k, v) in pairs {
        map.entry(k).or_default().push(v);
    }
    map
}

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
pub fn ledger_title(db: &Db, caller: &Caller, scope: LedgerScope) -> Result<LedgerTitle> {
    db.read(|conn| {
        let (org, review) = resolve(conn, caller, scope)?;
        let title = match review {
            Some(title) => format!("{title}整改台账"),
            None => format!("{}整改台账", org.name),
        };
        Ok(LedgerTitle { title })
    })
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
