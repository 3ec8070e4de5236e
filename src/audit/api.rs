//! `GET /api/v1/audit`: the audit trail, newest first.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{AuditFilter, AuditRow};
use crate::auth::{permissions, Actor};
use crate::domain::FieldError;
use crate::registry::view::Page;
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// The acting user's UUID.
    pub actor: Option<String>,
    /// e.g. `organization.update`, `login`, `personal_data.read`.
    pub action: Option<String>,
    /// `organization`, `user`, `token`.
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// From this time (RFC 3339) or date (YYYY-MM-DD, UTC), inclusive.
    pub from: Option<String>,
    /// Before this time or date, exclusive.
    pub to: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// One audit row.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<String>,
    pub actor_token_id: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
    /// `success`, `denied` or `failure`.
    pub outcome: String,
    pub detail: Option<String>,
}

impl From<AuditRow> for AuditRecord {
    fn from(row: AuditRow) -> Self {
        let json = |v: Option<String>| v.and_then(|t| serde_json::from_str(&t).ok());
        Self {
            id: row.id,
            at: DateTime::from_naive_utc_and_offset(row.at, Utc),
            actor_user_id: row.actor_user_id,
            actor_token_id: row.actor_token_id,
            actor_email: row.actor_email,
            action: row.action,
            object_type: row.object_type,
            object_id: row.object_id,
            before: json(row.before_value),
            after: json(row.after_value),
            request_id: row.request_id,
            client_addr: row.client_addr,
            outcome: row.outcome,
            detail: row.detail,
        }
    }
}

fn parse_time(field: &str, raw: &str) -> Result<NaiveDateTime, FieldError> {
    if let Ok(time) = DateTime::parse_from_rfc3339(raw) {
        return Ok(time.with_timezone(&Utc).naive_utc());
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
        .map_err(|_| {
            FieldError::new(
                field,
                "must be a date (2025-09-15) or an RFC 3339 time (2025-09-15T10:00:00Z)",
            )
        })
}

/// Read the audit trail (admins; coordinators see their scope and their own actions).
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    params(AuditParams),
    responses(
        (status = 200, description = "A page of audit rows, newest first", body = Page<AuditRecord>),
        (status = 403, description = "Not an admin or coordinator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_audit(
    state: web::Data<AppState>,
    actor: Actor,
    params: web::Query<AuditParams>,
) -> Result<HttpResponse, ApiError> {
    permissions::require_can_read_audit(&actor.user)?;
    let params = params.into_inner();
    let mut errors = Vec::new();
    let mut time = |field: &str, raw: &Option<String>| {
        raw.as_deref()
            .and_then(|r| parse_time(field, r).map_err(|e| errors.push(e)).ok())
    };
    let from = time("from", &params.from);
    let to = time("to", &params.to);
    let paging = crate::registry::api::Paging::parse(params.page, params.per_page, &state);
    if let Err(ApiError::Validation(mut more)) = paging {
        errors.append(&mut more);
        return Err(ApiError::Validation(errors));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let paging = paging?;
    let filter = AuditFilter {
        actor_user_id: params.actor,
        action: params.action,
        object_type: params.object_type,
        object_id: params.object_id,
        from,
        to,
        within: actor
            .user
            .scope
            .as_ref()
            .map(|s| (s.path.clone(), actor.user.id.clone())),
    };
    let (rows, total) = with_db(&state, move |conn| {
        Ok(AuditRow::list(
            conn,
            &filter,
            paging.limit(),
            paging.offset(),
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: rows.into_iter().map(AuditRecord::from).collect::<Vec<_>>(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}
