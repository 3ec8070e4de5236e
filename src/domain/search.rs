//! Text folding for search, done in Rust so SQLite and PostgreSQL match alike.

use unicode_normalization::UnicodeNormalization;

/// Folds text for case-insensitive matching: NFKC, full Unicode lower case, and `ё` as `е`
/// (Russian writers use them interchangeably). Kazakh letters (ә ғ қ ң ө ұ ү һ і) fold
/// exactly like Latin and Russian ones.
pub fn fold(text: &str) -> String {
    text.nfkc()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect()
}

/// The stored search text of an organization: its folded names, one per line.
pub fn search_text(name_kk: &str, name_ru: &str, name_en: Option<&str>) -> String {
    let mut text = fold(name_kk);
    text.push('\n');
    text.push_str(&fold(name_ru));
    if let Some(en) = name_en {
        text.push('\n');
        text.push_str(&fold(en));
    }
    text
}

/// Why `q` cannot be searched for, if it cannot. Control characters (NUL, line breaks)
/// are refused: no name contains them, and PostgreSQL cannot even compare NUL.
pub fn query_problem(q: &str) -> Option<&'static str> {
    if q.chars().count() > 200 {
        Some("is longer than 200 characters")
    } else if q.chars().any(char::is_control) {
        Some("contains control characters (such as NUL, tab or a line break)")
    } else {
        None
    }
}

/// A `LIKE` pattern matching `needle` anywhere, with `\` as the escape character.
pub fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    push_literal(&mut pattern, &fold(needle));
    pattern.push('%');
    pattern
}

/// Appends `text` to a `LIKE` pattern as literal text (escape character `\`).
fn push_literal(pattern: &mut String, text: &str) {
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
}

/// The words of a stored search text: split at every space and line break, as
/// PostgreSQL's word index splits it
/// (`string_to_array(translate(search_text, E'\n', ' '), ' ')`).
pub fn words(search_text: &str) -> impl Iterator<Item = &str> {
    search_text.split([' ', '\n']).filter(|w| !w.is_empty())
}

/// What some word of a name must look like for the name to contain a search term.
///
/// Wherever the (folded) term occurs in a name, each space of the term is a space of
/// the name, so each of the term's words lies within one word of the name: its first
/// word at the end of one, its last at the start of one, any between them whole.
/// One such condition, checked against the list of words, narrows a search to the
/// names having a word that meets it; the `LIKE` then decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordPart<'a> {
    /// A term without spaces: some word contains it.
    Inside(&'a str),
    /// The term's first word: some word ends with it.
    End(&'a str),
    /// The term's last word: some word starts with it.
    Start(&'a str),
    /// A word between two spaces of the term: some word is exactly it.
    Whole(&'a str),
}

impl<'a> WordPart<'a> {
    /// The part of `needle` (folded) that narrows a search most: the longest, a whole
    /// word before a word's end or start. `None` when no part can (a term of spaces,
    /// or one with a line break, which no word of a name holds).
    pub fn of(needle: &'a str) -> Option<Self> {
        if needle.contains('\n') {
            return None;
        }
        let parts: Vec<&str> = needle.split(' ').collect();
        let last = parts.len() - 1;
        parts
            .iter()
            .enumerate()
            .filter(|(_, part)| !part.is_empty())
            .map(|(i, &part)| match i {
                _ if last == 0 => Self::Inside(part),
                0 => Self::End(part),
                i if i == last => Self::Start(part),
                _ => Self::Whole(part),
            })
            .max_by_key(|part| (part.text().chars().count(), part.rank()))
    }

    pub fn text(self) -> &'a str {
        match self {
            Self::Inside(t) | Self::End(t) | Self::Start(t) | Self::Whole(t) => t,
        }
    }

    /// Between parts of equal length: the one matching fewest words.
    fn rank(self) -> u8 {
        match self {
            Self::Inside(_) => 0,
            Self::End(_) => 1,
            Self::Start(_) => 2,
            Self::Whole(_) => 3,
        }
    }

    /// A `LIKE` pattern (escape character `\`) matching the words this part accepts.
    pub fn like_pattern(self) -> String {
        let mut pattern = String::with_capacity(self.text().len() + 2);
        if matches!(self, Self::Inside(_) | Self::End(_)) {
            pattern.push('%');
        }
        push_literal(&mut pattern, self.text());
        if matches!(self, Self::Inside(_) | Self::Start(_)) {
            pattern.push('%');
        }
        pattern
    }
}

/// An FTS5 phrase matching `needle` (already folded) exactly: the whole term in double
/// quotes, inner quotes doubled, so no character of it is query syntax.
pub fn fts_phrase(needle: &str) -> String {
    format!("\"{}\"", needle.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kazakh_letters_fold_like_latin() {
        assert_eq!(fold("ӘҒҚҢӨҰҮҺІ"), "әғқңөұүһі");
        assert_eq!(fold("Қаржы МИНИСТРЛІГІ"), "қаржы министрлігі");
        assert_eq!(fold("Finance"), "finance");
    }

    #[test]
    fn yo_matches_ye() {
        assert_eq!(fold("Объединённый"), fold("Объединенный"));
    }

    #[test]
    fn phrases_quote_everything() {
        assert_eq!(fts_phrase("ақ"), "\"ақ\"");
        assert_eq!(fts_phrase("a\"b OR c*"), "\"a\"\"b OR c*\"");
    }

    #[test]
    fn words_split_at_spaces_and_line_breaks() {
        let text = search_text("«Ақ жол» ЖШС", "ТОО  «Ак жол»", None);
        assert_eq!(
            words(&text).collect::<Vec<_>>(),
            ["«ақ", "жол»", "жшс", "тоо", "«ак", "жол»"]
        );
    }

    #[test]
    fn word_parts_are_the_longest_piece_of_the_term() {
        use WordPart::*;
        assert_eq!(WordPart::of("қаржы"), Some(Inside("қаржы")));
        assert_eq!(WordPart::of("ы министрлігі"), Some(Start("министрлігі")));
        assert_eq!(WordPart::of("министерство фин"), Some(End("министерство")));
        assert_eq!(WordPart::of("ры и природных ре"), Some(Whole("природных")));
        // Equal lengths: a whole word, then a word's start, then its end.
        assert_eq!(WordPart::of("ab cd ef"), Some(Whole("cd")));
        assert_eq!(WordPart::of("ab cd"), Some(Start("cd")));
        assert_eq!(WordPart::of("a  b"), Some(Start("b")));
        assert_eq!(WordPart::of(" "), None);
        assert_eq!(WordPart::of("a\nb"), None);
    }

    #[test]
    fn word_patterns_keep_wildcards_literal() {
        assert_eq!(WordPart::Inside("1%").like_pattern(), "%1\\%%");
        assert_eq!(WordPart::End("a_").like_pattern(), "%a\\_");
        assert_eq!(WordPart::Start("\\b").like_pattern(), "\\\\b%");
        assert_eq!(WordPart::Whole("c").like_pattern(), "c");
    }

    #[test]
    fn like_wildcards_in_the_query_are_literal() {
        assert_eq!(contains_pattern("10%_a\\"), "%10\\%\\_a\\\\%");
    }
}
