//! Error codes: the identity of an article.
//!
//! A code is text, never a number: `401`, `0012`, `E0308`, `0x80070005`, `401.1` and
//! `ERR_CONNECTION_REFUSED` are all codes and must survive exactly as the author wrote them.

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

/// An article's code, validated so that it can be used as a URL segment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ErrorCode(String);

/// Why a piece of text is not a valid code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidCode {
    Empty,
    BadCharacter(char),
    BadStart(char),
    TooLong,
}

impl fmt::Display for InvalidCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidCode::Empty => write!(f, "the code is empty"),
            InvalidCode::BadCharacter(c) => write!(f, "the code contains {c:?}"),
            InvalidCode::BadStart(c) => write!(f, "the code starts with {c:?}"),
            InvalidCode::TooLong => write!(f, "the code is longer than {MAX_CODE_LEN} characters"),
        }
    }
}

const MAX_CODE_LEN: usize = 100;

impl ErrorCode {
    /// Accepts letters, digits and `. _ - +`, starting with a letter or digit, so that a code is
    /// always a safe, readable URL segment.
    pub fn parse(text: &str) -> Result<ErrorCode, InvalidCode> {
        let first = text.chars().next().ok_or(InvalidCode::Empty)?;
        if !first.is_ascii_alphanumeric() {
            return Err(InvalidCode::BadStart(first));
        }
        if let Some(bad) = text.chars().find(|c| !is_code_char(*c)) {
            return Err(InvalidCode::BadCharacter(bad));
        }
        if text.len() > MAX_CODE_LEN {
            return Err(InvalidCode::TooLong);
        }
        Ok(ErrorCode(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The URL segment for this code: lower-case, so `/E0308/` and `/e0308/` are one page.
    pub fn slug(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    /// The key used to compare codes typed by people: case does not matter.
    pub fn lookup_key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

fn is_code_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+')
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Orders text the way people expect codes to be ordered: runs of digits compare as numbers
/// (`2 < 10 < 100`, `401.2 < 401.10`), everything else case-insensitively.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // What both begin with compares equal, so the comparison starts where they differ, or at
    // the start of the run of digits that difference is in: sorting codes that share most of
    // their text (`ERR_TIMEOUTS_248`, `ERR_TIMEOUTS_249`) then reads a few bytes each.
    let mut start = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    while start > 0 && a[start - 1].is_ascii_digit() {
        start -= 1;
    }
    compare_from_chunk(&a[start..], &b[start..])
}

/// [`natural_cmp`] of text that starts at a chunk boundary, or inside a run of non-digits
/// both share the start of (where comparing the rest compares the whole).
fn compare_from_chunk(a: &[u8], b: &[u8]) -> Ordering {
    let mut left = Chunks { rest: a };
    let mut right = Chunks { rest: b };
    loop {
        match (left.next(), right.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = compare_chunks(x, y);
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

fn compare_chunks(x: &[u8], y: &[u8]) -> Ordering {
    let x_digits = x.first().is_some_and(u8::is_ascii_digit);
    let y_digits = y.first().is_some_and(u8::is_ascii_digit);
    match (x_digits, y_digits) {
        (true, true) => {
            let xs = trim_zeros(x);
            let ys = trim_zeros(y);
            xs.len().cmp(&ys.len()).then_with(|| xs.cmp(ys))
        }
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => x
            .iter()
            .map(u8::to_ascii_lowercase)
            .cmp(y.iter().map(u8::to_ascii_lowercase)),
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|&&d| d == b'0').count();
    &digits[zeros..]
}

/// Splits text into alternating runs of digits and non-digits. Bytes, not characters: a byte
/// of a multi-byte character is never an ASCII digit, so the runs are the same.
struct Chunks<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Chunks<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let digits = self.rest.first()?.is_ascii_digit();
        let end = self
            .rest
            .iter()
            .position(|b| b.is_ascii_digit() != digits)
            .unwrap_or(self.rest.len());
        let (chunk, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(chunk)
    }
}

/// The place of each of `codes` in their order ([`natural_cmp`]), the same for equal codes:
/// sorting ids by rank is sorting them by code, equal codes in the order given, with one
/// comparison of numbers. The codes are compared here once per build (on all cores), not once
/// per listing: the all-codes page, every tag page, the catalog, the sitemap and the short
/// addresses each sort thousands of articles on a big site.
pub fn ranks(codes: &[&str]) -> Vec<usize> {
    use rayon::slice::ParallelSliceMut;
    let mut order: Vec<usize> = (0..codes.len()).collect();
    // A stable sort: equal codes stay in the order given.
    order.par_sort_by(|a, b| natural_cmp(codes[*a], codes[*b]));
    let mut ranks = vec![0; codes.len()];
    let mut rank = 0;
    for (at, id) in order.iter().enumerate() {
        if at > 0 && codes[order[at - 1]] != codes[*id] {
            rank = at;
        }
        ranks[*id] = rank;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_keep_their_exact_text() {
        for text in [
            "401",
            "0012",
            "0x1F",
            "1e3",
            "E0308",
            "401.1",
            "ERR_CONNECTION_REFUSED",
        ] {
            assert_eq!(
                ErrorCode::parse(text).map(|c| c.to_string()),
                Ok(text.to_string())
            );
        }
    }

    #[test]
    fn codes_that_would_be_unsafe_in_a_url_are_rejected() {
        assert_eq!(ErrorCode::parse(""), Err(InvalidCode::Empty));
        assert_eq!(ErrorCode::parse("../x"), Err(InvalidCode::BadStart('.')));
        assert_eq!(ErrorCode::parse("a/b"), Err(InvalidCode::BadCharacter('/')));
        assert_eq!(ErrorCode::parse("a b"), Err(InvalidCode::BadCharacter(' ')));
        assert_eq!(
            ErrorCode::parse("a\\b"),
            Err(InvalidCode::BadCharacter('\\'))
        );
        assert_eq!(
            ErrorCode::parse("a\0"),
            Err(InvalidCode::BadCharacter('\0'))
        );
    }

    /// Starting where two strings differ gives what comparing them whole gives.
    #[test]
    fn natural_order_from_the_first_difference_is_the_whole_order() {
        const PIECES: &[&str] = &[
            "a", "A", "b", "_", ".", "-", "0", "00", "1", "9", "10", "ü", "Ü",
        ];
        let mut next = crate::test_random::numbers(0x2545_f491_4f6c_dd1d);
        let mut text = |prefix: &str| {
            let mut text = prefix.to_string();
            for _ in 0..next(5) {
                text.push_str(PIECES[next(PIECES.len())]);
            }
            text
        };
        for _ in 0..50_000 {
            let prefix = text("");
            let (a, b) = (text(&prefix), text(&prefix));
            assert_eq!(
                natural_cmp(&a, &b),
                compare_from_chunk(a.as_bytes(), b.as_bytes()),
                "{a:?} {b:?}"
            );
        }
    }

    #[test]
    fn natural_order_compares_numbers_by_value() {
        let mut codes = vec!["100", "10", "2", "401.10", "401.2", "E10", "e9", "0x1F"];
        codes.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            codes,
            ["0x1F", "2", "10", "100", "401.2", "401.10", "e9", "E10"]
        );
    }

    /// Sorting by rank gives what sorting by [`natural_cmp`] gives, equal codes in the order
    /// given, whatever subset of the codes is sorted.
    #[test]
    fn sorting_by_code_rank_is_sorting_by_code() {
        const PIECES: &[&str] = &["E", "e", "_", "0", "1", "2", "10", "01"];
        let mut next = crate::test_random::numbers(0x9e37_79b9_7f4a_7c15);
        let codes: Vec<String> = (0..2_000)
            .map(|_| {
                (0..1 + next(4))
                    .map(|_| PIECES[next(PIECES.len())])
                    .collect()
            })
            .collect();
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        assert!(
            codes
                .iter()
                .enumerate()
                .any(|(at, code)| codes[..at].contains(code)),
            "some codes repeat"
        );
        let ranks = ranks(&codes);
        for _ in 0..200 {
            let mut ids: Vec<usize> = (0..1 + next(300)).map(|_| next(codes.len())).collect();
            let mut by_code = ids.clone();
            by_code.sort_by(|a, b| natural_cmp(codes[*a], codes[*b]));
            ids.sort_by_key(|id| ranks[*id]);
            assert_eq!(ids, by_code);
        }
    }
}
