//! Server-rendered pages for coordinators and IT heads: askama templates compiled in,
//! one stylesheet served by the binary, no JavaScript needed. Forms carry the same field
//! names as the JSON API and are protected by the session's CSRF token.

mod admin;
mod dashboard;
pub mod i18n;
mod import;
mod login;
mod organizations;
mod svg;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use askama::Template;

use self::i18n::{Lang, Texts};
use crate::auth::{authenticate, credentials, secret, Actor, Credentials, RequestMeta, Role, Via};
use crate::web::ApiError;
use crate::AppState;

/// Every page route, for the permission-matrix test (pages are not in the OpenAPI document).
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/lang/{lang}"),
    ("GET", "/static/app.css"),
    ("GET", "/"),
    ("GET", "/organizations"),
    ("GET", "/my"),
    ("GET", "/organizations/{organization}"),
    ("POST", "/organizations/{organization}/status"),
    ("POST", "/organizations/{organization}/extensions"),
    ("POST", "/organizations/{organization}/edit"),
    ("GET", "/import"),
    ("POST", "/import"),
    ("GET", "/reminders"),
    ("GET", "/audit"),
    ("GET", "/users"),
    ("GET", "/tokens"),
];

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(login::login_page))
        .route("/login", web::post().to(login::login_submit))
        .route("/logout", web::post().to(login::logout))
        .route("/lang/{lang}", web::get().to(switch_language))
        .route("/static/app.css", web::get().to(stylesheet))
        .route("/", web::get().to(dashboard::dashboard))
        .route("/organizations", web::get().to(organizations::list))
        .route("/my", web::get().to(organizations::mine))
        .route(
            "/organizations/{organization}",
            web::get().to(organizations::detail),
        )
        .route(
            "/organizations/{organization}/status",
            web::post().to(organizations::report_status),
        )
        .route(
            "/organizations/{organization}/extensions",
            web::post().to(organizations::grant_extension),
        )
        .route(
            "/organizations/{organization}/edit",
            web::post().to(organizations::edit),
        )
        .route("/import", web::get().to(import::import_page))
        .route("/import", web::post().to(import::import_submit))
        .route("/reminders", web::get().to(admin::reminders))
        .route("/audit", web::get().to(admin::audit))
        .route("/users", web::get().to(admin::users))
        .route("/tokens", web::get().to(admin::tokens));
}

const STYLESHEET: &str = include_str!("../../../static/app.css");

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLESHEET)
}

/// The language of a request: the `lang` cookie, else Kazakh (the state language).
pub fn lang_of(req: &HttpRequest) -> Lang {
    req.cookie("lang")
        .and_then(|c| Lang::parse(c.value()))
        .unwrap_or(Lang::Kk)
}

/// Only local paths may be redirected to (no open redirects).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_owned(),
        _ => "/".to_owned(),
    }
}

#[derive(serde::Deserialize)]
struct NextParam {
    next: Option<String>,
}

/// Switches the interface language and goes back; remembered for a year.
async fn switch_language(path: web::Path<String>, query: web::Query<NextParam>) -> HttpResponse {
    let lang = Lang::parse(&path).unwrap_or(Lang::Kk);
    let cookie = actix_web::cookie::Cookie::build("lang", lang.code())
        .path("/")
        .same_site(actix_web::cookie::SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::days(365))
        .finish();
    HttpResponse::SeeOther()
        .cookie(cookie)
        .insert_header((header::LOCATION, safe_next(query.next.as_deref())))
        .finish()
}

/// A failure on a page: a redirect to the login, or an HTML error page.
#[derive(Debug)]
pub enum PageError {
    Login { next: String },
    Forbidden(Lang),
    NotFound(Lang),
    Api(ApiError),
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Login { .. } => f.write_str("login required"),
            Self::Forbidden(_) => f.write_str("forbidden"),
            Self::NotFound(_) => f.write_str("not found"),
            Self::Api(e) => write!(f, "{e}"),
        }
    }
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

impl From<actix_web::error::BlockingError> for PageError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::Api(error.into())
    }
}

