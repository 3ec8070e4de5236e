//! Organization rows and the queries on them. Functions take the connection first
//! and return `QueryResult`; HTTP concerns live in the handlers.

use chrono::NaiveDateTime;
use diesel::expression::{SqlLiteral, UncheckedBind};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::db::schema::organizations::{self, dsl};
use crate::db::{Backend, DbConnection};
use crate::domain::organization::{OrganizationFields, OrganizationInput};
use crate::domain::search;
use crate::registry::search_words::{self, Candidates, KnownWords};

/// One row of `organizations`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    pub id: String,
    pub bin: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub path: String,
    pub depth: i32,
    pub region: String,
    pub headcount: i64,
    pub name_kk: String,
    pub name_ru: String,
    pub name_en: Option<String>,
    pub search_text: String,
    pub it_head_name: Option<String>,
    pub it_head_email: Option<String>,
    pub it_head_phone: Option<String>,
    pub head_name: Option<String>,
    pub head_email: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub archived_at: Option<NaiveDateTime>,
}

/// A row to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = organizations, treat_none_as_default_value = false)]
pub struct NewOrganizationRow {
    pub id: String,
    pub bin: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub path: String,
    pub depth: i32,
    pub region: String,
    pub headcount: i64,
    pub name_kk: String,
    pub name_ru: String,
    pub name_en: Option<String>,
    pub search_text: String,
    pub it_head_name: Option<String>,
    pub it_head_email: Option<String>,
    pub it_head_phone: Option<String>,
    pub head_name: Option<String>,
    pub head_email: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The data columns an update writes (the tree position moves separately).
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = organizations, treat_none_as_null = true)]
pub struct OrganizationChanges {
    pub bin: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub region: String,
    pub headcount: i64,
    pub name_kk: String,
    pub name_ru: String,
    pub name_en: Option<String>,
    pub search_text: String,
    pub it_head_name: Option<String>,
    pub it_head_email: Option<String>,
    pub it_head_phone: Option<String>,
    pub head_name: Option<String>,
    pub head_email: Option<String>,
}

impl OrganizationChanges {
    pub fn new(fields: &OrganizationFields, parent_id: Option<String>) -> Self {
        Self {
            bin: fields.bin.to_string(),
            kind: fields.kind.as_str().to_owned(),
            parent_id,
            region: fields.region.code().to_owned(),
            headcount: fields.headcount,
            search_text: search::search_text(
                &fields.name_kk,
                &fields.name_ru,
                fields.name_en.as_deref(),
            ),
            name_kk: fields.name_kk.clone(),
            name_ru: fields.name_ru.clone(),
            name_en: fields.name_en.clone(),
            it_head_name: fields.it_head_name.clone(),
            it_head_email: fields.it_head_email.clone(),
            it_head_phone: fields.it_head_phone.clone(),
            head_name: fields.head_name.clone(),
            head_email: fields.head_email.clone(),
        }
    }

