//! Progress reports: the summary (now or as it stood at the end of a past day),
//! grouped by region, kind or top-level parent, and the burndown.
//!
//! Aggregation runs in the database: one grouped query per report that adds up units
//! per group, status and deadline (from the `status_tally` the triggers keep, or over
//! the status rows); whether those few deadlines are past or near on the report's
//! Almaty date is decided here, where the rows are folded into figures.

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use super::service::Rollout;
use crate::db::DbConnection;
use crate::domain::deadline::{almaty_date_of, end_of_almaty_day};
use crate::domain::status::Status;

/// How a summary is broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Region,
    Kind,
    /// The top-level organization each unit belongs to (its whole subtree rolls up).
    Parent,
}

impl GroupBy {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "region" => Some(Self::Region),
            "kind" => Some(Self::Kind),
            "parent" => Some(Self::Parent),
            _ => None,
        }
    }

    /// The group's key over a row that has the status row's `org_*` copies.
    fn expression(self, alias: &str) -> String {
        match self {
            Self::Region => format!("{alias}.org_region"),
            Self::Kind => format!("{alias}.org_kind"),
            // The root's id: paths are '/<36-character uuid>/...'.
            Self::Parent => format!("substr({alias}.org_path, 2, 36)"),
        }
    }
}

/// Numbers for a set of units.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Figures {
    /// Units the rollout applies to.
    pub total: i64,
    /// Units per status (every status present, zeros included).
    pub counts: BTreeMap<String, i64>,
    /// (migrated + verified) / (total − exempt); 0 when nothing is applicable.
    pub done_share: f64,
    /// verified / (total − exempt).
    pub verified_share: f64,
    /// Σ accounts_active / Σ headcount over units that are not exempt.
    pub staff_coverage: f64,
    pub accounts_active: i64,
    pub headcount: i64,
    /// Unsettled units past their deadline.
    pub overdue: i64,
    /// Unsettled units within the warning window before their deadline.
    pub at_risk: i64,
}

impl Figures {
    /// Adds `units` of `status`, `overdue` and `at_risk` of them (counted only if
    /// the status is unsettled).
    fn add(
        &mut self,
        status: Status,
        units: i64,
        accounts: i64,
        headcount: i64,
        overdue: i64,
        at_risk: i64,
    ) {
        self.total += units;
        *self.counts.entry(status.as_str().to_owned()).or_default() += units;
        if status != Status::Exempt {
            self.accounts_active += accounts;
            self.headcount += headcount;
        }
        if !status.is_settled() {
            self.overdue += overdue;
            self.at_risk += at_risk;
        }
    }

    fn finish(&mut self) {
        for status in Status::ALL {
            self.counts.entry(status.as_str().to_owned()).or_default();
        }
        let count = |s: Status| self.counts.get(s.as_str()).copied().unwrap_or(0);
        let applicable = self.total - count(Status::Exempt);
        let share = |n: i64| {
            if applicable > 0 {
                n as f64 / applicable as f64
            } else {
                0.0
            }
        };
        self.done_share = share(count(Status::Migrated) + count(Status::Verified));
        self.verified_share = share(count(Status::Verified));
        self.staff_coverage = if self.headcount > 0 {
            self.accounts_active as f64 / self.headcount as f64
        } else {
            0.0
        };
    }

    /// Units not yet settled (not migrated, verified or exempt).
    pub fn remaining(&self) -> i64 {
        let settled: i64 = [Status::Migrated, Status::Verified, Status::Exempt]
            .iter()
            .map(|s| self.counts.get(s.as_str()).copied().unwrap_or(0))
            .sum();
        self.total - settled
    }
}

/// One group of a broken-down summary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Group {
    /// Region code, kind, or the top-level organization's id.
    pub key: String,
    /// A readable name: the region's, or the top-level organization's (Russian).
    pub label: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// The summary of a rollout on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Summary {
    pub rollout: String,
    /// The Almaty date the numbers are for (today, or `as_of`).
    pub as_of: NaiveDate,
    #[serde(flatten)]
    pub figures: Figures,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<Group>>,
}

/// Which units a report covers.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The organization at this path and everything below it.
    pub within_path: Option<String>,
}

/// A value bound into a hand-written query.
enum Bind {
    Text(String),
    Date(NaiveDate),
    Time(NaiveDateTime),
}

