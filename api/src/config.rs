//! Settings: command-line flags, then `RECTIFY_*` environment variables, then an optional TOML
//! file, then defaults. Secrets are taken from the environment or the file only (never a flag,
//! which every user of the machine could read in the process list).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::Args;
use rectify_db::DatabaseUrl;
use serde::Deserialize;

/// A value that must not appear in logs or debug output.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// The settings as given by flags or environment variables; `None` where neither said.
#[derive(Debug, Default, Clone, Args)]
pub struct SettingsArgs {
    /// TOML file with any of the settings below (snake_case keys); flags and environment
    /// variables override it.
    #[arg(long, env = "RECTIFY_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "RECTIFY_LISTEN", global = true, value_name = "IP:PORT")]
    pub listen: Option<String>,

    /// Directory for the SQLite database, the generated token secret and evidence files
    /// [default: ./rectify-data].
    #[arg(long, env = "RECTIFY_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// postgres://USER[:PASSWORD]@HOST:PORT/DB, sqlite://PATH or a file path
    /// [default: DATA_DIR/rectify.db].
    #[arg(long, env = "RECTIFY_DATABASE_URL", global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Pooled database connections [default: 8].
    #[arg(long, env = "RECTIFY_DB_POOL_SIZE", global = true, value_name = "N")]
    pub db_pool_size: Option<u32>,

    /// Lifetime of an access token in minutes [default: 480].
    #[arg(
        long,
        env = "RECTIFY_TOKEN_TTL_MINUTES",
        global = true,
        value_name = "MINUTES"
    )]
    pub token_ttl_minutes: Option<i64>,

    /// Largest JSON request body in bytes; larger ones get 413 [default: 1048576].
    #[arg(
        long,
        env = "RECTIFY_MAX_BODY_BYTES",
        global = true,
        value_name = "BYTES"
    )]
    pub max_body_bytes: Option<usize>,

    /// Largest evidence file in bytes; larger uploads get 413 and nothing is kept
    /// [default: 20971520 (20 MiB)].
    #[arg(
        long,
        env = "RECTIFY_EVIDENCE_MAX_BYTES",
        global = true,
        value_name = "BYTES"
    )]
    pub evidence_max_bytes: Option<u64>,

    /// HTTP worker threads [default: the number of CPU cores].
    #[arg(long, env = "RECTIFY_WORKERS", global = true, value_name = "N")]
    pub workers: Option<usize>,

    /// Seconds to finish requests in flight after SIGTERM [default: 30].
    #[arg(
        long,
        env = "RECTIFY_SHUTDOWN_TIMEOUT_SECS",
        global = true,
        value_name = "SECS"
    )]
    pub shutdown_timeout_secs: Option<u64>,

    /// How often the webhook worker looks for deliveries due, in milliseconds [default: 1000].
    #[arg(
        long,
        env = "RECTIFY_WEBHOOK_POLL_MS",
        global = true,
        value_name = "MS"
    )]
    pub webhook_poll_ms: Option<u64>,

    /// The wait before a failed delivery's first retry, in milliseconds; each further retry
    /// waits twice as long, up to an hour [default: 30000].
    #[arg(
        long,
        env = "RECTIFY_WEBHOOK_RETRY_BASE_MS",
        global = true,
        value_name = "MS"
    )]
    pub webhook_retry_base_ms: Option<u64>,

    /// How often to look for problems that became overdue, in seconds [default: 60].
    #[arg(
        long,
        env = "RECTIFY_OVERDUE_SCAN_SECS",
        global = true,
        value_name = "SECS"
    )]
    pub overdue_scan_secs: Option<u64>,

    /// Run the webhook worker and the overdue scan inside `serve` [default: true]. With several
    /// servers on one PostgreSQL, any number may run them.
    #[arg(
        long,
        env = "RECTIFY_BACKGROUND_JOBS",
        global = true,
        value_name = "BOOL"
    )]
    pub background_jobs: Option<bool>,

    /// When the weekly digest of the week before goes out, on each organization's calendar
    /// [default: "mon 09:00"].
    #[arg(
        long,
        env = "RECTIFY_DIGEST_AT",
        global = true,
        value_name = "DAY HH:MM"
    )]
    pub digest_at: Option<String>,

    /// The digest e-mails' sender [default: "Rectify <rectify@localhost>"].
    #[arg(long, env = "RECTIFY_SMTP_FROM", global = true, value_name = "ADDRESS")]
    pub smtp_from: Option<String>,

    /// Log format [default: text].
    #[arg(long, env = "RECTIFY_LOG_FORMAT", global = true, value_enum)]
    pub log_format: Option<LogFormat>,

    /// Log filter, in tracing's EnvFilter syntax [default: info].
    #[arg(long, env = "RECTIFY_LOG", global = true, value_name = "FILTER")]
    pub log_level: Option<String>,
}

