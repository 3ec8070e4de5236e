//! A plausible history for the demo registry: most state bodies moved around the
//! 15 September 2025 deadline, some late, some still lagging; the quasi-public sector
//! and military units behind, with deadlines still ahead so reminders have work.

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{EventRow, NewEventRow, RolloutRow};
use super::service::{sync_rollout, Rollout};
use crate::db::schema::{organizations, rollouts, statuses};
use crate::db::{write_transaction, DbConnection};
use crate::domain::deadline::almaty_date;
use crate::domain::status::Status;

/// A small deterministic generator (SplitMix64), so every demo start looks the same.
struct Dice(u64);

impl Dice {
    fn new(seed: &str) -> Self {
        Self(seed.bytes().fold(0x9E37_79B9_7F4A_7C15, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
        }))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A moment on a day in `from..=to`, during Almaty working hours.
    fn moment(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDateTime {
        let span = (to - from).num_days().max(0) as u64;
        let day = from + Duration::days(self.below(span + 1) as i64);
        // 09:00–18:00 Almaty is 04:00–13:00 UTC.
        day.and_hms_opt(4 + self.below(9) as u32, self.below(60) as u32, 0)
            .unwrap_or_default()
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Gives the `aitu` rollout its later deadlines and the registry a history.
pub fn load_demo_history(conn: &mut DbConnection) -> anyhow::Result<usize> {
    write_transaction(conn, |conn| {
        let now = Utc::now();
        let today = almaty_date(now);
        let quasi_deadline = today + Duration::days(12);
        let military_deadline = today + Duration::days(75);
        RolloutRow::replace_deadlines(
            conn,
            "aitu",
            &[
                ("central_state_body", date(2025, 9, 15)),
                ("departmental_body", date(2025, 9, 15)),
                ("territorial_body", date(2025, 9, 15)),
                ("local_executive_body", date(2025, 9, 15)),
                ("quasi_public_organization", quasi_deadline),
                ("military_unit", military_deadline),
            ]
            .map(|(kind, deadline)| super::model::KindDeadlineRow {
                rollout_slug: "aitu".into(),
                kind: kind.into(),
                deadline,
            }),
        )?;
        diesel::update(rollouts::table.find("aitu"))
            .set(rollouts::default_deadline.eq(date(2025, 9, 15)))
            .execute(conn)?;
        // The registry predates the rollout.
        let registered = date(2025, 7, 1).and_hms_opt(6, 0, 0).unwrap_or_default();
        diesel::update(organizations::table)
            .set((
                organizations::created_at.eq(registered),
                organizations::updated_at.eq(registered),
            ))
            .execute(conn)?;
        let rollout = Rollout::load(conn, "aitu").map_err(|e| anyhow::anyhow!("{e}"))?;
        sync_rollout(conn, &rollout)?;

        let units: Vec<(String, String, String, i64)> = organizations::table
            .filter(organizations::archived_at.is_null())
            .order(organizations::bin.asc())
            .select((
                organizations::id,
                organizations::bin,
                organizations::kind,
                organizations::headcount,
            ))
            .load(conn)?;
        let yesterday = today - Duration::days(1);
        let mut events: Vec<NewEventRow> = Vec::new();
        let mut finals = Vec::new();
        for (id, bin, kind, headcount) in units {
            let mut dice = Dice::new(&bin);
            let mut timeline: Vec<(NaiveDateTime, Status, i64)> = Vec::new();
            let share = |dice: &mut Dice, low: u64, high: u64| {
                headcount * (low + dice.below(high - low + 1)) as i64 / 100
            };
            let state_body = matches!(
                kind.as_str(),
                "central_state_body"
                    | "departmental_body"
                    | "territorial_body"
                    | "local_executive_body"
            );
            if state_body {
                let roll = dice.below(100);
                let started = dice.moment(date(2025, 8, 4), date(2025, 9, 5));
                if roll < 5 {
                    // Never started.
                } else if roll < 15 {
                    timeline.push((
                        dice.moment(date(2025, 8, 20), date(2025, 11, 20)),
                        Status::InProgress,
                        share(&mut dice, 5, 40),
                    ));
                } else {
                    timeline.push((started, Status::InProgress, share(&mut dice, 10, 50)));
                    let done = if roll < 30 {
                        dice.moment(date(2025, 9, 16), date(2025, 12, 20))
                    } else {
                        dice.moment(date(2025, 9, 1), date(2025, 9, 15))
                    };
                    let done = done.max(started + Duration::hours(1));
                    timeline.push((done, Status::Migrated, share(&mut dice, 75, 100)));
                    if dice.chance(65) {
                        let verified = done + Duration::days(1 + dice.below(20) as i64);
                        timeline.push((verified, Status::Verified, share(&mut dice, 85, 100)));
                    }
                }
            } else {
                let (done_pct, started_pct) = if kind == "military_unit" {
                    (10, 35)
                } else {
                    (30, 45)
                };
                let roll = dice.below(100);
                let from = date(2025, 10, 1).min(yesterday);
                if roll < done_pct + started_pct {
                    let started = dice.moment(from, yesterday);
                    timeline.push((started, Status::InProgress, share(&mut dice, 5, 45)));
                    if roll < done_pct {
                        let done = dice
                            .moment(started.date(), yesterday)
                            .max(started + Duration::hours(1));
                        timeline.push((done, Status::Migrated, share(&mut dice, 70, 100)));
                    }
                }
            }
            let mut from = Status::NotStarted;
            let mut completed_at = None;
            for (at, to, accounts) in &timeline {
                let at = (*at).min(now.naive_utc() - Duration::minutes(1));
                events.push(NewEventRow {
                    rollout_slug: "aitu".into(),
                    organization_id: id.clone(),
                    at,
                    actor_user_id: None,
                    actor_role: Some(
                        if *to == Status::Verified {
                            "coordinator"
                        } else {
                            "it_head"
                        }
                        .into(),
                    ),
                    event_kind: if *to == Status::Verified {
                        "verify"
                    } else {
                        "report"
                    }
                    .into(),
                    from_status: from.as_str().into(),
                    to_status: to.as_str().into(),
                    accounts_active: *accounts,
                    note: None,
                    reason: None,
                });
                if to.is_done() && completed_at.is_none() {
                    completed_at = Some(at);
                }
                from = *to;
            }
            if let Some((at, status, accounts)) = timeline.last() {
                finals.push((id, *status, *accounts, completed_at, *at));
            }
        }
        // Oldest first, so event ids follow time as they do in real use.
        events.sort_by_key(|e| e.at);
        EventRow::insert_many(conn, &events)?;
        let tally = super::tally::Deferred::begin(conn)?;
        for (id, status, accounts, completed_at, at) in &finals {
            diesel::update(statuses::table.find(("aitu", id)))
                .set((
                    statuses::status.eq(status.as_str()),
                    statuses::accounts_active.eq(accounts),
                    statuses::completed_at.eq(completed_at),
                    statuses::version.eq(statuses::version + 1),
                    statuses::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
        tally.finish(conn)?;
        Ok(events.len())
    })
}
