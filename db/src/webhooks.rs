//! Webhook subscriptions, the delivery outbox and its attempts, and overdue notices.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use crate::models::{
    AttemptRow, DeliveryRow, NewAttempt, NewDelivery, NewWebhook, OrganizationRow, ProblemRow,
    WebhookChanges, WebhookRow,
};
use crate::schema::organizations::dsl as o;
use crate::schema::overdue_notices::dsl as n;
use crate::schema::problems::dsl as p;
use crate::schema::webhook_attempts::dsl as at;
use crate::schema::webhook_deliveries::dsl as d;
use crate::schema::webhooks::dsl as w;
use crate::DbConnection;

pub fn insert(conn: &mut DbConnection, new: NewWebhook<'_>) -> QueryResult<WebhookRow> {
    let id: i64 = diesel::insert_into(w::webhooks)
        .values(&new)
        .returning(w::id)
        .get_result(conn)?;
    get(conn, id)
}

pub fn get(conn: &mut DbConnection, id: i64) -> QueryResult<WebhookRow> {
    w::webhooks
        .find(id)
        .select(WebhookRow::as_select())
        .first(conn)
}

pub fn get_with_organization(
    conn: &mut DbConnection,
    id: i64,
) -> QueryResult<(WebhookRow, OrganizationRow)> {
    w::webhooks
        .inner_join(o::organizations)
        .filter(w::id.eq(id))
        .select((WebhookRow::as_select(), OrganizationRow::as_select()))
        .first(conn)
}

pub fn list(
    conn: &mut DbConnection,
    within: Option<&str>,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<WebhookRow>> {
    let mut query = w::webhooks.into_boxed();
    if let Some(path) = within {
        query = query.filter(w::organization_id.eq_any(crate::orgs_within!(path)));
    }
    if let Some(after) = after {
        query = query.filter(w::id.gt(after));
    }
    query
        .order(w::id.asc())
        .limit(limit)
        .select(WebhookRow::as_select())
        .load(conn)
}

pub fn update(
    conn: &mut DbConnection,
    id: i64,
    changes: &WebhookChanges,
) -> QueryResult<WebhookRow> {
    diesel::update(w::webhooks.find(id))
        .set(changes)
        .execute(conn)?;
    get(conn, id)
}

/// Active webhooks with their organizations' paths (few; filtered by the caller).
pub fn active_with_paths(conn: &mut DbConnection) -> QueryResult<Vec<(WebhookRow, String)>> {
    w::webhooks
        .inner_join(o::organizations)
        .filter(w::active.eq(true))
        .order(w::id.asc())
        .select((WebhookRow::as_select(), o::path))
        .load(conn)
}

pub fn insert_delivery(conn: &mut DbConnection, new: NewDelivery<'_>) -> QueryResult<()> {
    diesel::insert_into(d::webhook_deliveries)
        .values(&new)
        .execute(conn)?;
    Ok(())
}

/// Queues a delivery unless one with its key is queued already (a robot's weekly digest,
/// keyed by week and webhook); whether it was queued now. (Two servers at the same moment:
/// the key's uniqueness refuses the second, whose transaction is retried by its next round.)
pub fn insert_delivery_once(conn: &mut DbConnection, new: NewDelivery<'_>) -> QueryResult<bool> {
    if delivery_queued(conn, new.delivery_key)? {
        return Ok(false);
    }
    insert_delivery(conn, new)?;
    Ok(true)
}

/// Whether a delivery with this key was ever queued.
pub fn delivery_queued(conn: &mut DbConnection, key: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        d::webhook_deliveries.filter(d::delivery_key.eq(key)),
    ))
    .get_result(conn)
}

/// Whether any delivery is due: a read, so an idle worker takes no write lock.
/// The outbox: deliveries not yet delivered nor given up, and when the oldest was queued.
pub fn outbox(conn: &mut DbConnection) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    d::webhook_deliveries
        .filter(d::status.eq("pending"))
        .select((diesel::dsl::count_star(), diesel::dsl::min(d::created_at)))
        .get_result(conn)
}

pub fn any_due(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        d::webhook_deliveries
            .filter(d::status.eq("pending"))
            .filter(d::next_attempt_at.le(now))
            .filter(d::claimed_until.is_null().or(d::claimed_until.lt(now))),
    ))
    .get_result(conn)
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Claims up to `limit` deliveries that are due and not claimed by a live worker, until
/// `lease_until`. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several servers claim at once
/// without taking the same row; SQLite has a single writer, so its claim is atomic anyway.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    let ids: Vec<i64> = match conn {
        DbConnection::Postgres(pg) => diesel::sql_query(
            "UPDATE webhook_deliveries SET claimed_until = $1 WHERE id IN ( \
                 SELECT id FROM webhook_deliveries \
                 WHERE status = 'pending' AND next_attempt_at <= $2 \
                   AND (claimed_until IS NULL OR claimed_until < $2) \
                 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING id",
        )
        .bind::<Timestamp, _>(lease_until)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load::<Claimed>(pg)?
        .into_iter()
        .map(|c| c.id)
        .collect(),
        DbConnection::Sqlite(_) => {
            let due: Vec<i64> = d::webhook_deliveries
                .filter(d::status.eq("pending"))
                .filter(d::next_attempt_at.le(now))
                .filter(d::claimed_until.is_null().or(d::claimed_until.lt(now)))
                .order(d::id.asc())
                .limit(limit)
                .select(d::id)
                .load(conn)?;
            diesel::update(d::webhook_deliveries.filter(d::id.eq_any(&due)))
                .set(d::claimed_until.eq(Some(lease_until)))
                .execute(conn)?;
            due
        }
    };
    d::webhook_deliveries
        .filter(d::id.eq_any(ids))
        .order(d::id.asc())
        .select(DeliveryRow::as_select())
        .load(conn)
}

