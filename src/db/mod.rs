//! Database access: one connection type over SQLite and PostgreSQL, the pool,
//! and the embedded migrations.

pub mod schema;
pub mod writer;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// A connection to whichever backend the configured URL names.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// The backend of [`DbConnection`], for boxed queries.
pub type Backend = MultiBackend;

/// Runs `$body` with `$conn` bound to the inner connection of either backend.
///
/// For the few queries the multi-backend connection cannot express (multi-row
/// inserts, upserts, row locks): the query is written once and compiled for each backend.
#[macro_export]
macro_rules! with_backend {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::db::DbConnection::Sqlite($conn) => $body,
            $crate::db::DbConnection::Pg($conn) => $body,
        }
    };
}

/// Inserts the rows of a slice into `$table`: on PostgreSQL a few rows in one INSERT,
/// many in one binary `COPY` (no statement to parse, no bind limit, a fraction of the
/// work per row); on SQLite one prepared single-row statement a row.
///
/// On SQLite a multi-row INSERT inside a longer transaction opens a statement journal
/// (every page it changes that the transaction had already changed is first copied
/// aside, and full-text indexes flush at every statement): slower than the same rows
/// one at a time through a statement prepared once, which needs no journal.
#[macro_export]
macro_rules! insert_rows {
    ($db:expr, $table:expr, $rows:expr) => {{
        use diesel::RunQueryDsl as _;
        let rows = $rows;
        match $db {
            $crate::db::DbConnection::Sqlite(c) => rows
                .iter()
                .try_for_each(|row| diesel::insert_into($table).values(row).execute(c).map(drop)),
            $crate::db::DbConnection::Pg(_) if rows.is_empty() => Ok(()),
            $crate::db::DbConnection::Pg(c) if rows.len() < $crate::db::COPY_ROWS => {
                diesel::insert_into($table)
                    .values(rows)
                    .execute(c)
                    .map(drop)
            }
            $crate::db::DbConnection::Pg(c) => diesel::copy_from($table)
                .from_insertable(rows)
                .execute(c)
                .map(drop),
        }
    }};
}

/// From this many rows on, [`insert_rows!`] loads them with `COPY` on PostgreSQL.
pub const COPY_ROWS: usize = 64;

/// The connection pool, and on SQLite the one writer its connections share.
#[derive(Debug, Clone)]
pub struct Pool {
    inner: r2d2::Pool<ConnectionManager>,
    writer: Option<Arc<writer::SqliteWriter>>,
}

impl Pool {
    /// A connection, waiting up to `database.connect_timeout` for one to be free.
    /// While it lives, this thread's write transactions go to the pool's writer.
    pub fn get(&self) -> Result<PooledConnection, r2d2::Error> {
        self.inner.get().map(|conn| self.wrap(conn))
    }

    pub fn get_timeout(&self, timeout: Duration) -> Result<PooledConnection, r2d2::Error> {
        self.inner.get_timeout(timeout).map(|conn| self.wrap(conn))
    }

    pub fn state(&self) -> r2d2::State {
        self.inner.state()
    }

    /// SQLite: what the writer has done so far.
    pub fn writer_stats(&self) -> Option<writer::WriterStats> {
        self.writer.as_ref().map(|w| w.stats())
    }

    fn wrap(&self, conn: r2d2::PooledConnection<ConnectionManager>) -> PooledConnection {
        PooledConnection {
            conn,
            _scope: writer::Scope::enter(self.writer.clone()),
        }
    }
}

/// A pooled connection. It stays on the thread that took it.
pub struct PooledConnection {
    conn: r2d2::PooledConnection<ConnectionManager>,
    _scope: writer::Scope,
}

impl std::ops::Deref for PooledConnection {
    type Target = DbConnection;

    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for PooledConnection {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Where the data lives, parsed from `database.url`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// Accepts `sqlite://PATH`, a plain file path, `postgres://...` or `postgresql://...`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(
                "database.url is empty: use sqlite://PATH or postgres://USER@HOST/DB".into(),
            );
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("database.url sqlite:// needs a file path, for example sqlite://data/aitu-tracker.db".into());
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = raw.split_once("://") {
            return Err(format!(
                "database.url scheme '{scheme}' is not supported: use sqlite://PATH or postgres://USER@HOST/DB"
            ));
        }
        Ok(Self::Sqlite(PathBuf::from(raw)))
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

impl fmt::Debug for DatabaseUrl {
    /// Never prints a PostgreSQL password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            Self::Postgres(url) => f.write_str(&redact_url(url)),
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// `scheme://user:secret@host` → `scheme://user:***@host`, for logs.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        Ok(url) => url.to_string(),
        Err(_) => "<unparsable url>".to_owned(),
    }
}

