//! The HTTP error type: every failure leaves as RFC 9457 `application/problem+json`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::FieldError;

/// Everything a handler can fail with. 5xx causes go to the log, never to the client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{}", .0.reason)]
    Forbidden(crate::auth::permissions::Denied),
    #[error("too many failed attempts: try again in {retry_after} seconds")]
    TooManyRequests { retry_after: i64 },
    #[error("{0}")]
    NotFound(String),
    #[error("{detail}")]
    Conflict {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{detail}")]
    Unprocessable {
        detail: String,
        errors: Vec<serde_json::Value>,
    },
    #[error("the database is unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

/// The JSON body of a problem response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem; stable, for programs.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    pub status: u16,
    /// What went wrong this time and, where possible, how to fix it.
    pub detail: String,
    /// Per-field (or per-row) problems, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<serde_json::Value>,
}

impl ApiError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    pub fn internal(context: &'static str, error: impl Into<anyhow::Error>) -> Self {
        Self::Internal(error.into().context(context))
    }

    fn code(&self) -> (&'static str, &'static str) {
        match self {
            Self::BadRequest(_) => ("bad-request", "Bad request"),
            Self::Validation(_) => ("validation", "Invalid input"),
            Self::Unauthorized(_) => ("unauthenticated", "Authentication required"),
            Self::Forbidden(_) => ("forbidden", "Not allowed"),
            Self::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
            Self::NotFound(_) => ("not-found", "Not found"),
            Self::Conflict { .. } => ("conflict", "Conflict"),
            Self::PreconditionFailed(_) => ("stale-version", "Precondition failed"),
            Self::PayloadTooLarge { .. } => ("payload-too-large", "Request body too large"),
            Self::UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            Self::Unprocessable { .. } => ("unprocessable", "Unprocessable content"),
            Self::Unavailable(_) => ("unavailable", "Service unavailable"),
            Self::Internal(_) => ("internal", "Internal server error"),
        }
    }

    fn problem(&self) -> Problem {
        let (code, title) = self.code();
        let to_values = |errors: &[FieldError]| {
            errors
                .iter()
                .map(|e| serde_json::to_value(e).unwrap_or_default())
                .collect()
        };
        let (detail, errors) = match self {
            Self::Validation(errors) => (
                format!(
                    "fix the fields named in `errors`: {}",
                    errors
                        .iter()
                        .map(|e| format!("{} {}", e.field, e.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                to_values(errors),
            ),
            Self::Conflict { detail, errors } => (detail.clone(), to_values(errors)),
            Self::Unprocessable { detail, errors } => (detail.clone(), errors.clone()),
            Self::Unavailable(cause) if is_locked(cause) => (
                "the database is busy with a long write by another process (an import on the \
                 command line?); try again when it has finished"
                    .to_owned(),
                Vec::new(),
            ),
            Self::Unavailable(_) => (
                "the database cannot be reached right now; try again shortly".to_owned(),
                Vec::new(),
            ),
            Self::Internal(_) => (
                "the server failed to handle this request; the cause is in the server log"
                    .to_owned(),
                Vec::new(),
            ),
            other => (other.to_string(), Vec::new()),
        };
        Problem {
            kind: format!("/problems/{code}"),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail,
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Validation(_) | Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(cause) => log::error!("request failed: {cause:#}"),
            Self::Unavailable(cause) => log::warn!("database unavailable: {cause:#}"),
            _ => {}
        }
        let mut response = problem_response(self.status_code(), &self.problem());
        match self {
            Self::Unauthorized(_) => {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"aitu-tracker\""),
                );
            }
            Self::TooManyRequests { retry_after } => {
                if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
            }
            // The audit middleware records denials from this marker.
            Self::Forbidden(denied) => {
                response.extensions_mut().insert(denied.clone());
            }
            _ => {}
        }
        response
    }
}

/// Writes a problem body with the right content type.
pub fn problem_response(status: StatusCode, problem: &Problem) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header((
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    ));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("5")));
    }
    response.json(problem)
}

fn is_locked(cause: &anyhow::Error) -> bool {
    cause.to_string().contains(crate::db::SQLITE_LOCKED)
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => Self::NotFound("no such record".into()),
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
            | Error::DatabaseError(DatabaseErrorKind::UnableToSendCommand, _) => {
                Self::Unavailable(error.into())
            }
            // SQLite: another process held the write lock past the busy timeout.
            Error::DatabaseError(_, ref info)
                if info.message().contains(crate::db::SQLITE_LOCKED) =>
            {
                Self::Unavailable(error.into())
            }
            other => Self::Internal(anyhow::Error::new(other).context("database query")),
        }
    }
}

impl From<crate::auth::permissions::Denied> for ApiError {
    fn from(denied: crate::auth::permissions::Denied) -> Self {
        Self::Forbidden(denied)
    }
}

impl From<r2d2::Error> for ApiError {
    fn from(error: r2d2::Error) -> Self {
        Self::Unavailable(error.into())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::internal("running a blocking task", anyhow::anyhow!("{error}"))
    }
}
