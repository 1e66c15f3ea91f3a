//! Settings: command-line flags, then `RECTIFY_*` environment variables, then an optional TOML
//! file, then defaults. Secrets are taken from the environment or the file only (never a flag,
//! which every user of the machine could read in the process list).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{Args, FromArgMatches};
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

/// The weekday and local time the weekly digest goes out: `"mon 09:00"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestAt {
    pub weekday: chrono::Weekday,
    pub time: chrono::NaiveTime,
}

impl std::str::FromStr for DigestAt {
    type Err = String;

    /// A weekday (English, three letters or whole) and a 24-hour time.
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("{text:?} is not a weekday and a time such as \"mon 09:00\"");
        let (day, time) = text.trim().split_once(' ').ok_or_else(bad)?;
        Ok(Self {
            weekday: day.trim().parse().map_err(|_| bad())?,
            time: chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M").map_err(|_| bad())?,
        })
    }
}

fn database_url(raw: &str) -> Result<DatabaseUrl, String> {
    DatabaseUrl::parse(raw).map_err(|e| e.to_string())
}

/// A web origin as browsers send it: `https://host` or `http://host:port`, nothing after.
fn origin(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let rest = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("{raw:?} is not an origin: write https://host or http://host:port")
        })?;
    let host_port_only = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
    if host_port_only {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(format!(
            "{raw:?} is not an origin: a scheme and a host (and a port), with no path"
        ))
    }
}

fn secret(raw: &str) -> Result<Secret, String> {
    Ok(Secret::new(raw))
}

fn log_filter(raw: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::try_new(raw)
        .map(|_| raw.to_owned())
        .map_err(|e| format!("invalid log filter: {e}"))
}

