//! Building the service from its settings, the same way for `main` and for the tests.

use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse, HttpServer};
use rectify_db::{Db, DbOptions, SetupError};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::auth::{self, TokenKeys};
use crate::config::{Secret, Settings, MIN_JWT_SECRET_BYTES};
use crate::domain::deadline::{Clock, SystemClock};
use crate::http::{self, request_id, AppState};
use crate::service::accounts;
use crate::service::webhooks::Targets;
use crate::storage::LocalStore;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Database(#[from] SetupError),
    #[error("cannot create the first admin: {0}")]
    Bootstrap(crate::error::Error),
    #[error("cannot set up the metrics: {0}")]
    Metrics(String),
    #[error("token secret file {path}: {message}")]
    Secret { path: String, message: String },
    #[error("cannot prepare the evidence directory under {path}: {source}")]
    Storage {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid smtp_url: {0}")]
    Mailer(String),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
}

/// An opened and migrated database, and what its first start created.
pub struct OpenDatabase {
    pub db: Db,
    /// Set only on the start that created the admin with a generated password.
    pub generated_admin_password: Option<String>,
}

/// Connects, applies migrations, and on an empty database creates the root organization and
/// the admin user.
pub fn open_database(settings: &Settings, clock: &dyn Clock) -> Result<OpenDatabase, StartError> {
    let (db, applied) = Db::connect(
        &settings.database_url(),
        &DbOptions {
            pool_size: settings.db_pool_size,
            ..DbOptions::default()
        },
    )?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "applied database migrations");
    }
    let created = accounts::bootstrap(
        &db,
        settings.admin_password.as_ref().map(Secret::expose),
        clock.now(),
    )
    .map_err(StartError::Bootstrap)?;
    crate::service::progress_tallies::build_if_missing(&db).map_err(StartError::Bootstrap)?;
    crate::service::search_index::build_if_missing(&db).map_err(StartError::Bootstrap)?;
    Ok(OpenDatabase {
        db,
        generated_admin_password: created.and_then(|b| b.generated_admin_password),
    })
}

/// The configured signing secret, or on the embedded default one generated once and kept in
/// the data directory (mode 0600), so that tokens survive restarts.
pub fn token_secret(settings: &Settings) -> Result<Vec<u8>, StartError> {
    if let Some(secret) = &settings.jwt_secret {
        return Ok(secret.expose().as_bytes().to_vec());
    }
    let path = settings.data_dir.join("jwt-secret");
    let fail = |message: String| StartError::Secret {
        path: path.display().to_string(),
        message,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let secret = text.trim();
            if secret.len() < MIN_JWT_SECRET_BYTES {
                return Err(fail(format!(
                    "holds fewer than {MIN_JWT_SECRET_BYTES} bytes"
                )));
            }
            Ok(secret.as_bytes().to_vec())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = base16ct::lower::encode_string(&auth::random_bytes::<32>());
            write_private_file(&path, &secret).map_err(|e| fail(e.to_string()))?;
            tracing::info!(path = %path.display(), "generated a token signing secret");
            Ok(secret.into_bytes())
        }
        Err(e) => Err(fail(e.to_string())),
    }
}

fn write_private_file(path: &Path, content: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(content.as_bytes())?;
    file.sync_all()
}

pub struct Application {
    port: u16,
    server: Server,
    generated_admin_password: Option<String>,
    maintenance_db: Db,
    jobs: Option<Jobs>,
}

/// The background jobs' settings: the webhook worker and the overdue scan.
struct Jobs {
    clock: Arc<dyn Clock>,
    targets: Targets,
    poll: std::time::Duration,
    retry_base: std::time::Duration,
    overdue_scan: std::time::Duration,
    digest_at: (chrono::Weekday, chrono::NaiveTime),
    mailer: Option<Arc<crate::service::digest::Mailer>>,
    metrics: web::Data<http::metrics::Metrics>,
}

/// Password hashes computed at once: argon2 takes a core for tens of milliseconds, so more at
/// once only queues them on the CPU while every other request waits for a thread.
const PASSWORD_WORK: usize = 2;

