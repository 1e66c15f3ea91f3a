//! Signing in, who am I, passwords, and the first start of an empty database.

use chrono::{DateTime, Utc};
use rectify_db::models::{NewOrganization, NewUser};
use rectify_db::{organizations as orgs, users as db_users, Db};

use super::audit::{self, Event};
use super::Caller;
use crate::api_types::{utc, LoginRequest, Me, TokenResponse};
use crate::auth::{self, TokenError, TokenKeys};
use crate::domain::throttle::{FailureSummary, SignInThrottle};
use crate::domain::{identity, Role};
use crate::error::{Code, Error, Result};
use rectify_db::models::{OrganizationRow, UserRow};
use std::net::IpAddr;
use std::sync::Mutex;

/// What sign-in remembers of failures (per server): the throttle and the audit summary.
#[derive(Debug, Default)]
pub struct SignInGuard {
    throttle: Mutex<SignInThrottle>,
    summary: Mutex<FailureSummary>,
}

impl SignInGuard {
    fn throttle(&self) -> std::sync::MutexGuard<'_, SignInThrottle> {
        self.throttle.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn summary(&self) -> std::sync::MutexGuard<'_, FailureSummary> {
        self.summary.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether a sign-in may be tried now, by the throttle alone (no password is checked).
pub fn may_attempt(
    guard: &SignInGuard,
    input: &LoginRequest,
    client: IpAddr,
    now: DateTime<Utc>,
) -> bool {
    let username = input.username.trim().to_ascii_lowercase();
    guard.throttle().check(client, &username, now).is_ok()
}

/// Records a sign-in the throttle held back (in the audit summary) and gives its answer.
pub fn held_back_attempt(
    db: &Db,
    guard: &SignInGuard,
    input: &LoginRequest,
    client: IpAddr,
    request_id: Option<String>,
    now: DateTime<Utc>,
) -> Error {
    let username = input.username.trim().to_ascii_lowercase();
    let wait = guard
        .throttle()
        .check(client, &username, now)
        .err()
        .map_or(1, |w| w.num_seconds());
    match record_failure(db, guard, &username, client, None, request_id, now) {
        Ok(()) => held_back(wait),
        Err(e) => e,
    }
}

fn held_back(seconds: i64) -> Error {
    let seconds = seconds.max(1);
    Error::new(
        Code::TooManyAttempts,
        format!("Too many failed sign-ins; try again in {seconds} seconds."),
    )
    .with_extension("retry_after", seconds)
}

/// Signs in. Attempts from an address (or at an account) that failed too often wait, with
/// a refusal saying how long to wait; failures reach the audit log summarised, once a minute per
/// username and address.
#[tracing::instrument(level = "debug", skip_all, fields(client = %client))]
#[allow(clippy::too_many_arguments)]
pub fn login(
    db: &Db,
    keys: &TokenKeys,
    guard: &SignInGuard,
    input: &LoginRequest,
    client: IpAddr,
    request_id: Option<String>,
    now: DateTime<Utc>,
) -> Result<TokenResponse> {
    let invalid = || {
        Error::new(
            Code::InvalidCredentials,
            "The username or password is wrong.",
        )
    };
    let username = input.username.trim().to_ascii_lowercase();
    if let Err(wait) = guard.throttle().check(client, &username, now) {
        record_failure(db, guard, &username, client, None, request_id, now)?;
        return Err(held_back(wait.num_seconds()));
    }
    let found = db.read(|conn| Ok::<_, Error>(db_users::find_by_username(conn, &username)?))?;
    let accepted = match &found {
        None => {
            auth::verify_against_nothing(&input.password);
            false
        }
        Some((user, org)) => {
            auth::verify_password(&input.password, &user.password_hash) && user.active && org.active
        }
    };
    if !accepted {
        guard.throttle().failed(client, &username, now);
        record_failure(
            db,
            guard,
            &username,
            client,
            found.as_ref(),
            request_id,
            now,
        )?;
        return Err(invalid());
    }
    guard.throttle().succeeded(client, &username);
    // The failures before this success that are not on record yet go there first.
    if let Some(count) = guard.summary().take(&username, client) {
        let request_id = request_id.clone();
        write_failures(
            db,
            &username,
            client,
            found.as_ref(),
            count,
            request_id,
            now,
        )?;
    }
    super::audit::write(db, now, |conn| {
        let (actor, entity_id, path) = session_actor(found.as_ref());
        audit::append(
            conn,
            actor,
            username.clone(),
            request_id,
            Event {
                action: "session.login",
                entity_type: "session",
                entity_id,
                organization_path: path,
                changes: serde_json::json!({}),
            },
            now,
        )
    })?;
    let Some((user, _)) = found else {
        return Err(invalid());
    };
    let token = keys
        .issue(
            user.id,
            user.organization_id,
            &user.role,
            password_version(&user),
            now.timestamp(),
        )
        .map_err(Error::internal)?;
    Ok(TokenResponse {
        access_token: token,
        token_type: "Bearer",
        expires_in: keys.ttl_seconds(),
    })
}

/// Who a sign-in entry names: the account when the username exists, else `anonymous`.
fn session_actor(
    found: Option<&(UserRow, OrganizationRow)>,
) -> (String, Option<String>, Option<&str>) {
    match found {
        Some((user, org)) => (
            format!("user:{}", user.id),
            Some(user.id.to_string()),
            Some(org.path.as_str()),
        ),
        None => ("anonymous".to_owned(), None, None),
    }
}

/// A failed (or held back) sign-in, as the audit log keeps it: one entry a minute per
/// username and address, counting the failures it stands for.
fn record_failure(
    db: &Db,
    guard: &SignInGuard,
    username: &str,
    client: IpAddr,
    found: Option<&(UserRow, OrganizationRow)>,
    request_id: Option<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    let due = guard.summary().note(username, client, now);
    match due {
        Some(count) => write_failures(db, username, client, found, count, request_id, now),
        None => Ok(()),
    }
}

fn write_failures(
    db: &Db,
    username: &str,
    client: IpAddr,
    found: Option<&(UserRow, OrganizationRow)>,
    count: u32,
    request_id: Option<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    super::audit::write(db, now, |conn| {
        let (actor, entity_id, path) = session_actor(found);
        audit::append(
            conn,
            actor,
            username.to_owned(),
            request_id,
            Event {
                action: "session.login_failed",
                entity_type: "session",
                entity_id,
                organization_path: path,
                changes: serde_json::json!({"failures": count, "address": client.to_string()}),
            },
            now,
        )
    })
}

/// Callers already checked, by user id, each with the credentials generation it was read at
/// (`db_users::credentials_generation`). A request then reads that one number instead of the
/// user and their unit; any change that could stop or narrow a caller moves it, on whichever
/// server it is made, so the next request anywhere checks the caller afresh.
#[derive(Default)]
pub struct CallerCache {
    known: std::sync::RwLock<std::collections::HashMap<i64, Known>>,
}

#[derive(Clone)]
struct Known {
    generation: i64,
    password_version: i64,
    caller: Caller,
}

/// Users kept at most; past it the cache starts again (it only saves a query).
const CALLERS_KEPT: usize = 10_000;

impl CallerCache {
    fn get(&self, user_id: i64, generation: i64) -> Option<Known> {
        let known = self.known.read().unwrap_or_else(|p| p.into_inner());
        known
            .get(&user_id)
            .filter(|k| k.generation == generation)
            .cloned()
    }

