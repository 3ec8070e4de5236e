//! Creating and changing accounts and tokens: shared by the API and the CLI.

use chrono::{Duration, NaiveDateTime};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;

use super::model::{SessionRow, TokenRow, UserChanges, UserRow};
use super::{secret, Role};
use crate::audit::{self, AuditActor, AuditEntry, Outcome};
use crate::db::{write_transaction, DbConnection};
use crate::domain::contact::parse_email;
use crate::domain::FieldError;
use crate::registry::model::{OrgRef, OrganizationRow};
use crate::registry::service::now;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("a user with email {0} already exists")]
    DuplicateEmail(String),
    #[error("no user {0}")]
    NotFound(String),
    #[error("the user was changed by someone else: reload it and apply your change again")]
    Stale,
    #[error(transparent)]
    Database(#[from] DieselError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// What is needed to add a user.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: String,
    /// UUID or BIN of the scope organization.
    pub organization: Option<String>,
    /// `None`: generate one and hand it back once.
    pub password: Option<String>,
}

/// The account as shown by the API (never the password hash).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: uuid::Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// The organization whose subtree the user acts on; `null` means everything.
    pub scope_id: Option<uuid::Uuid>,
    pub active: bool,
    pub has_password: bool,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

fn utc(t: NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_naive_utc_and_offset(t, chrono::Utc)
}

impl From<&UserRow> for User {
    fn from(row: &UserRow) -> Self {
        Self {
            id: uuid::Uuid::parse_str(&row.id).unwrap_or_default(),
            email: row.email.clone(),
            display_name: row.display_name.clone(),
            role: Role::parse(&row.role).unwrap_or(Role::Observer),
            scope_id: row
                .scope_id
                .as_deref()
                .and_then(|s| uuid::Uuid::parse_str(s).ok()),
            active: row.active,
            has_password: row.password_hash.is_some(),
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

fn invalid(field: &str, message: impl Into<String>) -> AccountError {
    AccountError::Invalid(vec![FieldError::new(field, message)])
}

/// Resolves and checks a scope organization for `role`.
fn resolve_scope(
    conn: &mut DbConnection,
    role: Role,
    organization: Option<&str>,
) -> Result<Option<OrganizationRow>, AccountError> {
    let scope = match organization.map(str::trim).filter(|o| !o.is_empty()) {
        None => None,
        Some(raw) => {
            let org = OrgRef::parse(raw)
                .map(|r| OrganizationRow::find_by_ref(conn, &r))
                .transpose()?
                .flatten()
                .ok_or_else(|| {
                    invalid(
                        "organization",
                        format!("no organization with id or BIN '{raw}'"),
                    )
                })?;
            if org.is_archived() {
                return Err(invalid("organization", "the organization is archived"));
            }
            Some(org)
        }
    };
    match (role, &scope) {
        (Role::ItHead, None) => Err(invalid(
            "organization",
            "an it_head needs the organization it reports for",
        )),
        (Role::Admin, Some(_)) => Err(invalid("organization", "an admin has no scope")),
        _ => Ok(scope),
    }
}

fn check_display_name(name: &str) -> Result<String, AccountError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(invalid(
            "display_name",
            "is required (1 to 200 characters, one line)",
        ));
    }
    Ok(name.to_owned())
}

/// Adds a user; returns it and, if none was given, the generated password (shown once).
pub fn create_user(
    conn: &mut DbConnection,
    actor: &AuditActor,
    new: &NewUser,
) -> Result<(UserRow, Option<String>), AccountError> {
    let mut errors = Vec::new();
    let email = parse_email(&new.email)
        .map_err(|m| errors.push(FieldError::new("email", m)))
        .ok();
    let display_name = check_display_name(&new.display_name)
        .map_err(|e| {
            if let AccountError::Invalid(mut f) = e {
                errors.append(&mut f)
            }
        })
        .ok();
    let role = Role::parse(&new.role)
        .map_err(|m| errors.push(FieldError::new("role", m)))
        .ok();
    if let Some(password) = &new.password {
        if let Err(message) = secret::check_password_strength(password) {
            errors.push(FieldError::new("password", message));
        }
    }
    let (Some(email), Some(display_name), Some(role)) = (email, display_name, role) else {
        return Err(AccountError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AccountError::Invalid(errors));
    }
    let generated = new.password.is_none().then(secret::generate_password);
    let password = new
        .password
        .clone()
        .or_else(|| generated.clone())
        .unwrap_or_default();
    let hash = secret::hash_password(&password)?;
    write_transaction(conn, |conn| {
        let scope = resolve_scope(conn, role, new.organization.as_deref())?;
        if UserRow::find_by_email(conn, &email)?.is_some() {
            return Err(AccountError::DuplicateEmail(email.clone()));
        }
        let now = now();
        let row = UserRow {
            id: uuid::Uuid::now_v7().hyphenated().to_string(),
            email: email.clone(),
            display_name: display_name.clone(),
            role: role.as_str().to_owned(),
            scope_id: scope.as_ref().map(|s| s.id.clone()),
            active: true,
            password_hash: Some(hash.clone()),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        UserRow::insert(conn, &row).map_err(|e| match e {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                AccountError::DuplicateEmail(email.clone())
            }
            other => other.into(),
        })?;
        audit::record(
            conn,
            actor,
            AuditEntry::new("user.create", Outcome::Success)
                .object("user", row.id.clone())
                .change(None::<&()>, Some(&User::from(&row))),
        )?;
        Ok((row, generated.clone()))
    })
}

/// Changes to an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub display_name: Option<String>,
    pub role: Option<String>,
    /// `Some(None)` removes the scope.
    pub organization: Option<Option<String>>,
    pub active: Option<bool>,
    pub expected_version: Option<i64>,
}

