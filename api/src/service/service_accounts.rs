//! Service accounts: office systems that call the API with long-lived, revocable tokens
//! bound to one subtree and to scopes.

use chrono::{DateTime, NaiveDateTime, Utc};
use std::collections::BTreeSet;

use rectify_db::models::{
    NewServiceAccount, NewServiceToken, ServiceAccountChanges, ServiceAccountRow, ServiceTokenRow,
};
use rectify_db::{service_accounts as db_accounts, Db, DbConnection};
use sha2::{Digest, Sha256};

use super::audit::{self, Event};
use super::organizations::visible as visible_org;
use super::pagination;
use super::Caller;
use crate::api_types::{
    utc, CreateServiceAccount, IssuedServiceToken, Page, PageParams, Scope, ServiceAccount,
    ServiceToken, UpdateServiceAccount,
};
use crate::auth;
use crate::error::{Code, Error, Result};

/// Every service token starts so, which tells it apart from a signed-in user's JWT.
pub const TOKEN_PREFIX: &str = "rct_";

pub fn hash_token(token: &str) -> String {
    base16ct::lower::encode_string(&Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    format!(
        "{TOKEN_PREFIX}{}",
        base16ct::lower::encode_string(&auth::random_bytes::<32>())
    )
}

/// `write` implies `read`; stored sorted, comma-separated.
fn scopes_text(scopes: &[Scope]) -> String {
    let mut set: BTreeSet<Scope> = scopes.iter().copied().collect();
    set.insert(Scope::Read);
    set.iter()
        .map(|s| match s {
            Scope::Read => "read",
            Scope::Write => "write",
        })
        .collect::<Vec<_>>()
        .join(",")
}

pub fn scopes_of(text: &str) -> Vec<Scope> {
    text.split(',')
        .filter_map(|s| match s.trim() {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            _ => None,
        })
        .collect()
}

fn to_dto(row: ServiceAccountRow, tokens: Vec<ServiceTokenRow>) -> ServiceAccount {
    ServiceAccount {
        id: row.id,
        name: row.name,
        organization_id: row.organization_id,
        scopes: scopes_of(&row.scopes),
        active: row.active,
        last_used_at: tokens.iter().filter_map(|t| t.last_used_at).max().map(utc),
        tokens: tokens
            .into_iter()
            .map(|t| ServiceToken {
                id: t.id,
                prefix: t.prefix,
                created_at: utc(t.created_at),
                last_used_at: t.last_used_at.map(utc),
                revoked_at: t.revoked_at.map(utc),
            })
            .collect(),
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    }
}

fn load(conn: &mut DbConnection, row: ServiceAccountRow) -> Result<ServiceAccount> {
    let tokens = db_accounts::tokens(conn, row.id)?;
    Ok(to_dto(row, tokens))
}

/// The account, if the caller's subtree holds it (else not found), with its organization's path.
fn visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
) -> Result<(ServiceAccountRow, String)> {
    let what = format!("Service account {id}");
    let (row, org) =
        db_accounts::get_with_organization(conn, id).map_err(Error::missing(what.clone()))?;
    if caller.sees(&org.path) {
        Ok((row, org.path))
    } else {
        Err(Error::not_found(&what))
    }
}

