//! Importing a registry CSV from the browser: check first (row errors shown), then import.

use actix_multipart::form::tempfile::TempFile;
use actix_multipart::form::text::Text;
use actix_multipart::form::MultipartForm;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::i18n::Texts;
use super::{html, html_status, Chrome, Page, PageError};
use crate::audit::AuditActor;
use crate::auth::permissions;
use crate::registry::csv::RowError;
use crate::registry::import::{import_organizations, ImportContext, ImportError, ImportReport};
use crate::AppState;

#[derive(Template)]
#[template(path = "web/import.html")]
struct ImportPage {
    chrome: Chrome,
    t: &'static Texts,
    csv: String,
    errors: Vec<RowError>,
    report: Option<ImportReport>,
    message: String,
}

pub async fn import_page(page: Page) -> Result<HttpResponse, PageError> {
    page.require(permissions::require_can_import(&page.actor.user).is_ok())?;
    let t = page.t();
    html(&ImportPage {
        chrome: page.chrome(t.import),
        t,
        csv: String::new(),
        errors: Vec::new(),
        report: None,
        message: String::new(),
    })
}

/// The upload: a file or pasted text, and whether to write.
#[derive(MultipartForm)]
pub struct ImportUpload {
    csrf_token: Text<String>,
    #[multipart(limit = "64MiB")]
    file: Option<TempFile>,
    csv: Option<Text<String>>,
    /// "check" (dry run) or "import".
    action: Option<Text<String>>,
}

pub async fn import_submit(
    state: web::Data<AppState>,
    page: Page,
    MultipartForm(upload): MultipartForm<ImportUpload>,
) -> Result<HttpResponse, PageError> {
    page.check_csrf(&upload.csrf_token)?;
    page.require(permissions::require_can_import(&page.actor.user).is_ok())?;
    let t = page.t();
    let mut bytes = Vec::new();
    if let Some(file) = &upload.file {
        if file.size > 0 {
            use std::io::Read;
            let mut handle = file.file.reopen().map_err(|e| {
                PageError::Api(crate::web::ApiError::internal("reading the upload", e))
            })?;
            handle.read_to_end(&mut bytes).map_err(|e| {
                PageError::Api(crate::web::ApiError::internal("reading the upload", e))
            })?;
        }
    }
    if bytes.is_empty() {
        bytes = upload
            .csv
            .as_ref()
            .map(|c| c.0.clone().into_bytes())
            .unwrap_or_default();
    }
    let dry_run = upload.action.as_ref().is_none_or(|a| a.0 != "import");
    let context = ImportContext {
        actor: AuditActor::from(&page.actor),
        scope_path: page.actor.user.scope.as_ref().map(|s| s.path.clone()),
    };
    let data = bytes.clone();
    let outcome = super::db(&state, move |conn| {
        Ok(import_organizations(
            conn,
            &data.as_slice(),
            &context,
            dry_run,
            &mut (),
        ))
    })
    .await?;
    let csv = String::from_utf8_lossy(&bytes).into_owned();
    let (status, errors, report, message) = match outcome {
        Ok(report) => (StatusCode::OK, Vec::new(), Some(report), String::new()),
        Err(ImportError::Rejected { errors, .. }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            None,
            t.fix_errors.to_owned(),
        ),
        Err(other) => match crate::registry::api::import_error(other) {
            // Rows outside the user's scope: refused like any other denied write.
            crate::web::ApiError::Forbidden(denied) => {
                return Err(PageError::Api(crate::web::ApiError::Forbidden(denied)))
            }
            error => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Vec::new(),
                None,
                error.to_string(),
            ),
        },
    };
    html_status(
        status,
        &ImportPage {
            chrome: page.chrome(t.import),
            t,
            csv,
            errors,
            report,
            message,
        },
    )
}
