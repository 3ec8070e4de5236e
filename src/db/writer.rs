//! SQLite's one writer: the write transactions of a process take turns on a single
//! connection, and those that arrive while another runs commit together.
//!
//! SQLite lets one connection write at a time, so nothing is lost by writing on one
//! connection only, and a good deal is gained:
//! - its page cache stays warm (a pooled connection drops its cache whenever another
//!   connection has written, and reads the pages again from the file);
//! - a group of transactions shares one commit: pages they all touch (the last leaf of
//!   the audit log, of the history, their indexes) go to the log once, and the
//!   checkpoint that follows every few hundred pages comes that much less often.
//!
//! Group commit. A writer that finds others queued behind it leaves the transaction
//! open for the next one and waits; the last one of the group (nobody queued, or
//! [`MAX_GROUP`] reached) commits and tells the others how it went. Each transaction
//! runs in a savepoint of its own, so one that fails rolls back alone and the group
//! goes on; none answers before its changes are committed. If the commit fails, every
//! transaction of the group gets the error.
//!
//! The pool's other connections are opened read-only (`PRAGMA query_only`): a write
//! that does not come through here fails at once instead of queueing behind the
//! writer at the database lock.

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use parking_lot::{Condvar, Mutex};

use super::{ConnectionManager, DbConnection};

/// At most this many transactions commit together, so that the first of a group
/// never waits long for the others.
const MAX_GROUP: usize = 32;

/// The writer of one SQLite database. Shared by the pool's connections.
pub struct SqliteWriter {
    manager: ConnectionManager,
    slot: Mutex<Slot>,
    /// Writers waiting for `slot`: while there are any, the transaction stays open.
    queued: AtomicUsize,
    /// Transactions run, and commits made, since the start (for `/metrics`).
    transactions: AtomicU64,
    commits: AtomicU64,
}

/// What the writer has done since the process started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterStats {
    /// Write transactions run (committed or rolled back).
    pub transactions: u64,
    /// Commits: each carries one or more transactions.
    pub commits: u64,
}

impl std::fmt::Debug for SqliteWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteWriter")
            .field("url", self.manager.url())
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct Slot {
    /// Opened at the first write; dropped (and the open transaction with it) when
    /// something went wrong that the next writer should not inherit.
    conn: Option<DbConnection>,
    /// The group whose transaction is open, if one is.
    group: Option<Arc<Group>>,
    /// Transactions run in the open group so far.
    done: usize,
}

/// How a group's commit went, for its members waiting on it.
#[derive(Default)]
struct Group {
    outcome: Mutex<Option<Result<(), String>>>,
    ended: Condvar,
}

impl Group {
    fn end(&self, outcome: Result<(), String>) {
        *self.outcome.lock() = Some(outcome);
        self.ended.notify_all();
    }

    fn wait(&self) -> Result<(), String> {
        let mut outcome = self.outcome.lock();
        loop {
            if let Some(outcome) = outcome.as_ref() {
                return outcome.clone();
            }
            self.ended.wait(&mut outcome);
        }
    }
}

/// The error a member of a group gets when the group's commit failed.
fn group_failed(message: String) -> DieselError {
    DieselError::DatabaseError(
        DatabaseErrorKind::Unknown,
        Box::new(format!("the transaction was not committed: {message}")),
    )
}

impl SqliteWriter {
    pub(super) fn new(manager: ConnectionManager) -> Self {
        Self {
            manager,
            slot: Mutex::new(Slot::default()),
            queued: AtomicUsize::new(0),
            transactions: AtomicU64::new(0),
            commits: AtomicU64::new(0),
        }
    }

    pub fn stats(&self) -> WriterStats {
        WriterStats {
            transactions: self.transactions.load(Ordering::Relaxed),
            commits: self.commits.load(Ordering::Relaxed),
        }
    }

