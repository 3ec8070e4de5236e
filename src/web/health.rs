//! `/healthz` (the process answers) and `/readyz` (the database answers too).

use std::time::Duration;

use actix_web::{web, HttpResponse};

use super::ApiError;
use crate::db::DatabaseUrl;
use crate::AppState;

/// Liveness: answers while the process runs.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is alive")))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// Readiness: 200 when a database query succeeds, 503 while it cannot. Connections
/// are re-made on demand, so it recovers by itself when the database returns.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve"),
        (status = 503, description = "The database cannot be reached", body = super::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.clone();
    let url = state.settings.database.parsed_url()?;
    web::block(move || {
        // SQLite keeps working on a deleted or unmounted file (and loses every write at
        // the next start): a missing file means not ready.
        if let DatabaseUrl::Sqlite(path) = &url {
            if !path.is_file() {
                return Err(ApiError::Unavailable(anyhow::anyhow!(
                    "the SQLite database file {} is missing",
                    path.display()
                )));
            }
        }
        let mut conn = pool.get_timeout(Duration::from_secs(2))?;
        // A query that reads the file: SQLite answers `SELECT 1` without touching it.
        crate::registry::model::OrganizationRow::any_exists(&mut conn)
            .map(drop)
            .map_err(|e| ApiError::Unavailable(e.into()))
    })
    .await??;
    Ok(HttpResponse::Ok().json(serde_json::json!({"status": "ready"})))
}
