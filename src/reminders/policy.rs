//! The reminder schedule: stages before and after a deadline, escalation, and the
//! sending window. Pure: every rule here is a function of its inputs.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Asia::Almaty;
use serde::{Deserialize, Serialize};

/// The `[reminders]` configuration section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderSettings {
    pub enabled: bool,
    /// Seconds between scheduled passes.
    pub interval: u64,
    pub stages_before: Vec<i64>,
    pub overdue_every_days: i64,
    pub escalate_head_after_days: i64,
    pub escalate_parent_after_days: i64,
    /// Weekdays mails may go out: "mon" … "sun".
    pub window_days: Vec<String>,
    pub window_start: String,
    pub window_end: String,
    pub holidays: Vec<NaiveDate>,
    pub coordinator_contact: String,
    pub max_attempts: i32,
    pub retry_after_seconds: i64,
    pub lease_seconds: i64,
    /// Messages sent side by side in a pass (each holds one SMTP connection).
    pub delivery_workers: usize,
}

/// Per-rollout overrides of the schedule (JSON in the rollout's `reminder_policy`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyOverride {
    pub stages_before: Option<Vec<i64>>,
    pub overdue_every_days: Option<i64>,
    pub escalate_head_after_days: Option<i64>,
    pub escalate_parent_after_days: Option<i64>,
    pub coordinator_contact: Option<String>,
}

impl PolicyOverride {
    /// Checks the values; errors name the field.
    pub fn check(&self) -> Result<(), (String, String)> {
        let policy = Schedule::default().with(self);
        policy.check()
    }
}

/// The schedule of one rollout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Days before the deadline, largest first.
    pub stages_before: Vec<i64>,
    pub overdue_every_days: i64,
    pub escalate_head_after_days: i64,
    pub escalate_parent_after_days: i64,
    pub coordinator_contact: Option<String>,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            stages_before: vec![14, 7, 3, 1],
            overdue_every_days: 3,
            escalate_head_after_days: 7,
            escalate_parent_after_days: 14,
            coordinator_contact: None,
        }
    }
}

impl Schedule {
    pub fn from_settings(settings: &ReminderSettings) -> Self {
        let mut stages = settings.stages_before.clone();
        stages.sort_unstable_by(|a, b| b.cmp(a));
        stages.dedup();
        Self {
            stages_before: stages,
            overdue_every_days: settings.overdue_every_days,
            escalate_head_after_days: settings.escalate_head_after_days,
            escalate_parent_after_days: settings.escalate_parent_after_days,
            coordinator_contact: Some(settings.coordinator_contact.trim().to_owned())
                .filter(|c| !c.is_empty()),
        }
    }

    /// This schedule with a rollout's overrides applied.
    pub fn with(&self, o: &PolicyOverride) -> Self {
        let mut stages = o
            .stages_before
            .clone()
            .unwrap_or_else(|| self.stages_before.clone());
        stages.sort_unstable_by(|a, b| b.cmp(a));
        stages.dedup();
        Self {
            stages_before: stages,
            overdue_every_days: o.overdue_every_days.unwrap_or(self.overdue_every_days),
            escalate_head_after_days: o
                .escalate_head_after_days
                .unwrap_or(self.escalate_head_after_days),
            escalate_parent_after_days: o
                .escalate_parent_after_days
                .unwrap_or(self.escalate_parent_after_days),
            coordinator_contact: o
                .coordinator_contact
                .clone()
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .or_else(|| self.coordinator_contact.clone()),
        }
    }