/// The optional TOML file. Unknown keys stop the start, so a typo is never silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    db_pool_size: Option<u32>,
    token_ttl_minutes: Option<i64>,
    max_body_bytes: Option<usize>,
    evidence_max_bytes: Option<u64>,
    workers: Option<usize>,
    shutdown_timeout_secs: Option<u64>,
    webhook_poll_ms: Option<u64>,
    webhook_retry_base_ms: Option<u64>,
    overdue_scan_secs: Option<u64>,
    background_jobs: Option<bool>,
    digest_at: Option<String>,
    smtp_from: Option<String>,
    smtp_url: Option<Secret>,
    log_format: Option<LogFormat>,
    log_level: Option<String>,
    jwt_secret: Option<Secret>,
    admin_password: Option<Secret>,
}

/// Resolved settings, every value checked.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    pub db_pool_size: u32,
    /// From `RECTIFY_JWT_SECRET` or the file; when absent on SQLite one is generated and kept
    /// in the data directory.
    pub jwt_secret: Option<Secret>,
    /// From `RECTIFY_ADMIN_PASSWORD` or the file; used once, when the database is empty.
    pub admin_password: Option<Secret>,
    pub token_ttl_minutes: i64,
    pub max_body_bytes: usize,
    pub evidence_max_bytes: u64,
    pub workers: usize,
    pub shutdown_timeout_secs: u64,
    pub webhook_poll_ms: u64,
    pub webhook_retry_base_ms: u64,
    pub overdue_scan_secs: u64,
    pub background_jobs: bool,
    /// The weekday and local time the weekly digest goes out.
    pub digest_at: (chrono::Weekday, chrono::NaiveTime),
    pub smtp_from: String,
    /// From `RECTIFY_SMTP_URL` or the file (it may hold a password): `smtp://host:25`,
    /// `smtp://user:pass@host:587?tls=required`, `smtps://user:pass@host:465`. Without it no
    /// digest e-mail is sent (webhooks still are).
    pub smtp_url: Option<Secret>,
    pub log_format: LogFormat,
    pub log_level: String,
}

/// `"mon 09:00"`: a weekday (English, three letters or whole) and a 24-hour time.
pub fn parse_digest_at(text: &str) -> Option<(chrono::Weekday, chrono::NaiveTime)> {
    let (day, time) = text.trim().split_once(' ')?;
    let day: chrono::Weekday = day.trim().parse().ok()?;
    let time = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    Some((day, time))
}

/// A configuration problem, worded as the one line an operator sees.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

pub const MIN_JWT_SECRET_BYTES: usize = 32;

