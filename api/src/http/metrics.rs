//! Prometheus metrics at `/metrics`: requests by route template, method and status, their
//! latency, the database pool and SQLite's writer queue, the webhook outbox, and the background
//! jobs (runs, errors, digest messages). Requests are counted in a middleware around every
//! request, jobs as they run; the gauges are read when scraped.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};

use super::extract::blocking;
use super::AppState;
use crate::error::Error;

/// Every metric the service exposes, in one registry.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_open: IntGauge,
    pool_idle: IntGauge,
    outbox_depth: IntGauge,
    outbox_oldest_age: Gauge,
    writer_waiting: IntGauge,
    writes: IntCounter,
    commits: IntCounter,
    job_runs: IntCounterVec,
    job_errors: IntCounterVec,
    digest_messages: IntCounterVec,
}

/// Latency buckets in seconds: a get takes a millisecond, a large import seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("rectify".to_owned()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered"),
            &["route", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from a request's arrival to its answer",
            )
            .buckets(BUCKETS.to_vec()),
            &["route", "method"],
        )?;
        let pool_open = IntGauge::new("db_pool_connections", "Database connections open")?;
        let pool_idle = IntGauge::new("db_pool_idle_connections", "Database connections idle")?;
        let outbox_depth = IntGauge::new(
            "webhook_outbox_pending",
            "Webhook deliveries waiting to be delivered",
        )?;
        let outbox_oldest_age = Gauge::new(
            "webhook_outbox_oldest_age_seconds",
            "Age of the oldest webhook delivery still waiting (0 when none)",
        )?;
        let writer_waiting = IntGauge::new(
            "db_writer_waiting",
            "Writes waiting for SQLite's one writer connection (0 on PostgreSQL)",
        )?;
        let writes = IntCounter::new(
            "db_writes_total",
            "Write transactions run through SQLite's writer since the start",
        )?;
        let commits = IntCounter::new(
            "db_commits_total",
            "Commits made by SQLite's writer since the start; fewer than db_writes_total when \
             writes that arrived together shared one commit",
        )?;
        let job_runs = IntCounterVec::new(
            Opts::new("background_job_runs_total", "Rounds of each background job"),
            &["job"],
        )?;
        let job_errors = IntCounterVec::new(
            Opts::new(
                "background_job_errors_total",
                "Rounds of each background job that failed",
            ),
            &["job"],
        )?;
        let digest_messages = IntCounterVec::new(
            Opts::new(
                "digest_messages_total",
                "Weekly digests sent by e-mail or queued for webhooks",
            ),
            &["channel"],
        )?;
        for collector in [&job_runs, &job_errors] {
            for job in JOBS {
                collector.with_label_values(&[job]);
            }
        }
        for channel in ["email", "webhook"] {
            digest_messages.with_label_values(&[channel]);
        }
        registry.register(Box::new(writer_waiting.clone()))?;
        registry.register(Box::new(writes.clone()))?;
        registry.register(Box::new(commits.clone()))?;
        registry.register(Box::new(job_runs.clone()))?;
        registry.register(Box::new(job_errors.clone()))?;
        registry.register(Box::new(digest_messages.clone()))?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(pool_open.clone()))?;
        registry.register(Box::new(pool_idle.clone()))?;
        registry.register(Box::new(outbox_depth.clone()))?;
        registry.register(Box::new(outbox_oldest_age.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            pool_open,
            pool_idle,
            outbox_depth,
            outbox_oldest_age,
            writer_waiting,
            writes,
            commits,
            job_runs,
            job_errors,
            digest_messages,
        })
    }

    /// A round of a background job ended, well or not.
    pub fn job_ran(&self, job: &str, failed: bool) {
        self.job_runs.with_label_values(&[job]).inc();
        if failed {
            self.job_errors.with_label_values(&[job]).inc();
        }
    }

    /// Weekly digests went out: e-mails sent, webhook deliveries queued.
    pub fn digests_sent(&self, emails: usize, webhooks: usize) {
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        self.digest_messages
            .with_label_values(&["email"])
            .inc_by(count(emails));
        self.digest_messages
            .with_label_values(&["webhook"])
            .inc_by(count(webhooks));
    }
}

/// The background jobs, by the names their metrics and log lines carry.
pub const JOBS: [&str; 5] = [
    "webhook worker",
    "weekly digest",
    "unfinished imports",
    "overdue scan",
    "supervision scan",
];

/// Counts each request under its route's template (`/api/v1/problems/:id`), never its
/// concrete path, so that the number of series stays bounded whatever callers send.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = req.method().as_str().to_owned();
    // The template is found from the app's routes and the path, before the call; written
    // `/api/v1/problems/:id`, since some scrapers' parsers stumble on braces in label values.
    let route = req
        .match_pattern()
        .map(|pattern| pattern.replace('{', ":").replace('}', ""))
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.call(req).await;
    if let Some(metrics) = metrics {
        // A handler's refusal travels as an error: it is counted with the status it becomes.
        let status = match &response {
            Ok(response) => response.status(),
            Err(error) => error.as_response_error().status_code(),
        };
        let status = status.as_u16().to_string();
        metrics
            .requests
            .with_label_values(&[route.as_str(), method.as_str(), status.as_str()])
            .inc();
        metrics
            .latency
            .with_label_values(&[route.as_str(), method.as_str()])
            .observe(started.elapsed().as_secs_f64());
    }
    response
}

/// `GET /metrics`, in Prometheus's text format.
pub async fn scrape(
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, Error> {
    let (open, idle) = state.db.pool_state();
    metrics.pool_open.set(i64::from(open));
    metrics.pool_idle.set(i64::from(idle));
    if let Some(writer) = state.db.writer_state() {
        metrics
            .writer_waiting
            .set(i64::try_from(writer.waiting).unwrap_or(i64::MAX));
        metrics
            .writes
            .inc_by(writer.done.saturating_sub(metrics.writes.get()));
        metrics
            .commits
            .inc_by(writer.commits.saturating_sub(metrics.commits.get()));
    }
    let now = state.clock.now().naive_utc();
    let (depth, oldest) = blocking(move || crate::service::webhooks::outbox(&state.db)).await?;
    metrics.outbox_depth.set(depth);
    metrics.outbox_oldest_age.set(
        oldest
            .map(|at| (now - at).num_milliseconds().max(0) as f64 / 1000.0)
            .unwrap_or(0.0),
    );
    let mut text = Vec::new();
    TextEncoder::new()
        .encode(&metrics.registry.gather(), &mut text)
        .map_err(Error::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