    /// Runs `f` as one write transaction and answers once it is committed (or
    /// rolled back, when `f` fails).
    pub fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
        E: From<DieselError>,
    {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let mut slot = self.slot.lock();
        self.queued.fetch_sub(1, Ordering::SeqCst);
        let group = slot.join(&self.manager)?;
        let first = slot.done == 0;
        let result = slot.run_in_savepoint(first, f);
        let result = match result {
            Ok(Err(error)) if first => {
                // Alone in its transaction: it was rolled back whole; the next writer
                // opens a fresh one.
                slot.group = None;
                self.transactions.fetch_add(1, Ordering::Relaxed);
                return Err(error);
            }
            Ok(result) => result,
            Err(broken) => {
                slot.abandon(&broken);
                return Err(broken.into());
            }
        };
        slot.done += 1;
        self.transactions.fetch_add(1, Ordering::Relaxed);
        if self.queued.load(Ordering::SeqCst) > 0 && slot.done < MAX_GROUP {
            // The next writer goes on in this transaction; its last one commits.
            drop(slot);
            return match result {
                Ok(value) => group
                    .wait()
                    .map(|()| value)
                    .map_err(|m| group_failed(m).into()),
                Err(error) => Err(error),
            };
        }
        let committed = slot.commit();
        self.commits.fetch_add(1, Ordering::Relaxed);
        drop(slot);
        group.end(committed.clone());
        match (result, committed) {
            (Ok(value), Ok(())) => Ok(value),
            (Ok(_), Err(message)) => Err(group_failed(message).into()),
            (Err(error), _) => Err(error),
        }
    }
}

impl Slot {
    /// The open group, opening the connection and the transaction if needed.
    fn join(&mut self, manager: &ConnectionManager) -> Result<Arc<Group>, DieselError> {
        if let Some(group) = &self.group {
            return Ok(group.clone());
        }
        if self.conn.is_none() {
            let conn = manager.connect().map_err(|e| {
                DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(e.to_string()))
            })?;
            self.conn = Some(conn);
        }
        let conn = sqlite(self.conn.as_mut());
        if let Err(error) = AnsiTransactionManager::begin_transaction_sql(conn, "BEGIN IMMEDIATE") {
            // Busy (another process writes) or worse: start from a fresh connection.
            self.conn = None;
            return Err(error);
        }
        let group = Arc::new(Group::default());
        self.group = Some(group.clone());
        self.done = 0;
        Ok(group)
    }

    /// Runs `f` in a savepoint of the open transaction, and releases or rolls back
    /// the savepoint. `Err` when the transaction itself is broken.
    ///
    /// The `first` of a group has the transaction to itself: it runs without a
    /// savepoint, and if it fails the whole transaction rolls back. A savepoint keeps a
    /// copy of every page it changes (SQLite's sub-journal, a temporary file), which a
    /// writer alone in its transaction does not need.
    fn run_in_savepoint<T, E, F>(&mut self, first: bool, f: F) -> Result<Result<T, E>, DieselError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
    {
        if !first {
            AnsiTransactionManager::begin_transaction(sqlite(self.conn.as_mut()))?;
        }
        let result = {
            let _inside = Inside::enter();
            let Some(conn) = self.conn.as_mut() else {
                unreachable!("join opened the connection")
            };
            catch_unwind(AssertUnwindSafe(|| f(conn)))
        };
        let inner = sqlite(self.conn.as_mut());
        match result {
            Ok(Ok(value)) if first => Ok(Ok(value)),
            Ok(Ok(value)) => AnsiTransactionManager::commit_transaction(inner).map(|()| Ok(value)),
            Ok(Err(error)) => {
                AnsiTransactionManager::rollback_transaction(inner).map(|()| Err(error))
            }
            Err(panic) => {
                self.abandon(&DieselError::RollbackTransaction);
                resume_unwind(panic)
            }
        }
    }

    /// Commits the open group; the connection is dropped if the commit failed.
    fn commit(&mut self) -> Result<(), String> {
        self.group = None;
        AnsiTransactionManager::commit_transaction(sqlite(self.conn.as_mut())).map_err(|error| {
            log::error!("committing a group of SQLite writes failed: {error}");
            self.conn = None;
            error.to_string()
        })
    }

    /// Gives up the open group: closing the connection rolls its transaction back,
    /// and every member waiting on it learns why.
    fn abandon(&mut self, why: &DieselError) {
        log::error!("a group of SQLite writes is rolled back: {why}");
        self.conn = None;
        if let Some(group) = self.group.take() {
            group.end(Err(why.to_string()));
        }
    }
}

