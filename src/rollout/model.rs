//! Rollout, status, event and extension rows and the queries on them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{
    extensions, organizations, rollout_deadlines, rollouts, status_events, statuses,
};
use crate::db::{Backend, DbConnection};
use crate::registry::model::{subtree_upper_bound, OrgRef, OrganizationRow};
use crate::registry::search_words::Candidates;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = rollouts, treat_none_as_null = true)]
pub struct RolloutRow {
    pub slug: String,
    pub title_kk: String,
    pub title_ru: String,
    pub description: String,
    pub kinds: String,
    pub starts_on: NaiveDate,
    pub default_deadline: NaiveDate,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// JSON overrides of the reminder policy for this rollout.
    pub reminder_policy: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = rollout_deadlines)]
pub struct KindDeadlineRow {
    pub rollout_slug: String,
    pub kind: String,
    pub deadline: NaiveDate,
}

/// One organization's status in one rollout. Its copies of the organization's fields
/// (`org_*`) are not part of it: see [`OrgCopy`].
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = statuses, treat_none_as_default_value = false)]
pub struct StatusRow {
    pub rollout_slug: String,
    pub organization_id: String,
    pub status: String,
    pub accounts_active: i64,
    pub note: Option<String>,
    pub evidence_url: Option<String>,
    pub reason: Option<String>,
    pub extended_deadline: Option<NaiveDate>,
    pub deadline: NaiveDate,
    pub completed_at: Option<NaiveDateTime>,
    pub version: i64,
    pub updated_at: NaiveDateTime,
    pub updated_by: Option<String>,
}

/// The organization's fields a status row carries for reports. Written with the row;
/// afterwards a database trigger keeps them in step with the organization.
#[derive(Debug, Clone, PartialEq, Queryable, Insertable)]
#[diesel(table_name = statuses, treat_none_as_default_value = false)]
pub struct OrgCopy {
    pub org_kind: String,
    pub org_region: String,
    pub org_headcount: i64,
    pub org_archived: bool,
    pub org_path: String,
}

impl From<&OrganizationRow> for OrgCopy {
    fn from(org: &OrganizationRow) -> Self {
        Self {
            org_kind: org.kind.clone(),
            org_region: org.region.clone(),
            org_headcount: org.headcount,
            org_archived: org.is_archived(),
            org_path: org.path.clone(),
        }
    }
}

/// A status row to insert, with its copies of the organization's fields.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = statuses)]
pub struct NewStatusRow {
    #[diesel(embed)]
    pub row: StatusRow,
    #[diesel(embed)]
    pub org: OrgCopy,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = status_events)]
pub struct EventRow {
    pub id: i64,
    pub rollout_slug: String,
    pub organization_id: String,
    pub at: NaiveDateTime,
    pub actor_user_id: Option<String>,
    pub actor_role: Option<String>,
    pub event_kind: String,
    pub from_status: String,
    pub to_status: String,
    pub accounts_active: i64,
    pub note: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = status_events, treat_none_as_default_value = false)]
pub struct NewEventRow {
    pub rollout_slug: String,
    pub organization_id: String,
    pub at: NaiveDateTime,
    pub actor_user_id: Option<String>,
    pub actor_role: Option<String>,
    pub event_kind: String,
    pub from_status: String,
    pub to_status: String,
    pub accounts_active: i64,
    pub note: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = extensions)]
pub struct ExtensionRow {
    pub id: String,
    pub rollout_slug: String,
    pub organization_id: String,
    pub deadline: NaiveDate,
    pub reason: String,
    pub granted_by: Option<String>,
    pub granted_at: NaiveDateTime,
}

