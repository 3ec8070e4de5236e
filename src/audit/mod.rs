//! The audit trail: an append-only record of every write, denial, login and
//! personal-data read. Rows about a change are written in the change's transaction.

pub mod api;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::{Actor, RequestMeta};
use crate::db::schema::audit_log;
use crate::db::{Backend, DbConnection};
use crate::registry::service::now;

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Denied,
    Failure,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Denied => "denied",
            Self::Failure => "failure",
        }
    }
}

/// Who did it, and from which request.
#[derive(Debug, Clone, Default)]
pub struct AuditActor {
    pub user_id: Option<String>,
    pub token_id: Option<String>,
    pub email: Option<String>,
    pub request: RequestMeta,
}

impl From<&Actor> for AuditActor {
    fn from(actor: &Actor) -> Self {
        Self {
            user_id: Some(actor.user.id.clone()),
            token_id: actor.user.token_id().map(str::to_owned),
            email: Some(actor.user.email.clone()),
            request: actor.request.clone(),
        }
    }
}

/// One event to record.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub action: &'static str,
    pub object_type: Option<&'static str>,
    pub object_id: Option<String>,
    /// The tree path of the organization concerned, so scoped coordinators see it.
    pub scope_path: Option<String>,
    /// The object before and after, as JSON text: serialized once, straight from the
    /// view (a `serde_json::Value` in between costs a map per object).
    pub before: Option<String>,
    pub after: Option<String>,
    pub outcome: Outcome,
    pub detail: Option<String>,
}

impl AuditEntry {
    pub fn new(action: &'static str, outcome: Outcome) -> Self {
        Self {
            action,
            object_type: None,
            object_id: None,
            scope_path: None,
            before: None,
            after: None,
            outcome,
            detail: None,
        }
    }

    pub fn object(mut self, object_type: &'static str, id: impl Into<String>) -> Self {
        self.object_type = Some(object_type);
        self.object_id = Some(id.into());
        self
    }

    pub fn scope_path(mut self, path: impl Into<String>) -> Self {
        self.scope_path = Some(path.into());
        self
    }

    pub fn change<B: Serialize, A: Serialize>(
        mut self,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Self {
        self.before = before.and_then(|b| serde_json::to_string(b).ok());
        self.after = after.and_then(|a| serde_json::to_string(a).ok());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
struct NewAuditRow {
    at: NaiveDateTime,
    actor_user_id: Option<String>,
    actor_token_id: Option<String>,
    actor_email: Option<String>,
    action: String,
    object_type: Option<String>,
    object_id: Option<String>,
    scope_path: Option<String>,
    before_value: Option<String>,
    after_value: Option<String>,
    request_id: Option<String>,
    client_addr: Option<String>,
    outcome: String,
    detail: Option<String>,
}

fn new_row(actor: &AuditActor, entry: AuditEntry, at: NaiveDateTime) -> NewAuditRow {
    NewAuditRow {
        at,
        actor_user_id: actor.user_id.clone(),
        actor_token_id: actor.token_id.clone(),
        actor_email: actor.email.clone(),
        action: entry.action.to_owned(),
        object_type: entry.object_type.map(str::to_owned),
        object_id: entry.object_id,
        scope_path: entry.scope_path,
        before_value: entry.before,
        after_value: entry.after,
        request_id: actor.request.request_id.clone(),
        client_addr: actor.request.client_addr.clone(),
        outcome: entry.outcome.as_str().to_owned(),
        detail: entry.detail,
    }
}

/// Appends one row.
///
/// Inside a write transaction the row is part of it; outside, it is written alone.
pub fn record(conn: &mut DbConnection, actor: &AuditActor, entry: AuditEntry) -> QueryResult<()> {
    let row = new_row(actor, entry, now());
    crate::db::write_statement(conn, |conn| {
        diesel::insert_into(audit_log::table)
            .values(&row)
            .execute(conn)
            .map(drop)
    })
}

/// Appends many rows (imports), a few statements in all.
pub fn record_many(
    conn: &mut DbConnection,
    actor: &AuditActor,
    entries: Vec<AuditEntry>,
) -> QueryResult<()> {
    let at = now();
    let rows: Vec<NewAuditRow> = entries.into_iter().map(|e| new_row(actor, e, at)).collect();
    crate::insert_rows!(conn, audit_log::table, &rows)
}

/// One stored row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor_user_id: Option<String>,
    pub actor_token_id: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub scope_path: Option<String>,
    pub before_value: Option<String>,
    pub after_value: Option<String>,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
}

/// Which rows a reader asks for.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_user_id: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    /// Scoped readers: rows about organizations below this path, and their own actions.
    pub within: Option<(String, String)>,
}

impl AuditRow {
    pub fn list(
        conn: &mut DbConnection,
        filter: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> QueryResult<(Vec<Self>, i64)> {
        let build = || {
            let mut query = audit_log::table.into_boxed::<Backend>();
            if let Some(v) = &filter.actor_user_id {
                query = query.filter(audit_log::actor_user_id.eq(v.clone()));
            }
            if let Some(v) = &filter.action {
                query = query.filter(audit_log::action.eq(v.clone()));
            }
            if let Some(v) = &filter.object_type {
                query = query.filter(audit_log::object_type.eq(v.clone()));
            }
            if let Some(v) = &filter.object_id {
                query = query.filter(audit_log::object_id.eq(v.clone()));
            }
            if let Some(v) = filter.from {
                query = query.filter(audit_log::at.ge(v));
            }
            if let Some(v) = filter.to {
                query = query.filter(audit_log::at.lt(v));
            }
            if let Some((path, user_id)) = &filter.within {
                let upper = crate::registry::model::subtree_upper_bound(path);
                query = query.filter(
                    audit_log::scope_path
                        .ge(path.clone())
                        .and(audit_log::scope_path.lt(upper))
                        .or(audit_log::actor_user_id.eq(user_id.clone())),
                );
            }
            query
        };
        let total = build().count().get_result(conn)?;
        let rows = build()
            .order(audit_log::id.desc())
            .select(Self::as_select())
            .limit(limit)
            .offset(offset)
            .load(conn)?;
        Ok((rows, total))
    }

    /// Rows of a request, oldest first (tests and investigations).
    pub fn for_request(conn: &mut DbConnection, request_id: &str) -> QueryResult<Vec<Self>> {
        audit_log::table
            .filter(audit_log::request_id.eq(request_id))
            .order(audit_log::id.asc())
            .select(Self::as_select())
            .load(conn)
    }
}
