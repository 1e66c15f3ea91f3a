//! `Idempotency-Key`: a retried create returns the first answer and creates nothing.

use chrono::{DateTime, Duration, Utc};
use rectify_db::models::IdempotencyRow;
use rectify_db::{idempotency, DbConnection};
use sha2::{Digest, Sha256};

use crate::error::{Code, Error, Result};

/// How long an answer is remembered.
pub const KEPT_FOR_HOURS: i64 = 24;

/// A request that asked to be made at most once.
#[derive(Debug, Clone)]
pub struct OnceKey {
    pub scope: String,
    pub key: String,
    pub fingerprint: String,
}

impl OnceKey {
    /// `fingerprint` covers the method, path and body, so that the same key with another
    /// request is caught.
    pub fn new(scope: String, key: &str, method: &str, path: &str, body: &[u8]) -> Result<Self> {
        if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::new(
                Code::InvalidIdempotencyKey,
                "Idempotency-Key must be 1 to 255 visible ASCII characters.",
            ));
        }
        let mut hash = Sha256::new();
        for part in [method.as_bytes(), b" ", path.as_bytes(), b"\n", body] {
            hash.update(part);
        }
        let fingerprint = base16ct::lower::encode_string(&hash.finalize());
        Ok(Self {
            scope,
            key: key.to_owned(),
            fingerprint,
        })
    }
}

/// An answer as the caller's protocol rendered it (for HTTP: status, body and location),
/// remembered so that a repeated request gets the very same answer. Opaque to use cases.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
}

/// Renders a use case's result as the answer to remember; given by the caller.
pub type Render<T> = fn(&T) -> Result<Recorded>;

/// A request that asked to be made at most once, and how its first answer is recorded.
pub struct Once<T> {
    pub key: OnceKey,
    pub render: Render<T>,
}

/// What a use case that honours `Idempotency-Key` did.
#[derive(Debug)]
pub enum Outcome<T> {
    /// It ran now.
    Done(T),
    /// The same request ran before; this is the answer given then.
    Replayed(Recorded),
}

/// Runs `create` inside the caller's write transaction unless the key was seen: then the
/// first answer is returned (same request) or the request refused (another request). The
/// first answer is recorded in the same transaction as the write, so both or neither stay.
pub fn once<T>(
    conn: &mut DbConnection,
    once: Option<&Once<T>>,
    now: DateTime<Utc>,
    create: impl FnOnce(&mut DbConnection) -> Result<T>,
) -> Result<Outcome<T>> {
    let Some(Once { key, render }) = once else {
        return create(conn).map(Outcome::Done);
    };
    let not_before = (now - Duration::hours(KEPT_FOR_HOURS)).naive_utc();
    if let Some(seen) = idempotency::find(conn, &key.scope, &key.key, not_before)? {
        if seen.fingerprint != key.fingerprint {
            return Err(Error::new(
                Code::IdempotencyKeyReused,
                "This Idempotency-Key was used for a different request; use a new key.",
            ));
        }
        return Ok(Outcome::Replayed(Recorded {
            status: u16::try_from(seen.status).map_err(Error::internal)?,
            body: seen.body,
            location: seen.location,
        }));
    }
    let value = create(conn)?;
    let answer = render(&value)?;
    idempotency::purge(conn, not_before)?;
    idempotency::store(
        conn,
        &IdempotencyRow {
            caller: key.scope.clone(),
            key: key.key.clone(),
            fingerprint: key.fingerprint.clone(),
            status: i32::from(answer.status),
            body: answer.body,
            location: answer.location,
            created_at: now.naive_utc(),
        },
    )?;
    Ok(Outcome::Done(value))
}
