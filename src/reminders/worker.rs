//! Running the reminder engine: one pass plans what is due and delivers the outbox.
//! [`Engine::run_pass`] is the step function (tests call it with any clock); the
//! scheduler in `serve` calls [`Engine::run_scheduled`] every `reminders.interval`.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use lettre::message::Mailbox;
use serde::Serialize;

use super::email::{render_reminder, ReminderContent, UnitLine};
use super::outbox::{self, MessageRow};
use super::plan::{self, Planned};
use super::policy::{ReminderSettings, Schedule, Window};
use super::transport::{Mailer, SendError};
use crate::db::{DbConnection, Pool};
use crate::domain::deadline::almaty_date;
use crate::domain::status::Status;
use crate::rollout::model::RolloutRow;
use crate::rollout::service::Rollout;

/// Everything a pass needs.
#[derive(Clone)]
pub struct Engine {
    pub pool: Pool,
    pub mailer: Mailer,
    pub schedule: Schedule,
    pub window: Window,
    pub settings: ReminderSettings,
    /// Links in emails point here: `<public_url>/organizations/<BIN>`.
    pub public_url: String,
    /// Names this process in leases and slots.
    pub instance: String,
    /// Set when the process stops; shared by every clone.
    pub stop: Stop,
}

/// Asks running passes to end: each delivery worker finishes the message in hand and
/// takes no other, leaving the rest queued for the next pass (of this instance or
/// another). Without it, stopping the service during a large pass waited for the
/// whole pass: minutes for 100,000 overdue units.
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    pub fn request(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn requested(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What a pass should do.
#[derive(Debug, Clone, Copy, Default)]
pub struct PassOptions {
    /// Plan only: report what would be enqueued; write and send nothing.
    pub dry_run: bool,
    /// Send even outside the window (an operator's decision).
    pub ignore_window: bool,
    /// Skip planning: only deliver what is queued (another instance planned this slot).
    pub deliver_only: bool,
}

/// One reminder a pass planned (or would plan).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlannedReminder {
    pub rollout: String,
    pub organization_id: String,
    pub stage: String,
    /// it_head, head, parent_it_head or coordinator.
    pub recipient_role: String,
    pub recipient_email: String,
    pub escalation: bool,
    pub deadline: chrono::NaiveDate,
    /// Set when nothing can be sent (no or an invalid address).
    pub skip_reason: Option<String>,
}

impl From<&Planned> for PlannedReminder {
    fn from(p: &Planned) -> Self {
        Self {
            rollout: p.rollout.clone(),
            organization_id: p.organization_id.clone(),
            stage: p.stage.clone(),
            recipient_role: p.role.as_str().to_owned(),
            recipient_email: p.email.clone(),
            escalation: p.escalation,
            deadline: p.deadline,
            skip_reason: p.skip_reason.clone(),
        }
    }
}

/// What a pass did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct PassReport {
    /// Whether the sending window was open (or ignored).
    pub window_open: bool,
    /// When the window opens next, if it was closed.
    pub next_opening: Option<DateTime<Utc>>,
    pub planned: u64,
    pub queued: u64,
    pub skipped: u64,
    /// Items left for tomorrow: their recipient already had today's email.
    pub deferred: u64,
    pub sent: u64,
    pub failed: u64,
    /// Messages that failed for now and wait for another try.
    pub retrying: u64,
    /// Messages dropped because every unit in them reported done meanwhile.
    pub cancelled: u64,
    /// With `dry_run`: the reminders that would be planned.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub preview: Vec<PlannedReminder>,
}

/// How one claimed message ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent { message_id: String },
    Retrying { error: String },
    Failed { error: String },
    Cancelled,
}

/// SMTP replies that mean "the service is misconfigured" rather than "this message is
/// refused": they are retried, so fixing the password delivers the backlog.
const CONFIGURATION_REPLIES: [u16; 4] = [530, 534, 535, 538];

impl Engine {
    pub fn new(
        pool: Pool,
        settings: &crate::config::Settings,
        instance: String,
    ) -> anyhow::Result<Self> {
        let mailer = Mailer::from_settings(&settings.mail).map_err(|e| anyhow::anyhow!("{e}"))?;
        if settings.mail.pool_size < settings.reminders.delivery_workers as u32 {
            // lettre caps idle connections only: extra workers open and close one per message.
            log::warn!(
                "mail.pool_size ({}) is below reminders.delivery_workers ({}): SMTP connections will churn",
                settings.mail.pool_size,
                settings.reminders.delivery_workers
            );
        }
        Ok(Self {
            pool,
            mailer,
            schedule: Schedule::from_settings(&settings.reminders),
            window: Window::from_settings(&settings.reminders).map_err(anyhow::Error::msg)?,
            settings: settings.reminders.clone(),
            public_url: settings.public_url.trim_end_matches('/').to_owned(),
            instance,
            stop: Stop::default(),
        })
    }

