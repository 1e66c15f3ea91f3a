//! Closing out (销号): evidence files and deadline extensions.

use chrono::{DateTime, Utc};
use rectify_db::closing::{self as db_closing, ExtensionFilter};
use rectify_db::models::{
    EvidenceRow, ExtensionRow, NewEvidence, NewExtension, NewHistory, ProblemChanges, ProblemRow,
};
use rectify_db::{problems as db_problems, Db, DbConnection};

use super::access::{self, concurrent_change};
use super::idempotency::{self, Once, Outcome};
use super::pagination::{self, AfterId};
use super::Caller;
use crate::api_types::{
    utc, CreateExtension, Evidence, Extension, ExtensionDecision, ExtensionQuery, ExtensionStatus,
    Page, PageParams,
};
use crate::domain::workflow::Status;
use crate::error::{Code, Error, Kind, Result};

fn status_of(row: &ProblemRow) -> Result<Status> {
    row.status
        .parse()
        .map_err(|e: String| Error::internal(format!("problem {}: {e}", row.id)))
}

fn history(
    conn: &mut DbConnection,
    caller: &Caller,
    row: &ProblemRow,
    action: &str,
    note: Option<&str>,
    at: DateTime<Utc>,
) -> Result<()> {
    let status = row.status.as_str();
    db_problems::append_history(
        conn,
        NewHistory {
            problem_id: row.id,
            actor_id: Some(caller.user_id).filter(|id| *id > 0),
            action,
            from_status: Some(status),
            to_status: status,
            note,
            created_at: at.naive_utc(),
            outcome: None,
        },
    )?;
    Ok(())
}

fn evidence_dto(row: EvidenceRow) -> Evidence {
    Evidence {
        content_url: Evidence::content_url(row.id),
        id: row.id,
        problem_id: row.problem_id,
        file_name: row.file_name,
        content_type: row.content_type,
        size: row.size,
        sha256: row.sha256,
        description: row.description,
        uploaded_by: row.uploaded_by,
        created_at: utc(row.created_at),
        removed_at: row.deleted_at.map(utc),
    }
}

/// Evidence can be added or removed only while the work is not yet submitted or finished.
fn check_evidence_open(caller: &Caller, row: &ProblemRow, doing: &str) -> Result<()> {
    if !caller.coordinates() && row.owner_id != Some(caller.user_id) {
        return Err(Error::forbidden(format!(
            "Only the problem's owner or a coordinator may {doing} evidence."
        )));
    }
    let status = status_of(row)?;
    if !status.evidence_may_change() {
        return Err(Error::new(
            Code::EvidenceLocked,
            format!(
                "Problem {} is {status}; its evidence can no longer change.",
                row.key
            ),
        ));
    }
    Ok(())
}

/// Checked before an upload's bytes are read, so a refused upload costs nothing.
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn check_upload(db: &Db, caller: &Caller, problem_id: i64) -> Result<()> {
    db.read(|conn| {
        let (row, _) = access::problem(conn, caller, problem_id)?;
        check_evidence_open(caller, &row, "add")
    })
}

