//! Causes (原因) and corrective measures (整改措施) of a review.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rectify_db::catalog::{self as db_catalog, CatalogFilter};
use rectify_db::models::{
    CauseChanges, CauseRow, MeasureChanges, MeasureRow, NewCause, NewMeasure,
};
use rectify_db::{
    organizations as orgs, problems as db_problems, reviews as db_reviews, Db, DbConnection,
};

use super::access::{self, check_if_match, concurrent_change};
use super::idempotency::{self, Once, Outcome};
use super::pagination::{self, AfterId};
use super::Caller;
use crate::api_types::{
    utc, CatalogQuery, Cause, CreateCause, CreateMeasure, Measure, MeasureQuery, Page, PageParams,
    UpdateCause, UpdateMeasure,
};
use crate::domain::deadline::{measure_standing, today_in};
use crate::error::{Error, Result};

/// Each record's linked problems, keeping only those the caller may see: a cause or measure
/// shared by two units must not tell one unit the other's problem ids.
fn visible_links(
    conn: &mut DbConnection,
    caller: &Caller,
    pairs: Vec<(i64, i64)>,
) -> Result<HashMap<i64, Vec<i64>>> {
    if caller.is_admin() {
        return Ok(super::group(pairs));
    }
    let mut ids: Vec<i64> = pairs.iter().map(|(_, problem)| *problem).collect();
    ids.sort_unstable();
    ids.dedup();
    let problems = db_problems::get_many(conn, &ids)?;
    let mut unit_ids: Vec<i64> = problems.iter().map(|p| p.organization_id).collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let seen_units: std::collections::HashSet<i64> = orgs::get_many(conn, &unit_ids)?
        .into_iter()
        .filter(|o| caller.sees(&o.path))
        .map(|o| o.id)
        .collect();
    let visible: std::collections::HashSet<i64> = problems
        .into_iter()
        .filter(|p| seen_units.contains(&p.organization_id))
        .map(|p| p.id)
        .collect();
    Ok(super::group(
        pairs
            .into_iter()
            .filter(|(_, problem)| visible.contains(problem)),
    ))
}

fn cause_dtos(conn: &mut DbConnection, caller: &Caller, rows: Vec<CauseRow>) -> Result<Vec<Cause>> {
    let pairs =
        db_problems::problems_of_cause(conn, &rows.iter().map(|r| r.id).collect::<Vec<_>>())?;
    let mut problems = visible_links(conn, caller, pairs)?;
    Ok(rows
        .into_iter()
        .map(|r| Cause {
            problem_ids: problems.remove(&r.id).unwrap_or_default(),
            id: r.id,
            review_id: r.review_id,
            title: r.title,
            description: r.description,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            version: r.version,
        })
        .collect())
}

/// Measures fall due in the time zone of the organization that held their review.
fn measure_dtos(
    conn: &mut DbConnection,
    caller: &Caller,
    rows: Vec<MeasureRow>,
    now: DateTime<Utc>,
) -> Result<Vec<Measure>> {
    let pairs =
        db_problems::problems_of_measure(conn, &rows.iter().map(|r| r.id).collect::<Vec<_>>())?;
    let mut problems = visible_links(conn, caller, pairs)?;
    let mut zones: HashMap<i64, String> = HashMap::new();
    for review_id in rows.iter().map(|r| r.review_id) {
        if let std::collections::hash_map::Entry::Vacant(slot) = zones.entry(review_id) {
            let review = db_reviews::get(conn, review_id)?;
            slot.insert(orgs::get(conn, review.organization_id)?.timezone);
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let standing =
                measure_standing(r.done, r.deadline, today_in(now, &zones[&r.review_id]));
            Measure {
                problem_ids: problems.remove(&r.id).unwrap_or_default(),
                id: r.id,
                review_id: r.review_id,
                title: r.title,
                description: r.description,
                owner_id: r.owner_id,
                deadline: r.deadline,
                done: r.done,
                done_at: r.done_at.map(utc),
                overdue: standing.overdue,
                days_overdue: standing.days_overdue,
                warning: standing.warning,
                created_at: utc(r.created_at),
                updated_at: utc(r.updated_at),
                version: r.version,
            }
        })
        .collect())
}

fn first<T>(mut items: Vec<T>) -> Result<T> {
    items
        .pop()
        .ok_or_else(|| Error::internal("record vanished"))
}

/// The path of the organization a review belongs to, where its records are audited.
fn review_path(conn: &mut DbConnection, review_id: i64) -> Result<String> {
    let review = rectify_db::reviews::get(conn, review_id)?;
    Ok(rectify_db::organizations::get(conn, review.organization_id)?.path)
}

