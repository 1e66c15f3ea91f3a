//! `Idempotency-Key`: a retried create returns the first answer and creates nothing.

use chrono::{DateTime, Duration, Utc};
use rectify_db::models::IdempotencyRow;
use rectify_db::{idempotency, DbConnection};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

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
            return Err(Error::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 visible ASCII characters.",
            ));
        }
        let mut hash = Sha256::new();
        for part in [method.as_bytes(), b" ", path.as_bytes(), b"\n", body] {
            hash.update(part);
        }
        let fingerprint = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Ok(Self {
            scope,
            key: key.to_owned(),
            fingerprint,
        })
    }
}

/// An answer to give, first or again.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    /// This is the remembered answer to an earlier request.
    pub replayed: bool,
}

/// Runs `create` inside the caller's write transaction unless the key was seen: then the
/// first answer is returned (same request) or the request refused (another request).
pub fn once(
    conn: &mut DbConnection,
    key: Option<&OnceKey>,
    now: DateTime<Utc>,
    create: impl FnOnce(&mut DbConnection) -> Result<Answer>,
) -> Result<Answer> {
    let Some(key) = key else {
        return create(conn);
    };
    let not_before = (now - Duration::hours(KEPT_FOR_HOURS)).naive_utc();
    if let Some(seen) = idempotency::find(conn, &key.scope, &key.key, not_before)? {
        if seen.fingerprint != key.fingerprint {
            return Err(Error::unprocessable(
                "idempotency_key_reused",
                "This Idempotency-Key was used for a different request; use a new key.",
            ));
        }
        return Ok(Answer {
            status: seen.status as u16,
            body: seen.body,
            location: seen.location,
            replayed: true,
        });
    }
    let answer = create(conn)?;
    idempotency::purge(conn, not_before)?;
    idempotency::store(
        conn,
        &IdempotencyRow {
            caller: key.scope.clone(),
            key: key.key.clone(),
            fingerprint: key.fingerprint.clone(),
            status: i32::from(answer.status),
            body: answer.body.clone(),
            location: answer.location.clone(),
            created_at: now.naive_utc(),
        },
    )?;
    Ok(answer)
}

/// A 201 answer with a JSON body and its location.
pub fn created<T: serde::Serialize>(value: &T, location: String) -> Result<Answer> {
    Ok(Answer {
        status: 201,
        body: serde_json::to_string(value).map_err(Error::internal)?,
        location: Some(location),
        replayed: false,
    })
}
