use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::organization_response;
use crate::auth::{permissions, Actor};
use crate::registry::service;
use crate::registry::view::{NewOrganization, Organization};
use crate::web::extract::JsonBody;
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

/// Register an organization.
#[utoipa::path(
    post,
    path = "/api/v1/organizations",
    tag = "registry",
    request_body = NewOrganization,
    responses(
        (status = 201, description = "Created; `Location` names it", body = Organization),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The BIN is already registered", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_organization(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<NewOrganization>,
) -> Result<HttpResponse, ApiError> {
    permissions::require_registry_writer(&actor.user, "organization.create")?;
    let body = body.0;
    let writer = actor.clone();
    let row = with_db(&state, move |conn| {
        Ok(service::create(
            conn,
            &writer,
            &body.to_input(),
            body.parent_id.as_deref(),
        )?)
    })
    .await?;
    let mut response = HttpResponse::Created();
    response.insert_header((
        header::LOCATION,
        format!("/api/v1/organizations/{}", row.id),
    ));
    Ok(organization_response(response, row, &actor))
}
