use chrono::{DateTime, Utc};
use rectify_db::models::{NewUser, UserChanges, UserRow};
use rectify_db::users::{self as db_users, UserFilter};
use rectify_db::{organizations as orgs, Db, DbConnection};

use super::organizations::visible as visible_org;
use super::pagination::{self, AfterId};
use super::Caller;
use crate::api_types::{CreateUser, Page, PageParams, UpdateUser, User, UserQuery};
use crate::auth;
use crate::domain::{identity, Role};
use crate::error::{Code, Error, Result};

/// Loads a user the caller may see (one of their subtree's organizations); else "not found".
pub(crate) fn visible(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<UserRow> {
    let not_found = || Error::not_found(&format!("User {id}"));
    let (user, org) = db_users::find_with_organization(conn, id)?.ok_or_else(not_found)?;
    if caller.sees(&org.path) {
        Ok(user)
    } else {
        Err(not_found())
    }
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn create(db: &Db, caller: &Caller, input: CreateUser, now: DateTime<Utc>) -> Result<User> {
    validator::Validate::validate(&input)?;
    let username = identity::normalize_username(&input.username)
        .map_err(|m| Error::invalid_field("username", "username", m))?;
    let display_name = identity::normalize_display_name(&input.display_name)
        .map_err(|m| Error::invalid_field("display_name", "length", m))?;
    identity::check_password(&input.password)
        .map_err(|m| Error::invalid_field("password", "password", m))?;
    // Hash outside the write transaction: it is the slow part and needs no lock.
    let password_hash = auth::hash_password(&input.password).map_err(Error::internal)?;
    super::audit::write(db, now, |conn| {
        let org = visible_org(conn, caller, input.organization_id).map_err(|_| {
            Error::invalid_field(
                "organization_id",
                "exists",
                format!("organization {} does not exist", input.organization_id),
            )
        })?;
        caller.require_admin("create users")?;
        if !org.active {
            return Err(Error::new(
                Code::OrganizationInactive,
                format!("Organization {} is deactivated.", org.code),
            ));
        }
        if db_users::username_taken(conn, &username)? {
            return Err(Error::new(
                Code::UsernameTaken,
                format!("The username {username} is taken."),
            )
            .with_extension("field", "username"));
        }
        let now = now.naive_utc();
        let row = db_users::insert(
            conn,
            NewUser {
                username: &username,
                display_name: &display_name,
                email: input.email.as_deref().map(str::trim),
                role: input.role.as_str(),
                organization_id: org.id,
                password_hash: &password_hash,
                active: true,
                password_changed_at: now,
                created_at: now,
                updated_at: now,
            },
        )?;
        super::audit::created_record(conn, caller, "user", row.id, &org.path, &row)?;
        row.try_into()
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn get(db: &Db, caller: &Caller, id: i64) -> Result<User> {
    db.read(|conn| visible(conn, caller, id)?.try_into())
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn list(db: &Db, caller: &Caller, query: UserQuery, page: PageParams) -> Result<Page<User>> {
    let limit = page.limit.unwrap_or(pagination::DEFAULT_LIMIT);
    let after = pagination::after::<AfterId>(&page)?;
    db.read(|conn| {
        let org_named = |conn: &mut DbConnection, field: &str, id: i64| {
            visible_org(conn, caller, id).map_err(|_| {
                Error::invalid_field(field, "exists", format!("organization {id} does not exist"))
            })
        };
        let within_path = match query.within {
            Some(id) => Some(org_named(conn, "within", id)?.path),
            None => caller.scope_path(),
        };
        if let Some(id) = query.organization_id {
            org_named(conn, "organization_id", id)?;
        }
        let filter = UserFilter {
            within_path,
            organization_id: query.organization_id,
            role: query.role.map(|r| r.as_str().to_owned()),
            active: query.active,
            q: query.q.clone(),
        };
        let rows = db_users::list(conn, &filter, after.map(|a| a.id), limit + 1)?;
        let (rows, next_cursor) = pagination::page_by_id(rows, limit, |r| r.id);
        let total = match page.total {
            Some(true) => Some(db_users::count_filtered(conn, &filter)?),
            _ => None,
        };
        Ok(Page {
            items: rows
                .into_iter()
                .map(User::try_from)
                .collect::<Result<_>>()?,
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
    input: UpdateUser,
    now: DateTime<Utc>,
) -> Result<User> {
    input.check_email()?;
    let display_name = input
        .display_name
        .as_deref()
        .map(identity::normalize_display_name)
        .transpose()
        .map_err(|m| Error::invalid_field("display_name", "length", m))?;
    super::audit::write(db, now, |conn| {
        let user = visible(conn, caller, id)?;
        caller.require_admin("change users")?;
        let demotes = input.role.is_some_and(|r| r.as_str() != user.role);
        if id == caller.user_id && (demotes || input.active == Some(false)) {
            // Locking oneself out is never what was meant; another admin can do it.
            return Err(Error::new(
                Code::OwnAccount,
                "Admins cannot change their own role or deactivate themselves; another admin can.",
            ));
        }
        if let Some(org_id) = input.organization_id {
            let org = visible_org(conn, caller, org_id).map_err(|_| {
                Error::invalid_field(
                    "organization_id",
                    "exists",
                    format!("organization {org_id} does not exist"),
                )
            })?;
            if !org.active && org.id != user.organization_id {
                return Err(Error::new(
                    Code::OrganizationInactive,
                    format!("Organization {} is deactivated.", org.code),
                ));
            }
        }
        let stays_admin = input
            .role
            .map_or(user.role == Role::Admin.as_str(), |r| r == Role::Admin);
        let stays_active = input.active.unwrap_or(user.active);
        if user.role == Role::Admin.as_str()
            && user.active
            && !(stays_admin && stays_active)
            && db_users::count_active_admins(conn)? <= 1
        {
            return Err(Error::new(
                Code::LastAdmin,
                "This is the last active admin; make another admin first.",
            ));
        }
        let changes = UserChanges {
            display_name,
            email: input.email.clone().map(|e| e.map(|s| s.trim().to_owned())),
            role: input.role.map(|r| r.as_str().to_owned()),
            organization_id: input.organization_id,
            active: input.active,
            updated_at: Some(now.naive_utc()),
            ..Default::default()
        };
        let after = db_users::update(conn, id, &changes)?;
        let path = rectify_db::organizations::get(conn, after.organization_id)?.path;
        let action = match input.active {
            Some(false) if user.active => "user.deactivate",
            _ => "user.update",
        };
        super::audit::changed_record(conn, caller, action, "user", id, &path, &user, &after)?;
        after.try_into()
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn deactivate(db: &Db, caller: &Caller, id: i64, now: DateTime<Utc>) -> Result<User> {
    update(
        db,
        caller,
        id,
        UpdateUser {
            active: Some(false),
            ..Default::default()
        },
        now,
    )
}

/// An admin sets a new password for a user (who has forgotten theirs).
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn reset_password(
    db: &Db,
    caller: &Caller,
    id: i64,
    new_password: &str,
    now: DateTime<Utc>,
) -> Result<User> {
    identity::check_password(new_password)
        .map_err(|m| Error::invalid_field("new_password", "password", m))?;
    let hash = auth::hash_password(new_password).map_err(Error::internal)?;
    super::audit::write(db, now, |conn| {
        let before = visible(conn, caller, id)?;
        caller.require_admin("reset passwords")?;
        if id == caller.user_id {
            // The own-password route asks for the current password; a stolen token alone
            // must not be enough to take the account over.
            return Err(Error::new(
                Code::OwnAccount,
                "Change your own password by giving your current one (the change-password operation).",
            ));
        }
        let after = set_password_hash(conn, id, hash, now)?;
        let path = rectify_db::organizations::get(conn, after.organization_id)?.path;
        super::audit::changed_record(
            conn,
            caller,
            "user.reset_password",
            "user",
            id,
            &path,
            &before,
            &after,
        )?;
        after.try_into()
    })
}

/// Replaces a password; tokens issued before this moment stop working.
pub(crate) fn set_password_hash(
    conn: &mut DbConnection,
    id: i64,
    hash: String,
    now: DateTime<Utc>,
) -> Result<UserRow> {
    let now = now.naive_utc();
    // Tokens carry the password's version (this instant): it must change on every change of
    // password even when the clock has not moved, so it only ever goes forward.
    let before = db_users::get(conn, id)?.password_changed_at;
    let changed_at = now.max(before + chrono::Duration::microseconds(1));
    Ok(db_users::update(
        conn,
        id,
        &UserChanges {
            password_hash: Some(hash),
            password_changed_at: Some(changed_at),
            updated_at: Some(now),
            ..Default::default()
        },
    )?)
}

/// The organization a CLI command names by code.
#[tracing::instrument(level = "debug", skip_all)]
pub fn organization_by_code(db: &Db, code: &str) -> Result<rectify_db::models::OrganizationRow> {
    let code = identity::normalize_org_code(code)
        .map_err(|m| Error::invalid_field("org", "org_code", m))?;
    db.read(|conn| {
        orgs::find_by_code(conn, &code)?
            .ok_or_else(|| Error::not_found(&format!("Organization {code}")))
    })
}

/// The display names of these people, for pages that show who did what; those outside the
/// caller's subtree are left out (two queries, whatever the number of people).
pub fn display_names(
    db: &Db,
    caller: &Caller,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>> {
    db.read(|conn| {
        let people = db_users::get_many(conn, ids)?;
        let org_ids: Vec<i64> = people.iter().map(|u| u.organization_id).collect();
        let paths: std::collections::HashMap<i64, String> = orgs::get_many(conn, &org_ids)?
            .into_iter()
            .map(|o| (o.id, o.path))
            .collect();
        Ok(people
            .into_iter()
            .filter(|u| {
                paths
                    .get(&u.organization_id)
                    .is_some_and(|p| caller.sees(p))
            })
            .map(|u| (u.id, u.display_name))
            .collect())
    })
}
