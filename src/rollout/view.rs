//! JSON shapes of rollouts, statuses, events and extensions.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{EventRow, ExtensionRow, StatusRow};
use super::service::Rollout;
use crate::domain::deadline::facts;
use crate::domain::status::Status;
use crate::registry::model::OrganizationRow;

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}

/// A mandated migration.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RolloutView {
    pub slug: String,
    pub title_kk: String,
    pub title_ru: String,
    pub description: String,
    /// Organization kinds it applies to.
    pub kinds: Vec<String>,
    pub starts_on: NaiveDate,
    /// The deadline for kinds without their own.
    pub default_deadline: NaiveDate,
    /// Kind → deadline.
    pub deadlines_by_kind: BTreeMap<String, NaiveDate>,
    /// This rollout's changes to the reminder schedule (`null`: the configured one).
    pub reminder_policy: Option<crate::reminders::policy::PolicyOverride>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Rollout> for RolloutView {
    fn from(r: &Rollout) -> Self {
        Self {
            slug: r.row.slug.clone(),
            title_kk: r.row.title_kk.clone(),
            title_ru: r.row.title_ru.clone(),
            description: r.row.description.clone(),
            kinds: r.kinds(),
            starts_on: r.row.starts_on,
            default_deadline: r.row.default_deadline,
            deadlines_by_kind: r
                .deadlines
                .iter()
                .map(|d| (d.kind.clone(), d.deadline))
                .collect(),
            reminder_policy: r.row.reminder_policy.as_ref().map(|_| r.policy_override()),
            version: r.row.version,
            created_at: utc(r.row.created_at),
            updated_at: utc(r.row.updated_at),
        }
    }
}

/// The body of `POST /api/v1/rollouts` and `PATCH /api/v1/rollouts/{rollout}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolloutRequest {
    /// Lower-case letters, digits and dashes (create only).
    pub slug: Option<String>,
    pub title_kk: Option<String>,
    pub title_ru: Option<String>,
    pub description: Option<String>,
    pub kinds: Option<Vec<String>>,
    pub starts_on: Option<NaiveDate>,
    pub default_deadline: Option<NaiveDate>,
    pub deadlines_by_kind: Option<std::collections::HashMap<String, NaiveDate>>,
    /// Changes to the reminder schedule for this rollout; `null` removes them.
    #[serde(default, deserialize_with = "crate::registry::view::present")]
    #[schema(value_type = Option<crate::reminders::policy::PolicyOverride>)]
    pub reminder_policy: Option<Option<crate::reminders::policy::PolicyOverride>>,
    /// The version being edited (updates); the same check as `If-Match`.
    pub version: Option<i64>,
}

/// An organization's status in a rollout, with its deadline arithmetic.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusView {
    pub rollout: String,
    pub organization_id: uuid::Uuid,
    pub bin: String,
    pub name_kk: String,
    pub name_ru: String,
    pub kind: String,
    pub region: String,
    pub headcount: i64,
    pub status: Status,
    pub accounts_active: i64,
    pub note: Option<String>,
    pub evidence_url: Option<String>,
    /// Why it is exempt, or why its report was rejected.
    pub reason: Option<String>,
    pub version: i64,
    /// The effective deadline: the latest extension, else the kind's, else the default.
    pub deadline: NaiveDate,
    /// Whether an extension set the deadline.
    pub extended: bool,
    /// Calendar days (Asia/Almaty) until the deadline; 0 on the day and after.
    pub days_left: i64,
    /// Calendar days since the deadline; 0 until it has passed.
    pub days_overdue: i64,
    pub overdue: bool,
    pub at_risk: bool,
    pub completed_late: bool,
    pub updated_at: DateTime<Utc>,
}

impl StatusView {
    pub fn new(row: StatusRow, org: &OrganizationRow, today: NaiveDate, at_risk_days: i64) -> Self {
        let status = Status::parse(&row.status).unwrap_or(Status::NotStarted);
        let f = facts(row.deadline, status, row.completed_at, today, at_risk_days);
        Self {
            rollout: row.rollout_slug,
            organization_id: uuid::Uuid::parse_str(&org.id).unwrap_or_default(),
            bin: org.bin.clone(),
            name_kk: org.name_kk.clone(),
            name_ru: org.name_ru.clone(),
            kind: org.kind.clone(),
            region: org.region.clone(),
            headcount: org.headcount,
            status,
            accounts_active: row.accounts_active,
            note: row.note,
            evidence_url: row.evidence_url,
            reason: row.reason,
            version: row.version,
            deadline: row.deadline,
            extended: row.extended_deadline.is_some(),
            days_left: f.days_left,
            days_overdue: f.days_overdue,
            overdue: f.overdue,
            at_risk: f.at_risk,
            completed_late: f.completed_late,
            updated_at: utc(row.updated_at),
        }
    }
}

/// The body of `PUT /api/v1/rollouts/{rollout}/status/{organization}`; fields left out
/// keep their values.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// `not_started`, `in_progress`, `migrated` (IT heads); also `verified`, `exempt` (coordinators).
    pub status: Option<String>,
    /// Staff active in the messenger.
    pub accounts_active: Option<i64>,
    #[serde(default, deserialize_with = "crate::registry::view::present")]
    #[schema(value_type = Option<String>)]
    pub note: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::registry::view::present")]
    #[schema(value_type = Option<String>)]
    pub evidence_url: Option<Option<String>>,
    /// Required to exempt a unit or to reject a report (migrated → in_progress).
    pub reason: Option<String>,
    /// The version being changed; the same check as `If-Match`.
    pub version: Option<i64>,
}

/// One change in a unit's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<String>,
    pub actor_role: Option<String>,
    /// report, verify, reject, exempt, revert, mark or import.
    pub kind: String,
    pub from: String,
    pub to: String,
    pub accounts_active: i64,
    pub note: Option<String>,
    pub reason: Option<String>,
}

impl From<EventRow> for EventView {
    fn from(e: EventRow) -> Self {
        Self {
            id: e.id,
            at: utc(e.at),
            actor_user_id: e.actor_user_id,
            actor_role: e.actor_role,
            kind: e.event_kind,
            from: e.from_status,
            to: e.to_status,
            accounts_active: e.accounts_active,
            note: e.note,
            reason: e.reason,
        }
    }
}

/// A granted extension.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExtensionView {
    pub id: uuid::Uuid,
    pub deadline: NaiveDate,
    pub reason: String,
    pub granted_by: Option<String>,
    pub granted_at: DateTime<Utc>,
}

impl From<ExtensionRow> for ExtensionView {
    fn from(e: ExtensionRow) -> Self {
        Self {
            id: uuid::Uuid::parse_str(&e.id).unwrap_or_default(),
            deadline: e.deadline,
            reason: e.reason,
            granted_by: e.granted_by,
            granted_at: utc(e.granted_at),
        }
    }
}

/// The body of `POST …/status/{organization}/extensions`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    pub deadline: Option<NaiveDate>,
    pub reason: Option<String>,
}
