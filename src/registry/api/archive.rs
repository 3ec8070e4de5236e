use actix_web::{web, HttpRequest, HttpResponse};

use super::organization_response;
use super::update::expected_versions;
use crate::auth::{permissions, Actor};
use crate::registry::service;
use crate::registry::view::Organization;
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

/// Archive an organization.
///
/// Nothing is deleted: it drops out of lists (unless `include_archived=true`) and can no
/// longer be a parent. An organization with active children cannot be archived.
#[utoipa::path(
    post,
    path = "/api/v1/organizations/{organization}/archive",
    tag = "registry",
    params(
        ("organization" = String, Path, description = "UUID or 12-digit BIN"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being archived"),
    ),
    responses(
        (status = 200, description = "The archived organization", body = Organization),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It has active children", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that version", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn archive_organization(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    permissions::require_registry_writer(&actor.user, "organization.archive")?;
    let versions = expected_versions(&req, None)?;
    let reference = path.into_inner();
    let writer = actor.clone();
    let row = with_db(&state, move |conn| {
        Ok(service::archive(
            conn,
            &writer,
            &reference,
            versions.as_deref(),
        )?)
    })
    .await?;
    Ok(organization_response(HttpResponse::Ok(), row, &actor))
}

/// Bring an archived organization back.
#[utoipa::path(
    post,
    path = "/api/v1/organizations/{organization}/unarchive",
    tag = "registry",
    params(
        ("organization" = String, Path, description = "UUID or 12-digit BIN"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being restored"),
    ),
    responses(
        (status = 200, description = "The restored organization", body = Organization),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Its parent is archived", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn unarchive_organization(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    permissions::require_registry_writer(&actor.user, "organization.unarchive")?;
    let versions = expected_versions(&req, None)?;
    let reference = path.into_inner();
    let writer = actor.clone();
    let row = with_db(&state, move |conn| {
        Ok(service::unarchive(
            conn,
            &writer,
            &reference,
            versions.as_deref(),
        )?)
    })
    .await?;
    Ok(organization_response(HttpResponse::Ok(), row, &actor))
}
