use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::{ConnectionError, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{DbError, SetupError};

/// One connection to either backend. Only the types both backends share can be queried
/// through it, which is what keeps the schema common.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Set on every SQLite connection. WAL lets readers run beside the writer; `synchronous = FULL`
/// syncs the WAL at every commit, so a write that was answered survives power loss, not only a
/// crash of the process; the busy timeout covers another process (the CLI) writing at the time.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 10000;
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;";

/// Serialises migrations of servers that start at once against one PostgreSQL database.
const MIGRATION_LOCK_KEY: i64 = 0x0052_4543_5449_4659; // "RECTIFY"

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the data lives. The backend is decided by the URL's scheme alone, never by trying
/// to connect: a mistyped PostgreSQL URL is an error, not a new SQLite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// Accepts `postgres://…`, `postgresql://…`, `sqlite://PATH`, `sqlite:PATH`, or a plain
    /// file path (SQLite).
    pub fn parse(raw: &str) -> Result<Self, SetupError> {
        let invalid = |reason: &str| SetupError::InvalidUrl {
            url: redact(raw),
            reason: reason.to_owned(),
        };
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(invalid("it is empty"));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        let path = if let Some(rest) = raw.strip_prefix("sqlite://") {
            rest
        } else if let Some(rest) = raw.strip_prefix("sqlite:") {
            rest
        } else if raw.contains("://") {
            return Err(invalid(
                "unknown scheme; use postgres://USER@HOST:PORT/DB, sqlite://PATH or a file path",
            ));
        } else {
            raw
        };
        if path.is_empty() || path == ":memory:" {
            return Err(invalid(
                "SQLite needs a file path (an in-memory database would lose every write)",
            ));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// The URL with any password replaced, for logs and messages.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres(url) => redact(url),
        }
    }

    fn open(&self) -> Result<DbConnection, ConnectionError> {
        match self {
            Self::Postgres(url) => PgConnection::establish(url).map(DbConnection::Postgres),
            Self::Sqlite(path) => {
                let path = path.to_str().ok_or_else(|| {
                    ConnectionError::BadConnection("the SQLite path is not valid UTF-8".into())
                })?;
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

fn redact(url: &str) -> String {
    // postgres://user:secret@host/db → postgres://user:***@host/db
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((userinfo, host)) = rest.split_once('@') {
            if let Some((user, _password)) = userinfo.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
    }
    url.to_owned()
}

/// Opens connections by the URL's scheme (diesel's own manager would try each backend in turn).
struct Manager {
    url: DatabaseUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        self.url.open().map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        // A connection given back in the middle of a transaction (a panic) is not reused.
        std::thread::panicking() || r2d2::R2D2Connection::is_broken(conn)
    }
}

#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Pooled connections: readers on SQLite, readers and writers on PostgreSQL.
    pub pool_size: u32,
    /// How long a caller waits for a pooled connection before the request fails.
    pub connect_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            pool_size: 8,
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// The database handle shared by the whole service. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    url: DatabaseUrl,
    pool: Pool<Manager>,
    /// SQLite takes one writer at a time, so all writes go through this one connection and
    /// queue here rather than fail with `database is locked`. PostgreSQL writes from the pool.
    sqlite_writer: Option<Writer>,
}

struct Writer {
    /// The queue for the writer, and the group of writes waiting for one commit. Fair hand-over
    /// (see `Db::write_part` and [`Db::write`]) passes the turn straight to the longest waiting
    /// write; the connection's own lock keeps the poison recovery.
    turn: parking_lot::Mutex<Group>,
    connection: Mutex<DbConnection>,
    /// Writes waiting for their turn now, writes done and commits made since the start (for
    /// `/metrics`); with group commit, commits are fewer than writes under load.
    waiting: std::sync::atomic::AtomicUsize,
    done: std::sync::atomic::AtomicU64,
    commits: std::sync::atomic::AtomicU64,
}

/// Group commit: a write that finds others queued behind it leaves its transaction open and
/// passes the turn on; the last write of the group commits them all with one durable sync.
/// Each write runs in its own savepoint, so a failing write is undone alone.
#[derive(Default)]
struct Group {
    /// The commit the writes done so far are waiting for; `None` when no transaction is open.
    open: Option<Arc<Commit>>,
    /// Writes in the open transaction.
    members: usize,
}

impl Group {
    /// Ends the open group, if any, as failed: each of its writes is told `reason`.
    fn fail(&mut self, reason: &str) {
        self.members = 0;
        if let Some(commit) = self.open.take() {
            commit.settle(Err(reason.to_owned()));
        }
    }
}

/// At most this many writes share a commit, so the first of them waits for a bounded time.
const MOST_WRITES_PER_COMMIT: usize = 64;

/// The end of one group's transaction, told to every write in it.
#[derive(Default)]
struct Commit {
    outcome: Mutex<Option<Result<(), String>>>,
    settled: std::sync::Condvar,
}

impl Commit {
    fn settle(&self, outcome: Result<(), String>) {
        let mut slot = self.outcome.lock().unwrap_or_else(|p| p.into_inner());
        *slot = Some(outcome);
        self.settled.notify_all();
    }

    fn wait(&self) -> Result<(), String> {
        let mut slot = self.outcome.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(outcome) = slot.as_ref() {
                return outcome.clone();
            }
            slot = self.settled.wait(slot).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// SQLite's writer queue as `/metrics` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterState {
    /// Writes waiting for the writer connection.
    pub waiting: usize,
    /// Write transactions run since the start, committed or rolled back.
    pub done: u64,
    /// Commits made since the start; fewer than `done` when writes shared commits.
    pub commits: u64,
}

/// The database holds password hashes and webhook secrets: its directory is the owner's alone
/// (0700), created so or tightened if it exists.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    restrict(dir, 0o700)
}

/// The SQLite file is created 0600 before SQLite opens it (its WAL and shared-memory files
/// take the same mode), or tightened if it exists.
pub fn private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?;
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            restrict(&file, 0o600)?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current & !mode != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(current & mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

impl Db {
    /// Opens the database (creating the SQLite file and its directory if needed), applies
    /// pending migrations and refreshes the planner's statistics, all before the pool opens any
    /// connection: SQLite reads statistics when a connection loads the schema, so a reader
    /// opened earlier would plan without them. Returns the migrations applied.
    pub fn connect(
        url: &DatabaseUrl,
        options: &DbOptions,
    ) -> Result<(Self, Vec<String>), SetupError> {
        if let DatabaseUrl::Sqlite(path) = url {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                private_dir(dir).map_err(|source| SetupError::DataDir {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
            private_file(path).map_err(|source| SetupError::DataDir {
                path: path.display().to_string(),
                source,
            })?;
        }
        // One direct connection first: it fails at once with the real reason, where the pool
        // would wait out its timeout.
        let mut first = url
            .open()
            .map_err(|e| SetupError::Connect(format!("{} ({})", e, url.redacted())))?;
        let applied = run_migrations(&mut first)?;
        analyze(&mut first, true)?;
        let sqlite_writer = match url {
            DatabaseUrl::Sqlite(_) => Some(Writer {
                turn: parking_lot::Mutex::new(Group::default()),
                connection: Mutex::new(first),
                waiting: Default::default(),
                done: Default::default(),
                commits: Default::default(),
            }),
            DatabaseUrl::Postgres(_) => None,
        };
        let pool = Pool::builder()
            .max_size(options.pool_size.max(1))
            .min_idle(Some(1))
            .connection_timeout(options.connect_timeout)
            .build(Manager { url: url.clone() })
            .map_err(|e| SetupError::Connect(format!("{} ({})", e, url.redacted())))?;
        let db = Self {
            inner: Arc::new(Inner {
                url: url.clone(),
                pool,
                sqlite_writer,
            }),
        };
        Ok((db, applied))
    }

    pub fn backend(&self) -> Backend {
        self.inner.url.backend()
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.inner.url
    }

    /// Applies pending migrations; returns the versions applied.
    pub fn migrate(&self) -> Result<Vec<String>, SetupError> {
        match &self.inner.sqlite_writer {
            Some(writer) => {
                let mut group = writer.turn.lock();
                let mut conn = self.lock_writer(&writer.connection, &mut group)?;
                self.commit_group(writer, &mut group, &mut conn)?;
                run_migrations(&mut conn)
            }
            None => run_migrations(&mut *self.pooled()?),
        }
    }

    /// Refreshes the planner's statistics while serving (see [`analyze`]). Pooled readers
    /// pick them up as r2d2 replaces them (every 30 minutes by default).
    pub fn optimize(&self, full: bool) -> Result<(), DbError> {
        if let Some(writer) = &self.inner.sqlite_writer {
            let mut group = writer.turn.lock();
            let mut conn = self.lock_writer(&writer.connection, &mut group)?;
            self.commit_group(writer, &mut group, &mut conn)?;
            analyze(&mut conn, full)?;
        }
        Ok(())
    }

    /// Writes a consistent copy of an SQLite database to `target` (which must not exist) while
    /// writes go on: `VACUUM INTO` reads one snapshot and writes it compacted. Returns false on
    /// PostgreSQL, whose backups are pg_dump's.
    pub fn backup_into(&self, target: &Path) -> Result<bool, DbError> {
        let target = target.to_string_lossy().replace('\'', "''");
        self.read(|conn| match conn {
            DbConnection::Sqlite(c) => {
                diesel::sql_query(format!("VACUUM INTO '{target}'")).execute(c)?;
                Ok(true)
            }
            DbConnection::Postgres(_) => Ok(false),
        })
    }

    /// SQLite's own check of every page and index: the problems it finds (none: it holds).
    pub fn integrity_problems(&self) -> Result<Vec<String>, DbError> {
        #[derive(diesel::QueryableByName)]
        struct Line {
            #[diesel(sql_type = diesel::sql_types::Text)]
            integrity_check: String,
        }
        self.read(|conn| match conn {
            DbConnection::Sqlite(c) => {
                let lines: Vec<Line> = diesel::sql_query("PRAGMA integrity_check").load(c)?;
                Ok(lines
                    .into_iter()
                    .map(|l| l.integrity_check)
                    .filter(|l| l != "ok")
                    .collect())
            }
            DbConnection::Postgres(_) => Ok(Vec::new()),
        })
    }

    /// The pool's connections: (open, idle).
    pub fn pool_state(&self) -> (u32, u32) {
        let state = self.inner.pool.state();
        (state.connections, state.idle_connections)
    }

    /// SQLite's writer queue; `None` on PostgreSQL, whose writes come from the pool.
    pub fn writer_state(&self) -> Option<WriterState> {
        use std::sync::atomic::Ordering::Relaxed;
        self.inner.sqlite_writer.as_ref().map(|w| WriterState {
            waiting: w.waiting.load(Relaxed),
            done: w.done.load(Relaxed),
            commits: w.commits.load(Relaxed),
        })
    }

    /// The newest migration applied to the database (`2026-11-30-000006`), if any.
    pub fn schema_version(&self) -> Result<Option<String>, DbError> {
        self.read(|conn| {
            let applied = match conn {
                DbConnection::Sqlite(c) => c.applied_migrations(),
                DbConnection::Postgres(c) => c.applied_migrations(),
            }
            .map_err(|e| DbError::Query(diesel::result::Error::QueryBuilderError(e)))?;
            Ok(applied.iter().map(ToString::to_string).max())
        })
    }

    /// Whether the database answers a trivial query.
    pub fn ping(&self) -> Result<(), DbError> {
        self.read(|conn| conn.batch_execute("SELECT 1").map_err(DbError::from))
    }

    /// Runs queries on a pooled connection. Blocking: call it off the async workers.
    pub fn read<T, E>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<DbError>,
    {
        let mut conn = self.pooled()?;
        f(&mut conn)
    }

    /// Runs `f` as one transaction where this backend writes best: committed when `f` returns
    /// `Ok`, rolled back when it returns `Err`; it returns only once its commit is durable.
    /// On SQLite, writes that arrive together share one commit (group commit), each in its own
    /// savepoint. Blocking: call it off the async workers.
    pub fn write<T, E>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<DbError> + From<diesel::result::Error>,
    {
        match &self.inner.sqlite_writer {
            Some(writer) => self.write_in_group(writer, f, false),
            None => (*self.pooled()?).transaction(f),
        }
    }

    /// One part of long work done in many short transactions (a large import), like `write`
    /// but committed alone; when it ends, SQLite's writer goes straight to the longest waiting
    /// write, so other writes wait for at most one part, never for the whole work.
    /// (PostgreSQL queues waiters on a row lock in order by itself.)
    pub fn write_part<T, E>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<DbError> + From<diesel::result::Error>,
    {
        match &self.inner.sqlite_writer {
            Some(writer) => self.write_in_group(writer, f, true),
            None => (*self.pooled()?).transaction(f),
        }
    }

    /// SQLite's writer: `f` runs in a savepoint of the open transaction (opening one with
    /// `BEGIN IMMEDIATE` if none is). If writes are queued behind it, it hands the turn on and
    /// waits for the group's commit; otherwise it commits the group itself.
    fn write_in_group<T, E>(
        &self,
        writer: &Writer,
        f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
        alone: bool,
    ) -> Result<T, E>
    where
        E: From<DbError> + From<diesel::result::Error>,
    {
        use std::sync::atomic::Ordering::Relaxed;
        writer.waiting.fetch_add(1, Relaxed);
        let mut group = writer.turn.lock();
        writer.waiting.fetch_sub(1, Relaxed);
        writer.done.fetch_add(1, Relaxed);
        let mut conn = self.lock_writer(&writer.connection, &mut group)?;
        if alone {
            self.commit_group(writer, &mut group, &mut conn)?;
        }
        if group.open.is_none() {
            begin_immediate(&mut conn)?;
            group.open = Some(Arc::default());
        }
        let commit = group.open.clone().expect("a transaction is open");
        group.members += 1;

        let done = match in_savepoint(&mut conn, f) {
            Ok(done) => done,
            Err(Broken { error, panic }) => {
                // The transaction itself is gone (SQLite rolls it back by itself on some
                // errors, such as a full disk): every write of the group failed.
                self.abandon_group(&mut group, &mut conn, &error);
                drop(conn);
                parking_lot::MutexGuard::unlock_fair(group);
                if let Some(panic) = panic {
                    std::panic::resume_unwind(panic);
                }
                return Err(E::from(error));
            }
        };

        let others_waiting = writer.waiting.load(Relaxed) > 0;
        let hand_on = others_waiting && !alone && group.members < MOST_WRITES_PER_COMMIT;
        let result = match done {
            Done::Returned(result) => result,
            Done::Panicked(panic) => {
                // Undone already: the others' writes go on, then the panic does.
                if !hand_on {
                    let _ = self.commit_group(writer, &mut group, &mut conn);
                }
                drop(conn);
                parking_lot::MutexGuard::unlock_fair(group);
                std::panic::resume_unwind(panic);
            }
        };
        let outcome = if hand_on {
            drop(conn);
            parking_lot::MutexGuard::unlock_fair(group);
            commit.wait()
        } else {
            let outcome = self.commit_group(writer, &mut group, &mut conn);
            drop(conn);
            parking_lot::MutexGuard::unlock_fair(group);
            outcome.map_err(|e| e.to_string())
        };
        match (outcome, result) {
            (Ok(()), result) => result,
            // A write that failed changed nothing either way; one that succeeded did not last.
            (Err(_), Err(e)) => Err(e),
            (Err(reason), Ok(_)) => Err(E::from(DbError::CommitFailed(reason))),
        }
    }

    /// Commits the open group, if any, and tells its writes.
    fn commit_group(
        &self,
        writer: &Writer,
        group: &mut Group,
        conn: &mut MutexGuard<'_, DbConnection>,
    ) -> Result<(), DbError> {
        if group.open.is_none() {
            return Ok(());
        }
        writer
            .commits
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let DbConnection::Sqlite(inner) = &mut **conn else {
            unreachable!("the writer connection is SQLite's")
        };
        match AnsiTransactionManager::commit_transaction(inner) {
            Ok(()) => {
                group.members = 0;
                if let Some(commit) = group.open.take() {
                    commit.settle(Ok(()));
                }
                Ok(())
            }
            Err(e) => {
                let error = DbError::from(e);
                self.abandon_group(group, conn, &error);
                Err(error)
            }
        }
    }

    /// Rolls the open group back, tells its writes they failed, and gives the writer a fresh
    /// connection: the transaction manager's state is not to be trusted after its transaction
    /// vanished under it.
    fn abandon_group(
        &self,
        group: &mut Group,
        conn: &mut MutexGuard<'_, DbConnection>,
        error: &DbError,
    ) {
        group.fail(&error.to_string());
        let _ = conn.batch_execute("ROLLBACK");
        if let Ok(fresh) = self.inner.url.open() {
            **conn = fresh;
        }
    }

    fn pooled(&self) -> Result<PooledConnection<Manager>, DbError> {
        Ok(self.inner.pool.get()?)
    }

    fn lock_writer<'a>(
        &self,
        writer: &'a Mutex<DbConnection>,
        group: &mut Group,
    ) -> Result<MutexGuard<'a, DbConnection>, DbError> {
        match writer.lock() {
            Ok(guard) => Ok(guard),
            Err(poisoned) => {
                // A panic while the connection was held left it mid-transaction: replace it.
                // Whatever the open group wrote is lost with it, and its writes are told so
                // first, so that none waits on if the connection cannot be reopened.
                group.fail("the writer connection was replaced");
                let mut guard = poisoned.into_inner();
                *guard = self.inner.url.open().map_err(|e| {
                    DbError::Query(diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UnableToSendCommand,
                        Box::new(e.to_string()),
                    ))
                })?;
                writer.clear_poison();
                Ok(guard)
            }
        }
    }
}

/// A savepoint that could not be closed: the group's transaction is lost.
struct Broken {
    error: DbError,
    panic: Option<Box<dyn std::any::Any + Send>>,
}

/// What a write did in its savepoint, which is closed either way.
enum Done<T, E> {
    Returned(Result<T, E>),
    /// A bug in the write; it is undone and the panic goes on once the group is looked after.
    Panicked(Box<dyn std::any::Any + Send>),
}

/// Runs `f` in a savepoint: released when `f` succeeds, rolled back to when it fails or
/// panics. `Err` means the savepoint could not be closed, and the transaction is lost.
fn in_savepoint<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<Done<T, E>, Broken> {
    let DbConnection::Sqlite(inner) = conn else {
        unreachable!("the writer connection is SQLite's")
    };
    AnsiTransactionManager::begin_transaction(inner).map_err(|e| Broken {
        error: DbError::from(e),
        panic: None,
    })?;
    let done = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(conn))) {
        Ok(result) => Done::Returned(result),
        Err(panic) => Done::Panicked(panic),
    };
    let DbConnection::Sqlite(inner) = conn else {
        unreachable!("the writer connection is SQLite's")
    };
    let closed = match &done {
        Done::Returned(Ok(_)) => AnsiTransactionManager::commit_transaction(inner),
        Done::Returned(Err(_)) | Done::Panicked(_) => {
            AnsiTransactionManager::rollback_transaction(inner)
        }
    };
    match closed {
        Ok(()) => Ok(done),
        Err(error) => Err(Broken {
            error: DbError::from(error),
            panic: match done {
                Done::Panicked(panic) => Some(panic),
                Done::Returned(_) => None,
            },
        }),
    }
}

