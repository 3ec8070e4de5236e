use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{at_risk_days, today};
use crate::auth::{permissions, Actor, Role};
use crate::domain::status::Status;
use crate::domain::{FieldError, OrganizationKind, Region};
use crate::registry::api::expected_versions;
use crate::registry::api::{merge_errors, Paging};
use crate::registry::model::{OrgRef, OrganizationRow};
use crate::registry::view::Page;
use crate::rollout::model::{EventRow, StatusFilter, StatusRow, StatusSort};
use crate::rollout::service::{self, load_status, Rollout, StatusChange};
use crate::rollout::view::{EventView, StatusRequest, StatusView};
use crate::web::extract::{etag, JsonBody};
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatusListParams {
    /// One status or several, comma-separated: `not_started,in_progress`.
    pub status: Option<String>,
    /// Only units past their deadline and not settled.
    pub overdue: Option<bool>,
    /// Only unsettled units within the warning window before their deadline.
    pub at_risk: Option<bool>,
    pub kind: Option<String>,
    pub region: Option<String>,
    /// An organization (UUID or BIN): it and everything below it.
    pub parent: Option<String>,
    /// Names in any case and script, or a BIN prefix.
    pub q: Option<String>,
    /// `days_overdue` (most overdue first), `name_ru` (default), `deadline`, `updated_at`.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Checked status-list parameters; the parent is resolved in the database.
pub(crate) struct StatusQuery {
    pub filter: StatusFilter,
    pub parent: Option<String>,
    pub sort: StatusSort,
    pub paging: Paging,
}

impl StatusListParams {
    pub(crate) fn parse(&self, slug: &str, state: &AppState) -> Result<StatusQuery, ApiError> {
        let today = today();
        let mut errors = Vec::new();
        let mut filter = StatusFilter {
            rollout: slug.to_owned(),
            ..Default::default()
        };
        if let Some(raw) = &self.status {
            for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                match Status::parse(part) {
                    Ok(s) => filter.statuses.push(s.as_str().to_owned()),
                    Err(m) => errors.push(FieldError::new("status", m)),
                }
            }
        }
        if let Some(kind) = &self.kind {
            match OrganizationKind::parse(kind) {
                Ok(k) => filter.kind = Some(k.as_str().to_owned()),
                Err(m) => errors.push(FieldError::new("kind", m)),
            }
        }
        if let Some(region) = &self.region {
            match Region::parse(region) {
                Ok(r) => filter.region = Some(r.code().to_owned()),
                Err(m) => errors.push(FieldError::new("region", m)),
            }
        }
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            if let Some(problem) = crate::domain::search::query_problem(q) {
                errors.push(FieldError::new("q", problem));
            }
            let mut helper = crate::registry::model::OrganizationFilter::default();
            helper.set_query(q);
            filter.name_pattern = helper.name_pattern;
            filter.name_needle = helper.name_needle;
            filter.bin_prefix = helper.bin_prefix;
        }
        if self.overdue == Some(true) {
            filter.overdue_before = Some(today);
        }
        if self.at_risk == Some(true) {
            let end = today + chrono::Duration::days(at_risk_days(state));
            filter.due_between = Some((today, end));
        }
        let sort = match self.sort.as_deref() {
            None | Some("name_ru") => Some(StatusSort::NameRu),
            Some("days_overdue") | Some("-days_overdue") => Some(StatusSort::DaysOverdue),
            Some("deadline") => Some(StatusSort::Deadline),
            Some("updated_at") | Some("-updated_at") => Some(StatusSort::UpdatedAt),
            Some(other) => {
                errors.push(FieldError::new(
                    "sort",
                    format!(
                        "unknown sort '{other}'; use days_overdue, name_ru, deadline or updated_at"
                    ),
                ));
                None
            }
        };
        let checked = if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        };
        let (_, paging, _) = merge_errors(
            checked,
            Paging::parse(self.page, self.per_page, state),
            Ok(()),
        )?;
        Ok(StatusQuery {
            filter,
            parent: self.parent.clone(),
            sort: sort.unwrap_or(StatusSort::NameRu),
            paging,
        })
    }
}

impl StatusQuery {
    /// Resolves the rollout (its kinds) and the parent filter.
    pub(crate) fn resolve(
        &mut self,
        conn: &mut crate::db::DbConnection,
    ) -> Result<Rollout, ApiError> {
        let rollout = Rollout::load(conn, &self.filter.rollout)?;
        self.filter.kinds = rollout.kinds();
        if let Some(raw) = &self.parent {
            let parent = OrgRef::parse(raw)
                .map(|r| OrganizationRow::find_by_ref(conn, &r))
                .transpose()?
                .flatten()
                .ok_or_else(|| {
                    ApiError::validation(
                        "parent",
                        format!("no organization with id or BIN '{raw}'"),
                    )
                })?;
            self.filter.within_path = Some(parent.path);
        }
        Ok(rollout)
    }
}

