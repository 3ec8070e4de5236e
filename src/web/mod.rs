//! HTTP plumbing shared by every feature: errors, extractors, health, OpenAPI.

pub mod extract;
pub mod health;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod pages;
pub mod problem;

use actix_web::web;

use crate::db::DbConnection;
use crate::AppState;
pub use problem::ApiError;

/// Runs database work on the blocking thread pool with a pooled connection.
pub async fn with_db<T, F>(state: &web::Data<AppState>, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?
}