/// SQLite's words for a write lock another connection held past the busy timeout.
pub const SQLITE_LOCKED: &str = "database is locked";

/// Why a connection could not be made, with the backend's own words.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot open SQLite database {path}: {cause}")]
    Sqlite {
        path: String,
        cause: diesel::ConnectionError,
    },
    #[error("cannot connect to PostgreSQL at {url}: {cause}")]
    Postgres {
        url: String,
        cause: diesel::ConnectionError,
    },
    #[error("cannot prepare the SQLite connection: {0}")]
    Setup(#[from] diesel::result::Error),
    #[error("cannot create the directory for the SQLite database {path}: {cause}")]
    Directory { path: String, cause: std::io::Error },
}

impl ConnectError {
    /// SQLite: another process holds the lock that setting up the connection needed
    /// (`SQLITE_BUSY` after the busy timeout).
    pub fn is_locked(&self) -> bool {
        matches!(
            self,
            Self::Setup(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains(SQLITE_LOCKED)
        )
    }
}

/// An r2d2 manager that picks the backend by URL and keeps the real connection error
/// (the derived `establish` would hide it behind a generic message).
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    sqlite_busy_timeout: Duration,
    /// SQLite: connections refuse to write (`PRAGMA query_only`); the pool's writer
    /// writes for them.
    read_only: bool,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl, sqlite_busy_timeout: Duration) -> Self {
        Self {
            url,
            sqlite_busy_timeout,
            read_only: false,
        }
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// Opens one connection outside any pool (migrations, the CLI).
    pub fn connect(&self) -> Result<DbConnection, ConnectError> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|cause| ConnectError::Directory {
                        path: dir.display().to_string(),
                        cause,
                    })?;
                }
                let display = path.display().to_string();
                let mut conn = SqliteConnection::establish(&display).map_err(|cause| {
                    ConnectError::Sqlite {
                        path: display.clone(),
                        cause,
                    }
                })?;
                // Every pooled connection needs these: foreign keys are off by default in
                // SQLite, and WAL + NORMAL lets readers run beside the one writer.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                     PRAGMA cache_size = -16384; PRAGMA query_only = {};",
                    self.sqlite_busy_timeout.as_millis(),
                    self.read_only
                ))?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => PgConnection::establish(url)
                .map(DbConnection::Pg)
                .map_err(|cause| ConnectError::Postgres {
                    url: redact_url(url),
                    cause,
                }),
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConnection, ConnectError> {
        ConnectionManager::connect(self)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectError> {
        conn.ping().map_err(ConnectError::Setup)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

/// Pool settings taken from the configuration.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    pub connect_timeout: Duration,
    pub sqlite_busy_timeout: Duration,
}

/// Builds the pool without opening connections up front, so a service started while
/// the database is down comes up (and reports not ready) instead of exiting.
///
/// On SQLite the pool's connections only read, and every write transaction of the
/// process goes through one writer ([`writer`]).
pub fn build_pool(url: &DatabaseUrl, options: &PoolOptions) -> Pool {
    let manager = ConnectionManager::new(url.clone(), options.sqlite_busy_timeout);
    let writer = match url {
        DatabaseUrl::Sqlite(_) => Some(Arc::new(writer::SqliteWriter::new(manager.clone()))),
        DatabaseUrl::Postgres(_) => None,
    };
    let readers = ConnectionManager {
        read_only: writer.is_some(),
        ..manager
    };
    let inner = r2d2::Pool::builder()
        .max_size(options.max_size)
        .min_idle(Some(0))
        .connection_timeout(options.connect_timeout)
        .test_on_check_out(true)
        .build_unchecked(readers);
    Pool { inner, writer }
}

/// Applies pending migrations. On PostgreSQL an advisory lock makes instances that
/// start together take turns.
pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<Vec<String>> {
    // An arbitrary constant shared by every instance: "aitu" in ASCII.
    const MIGRATION_LOCK: i64 = 0x6169_7475;
    let applied = match conn {
        DbConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("applying SQLite migrations: {e}"))?
            .iter()
            .map(|v| v.to_string())
            .collect(),
        DbConnection::Pg(c) => {
            // PostgreSQL only: several instances may start at once.
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|versions| versions.iter().map(|v| v.to_string()).collect::<Vec<_>>())
                .map_err(|e| anyhow::anyhow!("applying PostgreSQL migrations: {e}"));
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
            result?
        }
    };
    Ok(applied)
}

