//! The audit log: appended under the head row's lock so that the hash chain never forks.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::models::AuditRow;
use crate::organizations::like_escape;
use crate::schema::audit_head::dsl as head;
use crate::schema::audit_log::dsl as l;
use crate::DbConnection;

/// An entry before it has its place in the chain.
#[derive(Debug, Clone)]
pub struct NewAudit {
    pub at: NaiveDateTime,
    pub actor: String,
    pub actor_name: String,
    pub request_id: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub organization_path: Option<String>,
    pub changes: String,
}

/// Appends an entry; `hash` computes its hash from its sequence number, the previous hash
/// and its fields. Call it last in a transaction: the head stays locked until commit.
pub fn append(
    conn: &mut DbConnection,
    new: NewAudit,
    hash: impl FnOnce(i64, &str, &NewAudit) -> String,
) -> QueryResult<AuditRow> {
    // The UPDATE takes the head's row lock (PostgreSQL) before the head is read, so two
    // transactions cannot both read the same head; SQLite has one writer anyway.
    diesel::update(head::audit_head.find(1))
        .set(head::seq.eq(head::seq + 1))
        .execute(conn)?;
    let (seq, prev_hash): (i64, String) = head::audit_head
        .find(1)
        .select((head::seq, head::hash))
        .first(conn)?;
    let hash = hash(seq, &prev_hash, &new);
    let row = AuditRow {
        seq,
        at: new.at,
        actor: new.actor,
        actor_name: new.actor_name,
        request_id: new.request_id,
        action: new.action,
        entity_type: new.entity_type,
        entity_id: new.entity_id,
        organization_path: new.organization_path,
        changes: new.changes,
        prev_hash,
        hash,
    };
    diesel::insert_into(l::audit_log)
        .values(&row)
        .execute(conn)?;
    diesel::update(head::audit_head.find(1))
        .set(head::hash.eq(&row.hash))
        .execute(conn)?;
    Ok(row)
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// Only entries of organizations in this subtree; `None` for everything.
    pub within_path: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// Entries in sequence order after `after`.
pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    let mut query = l::audit_log.into_boxed();
    if let Some(path) = &filter.within_path {
        query = query.filter(
            l::organization_path
                .like(format!("{}%", like_escape(path)))
                .escape('\\'),
        );
    }
    if let Some(v) = &filter.entity_type {
        query = query.filter(l::entity_type.eq(v.clone()));
    }
    if let Some(v) = &filter.entity_id {
        query = query.filter(l::entity_id.eq(v.clone()));
    }
    if let Some(v) = &filter.actor {
        query = query.filter(l::actor.eq(v.clone()));
    }
    if let Some(v) = &filter.action {
        query = query.filter(l::action.eq(v.clone()));
    }
    if let Some(v) = filter.from {
        query = query.filter(l::at.ge(v));
    }
    if let Some(v) = filter.to {
        query = query.filter(l::at.lt(v));
    }
    if let Some(after) = after {
        query = query.filter(l::seq.gt(after));
    }
    query
        .order(l::seq.asc())
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)
}

/// The head: the last sequence number and hash.
pub fn head(conn: &mut DbConnection) -> QueryResult<(i64, String)> {
    head::audit_head
        .find(1)
        .select((head::seq, head::hash))
        .first(conn)
}
