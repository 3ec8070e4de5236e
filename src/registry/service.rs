//! Registry writes: create, update (with moves in the tree), archive. Each runs in one
//! write transaction and leaves nothing behind when it fails.

use chrono::{NaiveDateTime, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::model::{OrgRef, OrganizationChanges, OrganizationRow};
use super::view::Organization;
use crate::audit::{self, AuditActor, AuditEntry, Outcome};
use crate::auth::permissions::{self, Denied};
use crate::auth::Actor;
use crate::db::{write_transaction, DbConnection};
use crate::domain::organization::{FieldNaming, OrganizationInput};
use crate::domain::FieldError;

/// Why a registry write was refused.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("no organization with id or BIN '{0}'")]
    NotFound(String),
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("an organization with BIN {0} already exists")]
    DuplicateBin(String),
    #[error("the organization was changed by someone else: it is now at version {current}, reload it and apply your change again")]
    Stale { current: i64 },
    #[error("the organization has active child organizations: archive or move them first")]
    HasActiveChildren,
    #[error("{}", .0.reason)]
    Denied(Denied),
    #[error(transparent)]
    Database(#[from] DieselError),
}

impl From<Denied> for RegistryError {
    fn from(denied: Denied) -> Self {
        Self::Denied(denied)
    }
}

/// Records a successful change of an organization, in the caller's transaction.
fn audit_change(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &'static str,
    before: Option<&OrganizationRow>,
    after: &OrganizationRow,
) -> Result<(), RegistryError> {
    let entry = AuditEntry::new(action, Outcome::Success)
        .object("organization", after.id.clone())
        .scope_path(after.path.clone())
        .change(
            before.map(|b| Organization::full(b.clone())).as_ref(),
            Some(&Organization::full(after.clone())),
        );
    audit::record(conn, &AuditActor::from(actor), entry)?;
    Ok(())
}

fn reload(conn: &mut DbConnection, id: &str) -> Result<OrganizationRow, RegistryError> {
    OrganizationRow::find(conn, id)?.ok_or(RegistryError::Database(DieselError::NotFound))
}

impl RegistryError {
    fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

/// The database time: UTC, to the microsecond (what PostgreSQL keeps), so a value
/// read back equals the one written on both backends.
pub fn now() -> NaiveDateTime {
    use chrono::Timelike;
    let now = Utc::now().naive_utc();
    now.with_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .unwrap_or(now)
}

/// Loads the organization a request names, or `NotFound`.
pub fn load(conn: &mut DbConnection, raw: &str) -> Result<OrganizationRow, RegistryError> {
    let reference = OrgRef::parse(raw).ok_or_else(|| RegistryError::NotFound(raw.to_owned()))?;
    OrganizationRow::find_by_ref(conn, &reference)?
        .ok_or_else(|| RegistryError::NotFound(raw.to_owned()))
}

/// Resolves a requested parent: it must exist and not be archived.
fn resolve_parent(
    conn: &mut DbConnection,
    field: &str,
    raw: &str,
) -> Result<OrganizationRow, RegistryError> {
    let parent = OrgRef::parse(raw)
        .map(|r| OrganizationRow::find_by_ref(conn, &r))
        .transpose()?
        .flatten()
        .ok_or_else(|| {
            RegistryError::field(field, format!("no organization with id or BIN '{raw}'"))
        })?;
    if parent.is_archived() {
        return Err(RegistryError::field(
            field,
            format!("the parent organization {} is archived", parent.bin),
        ));
    }
    Ok(parent)
}

fn map_unique(error: DieselError, bin: &str) -> RegistryError {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            RegistryError::DuplicateBin(bin.to_owned())
        }
        other => other.into(),
    }
}

/// Creates an organization under `parent` (UUID or BIN), or at the root.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &OrganizationInput,
    parent: Option<&str>,
) -> Result<OrganizationRow, RegistryError> {
    // Roles that can never create are refused before the input is even looked at.
    permissions::require_registry_writer(&actor.user, "organization.create")?;
    let fields = input
        .validate(FieldNaming::Json)
        .map_err(RegistryError::Invalid)?;
    write_transaction(conn, |conn| {
        let parent = parent
            .map(|raw| resolve_parent(conn, "parent_id", raw))
            .transpose()?;
        permissions::require_can_write_registry(
            &actor.user,
            parent.as_ref().map(|p| p.path.as_str()),
            "organization.create",
        )?;
        let bin = fields.bin.to_string();
        if OrganizationRow::find_by_bin(conn, &bin)?.is_some() {
            return Err(RegistryError::DuplicateBin(bin));
        }
        let id = uuid::Uuid::now_v7().hyphenated().to_string();
        let row = OrganizationChanges::new(&fields, parent.as_ref().map(|p| p.id.clone()))
            .into_new_row(
                id.clone(),
                parent.as_ref().map(|p| (p.path.as_str(), p.depth)),
                now(),
            );
        OrganizationRow::insert(conn, &row).map_err(|e| map_unique(e, &bin))?;
        let created = reload(conn, &id)?;
        crate::rollout::service::sync_organization(conn, &created)?;
        audit_change(conn, actor, "organization.create", None, &created)?;
        Ok(created)
    })
}

/// Which fields an update touches: IT heads may change contacts and headcount only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateReach {
    ContactsAndHeadcount,
    Everything,
}

