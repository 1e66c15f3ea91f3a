use chrono::{DateTime, Utc};
use std::collections::HashMap;

use rectify_db::models::{NewOrganization, OrganizationChanges, OrganizationRow};
use rectify_db::organizations::{self as orgs, OrganizationFilter};
use rectify_db::{users, Db, DbConnection};

use super::pagination::{self, AfterId};
use super::Caller;
use crate::api_types::{
    CreateOrganization, Organization, OrganizationQuery, Page, PageParams, UpdateOrganization,
};
use crate::domain::{identity, scorecard, supervision};
use crate::error::{Code, Error, Result};

/// The policies in force for an organization: each its own setting, else its nearest
/// ancestor's, else the default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// Whether a problem needs evidence before it is submitted [default: true].
    pub evidence_required: bool,
    /// Days to acknowledge a confirmed problem (签收).
    pub acknowledge_days: i32,
    /// Days before a deadline when the light turns yellow.
    pub warn_days: i32,
    /// Days after a rectified closing when it is re-checked (回头看); 0: never.
    pub recheck_days: i32,
    /// Days red before a 督办 (escalation level 3).
    pub escalate_after_days: i32,
    /// How the scorecard (红黑榜) of its child units weighs their figures.
    pub scorecard_weights: scorecard::Weights,
}

/// An organization's own scorecard weights, if it sets them.
pub(crate) fn own_weights(row: &OrganizationRow) -> Option<scorecard::Weights> {
    row.scorecard_weights
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok())
}

/// Scorecard weights as a policy stores them, refused by name when one is out of range.
fn stored_weights(weights: Option<&crate::api_types::ScorecardWeights>) -> Result<Option<String>> {
    let Some(weights) = weights else {
        return Ok(None);
    };
    let weights = scorecard::Weights::from(*weights);
    if let Some(name) = weights.out_of_range() {
        return Err(Error::invalid_field(
            &format!("scorecard_weights.{name}"),
            "range",
            format!("a weight is a number from 0 to {}", scorecard::MAX_WEIGHT),
        ));
    }
    serde_json::to_string(&weights)
        .map(Some)
        .map_err(Error::internal)
}

/// The policies in force for each of these organizations.
pub(crate) fn policies(
    conn: &mut DbConnection,
    rows: &[&OrganizationRow],
) -> Result<HashMap<i64, Policy>> {
    let chain = |row: &OrganizationRow| -> Vec<i64> {
        let mut ids: Vec<i64> = row
            .path
            .split('/')
            .filter_map(|id| id.parse().ok())
            .collect();
        ids.reverse();
        ids
    };
    let mut ids: Vec<i64> = rows.iter().flat_map(|r| chain(r)).collect();
    ids.sort_unstable();
    ids.dedup();
    let settings: HashMap<i64, OrganizationRow> = orgs::get_many(conn, &ids)?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    Ok(rows
        .iter()
        .map(|row| {
            let ancestors: Vec<&OrganizationRow> = chain(row)
                .iter()
                .filter_map(|id| settings.get(id))
                .collect();
            let nearest = |setting: fn(&OrganizationRow) -> Option<i32>| {
                ancestors.iter().find_map(|o| setting(o))
            };
            let policy = Policy {
                evidence_required: ancestors
                    .iter()
                    .find_map(|o| o.evidence_required)
                    .unwrap_or(true),
                acknowledge_days: nearest(|o| o.acknowledge_days)
                    .unwrap_or(supervision::DEFAULT_ACKNOWLEDGE_DAYS),
                warn_days: nearest(|o| o.warn_days).unwrap_or(supervision::DEFAULT_WARN_DAYS),
                recheck_days: nearest(|o| o.recheck_days)
                    .unwrap_or(supervision::DEFAULT_RECHECK_DAYS),
                escalate_after_days: nearest(|o| o.escalate_after_days)
                    .unwrap_or(supervision::DEFAULT_ESCALATE_AFTER_DAYS),
                scorecard_weights: ancestors
                    .iter()
                    .find_map(|o| own_weights(o))
                    .unwrap_or(scorecard::WEIGHTS),
            };
            (row.id, policy)
        })
        .collect())
}

/// The policies in force for one organization.
pub(crate) fn policy(conn: &mut DbConnection, row: &OrganizationRow) -> Result<Policy> {
    policies(conn, &[row])?
        .remove(&row.id)
        .ok_or_else(|| Error::internal("organization vanished"))
}

