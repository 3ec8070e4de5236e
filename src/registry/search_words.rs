//! PostgreSQL name search through the words of the names (the `search_words`
//! migration explains the two indexes). A search stays `search_text LIKE '%…%'`; the
//! words only narrow the rows it checks. SQLite uses its FTS5 trigram table instead
//! (see `model::in_search_index`), and everything here does nothing there.

use std::collections::HashSet;

use diesel::expression::{SqlLiteral, UncheckedBind};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Text};

use crate::db::DbConnection;
use crate::domain::search::{self, WordPart};

/// Past this many words matching a term (one or two letters match thousands),
/// looking each up costs more than checking every row, and the search does that.
const WORDS_MAX: usize = 1_000;

/// Words already in `search_words`, so a batch of writes sends each word once. Only
/// for the transaction that recorded them: a rollback takes the rows back.
#[derive(Debug, Default)]
pub struct KnownWords(HashSet<String>);

/// Adds the words of `texts` (stored search texts) that are not in `known` to
/// `search_words`, and to `known`. PostgreSQL only.
pub fn record<'a>(
    conn: &mut DbConnection,
    texts: impl IntoIterator<Item = &'a str>,
    known: &mut KnownWords,
) -> QueryResult<()> {
    let DbConnection::Pg(pg) = conn else {
        return Ok(());
    };
    let mut new = Vec::new();
    for word in texts.into_iter().flat_map(search::words) {
        if !known.0.contains(word) {
            known.0.insert(word.to_owned());
            new.push(word);
        }
    }
    if new.is_empty() {
        return Ok(());
    }
    diesel::sql_query(
        "INSERT INTO search_words (word) SELECT unnest($1) ON CONFLICT (word) DO NOTHING",
    )
    .bind::<Array<Text>, _>(new)
    .execute(pg)
    .map(|_| ())
}

/// The rows a name search has to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidates {
    /// Every row (SQLite, or a term the words cannot narrow).
    All,
    /// PostgreSQL: the rows with one of these words (an empty list: no row).
    Words(Vec<String>),
}

impl Candidates {
    /// The candidates for a search for `needle` (folded).
    pub fn find(conn: &mut DbConnection, needle: Option<&str>) -> QueryResult<Self> {
        let (DbConnection::Pg(pg), Some(part)) = (conn, needle.and_then(WordPart::of)) else {
            return Ok(Self::All);
        };
        if let WordPart::Whole(word) = part {
            return Ok(Self::Words(vec![word.to_owned()]));
        }
        #[derive(QueryableByName)]
        struct Word {
            #[diesel(sql_type = Text)]
            word: String,
        }
        let words = diesel::sql_query(
            "SELECT word FROM search_words WHERE word LIKE $1 ESCAPE '\\' LIMIT $2",
        )
        .bind::<Text, _>(part.like_pattern())
        .bind::<diesel::sql_types::BigInt, _>(WORDS_MAX as i64 + 1)
        .load::<Word>(pg)?;
        if words.len() > WORDS_MAX {
            return Ok(Self::All);
        }
        Ok(Self::Words(words.into_iter().map(|w| w.word).collect()))
    }

    /// The condition on `organizations` (joined or not) that keeps the candidates, for
    /// PostgreSQL's word index; `None` for every row.
    pub fn condition(&self) -> Option<WordCondition> {
        let Self::Words(words) = self else {
            return None;
        };
        // One text parameter (a list type has no binding on both backends); no word
        // holds a line break.
        Some(
            diesel::dsl::sql::<Bool>(
                "string_to_array(translate(organizations.search_text, E'\\n', ' '), ' ') \
                 COLLATE \"C\" && string_to_array(",
            )
            .bind::<Text, _>(words.join("\n"))
            .sql(", E'\\n')"),
        )
    }
}

/// The SQL of [`Candidates::condition`].
pub type WordCondition =
    SqlLiteral<Bool, UncheckedBind<SqlLiteral<Bool>, diesel::dsl::AsExprOf<String, Text>>>;