impl RolloutRow {
    pub fn find(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Self>> {
        rollouts::table
            .find(slug)
            .select(Self::as_select())
            .get_result(conn)
            .optional()
    }

    pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Self>> {
        rollouts::table
            .order((rollouts::starts_on.asc(), rollouts::slug.asc()))
            .select(Self::as_select())
            .load(conn)
    }

    /// The organization kinds it applies to.
    pub fn kind_list(&self) -> Vec<String> {
        self.kinds
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The rollout and its deadlines per kind, in one query.
    pub fn find_with_deadlines(
        conn: &mut DbConnection,
        slug: &str,
    ) -> QueryResult<Option<(Self, Vec<KindDeadlineRow>)>> {
        let rows: Vec<(Self, Option<KindDeadlineRow>)> = rollouts::table
            .left_join(rollout_deadlines::table)
            .filter(rollouts::slug.eq(slug))
            .order(rollout_deadlines::kind.asc())
            .select((Self::as_select(), Option::<KindDeadlineRow>::as_select()))
            .load(conn)?;
        let mut rows = rows.into_iter();
        Ok(rows.next().map(|(row, first)| {
            let deadlines = first
                .into_iter()
                .chain(rows.filter_map(|(_, deadline)| deadline))
                .collect();
            (row, deadlines)
        }))
    }

    pub fn deadlines(conn: &mut DbConnection, slug: &str) -> QueryResult<Vec<KindDeadlineRow>> {
        rollout_deadlines::table
            .filter(rollout_deadlines::rollout_slug.eq(slug))
            .order(rollout_deadlines::kind.asc())
            .select(KindDeadlineRow::as_select())
            .load(conn)
    }

    pub fn insert(conn: &mut DbConnection, row: &RolloutRow) -> QueryResult<()> {
        diesel::insert_into(rollouts::table)
            .values(row)
            .execute(conn)
            .map(drop)
    }

    pub fn update_if_version(
        conn: &mut DbConnection,
        row: &RolloutRow,
        version: i64,
    ) -> QueryResult<bool> {
        diesel::update(
            rollouts::table
                .filter(rollouts::slug.eq(&row.slug))
                .filter(rollouts::version.eq(version)),
        )
        .set(row)
        .execute(conn)
        .map(|n| n == 1)
    }

    pub fn replace_deadlines(
        conn: &mut DbConnection,
        slug: &str,
        rows: &[KindDeadlineRow],
    ) -> QueryResult<()> {
        diesel::delete(rollout_deadlines::table.filter(rollout_deadlines::rollout_slug.eq(slug)))
            .execute(conn)?;
        for row in rows {
            diesel::insert_into(rollout_deadlines::table)
                .values(row)
                .execute(conn)?;
        }
        Ok(())
    }
}

/// Which status rows a list shows.
#[derive(Debug, Clone, Default)]
pub struct StatusFilter {
    pub rollout: String,
    /// Organization kinds the rollout applies to.
    pub kinds: Vec<String>,
    pub statuses: Vec<String>,
    pub kind: Option<String>,
    pub region: Option<String>,
    /// The organization at this path and everything below it.
    pub within_path: Option<String>,
    pub name_pattern: Option<String>,
    /// The folded search term itself, for PostgreSQL's word index.
    pub name_needle: Option<String>,
    pub bin_prefix: Option<String>,
    /// Unsettled with a deadline before this date (today in Almaty).
    pub overdue_before: Option<NaiveDate>,
    /// Unsettled with a deadline in this window (today ..= today + days).
    pub due_between: Option<(NaiveDate, NaiveDate)>,
}

/// Sort orders of the status list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusSort {
    /// Most overdue first (earliest deadline), then the larger organizations.
    DaysOverdue,
    NameRu,
    Deadline,
    UpdatedAt,
}

type StatusQuery<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::InnerJoin<statuses::table, organizations::table>,
    Backend,
>;

type StatusOnlyQuery<'a> = diesel::dsl::IntoBoxed<'a, statuses::table, Backend>;

const UNSETTLED: [&str; 2] = ["not_started", "in_progress"];

impl StatusFilter {
    /// The conditions on a query joining each status row to its organization. They
    /// test the organization's own columns, so that the planner can walk
    /// `organizations_kind_region` in name order and stop after a page; the same
    /// conditions on the status row's copies (equal by the trigger) are in [`Self::apply_to_status_rows`].
    /// `words`: the candidates of the name search (see [`Self::candidates`]).
    fn apply<'a>(&'a self, mut query: StatusQuery<'a>, words: &Candidates) -> StatusQuery<'a> {
        query = query
            .filter(statuses::rollout_slug.eq(&self.rollout))
            .filter(organizations::archived_at.is_null())
            .filter(organizations::kind.eq_any(&self.kinds));
        if !self.statuses.is_empty() {
            query = query.filter(statuses::status.eq_any(&self.statuses));
        }
        if let Some(kind) = &self.kind {
            query = query.filter(organizations::kind.eq(kind));
        }
        if let Some(region) = &self.region {
            query = query.filter(organizations::region.eq(region));
        }
        if let Some(path) = &self.within_path {
            query = query
                .filter(organizations::path.ge(path))
                .filter(organizations::path.lt(subtree_upper_bound(path)));
        }
        if let Some(today) = self.overdue_before {
            query = query
                .filter(statuses::status.eq_any(UNSETTLED))
                .filter(statuses::deadline.lt(today));
        }
        if let Some((from, to)) = self.due_between {
            query = query
                .filter(statuses::status.eq_any(UNSETTLED))
                .filter(statuses::deadline.ge(from))
                .filter(statuses::deadline.le(to));
        }
        let Some(pattern) = &self.name_pattern else {
            return query;
        };
        let like = organizations::search_text.like(pattern).escape('\\');
        let bins = self.bin_prefix.as_ref().map(|prefix| {
            organizations::bin
                .ge(prefix)
                .and(organizations::bin.lt(format!("{prefix}:")))
        });
        match (words.condition(), bins) {
            (Some(words), Some(bins)) => query.filter(words.and(like).or(bins)),
            (Some(words), None) => query.filter(words.and(like)),
            (None, Some(bins)) => query.filter(like.or(bins)),
            (None, None) => query.filter(like),
        }
    }

