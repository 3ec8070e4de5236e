use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::list::{page_of, ListParams};
use crate::auth::Actor;
use crate::registry::view::{Organization, Page};
use crate::web::problem::Problem;
use crate::web::ApiError;
use crate::AppState;

/// Paging and filters for the tree views (the parent comes from the path).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TreeParams {
    pub kind: Option<String>,
    pub region: Option<String>,
    pub q: Option<String>,
    pub include_archived: Option<bool>,
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

async fn tree_page(
    state: web::Data<AppState>,
    actor: Actor,
    organization: String,
    params: TreeParams,
    subtree: bool,
) -> Result<HttpResponse, ApiError> {
    let list = ListParams {
        kind: params.kind,
        region: params.region,
        parent: Some(organization.clone()),
        subtree: Some(subtree),
        q: params.q,
        include_archived: params.include_archived,
        sort: params.sort,
        page: params.page,
        per_page: params.per_page,
    };
    let (parsed, sort, paging) = list.parse_all(&state)?;
    page_of(&state, actor, parsed, sort, paging)
        .await
        .map_err(|error| match error {
            // The parent is the path here, not a filter: an unknown one is a 404.
            ApiError::Validation(e) if e.iter().any(|f| f.field == "parent") => {
                ApiError::NotFound(format!("no organization with id or BIN '{organization}'"))
            }
            other => other,
        })
}

/// The direct children of an organization.
#[utoipa::path(
    get,
    path = "/api/v1/organizations/{organization}/children",
    tag = "registry",
    params(("organization" = String, Path, description = "UUID or 12-digit BIN"), TreeParams),
    responses(
        (status = 200, description = "A page of children", body = Page<Organization>),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_children(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    params: web::Query<TreeParams>,
) -> Result<HttpResponse, ApiError> {
    tree_page(state, actor, path.into_inner(), params.into_inner(), false).await
}

/// Everything below an organization, at any depth.
#[utoipa::path(
    get,
    path = "/api/v1/organizations/{organization}/subtree",
    tag = "registry",
    params(("organization" = String, Path, description = "UUID or 12-digit BIN"), TreeParams),
    responses(
        (status = 200, description = "A page of descendants", body = Page<Organization>),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_subtree(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    params: web::Query<TreeParams>,
) -> Result<HttpResponse, ApiError> {
    tree_page(state, actor, path.into_inner(), params.into_inner(), true).await
}
