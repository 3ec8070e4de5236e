use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit::AuditActor;
use crate::auth::accounts::{self, AccountError, NewUser, User, UserUpdate};
use crate::auth::model::UserRow;
use crate::auth::{permissions, Actor};
use crate::registry::view::Page;
use crate::web::extract::JsonBody;
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Invalid(errors) => ApiError::Validation(errors),
            AccountError::DuplicateEmail(_) => ApiError::Conflict {
                detail: error.to_string(),
                errors: vec![crate::domain::FieldError::new(
                    "email",
                    "is already registered",
                )],
            },
            AccountError::NotFound(_) => ApiError::NotFound(error.to_string()),
            AccountError::Stale => ApiError::PreconditionFailed(error.to_string()),
            AccountError::Database(e) => e.into(),
            AccountError::Other(e) => ApiError::Internal(e),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// List accounts (admins).
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "auth",
    params(UserListParams),
    responses(
        (status = 200, description = "A page of users", body = Page<User>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_users(
    state: web::Data<AppState>,
    actor: Actor,
    params: web::Query<UserListParams>,
) -> Result<HttpResponse, ApiError> {
    permissions::require_admin(&actor.user, "user.read")?;
    let paging = crate::registry::api::Paging::parse(params.page, params.per_page, &state)?;
    let (rows, total) = with_db(&state, move |conn| {
        Ok(UserRow::list(conn, paging.limit(), paging.offset())?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: rows.iter().map(User::from).collect::<Vec<_>>(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub email: String,
    pub display_name: String,
    /// `admin`, `coordinator`, `it_head` or `observer`.
    pub role: String,
    /// UUID or BIN of the organization whose subtree the user acts on (required for it_head).
    #[serde(default)]
    pub organization: Option<String>,
    /// At least 12 characters; leave out to have a strong one generated.
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    #[serde(flatten)]
    pub user: User,
    /// The generated password, shown this once; `null` when one was given.
    pub generated_password: Option<String>,
}

/// Add an account (admins).
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "auth",
    request_body = NewUserRequest,
    responses(
        (status = 201, description = "Created", body = CreatedUser),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_user(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<NewUserRequest>,
) -> Result<HttpResponse, ApiError> {
    permissions::require_admin(&actor.user, "user.create")?;
    let body = body.0;
    let new = NewUser {
        email: body.email,
        display_name: body.display_name,
        role: body.role,
        organization: body.organization,
        password: body.password,
    };
    let permit = state.hashing.enter().await.ok_or_else(|| {
        ApiError::Unavailable(anyhow::anyhow!("too many password operations at once"))
    })?;
    let (row, generated) = with_db(&state, move |conn| {
        Ok(accounts::create_user(
            conn,
            &AuditActor::from(&actor),
            &new,
        )?)
    })
    .await?;
    drop(permit);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", row.id)))
        .json(CreatedUser {
            user: User::from(&row),
            generated_password: generated,
        }))
}

fn user_id(raw: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(raw.trim())
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| ApiError::NotFound(format!("no user {raw}")))
}

/// One account (admins).
#[utoipa::path(
    get,
    path = "/api/v1/users/{user}",
    tag = "auth",
    params(("user" = String, Path, description = "User UUID")),
    responses(
        (status = 200, description = "The user", body = User),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_user(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    permissions::require_admin(&actor.user, "user.read")?;
    let id = user_id(&path)?;
    let row = with_db(&state, move |conn| {
        UserRow::find(conn, &id)?.ok_or_else(|| ApiError::NotFound(format!("no user {id}")))
    })
    .await?;
    Ok(HttpResponse::Ok().json(User::from(&row)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub role: Option<String>,
    /// UUID or BIN of the scope organization; `null` removes the scope.
    #[serde(default, deserialize_with = "crate::registry::view::present")]
    #[schema(value_type = Option<String>)]
    pub organization: Option<Option<String>>,
    /// `false` deactivates the account: its sessions end and its tokens stop working at once.
    pub active: Option<bool>,
    pub version: Option<i64>,
}

/// Change an account: name, role, scope, active (admins).
#[utoipa::path(
    patch,
    path = "/api/v1/users/{user}",
    tag = "auth",
    params(("user" = String, Path, description = "User UUID")),
    request_body = UserPatch,
    responses(
        (status = 200, description = "The updated user", body = User),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_user(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: JsonBody<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    permissions::require_admin(&actor.user, "user.update")?;
    let id = user_id(&path)?;
    let patch = body.0;
    let update = UserUpdate {
        display_name: patch.display_name,
        role: patch.role,
        organization: patch.organization,
        active: patch.active,
        expected_version: patch.version,
    };
    let row = with_db(&state, move |conn| {
        Ok(accounts::update_user(
            conn,
            &AuditActor::from(&actor),
            &id,
            &update,
        )?)
    })
    .await?;
    // Role, scope or active flag may have changed: check this account's tokens afresh.
    state.tokens.forget_user(&row.id);
    Ok(HttpResponse::Ok().json(User::from(&row)))
}