    /// The insertable row for a new organization under `parent` (its path and depth).
    pub fn into_new_row(
        self,
        id: String,
        parent: Option<(&str, i32)>,
        now: NaiveDateTime,
    ) -> NewOrganizationRow {
        let (path, depth) = child_path(parent, &id);
        NewOrganizationRow {
            id,
            bin: self.bin,
            kind: self.kind,
            parent_id: self.parent_id,
            path,
            depth,
            region: self.region,
            headcount: self.headcount,
            name_kk: self.name_kk,
            name_ru: self.name_ru,
            name_en: self.name_en,
            search_text: self.search_text,
            it_head_name: self.it_head_name,
            it_head_email: self.it_head_email,
            it_head_phone: self.it_head_phone,
            head_name: self.head_name,
            head_email: self.head_email,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// Whether writing these changes would leave `row` as it is.
    pub fn is_unchanged(&self, row: &OrganizationRow) -> bool {
        self.bin == row.bin
            && self.kind == row.kind
            && self.parent_id == row.parent_id
            && self.region == row.region
            && self.headcount == row.headcount
            && self.name_kk == row.name_kk
            && self.name_ru == row.name_ru
            && self.name_en == row.name_en
            && self.it_head_name == row.it_head_name
            && self.it_head_email == row.it_head_email
            && self.it_head_phone == row.it_head_phone
            && self.head_name == row.head_name
            && self.head_email == row.head_email
    }
}

/// The path and depth of `id` placed under `parent` (path, depth), or at the root.
pub fn child_path(parent: Option<(&str, i32)>, id: &str) -> (String, i32) {
    match parent {
        Some((path, depth)) => (format!("{path}{id}/"), depth + 1),
        None => (format!("/{id}/"), 0),
    }
}

/// The exclusive upper bound of the paths below `path` (which ends in `/`): `/` is
/// 0x2F and `0` is 0x30, so `[path, bound)` is exactly the subtree in byte order.
pub fn subtree_upper_bound(path: &str) -> String {
    debug_assert!(path.ends_with('/'));
    format!("{}0", &path[..path.len() - 1])
}

impl OrganizationRow {
    /// The row's fields as editable input (for partial updates).
    pub fn to_input(&self) -> OrganizationInput {
        OrganizationInput {
            bin: Some(self.bin.clone()),
            kind: Some(self.kind.clone()),
            region: Some(self.region.clone()),
            headcount: Some(self.headcount),
            name_kk: Some(self.name_kk.clone()),
            name_ru: Some(self.name_ru.clone()),
            name_en: self.name_en.clone(),
            it_head_name: self.it_head_name.clone(),
            it_head_email: self.it_head_email.clone(),
            it_head_phone: self.it_head_phone.clone(),
            head_name: self.head_name.clone(),
            head_email: self.head_email.clone(),
        }
    }

    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }

    /// Whether `other` is this organization or lies in its subtree.
    pub fn contains(&self, other: &OrganizationRow) -> bool {
        other.path.starts_with(&self.path)
    }

    pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        dsl::organizations
            .find(id)
            .select(Self::as_select())
            .get_result(conn)
            .optional()
    }

    pub fn find_by_bin(conn: &mut DbConnection, bin: &str) -> QueryResult<Option<Self>> {
        dsl::organizations
            .filter(dsl::bin.eq(bin))
            .select(Self::as_select())
            .get_result(conn)
            .optional()
    }

    /// Finds by UUID or BIN, as the API's `{organization}` path segment allows.
    pub fn find_by_ref(conn: &mut DbConnection, reference: &OrgRef) -> QueryResult<Option<Self>> {
        match reference {
            OrgRef::Id(id) => Self::find(conn, id),
            OrgRef::Bin(bin) => Self::find_by_bin(conn, bin),
        }
    }

    /// The rows whose BIN is in `bins` (callers chunk large lists).
    pub fn find_many_by_bin(conn: &mut DbConnection, bins: &[String]) -> QueryResult<Vec<Self>> {
        dsl::organizations
            .filter(dsl::bin.eq_any(bins))
            .select(Self::as_select())
            .load(conn)
    }

    pub fn insert(conn: &mut DbConnection, row: &NewOrganizationRow) -> QueryResult<()> {
        Self::insert_many(conn, std::slice::from_ref(row))
    }

    /// Inserts many rows (see [`crate::insert_rows`]). On SQLite each new row also
    /// enters the trigram index, which holds the active rows (new rows are active); on
    /// PostgreSQL the words of their names enter `search_words`.
    pub fn insert_many(conn: &mut DbConnection, rows: &[NewOrganizationRow]) -> QueryResult<()> {
        Self::insert_batch(conn, rows, &mut KnownWords::default())
    }

    /// [`Self::insert_many`] for one of many batches of a transaction: `known` holds
    /// the words the batches before have recorded.
    pub fn insert_batch(
        conn: &mut DbConnection,
        rows: &[NewOrganizationRow],
        known: &mut KnownWords,
    ) -> QueryResult<()> {
        let DbConnection::Sqlite(c) = conn else {
            search_words::record(conn, rows.iter().map(|r| r.search_text.as_str()), known)?;
            return crate::insert_rows!(conn, dsl::organizations, rows);
        };
        for row in rows {
            diesel::insert_into(dsl::organizations)
                .values(row)
                .execute(c)?;
            diesel::insert_into(organization_search::table)
                .values((
                    organization_search::rowid.eq(last_insert_rowid()),
                    organization_search::search_text.eq(&row.search_text),
                ))
                .execute(c)?;
        }
        Ok(())
    }