/// The writer's open connection: `join` opened it, and it is SQLite's.
fn sqlite(conn: Option<&mut DbConnection>) -> &mut diesel::SqliteConnection {
    match conn {
        Some(DbConnection::Sqlite(conn)) => conn,
        _ => unreachable!("the SQLite writer holds an open SQLite connection"),
    }
}

thread_local! {
    /// The writers of the pooled connections this thread holds, newest last, with
    /// `None` for a stretch that writes on its own connection (see [`suspend`]).
    static WRITERS: RefCell<Vec<(u64, Option<Arc<SqliteWriter>>)>> = const { RefCell::new(Vec::new()) };
    /// Inside a write transaction: nested ones run in it.
    static INSIDE: Cell<bool> = const { Cell::new(false) };
    static NEXT_SCOPE: Cell<u64> = const { Cell::new(0) };
}

/// While it lives, this thread's write transactions go to `writer` (or, with `None`,
/// run on the connection they are given). Not `Send`: it belongs to its thread.
pub struct Scope {
    id: u64,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Scope {
    pub(super) fn enter(writer: Option<Arc<SqliteWriter>>) -> Self {
        let id = NEXT_SCOPE.with(|next| {
            let id = next.get();
            next.set(id.wrapping_add(1));
            id
        });
        WRITERS.with(|stack| stack.borrow_mut().push((id, writer)));
        Self {
            id,
            _not_send: std::marker::PhantomData,
        }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        WRITERS.with(|stack| {
            let mut stack = stack.borrow_mut();
            if let Some(at) = stack.iter().rposition(|(id, _)| *id == self.id) {
                stack.remove(at);
            }
        });
    }
}

/// The writer this thread's write transactions go to, if any.
pub(super) fn current() -> Option<Arc<SqliteWriter>> {
    WRITERS.with(|stack| stack.borrow().last().and_then(|(_, writer)| writer.clone()))
}

/// Until the answer is dropped, write transactions on this thread run on the
/// connection they are given, not on the shared writer.
pub(super) fn suspend() -> Scope {
    Scope::enter(None)
}

/// Marks this thread as inside a write transaction while it lives.
pub(super) struct Inside {
    was: bool,
}

impl Inside {
    pub(super) fn enter() -> Self {
        Self {
            was: INSIDE.with(|inside| inside.replace(true)),
        }
    }

    pub(super) fn active() -> bool {
        INSIDE.with(Cell::get)
    }
}

impl Drop for Inside {
    fn drop(&mut self) {
        INSIDE.with(|inside| inside.set(self.was));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::DatabaseUrl;
    use diesel::connection::SimpleConnection;
    use diesel::RunQueryDsl;
    use std::time::Duration;

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }

    fn writer(dir: &tempfile::TempDir) -> (Arc<SqliteWriter>, ConnectionManager) {
        let manager = ConnectionManager::new(
            DatabaseUrl::Sqlite(dir.path().join("w.db")),
            Duration::from_secs(5),
        );
        let mut conn = manager.connect().unwrap();
        conn.batch_execute("CREATE TABLE t (v INTEGER NOT NULL UNIQUE)")
            .unwrap();
        (Arc::new(SqliteWriter::new(manager.clone())), manager)
    }

    fn insert(conn: &mut DbConnection, v: i64) -> Result<(), DieselError> {
        diesel::sql_query(format!("INSERT INTO t VALUES ({v})"))
            .execute(conn)
            .map(drop)
    }

    type Outcome = std::thread::Result<Result<(), DieselError>>;