/// The outcome of one attempt: delivered, or pending again at `retry_at`, or failed for good.
pub enum Outcome<'a> {
    Delivered,
    Retry {
        retry_at: NaiveDateTime,
        error: &'a str,
    },
    Failed {
        error: &'a str,
    },
}

pub fn record_attempt(
    conn: &mut DbConnection,
    attempt: NewAttempt<'_>,
    outcome: Outcome<'_>,
) -> QueryResult<()> {
    let id = attempt.delivery_id;
    let now = attempt.at;
    diesel::insert_into(at::webhook_attempts)
        .values(&attempt)
        .execute(conn)?;
    let target = d::webhook_deliveries.find(id);
    let attempts = d::attempts + 1;
    match outcome {
        Outcome::Delivered => diesel::update(target)
            .set((
                d::status.eq("delivered"),
                d::attempts.eq(attempts),
                d::claimed_until.eq(None::<NaiveDateTime>),
                d::delivered_at.eq(Some(now)),
                d::last_error.eq(None::<String>),
            ))
            .execute(conn)?,
        Outcome::Retry { retry_at, error } => diesel::update(target)
            .set((
                d::attempts.eq(attempts),
                d::next_attempt_at.eq(retry_at),
                d::claimed_until.eq(None::<NaiveDateTime>),
                d::last_error.eq(Some(error)),
            ))
            .execute(conn)?,
        Outcome::Failed { error } => diesel::update(target)
            .set((
                d::status.eq("failed"),
                d::attempts.eq(attempts),
                d::claimed_until.eq(None::<NaiveDateTime>),
                d::last_error.eq(Some(error)),
            ))
            .execute(conn)?,
    };
    Ok(())
}

pub fn get_delivery(conn: &mut DbConnection, id: i64) -> QueryResult<DeliveryRow> {
    d::webhook_deliveries
        .find(id)
        .select(DeliveryRow::as_select())
        .first(conn)
}

pub fn deliveries(
    conn: &mut DbConnection,
    webhook_id: i64,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    let mut query = d::webhook_deliveries
        .filter(d::webhook_id.eq(webhook_id))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(d::id.gt(after));
    }
    query
        .order(d::id.asc())
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)
}

pub fn attempts(conn: &mut DbConnection, delivery_ids: &[i64]) -> QueryResult<Vec<AttemptRow>> {
    at::webhook_attempts
        .filter(at::delivery_id.eq_any(delivery_ids))
        .order(at::id.asc())
        .select(AttemptRow::as_select())
        .load(conn)
}

/// Puts a delivery back in the queue, due now.
pub fn resend(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<DeliveryRow> {
    diesel::update(d::webhook_deliveries.find(id))
        .set((
            d::status.eq("pending"),
            d::next_attempt_at.eq(now),
            d::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    get_delivery(conn, id)
}

/// Open or in-progress problems whose deadline is before `latest_today` and that have no
/// overdue notice for that deadline yet, with their organizations' time zones.
pub fn overdue_candidates(
    conn: &mut DbConnection,
    latest_today: NaiveDate,
    limit: i64,
) -> QueryResult<Vec<(ProblemRow, String, String)>> {
    p::problems
        .inner_join(o::organizations)
        .filter(p::status.eq_any(crate::problems::ACTIVE))
        .filter(p::deadline.lt(latest_today))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            n::overdue_notices
                .filter(n::problem_id.eq(p::id))
                .filter(n::deadline.nullable().eq(p::deadline)),
        )))
        .order(p::id.asc())
        .limit(limit)
        .select((ProblemRow::as_select(), o::timezone, o::path))
        .load(conn)
}

/// Records the notice; false when this problem's deadline was noticed already.
pub fn insert_notice(
    conn: &mut DbConnection,
    problem_id: i64,
    deadline: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let seen: bool = diesel::select(diesel::dsl::exists(
        n::overdue_notices
            .filter(n::problem_id.eq(problem_id))
            .filter(n::deadline.eq(deadline)),
    ))
    .get_result(conn)?;
    if seen {
        return Ok(false);
    }
    diesel::insert_into(n::overdue_notices)
        .values((
            n::problem_id.eq(problem_id),
            n::deadline.eq(deadline),
            n::noticed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}