/// Runs `f` in a transaction meant to write, and answers what `f` answers.
///
/// SQLite: while this thread holds a connection of a pool, the transaction runs on
/// the pool's writer (see [`writer`]), not on `conn`: it waits there for the writers
/// before it and may commit together with others. Otherwise (a stretch of
/// [`with_own_journal`]) it runs on `conn`, and `BEGIN IMMEDIATE` takes the database's
/// write lock up front, so a transaction that reads and then writes waits for writers
/// of other processes (busy_timeout) instead of failing at its first write.
/// PostgreSQL: an ordinary transaction; version checks in the UPDATEs guard against
/// concurrent writers.
///
/// Inside another write transaction, `f` simply runs in it.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    if writer::Inside::active() {
        return f(conn);
    }
    let inner = match conn {
        DbConnection::Sqlite(inner) => inner,
        DbConnection::Pg(_) => {
            let _inside = writer::Inside::enter();
            return conn.transaction(f);
        }
    };
    if let Some(writer) = writer::current() {
        return writer.run(f);
    }
    AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    let result = {
        let _inside = writer::Inside::enter();
        f(conn)
    };
    let DbConnection::Sqlite(inner) = conn else {
        unreachable!("the backend of a connection does not change")
    };
    match result {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(inner)?;
            Ok(value)
        }
        Err(error) => {
            AnsiTransactionManager::rollback_transaction(inner)?;
            Err(error)
        }
    }
}

/// Runs `f`, a single write statement: on PostgreSQL on `conn` as it is (a statement
/// is a transaction of its own), on SQLite as a write transaction on the writer.
pub fn write_statement<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> diesel::QueryResult<T>,
) -> diesel::QueryResult<T> {
    match conn {
        DbConnection::Pg(_) => f(conn),
        DbConnection::Sqlite(_) => write_transaction(conn, f),
    }
}

/// The answer of `PRAGMA journal_mode`.
#[derive(diesel::QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = diesel::sql_types::Text)]
    journal_mode: String,
}

/// Sets SQLite's journal mode and answers the mode in force afterwards (`None` when
/// SQLite refused the change with an error, such as "database is locked").
fn set_journal_mode(conn: &mut SqliteConnection, mode: &str) -> Option<String> {
    use diesel::RunQueryDsl;
    diesel::sql_query(format!("PRAGMA journal_mode = {mode}"))
        .get_result::<JournalMode>(conn)
        .map_err(|e| log::debug!("journal_mode = {mode} refused: {e}"))
        .ok()
        .map(|m| m.journal_mode.to_ascii_lowercase())
}

/// Runs `f`, a large write by a process that may have the database to itself (the
/// command line); on SQLite, with the file in rollback-journal mode if no other
/// connection has it open, and back in WAL mode afterwards. Answers what `f` answers.
///
/// In WAL mode every page a transaction writes is written twice: into the log, and
/// at the checkpoint after commit into the database file. A first load of 100,000
/// organizations writes about 430 MB; that second copy, with the log's growing index
/// searched on each page read, cost 1.5-2 s of its 7-8 s. With a rollback journal,
/// pages the file did not have yet go straight into it, and the journal keeps only
/// the original content of the pages the transaction changes.
///
/// Leaving WAL mode needs an exclusive lock on the file. Every open connection in WAL
/// mode holds a shared one, so while a service runs on the same file (its pool keeps
/// connections open) the switch fails at once, without waiting, and `f` runs in WAL
/// mode as always: readers never meet the rollback journal's exclusive lock. A
/// service or command that starts during such a load waits for it (see
/// `startup::prepare_database`).
///
/// `synchronous` is `FULL` for the duration: in rollback-journal mode `NORMAL` could
/// corrupt the database if the power failed at the wrong moment. The write
/// transactions of `f` run on `conn` itself, not on the pool's writer, and `conn` may
/// write meanwhile. On PostgreSQL `f` just runs.
pub fn with_own_journal<T>(conn: &mut DbConnection, f: impl FnOnce(&mut DbConnection) -> T) -> T {
    let _own = writer::suspend();
    let was_read_only = match conn {
        DbConnection::Sqlite(c) => set_query_only(c, false),
        DbConnection::Pg(_) => false,
    };
    let switched = match conn {
        DbConnection::Sqlite(c) => {
            let switched = set_journal_mode(c, "DELETE").as_deref() == Some("delete");
            if switched {
                if let Err(e) = c.batch_execute("PRAGMA synchronous = FULL") {
                    log::warn!("synchronous = FULL refused: {e}");
                }
            }
            switched
        }
        DbConnection::Pg(_) => false,
    };
    let result = f(conn);
    if let (DbConnection::Sqlite(c), true) = (&mut *conn, switched) {
        let back = set_journal_mode(c, "WAL");
        if let Err(e) = c.batch_execute("PRAGMA synchronous = NORMAL") {
            log::warn!("synchronous = NORMAL refused: {e}");
        }
        if back.as_deref() != Some("wal") {
            // Any service that opens the file next switches it back.
            log::warn!("the database stays in rollback-journal mode until the service opens it");
        }
    }
    if let (DbConnection::Sqlite(c), true) = (&mut *conn, was_read_only) {
        set_query_only(c, true);
    }
    result
}