impl Settings {
    /// Resolves the settings from parsed flags/environment, the file they name, and the
    /// secrets in the environment.
    pub fn load(args: &SettingsArgs) -> Result<Self, ConfigError> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };
        let env_secret = |name: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .map(Secret)
        };
        Self::resolve(
            args,
            file,
            env_secret("RECTIFY_JWT_SECRET"),
            env_secret("RECTIFY_ADMIN_PASSWORD"),
        )
    }

    fn resolve(
        args: &SettingsArgs,
        file: FileSettings,
        env_jwt_secret: Option<Secret>,
        env_admin_password: Option<Secret>,
    ) -> Result<Self, ConfigError> {
        let listen_raw = args
            .listen
            .clone()
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let listen: SocketAddr = listen_raw.parse().map_err(|_| {
            ConfigError(format!(
                "invalid listen address {listen_raw:?}: expected IP:PORT such as 127.0.0.1:8080"
            ))
        })?;

        let data_dir = args
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./rectify-data"));

        let database_url = match args.database_url.clone().or(file.database_url) {
            Some(raw) => DatabaseUrl::parse(&raw).map_err(|e| ConfigError(e.to_string()))?,
            None => DatabaseUrl::Sqlite(data_dir.join("rectify.db")),
        };

        let db_pool_size = args.db_pool_size.or(file.db_pool_size).unwrap_or(8);
        if !(1..=1000).contains(&db_pool_size) {
            return Err(ConfigError(format!(
                "invalid db_pool_size {db_pool_size}: must be 1 to 1000"
            )));
        }

        let token_ttl_minutes = args
            .token_ttl_minutes
            .or(file.token_ttl_minutes)
            .unwrap_or(480);
        if !(1..=60 * 24 * 30).contains(&token_ttl_minutes) {
            return Err(ConfigError(format!(
                "invalid token_ttl_minutes {token_ttl_minutes}: must be 1 to 43200 (30 days)"
            )));
        }

        let max_body_bytes = args
            .max_body_bytes
            .or(file.max_body_bytes)
            .unwrap_or(1 << 20);
        if !(1024..=(256 << 20)).contains(&max_body_bytes) {
            return Err(ConfigError(format!(
                "invalid max_body_bytes {max_body_bytes}: must be 1024 to 268435456"
            )));
        }

        let evidence_max_bytes = args
            .evidence_max_bytes
            .or(file.evidence_max_bytes)
            .unwrap_or(20 << 20);
        if !(1024..=(4u64 << 30)).contains(&evidence_max_bytes) {
            return Err(ConfigError(format!(
                "invalid evidence_max_bytes {evidence_max_bytes}: must be 1024 to 4294967296"
            )));
        }

        let workers = args.workers.or(file.workers).unwrap_or(0);
        let workers = if workers == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            workers
        };

        let jwt_secret = env_jwt_secret.or(file.jwt_secret);
        if let Some(secret) = &jwt_secret {
            if secret.expose().len() < MIN_JWT_SECRET_BYTES {
                return Err(ConfigError(format!(
                    "RECTIFY_JWT_SECRET is too short: it needs at least {MIN_JWT_SECRET_BYTES} bytes"
                )));
            }
        } else if matches!(database_url, DatabaseUrl::Postgres(_)) {
            return Err(ConfigError(
                "RECTIFY_JWT_SECRET is required with PostgreSQL, so that every server signs \
                 tokens alike (at least 32 bytes)"
                    .to_owned(),
            ));
        }

        let admin_password = env_admin_password.or(file.admin_password);
        if let Some(password) = &admin_password {
            crate::domain::identity::check_password(password.expose())
                .map_err(|rule| ConfigError(format!("RECTIFY_ADMIN_PASSWORD {rule}")))?;
        }

        let webhook_poll_ms = args
            .webhook_poll_ms
            .or(file.webhook_poll_ms)
            .unwrap_or(1000);
        if !(10..=60_000).contains(&webhook_poll_ms) {
            return Err(ConfigError(format!(
                "invalid webhook_poll_ms {webhook_poll_ms}: must be 10 to 60000"
            )));
        }
        let webhook_retry_base_ms = args
            .webhook_retry_base_ms
            .or(file.webhook_retry_base_ms)
            .unwrap_or(30_000);
        if !(1..=3_600_000).contains(&webhook_retry_base_ms) {
            return Err(ConfigError(format!(
                "invalid webhook_retry_base_ms {webhook_retry_base_ms}: must be 1 to 3600000"
            )));
        }
        let overdue_scan_secs = args
            .overdue_scan_secs
            .or(file.overdue_scan_secs)
            .unwrap_or(60);
        if !(1..=86_400).contains(&overdue_scan_secs) {
            return Err(ConfigError(format!(
                "invalid overdue_scan_secs {overdue_scan_secs}: must be 1 to 86400"
            )));
        }

        let digest_at_raw = args
            .digest_at
            .clone()
            .or(file.digest_at)
            .unwrap_or_else(|| "mon 09:00".to_owned());
        let digest_at = parse_digest_at(&digest_at_raw).ok_or_else(|| {
            ConfigError(format!(
                "invalid digest_at {digest_at_raw:?}: expected a weekday and a time such as \"mon 09:00\""
            ))
        })?;
        let smtp_from = args
            .smtp_from
            .clone()
            .or(file.smtp_from)
            .unwrap_or_else(|| "Rectify <rectify@localhost>".to_owned());
        let smtp_url = std::env::var("RECTIFY_SMTP_URL")
            .ok()
            .filter(|v| !v.is_empty())
            .map(Secret)
            .or(file.smtp_url);
        if let Some(url) = &smtp_url {
            crate::service::digest::Mailer::new(url.expose(), &smtp_from).map_err(ConfigError)?;
        }

        let log_level = args
            .log_level
            .clone()
            .or(file.log_level)
            .unwrap_or_else(|| "info".to_owned());
        tracing_subscriber::EnvFilter::try_new(&log_level)
            .map_err(|e| ConfigError(format!("invalid log filter {log_level:?}: {e}")))?;

        Ok(Self {
            listen,
            data_dir,
            database_url,
            db_pool_size,
            jwt_secret,
            admin_password,
            token_ttl_minutes,
            max_body_bytes,
            evidence_max_bytes,
            workers,
            shutdown_timeout_secs: args
                .shutdown_timeout_secs
                .or(file.shutdown_timeout_secs)
                .unwrap_or(30),
            webhook_poll_ms,
            webhook_retry_base_ms,
            overdue_scan_secs,
            background_jobs: args
                .background_jobs
                .or(file.background_jobs)
                .unwrap_or(true),
            digest_at,
            smtp_from,
            smtp_url,
            log_format: args
                .log_format
                .or(file.log_format)
                .unwrap_or(LogFormat::Text),
            log_level,
        })
    }
}

