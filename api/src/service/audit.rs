//! The audit log: every write appends one entry, in its own transaction, chained by hash.

use chrono::{DateTime, Utc};
use rectify_db::audit::{self as db_audit, AuditFilter, NewAudit};
use rectify_db::models::AuditRow;
use rectify_db::{Db, DbConnection};
use serde::Serialize;
use serde_json::{Map, Value};

use super::pagination;
use super::Caller;
use crate::api_types::{AuditEntry, AuditQuery, AuditVerification, Page, PageParams};
use crate::domain::audit::{self, Entry, Verifier};
use crate::domain::Role;
use crate::error::{Error, Result};

/// Fields that change with every write and say nothing an auditor needs.
/// Computed fields of API records (standing, what the reader may do) are not changes either.
const VOLATILE: [&str; 15] = [
    "updated_at",
    "version",
    "next_problem_number",
    "allowed_actions",
    "overdue",
    "days_overdue",
    "warning",
    "evidence_required_effective",
    "acknowledge_days_effective",
    "warn_days_effective",
    "recheck_days_effective",
    "escalate_after_days_effective",
    "escalation_level",
    "light",
    "acknowledgement",
];

fn fields<T: Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Every field of a new record, as `[null, value]`.
pub fn created<T: Serialize>(after: &T) -> Value {
    Value::Object(
        fields(after)
            .into_iter()
            .filter(|(k, v)| !VOLATILE.contains(&k.as_str()) && !v.is_null())
            .map(|(k, v)| (k, Value::Array(vec![Value::Null, v])))
            .collect(),
    )
}

/// The fields that differ, as `[before, after]`.
pub fn diff<T: Serialize>(before: &T, after: &T) -> Value {
    let before = fields(before);
    Value::Object(
        fields(after)
            .into_iter()
            .filter(|(k, v)| !VOLATILE.contains(&k.as_str()) && before.get(k) != Some(v))
            .map(|(k, v)| {
                let old = before.get(&k).cloned().unwrap_or(Value::Null);
                (k, Value::Array(vec![old, v]))
            })
            .collect(),
    )
}

/// One entry about an entity: what happened, to what, where in the tree.
pub struct Event<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<String>,
    pub organization_path: Option<&'a str>,
    pub changes: Value,
}

/// An entry waiting for its transaction's end.
struct Pending {
    actor: String,
    actor_name: String,
    request_id: Option<String>,
    action: String,
    entity_type: String,
    entity_id: Option<String>,
    organization_path: Option<String>,
    changes: Value,
}

thread_local! {
    /// Entries of the write transaction running on this thread. They are appended at its
    /// end: the chain's head is locked only then, after every other row lock the write takes,
    /// so two writes can never wait on each other in a cycle.
    static PENDING: std::cell::RefCell<Vec<Pending>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Records the caller's entry, appended when the write's transaction ends ([`write`]).
pub fn record(_conn: &mut DbConnection, caller: &Caller, event: Event<'_>) -> Result<()> {
    PENDING.with(|p| {
        p.borrow_mut().push(Pending {
            actor: caller.actor(),
            actor_name: caller.username.clone(),
            request_id: caller.request_id.clone(),
            action: event.action.to_owned(),
            entity_type: event.entity_type.to_owned(),
            entity_id: event.entity_id,
            organization_path: event.organization_path.map(str::to_owned),
            changes: event.changes,
        })
    });
    Ok(())
}

/// A write transaction whose audit entries are appended, in order, as its last statements.
/// Every service write goes through here; if the work fails, nothing is appended.
#[tracing::instrument(level = "debug", skip_all)]
pub fn write<T>(
    db: &Db,
    now: DateTime<Utc>,
    f: impl FnOnce(&mut DbConnection) -> Result<T>,
) -> Result<T> {
    write_as(db, now, false, f)
}

/// Like [`write`], for one part of long work done in many short transactions: other writes
/// take their turn between the parts (see `Db::write_part`).
pub fn write_part<T>(
    db: &Db,
    now: DateTime<Utc>,
    f: impl FnOnce(&mut DbConnection) -> Result<T>,
) -> Result<T> {
    write_as(db, now, true, f)
}

fn write_as<T>(
    db: &Db,
    now: DateTime<Utc>,
    part: bool,
    f: impl FnOnce(&mut DbConnection) -> Result<T>,
) -> Result<T> {
    PENDING.with(|p| p.borrow_mut().clear());
    let transaction = |conn: &mut DbConnection| {
        let value = f(conn)?;
        let pending = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
        for entry in pending {
            append(
                conn,
                entry.actor,
                entry.actor_name,
                entry.request_id,
                Event {
                    action: &entry.action,
                    entity_type: &entry.entity_type,
                    entity_id: entry.entity_id,
                    organization_path: entry.organization_path.as_deref(),
                    changes: entry.changes,
                },
                now,
            )?;
        }
        Ok(value)
    };
    let result = if part {
        db.write_part(transaction)
    } else {
        db.write(transaction)
    };
    PENDING.with(|p| p.borrow_mut().clear());
    result
}

/// Appends one entry now (inside a transaction that takes no row lock after it).
pub fn append(
    conn: &mut DbConnection,
    actor: String,
    actor_name: String,
    request_id: Option<String>,
    event: Event<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let new = NewAudit {
        at: audit::truncate(now.naive_utc()),
        actor,
        actor_name,
        request_id,
        action: event.action.to_owned(),
        entity_type: event.entity_type.to_owned(),
        entity_id: event.entity_id,
        organization_path: event.organization_path.map(str::to_owned),
        changes: event.changes.to_string(),
    };
    db_audit::append(conn, new, |seq, prev, new| {
        audit::hash(&entry_of(seq, new), prev)
    })?;
    Ok(())
}

fn entry_of(seq: i64, new: &NewAudit) -> Entry<'_> {
    Entry {
        seq,
        at: new.at,
        actor: &new.actor,
        actor_name: &new.actor_name,
        request_id: new.request_id.as_deref(),
        action: &new.action,
        entity_type: &new.entity_type,
        entity_id: new.entity_id.as_deref(),
        organization_path: new.organization_path.as_deref(),
        changes: &new.changes,
    }
}

