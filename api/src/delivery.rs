//! The background jobs of `serve`: the webhook worker, which sends what the outbox holds, and
//! the overdue scan, which notices problems that became overdue. Both are safe to run on
//! several servers sharing one PostgreSQL: deliveries are claimed for a lease with
//! `FOR UPDATE SKIP LOCKED`, and an overdue notice is a unique (problem, deadline) row.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rectify_db::models::NewAttempt;
use rectify_db::webhooks::{self as db_hooks, Outcome};
use rectify_db::Db;

use crate::domain::deadline::{problem_standing, today_in, Clock};
use crate::domain::robot::{self, refused_in_answer};
use crate::domain::trace::TraceParent;
use crate::domain::webhook::{backoff, public_address, signature, ANSWER_READ_BYTES, MAX_ATTEMPTS};
use crate::domain::workflow::Status;
use crate::error::{Error, Result};
use crate::service::{audit, webhooks};

/// A claimed delivery is another server's only after this long.
const LEASE: Duration = Duration::from_secs(120);
/// How long a receiver may take to answer.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries claimed per round.
const BATCH: i64 = 20;

/// Resolves a receiver's host and refuses to connect when any of its addresses is not public
/// (unless the operator allowed the host): the addresses checked are the ones connected to,
/// so a name that changes its answer between the check and the connection gains nothing.
#[derive(Debug)]
struct PublicOnly {
    targets: webhooks::Targets,
    inner: ureq::unversioned::resolver::DefaultResolver,
}

impl ureq::unversioned::resolver::Resolver for PublicOnly {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> std::result::Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let addresses = self.inner.resolve(uri, config, timeout)?;
        let allowed = uri.host().is_some_and(|h| self.targets.allows_host(h));
        if !allowed && addresses.iter().any(|a| !public_address(a.ip())) {
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "the receiver's address is not public",
            )));
        }
        Ok(addresses)
    }
}

/// What a failed send is recorded as: what went wrong, never the network's details (which
/// would tell an admin which internal ports are open).
fn failure_text(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            "the receiver's address is not public and not allowed (webhook_allow_hosts)"
        }
        ureq::Error::HostNotFound => "the receiver's host name does not resolve",
        ureq::Error::Timeout(_) => "the receiver did not answer in time",
        ureq::Error::Tls(_) | ureq::Error::NativeTls(_) => "the TLS connection failed",
        _ => "the receiver could not be reached",
    }
    .to_owned()
}

pub fn agent(targets: webhooks::Targets) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(SEND_TIMEOUT))
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .provider(ureq::tls::TlsProvider::NativeTls)
                .build(),
        )
        .user_agent(concat!("rectify/", env!("CARGO_PKG_VERSION")))
        .build();
    ureq::Agent::with_parts(
        config,
        ureq::unversioned::transport::DefaultConnector::new(),
        PublicOnly {
            targets,
            inner: Default::default(),
        },
    )
}