/// Load a page of statuses.
pub(crate) async fn status_page(
    state: &web::Data<AppState>,
    mut query: StatusQuery,
) -> Result<Page<StatusView>, ApiError> {
    let risk = at_risk_days(state);
    with_db(state, move |conn| {
        query.resolve(conn)?;
        let (rows, total) = StatusRow::list(
            conn,
            &query.filter,
            query.sort,
            query.paging.limit(),
            query.paging.offset(),
        )?;
        let today = today();
        Ok(Page {
            items: rows
                .into_iter()
                .map(|(status, org)| StatusView::new(status, &org, today, risk))
                .collect(),
            total,
            page: query.paging.page,
            per_page: query.paging.per_page,
        })
    })
    .await
}

/// The status of every organization in a rollout, with filters.
#[utoipa::path(get, path = "/api/v1/rollouts/{rollout}/status", tag = "rollouts",
    params(("rollout" = String, Path, description = "Slug"), StatusListParams),
    responses(
        (status = 200, description = "A page of statuses", body = Page<StatusView>),
        (status = 404, description = "No such rollout", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_statuses(
    state: web::Data<AppState>,
    _actor: Actor,
    path: web::Path<String>,
    params: web::Query<StatusListParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params.parse(&path, &state)?;
    Ok(HttpResponse::Ok().json(status_page(&state, query).await?))
}

/// One organization's status.
#[utoipa::path(get, path = "/api/v1/rollouts/{rollout}/status/{organization}", tag = "rollouts",
    params(("rollout" = String, Path, description = "Slug"), ("organization" = String, Path, description = "UUID or BIN")),
    responses(
        (status = 200, description = "The status; `ETag` carries its version", body = StatusView),
        (status = 404, description = "No such rollout or organization", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The rollout does not apply to it", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_status(
    state: web::Data<AppState>,
    _actor: Actor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, organization) = path.into_inner();
    let risk = at_risk_days(&state);
    let view = with_db(&state, move |conn| {
        let rollout = Rollout::load(conn, &slug)?;
        let org = service::resolve_org(conn, &organization)?;
        let status = crate::db::write_transaction(conn, |conn| load_status(conn, &rollout, &org))?;
        Ok(StatusView::new(status, &org, today(), risk))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(header::ETag(etag(view.version)))
        .json(view))
}

/// Report or set an organization's status.
///
/// IT heads (their own organizations) move between not_started, in_progress and
/// migrated, and set accounts_active, note and evidence_url. Coordinators (their scope)
/// may also verify, reject a report (migrated → in_progress, `reason` required), exempt
/// (`reason` required) and revert. Send the version in `If-Match` or `version`; a stale
/// one is refused with 412 and changes nothing. Every change is kept in the history.
#[utoipa::path(put, path = "/api/v1/rollouts/{rollout}/status/{organization}", tag = "rollouts",
    params(("rollout" = String, Path, description = "Slug"), ("organization" = String, Path, description = "UUID or BIN"),
        ("If-Match" = Option<String>, Header, description = "ETag of the status version being changed")),
    request_body = StatusRequest,
    responses(
        (status = 200, description = "The new status", body = StatusView),
        (status = 403, description = "Not allowed for your role or scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rollout or organization", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a reason is missing", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_status(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: JsonBody<StatusRequest>,
) -> Result<HttpResponse, ApiError> {
    if actor.user.role == Role::Observer {
        return Err(
            permissions::Denied::new("status.update", "observers cannot change anything").into(),
        );
    }
    let body = body.0;
    let versions = expected_versions(&req, body.version)?;
    let (slug, organization) = path.into_inner();
    let change = StatusChange {
        status: body.status,
        accounts_active: body.accounts_active,
        note: body.note,
        evidence_url: body.evidence_url,
        reason: body.reason,
    };
    let risk = at_risk_days(&state);
    let view = with_db(&state, move |conn| {
        let (status, org) = service::change_status(
            conn,
            &actor,
            &slug,
            &organization,
            &change,
            versions.as_deref(),
        )?;
        Ok(StatusView::new(status, &org, today(), risk))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(header::ETag(etag(view.version)))
        .json(view))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct History {
    /// Newest first.
    pub items: Vec<EventView>,
}

/// An organization's status history, newest first.
#[utoipa::path(get, path = "/api/v1/rollouts/{rollout}/status/{organization}/history", tag = "rollouts",
    params(("rollout" = String, Path, description = "Slug"), ("organization" = String, Path, description = "UUID or BIN")),
    responses(
        (status = 200, description = "Every change", body = History),
        (status = 404, description = "No such rollout or organization", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn status_history(
    state: web::Data<AppState>,
    _actor: Actor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, organization) = path.into_inner();
    let items = with_db(&state, move |conn| {
        Rollout::load(conn, &slug)?;
        let org = service::resolve_org(conn, &organization)?;
        Ok(EventRow::history(conn, &slug, &org.id)?
            .into_iter()
            .map(EventView::from)
            .collect())
    })
    .await?;
    Ok(HttpResponse::Ok().json(History { items }))
}