    /// The rows the name search has to check (PostgreSQL's word index).
    fn candidates(&self, conn: &mut DbConnection) -> QueryResult<Candidates> {
        Candidates::find(conn, self.name_needle.as_deref())
    }

    /// The conditions but the name search on a query over `statuses` alone, through
    /// the row's copies of the organization's fields.
    fn apply_to_status_rows<'a>(&'a self, mut query: StatusOnlyQuery<'a>) -> StatusOnlyQuery<'a> {
        query = query
            .filter(statuses::rollout_slug.eq(&self.rollout))
            .filter(statuses::org_archived.eq(false))
            .filter(statuses::org_kind.eq_any(&self.kinds));
        if !self.statuses.is_empty() {
            query = query.filter(statuses::status.eq_any(&self.statuses));
        }
        if let Some(kind) = &self.kind {
            query = query.filter(statuses::org_kind.eq(kind));
        }
        if let Some(region) = &self.region {
            query = query.filter(statuses::org_region.eq(region));
        }
        if let Some(path) = &self.within_path {
            query = query
                .filter(statuses::org_path.ge(path))
                .filter(statuses::org_path.lt(subtree_upper_bound(path)));
        }
        if let Some(today) = self.overdue_before {
            query = query
                .filter(statuses::status.eq_any(UNSETTLED))
                .filter(statuses::deadline.lt(today));
        }
        if let Some((from, to)) = self.due_between {
            query = query
                .filter(statuses::status.eq_any(UNSETTLED))
                .filter(statuses::deadline.ge(from))
                .filter(statuses::deadline.le(to));
        }
        query
    }

