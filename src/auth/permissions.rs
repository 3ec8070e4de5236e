//! Every permission as one named check, called first in each handler. The checks
//! are pure: they look at the user and, where scope matters, the organization's path.

use super::{CurrentUser, Role};

/// A refused action, for the 403 answer and the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    /// What was attempted, e.g. `organization.update`.
    pub action: &'static str,
    pub reason: String,
    pub object_type: Option<&'static str>,
    pub object_id: Option<String>,
}

impl Denied {
    pub fn new(action: &'static str, reason: impl Into<String>) -> Self {
        Self {
            action,
            reason: reason.into(),
            object_type: None,
            object_id: None,
        }
    }

    pub fn on(mut self, object_type: &'static str, object_id: impl Into<String>) -> Self {
        self.object_type = Some(object_type);
        self.object_id = Some(object_id.into());
        self
    }
}

type Check = Result<(), Denied>;

fn allow_if(condition: bool, action: &'static str, reason: impl FnOnce() -> String) -> Check {
    if condition {
        Ok(())
    } else {
        Err(Denied::new(action, reason()))
    }
}

/// Users and other people's tokens.
pub fn require_admin(user: &CurrentUser, action: &'static str) -> Check {
    allow_if(user.role == Role::Admin, action, || {
        "only an admin may do this".into()
    })
}

/// Roles that may write the registry at all (scope is checked per organization).
pub fn require_registry_writer(user: &CurrentUser, action: &'static str) -> Check {
    require_can_write_registry(user, None, action).or_else(|denied| {
        if user.role == Role::Coordinator {
            Ok(())
        } else {
            Err(denied)
        }
    })
}

/// Creating, moving, archiving or editing any field of an organization at `path`
/// (for a new one: its parent's path; `None` for a root).
pub fn require_can_write_registry(
    user: &CurrentUser,
    path: Option<&str>,
    action: &'static str,
) -> Check {
    match user.role {
        Role::Admin => Ok(()),
        Role::Coordinator => match path {
            Some(path) => allow_if(user.covers(path), action, || {
                "this organization is outside your scope".into()
            }),
            None => allow_if(user.scope.is_none(), action, || {
                "a coordinator with a scope can only add organizations inside it".into()
            }),
        },
        Role::ItHead => Err(Denied::new(
            action,
            "an IT head may change only the contacts and headcount of its own organizations",
        )),
        Role::Observer => Err(Denied::new(action, "observers cannot change anything")),
    }
}

/// Editing the contacts and headcount of the organization at `path`.
pub fn require_can_edit_contacts(user: &CurrentUser, path: &str, action: &'static str) -> Check {
    match user.role {
        Role::Admin => Ok(()),
        Role::Coordinator | Role::ItHead => allow_if(user.covers(path), action, || {
            "this organization is outside your scope".into()
        }),
        Role::Observer => Err(Denied::new(action, "observers cannot change anything")),
    }
}

/// Roles that may edit contacts and headcount at all (scope is checked per organization).
pub fn require_contact_editor(user: &CurrentUser, action: &'static str) -> Check {
    allow_if(user.role != Role::Observer, action, || {
        "observers cannot change anything".into()
    })
}

/// Whether personal contact data of the organization at `path` may be shown.
pub fn can_see_contacts(user: &CurrentUser, path: &str) -> bool {
    match user.role {
        Role::Admin => true,
        Role::Coordinator | Role::ItHead => user.covers(path),
        Role::Observer => false,
    }
}

/// Bulk imports (scoped coordinators: every row must land inside the scope).
pub fn require_can_import(user: &CurrentUser) -> Check {
    allow_if(
        matches!(user.role, Role::Admin | Role::Coordinator),
        "organization.import",
        || "only coordinators and admins may import".into(),
    )
}

/// Exports carry contact data: coordinators (their scope) and admins.
pub fn require_can_export(user: &CurrentUser) -> Check {
    allow_if(
        matches!(user.role, Role::Admin | Role::Coordinator),
        "organization.export",
        || "only coordinators and admins may export the registry".into(),
    )
}

/// Reading the audit trail (coordinators see their scope).
pub fn require_can_read_audit(user: &CurrentUser) -> Check {
    allow_if(
        matches!(user.role, Role::Admin | Role::Coordinator),
        "audit.read",
        || "only coordinators and admins may read the audit trail".into(),
    )
}

/// Creating and changing rollouts: national decisions, so admins and coordinators
/// without a scope.
pub fn require_can_manage_rollouts(user: &CurrentUser, action: &'static str) -> Check {
    allow_if(
        user.role == Role::Admin || (user.role == Role::Coordinator && user.scope.is_none()),
        action,
        || "only admins and coordinators without a scope may manage rollouts".into(),
    )
}

/// Bulk status imports (rows outside a scoped coordinator's scope are refused).
pub fn require_can_import_statuses(user: &CurrentUser) -> Check {
    allow_if(
        matches!(user.role, Role::Admin | Role::Coordinator),
        "status.import",
        || "only coordinators and admins may import statuses".into(),
    )
}

/// Previewing and running reminders, and reading the reminder log (it has addresses).
pub fn require_can_run_reminders(user: &CurrentUser, action: &'static str) -> Check {
    allow_if(
        matches!(user.role, Role::Admin | Role::Coordinator),
        action,
        || "only coordinators and admins may see and run reminders".into(),
    )
}

/// Managing a token owned by `owner_id`: one's own, or anyone's for an admin.
pub fn require_can_manage_token(user: &CurrentUser, owner_id: &str, action: &'static str) -> Check {
    allow_if(
        user.role == Role::Admin || user.id == owner_id,
        action,
        || "this token belongs to someone else".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::{Scope, Via};
    use super::*;

    fn user(role: Role, scope: Option<&str>) -> CurrentUser {
        CurrentUser {
            id: "u".into(),
            email: "u@example.kz".into(),
            display_name: "U".into(),
            role,
            scope: scope.map(|p| Scope {
                organization_id: "s".into(),
                path: p.into(),
            }),
            via: Via::Token { id: "t".into() },
        }
    }

    #[test]
    fn scope_covers_the_subtree_only() {
        let coordinator = user(Role::Coordinator, Some("/a/"));
        assert!(require_can_write_registry(&coordinator, Some("/a/b/"), "x").is_ok());
        assert!(require_can_write_registry(&coordinator, Some("/a/"), "x").is_ok());
        assert!(require_can_write_registry(&coordinator, Some("/b/"), "x").is_err());
        assert!(require_can_write_registry(&coordinator, None, "x").is_err());
        let national = user(Role::Coordinator, None);
        assert!(require_can_write_registry(&national, None, "x").is_ok());
    }

    #[test]
    fn it_heads_edit_contacts_of_their_own_subtree_only() {
        let it_head = user(Role::ItHead, Some("/a/"));
        assert!(require_can_edit_contacts(&it_head, "/a/b/", "x").is_ok());
        assert!(require_can_edit_contacts(&it_head, "/c/", "x").is_err());
        assert!(require_can_write_registry(&it_head, Some("/a/b/"), "x").is_err());
        assert!(can_see_contacts(&it_head, "/a/b/"));
        assert!(!can_see_contacts(&it_head, "/c/"));
    }

    #[test]
    fn observers_see_no_contacts_and_change_nothing() {
        let observer = user(Role::Observer, None);
        assert!(!can_see_contacts(&observer, "/a/"));
        assert!(require_can_edit_contacts(&observer, "/a/", "x").is_err());
        assert!(require_can_export(&observer).is_err());
        assert!(require_can_read_audit(&observer).is_err());
    }
}
