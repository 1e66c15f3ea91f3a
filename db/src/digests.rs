//! Weekly digest deliveries: one row per (week, recipient, channel), claimed before sending.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::models::DigestDeliveryRow;
use crate::schema::digest_deliveries::dsl as g;
use crate::DbConnection;

/// Records a delivery to make; false when this (week, recipient, channel) has one already.
pub fn record(
    conn: &mut DbConnection,
    week: &str,
    recipient_id: i64,
    channel: &str,
    status: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let exists: bool = diesel::select(diesel::dsl::exists(
        g::digest_deliveries
            .filter(g::week.eq(week))
            .filter(g::recipient_id.eq(recipient_id))
            .filter(g::channel.eq(channel)),
    ))
    .get_result(conn)?;
    if exists {
        return Ok(false);
    }
    diesel::insert_into(g::digest_deliveries)
        .values((
            g::week.eq(week),
            g::recipient_id.eq(recipient_id),
            g::channel.eq(channel),
            g::status.eq(status),
            g::attempts.eq(0),
            g::next_attempt_at.eq(now),
            g::created_at.eq(now),
            g::sent_at.eq(if status == "sent" { Some(now) } else { None }),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Takes one pending e-mail delivery that is due, for `lease_until`; false if another
/// worker has it.
pub fn claim(
    conn: &mut DbConnection,
    id: i64,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> QueryResult<bool> {
    let taken = diesel::update(
        g::digest_deliveries.filter(g::id.eq(id)).filter(
            g::status
                .eq("pending")
                .or(g::status.eq("sending").and(g::claimed_until.lt(now))),
        ),
    )
    .set((
        g::status.eq("sending"),
        g::claimed_until.eq(Some(lease_until)),
    ))
    .execute(conn)?;
    Ok(taken == 1)
}

/// E-mail deliveries due to be (re)tried.
pub fn due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<DigestDeliveryRow>> {
    g::digest_deliveries
        .filter(g::channel.eq("email"))
        .filter(
            g::status
                .eq("pending")
                .and(g::next_attempt_at.le(now))
                .or(g::status.eq("sending").and(g::claimed_until.lt(now))),
        )
        .order(g::id.asc())
        .limit(limit)
        .select(DigestDeliveryRow::as_select())
        .load(conn)
}

pub fn mark_sent(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(g::digest_deliveries.find(id))
        .set((
            g::status.eq("sent"),
            g::attempts.eq(g::attempts + 1),
            g::sent_at.eq(Some(now)),
            g::claimed_until.eq(None::<NaiveDateTime>),
            g::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn mark_failed(
    conn: &mut DbConnection,
    id: i64,
    error: &str,
    retry_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(g::digest_deliveries.find(id))
        .set((
            g::status.eq(if retry_at.is_some() {
                "pending"
            } else {
                "failed"
            }),
            g::attempts.eq(g::attempts + 1),
            g::next_attempt_at.eq(retry_at.unwrap_or(now)),
            g::claimed_until.eq(None::<NaiveDateTime>),
            g::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, id: i64) -> QueryResult<DigestDeliveryRow> {
    g::digest_deliveries
        .find(id)
        .select(DigestDeliveryRow::as_select())
        .first(conn)
}

/// A week's deliveries, for these recipients (all when None).
pub fn of_week(
    conn: &mut DbConnection,
    week: &str,
    recipients: Option<&[i64]>,
) -> QueryResult<Vec<DigestDeliveryRow>> {
    let mut query = g::digest_deliveries.filter(g::week.eq(week)).into_boxed();
    if let Some(ids) = recipients {
        query = query.filter(g::recipient_id.eq_any(ids.to_vec()));
    }
    query
        .order(g::id.asc())
        .select(DigestDeliveryRow::as_select())
        .load(conn)
}