// ---------------------------------------------------------------- causes

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn create_cause(
    db: &Db,
    caller: &Caller,
    input: CreateCause,
    once: Option<Once<Cause>>,
    now: DateTime<Utc>,
) -> Result<Outcome<Cause>> {
    super::audit::write(db, now, |conn| {
        idempotency::once(conn, once.as_ref(), now, |conn| {
            access::review_field(conn, caller, "review_id", input.review_id)?;
            let (review, _) =
                access::review_to_change(conn, caller, input.review_id, "add causes")?;
            let problem_ids = access::problems_of_review(
                conn,
                caller,
                review.id,
                input.problem_ids.as_deref().unwrap_or_default(),
            )?;
            let at = now.naive_utc();
            let row = db_catalog::insert_cause(
                conn,
                NewCause {
                    review_id: review.id,
                    title: input.title.trim(),
                    description: input.description.as_deref().unwrap_or_default().trim(),
                    created_by: Some(caller.user_id).filter(|id| *id > 0),
                    created_at: at,
                    updated_at: at,
                },
            )?;
            db_problems::set_problems_of_cause(conn, row.id, &problem_ids)?;
            let cause = first(cause_dtos(conn, caller, vec![row])?)?;
            let path = review_path(conn, review.id)?;
            super::audit::created_record(conn, caller, "cause", cause.id, &path, &cause)?;
            Ok(cause)
        })
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn get_cause(db: &Db, caller: &Caller, id: i64) -> Result<Cause> {
    db.read(|conn| {
        let row = access::cause(conn, caller, id)?;
        first(cause_dtos(conn, caller, vec![row])?)
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn list_causes(
    db: &Db,
    caller: &Caller,
    query: CatalogQuery,
    page: PageParams,
) -> Result<Page<Cause>> {
    let limit = page.limit.unwrap_or(pagination::DEFAULT_LIMIT);
    let after = pagination::after::<AfterId>(&page)?;
    db.read(|conn| {
        let filter = CatalogFilter {
            visible_within: caller.scope_path(),
            review_id: query.review_id,
            problem_id: query.problem_id,
            ..Default::default()
        };
        let rows = db_catalog::list_causes(conn, &filter, after.map(|a| a.id), limit + 1)?;
        let (rows, next_cursor) = pagination::page_by_id(rows, limit, |r| r.id);
        Ok(Page {
            items: cause_dtos(conn, caller, rows)?,
            next_cursor,
            total: None,
        })
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn update_cause(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: UpdateCause,
    if_match: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Cause> {
    super::audit::write(db, now, |conn| {
        let row = access::cause(conn, caller, id)?;
        let (_, review_org) =
            access::review_to_change(conn, caller, row.review_id, "change causes")?;
        check_if_match(if_match, row.version)?;
        let before = first(cause_dtos(conn, caller, vec![row.clone()])?)?;
        if let Some(ids) = &input.problem_ids {
            let ids = access::problems_of_review(conn, caller, row.review_id, ids)?;
            db_problems::set_problems_of_cause(conn, id, &ids)?;
        }
        let changes = CauseChanges {
            title: input.title.as_deref().map(|t| t.trim().to_owned()),
            description: input.description.as_deref().map(|d| d.trim().to_owned()),
            updated_at: Some(now.naive_utc()),
        };
        let row = db_catalog::update_cause(conn, id, row.version, &changes)?
            .ok_or_else(concurrent_change)?;
        let after = first(cause_dtos(conn, caller, vec![row])?)?;
        super::audit::changed_record(
            conn,
            caller,
            "cause.update",
            "cause",
            id,
            &review_org.path,
            &before,
            &after,
        )?;
        Ok(after)
    })
}

// ---------------------------------------------------------------- measures

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn create_measure(
    db: &Db,
    caller: &Caller,
    input: CreateMeasure,
    once: Option<Once<Measure>>,
    now: DateTime<Utc>,
) -> Result<Outcome<Measure>> {
    super::audit::write(db, now, |conn| {
        idempotency::once(conn, once.as_ref(), now, |conn| {
            access::review_field(conn, caller, "review_id", input.review_id)?;
            let (review, review_org) =
                access::review_to_change(conn, caller, input.review_id, "add measures")?;
            if let Some(owner) = input.owner_id {
                access::owner_for(conn, caller, "owner_id", owner, &review_org)?;
            }
            let problem_ids = access::problems_of_review(
                conn,
                caller,
                review.id,
                input.problem_ids.as_deref().unwrap_or_default(),
            )?;
            let at = now.naive_utc();
            let row = db_catalog::insert_measure(
                conn,
                NewMeasure {
                    review_id: review.id,
                    title: input.title.trim(),
                    description: input.description.as_deref().unwrap_or_default().trim(),
                    owner_id: input.owner_id,
                    deadline: input.deadline,
                    done: false,
                    created_by: Some(caller.user_id).filter(|id| *id > 0),
                    created_at: at,
                    updated_at: at,
                },
            )?;
            db_problems::set_problems_of_measure(conn, row.id, &problem_ids)?;
            let measure = first(measure_dtos(conn, caller, vec![row], now)?)?;
            super::audit::created_record(
                conn,
                caller,
                "measure",
                measure.id,
                &review_org.path,
                &measure,
            )?;
            Ok(measure)
        })
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn get_measure(db: &Db, caller: &Caller, id: i64, now: DateTime<Utc>) -> Result<Measure> {
    db.read(|conn| {
        let row = access::measure(conn, caller, id)?;
        first(measure_dtos(conn, caller, vec![row], now)?)
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn list_measures(
    db: &Db,
    caller: &Caller,
    query: MeasureQuery,
    page: PageParams,
    now: DateTime<Utc>,
) -> Result<Page<Measure>> {
    let limit = page.limit.unwrap_or(pagination::DEFAULT_LIMIT);
    let after = pagination::after::<AfterId>(&page)?;
    db.read(|conn| {
        let filter = CatalogFilter {
            visible_within: caller.scope_path(),
            review_id: query.review_id,
            problem_id: query.problem_id,
            owner_id: query.owner_id,
            done: query.done,
        };
        let rows = db_catalog::list_measures(conn, &filter, after.map(|a| a.id), limit + 1)?;
        let (rows, next_cursor) = pagination::page_by_id(rows, limit, |r| r.id);
        Ok(Page {
            items: measure_dtos(conn, caller, rows, now)?,
            next_cursor,
            total: None,
        })
    })
}

/// Coordinators change anything; the measure's owner (or, for a measure without one, the owner
/// of a linked problem) may only mark it done or not done.
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn update_measure(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: UpdateMeasure,
    if_match: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Measure> {
    super::audit::write(db, now, |conn| {
        let row = access::measure(conn, caller, id)?;
        check_if_match(if_match, row.version)?;
        let before = first(measure_dtos(conn, caller, vec![row.clone()], now)?)?;
        let only_done = input.title.is_none()
            && input.description.is_none()
            && input.owner_id.is_none()
            && input.deadline.is_none()
            && input.problem_ids.is_none();
        let works_on_it = if row.owner_id.is_some() {
            row.owner_id == Some(caller.user_id)
        } else {
            let linked: Vec<i64> = db_problems::problems_of_measure(conn, &[id])?
                .into_iter()
                .map(|(_, p)| p)
                .collect();
            db_problems::get_many(conn, &linked)?
                .iter()
                .any(|p| p.owner_id == Some(caller.user_id))
        };
        if !(only_done && works_on_it && caller.role != crate::domain::Role::Auditor) {
            let (_, review_org) =
                access::review_to_change(conn, caller, row.review_id, "change measures")?;
            if let Some(Some(owner)) = input.owner_id {
                access::owner_for(conn, caller, "owner_id", owner, &review_org)?;
            }
            if let Some(ids) = &input.problem_ids {
                let ids = access::problems_of_review(conn, caller, row.review_id, ids)?;
                db_problems::set_problems_of_measure(conn, id, &ids)?;
            }
        }
        let at = now.naive_utc();
        let changes = MeasureChanges {
            title: input.title.as_deref().map(|t| t.trim().to_owned()),
            description: input.description.as_deref().map(|d| d.trim().to_owned()),
            owner_id: input.owner_id,
            deadline: input.deadline,
            done: input.done,
            done_at: match input.done {
                Some(true) if !row.done => Some(Some(at)),
                Some(false) => Some(None),
                _ => None,
            },
            updated_at: Some(at),
        };
        let row = db_catalog::update_measure(conn, id, row.version, &changes)?
            .ok_or_else(concurrent_change)?;
        let after = first(measure_dtos(conn, caller, vec![row], now)?)?;
        let path = review_path(conn, after.review_id)?;
        super::audit::changed_record(
            conn,
            caller,
            "measure.update",
            "measure",
            id,
            &path,
            &before,
            &after,
        )?;
        Ok(after)
    })
}
