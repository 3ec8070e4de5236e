//! Rows and queries for users, API tokens, sessions and login throttling.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{api_tokens, login_failures, organizations, sessions, users};
use crate::db::DbConnection;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub scope_id: Option<String>,
    pub active: bool,
    pub password_hash: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub prefix: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: String,
    pub csrf_hash: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub client_addr: Option<String>,
}

/// A user with the tree path of its scope, as authentication needs it.
pub type UserWithScope = (UserRow, Option<String>);

impl UserRow {
    pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        users::table
            .find(id)
            .select(Self::as_select())
            .get_result(conn)
            .optional()
    }

    pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<Self>> {
        users::table
            .filter(users::email.eq(email.trim().to_lowercase()))
            .select(Self::as_select())
            .get_result(conn)
            .optional()
    }

    /// The user with its scope's path (for permission checks).
    pub fn find_with_scope(
        conn: &mut DbConnection,
        id: &str,
    ) -> QueryResult<Option<UserWithScope>> {
        users::table
            .left_join(organizations::table)
            .filter(users::id.eq(id))
            .select((Self::as_select(), organizations::path.nullable()))
            .get_result(conn)
            .optional()
    }

    pub fn insert(conn: &mut DbConnection, row: &UserRow) -> QueryResult<()> {
        diesel::insert_into(users::table)
            .values(row)
            .execute(conn)
            .map(drop)
    }

    pub fn list(conn: &mut DbConnection, limit: i64, offset: i64) -> QueryResult<(Vec<Self>, i64)> {
        let total = users::table.count().get_result(conn)?;
        let rows = users::table
            .order((users::email.asc(), users::id.asc()))
            .select(Self::as_select())
            .limit(limit)
            .offset(offset)
            .load(conn)?;
        Ok((rows, total))
    }

    pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
        users::table.count().get_result(conn)
    }
}

/// Changes to a user, written together with a version bump.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct UserChanges {
    pub display_name: String,
    pub role: String,
    pub scope_id: Option<String>,
    pub active: bool,
}

impl UserRow {
    pub fn update_if_version(
        conn: &mut DbConnection,
        id: &str,
        version: i64,
        changes: &UserChanges,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        diesel::update(
            users::table
                .filter(users::id.eq(id))
                .filter(users::version.eq(version)),
        )
        .set((
            changes,
            users::version.eq(version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
    }

    pub fn set_password(
        conn: &mut DbConnection,
        id: &str,
        hash: &str,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(Some(hash)),
                users::version.eq(users::version + 1),
                users::updated_at.eq(now),
            ))
            .execute(conn)
            .map(drop)
    }
}

impl TokenRow {
    /// The live token with this hash and its user (active or not: the caller decides).
    pub fn find_by_hash(
        conn: &mut DbConnection,
        hash: &str,
    ) -> QueryResult<Option<(TokenRow, UserRow, Option<String>)>> {
        api_tokens::table
            .inner_join(users::table.left_join(organizations::table))
            .filter(api_tokens::token_hash.eq(hash))
            .select((
                TokenRow::as_select(),
                UserRow::as_select(),
                organizations::path.nullable(),
            ))
            .get_result(conn)
            .optional()
    }

    pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        api_tokens::table
            .find(id)
            .select(Self::as_select())
            .get_result(conn)
            .optional()
    }

    pub fn insert(conn: &mut DbConnection, row: &TokenRow) -> QueryResult<()> {
        diesel::insert_into(api_tokens::table)
            .values(row)
            .execute(conn)
            .map(drop)
    }

    /// Tokens of one user, or of everyone when `user_id` is `None`.
    pub fn list(conn: &mut DbConnection, user_id: Option<&str>) -> QueryResult<Vec<Self>> {
        let mut query = api_tokens::table.select(Self::as_select()).into_boxed();
        if let Some(user_id) = user_id {
            query = query.filter(api_tokens::user_id.eq(user_id));
        }
        query
            .order((api_tokens::created_at.desc(), api_tokens::id.asc()))
            .load(conn)
    }