    /// The number of matching units. Without a name search every condition is on the
    /// status row, so the count reads one index and never the organizations.
    fn count(&self, conn: &mut DbConnection, words: &Candidates) -> QueryResult<i64> {
        if self.name_pattern.is_some() {
            let joined = statuses::table
                .inner_join(organizations::table)
                .into_boxed();
            return self.apply(joined, words).count().get_result(conn);
        }
        self.apply_to_status_rows(statuses::table.into_boxed())
            .count()
            .get_result(conn)
    }
}

impl StatusRow {
    /// The organization `reference` names, with its status row in `rollout` if it has
    /// one, in one query.
    pub fn find_with_organization(
        conn: &mut DbConnection,
        rollout: &str,
        reference: &OrgRef,
    ) -> QueryResult<Option<(OrganizationRow, Option<Self>)>> {
        let joined = organizations::table
            .left_join(
                statuses::table.on(statuses::organization_id
                    .eq(organizations::id)
                    .and(statuses::rollout_slug.eq(rollout))),
            )
            .select((OrganizationRow::as_select(), Option::<Self>::as_select()));
        match reference {
            OrgRef::Id(id) => joined.filter(organizations::id.eq(id)).get_result(conn),
            OrgRef::Bin(bin) => joined.filter(organizations::bin.eq(bin)).get_result(conn),
        }
        .optional()
    }

    pub fn find(
        conn: &mut DbConnection,
        rollout: &str,
        organization_id: &str,
    ) -> QueryResult<Option<Self>> {
        statuses::table
            .find((rollout, organization_id))
            .select(Self::as_select())
            .get_result(conn)
            .optional()
    }

    /// One page of statuses with their organizations, and the number matching.
    pub fn list(
        conn: &mut DbConnection,
        filter: &StatusFilter,
        sort: StatusSort,
        limit: i64,
        offset: i64,
    ) -> QueryResult<(Vec<(StatusRow, OrganizationRow)>, i64)> {
        let words = filter.candidates(conn)?;
        let total = filter.count(conn, &words)?;
        if total <= offset {
            return Ok((Vec::new(), total));
        }
        let query = filter.apply(
            statuses::table
                .inner_join(organizations::table)
                .into_boxed(),
            &words,
        );
        let query = match sort {
            StatusSort::DaysOverdue => query.order((
                statuses::deadline.asc(),
                organizations::headcount.desc(),
                organizations::id.asc(),
            )),
            StatusSort::NameRu => {
                query.order((organizations::name_ru.asc(), organizations::id.asc()))
            }
            StatusSort::Deadline => {
                query.order((statuses::deadline.asc(), organizations::id.asc()))
            }
            StatusSort::UpdatedAt => {
                query.order((statuses::updated_at.desc(), organizations::id.asc()))
            }
        };
        let rows = query
            .select((StatusRow::as_select(), OrganizationRow::as_select()))
            .limit(limit)
            .offset(offset)
            .load(conn)?;
        Ok((rows, total))
    }

    /// Every row matching, in BIN order, a chunk at a time (exports).
    pub fn list_after_bin(
        conn: &mut DbConnection,
        filter: &StatusFilter,
        after: &str,
        limit: i64,
    ) -> QueryResult<Vec<(StatusRow, OrganizationRow)>> {
        let words = filter.candidates(conn)?;
        filter
            .apply(
                statuses::table
                    .inner_join(organizations::table)
                    .into_boxed(),
                &words,
            )
            .filter(organizations::bin.gt(after))
            .order(organizations::bin.asc())
            .select((StatusRow::as_select(), OrganizationRow::as_select()))
            .limit(limit)
            .load(conn)
    }

    /// The status rows of `organization_ids` in `rollout` (those that exist).
    pub fn find_many(
        conn: &mut DbConnection,
        rollout: &str,
        organization_ids: &[&str],
    ) -> QueryResult<Vec<Self>> {
        statuses::table
            .filter(statuses::rollout_slug.eq(rollout))
            .filter(statuses::organization_id.eq_any(organization_ids))
            .select(Self::as_select())
            .load(conn)
    }

