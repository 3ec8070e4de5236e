//! Planning: which reminders are due. A pure function of the time, the units with
//! their statuses, deadlines and contacts, the schedule, and what was already planned.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::policy::{Schedule, Stage};
use crate::domain::contact::parse_email;
use crate::domain::status::Status;

/// Someone who may be written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: Option<String>,
    /// As stored; may be missing or invalid.
    pub email: Option<String>,
}

/// The role a recipient plays for a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    ItHead,
    Head,
    ParentItHead,
    Coordinator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ItHead => "it_head",
            Self::Head => "head",
            Self::ParentItHead => "parent_it_head",
            Self::Coordinator => "coordinator",
        }
    }
}

/// One unit of a rollout, as planning needs it.
#[derive(Debug, Clone)]
pub struct Unit {
    pub rollout: String,
    pub organization_id: String,
    pub status: Status,
    pub deadline: NaiveDate,
    pub schedule: Schedule,
    pub it_head: Contact,
    pub head: Contact,
    pub parent_it_head: Option<Contact>,
    /// Coordinators whose scope covers the unit.
    pub coordinators: Vec<Contact>,
}

/// A reminder to enqueue (or, with `skip_reason`, to record as skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub rollout: String,
    pub organization_id: String,
    pub stage: String,
    pub role: Role,
    /// Normalized; empty when the unit has no address for the role.
    pub email: String,
    pub name: Option<String>,
    pub escalation: bool,
    pub deadline: NaiveDate,
    /// Why nothing can be sent (missing or invalid address).
    pub skip_reason: Option<String>,
}

