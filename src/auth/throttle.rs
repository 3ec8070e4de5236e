//! Failed-login throttling, kept in the database so every instance agrees.
//!
//! After a few failures a key (an account, or a client address) must wait before the
//! next attempt, twice as long after each further failure, up to a ceiling; failures
//! are forgotten after a quiet hour and a successful login clears the account's count.
//! An attacker can slow a real user down but never lock them out for good.

use chrono::{Duration, NaiveDateTime};

use super::model::LoginFailureRow;
use crate::db::DbConnection;

/// Failures allowed before any delay, per account and per address.
pub const FREE_FAILURES_PER_ACCOUNT: i32 = 3;
pub const FREE_FAILURES_PER_ADDRESS: i32 = 20;
/// The longest wait.
pub const MAX_DELAY_SECONDS: i64 = 15 * 60;
/// Failures older than this are forgotten.
pub const FORGET_AFTER_MINUTES: i64 = 60;

pub fn account_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

pub fn address_key(addr: &str) -> String {
    format!("addr:{addr}")
}

/// How long a key with `failures` must wait after its last failure (pure).
pub fn delay_after(failures: i32, free: i32) -> Duration {
    if failures <= free {
        return Duration::zero();
    }
    let exponent = (failures - free - 1).min(20) as u32;
    Duration::seconds((1i64 << exponent).min(MAX_DELAY_SECONDS))
}

/// Seconds until `key` may try again, if it must wait.
pub fn wait_for(
    conn: &mut DbConnection,
    key: &str,
    free: i32,
    now: NaiveDateTime,
) -> diesel::QueryResult<Option<i64>> {
    let Some(row) = LoginFailureRow::find(conn, key)? else {
        return Ok(None);
    };
    if row.last_failure_at < now - Duration::minutes(FORGET_AFTER_MINUTES) {
        return Ok(None);
    }
    let ready_at = row.last_failure_at + delay_after(row.failures, free);
    Ok((ready_at > now).then(|| (ready_at - now).num_seconds().max(1)))
}

pub fn record_failure(
    conn: &mut DbConnection,
    key: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    LoginFailureRow::record(
        conn,
        key,
        now,
        now - Duration::minutes(FORGET_AFTER_MINUTES),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_failures_and_double_up_to_a_ceiling() {
        assert_eq!(delay_after(3, 3), Duration::zero());
        assert_eq!(delay_after(4, 3), Duration::seconds(1));
        assert_eq!(delay_after(5, 3), Duration::seconds(2));
        assert_eq!(delay_after(8, 3), Duration::seconds(16));
        assert_eq!(delay_after(1000, 3), Duration::seconds(MAX_DELAY_SECONDS));
    }
}