    /// Writes each row of `rows` (paired with the version it was read at) if it is
    /// still at that version; returns the organization of the first row that was not.
    /// The caller then rolls back: rows after that one may or may not have been written.
    /// On PostgreSQL all of them go in one statement: diesel prepares an UPDATE anew
    /// each time, and a row at a time that was 100 µs of parsing, planning and round
    /// trip per row. On SQLite, where a statement costs no round trip, one at a time.
    pub fn update_many_if_version<'a>(
        conn: &mut DbConnection,
        rows: &'a [(StatusRow, i64)],
    ) -> QueryResult<Option<&'a str>> {
        let DbConnection::Pg(pg) = conn else {
            for (row, version) in rows {
                if !Self::update_if_version(conn, row, *version)? {
                    return Ok(Some(&row.organization_id));
                }
            }
            return Ok(None);
        };
        if rows.is_empty() {
            return Ok(None);
        }
        #[derive(QueryableByName)]
        struct Updated {
            #[diesel(sql_type = diesel::sql_types::Text)]
            organization_id: String,
        }
        use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
        let values = (0..rows.len())
            .map(|i| {
                let p = 1 + i * 11;
                let params: Vec<String> = (p..p + 11).map(|n| format!("${n}")).collect();
                format!("({})", params.join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut query = diesel::sql_query(format!(
            "UPDATE statuses AS s SET status = v.status, accounts_active = v.accounts_active, \
               note = v.note, evidence_url = v.evidence_url, reason = v.reason, \
               completed_at = v.completed_at, version = v.version + 1, \
               updated_at = v.updated_at, updated_by = v.updated_by \
             FROM (VALUES {values}) AS v(rollout_slug, organization_id, status, \
               accounts_active, note, evidence_url, reason, completed_at, version, \
               updated_at, updated_by) \
             WHERE s.rollout_slug = v.rollout_slug AND s.organization_id = v.organization_id \
               AND s.version = v.version \
             RETURNING s.organization_id"
        ))
        .into_boxed::<diesel::pg::Pg>();
        for (row, version) in rows {
            query = query
                .bind::<Text, _>(&row.rollout_slug)
                .bind::<Text, _>(&row.organization_id)
                .bind::<Text, _>(&row.status)
                .bind::<BigInt, _>(row.accounts_active)
                .bind::<Nullable<Text>, _>(&row.note)
                .bind::<Nullable<Text>, _>(&row.evidence_url)
                .bind::<Nullable<Text>, _>(&row.reason)
                .bind::<Nullable<Timestamp>, _>(row.completed_at)
                .bind::<BigInt, _>(*version)
                .bind::<Timestamp, _>(row.updated_at)
                .bind::<Nullable<Text>, _>(&row.updated_by);
        }
        // Each row is looked up by its key, the list driving (15 ms a chunk). The rollout
        // is a column of the list, not a filter on the table: without statistics (a
        // table just filled) the planner took `rollout_slug = 'aitu'` for 0.5 % of the
        // rows and scanned them all against the list (4 s a chunk); with stale ones it
        // hashed the whole table against it (200 ms).
        let updated: std::collections::HashSet<String> = crate::db::with_planner_settings(
            pg,
            &[("enable_hashjoin", "off"), ("enable_mergejoin", "off")],
            |pg| query.load::<Updated>(pg),
        )?
        .into_iter()
        .map(|u| u.organization_id)
        .collect();
        Ok(rows
            .iter()
            .map(|(row, _)| row.organization_id.as_str())
            .find(|id| !updated.contains(*id)))
    }

    /// Writes a changed status if the row is still at `version`.
    pub fn update_if_version(
        conn: &mut DbConnection,
        row: &StatusRow,
        version: i64,
    ) -> QueryResult<bool> {
        StatusUpdate {
            row,
            version,
            next_version: version + 1,
        }
        .execute(conn)
        .map(|n| n == 1)
    }

    pub fn set_extension(
        conn: &mut DbConnection,
        rollout: &str,
        organization_id: &str,
        deadline: NaiveDate,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(statuses::table.find((rollout, organization_id)))
            .set((
                statuses::extended_deadline.eq(Some(deadline)),
                statuses::deadline.eq(deadline),
                statuses::version.eq(statuses::version + 1),
                statuses::updated_at.eq(now),
            ))
            .execute(conn)
            .map(drop)
    }

    /// Sets the effective deadline of one unit (no extension in force).
    pub fn set_deadline(
        conn: &mut DbConnection,
        rollout: &str,
        organization_id: &str,
        deadline: NaiveDate,
    ) -> QueryResult<()> {
        diesel::update(statuses::table.find((rollout, organization_id)))
            .set(statuses::deadline.eq(deadline))
            .execute(conn)
            .map(drop)
    }

    /// Inserts one status row (many come from [`StatusRow::insert_missing`]).
    pub fn insert(conn: &mut DbConnection, row: &NewStatusRow) -> QueryResult<()> {
        diesel::insert_into(statuses::table)
            .values(row)
            .execute(conn)
            .map(drop)
    }

    /// Gives every organization of `kinds` (archived ones too) that has no status row
    /// in `rollout` a fresh one (not started, due `deadline`), with its copies of the
    /// organization's fields: one INSERT … SELECT, the rows never leave the database.
    pub fn insert_missing(
        conn: &mut DbConnection,
        rollout: &str,
        kinds: &[&str],
        deadline: NaiveDate,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        use diesel::dsl::{exists, not};
        use diesel::sql_types::{BigInt, Date, Text, Timestamp};
        let fresh = organizations::table
            .filter(organizations::kind.eq_any(kinds))
            .filter(not(exists(
                statuses::table
                    .filter(statuses::rollout_slug.eq(rollout))
                    .filter(statuses::organization_id.eq(organizations::id)),
            )))
            .select((
                rollout.into_sql::<Text>(),
                organizations::id,
                crate::domain::status::Status::NotStarted
                    .as_str()
                    .into_sql::<Text>(),
                0i64.into_sql::<BigInt>(),
                deadline.into_sql::<Date>(),
                1i64.into_sql::<BigInt>(),
                now.into_sql::<Timestamp>(),
                organizations::kind,
                organizations::region,
                organizations::headcount,
                organizations::archived_at.is_not_null(),
                organizations::path,
            ));
        diesel::insert_into(statuses::table)
            .values(fresh)
            .into_columns((
                statuses::rollout_slug,
                statuses::organization_id,
                statuses::status,
                statuses::accounts_active,
                statuses::deadline,
                statuses::version,
                statuses::updated_at,
                statuses::org_kind,
                statuses::org_region,
                statuses::org_headcount,
                statuses::org_archived,
                statuses::org_path,
            ))
            .execute(conn)
    }

    /// Sets the effective deadline of every unextended row of `kinds` organizations
    /// (by the row's copy of the kind, which a trigger keeps).
    pub fn set_kinds_deadline(
        conn: &mut DbConnection,
        rollout: &str,
        kinds: &[&str],
        deadline: NaiveDate,
    ) -> QueryResult<usize> {
        diesel::update(
            statuses::table
                .filter(statuses::rollout_slug.eq(rollout))
                .filter(statuses::extended_deadline.is_null())
                .filter(statuses::deadline.ne(deadline))
                .filter(statuses::org_kind.eq_any(kinds)),
        )
        .set(statuses::deadline.eq(deadline))
        .execute(conn)
    }
}

impl EventRow {
    pub fn insert(conn: &mut DbConnection, row: &NewEventRow) -> QueryResult<()> {
        diesel::insert_into(status_events::table)
            .values(row)
            .execute(conn)
            .map(drop)
    }

    pub fn insert_many(conn: &mut DbConnection, rows: &[NewEventRow]) -> QueryResult<()> {
        crate::insert_rows!(conn, status_events::table, rows)
    }

    /// The history of one unit, newest first.
    pub fn history(
        conn: &mut DbConnection,
        rollout: &str,
        organization_id: &str,
    ) -> QueryResult<Vec<Self>> {
        status_events::table
            .filter(status_events::rollout_slug.eq(rollout))
            .filter(status_events::organization_id.eq(organization_id))
            .order(status_events::id.desc())
            .select(Self::as_select())
            .load(conn)
    }

    pub fn count_for(
        conn: &mut DbConnection,
        rollout: &str,
        organization_id: &str,
    ) -> QueryResult<i64> {
        status_events::table
            .filter(status_events::rollout_slug.eq(rollout))
            .filter(status_events::organization_id.eq(organization_id))
            .count()
            .get_result(conn)
    }
}

impl ExtensionRow {
    pub fn insert(conn: &mut DbConnection, row: &ExtensionRow) -> QueryResult<()> {
        diesel::insert_into(extensions::table)
            .values(row)
            .execute(conn)
            .map(drop)
    }

    /// Extensions of one unit, newest first.
    pub fn list(
        conn: &mut DbConnection,
        rollout: &str,
        organization_id: &str,
    ) -> QueryResult<Vec<Self>> {
        extensions::table
            .filter(extensions::rollout_slug.eq(rollout))
            .filter(extensions::organization_id.eq(organization_id))
            .order((extensions::granted_at.desc(), extensions::id.desc()))
            .select(Self::as_select())
            .load(conn)
    }
}

/// The UPDATE of a status change, written out so that it stays prepared.
///
/// Diesel prepares every `diesel::update(...)` again on each call (a changeset may leave
/// out `None` fields, so its SQL can vary). This one sets a fixed list of columns and
/// is the same SQL every time, so it names itself to diesel's statement cache and is
/// prepared once per connection. On SQLite, preparing an UPDATE of `statuses` also
/// compiles the table's triggers: a sixth of a status change's work.
struct StatusUpdate<'a> {
    row: &'a StatusRow,
    /// The version the row must still be at.
    version: i64,
    next_version: i64,
}

impl diesel::query_builder::QueryId for StatusUpdate<'_> {
    type QueryId = StatusUpdate<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::QueryFragment<Backend> for StatusUpdate<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, Backend>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
        let row = self.row;
        out.push_sql("UPDATE statuses SET status = ");
        out.push_bind_param::<Text, _>(&row.status)?;
        out.push_sql(", accounts_active = ");
        out.push_bind_param::<BigInt, _>(&row.accounts_active)?;
        out.push_sql(", note = ");
        out.push_bind_param::<Nullable<Text>, _>(&row.note)?;
        out.push_sql(", evidence_url = ");
        out.push_bind_param::<Nullable<Text>, _>(&row.evidence_url)?;
        out.push_sql(", reason = ");
        out.push_bind_param::<Nullable<Text>, _>(&row.reason)?;
        out.push_sql(", completed_at = ");
        out.push_bind_param::<Nullable<Timestamp>, _>(&row.completed_at)?;
        out.push_sql(", version = ");
        out.push_bind_param::<BigInt, _>(&self.next_version)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<Timestamp, _>(&row.updated_at)?;
        out.push_sql(", updated_by = ");
        out.push_bind_param::<Nullable<Text>, _>(&row.updated_by)?;
        out.push_sql(" WHERE rollout_slug = ");
        out.push_bind_param::<Text, _>(&row.rollout_slug)?;
        out.push_sql(" AND organization_id = ");
        out.push_bind_param::<Text, _>(&row.organization_id)?;
        out.push_sql(" AND version = ");
        out.push_bind_param::<BigInt, _>(&self.version)
    }
}

impl diesel::RunQueryDsl<DbConnection> for StatusUpdate<'_> {}