/// Sends what is due on the service's clock; returns how many were attempted.
pub fn send_due(
    db: &Db,
    agent: &ureq::Agent,
    retry_base: Duration,
    clock: &dyn Clock,
) -> Result<usize> {
    let now = clock.now().naive_utc();
    if !db.read(|conn| Ok::<_, Error>(db_hooks::any_due(conn, now)?))? {
        return Ok(0);
    }
    let lease_until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
    let claimed =
        db.write(|conn| Ok::<_, Error>(db_hooks::claim_due(conn, now, lease_until, BATCH)?))?;
    for delivery in &claimed {
        let hook = db.read(|conn| Ok::<_, Error>(db_hooks::get(conn, delivery.webhook_id)?))?;
        let started = Instant::now();
        let timestamp = clock.now().timestamp();
        let (status_code, error) = if !hook.active {
            (None, Some("the webhook is deactivated".to_owned()))
        } else {
            // The trace of the request that queued it goes on, as a span of the delivery.
            let trace = delivery
                .traceparent
                .as_deref()
                .and_then(TraceParent::parse)
                .unwrap_or_else(|| TraceParent::start(crate::telemetry::random_bytes()));
            // A robot with a secret signs each attempt afresh (DingTalk in the address, Feishu
            // in the body); everything else goes as queued.
            let kind = robot::Kind::parse(&hook.kind).unwrap_or(robot::Kind::Generic);
            let (url, body) = robot::signed(
                kind,
                &hook.url,
                &delivery.payload,
                if kind.is_robot() { &hook.secret } else { "" },
                clock.now().timestamp_millis(),
            );
            let sent = agent
                .post(&url)
                .header("content-type", "application/json")
                .header("traceparent", trace.child(&crate::telemetry::span_id()))
                .header("x-rectify-event", &delivery.event)
                .header("x-rectify-delivery", &delivery.delivery_key)
                .header("x-rectify-timestamp", timestamp.to_string())
                .header(
                    "x-rectify-signature",
                    signature(&hook.secret, timestamp, &body),
                )
                .send(body.as_bytes());
            match sent {
                Ok(mut response) if response.status().is_success() => {
                    // A group robot says in its answer whether it posted the message.
                    let answer = response
                        .body_mut()
                        .with_config()
                        .limit(ANSWER_READ_BYTES)
                        .read_to_string()
                        .unwrap_or_default();
                    (
                        Some(response.status().as_u16() as i32),
                        refused_in_answer(&answer),
                    )
                }
                Ok(response) => (
                    Some(response.status().as_u16() as i32),
                    Some(format!("the receiver answered {}", response.status())),
                ),
                Err(e) => {
                    tracing::debug!(delivery = delivery.id, error = %e, "webhook send failed");
                    (None, Some(failure_text(&e)))
                }
            }
        };
        let duration_ms = started.elapsed().as_millis() as i64;
        let attempt_no = delivery.attempts + 1;
        let at = clock.now().naive_utc();
        let retry_at =
            at + chrono::Duration::from_std(backoff(retry_base, attempt_no)).unwrap_or_default();
        let outcome = match &error {
            None => Outcome::Delivered,
            Some(e) if attempt_no >= MAX_ATTEMPTS || !hook.active => Outcome::Failed { error: e },
            Some(e) => Outcome::Retry { retry_at, error: e },
        };
        if let Some(e) = &error {
            tracing::warn!(delivery = delivery.id, attempt = attempt_no, error = %e, "webhook delivery failed");
        }
        db.write(|conn| {
            Ok::<_, Error>(db_hooks::record_attempt(
                conn,
                NewAttempt {
                    delivery_id: delivery.id,
                    at,
                    status_code,
                    error: error.as_deref(),
                    duration_ms,
                },
                outcome,
            )?)
        })?;
    }
    Ok(claimed.len())
}

/// Fires `problem.overdue` once per problem and deadline, on the first scan of the day the
/// problem is overdue in its organization's time zone.
pub fn notice_overdue(db: &Db, now: DateTime<Utc>) -> Result<usize> {
    let zones = db.read(|conn| Ok::<_, Error>(rectify_db::problems::timezones_in_use(conn)?))?;
    let Some(latest_today) = zones.iter().map(|tz| today_in(now, tz)).max() else {
        return Ok(0);
    };
    let candidates =
        db.read(|conn| Ok::<_, Error>(db_hooks::overdue_candidates(conn, latest_today, 500)?))?;
    let mut fired = 0;
    for (problem, zone, path) in candidates {
        let today = today_in(now, &zone);
        let status = problem.status.parse::<Status>().map_err(Error::internal)?;
        let standing = problem_standing(status, problem.deadline, today);
        let (true, Some(deadline)) = (standing.overdue, problem.deadline) else {
            continue;
        };
        let noticed = audit::write(db, now, |conn| {
            if !db_hooks::insert_notice(conn, problem.id, deadline, now.naive_utc())? {
                return Ok(false);
            }
            let mut data = webhooks::problem_data(&problem);
            data["days_overdue"] = standing.days_overdue.into();
            webhooks::enqueue(conn, "problem.overdue", &path, data, None, now)?;
            Ok(true)
        });
        match noticed {
            Ok(true) => fired += 1,
            Ok(false) => {}
            // Another server noticed it at the same moment: its notice stands.
            Err(e) => {
                tracing::debug!(problem = problem.id, error = %e.detail, "overdue notice skipped")
            }
        }
    }
    Ok(fired)
}
