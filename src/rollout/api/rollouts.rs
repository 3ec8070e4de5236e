use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{permissions, Actor};
use crate::registry::api::expected_versions;
use crate::rollout::service::{self, Rollout, RolloutInput};
use crate::rollout::view::{RolloutRequest, RolloutView};
use crate::web::extract::{etag, JsonBody};
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct RolloutList {
    pub items: Vec<RolloutView>,
}

/// List rollouts.
#[utoipa::path(get, path = "/api/v1/rollouts", tag = "rollouts",
    responses((status = 200, description = "Every rollout, oldest first", body = RolloutList)))]
pub async fn list_rollouts(
    state: web::Data<AppState>,
    _actor: Actor,
) -> Result<HttpResponse, ApiError> {
    let rollouts = with_db(&state, |conn| {
        let rows = crate::rollout::model::RolloutRow::list(conn)?;
        rows.into_iter()
            .map(|r| Ok(RolloutView::from(&Rollout::load(conn, &r.slug)?)))
            .collect::<Result<Vec<_>, ApiError>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(RolloutList { items: rollouts }))
}

/// One rollout.
#[utoipa::path(get, path = "/api/v1/rollouts/{rollout}", tag = "rollouts",
    params(("rollout" = String, Path, description = "Slug, e.g. `aitu`")),
    responses(
        (status = 200, description = "The rollout; `ETag` carries its version", body = RolloutView),
        (status = 404, description = "No such rollout", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_rollout(
    state: web::Data<AppState>,
    _actor: Actor,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let rollout = with_db(&state, move |conn| Ok(Rollout::load(conn, &slug)?)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(header::ETag(etag(rollout.row.version)))
        .json(RolloutView::from(&rollout)))
}

fn input(body: RolloutRequest) -> RolloutInput {
    RolloutInput {
        slug: body.slug,
        title_kk: body.title_kk,
        title_ru: body.title_ru,
        description: body.description,
        kinds: body.kinds,
        starts_on: body.starts_on,
        default_deadline: body.default_deadline,
        deadlines_by_kind: body.deadlines_by_kind,
        reminder_policy: body.reminder_policy,
    }
}

/// Create a rollout (admins and coordinators without a scope). Every organization of
/// its kinds gets the status `not_started`.
#[utoipa::path(post, path = "/api/v1/rollouts", tag = "rollouts",
    request_body = RolloutRequest,
    responses(
        (status = 201, description = "Created", body = RolloutView),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_rollout(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<RolloutRequest>,
) -> Result<HttpResponse, ApiError> {
    permissions::require_can_manage_rollouts(&actor.user, "rollout.create")?;
    let input = input(body.0);
    let rollout = with_db(&state, move |conn| {
        Ok(service::create_rollout(conn, &actor, &input)?)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/rollouts/{}", rollout.row.slug),
        ))
        .insert_header(header::ETag(etag(rollout.row.version)))
        .json(RolloutView::from(&rollout)))
}

/// Change a rollout; units without an extension follow new deadlines.
#[utoipa::path(patch, path = "/api/v1/rollouts/{rollout}", tag = "rollouts",
    params(("rollout" = String, Path, description = "Slug"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being edited")),
    request_body = RolloutRequest,
    responses(
        (status = 200, description = "The updated rollout", body = RolloutView),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rollout", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_rollout(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonBody<RolloutRequest>,
) -> Result<HttpResponse, ApiError> {
    permissions::require_can_manage_rollouts(&actor.user, "rollout.update")?;
    let body = body.0;
    if body.slug.is_some() {
        return Err(ApiError::validation("slug", "cannot be changed"));
    }
    let versions = expected_versions(&req, body.version)?;
    let slug = path.into_inner();
    let input = input(body);
    let rollout = with_db(&state, move |conn| {
        Ok(service::update_rollout(
            conn,
            &actor,
            &slug,
            &input,
            versions.as_deref(),
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(header::ETag(etag(rollout.row.version)))
        .json(RolloutView::from(&rollout)))
}
