//! Evidence files and deadline extensions.

use diesel::prelude::*;

use crate::models::{EvidenceRow, ExtensionRow, NewEvidence, NewExtension};
use crate::schema::evidence::dsl as e;
use crate::schema::extensions::dsl as x;
use crate::schema::problems::dsl as p;
use crate::DbConnection;

pub fn insert_evidence(conn: &mut DbConnection, new: NewEvidence<'_>) -> QueryResult<EvidenceRow> {
    let id: i64 = diesel::insert_into(e::evidence)
        .values(&new)
        .returning(e::id)
        .get_result(conn)?;
    get_evidence(conn, id)
}

pub fn get_evidence(conn: &mut DbConnection, id: i64) -> QueryResult<EvidenceRow> {
    e::evidence
        .find(id)
        .select(EvidenceRow::as_select())
        .first(conn)
}

/// A problem's evidence, oldest first; removed files only when asked.
pub fn evidence_of(
    conn: &mut DbConnection,
    problem_id: i64,
    with_removed: bool,
) -> QueryResult<Vec<EvidenceRow>> {
    let mut query = e::evidence
        .filter(e::problem_id.eq(problem_id))
        .into_boxed();
    if !with_removed {
        query = query.filter(e::deleted_at.is_null());
    }
    query
        .order(e::id.asc())
        .select(EvidenceRow::as_select())
        .load(conn)
}

/// The hash of every evidence file a record points to (removed records too: their files are
/// kept for the audit trail).
pub fn evidence_hashes(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    e::evidence.select(e::sha256).distinct().load(conn)
}

pub fn count_evidence(conn: &mut DbConnection, problem_id: i64) -> QueryResult<i64> {
    e::evidence
        .filter(e::problem_id.eq(problem_id))
        .filter(e::deleted_at.is_null())
        .count()
        .get_result(conn)
}

pub fn remove_evidence(
    conn: &mut DbConnection,
    id: i64,
    by: Option<i64>,
    at: chrono::NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(e::evidence.find(id))
        .set((e::deleted_at.eq(Some(at)), e::deleted_by.eq(by)))
        .execute(conn)?;
    Ok(())
}

pub fn insert_extension(
    conn: &mut DbConnection,
    new: NewExtension<'_>,
) -> QueryResult<ExtensionRow> {
    let id: i64 = diesel::insert_into(x::extensions)
        .values(&new)
        .returning(x::id)
        .get_result(conn)?;
    get_extension(conn, id)
}

pub fn get_extension(conn: &mut DbConnection, id: i64) -> QueryResult<ExtensionRow> {
    x::extensions
        .find(id)
        .select(ExtensionRow::as_select())
        .first(conn)
}

pub fn pending_extension(
    conn: &mut DbConnection,
    problem_id: i64,
) -> QueryResult<Option<ExtensionRow>> {
    x::extensions
        .filter(x::problem_id.eq(problem_id))
        .filter(x::status.eq("pending"))
        .select(ExtensionRow::as_select())
        .first(conn)
        .optional()
}

/// Decides a pending request; `false` when it was no longer pending.
pub fn decide_extension(
    conn: &mut DbConnection,
    id: i64,
    status: &str,
    by: Option<i64>,
    note: Option<&str>,
    at: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        x::extensions
            .filter(x::id.eq(id))
            .filter(x::status.eq("pending")),
    )
    .set((
        x::status.eq(status),
        x::decided_by.eq(by),
        x::decision_note.eq(note),
        x::decided_at.eq(Some(at)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

#[derive(Debug, Default, Clone)]
pub struct ExtensionFilter {
    /// Only requests on problems of organizations in this subtree.
    pub within_path: Option<String>,
    pub status: Option<String>,
    pub problem_id: Option<i64>,
}

pub fn list_extensions(
    conn: &mut DbConnection,
    filter: &ExtensionFilter,
    after_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ExtensionRow>> {
    let mut query = x::extensions.into_boxed();
    if let Some(path) = &filter.within_path {
        query = query.filter(
            x::problem_id.eq_any(
                p::problems
                    .select(p::id)
                    .filter(p::organization_id.eq_any(crate::orgs_within!(path))),
            ),
        );
    }
    if let Some(status) = &filter.status {
        query = query.filter(x::status.eq(status.clone()));
    }
    if let Some(problem) = filter.problem_id {
        query = query.filter(x::problem_id.eq(problem));
    }
    if let Some(after) = after_id {
        query = query.filter(x::id.gt(after));
    }
    query
        .order(x::id.asc())
        .limit(limit)
        .select(ExtensionRow::as_select())
        .load(conn)
}

/// Approved extensions of many problems, in the order they were decided.
pub fn approved_extensions(
    conn: &mut DbConnection,
    problem_ids: &[i64],
) -> QueryResult<Vec<ExtensionRow>> {
    crate::in_chunks(problem_ids, |problem_ids| {
        x::extensions
            .filter(x::problem_id.eq_any(problem_ids))
            .filter(x::status.eq("approved"))
            .order((x::decided_at.asc(), x::id.asc()))
            .select(ExtensionRow::as_select())
            .load(conn)
    })
}

/// Pending extension requests of many problems.
pub fn pending_extensions_of(
    conn: &mut DbConnection,
    problem_ids: &[i64],
) -> QueryResult<Vec<ExtensionRow>> {
    crate::in_chunks(problem_ids, |problem_ids| {
        x::extensions
            .filter(x::problem_id.eq_any(problem_ids))
            .filter(x::status.eq("pending"))
            .order(x::id.asc())
            .select(ExtensionRow::as_select())
            .load(conn)
    })
}