    /// Runs `first` while two more writers queue behind it, then lets it finish.
    fn group_of_three(
        writer: &Arc<SqliteWriter>,
        first: impl FnOnce(&mut DbConnection) -> Result<(), DieselError> + Send,
        second: impl FnOnce(&mut DbConnection) -> Result<(), DieselError> + Send,
        third: impl FnOnce(&mut DbConnection) -> Result<(), DieselError> + Send,
    ) -> (Outcome, Outcome, Outcome) {
        std::thread::scope(|scope| {
            let (started, running) = std::sync::mpsc::channel();
            let a = scope.spawn(move || {
                writer.run(|conn| {
                    started.send(()).unwrap();
                    while writer.queued.load(Ordering::SeqCst) < 2 {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    first(conn)
                })
            });
            running.recv().unwrap();
            let b = scope.spawn(move || writer.run(second));
            let c = scope.spawn(move || writer.run(third));
            (a.join(), b.join(), c.join())
        })
    }

    fn count(manager: &ConnectionManager, filter: &str) -> i64 {
        let mut conn = manager.connect().unwrap();
        diesel::sql_query(format!("SELECT count(*) AS n FROM t WHERE {filter}"))
            .get_result::<Count>(&mut conn)
            .unwrap()
            .n
    }

    #[test]
    fn queued_transactions_commit_together_and_a_failed_one_rolls_back_alone() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, manager) = writer(&dir);
        let (a, b, c) = group_of_three(
            &writer,
            |conn| insert(conn, 1),
            // Two rows, the second refused: the first must not stay.
            |conn| insert(conn, 2).and_then(|()| insert(conn, 1)),
            |conn| insert(conn, 3),
        );
        assert!(a.unwrap().is_ok());
        assert!(b.unwrap().unwrap_err().to_string().contains("UNIQUE"));
        assert!(c.unwrap().is_ok());
        assert_eq!(count(&manager, "v IN (1, 3)"), 2);
        assert_eq!(count(&manager, "v = 2"), 0);
        assert_eq!(
            writer.stats(),
            WriterStats {
                transactions: 3,
                commits: 1
            }
        );
    }

    #[test]
    fn a_failed_first_transaction_rolls_back_whole_and_the_queued_ones_commit() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, manager) = writer(&dir);
        // The first of a group runs without a savepoint: its failure rolls back the
        // transaction it had to itself, and those queued behind it open a new one.
        let (a, b, c) = group_of_three(
            &writer,
            |conn| insert(conn, 1).and_then(|()| insert(conn, 1)),
            |conn| insert(conn, 2),
            |conn| insert(conn, 3),
        );
        assert!(a.unwrap().unwrap_err().to_string().contains("UNIQUE"));
        assert!(b.unwrap().is_ok());
        assert!(c.unwrap().is_ok());
        assert_eq!(count(&manager, "v = 1"), 0);
        assert_eq!(count(&manager, "v IN (2, 3)"), 2);
        assert_eq!(
            writer.stats(),
            WriterStats {
                transactions: 3,
                commits: 1
            }
        );
        // Alone, with nobody queued: the same.
        let alone = writer.run(|conn| insert(conn, 4).and_then(|()| insert(conn, 2)));
        assert!(alone.unwrap_err().to_string().contains("UNIQUE"));
        assert_eq!(count(&manager, "v = 4"), 0);
        writer.run(|conn| insert(conn, 5)).unwrap();
        assert_eq!(count(&manager, "v IN (2, 3, 5)"), 3);
    }

    #[test]
    fn a_panic_rolls_back_its_group_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, manager) = writer(&dir);
        let (a, b, _) = group_of_three(
            &writer,
            |conn| insert(conn, 1),
            |conn| {
                insert(conn, 2)?;
                panic!("a bug in a write transaction")
            },
            |conn| insert(conn, 3),
        );
        let a = a.unwrap().map_err(|e| e.to_string());
        assert!(
            a.as_ref().is_err_and(|e| e.contains("not committed")),
            "the first shared the group that was rolled back: {a:?}"
        );
        assert!(b.is_err(), "the panic reaches its own thread");
        assert_eq!(count(&manager, "v IN (1, 2)"), 0);
        writer.run(|conn| insert(conn, 4)).unwrap();
        assert_eq!(count(&manager, "v = 4"), 1);
    }
}
