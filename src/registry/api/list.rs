use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Actor;
use crate::domain::{FieldError, OrganizationKind, Region};
use crate::registry::model::{OrganizationFilter, OrganizationRow, Sort};
use crate::registry::service;
use crate::registry::view::{Organization, Page};
use crate::web::{with_db, ApiError};
use crate::AppState;

/// Filters, sorting and paging for organization lists.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this kind.
    pub kind: Option<String>,
    /// Only this region code (`KZ-71`, `republican`).
    pub region: Option<String>,
    /// Only the children (UUID or BIN) of this organization...
    pub parent: Option<String>,
    /// ...or, with `subtree=true`, everything below it.
    pub subtree: Option<bool>,
    /// Case-insensitive search in the Kazakh, Russian and English names, or a BIN prefix.
    pub q: Option<String>,
    /// Include archived organizations (default false).
    pub include_archived: Option<bool>,
    /// `name_ru` (default), `name_kk`, `bin`, `headcount`, `created_at`, `updated_at`; `-` for descending.
    pub sort: Option<String>,
    /// 1-based page number.
    pub page: Option<u32>,
    /// Items per page (default 50, at most 500).
    pub per_page: Option<u32>,
}

/// Checked paging.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Paging {
    pub fn parse(
        page: Option<u32>,
        per_page: Option<u32>,
        state: &AppState,
    ) -> Result<Self, ApiError> {
        let api = &state.settings.api;
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(api.default_per_page);
        let mut errors = Vec::new();
        if page == 0 {
            errors.push(FieldError::new("page", "starts at 1"));
        }
        if per_page == 0 || per_page > api.max_per_page {
            errors.push(FieldError::new(
                "per_page",
                format!("must be from 1 to {}", api.max_per_page),
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(Self { page, per_page })
    }

    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }

    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
}

/// Filters from query parameters, checked; `parent` is resolved later, in the database.
pub struct ParsedFilter {
    pub filter: OrganizationFilter,
    pub parent: Option<String>,
    pub subtree: bool,
}

impl ListParams {
    pub fn parse_filter(&self) -> Result<ParsedFilter, ApiError> {
        let mut filter = OrganizationFilter {
            include_archived: self.include_archived.unwrap_or(false),
            ..Default::default()
        };
        let mut errors = Vec::new();
        if let Some(kind) = &self.kind {
            match OrganizationKind::parse(kind) {
                Ok(kind) => filter.kind = Some(kind.as_str().to_owned()),
                Err(message) => errors.push(FieldError::new("kind", message)),
            }
        }
        if let Some(region) = &self.region {
            match Region::parse(region) {
                Ok(region) => filter.region = Some(region.code().to_owned()),
                Err(message) => errors.push(FieldError::new("region", message)),
            }
        }
        if let Some(q) = &self.q {
            if let Some(problem) = crate::domain::search::query_problem(q) {
                errors.push(FieldError::new("q", problem));
            }
            filter.set_query(q);
        }
        if self.subtree.is_some() && self.parent.is_none() {
            errors.push(FieldError::new("subtree", "needs a parent to look below"));
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(ParsedFilter {
            filter,
            parent: self.parent.clone(),
            subtree: self.subtree.unwrap_or(false),
        })
    }

    /// Filter, sort and paging, with every invalid parameter named at once.
    pub fn parse_all(&self, state: &AppState) -> Result<(ParsedFilter, Sort, Paging), ApiError> {
        merge_errors(
            self.parse_filter(),
            self.sort(),
            Paging::parse(self.page, self.per_page, state),
        )
    }

    pub fn sort(&self) -> Result<Sort, ApiError> {
        match &self.sort {
            None => Ok(Sort::NameRu(true)),
            Some(raw) => Sort::parse(raw).ok_or_else(|| {
                ApiError::validation(
                    "sort",
                    format!("unknown sort '{raw}'; use one of {}", Sort::NAMES),
                )
            }),
        }
    }
}

impl ParsedFilter {
    /// Resolves the parent filter against the database.
    pub fn resolve(
        mut self,
        conn: &mut crate::db::DbConnection,
    ) -> Result<OrganizationFilter, ApiError> {
        if let Some(raw) = &self.parent {
            let parent = service::load(conn, raw).map_err(|_| {
                ApiError::validation("parent", format!("no organization with id or BIN '{raw}'"))
            })?;
            if self.subtree {
                self.filter.below_path = Some(parent.path);
            } else {
                self.filter.parent_id = Some(parent.id);
            }
        }
        Ok(self.filter)
    }
}

/// Loads one page for a checked filter, showing contacts only where `actor` may see them.
pub(super) async fn page_of(
    state: &web::Data<AppState>,
    actor: Actor,
    parsed: ParsedFilter,
    sort: Sort,
    paging: Paging,
) -> Result<HttpResponse, ApiError> {
    let page = with_db(state, move |conn| {
        let filter = parsed.resolve(conn)?;
        let (rows, total) =
            OrganizationRow::list(conn, &filter, sort, paging.limit(), paging.offset())?;
        let mut with_contacts = 0;
        let items: Vec<Organization> = rows
            .into_iter()
            .map(|row| {
                let (view, contacts) = Organization::for_user(row, &actor.user);
                with_contacts += usize::from(contacts);
                view
            })
            .collect();
        if with_contacts > 0 {
            super::audit_personal_read(conn, &actor, None, with_contacts)?;
        }
        Ok(Page {
            items,
            total,
            page: paging.page,
            per_page: paging.per_page,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// List organizations.
///
/// Filters combine with AND; the order is stable (ties broken by id), so paging never
/// skips or repeats a row while the data stays the same.
#[utoipa::path(
    get,
    path = "/api/v1/organizations",
    tag = "registry",
    params(ListParams),
    responses(
        (status = 200, description = "A page of organizations", body = Page<Organization>),
        (status = 400, description = "Unparsable query", body = crate::web::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter value", body = crate::web::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_organizations(
    state: web::Data<AppState>,
    actor: Actor,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let (parsed, sort, paging) = params.parse_all(&state)?;
    page_of(&state, actor, parsed, sort, paging).await
}

/// Keeps the field errors of several checks together, so one answer names them all.
pub fn merge_errors<A, B, C>(
    a: Result<A, ApiError>,
    b: Result<B, ApiError>,
    c: Result<C, ApiError>,
) -> Result<(A, B, C), ApiError> {
    match (a, b, c) {
        (Ok(a), Ok(b), Ok(c)) => Ok((a, b, c)),
        (a, b, c) => {
            let mut fields = Vec::new();
            for error in [a.err(), b.err(), c.err()].into_iter().flatten() {
                match error {
                    ApiError::Validation(errors) => fields.extend(errors),
                    other => return Err(other),
                }
            }
            Err(ApiError::Validation(fields))
        }
    }
}