/// A query written once for both backends: `?` marks become `$n` on PostgreSQL.
struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    fn new() -> Self {
        Self {
            text: String::new(),
            binds: Vec::new(),
        }
    }

    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    fn bind(&mut self, value: Bind) -> &mut Self {
        self.text.push('?');
        self.binds.push(value);
        self
    }

    fn render(&self, postgres: bool) -> String {
        if !postgres {
            return self.text.clone();
        }
        let mut out = String::with_capacity(self.text.len() + 16);
        let mut n = 0;
        for c in self.text.chars() {
            if c == '?' {
                n += 1;
                out.push_str(&format!("${n}"));
            } else {
                out.push(c);
            }
        }
        out
    }

    fn load<T>(&self, conn: &mut DbConnection) -> QueryResult<Vec<T>>
    where
        T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
    {
        let text = self.render(matches!(conn, DbConnection::Pg(_)));
        // Hand-written SQL: the multi-backend connection cannot bind a dynamic list.
        crate::with_backend!(conn, |c| {
            let mut query = diesel::sql_query(text.clone()).into_boxed();
            for value in &self.binds {
                query = match value {
                    Bind::Text(v) => query.bind::<Text, _>(v.clone()),
                    Bind::Date(v) => query.bind::<Date, _>(*v),
                    Bind::Time(v) => query.bind::<Timestamp, _>(*v),
                };
            }
            query.load::<T>(c)
        })
    }
}

/// The WHERE clause shared by every report: the rollout's applicable, active units,
/// checked on the status row's copies of the organization's fields (alias `s`).
fn push_units(sql: &mut Sql, rollout: &Rollout, scope: &Scope) {
    sql.push(" WHERE s.rollout_slug = ")
        .bind(Bind::Text(rollout.row.slug.clone()));
    sql.push(" AND s.org_archived = FALSE");
    push_kinds(sql, rollout, "s");
    if let Some(path) = &scope.within_path {
        sql.push(" AND s.org_path >= ")
            .bind(Bind::Text(path.clone()));
        sql.push(" AND s.org_path < ").bind(Bind::Text(
            crate::registry::model::subtree_upper_bound(path),
        ));
    }
}

/// ` AND <alias>.org_kind IN (…)`: the kinds the rollout applies to.
fn push_kinds(sql: &mut Sql, rollout: &Rollout, alias: &str) {
    sql.push(&format!(" AND {alias}.org_kind IN ("));
    for (i, kind) in rollout.kinds().into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(Bind::Text(kind));
    }
    sql.push(")");
}

/// The last day of the warning window that starts on `day`; `None` when the window is
/// empty (a negative setting).
fn warning_window_end(day: NaiveDate, at_risk_days: i64) -> Option<NaiveDate> {
    let days = u64::try_from(at_risk_days).ok()?;
    Some(
        day.checked_add_days(Days::new(days))
            .unwrap_or(NaiveDate::MAX),
    )
}

/// The grouping of a report: the key, and the GROUP BY list. Without a key, and by
/// region or kind, the rows are grouped in the order of the `statuses_report` index and
/// of the `status_tally` key (region, kind, status, then deadline), so the database
/// adds up as it reads, with no sort; the few rows are folded further here.
fn grouping(group: Option<GroupBy>, alias: &str) -> (String, String) {
    let index_order = format!("{alias}.org_region, {alias}.org_kind, {alias}.status");
    match group {
        None => ("''".to_owned(), index_order),
        Some(GroupBy::Parent) => {
            let key = GroupBy::Parent.expression(alias);
            (key.clone(), format!("{key}, {alias}.status"))
        }
        Some(by) => (by.expression(alias), index_order),
    }
}

/// Units of one status and one deadline in one group: what the database adds up. There
/// are a handful of distinct deadlines (one per kind, plus extensions), so whether each
/// is past or near is decided here, on these few rows, not in SQL for every unit.
#[derive(Debug, QueryableByName)]
struct DeadlineRow {
    #[diesel(sql_type = Text)]
    group_key: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Date)]
    deadline: NaiveDate,
    #[diesel(sql_type = BigInt)]
    units: i64,
    #[diesel(sql_type = BigInt)]
    accounts_active: i64,
    #[diesel(sql_type = BigInt)]
    headcount: i64,
}

