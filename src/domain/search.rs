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
    for c in fold(needle).chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
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
    fn like_wildcards_in_the_query_are_literal() {
        assert_eq!(contains_pattern("10%_a\\"), "%10\\%\\_a\\\\%");
    }
}