    /// Writes `changes` if the row is still at `version`; returns whether it was.
    pub fn update_if_version(
        conn: &mut DbConnection,
        id: &str,
        version: i64,
        changes: &OrganizationChanges,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        search_words::record(
            conn,
            [changes.search_text.as_str()],
            &mut KnownWords::default(),
        )?;
        let updated = diesel::update(
            dsl::organizations
                .filter(dsl::id.eq(id))
                .filter(dsl::version.eq(version)),
        )
        .set((
            changes,
            dsl::version.eq(version + 1),
            dsl::updated_at.eq(now),
        ))
        .execute(conn)?;
        Ok(updated == 1)
    }

    /// Sets or clears `archived_at` if the row is still at `version`.
    pub fn set_archived(
        conn: &mut DbConnection,
        id: &str,
        version: i64,
        archived_at: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let updated = diesel::update(
            dsl::organizations
                .filter(dsl::id.eq(id))
                .filter(dsl::version.eq(version)),
        )
        .set((
            dsl::archived_at.eq(archived_at),
            dsl::version.eq(version + 1),
            dsl::updated_at.eq(now),
        ))
        .execute(conn)?;
        Ok(updated == 1)
    }

    /// Moves a whole subtree: every path starting with `old_path` gets `new_path` instead.
    pub fn move_subtree(
        conn: &mut DbConnection,
        old_path: &str,
        new_path: &str,
        depth_delta: i32,
    ) -> QueryResult<usize> {
        diesel::define_sql_function!(fn substr(text: diesel::sql_types::Text, start: diesel::sql_types::Integer) -> diesel::sql_types::Text);
        let keep_from = old_path.len() as i32 + 1;
        diesel::update(
            dsl::organizations
                .filter(dsl::path.ge(old_path))
                .filter(dsl::path.lt(subtree_upper_bound(old_path))),
        )
        .set((
            dsl::path.eq(new_path
                .to_owned()
                .into_sql::<diesel::sql_types::Text>()
                .concat(substr(dsl::path, keep_from))),
            dsl::depth.eq(dsl::depth + depth_delta),
        ))
        .execute(conn)
    }

    pub fn has_active_children(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            dsl::organizations
                .filter(dsl::parent_id.eq(id))
                .filter(dsl::archived_at.is_null()),
        ))
        .get_result(conn)
    }

    /// Whether the registry has any row: a cheap query that reads the database.
    pub fn any_exists(conn: &mut DbConnection) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(dsl::organizations.select(dsl::id))).get_result(conn)
    }

    pub fn count_all(conn: &mut DbConnection) -> QueryResult<i64> {
        dsl::organizations.count().get_result(conn)
    }

    /// One page of rows matching `filter`, and how many match in all.
    pub fn list(
        conn: &mut DbConnection,
        filter: &OrganizationFilter,
        sort: Sort,
        limit: i64,
        offset: i64,
    ) -> QueryResult<(Vec<Self>, i64)> {
        let index = TextIndex::for_search(conn, filter)?;
        let total = match filter.index_only_count(&index) {
            Some(phrase) => count_in_search_index(conn, phrase)?,
            None => filter
                .apply(dsl::organizations.into_boxed(), &index)
                .count()
                .get_result(conn)?,
        };
        if total <= offset {
            return Ok((Vec::new(), total));
        }
        let query = sort
            .apply(filter.apply(dsl::organizations.into_boxed(), &index))
            .select(Self::as_select())
            .limit(limit)
            .offset(offset);
        // PostgreSQL name search. The planner cannot tell how many rows `LIKE '%…%'`
        // matches, and for a sorted page it tends to walk the sort order's index,
        // checking row after row: 150 ms for a word 775 of 100,000 organizations
        // contain. With the count known, few matches are all taken from the word
        // index and sorted instead (4 ms for the same word). Many matches lie densely
        // along any order, so there the walk finds a page soon.
        let sort_matches = matches!(index, TextIndex::Words(_))
            && filter.name_pattern.is_some()
            && total <= SORT_MATCHES_MAX;
        if !sort_matches {
            return Ok((query.load(conn)?, total));
        }
        let rows = crate::db::with_planner_settings(
            conn,
            &[("enable_indexscan", "off"), ("enable_indexonlyscan", "off")],
            |conn| query.load(conn),
        )?;
        Ok((rows, total))
    }

    /// Rows matching `filter` with a BIN after `after`, in BIN order: for exports that
    /// walk the whole registry a chunk at a time.
    pub fn list_after_bin(
        conn: &mut DbConnection,
        filter: &OrganizationFilter,
        after: &str,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let index = TextIndex::for_search(conn, filter)?;
        filter
            .apply(dsl::organizations.into_boxed(), &index)
            .filter(dsl::bin.gt(after))
            .order(dsl::bin.asc())
            .select(Self::as_select())
            .limit(limit)
            .load(conn)
    }

    /// BINs by id, for the rows named (export writes parents by BIN).
    pub fn bins_by_id(conn: &mut DbConnection, ids: &[&str]) -> QueryResult<Vec<(String, String)>> {
        dsl::organizations
            .filter(dsl::id.eq_any(ids))
            .select((dsl::id, dsl::bin))
            .load(conn)
    }
}