/// The numbers as they are now. The whole rollout, whole or by region or kind, adds up
/// the few rows of `status_tally`, which triggers keep in step with every status
/// write; a subtree, or the breakdown by top-level parent, takes one pass over the
/// status rows.
fn current_rows(
    conn: &mut DbConnection,
    rollout: &Rollout,
    scope: &Scope,
    group: Option<GroupBy>,
) -> QueryResult<Vec<DeadlineRow>> {
    if scope.within_path.is_none() && group != Some(GroupBy::Parent) {
        return tally_rows(conn, rollout, group);
    }
    let (key, group_list) = grouping(group, "s");
    let mut sql = Sql::new();
    sql.push(&format!(
        "SELECT {key} AS group_key, s.status AS status, s.deadline AS deadline, \
         COUNT(*) AS units, \
         CAST(COALESCE(SUM(s.accounts_active), 0) AS BIGINT) AS accounts_active, \
         CAST(COALESCE(SUM(s.org_headcount), 0) AS BIGINT) AS headcount \
         FROM statuses s"
    ));
    push_units(&mut sql, rollout, scope);
    sql.push(&format!(" GROUP BY {group_list}, s.deadline"));
    sql.load(conn)
}

/// The numbers of the whole rollout from its tally.
fn tally_rows(
    conn: &mut DbConnection,
    rollout: &Rollout,
    group: Option<GroupBy>,
) -> QueryResult<Vec<DeadlineRow>> {
    let (key, group_list) = grouping(group, "t");
    let mut sql = Sql::new();
    sql.push(&format!(
        "SELECT {key} AS group_key, t.status AS status, t.deadline AS deadline, \
         CAST(SUM(t.units) AS BIGINT) AS units, \
         CAST(SUM(t.accounts_active) AS BIGINT) AS accounts_active, \
         CAST(SUM(t.headcount) AS BIGINT) AS headcount \
         FROM status_tally t WHERE t.rollout_slug = "
    ))
    .bind(Bind::Text(rollout.row.slug.clone()));
    sql.push(" AND t.units <> 0");
    push_kinds(&mut sql, rollout, "t");
    sql.push(&format!(" GROUP BY {group_list}, t.deadline"));
    sql.load(conn)
}

/// The numbers as they stood before `cutoff` (the end of `day`), rebuilt from the
/// history: for each unit its last event before then, and its deadline then (the
/// latest extension granted by then, else its kind's).
fn past_rows(
    conn: &mut DbConnection,
    rollout: &Rollout,
    scope: &Scope,
    group: Option<GroupBy>,
    day: NaiveDate,
) -> QueryResult<Vec<DeadlineRow>> {
    let cutoff = end_of_almaty_day(day);
    let key = group.map_or_else(|| "''".to_owned(), |g| g.expression("u"));
    let mut sql = Sql::new();
    sql.push(
        "SELECT p.group_key AS group_key, p.status AS status, p.deadline AS deadline, \
         COUNT(*) AS units, \
         CAST(COALESCE(SUM(p.accounts_active), 0) AS BIGINT) AS accounts_active, \
         CAST(COALESCE(SUM(p.headcount), 0) AS BIGINT) AS headcount",
    );
    sql.push(&format!(
        " FROM (SELECT {key} AS group_key, COALESCE(e.to_status, 'not_started') AS status, \
         COALESCE(e.accounts_active, 0) AS accounts_active, u.org_headcount AS headcount, \
         COALESCE(u.extended, rd.deadline, "
    ))
    .bind(Bind::Date(rollout.row.default_deadline));
    sql.push(
        ") AS deadline \
         FROM (SELECT s.org_region AS org_region, s.org_kind AS org_kind, s.org_path AS org_path, \
         s.org_headcount AS org_headcount, \
         (SELECT MAX(h.id) FROM status_events h WHERE h.rollout_slug = s.rollout_slug \
         AND h.organization_id = s.organization_id AND h.at < ",
    )
    .bind(Bind::Time(cutoff));
    sql.push(
        ") AS last_event, \
         (SELECT x.deadline FROM extensions x WHERE x.rollout_slug = s.rollout_slug \
         AND x.organization_id = s.organization_id AND x.granted_at < ",
    )
    .bind(Bind::Time(cutoff));
    // SQLite takes CROSS JOIN as the join order: organizations in table order (the
    // order they were created), so the lookups of each unit's status row, history and
    // last event walk their indexes and tables in order instead of jumping around
    // them. PostgreSQL plans it as any inner join.
    sql.push(
        " ORDER BY x.granted_at DESC, x.id DESC LIMIT 1) AS extended \
         FROM organizations o CROSS JOIN statuses s",
    );
    push_units(&mut sql, rollout, scope);
    sql.push(" AND s.organization_id = o.id AND o.created_at < ")
        .bind(Bind::Time(cutoff));
    sql.push(
        ") u LEFT JOIN status_events e ON e.id = u.last_event \
         LEFT JOIN rollout_deadlines rd ON rd.rollout_slug = ",
    )
    .bind(Bind::Text(rollout.row.slug.clone()));
    sql.push(" AND rd.kind = u.org_kind) p GROUP BY p.group_key, p.status, p.deadline");
    sql.load(conn)
}

