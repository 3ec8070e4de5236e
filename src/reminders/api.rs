//! `/api/v1/reminders`: the log, a preview, and a pass on demand.

use actix_web::{web, HttpResponse};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::outbox::{ItemRow, MessageRow};
use super::worker::{PassOptions, PassReport};
use crate::auth::{permissions, Actor};
use crate::db::schema::{organizations, reminder_items, reminder_messages};
use crate::registry::api::Paging;
use crate::registry::view::Page;
use crate::web::problem::Problem;
use crate::web::{with_db, ApiError};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/reminders", web::get().to(list_reminders))
        .route("/reminders/preview", web::post().to(preview_reminders))
        .route("/reminders/run", web::post().to(run_reminders));
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReminderLogParams {
    /// queued, sent, failed, skipped or cancelled.
    pub state: Option<String>,
    /// Organization UUID.
    pub organization: Option<String>,
    pub recipient: Option<String>,
    pub rollout: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// One planned reminder and what became of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderEntry {
    pub id: String,
    pub rollout: String,
    pub organization_id: String,
    pub bin: String,
    pub name_ru: String,
    pub stage: String,
    pub recipient_role: String,
    pub recipient_email: String,
    pub escalation: bool,
    /// queued, sent, failed, skipped or cancelled.
    pub state: String,
    /// Why it was skipped, failed or cancelled.
    pub reason: Option<String>,
    pub deadline: chrono::NaiveDate,
    pub planned_at: chrono::DateTime<Utc>,
    pub sent_at: Option<chrono::DateTime<Utc>>,
    /// The email's Message-ID.
    pub message_id: Option<String>,
    pub attempts: Option<i32>,
    pub last_error: Option<String>,
}

fn utc(t: NaiveDateTime) -> chrono::DateTime<Utc> {
    chrono::DateTime::from_naive_utc_and_offset(t, Utc)
}

/// The reminder log, newest first (coordinators: their scope; admins).
#[utoipa::path(get, path = "/api/v1/reminders", tag = "reminders",
    params(ReminderLogParams),
    responses(
        (status = 200, description = "A page of reminders", body = Page<ReminderEntry>),
        (status = 403, description = "Not a coordinator or admin", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_reminders(
    state: web::Data<AppState>,
    actor: Actor,
    params: web::Query<ReminderLogParams>,
) -> Result<HttpResponse, ApiError> {
    permissions::require_can_run_reminders(&actor.user, "reminder.read")?;
    let params = params.into_inner();
    if let Some(s) = &params.state {
        if !["queued", "sent", "failed", "skipped", "cancelled"].contains(&s.as_str()) {
            return Err(ApiError::validation(
                "state",
                "use queued, sent, failed, skipped or cancelled",
            ));
        }
    }
    let paging = Paging::parse(params.page, params.per_page, &state)?;
    let scope = actor.user.scope.as_ref().map(|s| s.path.clone());
    let page = with_db(&state, move |conn| {
        let build = || {
            let mut q = reminder_items::table
                .inner_join(organizations::table)
                .left_join(reminder_messages::table)
                .into_boxed::<crate::db::Backend>();
            if let Some(v) = &params.state {
                q = q.filter(reminder_items::state.eq(v.clone()));
            }
            if let Some(v) = &params.organization {
                q = q.filter(reminder_items::organization_id.eq(v.clone()));
            }
            if let Some(v) = &params.recipient {
                q = q.filter(reminder_items::recipient_email.eq(v.trim().to_lowercase()));
            }
            if let Some(v) = &params.rollout {
                q = q.filter(reminder_items::rollout_slug.eq(v.clone()));
            }
            if let Some(path) = &scope {
                q = q.filter(organizations::path.ge(path.clone())).filter(
                    organizations::path.lt(crate::registry::model::subtree_upper_bound(path)),
                );
            }
            q
        };
        let total: i64 = build().count().get_result(conn)?;
        let rows: Vec<(ItemRow, (String, String), Option<MessageRow>)> = build()
            .order((reminder_items::created_at.desc(), reminder_items::id.desc()))
            .select((
                ItemRow::as_select(),
                (organizations::bin, organizations::name_ru),
                Option::<MessageRow>::as_select(),
            ))
            .limit(paging.limit())
            .offset(paging.offset())
            .load(conn)?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(|(item, (bin, name_ru), message)| ReminderEntry {
                    id: item.id,
                    rollout: item.rollout_slug,
                    organization_id: item.organization_id,
                    bin,
                    name_ru,
                    stage: item.stage,
                    recipient_role: item.recipient_role,
                    recipient_email: item.recipient_email,
                    escalation: item.escalation,
                    state: item.state,
                    reason: item.reason,
                    deadline: item.deadline,
                    planned_at: utc(item.created_at),
                    sent_at: message.as_ref().and_then(|m| m.sent_at).map(utc),
                    message_id: message.as_ref().and_then(|m| m.message_id.clone()),
                    attempts: message.as_ref().map(|m| m.attempts),
                    last_error: message.and_then(|m| m.last_error),
                })
                .collect::<Vec<_>>(),
            total,
            page: paging.page,
            per_page: paging.per_page,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// What a pass would plan now; sends and writes nothing.
#[utoipa::path(post, path = "/api/v1/reminders/preview", tag = "reminders",
    responses(
        (status = 200, description = "The reminders that are due (in `preview`)", body = PassReport),
        (status = 403, description = "Not a coordinator or admin", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn preview_reminders(
    state: web::Data<AppState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    permissions::require_can_run_reminders(&actor.user, "reminder.preview")?;
    let engine = state.reminders.clone();
    let report = web::block(move || {
        engine.run_pass(
            Utc::now(),
            PassOptions {
                dry_run: true,
                ..Default::default()
            },
        )
    })
    .await?
    .map_err(ApiError::Internal)?;
    Ok(HttpResponse::Ok().json(report))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RunParams {
    /// Send even outside the sending window.
    pub ignore_window: Option<bool>,
}

/// Run one reminder pass now: plan, enqueue and deliver.
#[utoipa::path(post, path = "/api/v1/reminders/run", tag = "reminders",
    params(RunParams),
    responses(
        (status = 200, description = "What the pass did", body = PassReport),
        (status = 403, description = "Not a coordinator or admin", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn run_reminders(
    state: web::Data<AppState>,
    actor: Actor,
    params: web::Query<RunParams>,
) -> Result<HttpResponse, ApiError> {
    permissions::require_can_run_reminders(&actor.user, "reminder.run")?;
    let engine = state.reminders.clone();
    let options = PassOptions {
        ignore_window: params.ignore_window.unwrap_or(false),
        ..Default::default()
    };
    let report = web::block(move || engine.run_pass(Utc::now(), options))
        .await?
        .map_err(ApiError::Internal)?;
    let pool = state.pool.clone();
    let summary = format!(
        "{} queued, {} sent, {} failed, {} retrying",
        report.queued, report.sent, report.failed, report.retrying
    );
    web::block(move || -> anyhow::Result<()> {
        let mut conn = pool.get()?;
        crate::audit::record(
            &mut conn,
            &crate::audit::AuditActor::from(&actor),
            crate::audit::AuditEntry::new("reminder.run", crate::audit::Outcome::Success)
                .detail(summary),
        )?;
        Ok(())
    })
    .await?
    .map_err(ApiError::Internal)?;
    Ok(HttpResponse::Ok().json(report))
}