/// How often the database's planner statistics are refreshed while serving.
const OPTIMIZE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

impl Application {
    /// Opens the database and binds the listener (port 0 picks a free one). The server runs
    /// once [`Application::run_until_stopped`] is awaited, inside an actix system.
    pub fn build(settings: &Settings) -> Result<Self, StartError> {
        Self::build_with_clock(settings, Arc::new(SystemClock))
    }

    /// As [`Application::build`], with the clock that decides "today" (tests fix it).
    pub fn build_with_clock(
        settings: &Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartError> {
        let mailer = settings
            .smtp_url
            .as_ref()
            .map(|url| crate::service::digest::Mailer::new(url.expose(), &settings.smtp_from))
            .transpose()
            .map_err(StartError::Mailer)?
            .map(Arc::new);
        let opened = open_database(settings, clock.as_ref())?;
        let secret = token_secret(settings)?;
        let maintenance_db = opened.db.clone();
        let metrics = web::Data::new(
            http::metrics::Metrics::new().map_err(|e| StartError::Metrics(e.to_string()))?,
        );
        let jobs = settings.background_jobs.then(|| Jobs {
            clock: clock.clone(),
            targets: Targets::new(&settings.webhook_allow_hosts),
            poll: std::time::Duration::from_millis(settings.webhook_poll_ms),
            retry_base: std::time::Duration::from_millis(settings.webhook_retry_base_ms),
            overdue_scan: std::time::Duration::from_secs(settings.overdue_scan_secs),
            digest_at: (settings.digest_at.weekday, settings.digest_at.time),
            mailer: mailer.clone(),
            metrics: metrics.clone(),
        });
        // Evidence files and the token secret live here: the owner's alone.
        rectify_db::private_dir(&settings.data_dir).map_err(|e| StartError::Storage {
            path: settings.data_dir.display().to_string(),
            source: e,
        })?;
        let api_rate_limit =
            crate::http::rate_limit::ApiRateLimit::new(settings.api_rate_limit, clock.clone())
                .map(Arc::new);
        let state = web::Data::new(AppState {
            db: opened.db,
            tokens: TokenKeys::new(&secret, settings.token_ttl_minutes * 60),
            callers: Default::default(),
            clock,
            store: Arc::new(LocalStore::new(&settings.data_dir).map_err(|e| {
                StartError::Storage {
                    path: settings.data_dir.display().to_string(),
                    source: e,
                }
            })?),
            evidence_max_bytes: settings.evidence_max_bytes,
            import_max_items: settings.import_max_items,
            webhook_targets: Targets::new(&settings.webhook_allow_hosts),
            sign_in: Default::default(),
            password_work: tokio::sync::Semaphore::new(PASSWORD_WORK),
            trusted_proxies: settings.trusted_proxies.clone(),
            body_timeout: std::time::Duration::from_secs(settings.body_timeout_secs),
            api_rate_limit,
        });
        remove_unrecorded_files(&state)?;
        let document = http::openapi_document();
        let routes = web::Data::new(http::problem::RouteTable::from_openapi(&document));
        let openapi_json = web::Data::new({
            let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
            text.push('\n');
            text
        });
        let listener = TcpListener::bind(settings.listen).map_err(|source| StartError::Bind {
            address: settings.listen.to_string(),
            source,
        })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let max_body = settings.max_body_bytes;
        let body_timeout = std::time::Duration::from_secs(settings.body_timeout_secs);
        let cors_origins = settings.cors_allow_origins.clone();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(http::conditional::middleware))
                .wrap(from_fn(http::text_guard::middleware))
                .wrap(from_fn(http::rate_limit::middleware))
                .wrap(from_fn(http::extract::authenticate))
                .wrap(from_fn(http::security_headers::middleware))
                .wrap(from_fn(http::language::middleware))
                .wrap(from_fn(request_id::middleware))
                .wrap(from_fn(http::metrics::middleware))
                // brotli or gzip for clients that ask (the OpenAPI document is 290 KB, lists and
                // reports compress tenfold); evidence files opt out.
                .wrap(actix_web::middleware::Compress::default())
                .wrap(actix_web::middleware::Condition::new(
                    !cors_origins.is_empty(),
                    cors(&cors_origins),
                ))
                .app_data(state.clone())
                .app_data(metrics.clone())
                .app_data(openapi_json.clone())
                .app_data(routes.clone())
                .configure(|cfg| http::extractor_config(cfg, max_body, body_timeout))
                .into_utoipa_app()
                .configure(http::routes)
                .into_app()
                // Load balancers and monitors probe with HEAD: the same answer, no body.
                .route("/healthz", web::head().to(http::health::alive))
                .route("/readyz", web::head().to(http::health::ready))
                .route("/metrics", web::get().to(http::metrics::scrape))
                .route("/api/v1/openapi.json", web::get().to(serve_openapi))
                .route("/docs", web::get().to(docs_redirect))
                .configure(crate::console::routes)
                .service(
                    SwaggerUi::new("/docs/{_:.*}").config(
                        SwaggerConfig::new(["/api/v1/openapi.json"])
                            .persist_authorization(true)
                            .try_it_out_enabled(true),
                    ),
                )
                .default_service(web::to(http::problem::no_route))
        })
        .listen(listener)
        .map_err(|source| StartError::Bind {
            address: settings.listen.to_string(),
            source,
        })?
        .workers(settings.workers)
        .shutdown_timeout(settings.shutdown_timeout_secs)
        .run();
        Ok(Self {
            port,
            server,
            generated_admin_password: opened.generated_admin_password,
            maintenance_db,
            jobs,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server from another task or thread.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    pub fn generated_admin_password(&self) -> Option<&str> {
        self.generated_admin_password.as_deref()
    }

    /// Serves until stopped by SIGTERM, SIGINT or the handle; requests in flight are finished.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let db = self.maintenance_db;
        if let Some(jobs) = self.jobs {
            spawn_jobs(db.clone(), jobs);
        }
        // Ends with the actix system when the server stops.
        actix_web::rt::spawn(async move {
            loop {
                actix_web::rt::time::sleep(OPTIMIZE_EVERY).await;
                let db = db.clone();
                match web::block(move || db.optimize(false)).await {
                    Ok(Ok(())) => tracing::debug!("refreshed database statistics"),
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "refreshing database statistics failed")
                    }
                    Err(e) => tracing::warn!(error = %e, "refreshing database statistics failed"),
                }
            }
        });
        self.server.await
    }
}