#[derive(Template)]
#[template(path = "web/error.html")]
struct ErrorPage {
    t: &'static Texts,
    lang: &'static str,
    message: String,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Login { .. } => StatusCode::SEE_OTHER,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Api(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (lang, message) = match self {
            Self::Login { next } => {
                let target = format!(
                    "/login?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, target))
                    .finish();
            }
            Self::Forbidden(lang) => (*lang, lang.texts().forbidden.to_owned()),
            Self::NotFound(lang) => (*lang, lang.texts().not_found.to_owned()),
            Self::Api(ApiError::Forbidden(denied)) => {
                let mut response = HttpResponse::Forbidden()
                    .content_type("text/html; charset=utf-8")
                    .body(
                        ErrorPage {
                            t: Lang::Kk.texts(),
                            lang: "kk",
                            message: denied.reason.clone(),
                        }
                        .render()
                        .unwrap_or_default(),
                    );
                response.extensions_mut().insert(denied.clone());
                return response;
            }
            Self::Api(e) => return e.error_response(),
        };
        HttpResponse::build(self.status_code())
            .content_type("text/html; charset=utf-8")
            .body(
                ErrorPage {
                    t: lang.texts(),
                    lang: lang.code(),
                    message,
                }
                .render()
                .unwrap_or_default(),
            )
    }
}

/// A signed-in user of the pages (cookie session), with what the layout needs.
pub struct Page {
    pub actor: Actor,
    pub lang: Lang,
    /// The session's CSRF token, put in every form.
    pub csrf: String,
    pub path: String,
}

impl FromRequest for Page {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let lang = lang_of(&req);
            let path = req
                .uri()
                .path_and_query()
                .map_or("/".to_owned(), |p| p.as_str().to_owned());
            let login = || PageError::Login { next: path.clone() };
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| {
                    PageError::Api(ApiError::internal("pages", anyhow::anyhow!("no state")))
                })?;
            let credentials = match credentials(&req, &state) {
                Ok(Some(c @ Credentials::Session { .. })) => c,
                _ => return Err(login()),
            };
            let settings = state.settings.auth.clone();
            let pool = state.pool.clone();
            // Safe or not, forms are checked against their own csrf_token field.
            let user = web::block(move || {
                let mut conn = pool.get()?;
                authenticate(&mut conn, &credentials, true, &settings)
            })
            .await??
            .ok_or_else(login)?;
            actix_web::HttpMessage::extensions_mut(&req).insert(user.clone());
            let csrf = req
                .cookie(crate::auth::csrf_cookie_name(&state))
                .map(|c| c.value().to_owned())
                .unwrap_or_default();
            Ok(Page {
                actor: Actor {
                    user,
                    request: RequestMeta::of(&req, &state),
                },
                lang,
                csrf,
                path,
            })
        })
    }
}

impl Page {
    pub fn t(&self) -> &'static Texts {
        self.lang.texts()
    }

    /// Checks a submitted form's CSRF token against the session.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), PageError> {
        let expected = match &self.actor.user.via {
            Via::Session { csrf_hash, .. } => csrf_hash.as_str(),
            Via::Token { .. } => "",
        };
        if !submitted.is_empty() && secret::hash_secret(submitted) == expected {
            Ok(())
        } else {
            Err(PageError::Api(ApiError::Forbidden(crate::auth::permissions::Denied::new(
                "csrf",
                "the form is out of date or was not sent from this site: reload the page and try again",
            ))))
        }
    }

    pub fn require(&self, allowed: bool) -> Result<(), PageError> {
        if allowed {
            Ok(())
        } else {
            Err(PageError::Forbidden(self.lang))
        }
    }

    /// The frame around every page.
    pub fn chrome(&self, title: &str) -> Chrome {
        let t = self.t();
        let role = self.actor.user.role;
        let mut nav = vec![("/", t.dashboard), ("/organizations", t.organizations)];
        if self.actor.user.scope.is_some() {
            nav.push(("/my", t.my_organizations));
        }
        if matches!(role, Role::Admin | Role::Coordinator) {
            nav.extend([
                ("/import", t.import),
                ("/reminders", t.reminders),
                ("/audit", t.audit),
            ]);
        }
        if role == Role::Admin {
            nav.extend([("/users", t.users), ("/tokens", t.tokens)]);
        }
        let current = self.path.split('?').next().unwrap_or("/").to_owned();
        Chrome {
            t,
            lang: self.lang.code(),
            title: title.to_owned(),
            user_name: self.actor.user.display_name.clone(),
            role: role.as_str(),
            nav: nav
                .into_iter()
                .map(|(href, label)| NavItem {
                    href,
                    label,
                    current: if href == "/" {
                        current == "/"
                    } else {
                        current.starts_with(href)
                    },
                })
                .collect(),
            csrf: self.csrf.clone(),
            here: url::form_urlencoded::byte_serialize(self.path.as_bytes()).collect(),
        }
    }
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What the base template shows on every page.
pub struct Chrome {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub title: String,
    pub user_name: String,
    pub role: &'static str,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    /// The current path, URL-encoded (for the language links).
    pub here: String,
}

/// Renders a template as an HTML response.
pub fn html<T: Template>(page: &T) -> Result<HttpResponse, PageError> {
    let body = page
        .render()
        .map_err(|e| PageError::Api(ApiError::internal("rendering a page", e)))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// Renders with a status other than 200 (a form with errors is 422).
pub fn html_status<T: Template>(status: StatusCode, page: &T) -> Result<HttpResponse, PageError> {
    let body = page
        .render()
        .map_err(|e| PageError::Api(ApiError::internal("rendering a page", e)))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}

/// Runs database work for a page.
pub async fn db<T, F>(state: &web::Data<AppState>, f: F) -> Result<T, PageError>
where
    F: FnOnce(&mut crate::db::DbConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    crate::web::with_db(state, f).await.map_err(PageError::Api)
}