/// An organization named by the API: by UUID or by BIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgRef {
    Id(String),
    Bin(String),
}

impl OrgRef {
    /// A 12-digit string is a BIN, a UUID an id; anything else names nothing.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if raw.len() == 12 && raw.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Self::Bin(raw.to_owned()));
        }
        uuid::Uuid::parse_str(raw)
            .ok()
            .map(|id| Self::Id(id.hyphenated().to_string()))
    }
}

/// Which rows a list shows.
#[derive(Debug, Clone, Default)]
pub struct OrganizationFilter {
    pub kind: Option<String>,
    pub region: Option<String>,
    /// Direct children of this id.
    pub parent_id: Option<String>,
    /// Everything strictly below this path.
    pub below_path: Option<String>,
    /// This organization and everything below it (a user's scope).
    pub within_path: Option<String>,
    /// Already folded with `search::contains_pattern`.
    pub name_pattern: Option<String>,
    /// The folded search term itself, for a text index.
    pub name_needle: Option<String>,
    /// Digits a BIN starts with.
    pub bin_prefix: Option<String>,
    pub include_archived: bool,
}

type BoxedQuery<'a> = organizations::BoxedQuery<'a, Backend>;

impl OrganizationFilter {
    /// A search term: names containing it, or BINs starting with it when it is digits.
    /// Control characters are dropped: the API refuses them first (`search::query_problem`),
    /// pages simply ignore them.
    pub fn set_query(&mut self, q: &str) {
        let q: String = q.chars().filter(|c| !c.is_control()).collect();
        let q = q.trim();
        if q.is_empty() {
            return;
        }
        self.name_pattern = Some(search::contains_pattern(q));
        self.name_needle = Some(search::fold(q));
        if q.len() <= 12 && q.bytes().all(|b| b.is_ascii_digit()) {
            self.bin_prefix = Some(q.to_owned());
        }
    }

    /// The search term as a phrase of the SQLite trigram index, when that index can
    /// answer it (three characters or more).
    fn index_phrase(&self, index: &TextIndex) -> Option<String> {
        match index {
            TextIndex::Trigrams => self
                .name_needle
                .as_deref()
                .filter(|n| n.chars().count() >= 3)
                .map(search::fts_phrase),
            TextIndex::Words(_) => None,
        }
    }

    /// The phrase to count in the index alone, when nothing but the name search and the
    /// default "active only" narrow the list: the index holds exactly the active rows.
    fn index_only_count(&self, index: &TextIndex) -> Option<String> {
        let only_name = self.kind.is_none()
            && self.region.is_none()
            && self.parent_id.is_none()
            && self.within_path.is_none()
            && self.below_path.is_none()
            && self.bin_prefix.is_none()
            && !self.include_archived;
        self.index_phrase(index).filter(|_| only_name)
    }

