//! The `rectify` command line: `serve` (the default) and the operator's subcommands, which
//! work on the database directly through the same services as the API.

use std::io::{BufRead, Write};

use clap::{Parser, Subcommand};

use crate::api_types::{CreateOrganization, CreateUser};
use crate::config::{Settings, SettingsArgs};
use crate::domain::Role;
use crate::service::{accounts, organizations, users};
use crate::startup::{self, open_database, Application};

const ENV_ONLY: &str = "\
Secrets, read only from the environment or the configuration file:
  RECTIFY_JWT_SECRET      token signing secret, at least 32 bytes; required with PostgreSQL.
                          Without it on SQLite, one is generated into DATA_DIR/jwt-secret.
  RECTIFY_ADMIN_PASSWORD  password of the user `admin` created on an empty database;
                          without it one is generated and printed once.";

#[derive(Debug, Parser)]
#[command(name = "rectify", version, about = "Rectify: a rectification ledger (整改台账) service.", after_help = ENV_ONLY)]
pub struct Cli {
    #[command(flatten)]
    pub settings: SettingsArgs,
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
    #[error("{}", .0.detail)]
    Service(#[from] crate::error::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Runs one command with resolved settings. `serve` blocks until the server stops.
pub fn execute(
    settings: &Settings,
    command: Option<Command>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings, out),
        Command::Migrate => {
            let opened = open_database(settings)?;
            announce_admin(out, opened.generated_admin_password.as_deref())?;
            writeln!(
                out,
                "database {} is up to date",
                settings.database_url.redacted()
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
            let opened = open_database(settings)?;
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
            };
            validator::Validate::validate(&input).map_err(crate::error::Error::from)?;
            let org = organizations::create(&db, &operator, input)?;
            writeln!(
                out,
                "created organization {} {} (id {}, {})",
                org.code, org.name, org.id, org.timezone
            )?;
            Ok(())
        }
        Command::User { command } => {
            let opened = open_database(settings)?;
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
                    validator::Validate::validate(&input).map_err(crate::error::Error::from)?;
                    let password = input.password.clone();
                    let user = users::create(&db, &operator, input)?;
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
                    users::reset_password(&db, &operator, user.id, &password)?;
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

fn serve(settings: &Settings, out: &mut dyn Write) -> Result<(), CliError> {
    actix_web::rt::System::new().block_on(async {
        let app = Application::build(settings)?;
        announce_admin(out, app.generated_admin_password())?;
        out.flush()?;
        tracing::info!(
            address = %settings.listen,
            port = app.port(),
            database = %settings.database_url.redacted(),
            "rectify is serving"
        );
        app.run_until_stopped().await?;
        tracing::info!("rectify stopped");
        Ok(())
    })
}
