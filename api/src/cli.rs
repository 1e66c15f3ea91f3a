//! The `rectify` command line: `serve` (the default) and the operator's subcommands, which
//! work on the database directly through the same services as the API.

use std::io::{BufRead, Write};

use clap::{Parser, Subcommand};

use crate::api_types::{CreateOrganization, CreateUser};
use crate::api_types::{ImportResult, ImportedReviewFields};
use crate::config::Settings;
use crate::domain::deadline::Clock;
use crate::domain::text::fit;
use crate::domain::vocab::ReviewKind;
use crate::domain::Role;
use crate::service::import::{self, Document};
use crate::service::{accounts, organizations, users};
use crate::startup::{self, open_database, Application};
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(name = "rectify", version, about = "Rectify: a rectification ledger (整改台账) service.", after_help = Settings::secrets_help())]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage organizations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Show a week's digests and their deliveries; with --send, send them now.
    Digest {
        /// An ISO week such as 2026-W48.
        #[arg(long)]
        week: String,
        /// Send what has not been sent for this week (each recipient and channel once).
        #[arg(long)]
        send: bool,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Back up the embedded database, the evidence files and the token secret into a new
    /// directory, while the service runs (on PostgreSQL, use pg_dump; see README.md).
    Backup {
        /// The directory to create.
        dir: std::path::PathBuf,
    },
    /// Restore a backup made by `rectify backup` into the data directory (the service
    /// stopped). A database already there is kept unless --force, and then set aside.
    Restore {
        /// The backup's directory.
        dir: std::path::PathBuf,
        /// Replace the database that is there (it is renamed, not deleted).
        #[arg(long)]
        force: bool,
    },
    /// Import a report (.txt, .docx, .pdf) or a ledger sheet (.xlsx, .xls, .ods) as a draft review.
    Import {
        /// The file to import.
        file: std::path::PathBuf,
        /// Code of the organization whose review it is.
        #[arg(long, value_name = "CODE")]
        org: String,
        /// The review's title [default: the file's name].
        #[arg(long)]
        title: Option<String>,
        /// organizational_life, democratic_life, theme_education, inspection_feedback, audit
        /// or other [default: guessed from the title and text].
        #[arg(long, value_parser = parse_review_kind)]
        kind: Option<ReviewKind>,
        /// When the review was held, as 2026-11-23 [default: today].
        #[arg(long)]
        held_on: Option<chrono::NaiveDate>,
        /// Show what would be created; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Tools for development and benchmarks.
    Dev {
        #[command(subcommand)]
        command: DevCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Fill an empty ledger with a large one that reads like a real one: 1,592 units in four
    /// levels (8 districts), three people in each, reviews over three years with their
    /// causes and measures, and the problems with their history. Every seeded user (such as
    /// seed.coordinator, who sees the whole tree) signs in with one password.
    Seed {
        /// How many problems.
        #[arg(long, default_value_t = 10_000)]
        problems: u64,
        /// Read the users' password from the first line of standard input [default: one is
        /// generated and printed].
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain; fails naming the first entry that does not hold.
    Verify,
}

fn parse_review_kind(raw: &str) -> Result<ReviewKind, String> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned()))
        .map_err(|_| format!("unknown review kind {raw:?}"))
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Add an organization.
    Add {
        /// Short code, the prefix of its problem keys (e.g. DFSQ).
        #[arg(long)]
        code: String,
        /// Full name (e.g. 东风社区党委).
        #[arg(long)]
        name: String,
        /// Code of the parent organization [default: the root].
        #[arg(long, value_name = "CODE")]
        parent: Option<String>,
        /// IANA time zone [default: the parent's].
        #[arg(long)]
        timezone: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. Without --password-stdin a password is generated and printed once.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Code of the user's organization.
        #[arg(long, value_name = "CODE")]
        org: String,
        #[arg(long)]
        email: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password. Without --password-stdin one is generated and printed once.
    SetPassword {
        username: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

fn parse_role(raw: &str) -> Result<Role, String> {
    raw.parse()
        .map_err(|e: crate::domain::role::UnknownRole| e.to_string())
}

/// An error that ends a command, shown as one line.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("{0}")]
    Start(#[from] startup::StartError),
    #[error("{}", refusal(.0))]
    Service(#[from] crate::error::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the audit log is broken at entry {first_broken} ({entries} entries read)")]
    AuditBroken { first_broken: i64, entries: i64 },
    #[error("{0}")]
    Refused(String),
}

/// A refusal as the operator reads it: the detail, then every field or cell in error and
/// every warning, one per line.
fn refusal(error: &crate::error::Error) -> String {
    let mut text = error.detail.clone();
    for e in &error.errors {
        text.push_str(&format!("\n  {:<10} {:<18} {}", e.field, e.code, e.message));
    }
    let warnings = error.extensions.get("warnings").and_then(|w| w.as_array());
    for w in warnings.into_iter().flatten() {
        text.push_str(&format!(
            "\n  warning    {:<18} {}",
            w["code"].as_str().unwrap_or_default(),
            w["message"].as_str().unwrap_or_default()
        ));
    }
    text
}

/// Runs one command with resolved settings. `serve` blocks until the server stops.
pub fn execute(
    settings: &Settings,
    clock: Arc<dyn Clock>,
    command: Option<Command>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let command = command.unwrap_or(Command::Serve);
    if matches!(command, Command::Serve) {
        return serve(settings, clock, out);
    }
    // A one-shot command works with one connection. With more, the pool opens a spare in the
    // background when the first is taken, and on PostgreSQL over TLS that connect can still be
    // inside OpenSSL when the process exits and OpenSSL's cleanup runs: a crash at exit
    // (SIGSEGV in about one run in eight).
    let settings = &Settings {
        db_pool_size: 1,
        ..settings.clone()
    };
    match command {
        Command::Serve => serve(settings, clock, out),
        Command::Migrate => {
            let opened = open_database(settings, clock.as_ref())?;
            announce_admin(out, opened.generated_admin_password.as_deref())?;
            writeln!(
                out,
                "database {} is up to date",
                settings.database_url().redacted()
            )?;
            Ok(())
        }
        Command::Org {
            command:
                OrgCommand::Add {
                    code,
                    name,
                    parent,
                    timezone,
                },
        } => {
            let opened = open_database(settings, clock.as_ref())?;
            announce_admin(out, opened.generated_admin_password.as_deref())?;
            let db = opened.db;
            let operator = accounts::operator(&db)?;
            let parent_id = parent
                .map(|code| users::organization_by_code(&db, &code).map(|o| o.id))
                .transpose()?;
            let input = CreateOrganization {
                code,
                name,
                parent_id,
                timezone,
                evidence_required: None,
                acknowledge_days: None,
                warn_days: None,
                recheck_days: None,
                escalate_after_days: None,
                leader_id: None,
                head_id: None,
                scorecard_weights: None,
            };
            let org = organizations::create(&db, &operator, input, clock.now())?;
            writeln!(
                out,
                "created organization {} {} (id {}, {})",
                org.code, org.name, org.id, org.timezone
            )?;
            Ok(())
        }
        Command::Digest { week, send } => digest(settings, clock.as_ref(), out, &week, send),
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let opened = open_database(settings, clock.as_ref())?;
            announce_admin(out, opened.generated_admin_password.as_deref())?;
            let result = crate::service::audit::verify_chain(&opened.db)?;
            match result.first_broken {
                None => {
                    writeln!(out, "audit log intact: {} entries verified", result.entries)?;
                    Ok(())
                }
                Some(first_broken) => Err(CliError::AuditBroken {
                    first_broken,
                    entries: result.entries,
                }),
            }
        }
        Command::Backup { dir } => backup(settings, clock, &dir, out),
        Command::Restore { dir, force } => restore(settings, &dir, force, out),
        Command::Import {
            file,
            org,
            title,
            kind,
            held_on,
            dry_run,
        } => import_file(
            settings,
            clock.as_ref(),
            out,
            ImportArgs {
                file,
                org,
                title,
                kind,
                held_on,
                dry_run,
            },
        ),
        Command::Dev {
            command:
                DevCommand::Seed {
                    problems,
                    password_stdin,
                },
        } => dev_seed(settings, clock.as_ref(), out, problems, password_stdin),
        Command::User { command } => {
            let opened = open_database(settings, clock.as_ref())?;
            announce_admin(out, opened.generated_admin_password.as_deref())?;
            let db = opened.db;
            let operator = accounts::operator(&db)?;
            match command {
                UserCommand::Add {
                    username,
                    display_name,
                    role,
                    org,
                    email,
                    password_stdin,
                } => {
                    let org = users::organization_by_code(&db, &org)?;
                    let (password, generated) = password_from(password_stdin)?;
                    let input = CreateUser {
                        username,
                        display_name,
                        email,
                        role,
                        organization_id: org.id,
                        password,
                    };
                    let password = input.password.clone();
                    let user = users::create(&db, &operator, input, clock.now())?;
                    writeln!(
                        out,
                        "created user {} {} (id {}, {} of {})",
                        user.username, user.display_name, user.id, user.role, org.code
                    )?;
                    if generated {
                        writeln!(
                            out,
                            "password: {password}  (shown once; the user should change it)"
                        )?;
                    }
                    Ok(())
                }
                UserCommand::SetPassword {
                    username,
                    password_stdin,
                } => {
                    let name = username.trim().to_ascii_lowercase();
                    let found = db.read(|conn| {
                        Ok::<_, crate::error::Error>(rectify_db::users::find_by_username(
                            conn, &name,
                        )?)
                    })?;
                    let (user, _) = found
                        .ok_or_else(|| crate::error::Error::not_found(&format!("User {name}")))?;
                    let (password, generated) = password_from(password_stdin)?;
                    users::reset_password(&db, &operator, user.id, &password, clock.now())?;
                    writeln!(
                        out,
                        "password of {} changed; their signed-in sessions have ended",
                        user.username
                    )?;
                    if generated {
                        writeln!(out, "password: {password}  (shown once)")?;
                    }
                    Ok(())
                }
            }
        }
    }
}

fn import_file(
    settings: &Settings,
    clock: &dyn Clock,
    out: &mut dyn Write,
    request: ImportArgs,
) -> Result<(), CliError> {
    let opened = open_database(settings, clock)?;
    announce_admin(out, opened.generated_admin_password.as_deref())?;
    let db = opened.db;
    let operator = accounts::operator(&db)?;
    let org = users::organization_by_code(&db, &request.org)?;
    let bytes = std::fs::read(&request.file)?;
    let name = request
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let document = import::read_file(name.as_deref(), &bytes)?;
    let title = request.title.unwrap_or_else(|| {
        request
            .file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "imported review".to_owned())
    });
    let kind = request.kind.unwrap_or_else(|| {
        let text = match &document {
            Document::Report(text) => text.as_str(),
            Document::Sheet(..) => "",
        };
        ReviewKind::guess(&title)
            .or_else(|| ReviewKind::guess(text))
            .unwrap_or(ReviewKind::Other)
    });
    let now = clock.now();
    let fields = ImportedReviewFields {
        organization_id: org.id,
        title,
        kind,
        held_on: request.held_on.unwrap_or_else(|| now.date_naive()),
    };
    validator::Validate::validate(&fields).map_err(crate::error::Error::from)?;
    let result = import::import(
        &db,
        &operator,
        fields,
        document,
        request.dry_run,
        settings.import_max_items,
        now,
    )?;
    write_import_summary(out, &result)?;
    Ok(())
}

struct ImportArgs {
    file: std::path::PathBuf,
    org: String,
    title: Option<String>,
    kind: Option<ReviewKind>,
    held_on: Option<chrono::NaiveDate>,
    dry_run: bool,
}

fn lines_of(source: &crate::api_types::ImportSource) -> String {
    match (source.first_line, source.last_line, source.row) {
        (Some(a), Some(b), _) if a == b => format!("line {a}"),
        (Some(a), Some(b), _) => format!("lines {a}-{b}"),
        (_, _, Some(row)) => format!("row {row}"),
        _ => String::new(),
    }
}

/// A summary a person can check against the document, line by line.
fn write_import_summary(out: &mut dyn Write, result: &ImportResult) -> std::io::Result<()> {
    match &result.review {
        Some(review) => writeln!(
            out,
            "created review {} “{}” ({})",
            review.id, review.title, result.source_kind
        )?,
        None => writeln!(out, "dry run: nothing was written ({})", result.source_kind)?,
    }
    writeln!(
        out,
        "{} aspects, {} problems, {} causes, {} measures, {} warnings",
        result.aspects.len(),
        result.problems.len(),
        result.causes.len(),
        result.measures.len(),
        result.warnings.len()
    )?;
    writeln!(out, "\nproblems (status draft):")?;
    writeln!(
        out,
        "  {:<4} {:<10} {:<12} {} {:<10} {:<8} aspect",
        "#",
        "key",
        "source",
        fit("title", 40),
        "deadline",
        "owner"
    )?;
    for (i, p) in result.problems.iter().enumerate() {
        let deadline = match (p.deadline, p.kind) {
            (Some(d), _) => d.to_string(),
            (None, crate::domain::vocab::ProblemKind::LongTerm) => "长期".to_owned(),
            (None, _) => "-".to_owned(),
        };
        writeln!(
            out,
            "  {:<4} {:<10} {:<12} {} {:<10} {:<8} {}",
            i + 1,
            p.key.as_deref().unwrap_or("-"),
            lines_of(&p.source),
            fit(&p.title, 40),
            deadline,
            p.owner_id.map_or("-".to_owned(), |id| format!("user {id}")),
            p.aspect.as_deref().unwrap_or("-")
        )?;
    }
    for (name, entries) in [("causes", &result.causes), ("measures", &result.measures)] {
        writeln!(
            out,
            "\n{name} (suggested problems are not linked until confirmed):"
        )?;
        for (i, e) in entries.iter().enumerate() {
            let suggested: Vec<String> = e
                .suggested_problems
                .iter()
                .map(|s| format!("#{} ({:.2})", s.problem_index + 1, s.score))
                .collect();
            writeln!(
                out,
                "  {:<4} {:<12} {}{}",
                i + 1,
                lines_of(&e.source),
                e.title,
                if suggested.is_empty() {
                    String::new()
                } else {
                    format!("  → {}", suggested.join(", "))
                }
            )?;
        }
    }
    if !result.warnings.is_empty() {
        writeln!(out, "\nwarnings:")?;
        for w in &result.warnings {
            let at = match (w.line, &w.cell) {
                (Some(0), _) => "document".to_owned(),
                (Some(line), _) => format!("line {line}"),
                (None, Some(cell)) => format!("cell {cell}"),
                _ => String::new(),
            };
            writeln!(out, "  {at:<12} {:<18} {}", w.code, w.message)?;
        }
    }
    Ok(())
}

fn digest(
    settings: &Settings,
    clock: &dyn Clock,
    out: &mut dyn Write,
    week: &str,
    send: bool,
) -> Result<(), CliError> {
    use crate::domain::digest::Week;
    use crate::service::digest;
    let week = Week::parse(week).map_err(|m| {
        crate::error::Error::invalid_field("week", "iso_week", format!("{week:?} {m}"))
    })?;
    let opened = open_database(settings, clock)?;
    announce_admin(out, opened.generated_admin_password.as_deref())?;
    let db = opened.db;
    let operator = accounts::operator(&db)?;
    if send {
        let mailer = settings
            .smtp_url
            .as_ref()
            .map(|url| digest::Mailer::new(url.expose(), &settings.smtp_from))
            .transpose()
            .map_err(crate::error::Error::internal)?;
        let retry = std::time::Duration::from_millis(settings.webhook_retry_base_ms);
        let s = digest::send_week(&db, week, None, clock.now(), mailer.as_ref(), retry)?;
        writeln!(
            out,
            "digest {week}: {} e-mails sent, {} failed (retried later), {} webhook deliveries queued, {} empty (not sent), {} already sent",
            s.emails_sent, s.emails_failed, s.webhooks_queued, s.empty, s.already_done
        )?;
        if mailer.is_none() {
            writeln!(out, "(no smtp_url is configured: no e-mail was sent)")?;
        }
    }
    let rows = digest::deliveries(&db, &operator, week)?;
    writeln!(out, "deliveries of {week}: {}", rows.len())?;
    for r in rows {
        writeln!(
            out,
            "  user {:<6} {:<12} {:<8} attempts {}{}",
            r.recipient_id,
            r.channel,
            r.status,
            r.attempts,
            r.last_error
                .map(|e| format!("  last error: {e}"))
                .unwrap_or_default()
        )?;
    }
    Ok(())
}

/// `dev seed`: the ledger, then what a server would otherwise build at its first start (the
/// search index, the progress tallies) and the planner's statistics, so that it starts ready.
fn dev_seed(
    settings: &Settings,
    clock: &dyn Clock,
    out: &mut dyn Write,
    problems: u64,
    password_stdin: bool,
) -> Result<(), CliError> {
    use crate::service::{dev_seed, progress_tallies, search_index};
    use indicatif::{ProgressBar, ProgressStyle};
    let (password, generated) = password_from(password_stdin)?;
    crate::domain::identity::check_password(&password)
        .map_err(|rule| CliError::Refused(format!("the password: {rule}")))?;
    let opened = open_database(settings, clock)?;
    announce_admin(out, opened.generated_admin_password.as_deref())?;
    let db = opened.db;
    let held = dev_seed::problems_held(&db)?;
    if held > 0 {
        return Err(CliError::Refused(format!(
            "dev seed fills an empty ledger; this one holds {held} problems"
        )));
    }
    let hash = crate::auth::hash_password(&password).map_err(CliError::Refused)?;
    let started = std::time::Instant::now();
    let bar = ProgressBar::new(problems).with_style(
        ProgressStyle::with_template(
            "{elapsed:>4} [{wide_bar}] {human_pos}/{human_len} problems, {per_sec}, {eta} left",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    let seeded = dev_seed::seed(&db, clock.now(), problems, &hash, &mut |written| {
        bar.set_position(written)
    });
    bar.finish_and_clear();
    let seeded = seeded?;
    let written = started.elapsed();
    let spinner = ProgressBar::new_spinner();
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    let stage = |message: &'static str| {
        spinner.set_message(message);
        std::time::Instant::now()
    };
    let at = stage("indexing for search");
    search_index::rebuild(&db)?;
    let indexed = at.elapsed();
    let at = stage("building the progress tallies");
    progress_tallies::rebuild(&db)?;
    let tallied = at.elapsed();
    let at = stage("gathering the planner's statistics");
    db.optimize(true).map_err(crate::error::Error::from)?;
    let analyzed = at.elapsed();
    spinner.finish_and_clear();
    writeln!(
        out,
        "seeded {} problems ({} history entries) in {:.1} s; the search index took {:.1} s, \
         the progress tallies {:.1} s, the planner's statistics {:.1} s: {} organizations \
         under the root ({} districts: {}), {} users, {} reviews",
        seeded.problems,
        seeded.history,
        written.as_secs_f64(),
        indexed.as_secs_f64(),
        tallied.as_secs_f64(),
        analyzed.as_secs_f64(),
        seeded.organizations,
        seeded.districts.len(),
        seeded
            .districts
            .iter()
            .map(|(id, code)| format!("{code} (id {id})"))
            .collect::<Vec<_>>()
            .join(", "),
        seeded.users,
        seeded.reviews,
    )?;
    writeln!(
        out,
        "every seeded user signs in with {}: seed.coordinator and seed.auditor see the whole \
         tree; each unit has <code>.sj (its secretary, a coordinator), <code>.wy1 and \
         <code>.wy2 (owners), e.g. d1s2c3b1.sj",
        if generated {
            format!("the password {password} (shown this once)")
        } else {
            "the password given".to_owned()
        }
    )?;
    Ok(())
}

fn password_from(stdin: bool) -> Result<(String, bool), CliError> {
    if !stdin {
        return Ok((crate::auth::generate_password(), true));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
}

fn announce_admin(out: &mut dyn Write, password: Option<&str>) -> std::io::Result<()> {
    if let Some(password) = password {
        writeln!(
            out,
            "created the user `admin` with the password: {password}"
        )?;
        writeln!(
            out,
            "(shown this once; sign in and change it with POST /api/v1/auth/password)"
        )?;
    }
    Ok(())
}

fn serve(settings: &Settings, clock: Arc<dyn Clock>, out: &mut dyn Write) -> Result<(), CliError> {
    actix_web::rt::System::new().block_on(async {
        let app = Application::build_with_clock(settings, clock)?;
        announce_admin(out, app.generated_admin_password())?;
        out.flush()?;
        tracing::info!(
            address = %settings.listen,
            port = app.port(),
            database = %settings.database_url().redacted(),
            "rectify is serving"
        );
        app.run_until_stopped().await?;
        tracing::info!("rectify stopped");
        Ok(())
    })
}

/// The whole program, for `rectify` and for the tests' server process: parse the command
/// line, load the settings, start logging, run the command on the system clock. A bad
/// configuration or a failed command prints one line and exits with status 1.
pub fn main() {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let settings = Settings::load(&matches).unwrap_or_else(|e| fail(&e));
    crate::telemetry::init(settings.log_format, &settings.log_level);
    let clock = Arc::new(crate::domain::deadline::SystemClock);
    if let Err(e) = execute(&settings, clock, cli.command, &mut std::io::stdout()) {
        fail(&e);
    }
}

fn fail(error: &dyn std::fmt::Display) -> ! {
    eprintln!("rectify: error: {error}");
    std::process::exit(1);
}

/// Copies every file under `from` into `to` (made as needed), keeping files already there;
/// returns how many were copied. Files are written 0600 and directories 0700.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<usize> {
    let mut copied = 0;
    if !from.is_dir() {
        return Ok(0);
    }
    rectify_db::private_dir(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copied += copy_tree(&entry.path(), &target)?;
        } else if !target.exists() {
            std::fs::copy(entry.path(), &target)?;
            rectify_db::private_file(&target)?;
            copied += 1;
        }
    }
    Ok(copied)
}

/// `rectify backup DIR`: the database as one consistent snapshot (taken while writes go on),
/// then the evidence files (a file is stored before its record commits, so every file the
/// snapshot names is already there) and the token secret.
fn backup(
    settings: &Settings,
    clock: Arc<dyn Clock>,
    dir: &std::path::Path,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    if let rectify_db::DatabaseUrl::Postgres(_) = settings.database_url() {
        return Err(CliError::Refused(
            "the database is PostgreSQL: back it up with pg_dump (see README.md, \"Backups\"); \
             `rectify backup` copies the embedded SQLite database"
                .to_owned(),
        ));
    }
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(CliError::Refused(format!(
            "{} exists and is not empty; back up into a new directory",
            dir.display()
        )));
    }
    let opened = open_database(settings, clock.as_ref())?;
    rectify_db::private_dir(dir)?;
    let database = dir.join("rectify.db");
    let copied = opened
        .db
        .backup_into(&database)
        .map_err(|e| CliError::Refused(format!("the database could not be copied: {e}")))?;
    if !copied {
        return Err(CliError::Refused(
            "the database is not the embedded SQLite one; back it up with pg_dump".to_owned(),
        ));
    }
    rectify_db::private_file(&database)?;
    let files = copy_tree(&settings.data_dir.join("evidence"), &dir.join("evidence"))?;
    let secret = settings.data_dir.join("jwt-secret");
    if secret.exists() {
        std::fs::copy(&secret, dir.join("jwt-secret"))?;
        rectify_db::private_file(&dir.join("jwt-secret"))?;
    }
    let bytes = std::fs::metadata(&database)?.len();
    writeln!(
        out,
        "backed up into {}: the database ({} KiB) and {files} evidence files",
        dir.display(),
        bytes / 1024
    )?;
    Ok(())
}

/// `rectify restore DIR [--force]`: checks the backup (SQLite's integrity check and the audit
/// chain), then puts it in place of the configured SQLite database, with its evidence files
/// and token secret.
fn restore(
    settings: &Settings,
    dir: &std::path::Path,
    force: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let rectify_db::DatabaseUrl::Sqlite(target) = settings.database_url() else {
        return Err(CliError::Refused(
            "the database is PostgreSQL: restore it with pg_restore (see README.md, \"Backups\")"
                .to_owned(),
        ));
    };
    let source = dir.join("rectify.db");
    if !source.is_file() {
        return Err(CliError::Refused(format!(
            "{} holds no rectify.db: it is not a backup made by `rectify backup`",
            dir.display()
        )));
    }
    // Checked on a copy, so that the backup itself is never changed.
    let checked = tempfile::Builder::new()
        .prefix(".restore-")
        .tempdir_in(target.parent().unwrap_or(std::path::Path::new(".")))
        .or_else(|_| tempfile::tempdir())?;
    let candidate = checked.path().join("rectify.db");
    std::fs::copy(&source, &candidate)?;
    {
        let (db, _) = rectify_db::Db::connect(
            &rectify_db::DatabaseUrl::Sqlite(candidate.clone()),
            &rectify_db::DbOptions::default(),
        )
        .map_err(|e| CliError::Refused(format!("the backup cannot be opened: {e}")))?;
        let problems = db
            .integrity_problems()
            .map_err(|e| CliError::Refused(format!("the backup cannot be read: {e}")))?;
        if !problems.is_empty() {
            return Err(CliError::Refused(format!(
                "the backup's database is damaged: {}",
                problems.join("; ")
            )));
        }
        let chain = crate::service::audit::verify_chain(&db)?;
        if let Some(first_broken) = chain.first_broken {
            return Err(CliError::AuditBroken {
                first_broken,
                entries: chain.entries,
            });
        }
    }
    if target.exists() {
        if !force {
            return Err(CliError::Refused(format!(
                "a database is already at {}; stop the service and add --force to replace it \
                 (it is renamed, not deleted)",
                target.display()
            )));
        }
        let aside = target.with_extension(format!(
            "db.replaced-{}",
            chrono::Utc::now().format("%Y%m%d%H%M%S")
        ));
        std::fs::rename(&target, &aside)?;
        writeln!(
            out,
            "the database that was there is now {}",
            aside.display()
        )?;
    }
    for suffix in ["-wal", "-shm"] {
        let stale = std::path::PathBuf::from(format!("{}{suffix}", target.display()));
        if stale.exists() {
            std::fs::remove_file(stale)?;
        }
    }
    rectify_db::private_dir(&settings.data_dir)?;
    // Closed cleanly, SQLite folded its log back into the file; if one is left, it goes too.
    let log = std::path::PathBuf::from(format!("{}-wal", candidate.display()));
    if log.exists() {
        std::fs::rename(&log, format!("{}-wal", target.display()))?;
    }
    std::fs::rename(&candidate, &target)
        .or_else(|_| std::fs::copy(&candidate, &target).map(|_| ()))?;
    rectify_db::private_file(&target)?;
    let files = copy_tree(&dir.join("evidence"), &settings.data_dir.join("evidence"))?;
    let secret = dir.join("jwt-secret");
    let kept_secret = settings.data_dir.join("jwt-secret");
    if secret.exists() && (force || !kept_secret.exists()) {
        std::fs::copy(&secret, &kept_secret)?;
        rectify_db::private_file(&kept_secret)?;
    }
    writeln!(
        out,
        "restored {} from {} with {files} evidence files; the database is intact and its audit \
         log verified",
        target.display(),
        dir.display()
    )?;
    Ok(())
}