/// What was planned before: (rollout, organization, stage, role, email).
pub type Planned5 = (String, String, String, &'static str, String);

/// The reminders due on Almaty date `today`, leaving out what `already` holds.
pub fn plan(units: &[Unit], today: NaiveDate, already: &HashSet<Planned5>) -> Vec<Planned> {
    let mut out = Vec::new();
    for unit in units {
        if unit.status.is_settled() {
            continue;
        }
        let days_left = (unit.deadline - today).num_days();
        let Some(stage) = unit.schedule.stage(days_left) else {
            continue;
        };
        let overdue = match stage {
            Stage::Overdue(_) => -days_left,
            Stage::Before(_) => 0,
        };
        let audience = unit.schedule.audience(overdue);
        let mut recipients: Vec<(Role, &Contact)> = vec![(Role::ItHead, &unit.it_head)];
        if audience.head {
            recipients.push((Role::Head, &unit.head));
        }
        if audience.parent_and_coordinators {
            if let Some(parent) = &unit.parent_it_head {
                recipients.push((Role::ParentItHead, parent));
            }
            recipients.extend(unit.coordinators.iter().map(|c| (Role::Coordinator, c)));
        }
        let stage = stage.key();
        let mut seen = HashSet::new();
        for (role, contact) in recipients {
            let (email, skip_reason) = match contact
                .email
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty())
            {
                None => (
                    String::new(),
                    Some(format!(
                        "no {} email address in the registry",
                        role.as_str()
                    )),
                ),
                Some(raw) => match parse_email(raw) {
                    Ok(email) => (email, None),
                    Err(_) => (
                        raw.to_owned(),
                        Some(format!(
                            "the {} email address '{raw}' is invalid",
                            role.as_str()
                        )),
                    ),
                },
            };
            // One person in two roles for the same unit gets it once.
            if skip_reason.is_none() && !seen.insert(email.clone()) {
                continue;
            }
            let key = (
                unit.rollout.clone(),
                unit.organization_id.clone(),
                stage.clone(),
                role.as_str(),
                email.clone(),
            );
            if already.contains(&key) {
                continue;
            }
            out.push(Planned {
                rollout: unit.rollout.clone(),
                organization_id: unit.organization_id.clone(),
                stage: stage.clone(),
                role,
                email,
                name: contact.name.clone(),
                escalation: role != Role::ItHead,
                deadline: unit.deadline,
                skip_reason,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(email: &str) -> Contact {
        Contact {
            name: Some("X".into()),
            email: Some(email.into()).filter(|e: &String| !e.is_empty()),
        }
    }

    fn unit(status: Status, deadline: NaiveDate) -> Unit {
        Unit {
            rollout: "aitu".into(),
            organization_id: "o1".into(),
            status,
            deadline,
            schedule: Schedule::default(),
            it_head: contact("it@a.kz"),
            head: contact("head@a.kz"),
            parent_it_head: Some(contact("it@parent.kz")),
            coordinators: vec![contact("coord@mdai.kz")],
        }
    }

    fn date(d: &str) -> NaiveDate {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
    }

    fn who(planned: &[Planned]) -> Vec<(String, &'static str, String)> {
        planned
            .iter()
            .map(|p| (p.stage.clone(), p.role.as_str(), p.email.clone()))
            .collect()
    }

    #[test]
    fn nothing_is_due_before_the_first_stage_or_for_settled_units() {
        let deadline = date("2025-09-15");
        assert!(plan(
            &[unit(Status::InProgress, deadline)],
            date("2025-08-31"),
            &HashSet::new()
        )
        .is_empty());
        for status in [Status::Migrated, Status::Verified, Status::Exempt] {
            assert!(plan(
                &[unit(status, deadline)],
                date("2025-09-20"),
                &HashSet::new()
            )
            .is_empty());
        }
    }

    #[test]
    fn before_the_deadline_only_the_it_head_is_written_to() {
        let planned = plan(
            &[unit(Status::NotStarted, date("2025-09-15"))],
            date("2025-09-01"),
            &HashSet::new(),
        );
        assert_eq!(
            who(&planned),
            [("before-14".into(), "it_head", "it@a.kz".into())]
        );
        assert!(!planned[0].escalation);
    }

    #[test]
    fn escalation_adds_the_head_then_the_parent_and_coordinators() {
        let u = unit(Status::InProgress, date("2025-09-15"));
        let day = |d: &str| who(&plan(std::slice::from_ref(&u), date(d), &HashSet::new()));
        assert_eq!(
            day("2025-09-16"),
            [("overdue-1".into(), "it_head", "it@a.kz".into())]
        );
        assert_eq!(day("2025-09-22").len(), 2, "7 days overdue: head added");
        let fourteen = day("2025-09-29");
        assert_eq!(fourteen.len(), 4);
        assert!(fourteen.iter().all(|(stage, _, _)| stage == "overdue-13"));
    }

    #[test]
    fn what_was_planned_is_not_planned_again() {
        let u = unit(Status::NotStarted, date("2025-09-15"));
        let first = plan(
            std::slice::from_ref(&u),
            date("2025-09-08"),
            &HashSet::new(),
        );
        let already: HashSet<Planned5> = first
            .iter()
            .map(|p| {
                (
                    p.rollout.clone(),
                    p.organization_id.clone(),
                    p.stage.clone(),
                    p.role.as_str(),
                    p.email.clone(),
                )
            })
            .collect();
        assert!(
            plan(std::slice::from_ref(&u), date("2025-09-09"), &already).is_empty(),
            "same stage the next day"
        );
        assert_eq!(
            plan(std::slice::from_ref(&u), date("2025-09-12"), &already)[0].stage,
            "before-3"
        );
    }

    #[test]
    fn missing_and_invalid_addresses_are_skipped_with_a_reason() {
        let mut u = unit(Status::NotStarted, date("2025-09-15"));
        u.it_head = contact("");
        let planned = plan(
            std::slice::from_ref(&u),
            date("2025-09-14"),
            &HashSet::new(),
        );
        assert_eq!(
            planned[0].skip_reason.as_deref(),
            Some("no it_head email address in the registry")
        );
        u.it_head = contact("not an email");
        let planned = plan(&[u], date("2025-09-14"), &HashSet::new());
        assert!(planned[0]
            .skip_reason
            .as_deref()
            .unwrap()
            .contains("invalid"));
    }

    #[test]
    fn one_person_in_two_roles_is_written_to_once() {
        let mut u = unit(Status::NotStarted, date("2025-09-01"));
        u.head = contact("IT@a.kz");
        let planned = plan(&[u], date("2025-09-10"), &HashSet::new());
        assert_eq!(planned.len(), 1);
    }
}
