//! Migration status of an organization in a rollout, and who may move it where.

use serde::{Deserialize, Serialize};

/// Where an organization stands in a rollout.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotStarted,
    InProgress,
    /// Reported complete by the organization.
    Migrated,
    /// Confirmed (or marked directly) by a coordinator.
    Verified,
    /// Not applicable, with a reason.
    Exempt,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Self::NotStarted,
        Self::InProgress,
        Self::Migrated,
        Self::Verified,
        Self::Exempt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::InProgress => "in_progress",
            Self::Migrated => "migrated",
            Self::Verified => "verified",
            Self::Exempt => "exempt",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                format!(
                    "unknown status '{raw}'; expected one of: not_started, in_progress, migrated, verified, exempt"
                )
            })
    }

    /// Migrated or verified: the work is done.
    pub fn is_done(self) -> bool {
        matches!(self, Self::Migrated | Self::Verified)
    }

    /// Done or exempt: nothing more is expected (no reminders, not overdue).
    pub fn is_settled(self) -> bool {
        self.is_done() || self == Self::Exempt
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of change an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// An IT head reported progress.
    Report,
    /// A coordinator confirmed a report, or marked the unit verified directly.
    Verify,
    /// A coordinator sent a report back (migrated → in_progress), with a reason.
    Reject,
    /// A coordinator exempted the unit, with a reason.
    Exempt,
    /// A coordinator undid a verification or exemption.
    Revert,
    /// Any other change by a coordinator.
    Mark,
    /// A bulk status import.
    Import,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Report => "report",
            Self::Verify => "verify",
            Self::Reject => "reject",
            Self::Exempt => "exempt",
            Self::Revert => "revert",
            Self::Mark => "mark",
            Self::Import => "import",
        }
    }
}

/// Who is changing a status, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reporter {
    /// Reports for its own organizations.
    ItHead,
    /// Coordinators and admins: any change.
    Coordinator,
}

/// Why a status change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// Not this reporter's to make: a 403.
    #[error("{0}")]
    NotAllowed(String),
    /// Allowed, but a reason must be given: a 422 on `reason`.
    #[error("{0}")]
    ReasonRequired(String),
}

/// Checks a change from `from` to `to` and names the kind of event it is.
pub fn check_transition(
    reporter: Reporter,
    from: Status,
    to: Status,
    reason: Option<&str>,
) -> Result<EventKind, TransitionError> {
    let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
    match reporter {
        Reporter::ItHead => {
            if matches!(from, Status::Verified | Status::Exempt) {
                return Err(TransitionError::NotAllowed(format!(
                    "the unit is {from}: only a coordinator can change it now"
                )));
            }
            if matches!(to, Status::Verified | Status::Exempt) {
                return Err(TransitionError::NotAllowed(format!(
                    "only a coordinator can set {to}; report migrated and a coordinator will verify it"
                )));
            }
            Ok(EventKind::Report)
        }
        Reporter::Coordinator => {
            if to == Status::Exempt {
                if !has_reason {
                    return Err(TransitionError::ReasonRequired(
                        "exempting a unit needs a reason".into(),
                    ));
                }
                return Ok(EventKind::Exempt);
            }
            if from == Status::Migrated && to == Status::InProgress {
                if !has_reason {
                    return Err(TransitionError::ReasonRequired(
                        "rejecting a report needs a reason the IT head can act on".into(),
                    ));
                }
                return Ok(EventKind::Reject);
            }
            if to == Status::Verified {
                return Ok(EventKind::Verify);
            }
            if matches!(from, Status::Verified | Status::Exempt) {
                return Ok(EventKind::Revert);
            }
            Ok(EventKind::Mark)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn it_heads_move_between_the_first_three_statuses_only() {
        for from in [NotStarted, InProgress, Migrated] {
            for to in [NotStarted, InProgress, Migrated] {
                assert_eq!(
                    check_transition(Reporter::ItHead, from, to, None),
                    Ok(EventKind::Report)
                );
            }
            for to in [Verified, Exempt] {
                assert!(matches!(
                    check_transition(Reporter::ItHead, from, to, Some("x")),
                    Err(TransitionError::NotAllowed(_))
                ));
            }
        }
        for from in [Verified, Exempt] {
            for to in Status::ALL {
                assert!(check_transition(Reporter::ItHead, from, to, None).is_err());
            }
        }
    }

    #[test]
    fn coordinators_may_do_anything_with_reasons_where_needed() {
        use EventKind as K;
        let c = Reporter::Coordinator;
        assert_eq!(check_transition(c, Migrated, Verified, None), Ok(K::Verify));
        assert_eq!(
            check_transition(c, NotStarted, Verified, None),
            Ok(K::Verify)
        );
        assert!(matches!(
            check_transition(c, Migrated, InProgress, None),
            Err(TransitionError::ReasonRequired(_))
        ));
        assert!(matches!(
            check_transition(c, Migrated, InProgress, Some("  ")),
            Err(TransitionError::ReasonRequired(_))
        ));
        assert_eq!(
            check_transition(c, Migrated, InProgress, Some("no evidence")),
            Ok(K::Reject)
        );
        assert!(matches!(
            check_transition(c, InProgress, Exempt, None),
            Err(TransitionError::ReasonRequired(_))
        ));
        assert_eq!(
            check_transition(c, InProgress, Exempt, Some("liquidated")),
            Ok(K::Exempt)
        );
        assert_eq!(
            check_transition(c, Verified, InProgress, None),
            Ok(K::Revert)
        );
        assert_eq!(check_transition(c, Exempt, NotStarted, None), Ok(K::Revert));
        assert_eq!(
            check_transition(c, NotStarted, InProgress, None),
            Ok(K::Mark)
        );
    }

    #[test]
    fn statuses_round_trip_and_classify() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Ok(status));
        }
        assert!(Migrated.is_done() && Verified.is_done() && !Exempt.is_done());
        assert!(Exempt.is_settled() && !InProgress.is_settled());
        assert!(Status::parse("done").is_err());
    }
}