/// The answer of `PRAGMA query_only`.
#[derive(diesel::QueryableByName)]
struct QueryOnly {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    query_only: bool,
}

/// Lets a SQLite connection write, or not; answers whether it was read-only before.
fn set_query_only(conn: &mut SqliteConnection, on: bool) -> bool {
    use diesel::RunQueryDsl;
    let was = diesel::sql_query("PRAGMA query_only")
        .get_result::<QueryOnly>(conn)
        .is_ok_and(|q| q.query_only);
    if let Err(e) = conn.batch_execute(&format!("PRAGMA query_only = {on}")) {
        log::warn!("query_only = {on} refused: {e}");
    }
    was
}

/// Runs `f` with PostgreSQL planner settings (`SET LOCAL name = value`) that last for
/// its statements only, in a savepoint if a transaction is open; a caller's
/// transaction keeps its own settings.
pub fn with_planner_settings<C, T>(
    conn: &mut C,
    settings: &[(&str, &str)],
    f: impl FnOnce(&mut C) -> diesel::QueryResult<T>,
) -> diesel::QueryResult<T>
where
    C: diesel::Connection,
{
    conn.transaction(|conn| {
        for (name, value) in settings {
            conn.batch_execute(&format!("SET LOCAL {name} = {value}"))?;
        }
        let result = f(conn)?;
        for (name, _) in settings {
            conn.batch_execute(&format!("RESET {name}"))?;
        }
        Ok(result)
    })
}

/// Secondary indexes (and on PostgreSQL, foreign keys) set aside while a large batch
/// fills nearly empty tables, and built again before the transaction ends.
///
/// Building an index once over all rows is a sort; keeping it up to date row by row is a
/// search and an insert per row in every index, most of them at random places. Indexes
/// behind primary keys and UNIQUE constraints stay (the batch's own lookups and
/// conflict checks need them); a unique index that is rebuilt checks its rows again.
/// The definitions come from the database's catalog, so they are the migrations' own,
/// and they are built again in the order they were first created: SQLite, without
/// statistics, settles ties between equally good indexes by that order, and the
/// status page's plan depends on it (built in name order, it took 11 ms instead of 2).
/// Dropping an index or a constraint is transactional on both backends: if the batch
/// fails, the rollback brings them back as they were. On PostgreSQL it also locks the table
/// until commit, which is why this is only for tables the batch is much larger than.
#[must_use = "the indexes must be restored before the transaction commits"]
pub struct DeferredIndexes {
    definitions: Vec<String>,
}

/// An index and the SQL that defines it.
#[derive(diesel::QueryableByName)]
struct Definition {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    definition: String,
}

/// A foreign key, the SQL that defines it and the table it refers to.
#[derive(diesel::QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    definition: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    referenced: String,
}

/// PostgreSQL: locks `table` against everyone else until commit if no one holds it
/// now; otherwise leaves it as it was (the failed attempt is rolled back to a
/// savepoint, so the transaction goes on).
fn lock_if_free(conn: &mut DbConnection, table: &str) -> bool {
    conn.transaction(|conn| {
        conn.batch_execute(&format!(
            "LOCK TABLE \"{table}\" IN ACCESS EXCLUSIVE MODE NOWAIT"
        ))
    })
    .is_ok()
}