    /// Plans what is due on `now`'s Almaty date (no writes).
    pub fn plan(
        &self,
        conn: &mut DbConnection,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<Planned>> {
        let today = almaty_date(now);
        let mut planned = Vec::new();
        for row in RolloutRow::list(conn)? {
            if row.starts_on > today {
                continue;
            }
            let rollout = Rollout::load(conn, &row.slug).map_err(|e| anyhow::anyhow!("{e}"))?;
            let schedule = self.schedule.with(&rollout.policy_override());
            let units = outbox::load_units(conn, &rollout, &schedule, today)?;
            let already = outbox::already_planned(conn, &rollout.row.slug, &units)?;
            planned.extend(plan::plan(&units, today, &already));
        }
        Ok(planned)
    }

    /// One pass: plan and enqueue what is due, then deliver every due message.
    pub fn run_pass(&self, now: DateTime<Utc>, options: PassOptions) -> anyhow::Result<PassReport> {
        let mut report = PassReport {
            window_open: options.ignore_window || self.window.is_open(now),
            ..Default::default()
        };
        if !report.window_open {
            report.next_opening = self.window.next_opening(now);
            if !options.dry_run {
                return Ok(report);
            }
        }
        let mut conn = self.pool.get()?;
        if !options.deliver_only {
            let planned = self.plan(&mut conn, now)?;
            report.planned = planned.len() as u64;
            if options.dry_run {
                report.preview = planned.iter().map(PlannedReminder::from).collect();
                return Ok(report);
            }
            if self.stop.requested() {
                return Ok(report);
            }
            let enqueued = outbox::enqueue(&mut conn, &planned, almaty_date(now), now.naive_utc())?;
            report.queued = enqueued.queued;
            report.skipped = enqueued.skipped;
            report.deferred = enqueued.deferred;
        }
        drop(conn);
        // Several workers deliver side by side: each SMTP exchange waits on the network,
        // and leases keep them (and other instances) from sending a message twice.
        let workers = self.settings.delivery_workers.max(1);
        let outcomes: Vec<anyhow::Result<Vec<Delivery>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        while !self.stop.requested() {
                            match self.deliver_next(now)? {
                                Some(delivery) => done.push(delivery),
                                None => break,
                            }
                        }
                        Ok(done)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("a delivery worker panicked")))
                })
                .collect()
        });
        for outcome in outcomes {
            for delivery in outcome? {
                match delivery {
                    Delivery::Sent { .. } => report.sent += 1,
                    Delivery::Retrying { .. } => report.retrying += 1,
                    Delivery::Failed { .. } => report.failed += 1,
                    Delivery::Cancelled => report.cancelled += 1,
                }
            }
        }
        Ok(report)
    }

    /// A scheduled pass: only the first instance to record this slot plans it; every
    /// instance delivers (leases keep each message to one sender).
    pub fn run_scheduled(&self, now: DateTime<Utc>) -> anyhow::Result<PassReport> {
        let interval = self.settings.interval.max(1) as i64;
        let slot = format!("{}", now.timestamp().div_euclid(interval) * interval);
        let first = {
            let mut conn = self.pool.get()?;
            outbox::take_slot(&mut conn, &slot, &self.instance, now.naive_utc())?
        };
        self.run_pass(
            now,
            PassOptions {
                deliver_only: !first,
                ..Default::default()
            },
        )
    }

    /// Claims, sends and records one due message; `None` when nothing is due.
    pub fn deliver_next(&self, now: DateTime<Utc>) -> anyhow::Result<Option<Delivery>> {
        let lease = now.naive_utc() + Duration::seconds(self.settings.lease_seconds);
        let mut conn = self.pool.get()?;
        let Some(message) = outbox::claim_next(&mut conn, &self.instance, now.naive_utc(), lease)?
        else {
            return Ok(None);
        };
        let built = self.build(&mut conn, &message, now)?;
        let Some(email) = built else {
            outbox::finish(
                &mut conn,
                &message.id,
                "cancelled",
                None,
                None,
                message.attempts,
                now.naive_utc(),
            )?;
            return Ok(Some(Delivery::Cancelled));
        };
        // Sent outside any transaction and without holding a connection.
        drop(conn);
        let outcome = self.mailer.send(&email);
        let mut conn = self.pool.get()?;
        let attempts = message.attempts + 1;
        let delivery = match outcome {
            Ok(delivered) => {
                outbox::finish(
                    &mut conn,
                    &message.id,
                    "sent",
                    Some(&delivered.message_id),
                    None,
                    attempts,
                    now.naive_utc(),
                )?;
                log::info!(
                    "reminder sent to {} ({})",
                    message.recipient_email,
                    delivered.message_id
                );
                Delivery::Sent {
                    message_id: delivered.message_id,
                }
            }
            Err(error) => self.record_failure(&mut conn, &message, attempts, &error, now)?,
        };
        Ok(Some(delivery))
    }

    fn record_failure(
        &self,
        conn: &mut DbConnection,
        message: &MessageRow,
        attempts: i32,
        error: &SendError,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Delivery> {
        let text = error.to_string();
        let configuration = error
            .reply()
            .is_some_and(|r| CONFIGURATION_REPLIES.contains(&r.code));
        if (error.is_permanent() && !configuration) || attempts >= self.settings.max_attempts {
            log::error!(
                "reminder to {} failed for good: {text}",
                message.recipient_email
            );
            outbox::finish(
                conn,
                &message.id,
                "failed",
                None,
                Some(&text),
                attempts,
                now.naive_utc(),
            )?;
            return Ok(Delivery::Failed { error: text });
        }
        // 1, 2, 4, ... times the base delay, at most a day.
        let factor = 1i64 << (attempts - 1).clamp(0, 20);
        let wait = (self.settings.retry_after_seconds.saturating_mul(factor)).min(86_400);
        let next = now.naive_utc() + Duration::seconds(wait);
        log::warn!(
            "reminder to {} failed (attempt {attempts}), retrying in {wait} s: {text}",
            message.recipient_email
        );
        outbox::retry_later(conn, &message.id, attempts, next, &text, now.naive_utc())?;
        Ok(Delivery::Retrying { error: text })
    }

    /// Renders a claimed message from the current data; `None` if no unit still needs it.
    fn build(
        &self,
        conn: &mut DbConnection,
        message: &MessageRow,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<lettre::Message>> {
        let today = almaty_date(now);
        let items = outbox::message_items(conn, &message.id)?;
        let mut settled = Vec::new();
        let mut units = Vec::new();
        let mut rollouts = HashSet::new();
        for (item, org, status) in &items {
            let Some(status) = status.as_ref().filter(|s| {
                !Status::parse(&s.status).is_ok_and(Status::is_settled) && org.archived_at.is_none()
            }) else {
                settled.push(item.id.clone());
                continue;
            };
            rollouts.insert(item.rollout_slug.clone());
            units.push(UnitLine {
                name_kk: org.name_kk.clone(),
                name_ru: org.name_ru.clone(),
                bin: org.bin.clone(),
                deadline: status.deadline,
                days_left: (status.deadline - today).num_days(),
                status: status.status.clone(),
                accounts_active: status.accounts_active,
                headcount: org.headcount,
                link: format!("{}/organizations/{}", self.public_url, org.bin),
            });
        }
        if !settled.is_empty() {
            outbox::cancel_items(conn, &message.id, &settled, now.naive_utc())?;
        }
        if units.is_empty() {
            return Ok(None);
        }
        let slug = rollouts.into_iter().min().unwrap_or_default();
        let rollout = Rollout::load(conn, &slug).map_err(|e| anyhow::anyhow!("{e}"))?;
        let schedule = self.schedule.with(&rollout.policy_override());
        let content = ReminderContent {
            recipient_name: message.recipient_name.clone(),
            escalation: message.escalation,
            units,
            coordinator_contact: schedule.coordinator_contact.clone(),
            rollout_title_kk: rollout.row.title_kk.clone(),
            rollout_title_ru: rollout.row.title_ru.clone(),
        };
        let to = Mailbox::new(
            message.recipient_name.clone(),
            message
                .recipient_email
                .parse()
                .map_err(|e| anyhow::anyhow!("recipient {}: {e}", message.recipient_email))?,
        );
        let email = render_reminder(
            &content,
            self.mailer.from_mailbox(),
            self.mailer.reply_to(),
            &to,
        )?;
        Ok(Some(email))
    }
}

/// Runs scheduled passes every `reminders.interval` until the process stops.
pub async fn run_scheduler(engine: Engine) {
    let mut ticker = tokio::time::interval(StdDuration::from_secs(engine.settings.interval.max(1)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if engine.stop.requested() {
            return;
        }
        let engine = engine.clone();
        match actix_web::web::block(move || engine.run_scheduled(Utc::now())).await {
            Ok(Ok(report)) if report.queued + report.sent + report.failed + report.retrying > 0 => {
                log::info!(
                    "reminders: {} queued, {} sent, {} retrying, {} failed, {} skipped",
                    report.queued,
                    report.sent,
                    report.retrying,
                    report.failed,
                    report.skipped
                )
            }
            Ok(Ok(_)) => {}
            Ok(Err(error)) => log::error!("reminder pass failed: {error:#}"),
            Err(error) => log::error!("reminder pass could not run: {error}"),
        }
    }
}