fn read_file(path: &Path) -> Result<FileSettings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError(format!(
            "cannot read configuration file {}: {e}",
            path.display()
        ))
    })?;
    toml::from_str(&text).map_err(|e| {
        let message = e.message().to_owned();
        ConfigError(format!(
            "invalid configuration file {}: {message}",
            path.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(args: SettingsArgs, file: &str) -> Result<Settings, ConfigError> {
        Settings::resolve(&args, toml::from_str(file).unwrap(), None, None)
    }

    #[test]
    fn defaults_give_sqlite_under_the_data_directory() {
        let s = resolve(SettingsArgs::default(), "").unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(
            s.database_url,
            DatabaseUrl::Sqlite(PathBuf::from("./rectify-data/rectify.db"))
        );
        assert_eq!(s.token_ttl_minutes, 480);
    }

    #[test]
    fn flags_and_environment_override_the_file() {
        let args = SettingsArgs {
            listen: Some("0.0.0.0:9000".into()),
            ..Default::default()
        };
        let s = resolve(args, "listen = \"127.0.0.1:7000\"\ntoken_ttl_minutes = 5").unwrap();
        assert_eq!(s.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(s.token_ttl_minutes, 5);
    }

    #[test]
    fn postgres_requires_a_signing_secret() {
        let args = SettingsArgs {
            database_url: Some("postgres://postgres@127.0.0.1/x".into()),
            ..Default::default()
        };
        let err = resolve(args.clone(), "").unwrap_err();
        assert!(err.0.contains("RECTIFY_JWT_SECRET is required"), "{err}");
        let ok = Settings::resolve(
            &args,
            FileSettings::default(),
            Some(Secret::new("x".repeat(32))),
            None,
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn bad_values_are_named_in_one_line() {
        let bad = |args: SettingsArgs| resolve(args, "").unwrap_err().0;
        assert!(bad(SettingsArgs {
            listen: Some("localhost".into()),
            ..Default::default()
        })
        .contains("invalid listen address"));
        assert!(bad(SettingsArgs {
            database_url: Some("postgress://x".into()),
            ..Default::default()
        })
        .contains("unknown scheme"));
        assert!(bad(SettingsArgs {
            db_pool_size: Some(0),
            ..Default::default()
        })
        .contains("db_pool_size"));
        assert!(bad(SettingsArgs {
            log_level: Some("[[".into()),
            ..Default::default()
        })
        .contains("invalid log filter"));
        let short = Settings::resolve(
            &SettingsArgs::default(),
            FileSettings::default(),
            Some(Secret::new("short")),
            None,
        )
        .unwrap_err();
        assert!(short.0.contains("too short"));
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        assert!(toml::from_str::<FileSettings>("listne = \"x\"").is_err());
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let s = Settings::resolve(
            &SettingsArgs::default(),
            FileSettings::default(),
            Some(Secret::new("s".repeat(40))),
            Some(Secret::new("hunter2hunter2")),
        )
        .unwrap();
        let debug = format!("{s:?}");
        assert!(!debug.contains("hunter2") && !debug.contains(&"s".repeat(40)));
    }
}