/// What was received and stored for an upload.
pub struct Received {
    pub sha256: String,
    pub size: i64,
    pub content_type: &'static str,
    pub file_name: String,
    pub description: String,
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn record_upload(
    db: &Db,
    caller: &Caller,
    problem_id: i64,
    file: Received,
    now: DateTime<Utc>,
) -> Result<Evidence> {
    super::audit::write(db, now, |conn| {
        let (row, unit) = access::problem(conn, caller, problem_id)?;
        check_evidence_open(caller, &row, "add")?;
        let stored = db_closing::insert_evidence(
            conn,
            NewEvidence {
                problem_id,
                sha256: &file.sha256,
                size: file.size,
                content_type: file.content_type,
                file_name: &file.file_name,
                description: &file.description,
                uploaded_by: Some(caller.user_id).filter(|id| *id > 0),
                created_at: now.naive_utc(),
            },
        )?;
        history(
            conn,
            caller,
            &row,
            "add_evidence",
            Some(&file.file_name),
            now,
        )?;
        super::audit::created_record(conn, caller, "evidence", stored.id, &unit.path, &stored)?;
        Ok(evidence_dto(stored))
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn list_evidence(
    db: &Db,
    caller: &Caller,
    problem_id: i64,
    with_removed: bool,
) -> Result<Page<Evidence>> {
    db.read(|conn| {
        access::problem(conn, caller, problem_id)?;
        let items = db_closing::evidence_of(conn, problem_id, with_removed)?
            .into_iter()
            .map(evidence_dto)
            .collect();
        Ok(Page {
            items,
            next_cursor: None,
            total: None,
        })
    })
}

/// An evidence record the caller sees (through its problem).
fn visible_evidence(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
) -> Result<(EvidenceRow, ProblemRow)> {
    let row =
        db_closing::get_evidence(conn, id).map_err(Error::missing(format!("Evidence {id}")))?;
    let (problem, _) =
        access::problem(conn, caller, row.problem_id).map_err(|e| match e.kind() {
            Kind::NotFound => Error::not_found(&format!("Evidence {id}")),
            _ => e,
        })?;
    Ok((row, problem))
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn evidence_for_download(db: &Db, caller: &Caller, id: i64) -> Result<Evidence> {
    db.read(|conn| visible_evidence(conn, caller, id).map(|(row, _)| evidence_dto(row)))
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn remove_evidence(db: &Db, caller: &Caller, id: i64, now: DateTime<Utc>) -> Result<()> {
    super::audit::write(db, now, |conn| {
        let (row, problem) = visible_evidence(conn, caller, id)?;
        check_evidence_open(caller, &problem, "remove")?;
        if row.deleted_at.is_some() {
            return Err(Error::not_found(&format!("Evidence {id}")));
        }
        db_closing::remove_evidence(
            conn,
            id,
            Some(caller.user_id).filter(|id| *id > 0),
            now.naive_utc(),
        )?;
        history(
            conn,
            caller,
            &problem,
            "remove_evidence",
            Some(&row.file_name),
            now,
        )?;
        let path = problem_path(conn, &problem)?;
        let after = db_closing::get_evidence(conn, id)?;
        super::audit::changed_record(
            conn,
            caller,
            "evidence.remove",
            "evidence",
            id,
            &path,
            &row,
            &after,
        )
    })
}

/// The path of a problem's responsible unit, where its records are audited.
fn problem_path(conn: &mut DbConnection, problem: &ProblemRow) -> Result<String> {
    Ok(rectify_db::organizations::get(conn, problem.organization_id)?.path)
}

// ---------------------------------------------------------------- extensions

fn extension_dto(row: ExtensionRow) -> Result<Extension> {
    let status = match ExtensionStatus::ALL
        .into_iter()
        .find(|s| s.as_str() == row.status)
    {
        Some(status) => status,
        None => {
            let other = &row.status;
            return Err(Error::internal(format!(
                "extension {}: status {other:?}",
                row.id
            )));
        }
    };
    Ok(Extension {
        id: row.id,
        problem_id: row.problem_id,
        requested_by: row.requested_by,
        previous_deadline: row.previous_deadline,
        new_deadline: row.new_deadline,
        reason: row.reason,
        status,
        decided_by: row.decided_by,
        decided_at: row.decided_at.map(utc),
        decision_note: row.decision_note,
        created_at: utc(row.created_at),
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn request_extension(
    db: &Db,
    caller: &Caller,
    problem_id: i64,
    input: CreateExtension,
    once: Option<Once<Extension>>,
    now: DateTime<Utc>,
) -> Result<Outcome<Extension>> {
    super::audit::write(db, now, |conn| {
        idempotency::once(conn, once.as_ref(), now, |conn| {
            let (row, unit) = access::problem(conn, caller, problem_id)?;
            if row.owner_id != Some(caller.user_id) || caller.role == crate::domain::Role::Auditor {
                return Err(Error::forbidden(
                    "Only the problem's owner may ask for an extension.",
                ));
            }
            let status = status_of(&row)?;
            if !status.is_active() {
                return Err(Error::new(
                    Code::ExtensionNotAllowed,
                    format!("Problem {} is {status}; only open or in-progress problems can be extended.", row.key),
                ));
            }
            let Some(deadline) = row.deadline else {
                return Err(Error::new(
                    Code::NoDeadline,
                    format!("Problem {} has no deadline to extend.", row.key),
                ));
            };
            if input.new_deadline <= deadline {
                return Err(Error::invalid_field(
                    "new_deadline",
                    "later",
                    format!("must be later than the current deadline {deadline}"),
                ));
            }
            if db_closing::pending_extension(conn, problem_id)?.is_some() {
                return Err(Error::new(
                    Code::ExtensionPending,
                    format!("Problem {} already has a pending extension request; wait for its decision.", row.key),
                ));
            }
            let stored = db_closing::insert_extension(
                conn,
                NewExtension {
                    problem_id,
                    requested_by: Some(caller.user_id),
                    previous_deadline: deadline,
                    new_deadline: input.new_deadline,
                    reason: input.reason.trim(),
                    status: ExtensionStatus::Pending.as_str(),
                    created_at: now.naive_utc(),
                },
            )?;
            let note = format!(
                "{deadline} → {}: {}",
                input.new_deadline,
                input.reason.trim()
            );
            history(conn, caller, &row, "request_extension", Some(&note), now)?;
            let mut data = super::webhooks::problem_data(&row);
            data["extension"] = serde_json::json!({
                "id": stored.id,
                "previous_deadline": stored.previous_deadline,
                "new_deadline": stored.new_deadline,
                "reason": stored.reason,
            });
            super::webhooks::enqueue(
                conn,
                "extension.requested",
                &unit.path,
                data,
                caller.trace.as_deref(),
                now,
            )?;
            super::audit::created_record(
                conn,
                caller,
                "extension",
                stored.id,
                &unit.path,
                &stored,
            )?;
            let extension = extension_dto(stored)?;
            Ok(extension)
        })
    })
}

fn visible_extension(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
) -> Result<(ExtensionRow, ProblemRow)> {
    let row =
        db_closing::get_extension(conn, id).map_err(Error::missing(format!("Extension {id}")))?;
    let (problem, _) =
        access::problem(conn, caller, row.problem_id).map_err(|e| match e.kind() {
            Kind::NotFound => Error::not_found(&format!("Extension {id}")),
            _ => e,
        })?;
    Ok((row, problem))
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn get_extension(db: &Db, caller: &Caller, id: i64) -> Result<Extension> {
    db.read(|conn| visible_extension(conn, caller, id).and_then(|(row, _)| extension_dto(row)))
}

/// Approving moves the deadline (keeping the original) in the same transaction.
#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn decide_extension(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: ExtensionDecision,
    now: DateTime<Utc>,
) -> Result<Extension> {
    super::audit::write(db, now, |conn| {
        let (row, problem) = visible_extension(conn, caller, id)?;
        caller.require_coordinator("decide extension requests")?;
        if row.status != ExtensionStatus::Pending.as_str() {
            return Err(Error::new(
                Code::ExtensionDecided,
                format!("Extension {id} was already {}.", row.status),
            ));
        }
        let note = input
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        if !input.approve && note.is_none() {
            return Err(Error::invalid_field(
                "note",
                "required",
                "is required when refusing: the owner needs the reason",
            ));
        }
        let at = now.naive_utc();
        let status = if input.approve {
            ExtensionStatus::Approved
        } else {
            ExtensionStatus::Refused
        }
        .as_str();
        // An approval (its time and its new deadline) changes what the problem is counted as.
        let tallied = super::progress_tallies::share(conn, problem.id)?;
        if !db_closing::decide_extension(
            conn,
            id,
            status,
            Some(caller.user_id).filter(|id| *id > 0),
            note,
            at,
        )? {
            return Err(concurrent_change());
        }
        if input.approve {
            let changes = ProblemChanges {
                deadline: Some(Some(row.new_deadline)),
                extension_count: Some(problem.extension_count + 1),
                updated_at: Some(at),
                ..Default::default()
            };
            db_problems::update(conn, problem.id, problem.version, &changes)?
                .ok_or_else(concurrent_change)?;
        }
        super::progress_tallies::update(conn, tallied)?;
        let text = format!(
            "{} → {}{}",
            row.previous_deadline,
            row.new_deadline,
            note.map(|n| format!(": {n}")).unwrap_or_default()
        );
        let action = if input.approve {
            "approve_extension"
        } else {
            "refuse_extension"
        };
        history(conn, caller, &problem, action, Some(&text), now)?;
        let decided = db_closing::get_extension(conn, id)?;
        let path = problem_path(conn, &problem)?;
        let mut data = super::webhooks::problem_data(&db_problems::get(conn, problem.id)?);
        data["extension"] = serde_json::json!({
            "id": decided.id,
            "status": decided.status,
            "previous_deadline": decided.previous_deadline,
            "new_deadline": decided.new_deadline,
            "decision_note": decided.decision_note,
        });
        super::webhooks::enqueue(
            conn,
            "extension.decided",
            &path,
            data,
            caller.trace.as_deref(),
            now,
        )?;
        super::audit::changed_record(
            conn,
            caller,
            &format!(
                "extension.{}",
                if input.approve { "approve" } else { "refuse" }
            ),
            "extension",
            id,
            &path,
            &row,
            &decided,
        )?;
        extension_dto(decided)
    })
}

#[tracing::instrument(level = "debug", skip_all, fields(caller = %caller.actor()))]
pub fn list_extensions(
    db: &Db,
    caller: &Caller,
    query: ExtensionQuery,
    page: PageParams,
) -> Result<Page<Extension>> {
    let limit = page.limit.unwrap_or(pagination::DEFAULT_LIMIT);
    let after = pagination::after::<AfterId>(&page)?;
    db.read(|conn| {
        let filter = ExtensionFilter {
            within_path: caller.scope_path(),
            status: query.status.map(|s| s.as_str().to_owned()),
            problem_id: query.problem_id,
        };
        let rows = db_closing::list_extensions(conn, &filter, after.map(|a| a.id), limit + 1)?;
        let (rows, next_cursor) = pagination::page_by_id(rows, limit, |r| r.id);
        let items = rows.into_iter().map(extension_dto).collect::<Result<_>>()?;
        Ok(Page {
            items,
            next_cursor,
            total: None,
        })
    })
}