    fn apply<'a>(&'a self, mut query: BoxedQuery<'a>, index: &TextIndex) -> BoxedQuery<'a> {
        if !self.include_archived {
            query = query.filter(dsl::archived_at.is_null());
        }
        if let Some(kind) = &self.kind {
            query = query.filter(dsl::kind.eq(kind));
        }
        if let Some(region) = &self.region {
            query = query.filter(dsl::region.eq(region));
        }
        if let Some(parent) = &self.parent_id {
            query = query.filter(dsl::parent_id.eq(parent));
        }
        if let Some(path) = &self.within_path {
            query = query
                .filter(dsl::path.ge(path))
                .filter(dsl::path.lt(subtree_upper_bound(path)));
        }
        if let Some(path) = &self.below_path {
            query = query
                .filter(dsl::path.gt(path))
                .filter(dsl::path.lt(subtree_upper_bound(path)));
        }
        let Some(pattern) = &self.name_pattern else {
            return query;
        };
        let by_name: Box<dyn BoxableExpression<organizations::table, Backend, SqlType = Bool>> =
            match self.index_phrase(index) {
                Some(phrase) => {
                    let indexed = in_search_index(phrase);
                    if self.include_archived {
                        // The index holds the active rows; the archived ones are matched
                        // one by one.
                        Box::new(
                            indexed.or(dsl::archived_at
                                .is_not_null()
                                .and(dsl::search_text.like(pattern).escape('\\'))),
                        )
                    } else {
                        Box::new(indexed)
                    }
                }
                None => {
                    let like = dsl::search_text.like(pattern).escape('\\');
                    match index.word_condition() {
                        Some(words) => Box::new(words.and(like)),
                        None => Box::new(like),
                    }
                }
            };
        match &self.bin_prefix {
            // ':' follows '9', so [prefix, prefix + ':') are the BINs starting with it.
            Some(prefix) => {
                query.filter(by_name.or(dsl::bin.ge(prefix).and(dsl::bin.lt(format!("{prefix}:")))))
            }
            None => query.filter(by_name),
        }
    }
}

/// PostgreSQL name search: up to this many matches, a page is sorted from all of them
/// rather than found by walking an index (see `OrganizationRow::list`). Sorting
/// costs about 2 µs a match; at 25,000 a walk is as fast or faster.
const SORT_MATCHES_MAX: i64 = 25_000;

/// How name searches find their rows on a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TextIndex {
    /// SQLite: the FTS5 trigram table `organization_search` (active rows only).
    Trigrams,
    /// PostgreSQL: `search_text LIKE`, on the rows the word index finds.
    Words(Candidates),
}

impl TextIndex {
    /// The index for `filter`'s search on `conn` (PostgreSQL looks up the term's words).
    fn for_search(conn: &mut DbConnection, filter: &OrganizationFilter) -> QueryResult<Self> {
        match conn {
            DbConnection::Sqlite(_) => Ok(Self::Trigrams),
            DbConnection::Pg(_) => {
                Candidates::find(conn, filter.name_needle.as_deref()).map(Self::Words)
            }
        }
    }

    fn word_condition(&self) -> Option<search_words::WordCondition> {
        match self {
            Self::Trigrams => None,
            Self::Words(candidates) => candidates.condition(),
        }
    }
}

/// Rows whose folded names contain `phrase`, from the SQLite trigram index.
fn in_search_index(
    phrase: String,
) -> SqlLiteral<Bool, UncheckedBind<SqlLiteral<Bool>, diesel::dsl::AsExprOf<String, Text>>> {
    diesel::dsl::sql::<Bool>(
        "organizations.rowid IN \
         (SELECT rowid FROM organization_search WHERE organization_search MATCH ",
    )
    .bind::<Text, _>(phrase)
    .sql(")")
}

diesel::table! {
    /// SQLite only: the trigram index (FTS5, external content) of the folded names of
    /// the active organizations, keyed by the organization's rowid.
    organization_search (rowid) {
        rowid -> BigInt,
        search_text -> Text,
    }
}

diesel::define_sql_function! {
    /// SQLite: the rowid of the row the last INSERT on this connection created.
    fn last_insert_rowid() -> diesel::sql_types::BigInt;
}

