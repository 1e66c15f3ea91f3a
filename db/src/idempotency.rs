//! Remembered answers to creating requests, per caller and `Idempotency-Key`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::models::IdempotencyRow;
use crate::schema::idempotency_keys::dsl as k;
use crate::DbConnection;

/// The stored answer for this caller and key, if it is newer than `not_before`.
pub fn find(
    conn: &mut DbConnection,
    caller: &str,
    key: &str,
    not_before: NaiveDateTime,
) -> QueryResult<Option<IdempotencyRow>> {
    k::idempotency_keys
        .filter(k::caller.eq(caller))
        .filter(k::key.eq(key))
        .filter(k::created_at.ge(not_before))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()
}

/// Stores an answer, replacing an expired one under the same key.
pub fn store(conn: &mut DbConnection, row: &IdempotencyRow) -> QueryResult<()> {
    diesel::delete(
        k::idempotency_keys
            .filter(k::caller.eq(&row.caller))
            .filter(k::key.eq(&row.key)),
    )
    .execute(conn)?;
    diesel::insert_into(k::idempotency_keys)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Forgets answers older than `before`.
pub fn purge(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(k::idempotency_keys.filter(k::created_at.lt(before))).execute(conn)
}