/// Updates a user; deactivation ends its sessions at once (tokens stop working too,
/// since every request checks that the account is active).
pub fn update_user(
    conn: &mut DbConnection,
    actor: &AuditActor,
    id: &str,
    update: &UserUpdate,
) -> Result<UserRow, AccountError> {
    write_transaction(conn, |conn| {
        let row = UserRow::find(conn, id)?.ok_or_else(|| AccountError::NotFound(id.to_owned()))?;
        if update.expected_version.is_some_and(|v| v != row.version) {
            return Err(AccountError::Stale);
        }
        let display_name = match &update.display_name {
            Some(name) => check_display_name(name)?,
            None => row.display_name.clone(),
        };
        let role = match &update.role {
            Some(raw) => Role::parse(raw).map_err(|m| invalid("role", m))?,
            None => Role::parse(&row.role).unwrap_or(Role::Observer),
        };
        let scope_id = match &update.organization {
            Some(org) => resolve_scope(conn, role, org.as_deref())?.map(|o| o.id),
            None => {
                let current = row.scope_id.as_deref().map(|s| OrgRef::Id(s.to_owned()));
                match current {
                    Some(OrgRef::Id(id)) => resolve_scope(conn, role, Some(&id))?.map(|o| o.id),
                    _ => resolve_scope(conn, role, None)?.map(|o| o.id),
                }
            }
        };
        let changes = UserChanges {
            display_name,
            role: role.as_str().to_owned(),
            scope_id,
            active: update.active.unwrap_or(row.active),
        };
        let now = now();
        if !UserRow::update_if_version(conn, &row.id, row.version, &changes, now)? {
            return Err(AccountError::Stale);
        }
        if row.active && !changes.active {
            SessionRow::end_all_for_user(conn, &row.id, None, now)?;
        }
        let after = UserRow::find(conn, &row.id)?.ok_or(DieselError::NotFound)?;
        audit::record(
            conn,
            actor,
            AuditEntry::new("user.update", Outcome::Success)
                .object("user", row.id.clone())
                .change(Some(&User::from(&row)), Some(&User::from(&after))),
        )?;
        Ok(after)
    })
}

/// A token as the API shows it (never the secret, except once at creation).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Token {
    pub id: uuid::Uuid,
    pub user_id: uuid::Uuid,
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<&TokenRow> for Token {
    fn from(row: &TokenRow) -> Self {
        Self {
            id: uuid::Uuid::parse_str(&row.id).unwrap_or_default(),
            user_id: uuid::Uuid::parse_str(&row.user_id).unwrap_or_default(),
            name: row.name.clone(),
            prefix: row.prefix.clone(),
            created_at: utc(row.created_at),
            expires_at: row.expires_at.map(utc),
            last_used_at: row.last_used_at.map(utc),
            revoked_at: row.revoked_at.map(utc),
        }
    }
}

/// Longest token lifetime accepted, in days.
pub const MAX_TOKEN_DAYS: i64 = 3650;

/// Issues a token for `user_id`; returns it with the secret (shown once).
pub fn issue_token(
    conn: &mut DbConnection,
    actor: &AuditActor,
    user_id: &str,
    name: &str,
    expires_in_days: Option<i64>,
) -> Result<(TokenRow, String), AccountError> {
    let name = name.trim();
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "name",
            "is required (1 to 100 characters, one line)",
        ));
    }
    if expires_in_days.is_some_and(|d| !(1..=MAX_TOKEN_DAYS).contains(&d)) {
        errors.push(FieldError::new(
            "expires_in_days",
            format!("must be from 1 to {MAX_TOKEN_DAYS}"),
        ));
    }
    if !errors.is_empty() {
        return Err(AccountError::Invalid(errors));
    }
    write_transaction(conn, |conn| {
        let user = UserRow::find(conn, user_id)?
            .ok_or_else(|| invalid("user_id", format!("no user {user_id}")))?;
        if !user.active {
            return Err(invalid("user_id", "the account is deactivated"));
        }
        let secret_token = secret::new_token();
        let now = now();
        let row = TokenRow {
            id: uuid::Uuid::now_v7().hyphenated().to_string(),
            user_id: user.id.clone(),
            name: name.to_owned(),
            prefix: secret_token
                .chars()
                .take(secret::VISIBLE_PREFIX_LEN)
                .collect(),
            token_hash: secret::hash_secret(&secret_token),
            created_at: now,
            expires_at: expires_in_days.map(|d| now + Duration::days(d)),
            last_used_at: None,
            revoked_at: None,
        };
        TokenRow::insert(conn, &row)?;
        audit::record(
            conn,
            actor,
            AuditEntry::new("token.create", Outcome::Success)
                .object("token", row.id.clone())
                .change(None::<&()>, Some(&Token::from(&row))),
        )?;
        Ok((row, secret_token))
    })
}
