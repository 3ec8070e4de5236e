//! The outbox in the database: planned items, one message per recipient per day, and
//! the leases that let several workers (and instances) deliver each message once.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::plan::{Contact, Planned, Planned5, Unit};
use super::policy::Schedule;
use crate::db::schema::{
    organizations, reminder_items, reminder_messages, reminder_slots, statuses, users,
};
use crate::db::DbConnection;
use crate::domain::status::Status;
use crate::registry::model::OrganizationRow;
use crate::rollout::model::StatusRow;

#[derive(Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = reminder_messages)]
pub struct MessageRow {
    pub id: String,
    pub recipient_email: String,
    pub recipient_name: Option<String>,
    pub digest_date: NaiveDate,
    pub state: String,
    pub escalation: bool,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub claimed_by: Option<String>,
    pub message_id: Option<String>,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = reminder_items)]
pub struct ItemRow {
    pub id: String,
    pub rollout_slug: String,
    pub organization_id: String,
    pub stage: String,
    pub recipient_role: String,
    pub recipient_email: String,
    pub escalation: bool,
    pub message_id: Option<String>,
    pub state: String,
    pub reason: Option<String>,
    pub deadline: NaiveDate,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

const UNSETTLED: [&str; 2] = ["not_started", "in_progress"];

/// Units of `rollout` that may need a reminder on `today`: unsettled, active, with a
/// deadline no further than the schedule's horizon.
pub fn load_units(
    conn: &mut DbConnection,
    rollout: &crate::rollout::service::Rollout,
    schedule: &Schedule,
    today: NaiveDate,
) -> QueryResult<Vec<Unit>> {
    let horizon = today + chrono::Duration::days(schedule.horizon_days());
    let rows: Vec<(StatusRow, OrganizationRow)> = statuses::table
        .inner_join(organizations::table)
        .filter(statuses::rollout_slug.eq(&rollout.row.slug))
        .filter(statuses::status.eq_any(UNSETTLED))
        .filter(statuses::deadline.le(horizon))
        .filter(organizations::archived_at.is_null())
        .filter(organizations::kind.eq_any(rollout.kinds()))
        .select((StatusRow::as_select(), OrganizationRow::as_select()))
        .load(conn)?;
    let parent_ids: Vec<String> = rows
        .iter()
        .filter_map(|(_, o)| o.parent_id.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut parents: HashMap<String, Contact> = HashMap::new();
    for chunk in parent_ids.chunks(500) {
        let found: Vec<(String, Option<String>, Option<String>)> = organizations::table
            .filter(organizations::id.eq_any(chunk))
            .select((
                organizations::id,
                organizations::it_head_name,
                organizations::it_head_email,
            ))
            .load(conn)?;
        for (id, name, email) in found {
            parents.insert(id, Contact { name, email });
        }
    }
    // Coordinators with the path of their scope ("" for the whole registry).
    let coordinators: Vec<(String, String, Option<String>)> = users::table
        .left_join(organizations::table)
        .filter(users::role.eq("coordinator"))
        .filter(users::active.eq(true))
        .select((
            users::display_name,
            users::email,
            organizations::path.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(status, org)| Unit {
            rollout: rollout.row.slug.clone(),
            status: Status::parse(&status.status).unwrap_or(Status::NotStarted),
            deadline: status.deadline,
            schedule: schedule.clone(),
            it_head: Contact {
                name: org.it_head_name.clone(),
                email: org.it_head_email.clone(),
            },
            head: Contact {
                name: org.head_name.clone(),
                email: org.head_email.clone(),
            },
            parent_it_head: org.parent_id.as_ref().and_then(|p| parents.get(p).cloned()),
            coordinators: coordinators
                .iter()
                .filter(|(_, _, scope)| scope.as_deref().is_none_or(|s| org.path.starts_with(s)))
                .map(|(name, email, _)| Contact {
                    name: Some(name.clone()),
                    email: Some(email.clone()),
                })
                .collect(),
            organization_id: org.id,
        })
        .collect())
}

/// What was planned already for these units.
pub fn already_planned(
    conn: &mut DbConnection,
    rollout: &str,
    units: &[Unit],
) -> QueryResult<HashSet<Planned5>> {
    let ids: Vec<&str> = units.iter().map(|u| u.organization_id.as_str()).collect();
    let mut out = HashSet::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String, String, String, String)> = reminder_items::table
            .filter(reminder_items::rollout_slug.eq(rollout))
            .filter(reminder_items::organization_id.eq_any(chunk))
            .select((
                reminder_items::rollout_slug,
                reminder_items::organization_id,
                reminder_items::stage,
                reminder_items::recipient_role,
                reminder_items::recipient_email,
            ))
            .load(conn)?;
        for (rollout, org, stage, role, email) in rows {
            let role = ["it_head", "head", "parent_it_head", "coordinator"]
                .into_iter()
                .find(|r| *r == role)
                .unwrap_or("it_head");
            out.insert((rollout, org, stage, role, email));
        }
    }
    Ok(out)
}

