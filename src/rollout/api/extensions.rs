use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::{at_risk_days, today};
use crate::auth::Actor;
use crate::registry::model::OrganizationRow;
use crate::rollout::model::ExtensionRow;
use crate::rollout::service::{self, Rollout};
use crate::rollout::view::{ExtensionRequest, ExtensionView, StatusView};
use crate::web::extract::JsonBody;
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionList {
    /// Newest first; the first one is in force.
    pub items: Vec<ExtensionView>,
}

/// The extensions granted to an organization, newest first.
#[utoipa::path(get, path = "/api/v1/rollouts/{rollout}/status/{organization}/extensions", tag = "rollouts",
    params(("rollout" = String, Path, description = "Slug"), ("organization" = String, Path, description = "UUID or BIN")),
    responses(
        (status = 200, description = "Extensions", body = ExtensionList),
        (status = 404, description = "No such rollout or organization", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_extensions(
    state: web::Data<AppState>,
    _actor: Actor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, organization) = path.into_inner();
    let items = with_db(&state, move |conn| {
        Rollout::load(conn, &slug)?;
        let org = service::resolve_org(conn, &organization)?;
        Ok(ExtensionRow::list(conn, &slug, &org.id)?
            .into_iter()
            .map(ExtensionView::from)
            .collect())
    })
    .await?;
    Ok(HttpResponse::Ok().json(ExtensionList { items }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantedExtension {
    pub extension: ExtensionView,
    /// The status with its new deadline and flags.
    pub status: StatusView,
}

/// Grant an organization a new deadline (coordinators, within scope). A reason is required.
#[utoipa::path(post, path = "/api/v1/rollouts/{rollout}/status/{organization}/extensions", tag = "rollouts",
    params(("rollout" = String, Path, description = "Slug"), ("organization" = String, Path, description = "UUID or BIN")),
    request_body = ExtensionRequest,
    responses(
        (status = 201, description = "Granted", body = GrantedExtension),
        (status = 403, description = "Not a coordinator of this organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rollout or organization", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing deadline or reason", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn grant_extension(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
    body: JsonBody<ExtensionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (slug, organization) = path.into_inner();
    let body = body.0;
    let risk = at_risk_days(&state);
    let granted = with_db(&state, move |conn| {
        let (extension, status) = service::grant_extension(
            conn,
            &actor,
            &slug,
            &organization,
            body.deadline,
            body.reason.as_deref(),
        )?;
        let org = OrganizationRow::find(conn, &status.organization_id)?
            .ok_or(diesel::result::Error::NotFound)?;
        Ok(GrantedExtension {
            extension: ExtensionView::from(extension),
            status: StatusView::new(status, &org, today(), risk),
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(granted))
}
