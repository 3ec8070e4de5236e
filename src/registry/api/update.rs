use actix_web::{web, HttpRequest, HttpResponse};

use super::organization_response;
use crate::auth::{permissions, Actor};
use crate::registry::service;
use crate::registry::service::UpdateReach;
use crate::registry::view::{Organization, OrganizationPatch};
use crate::web::extract::{if_match, JsonBody};
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

/// The versions a write may apply to: from `If-Match` and/or a `version` in the body.
pub fn expected_versions(
    req: &HttpRequest,
    body_version: Option<i64>,
) -> Result<Option<Vec<i64>>, ApiError> {
    let mut versions = if_match(req)?.flatten();
    if let Some(version) = body_version {
        match &mut versions {
            Some(list) if !list.contains(&version) => {
                return Err(ApiError::validation(
                    "version",
                    "differs from the version in If-Match; send one or make them agree",
                ))
            }
            Some(_) => {}
            None => versions = Some(vec![version]),
        }
    }
    Ok(versions)
}

/// Change some fields of an organization.
///
/// Only the fields present change; `null` clears an optional one. Send the version you
/// edited in `If-Match` (or as `version`): if the organization changed since, nothing is
/// written and the answer is 412. Moving it (`parent_id`) moves its whole subtree.
#[utoipa::path(
    patch,
    path = "/api/v1/organizations/{organization}",
    tag = "registry",
    params(
        ("organization" = String, Path, description = "UUID or 12-digit BIN"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being edited, like \"3\""),
    ),
    request_body = OrganizationPatch,
    responses(
        (status = 200, description = "The updated organization", body = Organization),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new BIN is taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since that version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a parent that would make a cycle", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_organization(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody<OrganizationPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.0;
    match patch.reach() {
        UpdateReach::Everything => {
            permissions::require_registry_writer(&actor.user, "organization.update")?
        }
        UpdateReach::ContactsAndHeadcount => {
            permissions::require_contact_editor(&actor.user, "organization.update")?
        }
    }
    if patch.head.as_ref().is_some_and(|h| h.phone.is_some()) {
        return Err(ApiError::validation(
            "head.phone",
            "is not kept for the head of an organization; only name and email",
        ));
    }
    let versions = expected_versions(&req, patch.version)?;
    let reference = path.into_inner();
    let writer = actor.clone();
    let moves = patch.parent_id.is_some();
    let row = with_db(&state, move |conn| {
        let new_parent = patch.parent_id.as_ref().map(|p| p.as_deref());
        Ok(service::update(
            conn,
            &writer,
            &reference,
            versions.as_deref(),
            patch.reach(),
            |input| patch.apply(input),
            new_parent,
        )?)
    })
    .await?;
    if moves {
        // Scopes inside the moved subtree have new paths: check tokens afresh.
        state.tokens.clear();
    }
    Ok(organization_response(HttpResponse::Ok(), row, &actor))
}
