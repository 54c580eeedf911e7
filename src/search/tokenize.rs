//! Cutting text into search terms. `static/search.js` does exactly the same to a query, so any
//! change here must be made there too (the fixture tests run both on the same inputs).
//!
//! A *word* is a run of letters, digits and the joiners `_ - . +`, with joiners trimmed from its
//! ends and apostrophes dropped (`isn't` → `isnt`). Words are lower-cased: `ERR_CONNECTION_REFUSED`,
//! `0x80070005` and `401.1` are one word each, so a code is always found whole. A word's *parts*
//! are what it splits into at the joiners and at case changes (`IOException` → `io`, `exception`),
//! plus the digits of a hex literal without `0x`; they let `connection refused` find
//! `ERR_CONNECTION_REFUSED`. Nothing is stemmed or corrected: `401` never finds `403`.

/// Words that carry no meaning in running text. They are not indexed from summaries and bodies
/// (titles, messages and codes keep them), and a query is not ranked down for lacking them.
/// Published in the index so the browser uses the same list.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from",
    "has", "have", "if", "in", "is", "it", "its", "of", "on", "or", "so", "than", "that", "the",
    "then", "there", "these", "they", "this", "to", "was", "what", "when", "which", "will", "with",
    "you", "your",
];

/// Longer words are not indexed: they are hashes, tokens and URLs, not things people type. As
/// long as the longest code, so that every code is a word.
pub const MAX_WORD_CHARS: usize = 100;

fn is_joiner(c: char) -> bool {
    matches!(c, '_' | '-' | '.' | '+')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_joiner(c) || is_apostrophe(c)
}

/// The words of `text` as written (not yet lower-cased), in order.
pub fn raw_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty() && w.chars().count() <= MAX_WORD_CHARS)
}

/// A word as it is indexed: lower-case, apostrophes dropped.
pub fn normalize(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    normalize_into(word, &mut out);
    out
}

/// [`normalize`] into a buffer the caller reuses (indexing a body calls this for every word).
pub fn normalize_into(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() && !word.contains('\'') {
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        return;
    }
    let kept: String = word.chars().filter(|c| !is_apostrophe(*c)).collect();
    out.push_str(&kept.to_lowercase());
}

/// The lower-cased words of `text`, in order.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    raw_words(text).map(normalize)
}

/// `0x80070005` → `80070005`.
fn hex_digits(normalized: &str) -> Option<&str> {
    let digits = normalized.strip_prefix("0x")?;
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_hexdigit())).then_some(digits)
}

/// The parts of a raw word, lower-cased, without the word itself and without repeats.
pub fn parts(raw: &str) -> Vec<String> {
    // Most words of running text (`timeout`, `Server`) have no parts; say so without allocating.
    let splittable = raw.contains(is_joiner)
        || raw.chars().skip(1).any(char::is_uppercase)
        || raw.starts_with("0x")
        || raw.starts_with("0X");
    if !splittable {
        return Vec::new();
    }
    let whole = normalize(raw);
    let mut found: Vec<String> = Vec::new();
    let mut add = |part: String| {
        if !part.is_empty() && part != whole && !found.contains(&part) {
            found.push(part);
        }
    };
    if let Some(digits) = hex_digits(&whole) {
        add(digits.to_string());
        return found;
    }
    for piece in raw.split(is_joiner).filter(|p| !p.is_empty()) {
        add(normalize(piece));
        for sub in case_pieces(piece) {
            add(normalize(sub));
        }
    }
    found
}

/// Splits at lower→upper (`connectionRefused`) and at the end of a capital run followed by a
/// lower-case letter (`IOException` → `IO`, `Exception`).
fn case_pieces(piece: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = piece.char_indices().collect();
    let mut pieces = Vec::new();
    let mut start = 0;
    for i in 1..chars.len() {
        let (previous, current) = (chars[i - 1].1, chars[i].1);
        let next_is_lower = chars.get(i + 1).is_some_and(|(_, c)| c.is_lowercase());
        let boundary = (previous.is_lowercase() && current.is_uppercase())
            || (previous.is_uppercase() && current.is_uppercase() && next_is_lower);
        if boundary {
            pieces.push(&piece[start..chars[i].0]);
            start = chars[i].0;
        }
    }
    if start > 0 {
        pieces.push(&piece[start..]);
    }
    pieces
}

/// The length of the longest stop word: longer words, most of them, need no search.
const MAX_STOP_WORD_BYTES: usize = 5;

pub fn is_stop_word(word: &str) -> bool {
    word.len() <= MAX_STOP_WORD_BYTES && STOP_WORDS.binary_search(&word).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP_WORDS.iter().all(|w| w.len() <= MAX_STOP_WORD_BYTES));
    }

    #[test]
    fn codes_stay_whole_words() {
        let cases: &[(&str, &[&str])] = &[
            (
                "HTTP Error 401 - Unauthorized",
                &["http", "error", "401", "unauthorized"],
            ),
            (
                "net::ERR_CONNECTION_REFUSED",
                &["net", "err_connection_refused"],
            ),
            (
                "error[E0308]: mismatched types",
                &["error", "e0308", "mismatched", "types"],
            ),
            (
                "Error 0x80070005 (Access denied).",
                &["error", "0x80070005", "access", "denied"],
            ),
            (
                "HTTP Error 401.1 - Unauthorized",
                &["http", "error", "401.1", "unauthorized"],
            ),
            (
                "The remote server returned an error: (401) Unauthorized.",
                &[
                    "the",
                    "remote",
                    "server",
                    "returned",
                    "an",
                    "error",
                    "401",
                    "unauthorized",
                ],
            ),
            (
                "This page isn't working",
                &["this", "page", "isnt", "working"],
            ),
            ("-- ... __", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(
                words(text).collect::<Vec<_>>(),
                *expected,
                "words of {text:?}"
            );
        }
    }

    #[test]
    fn words_split_into_parts_at_joiners_and_case() {
        let cases: &[(&str, &[&str])] = &[
            ("ERR_CONNECTION_REFUSED", &["err", "connection", "refused"]),
            ("401.1", &["401", "1"]),
            (
                "java.io.IOException",
                &["java", "io", "ioexception", "exception"],
            ),
            ("connectionRefused", &["connection", "refused"]),
            ("HTTPServer", &["http", "server"]),
            ("well-known", &["well", "known"]),
            ("0x80070005", &["80070005"]),
            ("0xC0000005", &["c0000005"]),
            ("E0308", &[]),
            ("401", &[]),
        ];
        for (word, expected) in cases {
            assert_eq!(parts(word), *expected, "parts of {word:?}");
        }
    }

    #[test]
    fn overlong_words_are_not_indexed() {
        let long = "a".repeat(MAX_WORD_CHARS + 1);
        assert_eq!(
            words(&format!("x {long} y")).collect::<Vec<_>>(),
            ["x", "y"]
        );
    }
}
