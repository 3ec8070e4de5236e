use actix_web::{web, HttpResponse};

use super::organization_response;
use crate::auth::{permissions, Actor};
use crate::registry::service;
use crate::registry::view::Organization;
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

/// Get one organization by UUID or BIN.
#[utoipa::path(
    get,
    path = "/api/v1/organizations/{organization}",
    tag = "registry",
    params(("organization" = String, Path, description = "UUID or 12-digit BIN")),
    responses(
        (status = 200, description = "The organization; `ETag` carries its version", body = Organization),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_organization(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let reader = actor.clone();
    let row = with_db(&state, move |conn| {
        let row = service::load(conn, &reference)?;
        if permissions::can_see_contacts(&reader.user, &row.path) {
            super::audit_personal_read(conn, &reader, Some(&row), 1)?;
        }
        Ok(row)
    })
    .await?;
    Ok(organization_response(HttpResponse::Ok(), row, &actor))
}