fn issue(
    conn: &mut DbConnection,
    caller: &Caller,
    account: &ServiceAccountRow,
    path: &str,
    now: NaiveDateTime,
) -> Result<(String, i64)> {
    let token = new_token();
    let row = db_accounts::insert_token(
        conn,
        NewServiceToken {
            account_id: account.id,
            token_hash: &hash_token(&token),
            prefix: &token[..TOKEN_PREFIX.len() + 8],
            created_at: now,
        },
    )?;
    audit::record(
        conn,
        caller,
        Event {
            action: "service_token.create",
            entity_type: "service_token",
            entity_id: Some(row.id.to_string()),
            organization_path: Some(path),
            changes: audit::created(&row),
        },
    )?;
    Ok((token, row.id))
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn create(
    db: &Db,
    caller: &Caller,
    input: CreateServiceAccount,
    now: DateTime<Utc>,
) -> Result<IssuedServiceToken> {
    super::audit::write(db, now, |conn| {
        caller.require_admin("create service accounts")?;
        let org = visible_org(conn, caller, input.organization_id).map_err(|_| {
            Error::invalid_field(
                "organization_id",
                "exists",
                format!("organization {} does not exist", input.organization_id),
            )
        })?;
        let at = now.naive_utc();
        let row = db_accounts::insert(
            conn,
            NewServiceAccount {
                name: input.name.trim(),
                organization_id: org.id,
                scopes: &scopes_text(&input.scopes),
                active: true,
                created_at: at,
                updated_at: at,
            },
        )?;
        audit::record(
            conn,
            caller,
            Event {
                action: "service_account.create",
                entity_type: "service_account",
                entity_id: Some(row.id.to_string()),
                organization_path: Some(&org.path),
                changes: audit::created(&row),
            },
        )?;
        let (token, token_id) = issue(conn, caller, &row, &org.path, now.naive_utc())?;
        Ok(IssuedServiceToken {
            token,
            token_id,
            account: load(conn, row)?,
        })
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn issue_token(
    db: &Db,
    caller: &Caller,
    id: i64,
    now: DateTime<Utc>,
) -> Result<IssuedServiceToken> {
    super::audit::write(db, now, |conn| {
        let (row, path) = visible(conn, caller, id)?;
        caller.require_admin("issue service tokens")?;
        if !row.active {
            return Err(Error::new(
                Code::AccountInactive,
                "The service account is deactivated; reactivate it first.",
            ));
        }
        let (token, token_id) = issue(conn, caller, &row, &path, now.naive_utc())?;
        Ok(IssuedServiceToken {
            token,
            token_id,
            account: load(conn, row)?,
        })
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn revoke_token(
    db: &Db,
    caller: &Caller,
    id: i64,
    token_id: i64,
    now: DateTime<Utc>,
) -> Result<ServiceAccount> {
    super::audit::write(db, now, |conn| {
        let (row, path) = visible(conn, caller, id)?;
        caller.require_admin("revoke service tokens")?;
        if db_accounts::revoke_token(conn, id, token_id, now.naive_utc())? == 0 {
            let exists = db_accounts::tokens(conn, id)?
                .iter()
                .any(|t| t.id == token_id);
            return Err(if exists {
                Error::new(Code::AlreadyRevoked, "The token is revoked already.")
            } else {
                Error::not_found(&format!("Token {token_id}"))
            });
        }
        audit::record(
            conn,
            caller,
            Event {
                action: "service_token.revoke",
                entity_type: "service_token",
                entity_id: Some(token_id.to_string()),
                organization_path: Some(&path),
                changes: serde_json::json!({"revoked_at": [null, now]}),
            },
        )?;
        load(conn, row)
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn get(db: &Db, caller: &Caller, id: i64) -> Result<ServiceAccount> {
    db.read(|conn| {
        let (row, _) = visible(conn, caller, id)?;
        caller.require_admin("read service accounts")?;
        load(conn, row)
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn list(db: &Db, caller: &Caller, page: PageParams) -> Result<Page<ServiceAccount>> {
    caller.require_admin("read service accounts")?;
    let (limit, after) = pagination::limit_and_after(&page)?;
    db.read(|conn| {
        let scope = caller.scope_path();
        let rows = db_accounts::list(conn, scope.as_deref(), after, limit + 1)?;
        let (rows, next_cursor) = pagination::page_by_id(rows, limit, |r| r.id);
        let items = rows
            .into_iter()
            .map(|r| load(conn, r))
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            next_cursor,
            total: None,
        })
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn update(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: UpdateServiceAccount,
    now: DateTime<Utc>,
) -> Result<ServiceAccount> {
    super::audit::write(db, now, |conn| {
        let (before, path) = visible(conn, caller, id)?;
        caller.require_admin("change service accounts")?;
        let after = db_accounts::update(
            conn,
            id,
            &ServiceAccountChanges {
                name: input.name.as_deref().map(|n| n.trim().to_owned()),
                scopes: input.scopes.as_deref().map(scopes_text),
                active: input.active,
                updated_at: Some(now.naive_utc()),
            },
        )?;
        audit::record(
            conn,
            caller,
            Event {
                action: "service_account.update",
                entity_type: "service_account",
                entity_id: Some(id.to_string()),
                organization_path: Some(&path),
                changes: audit::diff(&before, &after),
            },
        )?;
        load(conn, after)
    })
}
