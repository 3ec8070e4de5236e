//! Rollout and status writes. Every status change writes the current row, an event
//! and an audit row in one transaction, or nothing.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::result::Error as DieselError;

use super::model::{
    EventRow, ExtensionRow, KindDeadlineRow, NewEventRow, NewStatusRow, OrgCopy, RolloutRow,
    StatusRow,
};
use crate::audit::{self, AuditActor, AuditEntry, Outcome};
use crate::auth::permissions::Denied;
use crate::auth::{Actor, Role};
use crate::db::{write_transaction, DbConnection};
use crate::domain::status::{check_transition, EventKind, Reporter, Status, TransitionError};
use crate::domain::FieldError;
use crate::registry::model::{OrgRef, OrganizationRow};
use crate::registry::service::now;

/// Why a rollout or status write was refused.
#[derive(Debug, thiserror::Error)]
pub enum RolloutError {
    #[error("no rollout '{0}'")]
    NoRollout(String),
    #[error("no organization with id or BIN '{0}'")]
    NoOrganization(String),
    #[error("the rollout does not apply to this organization (its kind is not covered, or it is archived)")]
    NotApplicable,
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("the status was changed by someone else: it is now at version {current}, reload it and apply your change again")]
    Stale { current: i64 },
    #[error("a rollout with slug '{0}' already exists")]
    Duplicate(String),
    #[error("{}", .0.reason)]
    Denied(Denied),
    #[error(transparent)]
    Database(#[from] DieselError),
}

impl From<Denied> for RolloutError {
    fn from(denied: Denied) -> Self {
        Self::Denied(denied)
    }
}

/// A rollout with its per-kind deadlines.
#[derive(Debug, Clone)]
pub struct Rollout {
    pub row: RolloutRow,
    pub deadlines: Vec<KindDeadlineRow>,
}

impl Rollout {
    pub fn load(conn: &mut DbConnection, slug: &str) -> Result<Self, RolloutError> {
        let (row, deadlines) = RolloutRow::find_with_deadlines(conn, slug)?
            .ok_or_else(|| RolloutError::NoRollout(slug.to_owned()))?;
        Ok(Self { row, deadlines })
    }

    pub fn kinds(&self) -> Vec<String> {
        self.row.kind_list()
    }

    /// The deadline for organizations of `kind`, before any extension.
    pub fn deadline_for(&self, kind: &str) -> NaiveDate {
        self.deadlines
            .iter()
            .find(|d| d.kind == kind)
            .map_or(self.row.default_deadline, |d| d.deadline)
    }

    /// The rollout's own reminder overrides (malformed JSON counts as none).
    pub fn policy_override(&self) -> crate::reminders::policy::PolicyOverride {
        self.row
            .reminder_policy
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_default()
    }

    pub fn applies_to(&self, org: &OrganizationRow) -> bool {
        !org.is_archived() && self.kinds().contains(&org.kind)
    }
}

/// The status row of a unit that has not started.
fn fresh_status(
    rollout: &Rollout,
    organization_id: String,
    deadline: NaiveDate,
    now: NaiveDateTime,
) -> StatusRow {
    StatusRow {
        rollout_slug: rollout.row.slug.clone(),
        organization_id,
        status: Status::NotStarted.as_str().to_owned(),
        accounts_active: 0,
        note: None,
        evidence_url: None,
        reason: None,
        extended_deadline: None,
        deadline,
        completed_at: None,
        version: 1,
        updated_at: now,
        updated_by: None,
    }
}

