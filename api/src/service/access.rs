//! Who may see and change reviews, problems, causes and measures (DOMAIN.md "Who sees what").
//! Anything a caller may not see is "not found", never "forbidden".

use rectify_db::models::{CauseRow, MeasureRow, OrganizationRow, ProblemRow, ReviewRow, UserRow};
use rectify_db::{catalog, organizations as orgs, problems, reviews, users, DbConnection};

use super::Caller;
use crate::domain::Role;
use crate::error::{Code, Error, Kind, Result};

impl Caller {
    /// Coordinators and admins manage reviews, problems, causes and measures.
    pub fn coordinates(&self) -> bool {
        matches!(self.role, Role::Coordinator | Role::Admin)
    }

    pub fn require_coordinator(&self, action: &str) -> Result<()> {
        if self.coordinates() {
            Ok(())
        } else {
            Err(Error::forbidden(format!(
                "Only a coordinator may {action}; you are {}.",
                self.role
            )))
        }
    }

    /// The key idempotent requests are remembered under.
    pub fn idempotency_scope(&self) -> String {
        self.actor()
    }
}

/// A problem the caller sees (its responsible unit is in their subtree), with that unit.
pub fn problem(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
) -> Result<(ProblemRow, OrganizationRow)> {
    let row = problems::get(conn, id).map_err(Error::missing(format!("Problem {id}")))?;
    let org = orgs::get(conn, row.organization_id)?;
    if caller.sees(&org.path) {
        Ok((row, org))
    } else {
        Err(Error::not_found(&format!("Problem {id}")))
    }
}

/// How a caller reads a problem: as one of its subtree, or as a watcher (抄送) from outside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    InSubtree,
    AsWatcher,
}

/// A problem the caller may read: in their subtree, or watched (directly or through its
/// review) by them or by their organization or one above it — the one exception to subtree
/// scoping, for reading that record alone. Anything else is "not found".
pub fn problem_to_read(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
) -> Result<(ProblemRow, OrganizationRow, Reading)> {
    let row = problems::get(conn, id).map_err(Error::missing(format!("Problem {id}")))?;
    let org = orgs::get(conn, row.organization_id)?;
    if caller.sees(&org.path) {
        return Ok((row, org, Reading::InSubtree));
    }
    let chain: Vec<i64> = caller
        .org_path
        .split('/')
        .filter_map(|id| id.parse().ok())
        .collect();
    if rectify_db::watchers::watched_by(conn, row.id, row.review_id, caller.user_id, &chain)? {
        Ok((row, org, Reading::AsWatcher))
    } else {
        Err(Error::not_found(&format!("Problem {id}")))
    }
}

/// A review the caller sees: held in their subtree, or with one of its problems there.
pub fn review(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
) -> Result<(ReviewRow, OrganizationRow)> {
    let row = reviews::get(conn, id).map_err(Error::missing(format!("Review {id}")))?;
    let org = orgs::get(conn, row.organization_id)?;
    if caller.sees(&org.path) || reviews::has_problem_within(conn, id, &caller.org_path)? {
        Ok((row, org))
    } else {
        Err(Error::not_found(&format!("Review {id}")))
    }
}

/// A review whose contents the caller may change: held in their subtree, and they coordinate.
pub fn review_to_change(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
    action: &str,
) -> Result<(ReviewRow, OrganizationRow)> {
    let (row, org) = review(conn, caller, id)?;
    caller.require_coordinator(action)?;
    if !caller.sees(&org.path) {
        return Err(Error::forbidden(format!(
            "Review {id} is held by {}, above your organization; its coordinators manage it.",
            org.code
        )));
    }
    Ok((row, org))
}

/// As [`review`], for a review named in a request body (a validation error naming the field when unseen).
pub fn review_field(
    conn: &mut DbConnection,
    caller: &Caller,
    field: &str,
    id: i64,
) -> Result<(ReviewRow, OrganizationRow)> {
    review(conn, caller, id).map_err(|e| match e.kind() {
        Kind::NotFound => {
            Error::invalid_field(field, "exists", format!("review {id} does not exist"))
        }
        _ => e,
    })
}

