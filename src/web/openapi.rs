//! The API's self-description at `/api/v1/openapi.json`, with an offline docs page.

use utoipa::OpenApi;

use crate::registry::api as registry;
use crate::web::health;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "aitu-tracker",
        description = "Registry of state bodies and quasi-public organizations and their migration onto the Aitu messenger. Errors are RFC 9457 application/problem+json.",
    ),
    paths(
        health::healthz,
        health::readyz,
        registry::list_organizations,
        registry::create_organization,
        registry::get_organization,
        registry::update_organization,
        registry::archive_organization,
        registry::unarchive_organization,
        registry::list_children,
        registry::list_subtree,
        registry::import_organizations,
        registry::export_organizations,
    ),
    tags(
        (name = "registry", description = "Organizations and their tree"),
        (name = "operations", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

/// The document served at `/api/v1/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