/// Gives every applicable organization a status row and brings unextended deadlines
/// in line with the rollout's. Cheap when nothing changed.
pub fn sync_rollout(conn: &mut DbConnection, rollout: &Rollout) -> Result<usize, DieselError> {
    let now = now();
    let kinds = rollout.kinds();
    // Kinds due on the same day share their statements: each is a pass over a table.
    let mut by_deadline: Vec<(NaiveDate, Vec<&str>)> = Vec::new();
    for kind in &kinds {
        let deadline = rollout.deadline_for(kind);
        match by_deadline.iter_mut().find(|(d, _)| *d == deadline) {
            Some((_, group)) => group.push(kind),
            None => by_deadline.push((deadline, vec![kind])),
        }
    }
    let mut inserted = 0;
    for (deadline, group) in by_deadline {
        inserted += StatusRow::insert_missing(conn, &rollout.row.slug, &group, deadline, now)?;
        StatusRow::set_kinds_deadline(conn, &rollout.row.slug, &group, deadline)?;
    }
    Ok(inserted)
}

/// Brings one organization's status rows in line with every rollout: after it is
/// created or changes kind. Touches only its own rows.
pub fn sync_organization(
    conn: &mut DbConnection,
    org: &OrganizationRow,
) -> Result<(), DieselError> {
    for row in RolloutRow::list(conn)? {
        let deadlines = RolloutRow::deadlines(conn, &row.slug)?;
        let rollout = Rollout { row, deadlines };
        if !rollout.applies_to(org) {
            continue;
        }
        let deadline = rollout.deadline_for(&org.kind);
        match StatusRow::find(conn, &rollout.row.slug, &org.id)? {
            None => StatusRow::insert(
                conn,
                &NewStatusRow {
                    row: fresh_status(&rollout, org.id.clone(), deadline, now()),
                    org: OrgCopy::from(org),
                },
            )?,
            Some(status) if status.extended_deadline.is_none() && status.deadline != deadline => {
                StatusRow::set_deadline(conn, &rollout.row.slug, &org.id, deadline)?
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Syncs every rollout: after organizations are imported in bulk.
pub fn sync_all_rollouts(conn: &mut DbConnection) -> Result<(), DieselError> {
    for row in RolloutRow::list(conn)? {
        let deadlines = RolloutRow::deadlines(conn, &row.slug)?;
        sync_rollout(conn, &Rollout { row, deadlines })?;
    }
    Ok(())
}

/// A requested status change.
#[derive(Debug, Clone, Default)]
pub struct StatusChange {
    pub status: Option<String>,
    pub accounts_active: Option<i64>,
    /// `Some(None)` clears.
    pub note: Option<Option<String>>,
    pub evidence_url: Option<Option<String>>,
    pub reason: Option<String>,
}

/// The largest number of active accounts accepted.
pub const MAX_ACCOUNTS: i64 = 10_000_000;

fn check_text(
    field: &str,
    value: Option<&str>,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = value.map(str::trim).filter(|t| !t.is_empty())?;
    if text.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("is longer than {max} characters"),
        ));
        return None;
    }
    Some(text.to_owned())
}

fn check_url(value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let text = check_text("evidence_url", value, 2000, errors)?;
    match url::Url::parse(&text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Some(text),
        _ => {
            errors.push(FieldError::new(
                "evidence_url",
                "must be an http:// or https:// link",
            ));
            None
        }
    }
}

/// Who may change statuses of the organization at `path`, and under which rules.
pub fn reporter_for(actor: &Actor, path: &str, action: &'static str) -> Result<Reporter, Denied> {
    let user = &actor.user;
    match user.role {
        Role::Admin => Ok(Reporter::Coordinator),
        Role::Coordinator if user.covers(path) => Ok(Reporter::Coordinator),
        Role::ItHead if user.covers(path) => Ok(Reporter::ItHead),
        Role::Observer => Err(Denied::new(action, "observers cannot change anything")),
        _ => Err(Denied::new(
            action,
            "this organization is outside your scope",
        )),
    }
}

/// The organization a request names (UUID or BIN), or `NoOrganization`.
pub fn resolve_org(conn: &mut DbConnection, raw: &str) -> Result<OrganizationRow, RolloutError> {
    resolve(raw, |r| OrganizationRow::find_by_ref(conn, r))
}

/// What `find` finds for the organization `raw` names (UUID or BIN), or
/// `NoOrganization` when `raw` names none or `find` finds nothing.
fn resolve<T>(
    raw: &str,
    find: impl FnOnce(&OrgRef) -> Result<Option<T>, DieselError>,
) -> Result<T, RolloutError> {
    OrgRef::parse(raw)
        .map(|r| find(&r))
        .transpose()?
        .flatten()
        .ok_or_else(|| RolloutError::NoOrganization(raw.to_owned()))
}

/// Loads a unit's status, creating its row if the rollout applies but has none yet.
pub fn load_status(
    conn: &mut DbConnection,
    rollout: &Rollout,
    org: &OrganizationRow,
) -> Result<StatusRow, RolloutError> {
    if !rollout.applies_to(org) {
        return Err(RolloutError::NotApplicable);
    }
    if let Some(row) = StatusRow::find(conn, &rollout.row.slug, &org.id)? {
        return Ok(row);
    }
    sync_rollout(conn, rollout)?;
    StatusRow::find(conn, &rollout.row.slug, &org.id)?.ok_or(RolloutError::NotApplicable)
}

/// Applies a status change by `actor`, with its event and audit row.
pub fn change_status(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    organization: &str,
    change: &StatusChange,
    expected_versions: Option<&[i64]>,
) -> Result<(StatusRow, OrganizationRow), RolloutError> {
    write_transaction(conn, |conn| {
        let rollout = Rollout::load(conn, slug)?;
        let (org, stored) = resolve(organization, |r| {
            StatusRow::find_with_organization(conn, slug, r)
        })?;
        let reporter = reporter_for(actor, &org.path, "status.update")
            .map_err(|d| d.on("organization", org.id.clone()))?;
        let current = match stored {
            Some(row) if rollout.applies_to(&org) => row,
            _ => load_status(conn, &rollout, &org)?,
        };
        if let Some(versions) = expected_versions {
            if !versions.contains(&current.version) {
                return Err(RolloutError::Stale {
                    current: current.version,
                });
            }
        }
        let (next, kind) =
            apply_change(&current, change, reporter).map_err(|e| e.with_object(&org.id))?;
        if next == current {
            return Ok((current, org));
        }
        let next = StatusRow {
            updated_by: Some(actor.user.id.clone()),
            ..next
        };
        if !StatusRow::update_if_version(conn, &next, current.version)? {
            let now_at = StatusRow::find(conn, slug, &org.id)?.map_or(0, |r| r.version);
            return Err(RolloutError::Stale { current: now_at });
        }
        record_change(
            conn,
            &AuditActor::from(actor),
            Some(actor.user.role),
            &current,
            &next,
            kind,
            &org,
        )?;
        // What the UPDATE wrote: `next` at the following version (timestamps are
        // already whole microseconds, as both backends store them).
        let saved = StatusRow {
            version: current.version + 1,
            ..next
        };
        Ok((saved, org))
    })
}

/// A refused change, before it knows which organization it concerned.
pub enum ChangeError {
    Invalid(Vec<FieldError>),
    Denied(String),
}

impl ChangeError {
    fn with_object(self, organization_id: &str) -> RolloutError {
        match self {
            Self::Invalid(errors) => RolloutError::Invalid(errors),
            Self::Denied(reason) => RolloutError::Denied(
                Denied::new("status.update", reason).on("organization", organization_id.to_owned()),
            ),
        }
    }
}

/// The row after `change`, and the kind of event it is (pure: no I/O).
pub fn apply_change(
    current: &StatusRow,
    change: &StatusChange,
    reporter: Reporter,
) -> Result<(StatusRow, EventKind), ChangeError> {
    let mut errors = Vec::new();
    let from = Status::parse(&current.status).unwrap_or(Status::NotStarted);
    let to = match change.status.as_deref() {
        Some(raw) => Status::parse(raw)
            .map_err(|m| errors.push(FieldError::new("status", m)))
            .ok(),
        None => Some(from),
    };
    let accounts_active = change.accounts_active.unwrap_or(current.accounts_active);
    if !(0..=MAX_ACCOUNTS).contains(&accounts_active) {
        errors.push(FieldError::new(
            "accounts_active",
            format!("must be a whole number from 0 to {MAX_ACCOUNTS}"),
        ));
    }
    let note = match &change.note {
        Some(value) => check_text("note", value.as_deref(), 2000, &mut errors),
        None => current.note.clone(),
    };
    let evidence_url = match &change.evidence_url {
        Some(value) => check_url(value.as_deref(), &mut errors),
        None => current.evidence_url.clone(),
    };
    let reason = check_text("reason", change.reason.as_deref(), 2000, &mut errors);
    let Some(to) = to else {
        return Err(ChangeError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ChangeError::Invalid(errors));
    }
    let kind = if to == from && reporter == Reporter::Coordinator {
        EventKind::Mark
    } else {
        check_transition(reporter, from, to, reason.as_deref()).map_err(|e| match e {
            TransitionError::NotAllowed(m) => ChangeError::Denied(m),
            TransitionError::ReasonRequired(m) => {
                ChangeError::Invalid(vec![FieldError::new("reason", m)])
            }
        })?
    };
    if reporter == Reporter::ItHead
        && to == from
        && matches!(from, Status::Verified | Status::Exempt)
    {
        return Err(ChangeError::Denied(format!(
            "the unit is {from}: only a coordinator can change it now"
        )));
    }
    let now = now();
    let completed_at = match (from.is_done(), to.is_done()) {
        (false, true) => Some(now),
        (true, true) => current.completed_at,
        (_, false) => None,
    };
    // A reason belongs to the state it explains: kept for exempt and rejected units.
    let reason = match kind {
        EventKind::Exempt | EventKind::Reject => reason,
        _ if to == from => current.reason.clone(),
        _ => None,
    };
    let next = StatusRow {
        status: to.as_str().to_owned(),
        accounts_active,
        note,
        evidence_url,
        reason,
        completed_at,
        updated_at: now,
        ..current.clone()
    };
    let unchanged = StatusRow {
        updated_at: current.updated_at,
        completed_at: current.completed_at,
        ..next.clone()
    } == *current;
    if unchanged {
        return Ok((current.clone(), kind));
    }
    Ok((next, kind))
}

/// Writes the event and audit row of a change.
pub fn record_change(
    conn: &mut DbConnection,
    actor: &AuditActor,
    role: Option<Role>,
    before: &StatusRow,
    after: &StatusRow,
    kind: EventKind,
    org: &OrganizationRow,
) -> Result<(), DieselError> {
    EventRow::insert(conn, &event_for(actor, role, before, after, kind))?;
    audit::record(conn, actor, status_audit(before, after, org))
}

pub fn event_for(
    actor: &AuditActor,
    role: Option<Role>,
    before: &StatusRow,
    after: &StatusRow,
    kind: EventKind,
) -> NewEventRow {
    NewEventRow {
        rollout_slug: after.rollout_slug.clone(),
        organization_id: after.organization_id.clone(),
        at: after.updated_at,
        actor_user_id: actor.user_id.clone(),
        actor_role: role.map(|r| r.as_str().to_owned()),
        event_kind: kind.as_str().to_owned(),
        from_status: before.status.clone(),
        to_status: after.status.clone(),
        accounts_active: after.accounts_active,
        note: after.note.clone(),
        reason: after.reason.clone(),
    }
}

pub fn status_audit(before: &StatusRow, after: &StatusRow, org: &OrganizationRow) -> AuditEntry {
    let view = |row: &StatusRow| {
        serde_json::json!({
            "rollout": row.rollout_slug,
            "status": row.status,
            "accounts_active": row.accounts_active,
            "note": row.note,
            "evidence_url": row.evidence_url,
            "reason": row.reason,
            "deadline": row.deadline,
            "version": row.version,
        })
    };
    AuditEntry::new("status.update", Outcome::Success)
        .object("organization", org.id.clone())
        .scope_path(org.path.clone())
        .change(Some(&view(before)), Some(&view(after)))
}

/// Grants one organization a new deadline, kept as history.
pub fn grant_extension(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    organization: &str,
    deadline: Option<NaiveDate>,
    reason: Option<&str>,
) -> Result<(ExtensionRow, StatusRow), RolloutError> {
    write_transaction(conn, |conn| {
        let rollout = Rollout::load(conn, slug)?;
        let org = resolve_org(conn, organization)?;
        match reporter_for(actor, &org.path, "extension.grant") {
            Ok(Reporter::Coordinator) => {}
            Ok(Reporter::ItHead) => {
                return Err(Denied::new(
                    "extension.grant",
                    "only a coordinator can grant an extension",
                )
                .on("organization", org.id.clone())
                .into())
            }
            Err(denied) => return Err(denied.on("organization", org.id.clone()).into()),
        }
        let mut errors = Vec::new();
        let reason = check_text("reason", reason, 2000, &mut errors);
        if reason.is_none() && errors.is_empty() {
            errors.push(FieldError::new(
                "reason",
                "is required: say why the deadline moves",
            ));
        }
        match deadline {
            None => errors.push(FieldError::new("deadline", "is required (YYYY-MM-DD)")),
            Some(d) if d < rollout.row.starts_on => errors.push(FieldError::new(
                "deadline",
                format!(
                    "cannot be before the rollout starts ({})",
                    rollout.row.starts_on
                ),
            )),
            Some(_) => {}
        }
        if !errors.is_empty() {
            return Err(RolloutError::Invalid(errors));
        }
        let deadline = deadline.unwrap_or(rollout.row.default_deadline);
        let before = load_status(conn, &rollout, &org)?;
        let now = now();
        let extension = ExtensionRow {
            id: uuid::Uuid::now_v7().hyphenated().to_string(),
            rollout_slug: slug.to_owned(),
            organization_id: org.id.clone(),
            deadline,
            reason: reason.unwrap_or_default(),
            granted_by: Some(actor.user.id.clone()),
            granted_at: now,
        };
        ExtensionRow::insert(conn, &extension)?;
        StatusRow::set_extension(conn, slug, &org.id, deadline, now)?;
        let after = StatusRow::find(conn, slug, &org.id)?.ok_or(DieselError::NotFound)?;
        audit::record(
            conn,
            &AuditActor::from(actor),
            AuditEntry::new("extension.grant", Outcome::Success)
                .object("organization", org.id.clone())
                .scope_path(org.path.clone())
                .change(
                    Some(&serde_json::json!({"deadline": before.deadline})),
                    Some(&serde_json::json!({"deadline": deadline, "reason": extension.reason})),
                ),
        )?;
        Ok((extension, after))
    })
}

/// What a rollout create or update asks for.
#[derive(Debug, Clone, Default)]
pub struct RolloutInput {
    pub slug: Option<String>,
    pub title_kk: Option<String>,
    pub title_ru: Option<String>,
    pub description: Option<String>,
    pub kinds: Option<Vec<String>>,
    pub starts_on: Option<NaiveDate>,
    pub default_deadline: Option<NaiveDate>,
    pub deadlines_by_kind: Option<HashMap<String, NaiveDate>>,
    /// `Some(None)` removes the overrides.
    pub reminder_policy: Option<Option<crate::reminders::policy::PolicyOverride>>,
}

fn check_rollout(input: &RolloutInput, current: Option<&Rollout>) -> Result<Rollout, RolloutError> {
    let mut errors = Vec::new();
    let slug = match (current, &input.slug) {
        (Some(c), _) => c.row.slug.clone(),
        (None, Some(slug)) => {
            let ok = !slug.is_empty()
                && slug.len() <= 50
                && slug
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !slug.starts_with('-');
            if !ok {
                errors.push(FieldError::new(
                    "slug",
                    "use 1 to 50 lower-case letters, digits and dashes, like 'qaztech'",
                ));
            }
            slug.clone()
        }
        (None, None) => {
            errors.push(FieldError::new("slug", "is required"));
            String::new()
        }
    };
    let text = |field: &str,
                value: &Option<String>,
                current: Option<&String>,
                errors: &mut Vec<FieldError>| {
        match value.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() && t.chars().count() <= 500 => t.to_owned(),
            Some(_) => {
                errors.push(FieldError::new(field, "is required (1 to 500 characters)"));
                String::new()
            }
            None => current.cloned().unwrap_or_else(|| {
                errors.push(FieldError::new(field, "is required"));
                String::new()
            }),
        }
    };
    let title_kk = text(
        "title_kk",
        &input.title_kk,
        current.map(|c| &c.row.title_kk),
        &mut errors,
    );
    let title_ru = text(
        "title_ru",
        &input.title_ru,
        current.map(|c| &c.row.title_ru),
        &mut errors,
    );
    let description = input
        .description
        .clone()
        .or_else(|| current.map(|c| c.row.description.clone()))
        .unwrap_or_default();
    let kinds: Vec<String> = match &input.kinds {
        Some(kinds) => {
            let mut parsed = Vec::new();
            for kind in kinds {
                match crate::domain::OrganizationKind::parse(kind) {
                    Ok(k) if !parsed.contains(&k.as_str().to_owned()) => {
                        parsed.push(k.as_str().to_owned())
                    }
                    Ok(_) => {}
                    Err(m) => errors.push(FieldError::new("kinds", m)),
                }
            }
            if parsed.is_empty() && !errors.iter().any(|e| e.field == "kinds") {
                errors.push(FieldError::new(
                    "kinds",
                    "name at least one organization kind",
                ));
            }
            parsed
        }
        None => current.map(|c| c.kinds()).unwrap_or_else(|| {
            errors.push(FieldError::new("kinds", "is required"));
            Vec::new()
        }),
    };
    let starts_on = input.starts_on.or(current.map(|c| c.row.starts_on));
    let default_deadline = input
        .default_deadline
        .or(current.map(|c| c.row.default_deadline));
    if starts_on.is_none() {
        errors.push(FieldError::new("starts_on", "is required (YYYY-MM-DD)"));
    }
    if default_deadline.is_none() {
        errors.push(FieldError::new(
            "default_deadline",
            "is required (YYYY-MM-DD)",
        ));
    }
    let by_kind: Vec<(String, NaiveDate)> = match &input.deadlines_by_kind {
        Some(map) => {
            let mut list = Vec::new();
            for (kind, date) in map {
                match crate::domain::OrganizationKind::parse(kind) {
                    Ok(k) => list.push((k.as_str().to_owned(), *date)),
                    Err(m) => errors.push(FieldError::new("deadlines_by_kind", m)),
                }
            }
            list.sort();
            list
        }
        None => current
            .map(|c| {
                c.deadlines
                    .iter()
                    .map(|d| (d.kind.clone(), d.deadline))
                    .collect()
            })
            .unwrap_or_default(),
    };
    if let (Some(start), Some(deadline)) = (starts_on, default_deadline) {
        if deadline < start {
            errors.push(FieldError::new(
                "default_deadline",
                "cannot be before starts_on",
            ));
        }
        if by_kind.iter().any(|(_, d)| *d < start) {
            errors.push(FieldError::new(
                "deadlines_by_kind",
                "no deadline can be before starts_on",
            ));
        }
    }
    let reminder_policy = match &input.reminder_policy {
        Some(Some(policy)) => {
            if let Err((key, problem)) = policy.check() {
                errors.push(FieldError::new(format!("reminder_policy.{key}"), problem));
            }
            serde_json::to_string(policy).ok()
        }
        Some(None) => None,
        None => current.and_then(|c| c.row.reminder_policy.clone()),
    };
    if !errors.is_empty() {
        return Err(RolloutError::Invalid(errors));
    }
    let now = now();
    let (starts_on, default_deadline) = (
        starts_on.unwrap_or_default(),
        default_deadline.unwrap_or_default(),
    );
    Ok(Rollout {
        row: RolloutRow {
            slug: slug.clone(),
            title_kk,
            title_ru,
            description,
            kinds: kinds.join(","),
            starts_on,
            default_deadline,
            version: current.map_or(1, |c| c.row.version + 1),
            created_at: current.map_or(now, |c| c.row.created_at),
            updated_at: now,
            reminder_policy,
        },
        deadlines: by_kind
            .into_iter()
            .map(|(kind, deadline)| KindDeadlineRow {
                rollout_slug: slug.clone(),
                kind,
                deadline,
            })
            .collect(),
    })
}

