//! `/healthz` (the process answers) and `/readyz` (the database answers too).

use std::time::Duration;

use actix_web::{web, HttpResponse};
use diesel::r2d2::R2D2Connection;

use super::ApiError;
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
    web::block(move || {
        let mut conn = pool.get_timeout(Duration::from_secs(2))?;
        conn.ping().map_err(|e| ApiError::Unavailable(e.into()))
    })
    .await??;
    Ok(HttpResponse::Ok().json(serde_json::json!({"status": "ready"})))
}
