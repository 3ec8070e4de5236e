use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, AuditActor, AuditEntry, Outcome};
use crate::auth::model::{SessionRow, UserRow};
use crate::auth::{secret, Actor, Role, Via};
use crate::domain::FieldError;
use crate::registry::model::OrganizationRow;
use crate::registry::service::now;
use crate::web::extract::JsonBody;
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

/// The organization a user acts on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScopeView {
    pub organization_id: uuid::Uuid,
    pub bin: String,
    pub name_kk: String,
    pub name_ru: String,
}

/// Who the caller is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Me {
    pub id: uuid::Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// `null`: the whole registry.
    pub scope: Option<ScopeView>,
    /// `token` or `session`.
    pub authenticated_by: String,
}

impl Me {
    pub fn load(
        conn: &mut crate::db::DbConnection,
        user: &UserRow,
        via: &str,
    ) -> diesel::QueryResult<Self> {
        let scope = match &user.scope_id {
            Some(id) => OrganizationRow::find(conn, id)?.map(|o| ScopeView {
                organization_id: uuid::Uuid::parse_str(&o.id).unwrap_or_default(),
                bin: o.bin,
                name_kk: o.name_kk,
                name_ru: o.name_ru,
            }),
            None => None,
        };
        Ok(Self {
            id: uuid::Uuid::parse_str(&user.id).unwrap_or_default(),
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            role: Role::parse(&user.role).unwrap_or(Role::Observer),
            scope,
            authenticated_by: via.to_owned(),
        })
    }
}

/// Who am I: the account, its role and its scope.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "auth",
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn who_am_i(state: web::Data<AppState>, actor: Actor) -> Result<HttpResponse, ApiError> {
    let me = with_db(&state, move |conn| {
        let user = UserRow::find(conn, &actor.user.id)?
            .ok_or_else(|| ApiError::Unauthorized("the account no longer exists".into()))?;
        let via = match actor.user.via {
            Via::Token { .. } => "token",
            Via::Session { .. } => "session",
        };
        Ok(Me::load(conn, &user, via)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(me))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Change one's own password. Every other session of the account ends at once.
#[utoipa::path(
    post,
    path = "/api/v1/me/password",
    tag = "auth",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong current password or weak new one", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn change_password(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let PasswordChange {
        current_password,
        new_password,
    } = body.0;
    secret::check_password_strength(&new_password)
        .map_err(|m| ApiError::validation("new_password", m))?;
    let user_id = actor.user.id.clone();
    let stored = with_db(&state, move |conn| {
        Ok(UserRow::find(conn, &user_id)?.and_then(|u| u.password_hash))
    })
    .await?;
    let permit = state.hashing.enter().await.ok_or_else(|| {
        ApiError::Unavailable(anyhow::anyhow!("too many password checks at once"))
    })?;
    let new_hash = web::block(move || {
        let ok = stored.is_some_and(|h| secret::verify_password(&current_password, &h));
        ok.then(|| secret::hash_password(&new_password)).transpose()
    })
    .await?
    .map_err(ApiError::Internal)?;
    drop(permit);
    let new_hash = new_hash.ok_or_else(|| {
        ApiError::Validation(vec![FieldError::new(
            "current_password",
            "is not the current password",
        )])
    })?;
    with_db(&state, move |conn| {
        crate::db::write_transaction(conn, |conn| {
            let now = now();
            UserRow::set_password(conn, &actor.user.id, &new_hash, now)?;
            let keep = match &actor.user.via {
                Via::Session { id_hash, .. } => Some(id_hash.as_str()),
                Via::Token { .. } => None,
            };
            SessionRow::end_all_for_user(conn, &actor.user.id, keep, now)?;
            audit::record(
                conn,
                &AuditActor::from(&actor),
                AuditEntry::new("user.password_change", Outcome::Success)
                    .object("user", actor.user.id.clone()),
            )?;
            Ok::<_, ApiError>(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
