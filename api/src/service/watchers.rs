//! 抄送: a coordinator adds users or organizations as watchers of a problem or a whole review
//! of their subtree; watchers read it from outside their subtree (see `access::problem_to_read`)
//! and its events reach their organization's webhooks (see `webhooks::enqueue`).

use chrono::{DateTime, Utc};
use rectify_db::models::{NewWatcher, WatcherRow};
use rectify_db::{organizations as orgs, users, watchers as db_watchers, Db, DbConnection};

use super::{access, Caller};
use crate::api_types::{utc, AddWatcher, Page, Watcher};
use crate::error::{Code, Error, Result};

/// What is watched.
#[derive(Debug, Clone, Copy)]
pub enum Watched {
    Problem(i64),
    Review(i64),
}

fn to_dto(row: WatcherRow) -> Watcher {
    Watcher {
        id: row.id,
        problem_id: row.problem_id,
        review_id: row.review_id,
        user_id: row.user_id,
        organization_id: row.organization_id,
        added_by: row.added_by,
        added_at: utc(row.added_at),
    }
}

/// Only a person who coordinates manages watchers (checked before the record is looked up,
/// so that the answer does not tell whether it exists).
fn require_manager(caller: &Caller) -> Result<()> {
    if caller.service_account_id.is_some() {
        return Err(Error::new(
            Code::NotAUser,
            "Only a person (not a service account) manages watchers.",
        ));
    }
    caller.require_coordinator("manage watchers")
}

/// The watched record's organization path, if the caller sees it.
fn path_of(conn: &mut DbConnection, caller: &Caller, watched: Watched) -> Result<String> {
    Ok(match watched {
        Watched::Problem(id) => access::problem(conn, caller, id)?.1.path,
        Watched::Review(id) => access::review(conn, caller, id)?.1.path,
    })
}

pub fn add(
    db: &Db,
    caller: &Caller,
    watched: Watched,
    input: AddWatcher,
    now: DateTime<Utc>,
) -> Result<Watcher> {
    require_manager(caller)?;
    super::audit::write(db, now, |conn| {
        let path = path_of(conn, caller, watched)?;
        match (input.user_id, input.organization_id) {
            (Some(user), None) => {
                let found = users::get(conn, user).ok().filter(|u| u.active);
                if found.is_none() {
                    return Err(Error::invalid_field(
                        "user_id",
                        "exists",
                        format!("user {user} does not exist or is deactivated"),
                    ));
                }
            }
            (None, Some(org)) => {
                let found = orgs::get(conn, org).ok().filter(|o| o.active);
                if found.is_none() {
                    return Err(Error::invalid_field(
                        "organization_id",
                        "exists",
                        format!("organization {org} does not exist or is deactivated"),
                    ));
                }
            }
            _ => {
                return Err(Error::invalid_field(
                    "user_id",
                    "one_of",
                    "name exactly one of user_id and organization_id",
                ))
            }
        }
        let (problem_id, review_id) = match watched {
            Watched::Problem(id) => (Some(id), None),
            Watched::Review(id) => (None, Some(id)),
        };
        let existing = db_watchers::of_record(conn, problem_id, review_id)?;
        if existing.len() as i64 >= db_watchers::MAX_PER_RECORD {
            return Err(Error::invalid_field(
                "user_id",
                "too_many",
                format!(
                    "a record has at most {} watchers",
                    db_watchers::MAX_PER_RECORD
                ),
            ));
        }
        if let Some(same) = existing
            .into_iter()
            .find(|w| w.user_id == input.user_id && w.organization_id == input.organization_id)
        {
            // Watching twice changes nothing.
            return Ok(to_dto(same));
        }
        let row = db_watchers::insert(
            conn,
            NewWatcher {
                problem_id,
                review_id,
                user_id: input.user_id,
                organization_id: input.organization_id,
                added_by: Some(caller.user_id).filter(|id| *id > 0),
                added_at: now.naive_utc(),
            },
        )?;
        let watcher = to_dto(row);
        super::audit::created_record(conn, caller, "watcher", watcher.id, &path, &watcher)?;
        Ok(watcher)
    })
}

pub fn list(db: &Db, caller: &Caller, watched: Watched) -> Result<Page<Watcher>> {
    db.read(|conn| {
        path_of(conn, caller, watched)?;
        let (problem_id, review_id) = match watched {
            Watched::Problem(id) => (Some(id), None),
            Watched::Review(id) => (None, Some(id)),
        };
        Ok(Page {
            items: db_watchers::of_record(conn, problem_id, review_id)?
                .into_iter()
                .map(to_dto)
                .collect(),
            next_cursor: None,
            total: None,
        })
    })
}

pub fn remove(db: &Db, caller: &Caller, id: i64, now: DateTime<Utc>) -> Result<()> {
    require_manager(caller)?;
    super::audit::write(db, now, |conn| {
        let what = format!("Watcher {id}");
        let row = db_watchers::get(conn, id).map_err(Error::missing(what.clone()))?;
        let watched = match (row.problem_id, row.review_id) {
            (Some(p), _) => Watched::Problem(p),
            (None, Some(r)) => Watched::Review(r),
            (None, None) => return Err(Error::not_found(&what)),
        };
        let path = path_of(conn, caller, watched).map_err(|_| Error::not_found(&what))?;
        db_watchers::delete(conn, id)?;
        super::audit::record(
            conn,
            caller,
            super::audit::Event {
                action: "watcher.delete",
                entity_type: "watcher",
                entity_id: Some(id.to_string()),
                organization_path: Some(&path),
                changes: serde_json::json!({
                    "user_id": [row.user_id, null],
                    "organization_id": [row.organization_id, null],
                }),
            },
        )?;
        Ok(())
    })
}