    pub fn revoke(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
        diesel::update(
            api_tokens::table
                .filter(api_tokens::id.eq(id))
                .filter(api_tokens::revoked_at.is_null()),
        )
        .set(api_tokens::revoked_at.eq(Some(now)))
        .execute(conn)
        .map(|n| n == 1)
    }

    pub fn touch(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<()> {
        diesel::update(api_tokens::table.find(id))
            .set(api_tokens::last_used_at.eq(Some(now)))
            .execute(conn)
            .map(drop)
    }
}

impl SessionRow {
    pub fn find_by_hash(
        conn: &mut DbConnection,
        hash: &str,
    ) -> QueryResult<Option<(SessionRow, UserRow, Option<String>)>> {
        sessions::table
            .inner_join(users::table.left_join(organizations::table))
            .filter(sessions::id_hash.eq(hash))
            .select((
                SessionRow::as_select(),
                UserRow::as_select(),
                organizations::path.nullable(),
            ))
            .get_result(conn)
            .optional()
    }

    pub fn insert(conn: &mut DbConnection, row: &SessionRow) -> QueryResult<()> {
        diesel::insert_into(sessions::table)
            .values(row)
            .execute(conn)
            .map(drop)
    }

    pub fn touch(conn: &mut DbConnection, hash: &str, now: NaiveDateTime) -> QueryResult<()> {
        diesel::update(sessions::table.find(hash))
            .set(sessions::last_seen_at.eq(now))
            .execute(conn)
            .map(drop)
    }

    pub fn end(conn: &mut DbConnection, hash: &str, now: NaiveDateTime) -> QueryResult<()> {
        diesel::update(
            sessions::table
                .find(hash)
                .filter(sessions::ended_at.is_null()),
        )
        .set(sessions::ended_at.eq(Some(now)))
        .execute(conn)
        .map(drop)
    }

    /// Ends every open session of a user (password change, deactivation), except `keep`.
    pub fn end_all_for_user(
        conn: &mut DbConnection,
        user_id: &str,
        keep: Option<&str>,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        let mut query = diesel::update(sessions::table)
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::ended_at.is_null())
            .into_boxed();
        if let Some(keep) = keep {
            query = query.filter(sessions::id_hash.ne(keep));
        }
        query.set(sessions::ended_at.eq(Some(now))).execute(conn)
    }
}

/// Failed-login bookkeeping for one throttle key.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = login_failures)]
pub struct LoginFailureRow {
    pub throttle_key: String,
    pub failures: i32,
    pub last_failure_at: NaiveDateTime,
}

impl LoginFailureRow {
    pub fn find(conn: &mut DbConnection, key: &str) -> QueryResult<Option<Self>> {
        login_failures::table
            .find(key)
            .select(Self::as_select())
            .get_result(conn)
            .optional()
    }

    /// Counts one more failure (starting again at 1 when the last one is `stale`).
    pub fn record(
        conn: &mut DbConnection,
        key: &str,
        now: NaiveDateTime,
        reset_before: NaiveDateTime,
    ) -> QueryResult<()> {
        let current = Self::find(conn, key)?;
        match current {
            None => diesel::insert_into(login_failures::table)
                .values(&Self {
                    throttle_key: key.to_owned(),
                    failures: 1,
                    last_failure_at: now,
                })
                .execute(conn)
                .map(drop),
            Some(row) => {
                let failures = if row.last_failure_at < reset_before {
                    1
                } else {
                    row.failures.saturating_add(1)
                };
                diesel::update(login_failures::table.find(key))
                    .set((
                        login_failures::failures.eq(failures),
                        login_failures::last_failure_at.eq(now),
                    ))
                    .execute(conn)
                    .map(drop)
            }
        }
    }

    pub fn clear(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
        diesel::delete(login_failures::table.find(key))
            .execute(conn)
            .map(drop)
    }
}
