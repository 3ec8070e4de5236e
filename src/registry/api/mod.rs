//! `/api/v1/organizations`: one file per action.

mod archive;
mod create;
mod export;
mod get;
mod import;
mod list;
mod tree;
mod update;

use actix_web::http::header;
use actix_web::{web, HttpResponse};

pub use archive::*;
pub use create::*;
pub use export::*;
pub use get::*;
pub use import::*;
pub use list::*;
pub use tree::*;
pub use update::*;

use super::model::OrganizationRow;
use super::service::RegistryError;
use super::view::Organization;
use crate::audit::{self, AuditActor, AuditEntry, Outcome};
use crate::auth::Actor;
use crate::web::extract::etag;
use crate::web::ApiError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/organizations")
            .route("", web::get().to(list_organizations))
            .route("", web::post().to(create_organization))
            .route("/import", web::post().to(import_organizations))
            .route("/export", web::get().to(export_organizations))
            .route("/{organization}", web::get().to(get_organization))
            .route("/{organization}", web::patch().to(update_organization))
            .route(
                "/{organization}/archive",
                web::post().to(archive_organization),
            )
            .route(
                "/{organization}/unarchive",
                web::post().to(unarchive_organization),
            )
            .route("/{organization}/children", web::get().to(list_children))
            .route("/{organization}/subtree", web::get().to(list_subtree)),
    );
}

/// A single organization with its ETag, as `actor` may see it.
fn organization_response(
    mut response: actix_web::HttpResponseBuilder,
    row: OrganizationRow,
    actor: &Actor,
) -> HttpResponse {
    let version = row.version;
    let (view, _) = Organization::for_user(row, &actor.user);
    response
        .insert_header(header::ETag(etag(version)))
        .json(view)
}

/// Records that a response carried personal contact data: one row per request.
pub(crate) fn audit_personal_read(
    conn: &mut crate::db::DbConnection,
    actor: &Actor,
    single: Option<&OrganizationRow>,
    count: usize,
) -> diesel::QueryResult<()> {
    let mut entry = AuditEntry::new("personal_data.read", Outcome::Success)
        .detail(format!("contacts of {count} organization(s)"));
    if let Some(row) = single {
        entry = entry
            .object("organization", row.id.clone())
            .scope_path(row.path.clone());
    }
    audit::record(conn, &AuditActor::from(actor), entry)
}

impl From<RegistryError> for ApiError {
    fn from(error: RegistryError) -> Self {
        match error {
            RegistryError::NotFound(_) => ApiError::NotFound(error.to_string()),
            RegistryError::Invalid(errors) => ApiError::Validation(errors),
            RegistryError::DuplicateBin(_) => ApiError::Conflict {
                detail: error.to_string(),
                errors: vec![crate::domain::FieldError::new(
                    "bin",
                    "is already registered to another organization",
                )],
            },
            RegistryError::Stale { .. } => ApiError::PreconditionFailed(error.to_string()),
            RegistryError::HasActiveChildren => ApiError::Conflict {
                detail: error.to_string(),
                errors: Vec::new(),
            },
            RegistryError::Denied(denied) => ApiError::Forbidden(denied),
            RegistryError::Database(e) => e.into(),
        }
    }
}