#[derive(diesel::QueryableByName)]
struct RowCount {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

impl DeferredIndexes {
    /// Drops the secondary indexes of each table that holds fewer than `rows` rows:
    /// `tables` pairs a table name with the number of rows the batch adds to it.
    pub fn drop(conn: &mut DbConnection, tables: &[(&str, usize)]) -> diesel::QueryResult<Self> {
        use diesel::RunQueryDsl;
        let mut definitions = Vec::new();
        let mut deferred = Vec::new();
        for &(table, rows) in tables {
            // Counts at most `rows` rows: cheap however large the table is.
            let existing = diesel::sql_query(format!(
                "SELECT count(*) AS n FROM (SELECT 1 FROM {table} LIMIT {rows}) AS existing"
            ))
            .get_result::<RowCount>(conn)?
            .n;
            if usize::try_from(existing).unwrap_or(usize::MAX) >= rows {
                continue;
            }
            let catalog = match conn {
                // Indexes behind PRIMARY KEY and UNIQUE columns have no SQL of their own.
                DbConnection::Sqlite(_) => diesel::sql_query(
                    "SELECT name, sql AS definition FROM sqlite_master \
                     WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY rowid",
                ),
                DbConnection::Pg(_) => diesel::sql_query(
                    "SELECT i.relname::text AS name, pg_get_indexdef(i.oid) AS definition \
                     FROM pg_index x \
                     JOIN pg_class i ON i.oid = x.indexrelid \
                     JOIN pg_class t ON t.oid = x.indrelid \
                     WHERE t.relname = $1 AND t.relnamespace = current_schema()::regnamespace \
                       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) \
                     ORDER BY i.oid",
                ),
            };
            let indexes = catalog
                .bind::<diesel::sql_types::Text, _>(table)
                .load::<Definition>(conn)?;
            for index in indexes {
                conn.batch_execute(&format!("DROP INDEX \"{}\"", index.name))?;
                definitions.push(index.definition);
            }
            deferred.push(table);
        }
        if let DbConnection::Pg(_) = conn {
            for &table in &deferred {
                definitions.extend(Self::drop_foreign_keys(conn, table, &deferred)?);
            }
        }
        Ok(Self { definitions })
    }

    /// PostgreSQL: drops the foreign keys of `table` and returns the statements that add
    /// them back. A foreign key checks each inserted row with a query of its own that
    /// also locks the referenced row; added back, it checks the whole table with one
    /// join. Either way a row that refers to nothing fails the transaction.
    ///
    /// Dropping a key also locks the table it refers to until commit. The `deferred`
    /// tables are locked already (their indexes were dropped); any other (`rollouts`,
    /// for status rows) is locked only if no one holds it at that moment, and otherwise
    /// its key stays and checks row by row (0.8 s per 100,000 rows). Waiting there
    /// could deadlock: a rollout edit holds `rollouts` and waits for `statuses`, which
    /// the import holds.
    fn drop_foreign_keys(
        conn: &mut DbConnection,
        table: &str,
        deferred: &[&str],
    ) -> diesel::QueryResult<Vec<String>> {
        use diesel::RunQueryDsl;
        let keys = diesel::sql_query(
            "SELECT c.conname::text AS name, pg_get_constraintdef(c.oid) AS definition, \
                    r.relname::text AS referenced \
             FROM pg_constraint c \
             JOIN pg_class t ON t.oid = c.conrelid \
             JOIN pg_class r ON r.oid = c.confrelid \
             WHERE c.contype = 'f' AND t.relname = $1 \
               AND t.relnamespace = current_schema()::regnamespace \
             ORDER BY c.oid",
        )
        .bind::<diesel::sql_types::Text, _>(table)
        .load::<ForeignKey>(conn)?;
        let mut restore = Vec::new();
        for key in keys {
            if !deferred.contains(&key.referenced.as_str()) && !lock_if_free(conn, &key.referenced)
            {
                continue;
            }
            conn.batch_execute(&format!(
                "ALTER TABLE \"{table}\" DROP CONSTRAINT \"{}\"",
                key.name
            ))?;
            restore.push(format!(
                "ALTER TABLE \"{table}\" ADD CONSTRAINT \"{}\" {}",
                key.name, key.definition
            ));
        }
        Ok(restore)
    }

    /// Builds the indexes again, then adds the foreign keys back (checking every row).
    pub fn restore(self, conn: &mut DbConnection) -> diesel::QueryResult<()> {
        self.definitions
            .iter()
            .try_for_each(|definition| conn.batch_execute(definition))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_schemes_pick_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.db").unwrap(),
            DatabaseUrl::Sqlite("data/x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("data/x.db").unwrap(),
            DatabaseUrl::Sqlite("data/x.db".into())
        );
        assert!(DatabaseUrl::parse("postgres://u@h/db")
            .unwrap()
            .is_postgres());
        assert!(DatabaseUrl::parse("postgresql://u@h/db")
            .unwrap()
            .is_postgres());
        let err = DatabaseUrl::parse("mysql://u@h/db").unwrap_err();
        assert!(err.contains("'mysql' is not supported"), "{err}");
        assert!(DatabaseUrl::parse("  ").is_err());
    }

    #[test]
    fn postgres_passwords_never_reach_the_log() {
        let url = DatabaseUrl::parse("postgres://app:s3cret@db.local:5432/aitu").unwrap();
        let shown = url.to_string();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("app:***@db.local"), "{shown}");
    }
}