/// Applies `change` to the organization named `raw`, checking the expected version.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    raw: &str,
    expected_versions: Option<&[i64]>,
    reach: UpdateReach,
    change: impl FnOnce(&mut OrganizationInput),
    new_parent: Option<Option<&str>>,
) -> Result<OrganizationRow, RegistryError> {
    write_transaction(conn, |conn| {
        let row = load(conn, raw)?;
        match reach {
            UpdateReach::ContactsAndHeadcount => permissions::require_can_edit_contacts(
                &actor.user,
                &row.path,
                "organization.update",
            ),
            UpdateReach::Everything => permissions::require_can_write_registry(
                &actor.user,
                Some(&row.path),
                "organization.update",
            ),
        }
        .map_err(|d| d.on("organization", row.id.clone()))?;
        check_version(&row, expected_versions)?;
        let mut input = row.to_input();
        change(&mut input);
        let fields = input
            .validate(FieldNaming::Json)
            .map_err(RegistryError::Invalid)?;
        let parent = match new_parent {
            None => None,
            Some(Some(raw_parent)) => {
                let parent = resolve_parent(conn, "parent_id", raw_parent)?;
                if row.contains(&parent) {
                    return Err(RegistryError::field(
                        "parent_id",
                        "an organization cannot be placed under itself or its own subtree",
                    ));
                }
                permissions::require_can_write_registry(
                    &actor.user,
                    Some(&parent.path),
                    "organization.move",
                )
                .map_err(|d| d.on("organization", row.id.clone()))?;
                Some(Some(parent))
            }
            Some(None) => {
                permissions::require_can_write_registry(&actor.user, None, "organization.move")
                    .map_err(|d| d.on("organization", row.id.clone()))?;
                Some(None)
            }
        };
        let parent_id = match &parent {
            None => row.parent_id.clone(),
            Some(p) => p.as_ref().map(|p| p.id.clone()),
        };
        let bin = fields.bin.to_string();
        if bin != row.bin && OrganizationRow::find_by_bin(conn, &bin)?.is_some() {
            return Err(RegistryError::DuplicateBin(bin));
        }
        let changes = OrganizationChanges::new(&fields, parent_id);
        if changes.is_unchanged(&row) {
            return Ok(row);
        }
        let now = now();
        if !OrganizationRow::update_if_version(conn, &row.id, row.version, &changes, now)
            .map_err(|e| map_unique(e, &bin))?
        {
            return Err(stale(conn, &row.id)?);
        }
        if let Some(parent) = parent {
            let (new_path, new_depth) = super::model::child_path(
                parent.as_ref().map(|p| (p.path.as_str(), p.depth)),
                &row.id,
            );
            if new_path != row.path {
                OrganizationRow::move_subtree(conn, &row.path, &new_path, new_depth - row.depth)?;
            }
        }
        let updated = reload(conn, &row.id)?;
        if updated.kind != row.kind {
            // Another kind may fall under other rollouts or deadlines.
            crate::rollout::service::sync_organization(conn, &updated)?;
        }
        audit_change(conn, actor, "organization.update", Some(&row), &updated)?;
        Ok(updated)
    })
}

fn check_version(row: &OrganizationRow, expected: Option<&[i64]>) -> Result<(), RegistryError> {
    match expected {
        Some(versions) if !versions.contains(&row.version) => Err(RegistryError::Stale {
            current: row.version,
        }),
        _ => Ok(()),
    }
}

fn stale(conn: &mut DbConnection, id: &str) -> Result<RegistryError, RegistryError> {
    let current = OrganizationRow::find(conn, id)?.map_or(0, |r| r.version);
    Ok(RegistryError::Stale { current })
}

/// Archives (hides, never deletes) an organization that has no active children.
pub fn archive(
    conn: &mut DbConnection,
    actor: &Actor,
    raw: &str,
    expected_versions: Option<&[i64]>,
) -> Result<OrganizationRow, RegistryError> {
    write_transaction(conn, |conn| {
        let row = load(conn, raw)?;
        permissions::require_can_write_registry(
            &actor.user,
            Some(&row.path),
            "organization.archive",
        )
        .map_err(|d| d.on("organization", row.id.clone()))?;
        check_version(&row, expected_versions)?;
        if row.is_archived() {
            return Ok(row);
        }
        if OrganizationRow::has_active_children(conn, &row.id)? {
            return Err(RegistryError::HasActiveChildren);
        }
        let now = now();
        if !OrganizationRow::set_archived(conn, &row.id, row.version, Some(now), now)? {
            return Err(stale(conn, &row.id)?);
        }
        let archived = reload(conn, &row.id)?;
        audit_change(conn, actor, "organization.archive", Some(&row), &archived)?;
        Ok(archived)
    })
}

/// Brings an archived organization back; its parent must be active.
pub fn unarchive(
    conn: &mut DbConnection,
    actor: &Actor,
    raw: &str,
    expected_versions: Option<&[i64]>,
) -> Result<OrganizationRow, RegistryError> {
    write_transaction(conn, |conn| {
        let row = load(conn, raw)?;
        permissions::require_can_write_registry(
            &actor.user,
            Some(&row.path),
            "organization.unarchive",
        )
        .map_err(|d| d.on("organization", row.id.clone()))?;
        check_version(&row, expected_versions)?;
        if !row.is_archived() {
            return Ok(row);
        }
        if let Some(parent_id) = &row.parent_id {
            let parent = OrganizationRow::find(conn, parent_id)?;
            if parent.is_none_or(|p| p.is_archived()) {
                return Err(RegistryError::field(
                    "parent_id",
                    "the parent organization is archived: unarchive it first or move this one",
                ));
            }
        }
        if !OrganizationRow::set_archived(conn, &row.id, row.version, None, now())? {
            return Err(stale(conn, &row.id)?);
        }
        let restored = reload(conn, &row.id)?;
        audit_change(conn, actor, "organization.unarchive", Some(&row), &restored)?;
        Ok(restored)
    })
}
