use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::{permissions, Actor};
use crate::registry::csv::{OrganizationCsvWriter, COLUMNS};
use crate::registry::import::export_cells;
use crate::registry::model::OrganizationRow;
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

use super::list::ListParams;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` (default; Excel-friendly: BOM, `;`, formula cells neutralized) or `json`.
    pub format: Option<String>,
    pub kind: Option<String>,
    pub region: Option<String>,
    pub parent: Option<String>,
    pub subtree: Option<bool>,
    pub q: Option<String>,
    pub include_archived: Option<bool>,
}

/// Rows fetched per query while exporting.
const EXPORT_CHUNK: i64 = 2000;

/// Export organizations as CSV or JSON, in BIN order.
///
/// Takes the list filters. The file imports back unchanged.
#[utoipa::path(
    get,
    path = "/api/v1/organizations/export",
    tag = "registry",
    params(ExportParams),
    responses(
        (status = 200, description = "The file", content_type = "text/csv"),
        (status = 422, description = "Invalid filter or format", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn export_organizations(
    state: web::Data<AppState>,
    actor: Actor,
    params: web::Query<ExportParams>,
) -> Result<HttpResponse, ApiError> {
    permissions::require_can_export(&actor.user)?;
    let params = params.into_inner();
    let json = match params.format.as_deref() {
        None | Some("csv") => false,
        Some("json") => true,
        Some(other) => {
            return Err(ApiError::validation(
                "format",
                format!("unknown format '{other}'; use csv or json"),
            ))
        }
    };
    let parsed = ListParams {
        kind: params.kind,
        region: params.region,
        parent: params.parent,
        subtree: params.subtree,
        q: params.q,
        include_archived: params.include_archived,
        ..Default::default()
    }
    .parse_filter()?;
    let body = with_db(&state, move |conn| {
        let mut filter = parsed.resolve(conn)?;
        // A scoped coordinator exports its own subtree only.
        filter.within_path = actor.user.scope.as_ref().map(|s| s.path.clone());
        let mut csv = (!json)
            .then(|| OrganizationCsvWriter::new(Vec::new()))
            .transpose()
            .map_err(|e| ApiError::internal("writing CSV", e))?;
        let mut items: Vec<serde_json::Value> = Vec::new();
        let mut after = String::new();
        let mut exported = 0usize;
        loop {
            let rows = OrganizationRow::list_after_bin(conn, &filter, &after, EXPORT_CHUNK)?;
            let Some(last) = rows.last() else { break };
            after.clone_from(&last.bin);
            let parent_ids: Vec<&str> =
                rows.iter().filter_map(|r| r.parent_id.as_deref()).collect();
            let parents: std::collections::HashMap<String, String> =
                OrganizationRow::bins_by_id(conn, &parent_ids)?
                    .into_iter()
                    .collect();
            exported += rows.len();
            for row in &rows {
                let parent_bin = row
                    .parent_id
                    .as_ref()
                    .and_then(|p| parents.get(p))
                    .map(String::as_str);
                let cells = export_cells(row, parent_bin);
                match &mut csv {
                    Some(writer) => writer
                        .write(&cells)
                        .map_err(|e| ApiError::internal("writing CSV", e))?,
                    None => items.push(serde_json::Value::Object(
                        COLUMNS
                            .iter()
                            .zip(cells)
                            .map(|(c, v)| {
                                let value = match *c {
                                    "headcount" => serde_json::json!(row.headcount),
                                    _ if v.is_empty() => serde_json::Value::Null,
                                    _ => serde_json::Value::String(v),
                                };
                                ((*c).to_owned(), value)
                            })
                            .collect(),
                    )),
                }
            }
        }
        super::audit_personal_read(conn, &actor, None, exported)?;
        match csv {
            Some(writer) => writer
                .into_inner()
                .map_err(|e| ApiError::internal("writing CSV", e)),
            None => serde_json::to_vec(&items).map_err(|e| ApiError::internal("writing JSON", e)),
        }
    })
    .await?;
    let (content_type, extension) = if json {
        ("application/json", "json")
    } else {
        ("text/csv; charset=utf-8", "csv")
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"organizations.{extension}\""),
        ))
        .body(body))
}
