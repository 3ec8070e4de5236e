//! Deadlines in Kazakhstan time: a unit is due by the end of its deadline day in
//! Asia/Almaty (UTC+5 all year since March 2024) and overdue from 00:00 the next day.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Asia::Almaty;

use super::status::Status;

/// The calendar date in Almaty at `now`.
pub fn almaty_date(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Almaty).date_naive()
}

/// The calendar date in Almaty of a stored UTC timestamp.
pub fn almaty_date_of(utc: NaiveDateTime) -> NaiveDate {
    almaty_date(Utc.from_utc_datetime(&utc))
}

/// The first UTC instant after `date` ends in Almaty: its next day's 00:00 local time.
pub fn end_of_almaty_day(date: NaiveDate) -> NaiveDateTime {
    let next = date
        .succ_opt()
        .unwrap_or(date)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    match Almaty.from_local_datetime(&next).earliest() {
        Some(local) => local.with_timezone(&Utc).naive_utc(),
        // Almaty has no DST gaps now; fall back to the fixed offset.
        None => next - Duration::hours(5),
    }
}

/// What the deadline means for a unit today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DeadlineFacts {
    /// Calendar days until the deadline (0 on the day, and once it has passed).
    pub days_left: i64,
    /// Calendar days since the deadline (0 until it has passed).
    pub days_overdue: i64,
    /// Not settled and past the deadline.
    pub overdue: bool,
    /// Not settled and within the warning window before the deadline (the day included).
    pub at_risk: bool,
    /// Done, but later than the deadline.
    pub completed_late: bool,
}

/// The facts for a unit with `deadline` and `status` on Almaty date `today`.
pub fn facts(
    deadline: NaiveDate,
    status: Status,
    completed_at: Option<NaiveDateTime>,
    today: NaiveDate,
    at_risk_days: i64,
) -> DeadlineFacts {
    let until = (deadline - today).num_days();
    let settled = status.is_settled();
    DeadlineFacts {
        days_left: until.max(0),
        days_overdue: (-until).max(0),
        overdue: !settled && until < 0,
        at_risk: !settled && (0..=at_risk_days).contains(&until),
        completed_late: status.is_done()
            && completed_at.is_some_and(|at| almaty_date_of(at) > deadline),
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

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_deadline_day_lasts_until_midnight_in_almaty() {
        let deadline = date("2025-09-15");
        // 23:59 Almaty on the deadline day is 18:59 UTC: still due, not overdue.
        let last_minute = almaty_date(utc("2025-09-15T18:59:59Z"));
        assert_eq!(last_minute, deadline);
        assert!(!facts(deadline, Status::InProgress, None, last_minute, 7).overdue);
        // 00:00 Almaty the next day is 19:00 UTC on the deadline day: overdue.
        let midnight = almaty_date(utc("2025-09-15T19:00:00Z"));
        assert_eq!(midnight, date("2025-09-16"));
        let f = facts(deadline, Status::InProgress, None, midnight, 7);
        assert!(f.overdue);
        assert_eq!(f.days_overdue, 1);
        assert_eq!(
            end_of_almaty_day(deadline),
            utc("2025-09-15T19:00:00Z").naive_utc()
        );
    }

    #[test]
    fn the_warning_window_includes_the_deadline_day() {
        let deadline = date("2025-09-15");
        let f = |today: &str| facts(deadline, Status::NotStarted, None, date(today), 7);
        assert!(!f("2025-09-07").at_risk);
        assert!(f("2025-09-08").at_risk);
        assert_eq!(f("2025-09-08").days_left, 7);
        assert!(f("2025-09-15").at_risk);
        assert!(!f("2025-09-16").at_risk);
    }

    #[test]
    fn settled_units_are_neither_overdue_nor_at_risk() {
        let deadline = date("2025-09-15");
        for status in [Status::Migrated, Status::Verified, Status::Exempt] {
            let f = facts(deadline, status, None, date("2025-10-01"), 7);
            assert!(!f.overdue && !f.at_risk, "{status}");
        }
    }

    #[test]
    fn completion_after_the_deadline_day_is_late() {
        let deadline = date("2025-09-15");
        let on_time = utc("2025-09-15T18:00:00Z").naive_utc();
        let late = utc("2025-09-15T19:30:00Z").naive_utc();
        let today = date("2025-10-01");
        assert!(!facts(deadline, Status::Migrated, Some(on_time), today, 7).completed_late);
        assert!(facts(deadline, Status::Verified, Some(late), today, 7).completed_late);
    }
}