/// A person an organization names (its leader in charge or head): an active user.
fn named_person(conn: &mut DbConnection, field: &str, id: Option<i64>) -> Result<Option<i64>> {
    let Some(id) = id else { return Ok(None) };
    match users::get(conn, id) {
        Ok(user) if user.active => Ok(Some(id)),
        Ok(_) => Err(Error::invalid_field(
            field,
            "active",
            format!("user {id} is deactivated"),
        )),
        Err(diesel::result::Error::NotFound) => Err(Error::invalid_field(
            field,
            "exists",
            format!("user {id} does not exist"),
        )),
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn to_dtos(
    conn: &mut DbConnection,
    rows: Vec<OrganizationRow>,
) -> Result<Vec<Organization>> {
    let mut effective = policies(conn, &rows.iter().collect::<Vec<_>>())?;
    rows.into_iter()
        .map(|row| {
            let policy = effective
                .remove(&row.id)
                .ok_or_else(|| Error::internal("organization vanished"))?;
            Ok(Organization::from_row(row, policy))
        })
        .collect()
}

pub(crate) fn to_dto(conn: &mut DbConnection, row: OrganizationRow) -> Result<Organization> {
    to_dtos(conn, vec![row])?
        .pop()
        .ok_or_else(|| Error::internal("organization vanished"))
}

/// Loads an organization the caller may see; anything else is "not found".
pub(crate) fn visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
) -> Result<OrganizationRow> {
    let what = format!("Organization {id}");
    let row = orgs::get(conn, id).map_err(Error::missing(what.clone()))?;
    if caller.sees(&row.path) {
        Ok(row)
    } else {
        Err(Error::not_found(&what))
    }
}

fn field_error<'a>(field: &'a str, rule: &'static str) -> impl Fn(&'static str) -> Error + 'a {
    move |message| Error::invalid_field(field, rule, message)
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn create(
    db: &Db,
    caller: &Caller,
    input: CreateOrganization,
    now: DateTime<Utc>,
) -> Result<Organization> {
    validator::Validate::validate(&input)?;
    let code =
        identity::normalize_org_code(&input.code).map_err(field_error("code", "org_code"))?;
    let name =
        identity::normalize_display_name(&input.name).map_err(field_error("name", "length"))?;
    super::audit::write(db, now, |conn| {
        let parent = match input.parent_id {
            Some(id) => visible(conn, caller, id).map_err(|_| {
                Error::invalid_field(
                    "parent_id",
                    "exists",
                    format!("organization {id} does not exist"),
                )
            })?,
            None => orgs::root(conn)?.ok_or_else(|| Error::internal("no root organization"))?,
        };
        caller.require_admin("create organizations")?;
        if !parent.active {
            return Err(Error::new(
                Code::ParentInactive,
                format!("The parent organization {} is deactivated.", parent.code),
            ));
        }
        if orgs::find_by_code(conn, &code)?.is_some() {
            return Err(Error::new(
                Code::CodeTaken,
                format!("An organization with code {code} already exists."),
            )
            .with_extension("field", "code"));
        }
        let leader_id = named_person(conn, "leader_id", input.leader_id)?;
        let head_id = named_person(conn, "head_id", input.head_id)?;
        let now = now.naive_utc();
        let row = orgs::insert(
            conn,
            NewOrganization {
                code: &code,
                name: &name,
                parent_id: Some(parent.id),
                path: "",
                timezone: input.timezone.as_deref().unwrap_or(&parent.timezone),
                active: true,
                evidence_required: input.evidence_required,
                acknowledge_days: input.acknowledge_days,
                warn_days: input.warn_days,
                recheck_days: input.recheck_days,
                escalate_after_days: input.escalate_after_days,
                leader_id,
                head_id,
                scorecard_weights: stored_weights(input.scorecard_weights.as_ref())?,
                created_at: now,
                updated_at: now,
            },
            Some(&parent.path),
        )?;
        super::audit::created_record(conn, caller, "organization", row.id, &row.path, &row)?;
        to_dto(conn, row)
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn get(db: &Db, caller: &Caller, id: i64) -> Result<Organization> {
    db.read(|conn| {
        let row = visible(conn, caller, id)?;
        to_dto(conn, row)
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn list(
    db: &Db,
    caller: &Caller,
    query: OrganizationQuery,
    page: PageParams,
) -> Result<Page<Organization>> {
    let limit = page.limit.unwrap_or(pagination::DEFAULT_LIMIT);
    let after = pagination::after::<AfterId>(&page)?;
    db.read(|conn| {
        let within_path = match query.within {
            Some(id) => Some(
                visible(conn, caller, id)
                    .map_err(|_| {
                        Error::invalid_field(
                            "within",
                            "exists",
                            format!("organization {id} does not exist"),
                        )
                    })?
                    .path,
            ),
            None => caller.scope_path(),
        };
        let filter = OrganizationFilter {
            within_path,
            parent_id: query.parent_id,
            active: query.active,
            q: query.q.clone(),
        };
        let rows = orgs::list(conn, &filter, after.map(|a| a.id), limit + 1)?;
        let (rows, next_cursor) = pagination::page_by_id(rows, limit, |r| r.id);
        let total = match page.total {
            Some(true) => Some(orgs::count_filtered(conn, &filter)?),
            _ => None,
        };
        Ok(Page {
            items: to_dtos(conn, rows)?,
            next_cursor,
            total,
        })
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn update(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: UpdateOrganization,
    now: DateTime<Utc>,
) -> Result<Organization> {
    let name = input
        .name
        .as_deref()
        .map(identity::normalize_display_name)
        .transpose()
        .map_err(field_error("name", "length"))?;
    super::audit::write(db, now, |conn| {
        let org = visible(conn, caller, id)?;
        caller.require_admin("change organizations")?;
        if let Some(parent_id) = input.parent_id {
            if org.parent_id != Some(parent_id) {
                move_under(conn, caller, &org, parent_id)?;
            }
        }
        if input.active == Some(false) && org.active {
            check_can_deactivate(conn, &org)?;
        }
        let changes = OrganizationChanges {
            name,
            timezone: input.timezone.clone(),
            active: input.active,
            evidence_required: input.evidence_required,
            acknowledge_days: input.acknowledge_days,
            warn_days: input.warn_days,
            recheck_days: input.recheck_days,
            escalate_after_days: input.escalate_after_days,
            leader_id: input
                .leader_id
                .map(|id| named_person(conn, "leader_id", id))
                .transpose()?,
            head_id: input
                .head_id
                .map(|id| named_person(conn, "head_id", id))
                .transpose()?,
            scorecard_weights: input
                .scorecard_weights
                .map(|w| stored_weights(w.as_ref()))
                .transpose()?,
            updated_at: Some(now.naive_utc()),
        };
        let row = orgs::update(conn, id, &changes)?;
        if row.timezone != org.timezone {
            // Its problems' days are now on another calendar.
            super::progress_tallies::rebuild_unit(conn, &row)?;
        }
        let action = match input.active {
            Some(false) if org.active => "organization.deactivate",
            _ => "organization.update",
        };
        super::audit::changed_record(
            conn,
            caller,
            action,
            "organization",
            id,
            &row.path,
            &org,
            &row,
        )?;
        to_dto(conn, row)
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn deactivate(db: &Db, caller: &Caller, id: i64, now: DateTime<Utc>) -> Result<Organization> {
    update(
        db,
        caller,
        id,
        UpdateOrganization {
            active: Some(false),
            ..Default::default()
        },
        now,
    )
}

fn move_under(
    conn: &mut DbConnection,
    caller: &Caller,
    org: &OrganizationRow,
    parent_id: i64,
) -> Result<()> {
    let not_there = || {
        Error::invalid_field(
            "parent_id",
            "exists",
            format!("organization {parent_id} does not exist"),
        )
    };
    if org.parent_id.is_none() {
        return Err(Error::new(
            Code::RootIsFixed,
            "The root organization cannot be moved.",
        ));
    }
    let parent = visible(conn, caller, parent_id).map_err(|_| not_there())?;
    if parent.path.starts_with(&org.path) {
        return Err(Error::invalid_field(
            "parent_id",
            "no_cycle",
            "cannot be the organization itself or one below it",
        ));
    }
    orgs::reparent(conn, org, &parent)?;
    Ok(())
}

fn check_can_deactivate(conn: &mut DbConnection, org: &OrganizationRow) -> Result<()> {
    if org.parent_id.is_none() {
        return Err(Error::new(
            Code::RootIsFixed,
            "The root organization cannot be deactivated.",
        ));
    }
    if orgs::count_active_children(conn, org.id)? > 0 {
        return Err(Error::new(
            Code::HasActiveChildren,
            format!(
                "{} still has active organizations below it; deactivate or move them first.",
                org.code
            ),
        ));
    }
    if users::count_active_in_organization(conn, org.id)? > 0 {
        return Err(Error::new(
            Code::HasActiveUsers,
            format!(
                "{} still has active users; deactivate or move them first.",
                org.code
            ),
        ));
    }
    Ok(())
}
