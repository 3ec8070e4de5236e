use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit::{self, AuditActor, AuditEntry, Outcome};
use crate::auth::accounts::{self, Token};
use crate::auth::model::TokenRow;
use crate::auth::{permissions, Actor, Role};
use crate::registry::service::now;
use crate::web::extract::JsonBody;
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TokenListParams {
    /// Admins: a user's UUID, or `all`. Others always see their own tokens.
    pub user: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<Token>,
}

/// List API tokens: one's own, or (admins) anyone's.
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    tag = "auth",
    params(TokenListParams),
    responses(
        (status = 200, description = "Tokens, newest first (never the secrets)", body = TokenList),
        (status = 403, description = "Asked for someone else's tokens without being an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_tokens(
    state: web::Data<AppState>,
    actor: Actor,
    params: web::Query<TokenListParams>,
) -> Result<HttpResponse, ApiError> {
    let owner = match params.user.as_deref() {
        None => Some(actor.user.id.clone()),
        Some("all") => {
            permissions::require_admin(&actor.user, "token.read")?;
            None
        }
        Some(raw) => {
            let id = uuid::Uuid::parse_str(raw)
                .map_err(|_| ApiError::validation("user", "must be a user UUID or 'all'"))?
                .hyphenated()
                .to_string();
            permissions::require_can_manage_token(&actor.user, &id, "token.read")?;
            Some(id)
        }
    };
    let rows = with_db(&state, move |conn| {
        Ok(TokenRow::list(conn, owner.as_deref())?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(TokenList {
        items: rows.iter().map(Token::from).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenRequest {
    /// A label to recognise the token by, e.g. "nightly export".
    pub name: String,
    /// Days until it expires; leave out for a token that lasts until revoked.
    #[serde(default)]
    pub expires_in_days: Option<i64>,
    /// Admins: issue the token for this user.
    #[serde(default)]
    pub user_id: Option<uuid::Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub info: Token,
    /// The token, shown this once. Send it as `Authorization: Bearer <token>`.
    pub token: String,
}

/// Create an API token (shown once).
#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    tag = "auth",
    request_body = NewTokenRequest,
    responses(
        (status = 201, description = "Created; `token` is shown only now", body = CreatedToken),
        (status = 403, description = "A token for someone else, without being an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_token(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody<NewTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let owner = body
        .user_id
        .map(|u| u.hyphenated().to_string())
        .unwrap_or_else(|| actor.user.id.clone());
    permissions::require_can_manage_token(&actor.user, &owner, "token.create")?;
    let (row, secret) = with_db(&state, move |conn| {
        Ok(accounts::issue_token(
            conn,
            &AuditActor::from(&actor),
            &owner,
            &body.name,
            body.expires_in_days,
        )?)
    })
    .await?;
    Ok(HttpResponse::Created().json(CreatedToken {
        info: Token::from(&row),
        token: secret,
    }))
}

/// Revoke a token: it stops working at once.
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{token}",
    tag = "auth",
    params(("token" = String, Path, description = "Token id (UUID)")),
    responses(
        (status = 204, description = "Revoked (or already revoked)"),
        (status = 403, description = "Someone else's token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn revoke_token(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let raw = path.into_inner();
    let id = uuid::Uuid::parse_str(&raw)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| ApiError::NotFound(format!("no token {raw}")))?;
    let owner = with_db(&state, move |conn| {
        crate::db::write_transaction(conn, |conn| {
            let token = TokenRow::find(conn, &id)?
                .ok_or_else(|| ApiError::NotFound(format!("no token {id}")))?;
            if actor.user.role != Role::Admin && token.user_id != actor.user.id {
                return Err(ApiError::Forbidden(
                    permissions::Denied::new("token.revoke", "this token belongs to someone else")
                        .on("token", token.id.clone()),
                ));
            }
            if TokenRow::revoke(conn, &token.id, now())? {
                audit::record(
                    conn,
                    &AuditActor::from(&actor),
                    AuditEntry::new("token.revoke", Outcome::Success)
                        .object("token", token.id.clone()),
                )?;
            }
            Ok(token.user_id)
        })
    })
    .await?;
    // This instance stops accepting it now; others within auth.token_cache_seconds.
    state.tokens.forget_user(&owner);
    Ok(HttpResponse::NoContent().finish())
}
