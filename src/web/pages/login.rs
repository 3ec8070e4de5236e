//! Log in and out with a form.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::i18n::Texts;
use super::{html_status, lang_of, safe_next, see_other, Page, PageError};
use crate::auth::api::{attempt_login, csrf_cookie, session_cookie};
use crate::auth::model::SessionRow;
use crate::auth::{secret, RequestMeta, Via};
use crate::registry::service::now;
use crate::web::ApiError;
use crate::AppState;

const LOGIN_COOKIE: &str = "aitu_login";

#[derive(Template)]
#[template(path = "web/login.html")]
struct LoginPage {
    t: &'static Texts,
    lang: &'static str,
    here: String,
    email: String,
    next: String,
    token: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

fn login_page_response(
    req: &HttpRequest,
    email: String,
    next: String,
    error: Option<&'static str>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(req);
    // Login forms are protected by a double-submit token: a cookie and a hidden field.
    let token = secret::random_string(24);
    let page = LoginPage {
        t: lang.texts(),
        lang: lang.code(),
        here: url::form_urlencoded::byte_serialize(format!("/login?next={next}").as_bytes())
            .collect(),
        email,
        next,
        token: token.clone(),
        error,
    };
    let mut response = html_status(status, &page)?;
    let cookie = Cookie::build(LOGIN_COOKIE, token)
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .finish();
    response
        .add_cookie(&cookie)
        .map_err(|e| PageError::Api(ApiError::internal("setting a cookie", e)))?;
    Ok(response)
}

pub async fn login_page(
    req: HttpRequest,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, PageError> {
    login_page_response(
        &req,
        String::new(),
        safe_next(query.next.as_deref()),
        None,
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    login_token: String,
    next: Option<String>,
}

pub async fn login_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let next = safe_next(form.next.as_deref());
    let t = lang_of(&req).texts();
    let cookie_token = req
        .cookie(LOGIN_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if cookie_token.is_empty() || cookie_token != form.login_token {
        return login_page_response(
            &req,
            form.email,
            next,
            Some(t.wrong_login),
            StatusCode::FORBIDDEN,
        );
    }
    let meta = RequestMeta::of(&req, &state);
    match attempt_login(&state, &form.email, form.password, meta).await {
        Ok(session) => Ok(HttpResponse::SeeOther()
            .cookie(session_cookie(&state, session.session_id))
            .cookie(csrf_cookie(&state, session.csrf))
            .insert_header((actix_web::http::header::LOCATION, next))
            .finish()),
        Err(ApiError::Unauthorized(_)) => login_page_response(
            &req,
            form.email,
            next,
            Some(t.wrong_login),
            StatusCode::UNAUTHORIZED,
        ),
        Err(ApiError::TooManyRequests { .. }) => login_page_response(
            &req,
            form.email,
            next,
            Some(t.too_many),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf_token: String,
}

pub async fn logout(
    state: web::Data<AppState>,
    page: Page,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    page.check_csrf(&form.csrf_token)?;
    if let Via::Session { id_hash, .. } = page.actor.user.via.clone() {
        let actor = page.actor.clone();
        super::db(&state, move |conn| {
            crate::db::write_transaction(conn, |conn| {
                SessionRow::end(conn, &id_hash, now())?;
                crate::audit::record(
                    conn,
                    &crate::audit::AuditActor::from(&actor),
                    crate::audit::AuditEntry::new("logout", crate::audit::Outcome::Success)
                        .object("user", actor.user.id.clone()),
                )
            })?;
            Ok(())
        })
        .await?;
    }
    let mut response = see_other("/login");
    for name in [
        crate::auth::session_cookie_name(&state),
        crate::auth::csrf_cookie_name(&state),
    ] {
        let mut removal = Cookie::build(name, "").path("/").finish();
        removal.make_removal();
        let _ = response.add_cookie(&removal);
    }
    Ok(response)
}
