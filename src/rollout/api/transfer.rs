use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::status::StatusListParams;
use super::{at_risk_days, today};
use crate::auth::{permissions, Actor};
use crate::registry::csv::OrganizationCsvWriter;
use crate::rollout::model::StatusRow;
use crate::rollout::transfer::{
    import_statuses as run_import, StatusImportError, StatusImportReport,
};
use crate::rollout::view::StatusView;
use crate::web::extract::read_body;
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

/// Columns of the status export.
const EXPORT_COLUMNS: [&str; 15] = [
    "bin",
    "name_kk",
    "name_ru",
    "kind",
    "region",
    "headcount",
    "status",
    "accounts_active",
    "note",
    "evidence_url",
    "reason",
    "deadline",
    "days_left",
    "days_overdue",
    "overdue",
];

/// Export the status table as CSV (Excel-friendly: BOM, `;`, formulas neutralized).
#[utoipa::path(get, path = "/api/v1/rollouts/{rollout}/status/export", tag = "rollouts",
    params(("rollout" = String, Path, description = "Slug"), StatusListParams),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv"),
        (status = 403, description = "Not a coordinator or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rollout", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn export_statuses(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    params: web::Query<StatusListParams>,
) -> Result<HttpResponse, ApiError> {
    permissions::require_can_export(&actor.user)?;
    let slug = path.into_inner();
    let mut query = params.parse(&slug, &state)?;
    let risk = at_risk_days(&state);
    let body = with_db(&state, move |conn| {
        query.resolve(conn)?;
        if let Some(scope) = &actor.user.scope {
            if query
                .filter
                .within_path
                .as_ref()
                .is_none_or(|p| !p.starts_with(&scope.path))
            {
                query.filter.within_path = Some(scope.path.clone());
            }
        }
        let io = |e: std::io::Error| ApiError::internal("writing CSV", e);
        let mut writer =
            OrganizationCsvWriter::with_columns(Vec::new(), &EXPORT_COLUMNS).map_err(io)?;
        let today = today();
        let mut after = String::new();
        loop {
            let rows = StatusRow::list_after_bin(conn, &query.filter, &after, 2000)?;
            let Some((_, last)) = rows.last() else { break };
            after.clone_from(&last.bin);
            for (status, org) in rows {
                let v = StatusView::new(status, &org, today, risk);
                let cells = [
                    v.bin,
                    v.name_kk,
                    v.name_ru,
                    v.kind,
                    v.region,
                    v.headcount.to_string(),
                    v.status.as_str().to_owned(),
                    v.accounts_active.to_string(),
                    v.note.unwrap_or_default(),
                    v.evidence_url.unwrap_or_default(),
                    v.reason.unwrap_or_default(),
                    v.deadline.to_string(),
                    v.days_left.to_string(),
                    v.days_overdue.to_string(),
                    v.overdue.to_string(),
                ];
                writer.write(&cells).map_err(io)?;
            }
        }
        writer.into_inner().map_err(io)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"statuses.csv\"",
        ))
        .body(body))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatusImportParams {
    /// Check and count only; write nothing.
    pub dry_run: Option<bool>,
}

/// Import statuses from CSV (coordinators): columns `bin` (required), `status`,
/// `accounts_active`, `note`, `reason`, `evidence_url`; all rows apply or none, every bad
/// row is listed with its line. For example the messenger's own export of active accounts.
#[utoipa::path(post, path = "/api/v1/rollouts/{rollout}/status/import", tag = "rollouts",
    params(("rollout" = String, Path, description = "Slug"), StatusImportParams),
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses(
        (status = 200, description = "Imported (or, with dry_run, what would be)", body = StatusImportReport),
        (status = 403, description = "Not a coordinator, or rows outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rollout", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid rows; nothing written", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn import_statuses(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<String>,
    params: web::Query<StatusImportParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    permissions::require_can_import_statuses(&actor.user)?;
    let body = read_body(
        &req,
        payload.into_inner(),
        state.settings.server.import_limit,
    )
    .await?;
    let slug = path.into_inner();
    let dry_run = params.dry_run.unwrap_or(false);
    let report = with_db(&state, move |conn| {
        run_import(conn, &actor, &slug, &body, dry_run).map_err(|e| match e {
            StatusImportError::Rejected(errors) => ApiError::Unprocessable {
                detail: format!(
                    "{} problem(s) in the file; nothing was imported. Fix the rows listed in `errors` and send it again",
                    errors.len()
                ),
                errors: errors.iter().map(|e| serde_json::to_value(e).unwrap_or_default()).collect(),
            },
            StatusImportError::OutOfScope { .. } => {
                ApiError::Forbidden(permissions::Denied::new("status.import", e.to_string()))
            }
            StatusImportError::Concurrent(_) => ApiError::Conflict { detail: e.to_string(), errors: Vec::new() },
            StatusImportError::Rollout(e) => e.into(),
            StatusImportError::Database(e) => e.into(),
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
