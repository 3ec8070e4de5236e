//! Who is asking: accounts, API tokens, web sessions, and the permission checks.

pub mod accounts;
pub mod api;
pub mod cache;
pub mod model;
pub mod permissions;
pub mod role;
pub mod secret;
pub mod throttle;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{header, Method};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use chrono::Duration;

use self::model::{SessionRow, TokenRow, UserRow};
pub use self::role::Role;
use crate::registry::service::now;
use crate::web::ApiError;
use crate::AppState;

/// The header a cookie-authenticated write must carry, with the session's CSRF token.
pub const CSRF_HEADER: &str = "X-CSRF-Token";
/// The session cookie's name over http (over https it gets the `__Host-` prefix).
pub const SESSION_COOKIE: &str = "aitu_session";
/// `last_used_at` / `last_seen_at` are written at most this often, to keep reads cheap.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// The organization a user acts on, with its whole subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub organization_id: String,
    pub path: String,
}

/// How the request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Token {
        id: String,
    },
    /// A web session, with the hash of its CSRF token (forms are checked against it).
    Session {
        id_hash: String,
        csrf_hash: String,
    },
}

/// The authenticated user of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Option<Scope>,
    pub via: Via,
}

impl CurrentUser {
    fn from_row(user: UserRow, scope_path: Option<String>, via: Via) -> Option<Self> {
        let role = Role::parse(&user.role).ok()?;
        let scope = match (user.scope_id, scope_path) {
            (Some(organization_id), Some(path)) => Some(Scope {
                organization_id,
                path,
            }),
            (None, _) => None,
            // A scope that no longer resolves grants nothing rather than everything.
            (Some(organization_id), None) => Some(Scope {
                organization_id,
                path: "\u{0}".into(),
            }),
        };
        Some(Self {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            role,
            scope,
            via,
        })
    }

    /// Whether the organization at `path` lies within this user's scope.
    pub fn covers(&self, path: &str) -> bool {
        self.scope
            .as_ref()
            .is_none_or(|s| path.starts_with(&s.path))
    }

    pub fn token_id(&self) -> Option<&str> {
        match &self.via {
            Via::Token { id } => Some(id),
            Via::Session { .. } => None,
        }
    }
}

/// The user and the request's identity, for permission checks and the audit trail.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: CurrentUser,
    pub request: RequestMeta,
}

/// Request id and client address.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
}

/// The request id set by the request-id middleware.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl RequestMeta {
    pub fn of(req: &HttpRequest, state: &AppState) -> Self {
        let client_addr = if state.settings.server.behind_proxy {
            req.connection_info()
                .realip_remote_addr()
                .map(str::to_owned)
        } else {
            req.peer_addr().map(|a| a.ip().to_string())
        };
        Self {
            request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
            client_addr,
        }
    }
}

/// The cookie holding the session's CSRF token for server-rendered forms.
pub fn csrf_cookie_name(state: &AppState) -> &'static str {
    if state.settings.public_url_is_https() {
        "__Host-aitu_csrf"
    } else {
        "aitu_csrf"
    }
}

/// The session cookie's name for this deployment.
pub fn session_cookie_name(state: &AppState) -> &'static str {
    if state.settings.public_url_is_https() {
        "__Host-aitu_session"
    } else {
        SESSION_COOKIE
    }
}

/// What a request presents: a bearer token or a session cookie.
pub enum Credentials {
    Token(String),
    Session { id: String, csrf: Option<String> },
}

pub fn credentials(req: &HttpRequest, state: &AppState) -> Result<Option<Credentials>, ApiError> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let text = value.to_str().unwrap_or("");
        let token = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::Unauthorized("the Authorization header must be 'Bearer <token>'".into())
            })?;
        return Ok(Some(Credentials::Token(token.to_owned())));
    }
    if let Some(cookie) = req.cookie(session_cookie_name(state)) {
        let csrf = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        return Ok(Some(Credentials::Session {
            id: cookie.value().to_owned(),
            csrf,
        }));
    }
    Ok(None)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Checks credentials against the database; `Ok(None)` when they are not (or no longer) valid.