/// The summary for Almaty date `day`: today's state, or (`past`) the state at its end.
pub fn summary(
    conn: &mut DbConnection,
    rollout: &Rollout,
    scope: &Scope,
    group: Option<GroupBy>,
    day: NaiveDate,
    past: bool,
    at_risk_days: i64,
) -> QueryResult<Summary> {
    let rows = if past {
        past_rows(conn, rollout, scope, group, day)?
    } else {
        current_rows(conn, rollout, scope, group)?
    };
    // Units past their deadline (overdue if unsettled), and units due within the
    // warning window (at risk if unsettled): the same arithmetic as
    // [`facts`](crate::domain::deadline::facts).
    let window_end = warning_window_end(day, at_risk_days);
    let mut overall = Figures::default();
    let mut groups: BTreeMap<String, Figures> = BTreeMap::new();
    for row in &rows {
        let status = Status::parse(&row.status).unwrap_or(Status::NotStarted);
        let past_deadline = if row.deadline < day { row.units } else { 0 };
        let near = window_end.is_some_and(|end| row.deadline >= day && row.deadline <= end);
        let near_deadline = if near { row.units } else { 0 };
        overall.add(
            status,
            row.units,
            row.accounts_active,
            row.headcount,
            past_deadline,
            near_deadline,
        );
        if group.is_some() {
            groups.entry(row.group_key.clone()).or_default().add(
                status,
                row.units,
                row.accounts_active,
                row.headcount,
                past_deadline,
                near_deadline,
            );
        }
    }
    overall.finish();
    let groups = match group {
        None => None,
        Some(by) => {
            let labels = group_labels(conn, by, groups.keys())?;
            Some(
                groups
                    .into_iter()
                    .map(|(key, mut figures)| {
                        figures.finish();
                        Group {
                            label: labels.get(&key).cloned().unwrap_or_else(|| key.clone()),
                            key,
                            figures,
                        }
                    })
                    .collect(),
            )
        }
    };
    Ok(Summary {
        rollout: rollout.row.slug.clone(),
        as_of: day,
        figures: overall,
        groups,
    })
}

fn group_labels<'a>(
    conn: &mut DbConnection,
    by: GroupBy,
    keys: impl Iterator<Item = &'a String>,
) -> QueryResult<HashMap<String, String>> {
    Ok(match by {
        GroupBy::Region => crate::domain::region::REGIONS
            .iter()
            .map(|(code, name)| ((*code).to_owned(), (*name).to_owned()))
            .collect(),
        GroupBy::Kind => HashMap::new(),
        GroupBy::Parent => {
            use crate::db::schema::organizations::dsl;
            let ids: Vec<&String> = keys.collect();
            dsl::organizations
                .filter(dsl::id.eq_any(ids))
                .select((dsl::id, dsl::name_ru))
                .load::<(String, String)>(conn)?
                .into_iter()
                .collect()
        }
    })
}

/// One day of the burndown.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct BurndownPoint {
    pub date: NaiveDate,
    /// Units not yet migrated, verified or exempt at the end of the day.
    pub remaining: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Burndown {
    pub rollout: String,
    pub points: Vec<BurndownPoint>,
    /// Units settled per day over the last `pace_days` days.
    pub pace_per_day: f64,
    pub pace_days: i64,
    /// When the remaining units would be done at that pace; `null` if nothing moves.
    pub projected_completion: Option<NaiveDate>,
}

#[derive(Debug, QueryableByName)]
struct Transition {
    #[diesel(sql_type = Timestamp)]
    at: NaiveDateTime,
    #[diesel(sql_type = Text)]
    to_status: String,
}

#[derive(Debug, QueryableByName)]
struct Created {
    #[diesel(sql_type = Timestamp)]
    created_at: NaiveDateTime,
}

/// Days averaged for the pace of the projection.
pub const PACE_DAYS: i64 = 14;