/// Runs `round` off the async workers every `every`, until the server stops. A round that
/// reports work done (`Ok(true)`) is followed at once by another; failures are logged.
fn every<F>(
    name: &'static str,
    every: std::time::Duration,
    metrics: &web::Data<http::metrics::Metrics>,
    round: F,
) where
    F: Fn() -> crate::error::Result<bool> + Send + Sync + 'static,
{
    debug_assert!(http::metrics::JOBS.contains(&name));
    let (round, metrics) = (Arc::new(round), metrics.clone());
    actix_web::rt::spawn(async move {
        loop {
            let round = round.clone();
            let outcome = web::block(move || round()).await;
            metrics.job_ran(name, !matches!(outcome, Ok(Ok(_))));
            match outcome {
                Ok(Ok(true)) => continue,
                Ok(Ok(false)) => {}
                Ok(Err(e)) => tracing::warn!(job = name, error = ?e.internal, "{}", e.detail),
                Err(e) => tracing::warn!(job = name, error = %e, "background job failed"),
            }
            actix_web::rt::time::sleep(every).await;
        }
    });
}

/// The webhook worker, the weekly digest, the sweep of unfinished imports and the overdue
/// scan, on the injected clock.
fn spawn_jobs(db: Db, jobs: Jobs) {
    let Jobs {
        clock,
        targets,
        poll,
        retry_base,
        overdue_scan,
        digest_at: (weekday, time),
        mailer,
        metrics,
    } = jobs;
    let agent = crate::delivery::agent(targets);
    let (sender_db, sender_clock) = (db.clone(), clock.clone());
    // A full batch: more may be waiting.
    every("webhook worker", poll, &metrics, move || {
        crate::delivery::send_due(&sender_db, &agent, retry_base, sender_clock.as_ref())
            .map(|n| n > 0)
    });
    let (digest_db, digest_clock, digest_metrics) = (db.clone(), clock.clone(), metrics.clone());
    every("weekly digest", overdue_scan, &metrics, move || {
        let s = crate::service::digest::send_scheduled(
            &digest_db,
            digest_clock.now(),
            weekday,
            time,
            mailer.as_deref(),
            retry_base,
        )?;
        digest_metrics.digests_sent(s.emails_sent, s.webhooks_queued);
        if s.emails_sent + s.webhooks_queued > 0 {
            tracing::info!(
                emails = s.emails_sent,
                webhooks = s.webhooks_queued,
                "sent weekly digests"
            );
        }
        Ok(false)
    });
    let (sweep_db, sweep_clock) = (db.clone(), clock.clone());
    // An import whose process stopped half-way was never shown; its rows are removed.
    every("unfinished imports", overdue_scan, &metrics, move || {
        crate::service::import::sweep_abandoned(&sweep_db, sweep_clock.now())
    });
    let (supervision_db, supervision_clock) = (db.clone(), clock.clone());
    every("supervision scan", overdue_scan, &metrics, move || {
        let s = crate::service::supervision::scan(&supervision_db, supervision_clock.now())?;
        if s.reactivated + s.acknowledgements_late + s.rechecks_due + s.escalations > 0 {
            tracing::info!(
                reactivated = s.reactivated,
                acknowledgements_late = s.acknowledgements_late,
                rechecks_due = s.rechecks_due,
                escalations = s.escalations,
                "supervision scan"
            );
        }
        Ok(s.more)
    });
    every("overdue scan", overdue_scan, &metrics, move || {
        let n = crate::delivery::notice_overdue(&db, clock.now())?;
        if n > 0 {
            tracing::info!(problems = n, "noticed overdue problems");
        }
        Ok(false)
    });
}

