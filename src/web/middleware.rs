//! Cross-cutting request handling: request ids, security headers, audit of denials.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};

use crate::audit::{self, AuditActor, AuditEntry, Outcome};
use crate::auth::permissions::Denied;
use crate::auth::{CurrentUser, RequestId, RequestMeta};
use crate::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Gives every request an id (a client's own `X-Request-Id` if it is sane), echoed in
/// the response and written to the audit trail.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.call(req).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(response)
}

/// Security headers on every response. The API docs page needs inline styles.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let https = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.settings.public_url_is_https());
    let docs = req.path().starts_with("/api/docs");
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    let csp = if docs {
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    } else {
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    Ok(response)
}

/// Writes an audit row for every 403, with who tried what.
pub async fn audit_denials(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let response = next.call(req).await?;
    let denied = response.response().extensions().get::<Denied>().cloned();
    if let Some(denied) = denied {
        let request = response.request();
        let user = request.extensions().get::<CurrentUser>().cloned();
        if let Some(state) = request.app_data::<web::Data<AppState>>().cloned() {
            let actor = AuditActor {
                user_id: user.as_ref().map(|u| u.id.clone()),
                token_id: user.as_ref().and_then(|u| u.token_id().map(str::to_owned)),
                email: user.as_ref().map(|u| u.email.clone()),
                request: RequestMeta::of(request, &state),
            };
            let mut entry = AuditEntry::new(denied.action, Outcome::Denied).detail(format!(
                "{} {}: {}",
                request.method(),
                request.path(),
                denied.reason
            ));
            entry.object_type = denied.object_type;
            entry.object_id = denied.object_id.clone();
            let pool = state.pool.clone();
            let written = web::block(move || -> anyhow::Result<()> {
                let mut conn = pool.get()?;
                audit::record(&mut conn, &actor, entry)?;
                Ok(())
            })
            .await;
            if let Err(error) | Ok(Err(error)) = written.map_err(anyhow::Error::from) {
                log::error!("could not write the audit row of a denial: {error:#}");
            }
        }
    }
    Ok(response)
}