pub fn cause(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<CauseRow> {
    let row = catalog::get_cause(conn, id).map_err(Error::missing(format!("Cause {id}")))?;
    let review = reviews::get(conn, row.review_id)?;
    let org = orgs::get(conn, review.organization_id)?;
    if caller.sees(&org.path) || problems::cause_has_problem_within(conn, id, &caller.org_path)? {
        Ok(row)
    } else {
        Err(Error::not_found(&format!("Cause {id}")))
    }
}

pub fn measure(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<MeasureRow> {
    let row = catalog::get_measure(conn, id).map_err(Error::missing(format!("Measure {id}")))?;
    let review = reviews::get(conn, row.review_id)?;
    let org = orgs::get(conn, review.organization_id)?;
    if caller.sees(&org.path)
        || row.owner_id == Some(caller.user_id)
        || problems::measure_has_problem_within(conn, id, &caller.org_path)?
    {
        Ok(row)
    } else {
        Err(Error::not_found(&format!("Measure {id}")))
    }
}

/// A user who can be made accountable (owner) for work at an organization: active, not an
/// auditor, and placed where they can see that organization's records.
pub fn owner_for(
    conn: &mut DbConnection,
    caller: &Caller,
    field: &str,
    user_id: i64,
    unit: &OrganizationRow,
) -> Result<UserRow> {
    let invalid = |message: String| Error::invalid_field(field, "owner", message);
    let (user, user_org) = users::find_with_organization(conn, user_id)?
        .filter(|(_, org)| caller.sees(&org.path))
        .ok_or_else(|| invalid(format!("user {user_id} does not exist")))?;
    if !user.active {
        return Err(invalid(format!("user {} is deactivated", user.username)));
    }
    if user.role == Role::Auditor.as_str() {
        return Err(invalid(format!(
            "user {} is an auditor, who changes nothing",
            user.username
        )));
    }
    if !unit.path.starts_with(&user_org.path) {
        return Err(invalid(format!(
            "user {} belongs to {}, which cannot see {}'s records",
            user.username, user_org.code, unit.code
        )));
    }
    Ok(user)
}

/// Checks that every id names a problem of this review that the caller sees.
pub fn problems_of_review(
    conn: &mut DbConnection,
    caller: &Caller,
    review_id: i64,
    ids: &[i64],
) -> Result<Vec<i64>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let rows = problems::get_many(conn, &ids)?;
    let orgs_of: std::collections::HashMap<i64, OrganizationRow> = orgs::get_many(
        conn,
        &rows.iter().map(|r| r.organization_id).collect::<Vec<_>>(),
    )?
    .into_iter()
    .map(|o| (o.id, o))
    .collect();
    for id in &ids {
        let ok = rows.iter().find(|r| r.id == *id).is_some_and(|r| {
            r.review_id == review_id
                && orgs_of
                    .get(&r.organization_id)
                    .is_some_and(|o| caller.sees(&o.path))
        });
        if !ok {
            return Err(Error::invalid_field(
                "problem_ids",
                "same_review",
                format!("problem {id} is not a problem of review {review_id}"),
            ));
        }
    }
    Ok(ids)
}

/// Checks that every id names a cause (or measure) of this review.
pub fn catalog_of_review(
    conn: &mut DbConnection,
    field: &str,
    review_id: i64,
    ids: &[i64],
    measures: bool,
) -> Result<Vec<i64>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let found: Vec<(i64, i64)> = if measures {
        catalog::get_measures(conn, &ids)?
            .into_iter()
            .map(|m| (m.id, m.review_id))
            .collect()
    } else {
        catalog::get_causes(conn, &ids)?
            .into_iter()
            .map(|c| (c.id, c.review_id))
            .collect()
    };
    let what = if measures { "measure" } else { "cause" };
    for id in &ids {
        if !found.iter().any(|(f, r)| f == id && *r == review_id) {
            return Err(Error::invalid_field(
                field,
                "same_review",
                format!("{what} {id} is not a {what} of review {review_id}"),
            ));
        }
    }
    Ok(ids)
}

/// Optimistic concurrency: a client's `If-Match` must name the current version (a version mismatch if not).
pub fn check_if_match(if_match: Option<i64>, version: i64) -> Result<()> {
    match if_match {
        Some(expected) if expected != version => Err(Error::new(
            Code::VersionMismatch,
            format!("The record is at version {version}, not {expected}; read it again and retry."),
        )
        .with_extension("current_version", version)),
        _ => Ok(()),
    }
}

pub fn concurrent_change() -> Error {
    Error::new(
        Code::ConcurrentUpdate,
        "Another request changed this record at the same time; read it again and retry.",
    )
}