fn rollout_json(rollout: &Rollout) -> serde_json::Value {
    serde_json::to_value(super::view::RolloutView::from(rollout)).unwrap_or_default()
}

/// Creates a rollout and a status row for every organization it applies to.
pub fn create_rollout(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &RolloutInput,
) -> Result<Rollout, RolloutError> {
    let rollout = check_rollout(input, None)?;
    write_transaction(conn, |conn| {
        if RolloutRow::find(conn, &rollout.row.slug)?.is_some() {
            return Err(RolloutError::Duplicate(rollout.row.slug.clone()));
        }
        RolloutRow::insert(conn, &rollout.row)?;
        RolloutRow::replace_deadlines(conn, &rollout.row.slug, &rollout.deadlines)?;
        sync_rollout(conn, &rollout)?;
        audit::record(
            conn,
            &AuditActor::from(actor),
            AuditEntry::new("rollout.create", Outcome::Success)
                .object("rollout", rollout.row.slug.clone())
                .change(None::<&()>, Some(&rollout_json(&rollout))),
        )?;
        Ok(rollout.clone())
    })
}

/// Changes a rollout; deadlines of units without an extension follow.
pub fn update_rollout(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    input: &RolloutInput,
    expected_versions: Option<&[i64]>,
) -> Result<Rollout, RolloutError> {
    write_transaction(conn, |conn| {
        let current = Rollout::load(conn, slug)?;
        if expected_versions.is_some_and(|v| !v.contains(&current.row.version)) {
            return Err(RolloutError::Stale {
                current: current.row.version,
            });
        }
        let next = check_rollout(input, Some(&current))?;
        if !RolloutRow::update_if_version(conn, &next.row, current.row.version)? {
            return Err(RolloutError::Stale {
                current: current.row.version,
            });
        }
        RolloutRow::replace_deadlines(conn, slug, &next.deadlines)?;
        sync_rollout(conn, &next)?;
        audit::record(
            conn,
            &AuditActor::from(actor),
            AuditEntry::new("rollout.update", Outcome::Success)
                .object("rollout", slug.to_owned())
                .change(Some(&rollout_json(&current)), Some(&rollout_json(&next))),
        )?;
        Ok(next)
    })
}

/// The deadline of a unit at a past moment: the latest extension granted by then, else
/// the kind's deadline.
pub fn deadline_as_of(
    rollout: &Rollout,
    kind: &str,
    extensions: &[ExtensionRow],
    cutoff: NaiveDateTime,
) -> NaiveDate {
    extensions
        .iter()
        .filter(|e| e.granted_at < cutoff)
        .max_by_key(|e| (e.granted_at, e.id.clone()))
        .map_or_else(|| rollout.deadline_for(kind), |e| e.deadline)
}