/// Evidence files whose upload was cut off (the process stopped between storing the file and
/// committing its record) are removed before serving, so no file is kept without a record.
/// The local evidence directory belongs to this one server process.
fn remove_unrecorded_files(state: &AppState) -> Result<(), StartError> {
    let recorded = state
        .db
        .read(|conn| rectify_db::closing::evidence_hashes(conn).map_err(rectify_db::DbError::from))
        .map_err(|e| StartError::Database(SetupError::Db(e)))?;
    let removed = state
        .store
        .remove_unrecorded(&recorded.into_iter().collect())
        .map_err(|source| StartError::Storage {
            path: "the data directory".to_owned(),
            source,
        })?;
    if removed > 0 {
        tracing::info!(
            files = removed,
            "removed evidence files left by an interrupted upload"
        );
    }
    Ok(())
}

/// `/docs` has relative asset links, so it lives at `/docs/`.
async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, "/docs/"))
        .finish()
}

async fn serve_openapi(doc: web::Data<String>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.get_ref().clone())
}

/// CORS for the configured origins: the methods and headers the API uses, the headers a
/// page must read (Location, ETag, the rate limit's, a download's name), preflights cached
/// for an hour, no credentials. A request from another origin is answered as usual, without
/// the headers that would let a browser's page read it.
fn cors(origins: &[String]) -> actix_cors::Cors {
    use actix_web::http::header;
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("traceparent"),
        ])
        .expose_headers([
            header::LOCATION,
            header::ETAG,
            header::CONTENT_DISPOSITION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("ratelimit-limit"),
            header::HeaderName::from_static("ratelimit-remaining"),
            header::HeaderName::from_static("ratelimit-reset"),
        ])
        .max_age(3600)
        .block_on_origin_mismatch(false);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}