    fn keep(&self, known: Known) {
        let mut all = self.known.write().unwrap_or_else(|p| p.into_inner());
        if all.len() >= CALLERS_KEPT {
            all.clear();
        }
        all.insert(known.caller.user_id, known);
    }
}

/// Turns a bearer token into the caller, checking against the database that the user is
/// still active and the token was issued after their last password change: from `callers`
/// when nothing about any caller changed since it was checked, else from the user's record.
#[tracing::instrument(level = "debug", skip_all)]
pub fn authenticate(
    db: &Db,
    keys: &TokenKeys,
    callers: &CallerCache,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Caller> {
    if token.starts_with(super::service_accounts::TOKEN_PREFIX) {
        return authenticate_service(db, token, now);
    }
    let claims = keys.verify(token, now.timestamp()).map_err(|e| match e {
        TokenError::Expired => Error::new(
            Code::TokenExpired,
            "The access token has expired; sign in again.",
        ),
        TokenError::Invalid(_) => Error::new(Code::InvalidToken, "The access token is not valid."),
    })?;
    let user_id: i64 = claims
        .sub
        .parse()
        .map_err(|_| Error::new(Code::InvalidToken, "The access token is not valid."))?;
    let revoked = || {
        Error::new(
            Code::TokenRevoked,
            "This access token is no longer valid; sign in again.",
        )
    };
    let known = db.read(|conn| -> Result<Option<Known>> {
        // The generation is read first: a change committed after it leaves the entry kept
        // below with an older number, to be checked again at the next request.
        let generation = db_users::credentials_generation(conn)?;
        if let Some(known) = callers.get(user_id, generation) {
            return Ok(Some(known));
        }
        let Some((user, org)) = db_users::find_with_organization(conn, user_id)? else {
            return Ok(None);
        };
        if !user.active || !org.active {
            return Ok(None);
        }
        let known = Known {
            generation,
            password_version: password_version(&user),
            caller: Caller {
                user_id: user.id,
                role: user
                    .role
                    .parse()
                    .map_err(|e| Error::internal(format!("user {user_id}: {e}")))?,
                username: user.username,
                organization_id: org.id,
                org_path: org.path,
                service_account_id: None,
                can_write: true,
                request_id: None,
                trace: None,
            },
        };
        callers.keep(known.clone());
        Ok(Some(known))
    })?;
    match known {
        Some(known) if claims.pwv == known.password_version => Ok(known.caller),
        _ => Err(revoked()),
    }
}

/// An office system's token: valid while neither it is revoked nor its account or
/// organization deactivated; checked on every request, so revocation acts at once.
fn authenticate_service(db: &Db, token: &str, now: DateTime<Utc>) -> Result<Caller> {
    use super::service_accounts::{hash_token, scopes_of};
    use rectify_db::service_accounts as db_accounts;
    let revoked = || {
        Error::new(
            Code::TokenRevoked,
            "This service token is revoked or its account deactivated.",
        )
    };
    let hash = hash_token(token);
    let (token_row, account, org) = db
        .read(|conn| Ok::<_, Error>(db_accounts::find_token(conn, &hash)?))?
        .ok_or_else(|| Error::new(Code::InvalidToken, "The access token is not valid."))?;
    if token_row.revoked_at.is_some() || !account.active || !org.active {
        return Err(revoked());
    }
    let now = now.naive_utc();
    if token_row
        .last_used_at
        .is_none_or(|t| now - t > chrono::Duration::seconds(60))
    {
        db.write(|conn| Ok::<_, Error>(db_accounts::touch_token(conn, token_row.id, now)?))?;
    }
    let scopes = scopes_of(&account.scopes);
    let can_write = scopes.contains(&crate::api_types::Scope::Write);
    Ok(Caller {
        user_id: 0,
        username: format!("service:{}", account.name),
        // A writing system works as a coordinator of its subtree; a reading one as an auditor.
        role: if can_write {
            Role::Coordinator
        } else {
            Role::Auditor
        },
        organization_id: org.id,
        org_path: org.path,
        service_account_id: Some(account.id),
        can_write,
        request_id: None,
        trace: None,
    })
}

fn password_version(user: &rectify_db::models::UserRow) -> i64 {
    user.password_changed_at.and_utc().timestamp_micros()
}

fn require_user(caller: &Caller) -> Result<()> {
    match caller.service_account_id {
        Some(_) => Err(Error::new(
            Code::NotAUser,
            "A service token stands for an office system, not a person.",
        )),
        None => Ok(()),
    }
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn me(db: &Db, caller: &Caller) -> Result<Me> {
    require_user(caller)?;
    db.read(|conn| {
        let (user, org) = db_users::get_with_organization(conn, caller.user_id)?;
        Ok(Me {
            user: user.try_into()?,
            organization: super::organizations::to_dto(conn, org)?,
        })
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn change_own_password(
    db: &Db,
    caller: &Caller,
    old: &str,
    new: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    require_user(caller)?;
    identity::check_password(new)
        .map_err(|m| Error::invalid_field("new_password", "password", m))?;
    let current = db.read(|conn| Ok::<_, Error>(db_users::get(conn, caller.user_id)?))?;
    if !auth::verify_password(old, &current.password_hash) {
        return Err(Error::invalid_field(
            "old_password",
            "matches",
            "is not your current password",
        ));
    }
    let hash = auth::hash_password(new).map_err(Error::internal)?;
    super::audit::write(db, now, |conn| {
        let user = super::users::set_password_hash(conn, caller.user_id, hash, now)?;
        let path = orgs::get(conn, user.organization_id)?.path;
        audit::record(
            conn,
            caller,
            Event {
                action: "user.change_password",
                entity_type: "user",
                entity_id: Some(user.id.to_string()),
                organization_path: Some(&path),
                changes: serde_json::json!({"password_changed_at": [utc(current.password_changed_at), utc(user.password_changed_at)]}),
            },
        )
    })
}

pub const ROOT_CODE: &str = "ROOT";
pub const ADMIN_USERNAME: &str = "admin";

/// What the first start created, so the caller can tell the operator.
pub struct Bootstrap {
    /// The generated admin password, to be shown once; `None` when it was configured.
    pub generated_admin_password: Option<String>,
}

/// On an empty database: the root organization and the user `admin`. Does nothing otherwise.
#[tracing::instrument(level = "debug", skip_all)]
pub fn bootstrap(
    db: &Db,
    admin_password: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<Bootstrap>> {
    let generated = admin_password.is_none().then(auth::generate_password);
    let password = admin_password.or(generated.as_deref()).unwrap_or_default();
    let hash = auth::hash_password(password).map_err(Error::internal)?;
    db.write(|conn| {
        if orgs::count(conn)? > 0 {
            return Ok(None);
        }
        let now = now.naive_utc();
        let root = orgs::insert(
            conn,
            NewOrganization {
                code: ROOT_CODE,
                name: "Root organization",
                parent_id: None,
                path: "",
                timezone: "Asia/Shanghai",
                active: true,
                evidence_required: None,
                acknowledge_days: None,
                warn_days: None,
                recheck_days: None,
                escalate_after_days: None,
                leader_id: None,
                head_id: None,
                scorecard_weights: None,
                created_at: now,
                updated_at: now,
            },
            None,
        )?;
        db_users::insert(
            conn,
            NewUser {
                username: ADMIN_USERNAME,
                display_name: "Administrator",
                email: None,
                role: Role::Admin.as_str(),
                organization_id: root.id,
                password_hash: &hash,
                active: true,
                password_changed_at: now,
                created_at: now,
                updated_at: now,
            },
        )?;
        Ok(Some(Bootstrap {
            generated_admin_password: generated.clone(),
        }))
    })
}

/// The operator acting through the CLI.
#[tracing::instrument(level = "debug", skip_all)]
pub fn operator(db: &Db) -> Result<Caller> {
    db.read(|conn| {
        let root = orgs::root(conn)?.ok_or_else(|| Error::internal("no root organization"))?;
        Ok(Caller::operator(&root))
    })
}