/// SQLite's `BEGIN IMMEDIATE`: takes the write lock at the start, so a transaction that reads
/// before it writes cannot fail half-way because another process wrote in between.
fn begin_immediate(conn: &mut DbConnection) -> Result<(), DbError> {
    let DbConnection::Sqlite(inner) = conn else {
        unreachable!("the writer connection is SQLite's")
    };
    AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    Ok(())
}

fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, SetupError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.iter().map(ToString::to_string).collect())
            .map_err(|e| SetupError::Migration(e.to_string()))?,
        DbConnection::Postgres(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                .map_err(DbError::from)?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.iter().map(ToString::to_string).collect())
                .map_err(|e| SetupError::Migration(e.to_string()));
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
                .map_err(DbError::from)?;
            result?
        }
    };
    Ok(applied)
}

/// The planner's statistics. Without them SQLite guesses, and on a large ledger guesses badly:
/// on a million problems a first page took 150 ms instead of 2 ms. `full` runs a whole
/// `ANALYZE` (SQLite: about 1.3 s per million problems, since sampled statistics were seen to
/// mislead its planner; PostgreSQL samples, and its own autovacuum keeps them fresh after);
/// otherwise SQLite's `PRAGMA optimize` re-analyses only the tables that changed much.
fn analyze(conn: &mut DbConnection, full: bool) -> Result<(), DbError> {
    match conn {
        DbConnection::Sqlite(c) => {
            c.batch_execute(if full { "ANALYZE;" } else { "PRAGMA optimize;" })?
        }
        // Only this service's tables (as the search path resolves them), not the whole database.
        DbConnection::Postgres(c) if full => c.batch_execute(
            "ANALYZE organizations, users, reviews, problems, causes, measures, problem_causes, \
             problem_measures, evidence, extensions, progress_tallies;",
        )?,
        DbConnection::Postgres(_) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_comes_from_the_scheme_alone() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/r.db").unwrap(),
            DatabaseUrl::Sqlite(PathBuf::from("data/r.db"))
        );
        assert_eq!(
            DatabaseUrl::parse("./rectify-data/rectify.db").unwrap(),
            DatabaseUrl::Sqlite(PathBuf::from("./rectify-data/rectify.db"))
        );
    }

    #[test]
    fn a_mistyped_scheme_is_refused_not_taken_for_a_file() {
        for url in [
            "postgress://u@h/db",
            "mysql://u@h/db",
            "",
            "sqlite://",
            ":memory:",
        ] {
            assert!(DatabaseUrl::parse(url).is_err(), "{url} was accepted");
        }
    }

    #[test]
    fn passwords_never_reach_messages() {
        let err = DatabaseUrl::parse("pg://alice:hunter2@db/x").unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
        let url = DatabaseUrl::parse("postgres://alice:hunter2@db/x").unwrap();
        assert_eq!(url.redacted(), "postgres://alice:***@db/x");
    }
}