/// Every setting, declared once: its flag, its `RECTIFY_*` variable, its default, its range
/// and its meaning. Flags win over the environment, which wins over the TOML file, which wins
/// over the default; the file's values go through the same parsers as flags.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// TOML file with any of the settings below (snake_case keys); flags and environment
    /// variables override it.
    #[arg(long, env = "RECTIFY_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Address to listen on.
    #[arg(
        long,
        env = "RECTIFY_LISTEN",
        global = true,
        value_name = "IP:PORT",
        default_value = "127.0.0.1:8080"
    )]
    pub listen: SocketAddr,

    /// Directory for the SQLite database, the generated token secret and evidence files.
    #[arg(
        long,
        env = "RECTIFY_DATA_DIR",
        global = true,
        value_name = "DIR",
        default_value = "./rectify-data"
    )]
    pub data_dir: PathBuf,

    /// postgres://USER[:PASSWORD]@HOST:PORT/DB, sqlite://PATH or a file path; without it,
    /// SQLite at DATA_DIR/rectify.db.
    #[arg(long, env = "RECTIFY_DATABASE_URL", global = true, value_name = "URL",
          value_parser = database_url)]
    pub database_url: Option<DatabaseUrl>,

    /// Pooled database connections.
    #[arg(long, env = "RECTIFY_DB_POOL_SIZE", global = true, value_name = "N",
          default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_pool_size: u32,

    /// Lifetime of an access token in minutes (at most 30 days).
    #[arg(long, env = "RECTIFY_TOKEN_TTL_MINUTES", global = true, value_name = "MINUTES",
          default_value_t = 480, value_parser = clap::value_parser!(i64).range(1..=43_200))]
    pub token_ttl_minutes: i64,

    /// Largest JSON request body in bytes; larger ones get 413.
    #[arg(long, env = "RECTIFY_MAX_BODY_BYTES", global = true, value_name = "BYTES",
          default_value_t = 1 << 20,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1024..=256 << 20))]
    pub max_body_bytes: usize,

    /// Largest evidence file in bytes; larger uploads get 413 and nothing is kept.
    #[arg(long, env = "RECTIFY_EVIDENCE_MAX_BYTES", global = true, value_name = "BYTES",
          default_value_t = 20 << 20, value_parser = clap::value_parser!(u64).range(1024..=4 << 30))]
    pub evidence_max_bytes: u64,

    /// Problems, causes and measures one import may create at the most; a larger document is
    /// refused with 422 `too_many_items`.
    #[arg(long, env = "RECTIFY_IMPORT_MAX_ITEMS", global = true, value_name = "N",
          default_value_t = 20_000,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub import_max_items: usize,

    /// Requests a minute one caller (a user or a service account) may make; past it, 429
    /// `rate_limited` with `Retry-After`, and every answer carries `RateLimit-*` headers.
    /// 0 turns the limit off.
    #[arg(long, env = "RECTIFY_API_RATE_LIMIT", global = true, value_name = "PER_MINUTE",
          default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub api_rate_limit: u32,

    /// Seconds a JSON body may take to arrive, and an upload may go without sending anything;
    /// slower ones get 408 and their connection back.
    #[arg(long, env = "RECTIFY_BODY_TIMEOUT_SECS", global = true, value_name = "SECS",
          default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_timeout_secs: u64,

    /// HTTP worker threads; 0 means one per CPU core.
    #[arg(long, env = "RECTIFY_WORKERS", global = true, value_name = "N", default_value_t = 0,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=1024))]
    pub workers: usize,

    /// Seconds to finish requests in flight after SIGTERM.
    #[arg(long, env = "RECTIFY_SHUTDOWN_TIMEOUT_SECS", global = true, value_name = "SECS",
          default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub shutdown_timeout_secs: u64,

    /// How often the webhook worker looks for deliveries due, in milliseconds.
    #[arg(long, env = "RECTIFY_WEBHOOK_POLL_MS", global = true, value_name = "MS",
          default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub webhook_poll_ms: u64,

    /// The wait before a failed delivery's first retry, in milliseconds; each further retry
    /// waits twice as long, up to an hour (10 attempts).
    #[arg(long, env = "RECTIFY_WEBHOOK_RETRY_BASE_MS", global = true, value_name = "MS",
          default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub webhook_retry_base_ms: u64,

    /// Hosts (names or addresses, comma-separated) that webhooks may reach although they are
    /// not public, such as an office system inside the unit's network.
    #[arg(
        long,
        env = "RECTIFY_WEBHOOK_ALLOW_HOSTS",
        global = true,
        value_name = "HOST,…",
        value_delimiter = ','
    )]
    pub webhook_allow_hosts: Vec<String>,

    /// Addresses of reverse proxies (comma-separated) whose X-Forwarded-For names the client;
    /// without them the client is the connection's peer, and the header is ignored.
    #[arg(
        long,
        env = "RECTIFY_TRUSTED_PROXIES",
        global = true,
        value_name = "IP,…",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,

    /// Origins of browser-based office systems (comma-separated, such as
    /// `https://oa.example.cn`) whose pages may call the API; none by default. Preflights are
    /// cached for an hour; cookies are never sent (the API takes bearer tokens).
    #[arg(
        long,
        env = "RECTIFY_CORS_ALLOW_ORIGINS",
        global = true,
        value_name = "ORIGIN,…",
        value_delimiter = ',',
        value_parser = origin
    )]
    pub cors_allow_origins: Vec<String>,

    /// How often to look for problems that became overdue, in seconds.
    #[arg(long, env = "RECTIFY_OVERDUE_SCAN_SECS", global = true, value_name = "SECS",
          default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub overdue_scan_secs: u64,

    /// Run the webhook worker, the weekly digest and the overdue scan inside `serve`. With
    /// several servers on one PostgreSQL, any number may run them.
    #[arg(long, env = "RECTIFY_BACKGROUND_JOBS", global = true, value_name = "BOOL",
          default_value_t = true, action = clap::ArgAction::Set)]
    pub background_jobs: bool,

    /// When the weekly digest of the week before goes out, on each organization's calendar.
    #[arg(
        long,
        env = "RECTIFY_DIGEST_AT",
        global = true,
        value_name = "DAY HH:MM",
        default_value = "mon 09:00"
    )]
    pub digest_at: DigestAt,

    /// The digest e-mails' sender.
    #[arg(
        long,
        env = "RECTIFY_SMTP_FROM",
        global = true,
        value_name = "ADDRESS",
        default_value = "Rectify <rectify@localhost>"
    )]
    pub smtp_from: String,

    /// Secret (it may hold a password): `smtp://host:25`, `smtp://user:pass@host:587?tls=required`
    /// or `smtps://user:pass@host:465`; without it no digest e-mail is sent.
    #[arg(long, env = "RECTIFY_SMTP_URL", global = true, hide = true, value_name = "URL",
          value_parser = secret)]
    pub smtp_url: Option<Secret>,

    /// Log format.
    #[arg(
        long,
        env = "RECTIFY_LOG_FORMAT",
        global = true,
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,

    /// Log filter, in tracing's EnvFilter syntax.
    #[arg(long, env = "RECTIFY_LOG", global = true, value_name = "FILTER", default_value = "info",
          value_parser = log_filter)]
    pub log_level: String,

    /// Secret: the token signing key, at least 32 bytes; required with PostgreSQL. Without it
    /// on SQLite one is generated into DATA_DIR/jwt-secret (0600).
    #[arg(long, env = "RECTIFY_JWT_SECRET", global = true, hide = true, value_name = "SECRET",
          value_parser = secret)]
    pub jwt_secret: Option<Secret>,

    /// Secret: the password of the user `admin` created on an empty database; without it one
    /// is generated and printed once.
    #[arg(long, env = "RECTIFY_ADMIN_PASSWORD", global = true, hide = true,
          value_name = "PASSWORD", value_parser = secret)]
    pub admin_password: Option<Secret>,
}

