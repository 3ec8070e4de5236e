//! The API's self-description at `/api/v1/openapi.json`, with an offline docs page.

use utoipa::OpenApi;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::Modify;

use crate::audit::api as audit;
use crate::auth::api as auth;
use crate::registry::api as registry;
use crate::reminders::api as reminders;
use crate::rollout::api as rollout;
use crate::web::health;
use crate::web::metrics;

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
        auth::log_in,
        auth::log_out,
        auth::who_am_i,
        auth::change_password,
        auth::list_users,
        auth::create_user,
        auth::get_user,
        auth::update_user,
        auth::list_tokens,
        auth::create_token,
        auth::revoke_token,
        audit::list_audit,
        rollout::list_rollouts,
        rollout::create_rollout,
        rollout::get_rollout,
        rollout::update_rollout,
        rollout::list_statuses,
        rollout::get_status,
        rollout::put_status,
        rollout::status_history,
        rollout::list_extensions,
        rollout::grant_extension,
        rollout::export_statuses,
        rollout::import_statuses,
        rollout::rollout_summary,
        rollout::rollout_burndown,
        rollout::lagging_units,
        reminders::list_reminders,
        reminders::preview_reminders,
        reminders::run_reminders,
        metrics::metrics,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "registry", description = "Organizations and their tree"),
        (name = "operations", description = "Health and readiness"),
        (name = "auth", description = "Sessions, accounts and API tokens"),
        (name = "audit", description = "The audit trail"),
        (name = "rollouts", description = "Rollouts, statuses, deadlines and extensions"),
        (name = "reports", description = "Summaries, burndown and the lagging list"),
        (name = "reminders", description = "Deadline reminder emails"),
    )
)]
pub struct ApiDoc;

/// The document served at `/api/v1/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Declares the two ways to authenticate.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("aitu_session"))),
        );
    }
}
