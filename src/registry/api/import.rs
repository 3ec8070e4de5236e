use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::audit::AuditActor;
use crate::auth::{permissions, Actor};
use crate::registry::csv::COLUMNS;
use crate::registry::import::{
    import_organizations as run_import, ImportContext, ImportError, ImportReport,
};
use crate::web::extract::read_body;
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Check and count only; write nothing.
    pub dry_run: Option<bool>,
}

/// Turns a JSON export (an array of objects keyed by the CSV column names) into CSV.
fn json_to_csv(body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let items: Vec<serde_json::Map<String, serde_json::Value>> =
        crate::web::extract::parse_json(body)?;
    let mut columns: Vec<&str> = Vec::new();
    for item in &items {
        for key in item.keys() {
            match COLUMNS.iter().find(|c| **c == key) {
                Some(c) if !columns.contains(c) => columns.push(c),
                Some(_) => {}
                None => {
                    return Err(ApiError::validation(
                        key,
                        format!("unknown field; the fields are: {}", COLUMNS.join(", ")),
                    ))
                }
            }
        }
    }
    if columns.is_empty() {
        columns.push("bin");
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| ApiError::internal("converting JSON to CSV", e);
    writer.write_record(&columns).map_err(io)?;
    for item in &items {
        let cells = columns.iter().map(|c| match item.get(*c) {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        });
        writer.write_record(cells).map_err(io)?;
    }
    writer
        .into_inner()
        .map_err(|e| ApiError::internal("converting JSON to CSV", anyhow::anyhow!("{e}")))
}

/// Import organizations from CSV (or a JSON export).
///
/// Upserts by BIN. Columns: bin (required), kind, parent_bin, region, headcount, name_kk,
/// name_ru, name_en, it_head_name, it_head_email, it_head_phone, head_name, head_email,
/// in any order; `;` or `,`; UTF-8 with or without BOM. A column left out keeps the
/// current values; an empty cell clears an optional field. Parents may come before or
/// after their children. If any row is invalid nothing is written and every bad row is
/// listed with its line and column. For a JSON body, `line` is the item's position + 1.
#[utoipa::path(
    post,
    path = "/api/v1/organizations/import",
    tag = "registry",
    params(ImportParams),
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses(
        (status = 200, description = "Imported (or, with dry_run, what would be)", body = ImportReport),
        (status = 413, description = "File larger than server.import_limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not text/csv or application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid rows, each with line, column and reason; nothing written", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn import_organizations(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    params: web::Query<ImportParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    permissions::require_can_import(&actor.user)?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let is_json = content_type == "application/json";
    if !is_json
        && !matches!(
            content_type.as_str(),
            "text/csv" | "application/csv" | "text/plain"
        )
    {
        return Err(ApiError::UnsupportedMediaType(format!(
            "send the file with Content-Type: text/csv (or application/json for a JSON export), got '{content_type}'"
        )));
    }
    let limit = state.settings.server.import_limit;
    let body = read_body(&req, payload.into_inner(), limit).await?;
    let body = if is_json {
        json_to_csv(&body)?.into()
    } else {
        body
    };
    let dry_run = params.dry_run.unwrap_or(false);
    let report = with_db(&state, move |conn| {
        let context = ImportContext {
            actor: AuditActor::from(&actor),
            scope_path: actor.user.scope.as_ref().map(|s| s.path.clone()),
        };
        run_import(conn, &&body[..], &context, dry_run, &mut ()).map_err(import_error)
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// Rejected rows become a 422 listing them; the rest map as usual.
pub fn import_error(error: ImportError) -> ApiError {
    match error {
        ImportError::Rejected { errors, total } => ApiError::Unprocessable {
            detail: format!(
                "{total} problem(s) in the file; nothing was imported. Fix the rows listed in `errors` and send the file again"
            ),
            errors: errors
                .iter()
                .map(|e| serde_json::to_value(e).unwrap_or_default())
                .collect(),
        },
        ImportError::Concurrent => ApiError::Conflict {
            detail: error.to_string(),
            errors: Vec::new(),
        },
        ImportError::OutOfScope { .. } => ApiError::Forbidden(
            crate::auth::permissions::Denied::new("organization.import", error.to_string()),
        ),
        ImportError::Io(e) => ApiError::BadRequest(format!("cannot read the file: {e}")),
        ImportError::Database(e) => e.into(),
    }
}
