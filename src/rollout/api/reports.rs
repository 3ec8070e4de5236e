use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::status::{status_page, StatusListParams};
use super::{at_risk_days, today};
use crate::auth::Actor;
use crate::domain::FieldError;
use crate::registry::model::{OrgRef, OrganizationRow};
use crate::registry::view::Page;
use crate::rollout::report::{self, Burndown, GroupBy, Scope, Summary};
use crate::rollout::service::Rollout;
use crate::rollout::view::StatusView;
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryParams {
    /// `region`, `kind` or `parent` (top-level organization; each group rolls up its subtree).
    pub group_by: Option<String>,
    /// A past date (YYYY-MM-DD): the numbers as they stood at the end of that day in Almaty.
    pub as_of: Option<NaiveDate>,
    /// Only this organization (UUID or BIN) and everything below it.
    pub parent: Option<String>,
}

fn scope_of(conn: &mut crate::db::DbConnection, parent: Option<&str>) -> Result<Scope, ApiError> {
    let within_path = match parent {
        None => None,
        Some(raw) => Some(
            OrgRef::parse(raw)
                .map(|r| OrganizationRow::find_by_ref(conn, &r))
                .transpose()?
                .flatten()
                .ok_or_else(|| {
                    ApiError::validation(
                        "parent",
                        format!("no organization with id or BIN '{raw}'"),
                    )
                })?
                .path,
        ),
    };
    Ok(Scope { within_path })
}

/// Progress of a rollout: counts per status, done and verified shares, staff coverage,
/// overdue and at-risk counts; optionally grouped, scoped to a subtree, or as of a past day.
///
/// Shares leave exempt units out: done_share = (migrated + verified) / (total − exempt),
/// verified_share = verified / (total − exempt), staff_coverage = Σ accounts_active /
/// Σ headcount over units that are not exempt.
#[utoipa::path(get, path = "/api/v1/rollouts/{rollout}/summary", tag = "reports",
    params(("rollout" = String, Path, description = "Slug"), SummaryParams),
    responses(
        (status = 200, description = "The summary", body = Summary),
        (status = 404, description = "No such rollout", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn rollout_summary(
    state: web::Data<AppState>,
    _actor: Actor,
    path: web::Path<String>,
    params: web::Query<SummaryParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let group = match params.group_by.as_deref() {
        None => None,
        Some(raw) => Some(GroupBy::parse(raw).ok_or_else(|| {
            ApiError::Validation(vec![FieldError::new(
                "group_by",
                format!("unknown grouping '{raw}'; use region, kind or parent"),
            )])
        })?),
    };
    let today = today();
    if params.as_of.is_some_and(|d| d > today) {
        return Err(ApiError::validation("as_of", "cannot be in the future"));
    }
    let slug = path.into_inner();
    let risk = at_risk_days(&state);
    let summary = with_db(&state, move |conn| {
        let rollout = Rollout::load(conn, &slug)?;
        let scope = scope_of(conn, params.parent.as_deref())?;
        let (day, past) = match params.as_of {
            Some(day) if day < today => (day, true),
            _ => (today, false),
        };
        Ok(report::summary(
            conn, &rollout, &scope, group, day, past, risk,
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(summary))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BurndownParams {
    /// Only this organization (UUID or BIN) and everything below it.
    pub parent: Option<String>,
}

/// Remaining units per day from the rollout's start to today, with the completion date
/// projected at the pace of the last 14 days. The last point equals today's summary.
#[utoipa::path(get, path = "/api/v1/rollouts/{rollout}/burndown", tag = "reports",
    params(("rollout" = String, Path, description = "Slug"), BurndownParams),
    responses(
        (status = 200, description = "The burndown", body = Burndown),
        (status = 404, description = "No such rollout", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn rollout_burndown(
    state: web::Data<AppState>,
    _actor: Actor,
    path: web::Path<String>,
    params: web::Query<BurndownParams>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let risk = at_risk_days(&state);
    let burndown = with_db(&state, move |conn| {
        let rollout = Rollout::load(conn, &slug)?;
        let scope = scope_of(conn, params.parent.as_deref())?;
        let today = today();
        let current = report::summary(conn, &rollout, &scope, None, today, false, risk)?;
        Ok(report::burndown(
            conn,
            &rollout,
            &scope,
            today,
            &current.figures,
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(burndown))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LaggingParams {
    pub parent: Option<String>,
    pub kind: Option<String>,
    pub region: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// The lagging list, worst first: units not yet migrated, most overdue first, larger
/// organizations first among equals.
#[utoipa::path(get, path = "/api/v1/rollouts/{rollout}/lagging", tag = "reports",
    params(("rollout" = String, Path, description = "Slug"), LaggingParams),
    responses(
        (status = 200, description = "A page of lagging units", body = Page<StatusView>),
        (status = 404, description = "No such rollout", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn lagging_units(
    state: web::Data<AppState>,
    _actor: Actor,
    path: web::Path<String>,
    params: web::Query<LaggingParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let query = StatusListParams {
        status: Some("not_started,in_progress".into()),
        parent: params.parent,
        kind: params.kind,
        region: params.region,
        sort: Some("days_overdue".into()),
        page: params.page,
        per_page: params.per_page,
        ..Default::default()
    }
    .parse(&path, &state)?;
    Ok(HttpResponse::Ok().json(status_page(&state, query).await?))
}
