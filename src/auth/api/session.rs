use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::me::Me;
use crate::audit::{self, AuditActor, AuditEntry, Outcome};
use crate::auth::model::{SessionRow, UserRow};
use crate::auth::{secret, session_cookie_name, throttle, Actor, RequestMeta, Via};
use crate::registry::service::now;
use crate::web::extract::JsonBody;
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub user: Me,
    /// Send this in the `X-CSRF-Token` header with every write made with the session cookie.
    pub csrf_token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// What the database said about a login attempt.
enum Attempt {
    Throttled(i64),
    Checked { user: Option<UserRow>, hash: String },
}

const WRONG: &str = "wrong email or password";

/// Log in with email and password; sets the session cookie.
///
/// Repeated failures for an account or from an address are slowed down (429 with
/// `Retry-After`); the delay grows with each failure, is capped, and is forgotten after
/// a quiet hour, so nobody can be locked out for good.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; the session cookie is set", body = LoginResponse),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failures: wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many logins at once", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn log_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password } = body.0;
    let meta = RequestMeta::of(&req, &state);
    let session = attempt_login(&state, &email, password, meta).await?;
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(&state, session.session_id.clone()))
        .cookie(csrf_cookie(&state, session.csrf.clone()))
        .json(LoginResponse {
            user: session.me,
            csrf_token: session.csrf,
            expires_at: chrono::DateTime::from_naive_utc_and_offset(
                session.expires_at,
                chrono::Utc,
            ),
        }))
}

/// A started web session: the secrets go to the client once.
pub struct NewSession {
    pub me: Me,
    pub session_id: String,
    pub csrf: String,
    pub expires_at: chrono::NaiveDateTime,
}

/// The session cookie (HttpOnly, SameSite=Lax; `__Host-` and Secure over https).
pub fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build(session_cookie_name(state), value)
        .path("/")
        .http_only(true)
        .secure(state.settings.public_url_is_https())
        .same_site(SameSite::Lax)
        .finish()
}

/// The CSRF token for server-rendered forms, readable by the server only.
pub fn csrf_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build(crate::auth::csrf_cookie_name(state), value)
        .path("/")
        .http_only(true)
        .secure(state.settings.public_url_is_https())
        .same_site(SameSite::Strict)
        .finish()
}

/// Checks a password login with throttling and bounded hashing; starts a session.
pub async fn attempt_login(
    state: &web::Data<AppState>,
    email: &str,
    password: String,
    meta: RequestMeta,
) -> Result<NewSession, ApiError> {
    let email = email.trim().to_lowercase();
    let account_key = throttle::account_key(&email);
    let address_key = meta.client_addr.as_deref().map(throttle::address_key);
    let attempt = {
        let (email, account_key, address_key, meta) = (
            email.clone(),
            account_key.clone(),
            address_key.clone(),
            meta.clone(),
        );
        with_db(state, move |conn| {
            let now = now();
            let mut wait =
                throttle::wait_for(conn, &account_key, throttle::FREE_FAILURES_PER_ACCOUNT, now)?;
            if let Some(key) = &address_key {
                let by_address =
                    throttle::wait_for(conn, key, throttle::FREE_FAILURES_PER_ADDRESS, now)?;
                wait = wait.max(by_address);
            }
            let user = UserRow::find_by_email(conn, &email)?;
            if let Some(seconds) = wait {
                let actor = AuditActor {
                    user_id: user.map(|u| u.id),
                    email: Some(email),
                    request: meta,
                    ..Default::default()
                };
                audit::record(
                    conn,
                    &actor,
                    AuditEntry::new("login", Outcome::Failure).detail("throttled"),
                )?;
                return Ok(Attempt::Throttled(seconds));
            }
            let hash = user
                .as_ref()
                .and_then(|u| u.password_hash.clone())
                .unwrap_or_else(|| secret::dummy_hash().to_owned());
            Ok(Attempt::Checked { user, hash })
        })
        .await?
    };
    let (user, hash) = match attempt {
        Attempt::Throttled(retry_after) => return Err(ApiError::TooManyRequests { retry_after }),
        Attempt::Checked { user, hash } => (user, hash),
    };
    // Hashing is bounded: each check holds 19 MiB for tens of milliseconds.
    let permit = state.hashing.enter().await.ok_or_else(|| {
        ApiError::Unavailable(anyhow::anyhow!(
            "too many logins at once; try again in a moment"
        ))
    })?;
    let matches = web::block(move || secret::verify_password(&password, &hash)).await?;
    drop(permit);
    let settings = state.settings.auth.clone();
    let outcome = with_db(state, move |conn| {
        // The session, the failure counts and the audit row are written together.
        crate::db::write_transaction(conn, |conn| {
            let now = now();
            let actor = AuditActor {
                user_id: user.as_ref().map(|u| u.id.clone()),
                email: Some(email.clone()),
                request: meta.clone(),
                ..Default::default()
            };
            let Some(user) = user.filter(|u| matches && u.active) else {
                throttle::record_failure(conn, &account_key, now)?;
                if let Some(key) = &address_key {
                    throttle::record_failure(conn, key, now)?;
                }
                audit::record(
                    conn,
                    &actor,
                    AuditEntry::new("login", Outcome::Failure).detail(WRONG),
                )?;
                return Ok(None);
            };
            crate::auth::model::LoginFailureRow::clear(conn, &account_key)?;
            // A new session id at every login: an id planted before login is worthless.
            let session_id = secret::random_string(32);
            let csrf = secret::random_string(32);
            let session = SessionRow {
                id_hash: secret::hash_secret(&session_id),
                user_id: user.id.clone(),
                csrf_hash: secret::hash_secret(&csrf),
                created_at: now,
                last_seen_at: now,
                expires_at: now + Duration::hours(settings.session_absolute_hours),
                ended_at: None,
                client_addr: meta.client_addr.clone(),
            };
            SessionRow::insert(conn, &session)?;
            audit::record(
                conn,
                &actor,
                AuditEntry::new("login", Outcome::Success).object("user", user.id.clone()),
            )?;
            let me = Me::load(conn, &user, "session")?;
            Ok(Some((me, session_id, csrf, session.expires_at)))
        })
    })
    .await?;
    let Some((me, session_id, csrf, expires_at)) = outcome else {
        return Err(ApiError::Unauthorized(WRONG.into()));
    };
    Ok(NewSession {
        me,
        session_id,
        csrf,
        expires_at,
    })
}

/// Log out: ends this web session everywhere at once.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "auth",
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn log_out(state: web::Data<AppState>, actor: Actor) -> Result<HttpResponse, ApiError> {
    if let Via::Session { id_hash, .. } = actor.user.via.clone() {
        with_db(&state, move |conn| {
            crate::db::write_transaction(conn, |conn| {
                SessionRow::end(conn, &id_hash, now())?;
                audit::record(
                    conn,
                    &AuditActor::from(&actor),
                    AuditEntry::new("logout", Outcome::Success)
                        .object("user", actor.user.id.clone()),
                )
            })?;
            Ok(())
        })
        .await?;
    }
    let mut removal = Cookie::build(session_cookie_name(&state), "")
        .path("/")
        .finish();
    removal.make_removal();
    Ok(HttpResponse::NoContent().cookie(removal).finish())
}
