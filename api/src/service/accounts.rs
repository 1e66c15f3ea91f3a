//! Signing in, who am I, passwords, and the first start of an empty database.

use chrono::Utc;
use rectify_db::models::{NewOrganization, NewUser};
use rectify_db::{now_utc, organizations as orgs, users as db_users, Db};

use super::Caller;
use crate::api_types::{LoginRequest, Me, TokenResponse};
use crate::auth::{self, TokenError, TokenKeys};
use crate::domain::{identity, Role};
use crate::error::{Error, Result};

pub fn login(db: &Db, keys: &TokenKeys, input: &LoginRequest) -> Result<TokenResponse> {
    let invalid =
        || Error::unauthorized("invalid_credentials", "The username or password is wrong.");
    let username = input.username.trim().to_ascii_lowercase();
    let found = db.read(|conn| Ok::<_, Error>(db_users::find_by_username(conn, &username)?))?;
    let Some((user, org)) = found else {
        auth::verify_against_nothing(&input.password);
        return Err(invalid());
    };
    if !auth::verify_password(&input.password, &user.password_hash) || !user.active || !org.active {
        return Err(invalid());
    }
    let token = keys
        .issue(
            user.id,
            user.organization_id,
            &user.role,
            password_version(&user),
            Utc::now().timestamp(),
        )
        .map_err(Error::internal)?;
    Ok(TokenResponse {
        access_token: token,
        token_type: "Bearer",
        expires_in: keys.ttl_seconds(),
    })
}

/// Turns a bearer token into the caller, checking against the database that the user is
/// still active and the token was issued after their last password change.
pub fn authenticate(db: &Db, keys: &TokenKeys, token: &str) -> Result<Caller> {
    let claims = keys.verify(token).map_err(|e| match e {
        TokenError::Expired => Error::unauthorized(
            "token_expired",
            "The access token has expired; sign in again.",
        ),
        TokenError::Invalid(_) => {
            Error::unauthorized("invalid_token", "The access token is not valid.")
        }
    })?;
    let user_id: i64 = claims
        .sub
        .parse()
        .map_err(|_| Error::unauthorized("invalid_token", "The access token is not valid."))?;
    let revoked = || {
        Error::unauthorized(
            "token_revoked",
            "This access token is no longer valid; sign in again.",
        )
    };
    let (user, org) = db
        .read(|conn| Ok::<_, Error>(db_users::find_with_organization(conn, user_id)?))?
        .ok_or_else(revoked)?;
    if !user.active || !org.active || claims.pwv != password_version(&user) {
        return Err(revoked());
    }
    Ok(Caller {
        user_id: user.id,
        username: user.username,
        role: user
            .role
            .parse()
            .map_err(|e| Error::internal(format!("user {user_id}: {e}")))?,
        organization_id: org.id,
        org_path: org.path,
    })
}

fn password_version(user: &rectify_db::models::UserRow) -> i64 {
    user.password_changed_at.and_utc().timestamp_micros()
}

pub fn me(db: &Db, caller: &Caller) -> Result<Me> {
    db.read(|conn| {
        let (user, org) = db_users::get_with_organization(conn, caller.user_id)?;
        Ok(Me {
            user: user.try_into()?,
            organization: super::organizations::to_dto(conn, org)?,
        })
    })
}

pub fn change_own_password(db: &Db, caller: &Caller, old: &str, new: &str) -> Result<()> {
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
    db.write(|conn| super::users::set_password_hash(conn, caller.user_id, hash).map(|_| ()))
}

pub const ROOT_CODE: &str = "ROOT";
pub const ADMIN_USERNAME: &str = "admin";

/// What the first start created, so the caller can tell the operator.
pub struct Bootstrap {
    /// The generated admin password, to be shown once; `None` when it was configured.
    pub generated_admin_password: Option<String>,
}

/// On an empty database: the root organization and the user `admin`. Does nothing otherwise.
pub fn bootstrap(db: &Db, admin_password: Option<&str>) -> Result<Option<Bootstrap>> {
    let generated = admin_password.is_none().then(auth::generate_password);
    let password = admin_password.or(generated.as_deref()).unwrap_or_default();
    let hash = auth::hash_password(password).map_err(Error::internal)?;
    db.write(|conn| {
        if orgs::count(conn)? > 0 {
            return Ok(None);
        }
        let now = now_utc();
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
pub fn operator(db: &Db) -> Result<Caller> {
    db.read(|conn| {
        let root = orgs::root(conn)?.ok_or_else(|| Error::internal("no root organization"))?;
        Ok(Caller::operator(&root))
    })
}