    pub fn check(&self) -> Result<(), (String, String)> {
        if self.stages_before.iter().any(|d| !(0..=365).contains(d)) {
            return Err((
                "stages_before".into(),
                "days before the deadline must be from 0 to 365".into(),
            ));
        }
        if !(1..=365).contains(&self.overdue_every_days) {
            return Err(("overdue_every_days".into(), "must be from 1 to 365".into()));
        }
        if self.escalate_head_after_days < 1
            || self.escalate_parent_after_days < self.escalate_head_after_days
        {
            return Err((
                "escalate_parent_after_days".into(),
                "escalation days must be at least 1, the parent's no earlier than the head's"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The widest look-ahead: units further from their deadline need nothing yet.
    pub fn horizon_days(&self) -> i64 {
        self.stages_before.first().copied().unwrap_or(0)
    }

    /// The stage a unit is at, given calendar days until its deadline (negative when
    /// overdue); `None` when no reminder is due yet.
    ///
    /// Before the deadline it is the closest stage at or beyond `days_left` (a unit that
    /// comes in late gets the current stage, not every missed one); overdue it is every
    /// `overdue_every_days` days from the first overdue day.
    pub fn stage(&self, days_left: i64) -> Option<Stage> {
        if days_left >= 0 {
            // The deadline day belongs to the smallest stage.
            self.stages_before
                .iter()
                .rev()
                .find(|n| days_left <= **n)
                .map(|n| Stage::Before(*n))
        } else {
            let overdue = -days_left;
            let step = self.overdue_every_days.max(1);
            Some(Stage::Overdue((overdue - 1) / step * step + 1))
        }
    }

    /// Who gets a reminder at `days_overdue` (0 before the deadline).
    pub fn audience(&self, days_overdue: i64) -> Audience {
        Audience {
            head: days_overdue >= self.escalate_head_after_days,
            parent_and_coordinators: days_overdue >= self.escalate_parent_after_days,
        }
    }
}

/// A point of the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// N days (or fewer) before the deadline.
    Before(i64),
    /// N days overdue (the first day of a repeat).
    Overdue(i64),
}

impl Stage {
    pub fn key(self) -> String {
        match self {
            Self::Before(n) => format!("before-{n}"),
            Self::Overdue(n) => format!("overdue-{n}"),
        }
    }
}

/// Who besides the IT head is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Audience {
    pub head: bool,
    pub parent_and_coordinators: bool,
}

/// When emails may go out: weekdays and hours in Almaty, minus holidays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub days: Vec<Weekday>,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub holidays: Vec<NaiveDate>,
}

fn weekday(raw: &str) -> Option<Weekday> {
    match raw.trim().to_ascii_lowercase().get(..3)? {
        "mon" => Some(Weekday::Mon),
        "tue" => Some(Weekday::Tue),
        "wed" => Some(Weekday::Wed),
        "thu" => Some(Weekday::Thu),
        "fri" => Some(Weekday::Fri),
        "sat" => Some(Weekday::Sat),
        "sun" => Some(Weekday::Sun),
        _ => None,
    }
}

impl Window {
    pub fn from_settings(settings: &ReminderSettings) -> Result<Self, String> {
        let days = settings
            .window_days
            .iter()
            .map(|d| {
                weekday(d).ok_or_else(|| {
                    format!("reminders.window_days: '{d}' is not a weekday (mon … sun)")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let time = |key: &str, raw: &str| {
            NaiveTime::parse_from_str(raw.trim(), "%H:%M")
                .map_err(|_| format!("reminders.{key}: '{raw}' is not a time like 09:00"))
        };
        let start = time("window_start", &settings.window_start)?;
        let end = time("window_end", &settings.window_end)?;
        if end <= start {
            return Err("reminders.window_end must be after window_start".into());
        }
        Ok(Self {
            days,
            start,
            end,
            holidays: settings.holidays.clone(),
        })
    }

    /// Whether an email may go out at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        let local = now.with_timezone(&Almaty);
        let date = local.date_naive();
        let time = local.time();
        self.days.contains(&date.weekday())
            && !self.holidays.contains(&date)
            && time >= self.start
            && time < self.end
    }

    /// The next moment the window opens at or after `now` (within a year).
    pub fn next_opening(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.is_open(now) {
            return Some(now);
        }
        let local = now.with_timezone(&Almaty);
        let mut date = local.date_naive();
        for _ in 0..370 {
            let open_day = self.days.contains(&date.weekday()) && !self.holidays.contains(&date);
            let opening = date.and_time(self.start);
            if open_day && (date > local.date_naive() || local.time() < self.start) {
                use chrono::TimeZone;
                return Almaty
                    .from_local_datetime(&opening)
                    .earliest()
                    .map(|t| t.with_timezone(&Utc));
            }
            date = date.succ_opt()?;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn window() -> Window {
        Window {
            days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
            holidays: vec![NaiveDate::from_ymd_opt(2025, 12, 16).unwrap()],
        }
    }

    #[test]
    fn stages_before_the_deadline_pick_the_closest_one_reached() {
        let s = Schedule::default();
        assert_eq!(s.stage(15), None);
        assert_eq!(s.stage(14), Some(Stage::Before(14)));
        assert_eq!(s.stage(8), Some(Stage::Before(14)));
        assert_eq!(s.stage(7), Some(Stage::Before(7)));
        assert_eq!(s.stage(4), Some(Stage::Before(7)));
        assert_eq!(s.stage(3), Some(Stage::Before(3)));
        assert_eq!(s.stage(2), Some(Stage::Before(3)));
        assert_eq!(s.stage(1), Some(Stage::Before(1)));
        assert_eq!(
            s.stage(0),
            Some(Stage::Before(1)),
            "the deadline day itself"
        );
    }

    #[test]
    fn overdue_stages_repeat_every_few_days() {
        let s = Schedule::default();
        let keys: Vec<String> = (1..=8).map(|d| s.stage(-d).unwrap().key()).collect();
        assert_eq!(
            keys,
            [
                "overdue-1",
                "overdue-1",
                "overdue-1",
                "overdue-4",
                "overdue-4",
                "overdue-4",
                "overdue-7",
                "overdue-7"
            ]
        );
    }

    #[test]
    fn escalation_widens_the_audience_after_a_week_and_two() {
        let s = Schedule::default();
        assert_eq!(
            s.audience(6),
            Audience {
                head: false,
                parent_and_coordinators: false
            }
        );
        assert_eq!(
            s.audience(7),
            Audience {
                head: true,
                parent_and_coordinators: false
            }
        );
        assert_eq!(
            s.audience(14),
            Audience {
                head: true,
                parent_and_coordinators: true
            }
        );
    }

    #[test]
    fn overrides_replace_only_what_they_name() {
        let s = Schedule::default().with(&PolicyOverride {
            stages_before: Some(vec![2, 30]),
            ..Default::default()
        });
        assert_eq!(s.stages_before, [30, 2]);
        assert_eq!(s.overdue_every_days, 3);
        assert!(PolicyOverride {
            overdue_every_days: Some(0),
            ..Default::default()
        }
        .check()
        .is_err());
    }

    #[test]
    fn the_window_is_weekday_office_hours_in_almaty_without_holidays() {
        let w = window();
        // Monday 1 December 2025, 09:00 Almaty = 04:00 UTC.
        assert!(!w.is_open(utc("2025-12-01T03:59:00Z")));
        assert!(w.is_open(utc("2025-12-01T04:00:00Z")));
        assert!(w.is_open(utc("2025-12-01T12:59:00Z")));
        assert!(!w.is_open(utc("2025-12-01T13:00:00Z")));
        // Saturday, and the Independence Day holiday (Tuesday 16 December).
        assert!(!w.is_open(utc("2025-12-06T06:00:00Z")));
        assert!(!w.is_open(utc("2025-12-16T06:00:00Z")));
        assert_eq!(
            w.next_opening(utc("2025-12-05T14:00:00Z")),
            Some(utc("2025-12-08T04:00:00Z"))
        );
        assert_eq!(
            w.next_opening(utc("2025-12-15T13:30:00Z")),
            Some(utc("2025-12-17T04:00:00Z"))
        );
        assert_eq!(
            w.next_opening(utc("2025-12-01T02:00:00Z")),
            Some(utc("2025-12-01T04:00:00Z"))
        );
    }
}