/// Remaining units per day from the rollout's start to `today`; the last point is
/// today's summary, the earlier ones are rebuilt from the history.
pub fn burndown(
    conn: &mut DbConnection,
    rollout: &Rollout,
    scope: &Scope,
    today: NaiveDate,
    current: &Figures,
) -> QueryResult<Burndown> {
    let mut sql = Sql::new();
    sql.push(
        "SELECT e.at AS at, e.to_status AS to_status \
         FROM status_events e INNER JOIN statuses s ON s.rollout_slug = e.rollout_slug \
         AND s.organization_id = e.organization_id",
    );
    push_units(&mut sql, rollout, scope);
    sql.push(
        " AND (e.from_status IN ('migrated', 'verified', 'exempt')) \
         <> (e.to_status IN ('migrated', 'verified', 'exempt'))",
    );
    let transitions: Vec<Transition> = sql.load(conn)?;
    let mut sql = Sql::new();
    sql.push("SELECT o.created_at AS created_at FROM statuses s INNER JOIN organizations o ON o.id = s.organization_id");
    push_units(&mut sql, rollout, scope);
    let created: Vec<Created> = sql.load(conn)?;

    let start = rollout.row.starts_on.min(today);
    let mut delta: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for c in &created {
        *delta
            .entry(almaty_date_of(c.created_at).max(start))
            .or_default() += 1;
    }
    for t in &transitions {
        let settled = |s: &str| Status::parse(s).is_ok_and(Status::is_settled);
        // The query keeps only changes between settled and unsettled: `to` tells which way.
        let change = if settled(&t.to_status) { -1 } else { 1 };
        *delta.entry(almaty_date_of(t.at).max(start)).or_default() += change;
    }
    let mut points = Vec::new();
    let mut remaining = 0i64;
    let mut pending = delta.into_iter().peekable();
    let mut day = start;
    while day <= today {
        while let Some((_, change)) = pending.next_if(|(d, _)| *d <= day) {
            remaining += change;
        }
        points.push(BurndownPoint {
            date: day,
            remaining,
        });
        day += Duration::days(1);
    }
    let today_remaining = current.remaining();
    if let Some(last) = points.last_mut() {
        if last.remaining != today_remaining {
            log::warn!(
                "burndown of {}: history gives {} remaining today, the status table {}; showing the latter",
                rollout.row.slug,
                last.remaining,
                today_remaining
            );
            last.remaining = today_remaining;
        }
    }
    let window = points.len().saturating_sub(1).min(PACE_DAYS as usize);
    let pace = match (
        points.len().checked_sub(window + 1).map(|i| &points[i]),
        points.last(),
    ) {
        (Some(then), Some(now)) if window > 0 => {
            (then.remaining - now.remaining) as f64 / window as f64
        }
        _ => 0.0,
    };
    let projected_completion = if today_remaining == 0 {
        Some(today)
    } else if pace > 0.0 {
        let days = (today_remaining as f64 / pace).ceil() as i64;
        today.checked_add_signed(Duration::days(days))
    } else {
        None
    };
    Ok(Burndown {
        rollout: rollout.row.slug.clone(),
        points,
        pace_per_day: pace,
        pace_days: window as i64,
        projected_completion,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres_only() {
        let mut sql = Sql::new();
        sql.push("a = ").bind(Bind::Text("x".into()));
        sql.push(" AND b IN (")
            .bind(Bind::Text("y".into()))
            .push(", ")
            .bind(Bind::Text("z".into()));
        sql.push(")");
        assert_eq!(sql.render(false), "a = ? AND b IN (?, ?)");
        assert_eq!(sql.render(true), "a = $1 AND b IN ($2, $3)");
    }

    #[test]
    fn shares_leave_exempt_units_out() {
        let mut f = Figures::default();
        f.add(Status::Verified, 2, 50, 100, 2, 0);
        f.add(Status::Migrated, 1, 10, 20, 0, 1);
        f.add(Status::InProgress, 1, 0, 80, 1, 0);
        f.add(Status::Exempt, 1, 0, 1000, 1, 0);
        f.finish();
        assert_eq!(f.total, 5);
        assert_eq!(f.done_share, 0.75);
        assert_eq!(f.verified_share, 0.5);
        assert_eq!(f.staff_coverage, 60.0 / 200.0);
        assert_eq!(f.overdue, 1);
        assert_eq!(f.remaining(), 1);
        assert_eq!(f.counts["not_started"], 0);
    }
}
