//! Logs and accounts as tables: the reminder log and the audit trail (admins and
//! coordinators), users and tokens (admins).

use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;

use super::i18n::Texts;
use super::{db, html, Chrome, Page, PageError};
use crate::audit::{AuditFilter, AuditRow};
use crate::auth::model::{TokenRow, UserRow};
use crate::auth::{permissions, Role};
use crate::db::schema::{organizations, reminder_items, reminder_messages};
use crate::AppState;

#[derive(Template)]
#[template(path = "web/table.html")]
struct TablePage {
    chrome: Chrome,
    t: &'static Texts,
    heading: String,
    columns: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

fn table(
    page: &Page,
    heading: &'static str,
    columns: Vec<&'static str>,
    rows: Vec<Vec<String>>,
) -> Result<HttpResponse, PageError> {
    let t = page.t();
    html(&TablePage {
        chrome: page.chrome(heading),
        t,
        heading: heading.to_owned(),
        columns,
        rows,
    })
}

/// planned at, BIN, name, stage, recipient, state, reason, sent at.
type LogLine = (
    chrono::NaiveDateTime,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<chrono::NaiveDateTime>,
);

pub async fn reminders(state: web::Data<AppState>, page: Page) -> Result<HttpResponse, PageError> {
    page.require(
        permissions::require_can_run_reminders(&page.actor.user, "reminder.read").is_ok(),
    )?;
    let t = page.t();
    let scope = page.actor.user.scope.as_ref().map(|s| s.path.clone());
    let rows = db(&state, move |conn| {
        let mut q = reminder_items::table
            .inner_join(organizations::table)
            .left_join(reminder_messages::table)
            .into_boxed::<crate::db::Backend>();
        if let Some(path) = &scope {
            q = q
                .filter(organizations::path.ge(path.clone()))
                .filter(organizations::path.lt(crate::registry::model::subtree_upper_bound(path)));
        }
        let rows: Vec<LogLine> = q
            .order(reminder_items::created_at.desc())
            .select((
                reminder_items::created_at,
                organizations::bin,
                organizations::name_ru,
                reminder_items::stage,
                reminder_items::recipient_email,
                reminder_items::state,
                reminder_items::reason,
                reminder_messages::sent_at.nullable(),
            ))
            .limit(200)
            .load(conn)?;
        Ok(rows)
    })
    .await?;
    table(
        &page,
        t.reminders,
        vec![
            t.when,
            t.bin,
            t.name,
            t.stage,
            t.recipient,
            t.state,
            t.reason,
        ],
        rows.into_iter()
            .map(|(at, bin, name, stage, to, state, reason, sent)| {
                vec![
                    sent.unwrap_or(at).format("%d.%m.%Y %H:%M").to_string(),
                    bin,
                    name,
                    stage,
                    to,
                    state,
                    reason.unwrap_or_default(),
                ]
            })
            .collect(),
    )
}

pub async fn audit(state: web::Data<AppState>, page: Page) -> Result<HttpResponse, PageError> {
    page.require(permissions::require_can_read_audit(&page.actor.user).is_ok())?;
    let t = page.t();
    let filter = AuditFilter {
        within: page
            .actor
            .user
            .scope
            .as_ref()
            .map(|s| (s.path.clone(), page.actor.user.id.clone())),
        ..Default::default()
    };
    let (rows, _) = db(&state, move |conn| {
        Ok(AuditRow::list(conn, &filter, 200, 0)?)
    })
    .await?;
    table(
        &page,
        t.audit,
        vec![t.when, t.who, t.action, t.name, t.outcome],
        rows.into_iter()
            .map(|r| {
                vec![
                    r.at.format("%d.%m.%Y %H:%M:%S").to_string(),
                    r.actor_email.unwrap_or_default(),
                    r.action,
                    format!(
                        "{} {}",
                        r.object_type.unwrap_or_default(),
                        r.object_id.unwrap_or_default()
                    ),
                    r.outcome,
                ]
            })
            .collect(),
    )
}

pub async fn users(state: web::Data<AppState>, page: Page) -> Result<HttpResponse, PageError> {
    page.require(page.actor.user.role == Role::Admin)?;
    let t = page.t();
    let (rows, _) = db(&state, |conn| Ok(UserRow::list(conn, 500, 0)?)).await?;
    table(
        &page,
        t.users,
        vec![t.email, t.name, t.role, t.active],
        rows.into_iter()
            .map(|u| {
                vec![
                    u.email,
                    u.display_name,
                    u.role,
                    if u.active { "✓".into() } else { "—".into() },
                ]
            })
            .collect(),
    )
}

pub async fn tokens(state: web::Data<AppState>, page: Page) -> Result<HttpResponse, PageError> {
    page.require(page.actor.user.role == Role::Admin)?;
    let t = page.t();
    let rows = db(&state, |conn| Ok(TokenRow::list(conn, None)?)).await?;
    table(
        &page,
        t.tokens,
        vec![t.name, "prefix", t.who, t.when, t.state],
        rows.into_iter()
            .map(|k| {
                vec![
                    k.name,
                    format!("{}…", k.prefix),
                    k.user_id,
                    k.created_at.format("%d.%m.%Y").to_string(),
                    if k.revoked_at.is_some() {
                        "revoked".into()
                    } else {
                        "active".into()
                    },
                ]
            })
            .collect(),
    )
}
