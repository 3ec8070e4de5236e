//! `/api/v1/rollouts`: one file per group of actions.

mod extensions;
mod reports;
mod rollouts;
mod status;
mod transfer;

use actix_web::web;
use chrono::{NaiveDate, Utc};

pub use extensions::*;
pub use reports::*;
pub use rollouts::*;
pub use status::*;
pub use transfer::*;

use super::service::RolloutError;
use crate::web::ApiError;
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/rollouts")
            .route("", web::get().to(list_rollouts))
            .route("", web::post().to(create_rollout))
            .route("/{rollout}", web::get().to(get_rollout))
            .route("/{rollout}", web::patch().to(update_rollout))
            .route("/{rollout}/summary", web::get().to(rollout_summary))
            .route("/{rollout}/burndown", web::get().to(rollout_burndown))
            .route("/{rollout}/lagging", web::get().to(lagging_units))
            .route("/{rollout}/status", web::get().to(list_statuses))
            .route("/{rollout}/status/export", web::get().to(export_statuses))
            .route("/{rollout}/status/import", web::post().to(import_statuses))
            .route(
                "/{rollout}/status/{organization}",
                web::get().to(get_status),
            )
            .route(
                "/{rollout}/status/{organization}",
                web::put().to(put_status),
            )
            .route(
                "/{rollout}/status/{organization}/history",
                web::get().to(status_history),
            )
            .route(
                "/{rollout}/status/{organization}/extensions",
                web::get().to(list_extensions),
            )
            .route(
                "/{rollout}/status/{organization}/extensions",
                web::post().to(grant_extension),
            ),
    );
}

/// Today in Almaty.
pub(crate) fn today() -> NaiveDate {
    crate::domain::deadline::almaty_date(Utc::now())
}

pub(crate) fn at_risk_days(state: &AppState) -> i64 {
    state.settings.rollouts.at_risk_days
}

impl From<RolloutError> for ApiError {
    fn from(error: RolloutError) -> Self {
        match error {
            RolloutError::NoRollout(_) | RolloutError::NoOrganization(_) => {
                ApiError::NotFound(error.to_string())
            }
            RolloutError::NotApplicable => ApiError::Unprocessable {
                detail: error.to_string(),
                errors: Vec::new(),
            },
            RolloutError::Invalid(errors) => ApiError::Validation(errors),
            RolloutError::Stale { .. } => ApiError::PreconditionFailed(error.to_string()),
            RolloutError::Duplicate(_) => ApiError::Conflict {
                detail: error.to_string(),
                errors: vec![crate::domain::FieldError::new("slug", "is taken")],
            },
            RolloutError::Denied(denied) => ApiError::Forbidden(denied),
            RolloutError::Database(e) => e.into(),
        }
    }
}
