//! `/metrics` in the Prometheus text format. Counts come from the database, so every
//! instance reports the same, whole-deployment numbers.

use std::fmt::Write;

use actix_web::{web, HttpResponse};

use crate::auth::Actor;
use crate::reminders::outbox;
use crate::web::{with_db, ApiError};
use crate::AppState;

/// Metrics for scraping (any signed-in account, e.g. an observer's token).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(state: web::Data<AppState>, _actor: Actor) -> Result<HttpResponse, ApiError> {
    let pool_state = state.pool.state();
    let (messages, items) = with_db(&state, |conn| {
        Ok((outbox::message_counts(conn)?, outbox::item_counts(conn)?))
    })
    .await?;
    let count = |list: &[(String, i64)], key: &str| {
        list.iter().find(|(k, _)| k == key).map_or(0, |(_, n)| *n)
    };
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, value: i64| {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
        );
    };
    metric(
        "aitu_reminders_sent_total",
        "counter",
        "Reminder emails delivered.",
        count(&messages, "sent"),
    );
    metric(
        "aitu_reminders_failed_total",
        "counter",
        "Reminder emails given up on (permanent refusal or too many attempts).",
        count(&messages, "failed"),
    );
    metric(
        "aitu_reminders_pending",
        "gauge",
        "Reminder emails waiting to be sent (including retries).",
        count(&messages, "pending"),
    );
    metric(
        "aitu_reminders_skipped_total",
        "counter",
        "Planned reminders with no usable address.",
        count(&items, "skipped"),
    );
    metric(
        "aitu_db_pool_connections",
        "gauge",
        "Open database connections of this instance.",
        i64::from(pool_state.connections),
    );
    metric(
        "aitu_db_pool_idle_connections",
        "gauge",
        "Idle database connections of this instance.",
        i64::from(pool_state.idle_connections),
    );
    if let Some(writer) = state.pool.writer_stats() {
        let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        metric(
            "aitu_sqlite_write_transactions_total",
            "counter",
            "Write transactions of this instance (SQLite).",
            as_i64(writer.transactions),
        );
        metric(
            "aitu_sqlite_write_commits_total",
            "counter",
            "Commits of this instance (SQLite): transactions that arrive together commit together.",
            as_i64(writer.commits),
        );
    }
    let _ = writeln!(
        out,
        "# HELP aitu_build_info Build information.\n# TYPE aitu_build_info gauge\naitu_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(out))
}