/// SQLite: how many bytes of new entries the trigram index gathers in memory before it
/// writes them out as a segment, which it later merges with the others. At the default
/// (1 MiB) a first load of 100,000 organizations writes and merges hundreds of small
/// segments; large imports raise it for their transaction (about 40 % less indexing
/// time for 16 MiB more memory) and set it back before they commit. PostgreSQL: nothing.
pub fn set_search_buffer(conn: &mut DbConnection, bytes: i64) -> QueryResult<()> {
    if let DbConnection::Sqlite(c) = conn {
        diesel::sql_query(
            "INSERT INTO organization_search (organization_search, rank) VALUES ('hashsize', ?)",
        )
        .bind::<diesel::sql_types::BigInt, _>(bytes)
        .execute(c)?;
    }
    Ok(())
}

/// The trigram index's own default for [`set_search_buffer`].
pub const SEARCH_BUFFER_DEFAULT: i64 = 1 << 20;

/// How many active organizations the SQLite trigram index finds for `phrase`.
fn count_in_search_index(conn: &mut DbConnection, phrase: String) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(
        "SELECT count(*) AS n FROM organization_search WHERE organization_search MATCH ?",
    )
    .bind::<Text, _>(phrase)
    .get_result::<Count>(conn)
    .map(|c| c.n)
}

/// Sort orders offered by the list endpoint; the id breaks ties so pages never overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    NameRu(bool),
    NameKk(bool),
    Bin(bool),
    Headcount(bool),
    CreatedAt(bool),
    UpdatedAt(bool),
}

impl Sort {
    pub const NAMES: &'static str =
        "name_ru, name_kk, bin, headcount, created_at, updated_at (prefix - for descending)";

    /// Parses `name_ru` or `-headcount`.
    pub fn parse(raw: &str) -> Option<Self> {
        let (descending, name) = match raw.trim().strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, raw.trim()),
        };
        let ascending = !descending;
        Some(match name {
            "name_ru" => Self::NameRu(ascending),
            "name_kk" => Self::NameKk(ascending),
            "bin" => Self::Bin(ascending),
            "headcount" => Self::Headcount(ascending),
            "created_at" => Self::CreatedAt(ascending),
            "updated_at" => Self::UpdatedAt(ascending),
            _ => return None,
        })
    }

    fn apply(self, query: BoxedQuery<'_>) -> BoxedQuery<'_> {
        macro_rules! by {
            ($column:expr, $ascending:expr) => {
                if $ascending {
                    query.order(($column.asc(), dsl::id.asc()))
                } else {
                    query.order(($column.desc(), dsl::id.asc()))
                }
            };
        }
        match self {
            Self::NameRu(a) => by!(dsl::name_ru, a),
            Self::NameKk(a) => by!(dsl::name_kk, a),
            Self::Bin(a) => by!(dsl::bin, a),
            Self::Headcount(a) => by!(dsl::headcount, a),
            Self::CreatedAt(a) => by!(dsl::created_at, a),
            Self::UpdatedAt(a) => by!(dsl::updated_at, a),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_bounds_cover_exactly_the_descendants() {
        let root = "/a/";
        let upper = subtree_upper_bound(root);
        for inside in ["/a/", "/a/b/", "/a/zzz/y/"] {
            assert!(inside >= root && inside < upper.as_str(), "{inside}");
        }
        for outside in ["/a0/", "/ab/", "/b/", "/"] {
            assert!(!(outside >= root && outside < upper.as_str()), "{outside}");
        }
    }

    #[test]
    fn references_are_uuids_or_bins() {
        assert_eq!(
            OrgRef::parse("940140000385"),
            Some(OrgRef::Bin("940140000385".into()))
        );
        let id = "0b7f2c7e-5d0e-4a8e-9b1a-1f2d3c4b5a69";
        assert_eq!(
            OrgRef::parse(&id.to_uppercase()),
            Some(OrgRef::Id(id.into()))
        );
        assert_eq!(OrgRef::parse("ministry"), None);
    }

    #[test]
    fn sort_names_parse_with_direction() {
        assert_eq!(Sort::parse("-headcount"), Some(Sort::Headcount(false)));
        assert_eq!(Sort::parse("bin"), Some(Sort::Bin(true)));
        assert_eq!(Sort::parse("password"), None);
    }
}