/// How many items an enqueue wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Enqueued {
    pub queued: u64,
    pub skipped: u64,
    /// Items left for tomorrow: their recipient already had today's email.
    pub deferred: u64,
}

/// Rows per multi-row INSERT: well inside SQLite's 32,766 and PostgreSQL's 65,535 bind
/// parameters for these 13- and 15-column rows.
const INSERT_CHUNK: usize = 1_000;

/// `INSERT … ON CONFLICT DO NOTHING` of many rows, returning how many went in: multi-row
/// statements on PostgreSQL, where each statement is a round trip; one row at a time on
/// SQLite, where a statement is a function call (and diesel cannot batch rows with
/// NULLs there).
macro_rules! insert_rows_ignoring_duplicates {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let rows = $rows;
        let mut inserted = 0;
        match $conn {
            DbConnection::Pg(c) => {
                for chunk in rows.chunks(INSERT_CHUNK) {
                    inserted += diesel::insert_into($table)
                        .values(chunk)
                        .on_conflict_do_nothing()
                        .execute(c)?;
                }
            }
            DbConnection::Sqlite(c) => {
                for row in rows {
                    inserted += diesel::insert_into($table)
                        .values(row)
                        .on_conflict_do_nothing()
                        .execute(c)?;
                }
            }
        }
        QueryResult::Ok(inserted)
    }};
}

/// Inserts items, leaving out any that are already there (the unique key holds one per
/// rollout, organization, stage, role and address); returns how many went in.
fn insert_ignoring_duplicates(conn: &mut DbConnection, items: &[ItemRow]) -> QueryResult<usize> {
    insert_rows_ignoring_duplicates!(conn, reminder_items::table, items)
}

/// Recipients enqueued per transaction. On SQLite a write transaction holds the
/// file's only write lock: a pass over 100,000 overdue units held it for seconds in one
/// transaction, and every API write waited behind it.
pub const ENQUEUE_RECIPIENTS: usize = 1_000;

