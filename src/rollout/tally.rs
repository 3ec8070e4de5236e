//! The `status_tally` behind the national summary: per rollout, region, kind, status
//! and deadline, the active units and their sums. Triggers on `statuses` keep it in
//! step with every write (see the `status_tally` migration).
//!
//! On PostgreSQL a transaction that updates many status rows one statement at a time
//! would make those triggers update the same few tally rows over and over; every update
//! of a row steps over all its earlier versions from the same transaction, so an import
//! of 100,000 rows took minutes. Such a transaction wraps its writes in [`Deferred`]:
//! the triggers stand aside, and the tally is counted again from `statuses` once,
//! before the commit. SQLite updates its tally rows in place and needs none of this.

use diesel::connection::SimpleConnection;
use diesel::QueryResult;

use crate::db::DbConnection;

/// Counts the whole tally again from the active status rows. The table lock waits for
/// writers that have already touched the tally and holds back new ones until the
/// commit; their changes to status rows are either counted here (committed before) or
/// added by their own triggers after it.
const RECOUNT: &str = "
    LOCK TABLE status_tally IN EXCLUSIVE MODE;
    DELETE FROM status_tally;
    INSERT INTO status_tally
    SELECT rollout_slug, org_region, org_kind, status, deadline,
           COUNT(*), COALESCE(SUM(accounts_active), 0), COALESCE(SUM(org_headcount), 0)
    FROM statuses WHERE NOT org_archived
    GROUP BY rollout_slug, org_region, org_kind, status, deadline;
    SET LOCAL aitu.defer_tally = 'off';";

/// Tally maintenance set aside for the rest of a bulk write's transaction.
#[must_use = "the tally must be counted again before the transaction commits"]
pub struct Deferred(());

impl Deferred {
    /// Sets the triggers aside until [`Deferred::finish`] or the end of the transaction
    /// (a rollback leaves the tally as it was). Call inside the transaction.
    pub fn begin(conn: &mut DbConnection) -> QueryResult<Self> {
        if let DbConnection::Pg(pg) = conn {
            pg.batch_execute("SET LOCAL aitu.defer_tally = 'on'")?;
        }
        Ok(Self(()))
    }

    /// Counts the tally again and lets the triggers keep it from here on; call on the
    /// connection of the transaction that began it.
    pub fn finish(self, conn: &mut DbConnection) -> QueryResult<()> {
        match conn {
            DbConnection::Pg(pg) => pg.batch_execute(RECOUNT),
            DbConnection::Sqlite(_) => Ok(()),
        }
    }
}