fn stored(row: &AuditRow) -> Entry<'_> {
    Entry {
        seq: row.seq,
        at: row.at,
        actor: &row.actor,
        actor_name: &row.actor_name,
        request_id: row.request_id.as_deref(),
        action: &row.action,
        entity_type: &row.entity_type,
        entity_id: row.entity_id.as_deref(),
        organization_path: row.organization_path.as_deref(),
        changes: &row.changes,
    }
}

fn require_reader(caller: &Caller) -> Result<()> {
    if matches!(caller.role, Role::Admin | Role::Auditor) {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "Only auditors and admins read the audit log; you are {}.",
            caller.role
        )))
    }
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn list(
    db: &Db,
    caller: &Caller,
    query: AuditQuery,
    page: PageParams,
) -> Result<Page<AuditEntry>> {
    require_reader(caller)?;
    let (limit, after) = pagination::limit_and_after(&page)?;
    let filter = AuditFilter {
        within_path: caller.scope_path(),
        entity_type: query.entity_type,
        entity_id: query.entity_id,
        actor: query.actor,
        action: query.action,
        from: query.from.map(|t| t.naive_utc()),
        to: query.to.map(|t| t.naive_utc()),
    };
    let rows = db.read(|conn| Ok::<_, Error>(db_audit::list(conn, &filter, after, limit + 1)?))?;
    let (items, next_cursor) =
        pagination::page_by_id(rows.into_iter().map(to_dto).collect(), limit, |e| e.seq);
    Ok(Page {
        items,
        next_cursor,
        total: None,
    })
}

fn to_dto(row: AuditRow) -> AuditEntry {
    AuditEntry {
        seq: row.seq,
        at: DateTime::<Utc>::from_naive_utc_and_offset(row.at, Utc),
        changes: serde_json::from_str(&row.changes).unwrap_or(Value::String(row.changes)),
        actor: row.actor,
        actor_name: row.actor_name,
        request_id: row.request_id,
        action: row.action,
        entity_type: row.entity_type,
        entity_id: row.entity_id,
        prev_hash: row.prev_hash,
        hash: row.hash,
    }
}

/// Recomputes the whole chain, a page at a time, in one read transaction.
#[tracing::instrument(level = "debug", skip_all)]
pub fn verify_chain(db: &Db) -> Result<AuditVerification> {
    db.read(|conn| {
        let (head_seq, head_hash) = db_audit::head(conn)?;
        let mut verifier = Verifier::default();
        let mut after = None;
        loop {
            let rows = db_audit::list(conn, &AuditFilter::default(), after, 1000)?;
            let Some(last) = rows.last() else { break };
            after = Some(last.seq);
            for row in &rows {
                verifier.check(&stored(row), &row.prev_hash, &row.hash);
            }
        }
        let verifier = verifier.finish(head_seq, &head_hash);
        Ok(AuditVerification {
            ok: verifier.ok(),
            entries: verifier.entries,
            first_broken: verifier.first_broken,
        })
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn verify(db: &Db, caller: &Caller) -> Result<AuditVerification> {
    require_reader(caller)?;
    verify_chain(db)
}

/// The entry for a new record: `<entity_type>.create` with all its fields.
pub fn created_record<T: Serialize>(
    conn: &mut DbConnection,
    caller: &Caller,
    entity_type: &str,
    id: i64,
    organization_path: &str,
    row: &T,
) -> Result<()> {
    record(
        conn,
        caller,
        Event {
            action: &format!("{entity_type}.create"),
            entity_type,
            entity_id: Some(id.to_string()),
            organization_path: Some(organization_path),
            changes: created(row),
        },
    )
}

/// The entry for a changed record: the fields that differ.
#[allow(clippy::too_many_arguments)]
pub fn changed_record<T: Serialize>(
    conn: &mut DbConnection,
    caller: &Caller,
    action: &str,
    entity_type: &str,
    id: i64,
    organization_path: &str,
    before: &T,
    after: &T,
) -> Result<()> {
    record(
        conn,
        caller,
        Event {
            action,
            entity_type,
            entity_id: Some(id.to_string()),
            organization_path: Some(organization_path),
            changes: diff(before, after),
        },
    )
}