/// Writes planned items: skipped ones as such, the rest attached to their recipient's
/// message of `today` (created if needed). Safe to run twice or concurrently.
///
/// A transaction per [`ENQUEUE_RECIPIENTS`] recipients (all of one recipient's items in
/// the same), each a handful of statements: messages and items go in as multi-row
/// inserts, and the day's messages are read back in one query per chunk. A pass that
/// stops half-way has queued whole messages; the next pass plans the rest.
pub fn enqueue(
    conn: &mut DbConnection,
    planned: &[Planned],
    today: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<Enqueued> {
    enqueue_in_batches(conn, planned, today, now, ENQUEUE_RECIPIENTS)
}

/// [`enqueue`] with `recipients` recipients per transaction (and as many skipped items).
pub fn enqueue_in_batches(
    conn: &mut DbConnection,
    planned: &[Planned],
    today: NaiveDate,
    now: NaiveDateTime,
    recipients: usize,
) -> QueryResult<Enqueued> {
    let mut result = Enqueued::default();
    let mut skipped = Vec::new();
    let mut by_recipient: BTreeMap<&str, Vec<&Planned>> = BTreeMap::new();
    for p in planned {
        if let Some(reason) = &p.skip_reason {
            skipped.push(new_item(p, None, "skipped", Some(reason.clone()), now));
        } else {
            by_recipient.entry(p.email.as_str()).or_default().push(p);
        }
    }
    let per_transaction = recipients.max(1);
    for batch in skipped.chunks(per_transaction) {
        result.skipped +=
            crate::db::write_transaction(conn, |conn| insert_ignoring_duplicates(conn, batch))?
                as u64;
    }
    let by_recipient: Vec<(&str, Vec<&Planned>)> = by_recipient.into_iter().collect();
    for batch in by_recipient.chunks(per_transaction) {
        let done =
            crate::db::write_transaction(conn, |conn| enqueue_recipients(conn, batch, today, now))?;
        result.queued += done.queued;
        result.deferred += done.deferred;
    }
    Ok(result)
}

/// One transaction of [`enqueue_in_batches`]: these recipients' messages and items.
fn enqueue_recipients(
    conn: &mut DbConnection,
    by_recipient: &[(&str, Vec<&Planned>)],
    today: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<Enqueued> {
    let mut result = Enqueued::default();
    let fresh: Vec<MessageRow> = by_recipient
        .iter()
        .map(|(email, items)| MessageRow {
            id: uuid::Uuid::now_v7().hyphenated().to_string(),
            recipient_email: (*email).to_owned(),
            recipient_name: items.iter().find_map(|p| p.name.clone()),
            digest_date: today,
            state: "pending".into(),
            escalation: items.iter().any(|p| p.escalation),
            attempts: 0,
            next_attempt_at: now,
            lease_until: None,
            claimed_by: None,
            message_id: None,
            last_error: None,
            sent_at: None,
            created_at: now,
            updated_at: now,
        })
        .collect();
    // Unique on (recipient, day): a concurrent planner's row wins, ours is dropped.
    insert_rows_ignoring_duplicates!(conn, reminder_messages::table, &fresh)?;
    let emails: Vec<&str> = by_recipient.iter().map(|(email, _)| *email).collect();
    let mut todays = std::collections::HashMap::new();
    for chunk in emails.chunks(INSERT_CHUNK) {
        let rows: Vec<MessageRow> = reminder_messages::table
            .filter(reminder_messages::recipient_email.eq_any(chunk))
            .filter(reminder_messages::digest_date.eq(today))
            .select(MessageRow::as_select())
            .load(conn)?;
        todays.extend(rows.into_iter().map(|m| (m.recipient_email.clone(), m)));
    }

    let mut queued = Vec::new();
    let mut escalate = Vec::new();
    for (email, items) in by_recipient {
        let message = todays.get(*email).ok_or(diesel::result::Error::NotFound)?;
        if message.state != "pending" || message.lease_until.is_some() {
            // Today's email is out (or going out): at most one a day, so these wait.
            result.deferred += items.len() as u64;
            continue;
        }
        queued.extend(
            items
                .iter()
                .map(|p| new_item(p, Some(message.id.clone()), "queued", None, now)),
        );
        if items.iter().any(|p| p.escalation) && !message.escalation {
            escalate.push(message.id.clone());
        }
    }
    result.queued = insert_ignoring_duplicates(conn, &queued)? as u64;
    for chunk in escalate.chunks(INSERT_CHUNK) {
        diesel::update(reminder_messages::table.filter(reminder_messages::id.eq_any(chunk)))
            .set(reminder_messages::escalation.eq(true))
            .execute(conn)?;
    }
    Ok(result)
}

fn new_item(
    p: &Planned,
    message_id: Option<String>,
    state: &str,
    reason: Option<String>,
    now: NaiveDateTime,
) -> ItemRow {
    ItemRow {
        id: uuid::Uuid::now_v7().hyphenated().to_string(),
        rollout_slug: p.rollout.clone(),
        organization_id: p.organization_id.clone(),
        stage: p.stage.clone(),
        recipient_role: p.role.as_str().to_owned(),
        recipient_email: p.email.clone(),
        escalation: p.escalation,
        message_id,
        state: state.to_owned(),
        reason,
        deadline: p.deadline,
        created_at: now,
        updated_at: now,
    }
}

/// Takes one due message for `worker` until `lease_until`, or `None` if none is due.
pub fn claim_next(
    conn: &mut DbConnection,
    worker: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> QueryResult<Option<MessageRow>> {
    use reminder_messages::dsl as m;
    let due = m::state
        .eq("pending")
        .and(m::next_attempt_at.le(now))
        .and(m::lease_until.is_null().or(m::lease_until.lt(now)));
    if let DbConnection::Pg(c) = conn {
        return claim_next_pg(c, worker, now, lease_until);
    }
    crate::db::write_transaction(conn, |conn| {
        let candidates: Vec<String> = m::reminder_messages
            .filter(due)
            .order(m::next_attempt_at.asc())
            .select(m::id)
            .limit(5)
            .load(conn)?;
        for id in candidates {
            // The conditional update is the real claim: of two workers (or two
            // processes), one changes the row.
            let claimed = diesel::update(m::reminder_messages.filter(m::id.eq(&id)).filter(due))
                .set((
                    m::lease_until.eq(Some(lease_until)),
                    m::claimed_by.eq(Some(worker)),
                    m::updated_at.eq(now),
                ))
                .execute(conn)?;
            if claimed == 1 {
                return m::reminder_messages
                    .find(&id)
                    .select(MessageRow::as_select())
                    .get_result(conn)
                    .optional();
            }
        }
        Ok(None)
    })
}

/// PostgreSQL's claim: one statement that picks the earliest due message no other worker
/// holds (`FOR UPDATE SKIP LOCKED` keeps the row locked until the claim commits, so
/// workers never queue behind each other) and leases it.
///
/// The commit does not wait for the disk (`synchronous_commit = off`): a claim lost in a
/// database crash only makes its message due again, which is the fate of a message in
/// flight anyway, and the final state ("sent") is committed durably, which also makes
/// every claim before it durable.
fn claim_next_pg(
    conn: &mut diesel::PgConnection,
    worker: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> QueryResult<Option<MessageRow>> {
    use diesel::sql_types::{Nullable, Text, Timestamp};
    conn.transaction(|c| {
        diesel::sql_query("SET LOCAL synchronous_commit = off").execute(c)?;
        diesel::sql_query(
            "UPDATE reminder_messages SET lease_until = $1, claimed_by = $2, updated_at = $3 \
             WHERE id = (SELECT id FROM reminder_messages \
                         WHERE state = 'pending' AND next_attempt_at <= $3 \
                           AND (lease_until IS NULL OR lease_until < $3) \
                         ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING *",
        )
        .bind::<Nullable<Timestamp>, _>(Some(lease_until))
        .bind::<Nullable<Text>, _>(Some(worker))
        .bind::<Timestamp, _>(now)
        .get_result::<MessageRow>(c)
        .optional()
    })
}

/// The queued items of a message with their organizations and current statuses.
pub fn message_items(
    conn: &mut DbConnection,
    message_id: &str,
) -> QueryResult<Vec<(ItemRow, OrganizationRow, Option<StatusRow>)>> {
    let items: Vec<(ItemRow, OrganizationRow)> = reminder_items::table
        .inner_join(organizations::table)
        .filter(reminder_items::message_id.eq(message_id))
        .filter(reminder_items::state.eq("queued"))
        .order(reminder_items::deadline.asc())
        .select((ItemRow::as_select(), OrganizationRow::as_select()))
        .load(conn)?;
    items
        .into_iter()
        .map(|(item, org)| {
            let status = StatusRow::find(conn, &item.rollout_slug, &item.organization_id)?;
            Ok((item, org, status))
        })
        .collect()
}

fn set_items(
    conn: &mut DbConnection,
    message_id: &str,
    ids: Option<&[String]>,
    state: &str,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut query = diesel::update(reminder_items::table)
        .filter(reminder_items::message_id.eq(message_id))
        .filter(reminder_items::state.eq("queued"))
        .into_boxed();
    if let Some(ids) = ids {
        query = query.filter(reminder_items::id.eq_any(ids));
    }
    query
        .set((
            reminder_items::state.eq(state),
            reminder_items::reason.eq(reason),
            reminder_items::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Items whose unit no longer needs a reminder (reported done since planning).
pub fn cancel_items(
    conn: &mut DbConnection,
    message_id: &str,
    ids: &[String],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    crate::db::write_statement(conn, |conn| {
        set_items(
            conn,
            message_id,
            Some(ids),
            "cancelled",
            Some("the unit no longer needs a reminder"),
            now,
        )
    })
}

/// Finishes a message: `sent`, `failed`, or `cancelled` (nothing left to say).
pub fn finish(
    conn: &mut DbConnection,
    message_id: &str,
    state: &str,
    header_id: Option<&str>,
    error: Option<&str>,
    attempts: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    crate::db::write_transaction(conn, |conn| {
        use reminder_messages::dsl as m;
        diesel::update(m::reminder_messages.find(message_id))
            .set((
                m::state.eq(state),
                m::message_id.eq(header_id),
                m::last_error.eq(error),
                m::attempts.eq(attempts),
                m::sent_at.eq((state == "sent").then_some(now)),
                m::lease_until.eq(None::<NaiveDateTime>),
                m::updated_at.eq(now),
            ))
            .execute(conn)?;
        let item_state = match state {
            "sent" => "sent",
            "failed" => "failed",
            _ => "cancelled",
        };
        set_items(conn, message_id, None, item_state, error, now)?;
        Ok(())
    })
}

/// Puts a message back for another try at `next_attempt_at`.
pub fn retry_later(
    conn: &mut DbConnection,
    message_id: &str,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    error: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    use reminder_messages::dsl as m;
    crate::db::write_statement(conn, |conn| {
        diesel::update(m::reminder_messages.find(message_id))
            .set((
                m::attempts.eq(attempts),
                m::next_attempt_at.eq(next_attempt_at),
                m::last_error.eq(Some(error)),
                m::lease_until.eq(None::<NaiveDateTime>),
                m::updated_at.eq(now),
            ))
            .execute(conn)
            .map(drop)
    })
}

/// Records a scheduled slot; `true` for the instance that recorded it first.
pub fn take_slot(
    conn: &mut DbConnection,
    slot: &str,
    instance: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let inserted = crate::db::write_statement(conn, |conn| {
        crate::with_backend!(conn, |c| diesel::insert_into(reminder_slots::table)
            .values((
                reminder_slots::slot.eq(slot),
                reminder_slots::instance.eq(instance),
                reminder_slots::started_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(c))
    })?;
    Ok(inserted == 1)
}

/// Message counts by state, for `/metrics` and the log.
pub fn message_counts(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    reminder_messages::table
        .group_by(reminder_messages::state)
        .select((reminder_messages::state, diesel::dsl::count_star()))
        .load(conn)
}

/// Item counts by state.
pub fn item_counts(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    reminder_items::table
        .group_by(reminder_items::state)
        .select((reminder_items::state, diesel::dsl::count_star()))
        .load(conn)
}