pub fn authenticate(
    conn: &mut crate::db::DbConnection,
    credentials: &Credentials,
    safe_method: bool,
    settings: &crate::config::AuthSettings,
) -> Result<Option<CurrentUser>, ApiError> {
    let now = now();
    let touch_before = now - Duration::seconds(TOUCH_EVERY_SECONDS);
    match credentials {
        Credentials::Token(token) => Ok(
            check_token_hash(conn, &secret::hash_secret(token))?.map(|(user, _expires_at)| user)
        ),
        Credentials::Session { id, csrf } => {
            let hash = secret::hash_secret(id);
            let Some((session, user, scope_path)) = SessionRow::find_by_hash(conn, &hash)? else {
                return Ok(None);
            };
            let idle_limit = now - Duration::minutes(settings.session_idle_minutes);
            let live = session.ended_at.is_none()
                && session.expires_at > now
                && session.last_seen_at > idle_limit
                && user.active;
            if !live {
                return Ok(None);
            }
            if !safe_method {
                let sent = csrf.as_deref().map(secret::hash_secret);
                if sent.as_deref() != Some(session.csrf_hash.as_str()) {
                    return Err(ApiError::Forbidden(permissions::Denied::new(
                        "csrf",
                        format!("a write from the web session needs the {CSRF_HEADER} header with the token given at login"),
                    )));
                }
            }
            if session.last_seen_at < touch_before {
                crate::db::write_statement(conn, |conn| SessionRow::touch(conn, &hash, now))?;
            }
            Ok(CurrentUser::from_row(
                user,
                scope_path,
                Via::Session {
                    id_hash: hash,
                    csrf_hash: session.csrf_hash,
                },
            ))
        }
    }
}

/// Looks up the token with this hash: its user when it is live (not revoked, not
/// expired, account active), with the token's expiry. Notes the use in `last_used_at`
/// at most once a minute.
pub fn check_token_hash(
    conn: &mut crate::db::DbConnection,
    token_hash: &str,
) -> Result<Option<(CurrentUser, Option<chrono::NaiveDateTime>)>, ApiError> {
    let now = now();
    let Some((token, user, scope_path)) = TokenRow::find_by_hash(conn, token_hash)? else {
        return Ok(None);
    };
    let live =
        token.revoked_at.is_none() && token.expires_at.is_none_or(|at| at > now) && user.active;
    if !live {
        return Ok(None);
    }
    if token
        .last_used_at
        .is_none_or(|at| at < now - Duration::seconds(TOUCH_EVERY_SECONDS))
    {
        crate::db::write_statement(conn, |conn| TokenRow::touch(conn, &token.id, now))?;
    }
    let expires_at = token.expires_at;
    Ok(
        CurrentUser::from_row(user, scope_path, Via::Token { id: token.id })
            .map(|user| (user, expires_at)),
    )
}

/// The token check of a request: from the cache when this instance checked the token
/// within `auth.token_cache_seconds`, else against the database (and then remembered).
/// Public so that benchmarks can measure what authentication costs.
pub fn check_token_cached(
    pool: &crate::db::Pool,
    cache: &cache::TokenCache,
    token: &str,
) -> Result<Option<CurrentUser>, ApiError> {
    let hash = secret::hash_secret(token);
    if let Some(user) = cache.get(&hash, now()) {
        return Ok(Some(user));
    }
    let mut conn = pool.get()?;
    let checked = check_token_hash(&mut conn, &hash)?;
    Ok(checked.map(|(user, expires_at)| {
        cache.put(hash, user.clone(), expires_at);
        user
    }))
}

/// Checks an API token against the database, as a request does on a cache miss.
/// Public so that benchmarks can measure what authentication costs.
pub fn check_token(
    conn: &mut crate::db::DbConnection,
    token: &str,
    settings: &crate::config::AuthSettings,
) -> Result<Option<CurrentUser>, ApiError> {
    authenticate(conn, &Credentials::Token(token.to_owned()), true, settings)
}

impl FromRequest for Actor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::internal("authenticating", anyhow::anyhow!("no state")))?
                .clone();
            let credentials = credentials(&req, &state)?.ok_or_else(|| {
                ApiError::Unauthorized(
                    "sign in: send 'Authorization: Bearer <token>' or log in at POST /api/v1/session".into(),
                )
            })?;
            let safe = is_safe(req.method());
            let cached = match &credentials {
                Credentials::Token(token) => state.tokens.get(&secret::hash_secret(token), now()),
                Credentials::Session { .. } => None,
            };
            let user = match cached {
                Some(user) => Some(user),
                None => {
                    let state = state.clone();
                    web::block(move || match &credentials {
                        Credentials::Token(token) => {
                            check_token_cached(&state.pool, &state.tokens, token)
                        }
                        Credentials::Session { .. } => {
                            let mut conn = state.pool.get()?;
                            authenticate(&mut conn, &credentials, safe, &state.settings.auth)
                        }
                    })
                    .await??
                }
            }
            .ok_or_else(|| {
                ApiError::Unauthorized(
                    "the token or session is invalid, expired, revoked, or its account is deactivated"
                        .into(),
                )
            })?;
            req.extensions_mut().insert(user.clone());
            Ok(Actor {
                user,
                request: RequestMeta::of(&req, &state),
            })
        })
    }
}