/// A configuration problem, worded as the one line an operator sees.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// The settings' own command: their arguments and nothing else.
fn settings_command() -> clap::Command {
    Settings::augment_args(clap::Command::new("rectify").no_binary_name(true))
}

/// Where a setting's value came from, looking through the subcommand a global flag may
/// follow.
fn source_of(matches: &clap::ArgMatches, id: &str) -> Option<ValueSource> {
    let mut found = matches
        .try_contains_id(id)
        .ok()
        .and_then(|_| matches.value_source(id));
    let mut level = matches;
    while let Some((_, sub)) = level.subcommand() {
        if let Some(source) = sub
            .try_contains_id(id)
            .ok()
            .and_then(|_| sub.value_source(id))
        {
            found = match found {
                Some(ValueSource::CommandLine) => found,
                _ => Some(source),
            };
        }
        level = sub;
    }
    found
}

fn raw_of(matches: &clap::ArgMatches, id: &str) -> Option<String> {
    let mut level = Some(matches);
    let mut value = None;
    while let Some(m) = level {
        if m.value_source(id) == Some(ValueSource::CommandLine) {
            value = m.get_raw(id).map(|raw| {
                raw.map(|r| r.to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(",")
            });
        }
        level = m.subcommand().map(|(_, sub)| sub);
    }
    value
}

impl Settings {
    /// The settings of a parsed command line: its flags and environment, then the file that
    /// names (through the same parsers), then the defaults; then the checks across settings.
    pub fn load(matches: &clap::ArgMatches) -> Result<Self, ConfigError> {
        let command = settings_command();
        let config = raw_of(matches, "config").or_else(|| {
            (source_of(matches, "config") == Some(ValueSource::EnvVariable))
                .then(|| std::env::var("RECTIFY_CONFIG").unwrap_or_default())
        });
        let mut file = match config.filter(|p| !p.is_empty()) {
            Some(path) => read_file(Path::new(&path))?,
            None => toml::Table::new(),
        };
        let mut argv: Vec<String> = Vec::new();
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            let long = arg.get_long().unwrap_or(id);
            match source_of(matches, id) {
                Some(ValueSource::CommandLine) => {
                    if arg.is_hide_set() {
                        return Err(ConfigError(format!(
                            "--{long} holds a secret and is not taken from the command line \
                             (every user of the machine could read it): set {} or `{id}` in \
                             the configuration file",
                            arg.get_env()
                                .map(|e| e.to_string_lossy())
                                .unwrap_or_default()
                        )));
                    }
                    if let Some(raw) = raw_of(matches, id) {
                        argv.push(format!("--{long}={raw}"));
                    }
                    file.remove(id);
                }
                Some(ValueSource::EnvVariable) => {
                    file.remove(id);
                }
                _ => {
                    if let Some(value) = file.remove(id) {
                        if id == "config" {
                            return Err(ConfigError(
                                "the configuration file cannot name another one".to_owned(),
                            ));
                        }
                        argv.push(format!("--{long}={}", toml_text(id, value)?));
                    }
                }
            }
        }
        if let Some(unknown) = file.keys().next() {
            return Err(ConfigError(format!(
                "unknown setting `{unknown}` in the configuration file"
            )));
        }
        let parsed = command
            .try_get_matches_from(argv)
            .map_err(|e| ConfigError(first_line(&e.to_string())))?;
        let settings = Self::from_arg_matches(&parsed).map_err(|e| ConfigError(e.to_string()))?;
        settings.checked()
    }

    /// Parses settings from flags alone (tests and tools), with the same checks.
    pub fn from_flags<I: IntoIterator<Item = T>, T: Into<String>>(
        flags: I,
    ) -> Result<Self, ConfigError> {
        let argv: Vec<String> = flags.into_iter().map(Into::into).collect();
        let parsed = settings_command()
            .try_get_matches_from(argv)
            .map_err(|e| ConfigError(first_line(&e.to_string())))?;
        Self::load(&parsed)
    }

    /// The rules that join several settings, and the values worked out from others.
    fn checked(mut self) -> Result<Self, ConfigError> {
        if self.workers == 0 {
            self.workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        }
        let database_url = self.database_url();
        self.database_url = Some(database_url.clone());
        if let Some(secret) = &self.jwt_secret {
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
        if let Some(password) = &self.admin_password {
            crate::domain::identity::check_password(password.expose())
                .map_err(|rule| ConfigError(format!("RECTIFY_ADMIN_PASSWORD {rule}")))?;
        }
        Ok(self)
    }

    /// Where the data lives: the configured URL, or SQLite in the data directory.
    pub fn database_url(&self) -> DatabaseUrl {
        self.database_url
            .clone()
            .unwrap_or_else(|| DatabaseUrl::Sqlite(self.data_dir.join("rectify.db")))
    }

    /// The secrets, which `--help` does not list as flags.
    pub fn secrets_help() -> String {
        let mut text =
            String::from("Secrets, read only from the environment or the configuration file:\n");
        for arg in settings_command()
            .get_arguments()
            .filter(|a| a.is_hide_set())
        {
            let env = arg
                .get_env()
                .map(|e| e.to_string_lossy())
                .unwrap_or_default();
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            text.push_str(&format!("  {env:<24}{help}\n"));
        }
        text
    }

    /// The settings table of the README, from the declaration above.
    pub fn markdown_table() -> String {
        let mut table = String::from(
            "| setting (file key) | flag | environment | default | meaning |\n|---|---|---|---|---|\n",
        );
        for arg in settings_command().get_arguments() {
            let id = arg.get_id().as_str();
            let flag = if arg.is_hide_set() {
                "(none: a secret)".to_owned()
            } else {
                let choices: Vec<String> = arg
                    .get_possible_values()
                    .iter()
                    .map(|v| v.get_name().to_owned())
                    .collect();
                let value = match arg.get_value_names().and_then(|names| names.first()) {
                    _ if !choices.is_empty() => format!(" {}", choices.join("\\|")),
                    Some(name) => format!(" {name}"),
                    None => String::new(),
                };
                format!("`--{}{value}`", arg.get_long().unwrap_or(id))
            };
            let env = arg
                .get_env()
                .map(|e| format!("`{}`", e.to_string_lossy()))
                .unwrap_or_default();
            let default = arg
                .get_default_values()
                .first()
                .map(|d| format!("`{}`", d.to_string_lossy()))
                .unwrap_or_else(|| "none".to_owned());
            let meaning = arg
                .get_long_help()
                .or(arg.get_help())
                .map(|h| h.to_string().replace('\n', " ").replace('|', "\\|"))
                .unwrap_or_default();
            table.push_str(&format!(
                "| `{id}` | {flag} | {env} | {default} | {meaning} |\n"
            ));
        }
        table
    }
}

/// A file value as the text a flag would carry.
fn toml_text(key: &str, value: toml::Value) -> Result<String, ConfigError> {
    match value {
        toml::Value::String(s) => Ok(s),
        toml::Value::Integer(n) => Ok(n.to_string()),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        toml::Value::Array(items) => items
            .into_iter()
            .map(|item| toml_text(key, item))
            .collect::<Result<Vec<_>, _>>()
            .map(|items| items.join(",")),
        other => Err(ConfigError(format!(
            "setting `{key}` in the configuration file must be a string, a number, a boolean or a list of them, not {}",
            other.type_str()
        ))),
    }
}

fn first_line(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or(message)
        .trim_start_matches("error: ")
        .to_owned()
}

fn read_file(path: &Path) -> Result<toml::Table, ConfigError> {
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

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
        f
    }

    fn with_file(text: &str, flags: &[&str]) -> Result<Settings, ConfigError> {
        let f = file(text);
        let mut all = vec![format!("--config={}", f.path().display())];
        all.extend(flags.iter().map(|f| f.to_string()));
        Settings::from_flags(all)
    }

    #[test]
    fn defaults_give_sqlite_under_the_data_directory() {
        let s = Settings::from_flags(Vec::<String>::new()).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(
            s.database_url(),
            DatabaseUrl::Sqlite(PathBuf::from("./rectify-data/rectify.db"))
        );
        assert_eq!(s.token_ttl_minutes, 480);
        assert!(s.workers > 0, "0 means one worker per core");
    }

    #[test]
    fn flags_override_the_file_and_the_file_overrides_defaults() {
        let s = with_file(
            "listen = \"127.0.0.1:7000\"\ntoken_ttl_minutes = 5\nbackground_jobs = false",
            &["--listen=0.0.0.0:9000"],
        )
        .unwrap();
        assert_eq!(s.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(s.token_ttl_minutes, 5);
        assert!(!s.background_jobs);
    }

    #[test]
    fn postgres_requires_a_signing_secret() {
        let url = "--database-url=postgres://postgres@127.0.0.1/x";
        let err = Settings::from_flags([url]).unwrap_err();
        assert!(err.0.contains("RECTIFY_JWT_SECRET is required"), "{err}");
        let secret = format!("jwt_secret = \"{}\"", "x".repeat(32));
        assert!(with_file(&secret, &[url]).is_ok());
    }

    #[test]
    fn bad_values_are_named_in_one_line() {
        let bad = |flag: &str| Settings::from_flags([flag]).unwrap_err().0;
        assert!(bad("--listen=localhost").contains("--listen"));
        assert!(bad("--database-url=postgress://x").contains("unknown scheme"));
        assert!(bad("--db-pool-size=0").contains("--db-pool-size"));
        assert!(bad("--log-level=[[").contains("invalid log filter"));
        assert!(bad("--digest-at=someday").contains("weekday"));
        let from_file = with_file("db_pool_size = 5000", &[]).unwrap_err().0;
        assert!(from_file.contains("--db-pool-size"), "{from_file}");
        let short = with_file("jwt_secret = \"short\"", &[]).unwrap_err().0;
        assert!(short.contains("too short"), "{short}");
        for message in [from_file, short] {
            assert_eq!(message.lines().count(), 1, "{message}");
        }
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        let err = with_file("listne = \"x\"", &[]).unwrap_err().0;
        assert!(err.contains("unknown setting `listne`"), "{err}");
        let err = with_file("listen = { ip = 1 }", &[]).unwrap_err().0;
        assert!(err.contains("must be a string"), "{err}");
        let listed = with_file(
            "webhook_allow_hosts = [\"10.0.0.8\", \"oa.example.cn\"]",
            &[],
        )
        .unwrap();
        assert_eq!(listed.webhook_allow_hosts, ["10.0.0.8", "oa.example.cn"]);
        let flagged =
            Settings::from_flags(["--webhook-allow-hosts=10.0.0.8,oa.example.cn"]).unwrap();
        assert_eq!(flagged.webhook_allow_hosts, ["10.0.0.8", "oa.example.cn"]);
    }

    #[test]
    fn secrets_are_never_taken_from_flags() {
        let err = Settings::from_flags([format!("--jwt-secret={}", "s".repeat(40))])
            .unwrap_err()
            .0;
        assert!(err.contains("RECTIFY_JWT_SECRET"), "{err}");
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let s = with_file(
            &format!(
                "jwt_secret = \"{}\"\nadmin_password = \"hunter2hunter2\"",
                "s".repeat(40)
            ),
            &[],
        )
        .unwrap();
        let debug = format!("{s:?}");
        assert!(!debug.contains("hunter2") && !debug.contains(&"s".repeat(40)));
    }

    /// The README's table is this declaration's, so a new setting cannot be left out of it.
    #[test]
    fn the_readme_lists_every_setting_as_declared() {
        let readme = include_str!("../../README.md");
        let table = Settings::markdown_table();
        assert!(
            readme.contains(&table),
            "README.md's settings table differs from the declaration; it should read:\n\n{table}"
        );
    }

    #[test]
    fn cors_origins_are_origins_and_nothing_more() {
        assert_eq!(
            origin("https://OA.example.cn").as_deref(),
            Ok("https://oa.example.cn")
        );
        assert_eq!(
            origin("http://10.0.0.8:8080").as_deref(),
            Ok("http://10.0.0.8:8080")
        );
        for bad in [
            "oa.example.cn",
            "https://oa.example.cn/",
            "https://a/b",
            "*",
            "https://",
        ] {
            assert!(origin(bad).is_err(), "{bad}");
        }
    }
}
