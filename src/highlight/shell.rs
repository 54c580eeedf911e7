//! kb's shell grammar ([`super::grammars`], "Shell") run by hand over a line of ASCII text:
//! the same rules, tried in the same order at each position, so it finds the same tokens as
//! the grammar does through syntect and Oniguruma, at a fraction of the cost (a build with a
//! command block in every article spent about a tenth of its time there). A line with any
//! other character goes through the grammar, whose word rules (`\b`, `\w`) follow Unicode.
//!
//! What syntect does with a context of match rules: at each position it looks for the
//! leftmost match of every rule, takes the leftmost of all (the earlier rule on a tie), and
//! goes on after it. A rule's match at a position never depends on where the search began (its
//! look-behinds see the whole line), so trying every rule at each position in turn, from the
//! end of the last token, finds the same token.

use super::escape_into;

// The start tags of the classed spans, whole: one string written for each, not three.
const COMMENT: &str = "<span class=\"hl-comment hl-line\">";
const STRING: &str = "<span class=\"hl-string hl-quoted\">";
const VARIABLE: &str = "<span class=\"hl-variable hl-other\">";
const OPERATOR: &str = "<span class=\"hl-keyword hl-operator\">";
const CONTROL: &str = "<span class=\"hl-keyword hl-control\">";
const FUNCTION: &str = "<span class=\"hl-variable hl-function\">";
const OPTION: &str = "<span class=\"hl-variable hl-parameter\">";
const NUMBER: &str = "<span class=\"hl-constant hl-numeric\">";

/// A rule's match: from `start` to `end`, with up to two classed parts (each with the start
/// tag of its span); the rest is plain.
struct Token {
    end: usize,
    parts: [Option<(usize, usize, &'static str)>; 2],
}

impl Token {
    fn whole(start: usize, end: usize, span: &'static str) -> Token {
        Token {
            end,
            parts: [Some((start, end, span)), None],
        }
    }
}

/// Appends the highlighted HTML of `line` (its text up to and with its newline), or returns
/// `false`, writing nothing, when the line is not ASCII.
pub(super) fn highlight_line(line: &str, html: &mut String) -> bool {
    if !line.is_ascii() {
        return false;
    }
    let bytes = line.as_bytes();
    // Most lines have nothing to escape: their pieces are then copied, not looked through.
    let plain = !bytes
        .iter()
        .any(|&byte| matches!(byte, b'&' | b'<' | b'>' | b'"'));
    let put = |html: &mut String, piece: &str| {
        if plain {
            html.push_str(piece);
        } else {
            escape_into(html, piece);
        }
    };
    let mut written = 0;
    let mut at = 0;
    while at < bytes.len() {
        if !may_start_token(bytes, at) {
            at += 1;
            continue;
        }
        let Some(token) = token_at(bytes, at) else {
            at += 1;
            continue;
        };
        for (start, end, span) in token.parts.into_iter().flatten() {
            put(html, &line[written..start]);
            html.push_str(span);
            put(html, &line[start..end]);
            html.push_str("</span>");
            written = end;
        }
        at = token.end;
    }
    put(html, &line[written..]);
    true
}

/// Whether any rule may match at `at`: a quick test, by the byte there and the one before,
/// that rules out most positions (those inside a word or a run of spaces), so that the rules
/// themselves are tried at few. Every rule needs one of these:
///
/// - the comment, strings, variable, option, operator and number rules a byte of their own at
///   `at` (`#`, `"`, `'`, `$`, `-`, `|&;<>`, a digit);
/// - the assignment and command rules the start of the line or one of `|;&(` before `at`, or
///   (command) the word `then`, `else` or `do` before it, asked only after an `n`, `e` or `o`
///   (letters common enough that trying every rule after each cost a line most of its time);
/// - the keyword rule a word boundary at `at` with a word character after it.
fn may_start_token(line: &[u8], at: usize) -> bool {
    let Some(&before) = at.checked_sub(1).and_then(|i| line.get(i)) else {
        return true;
    };
    let byte = line[at];
    matches!(
        byte,
        b'#' | b'"' | b'\'' | b'$' | b'-' | b'|' | b'&' | b';' | b'<' | b'>' | b'0'..=b'9'
    ) || matches!(before, b'|' | b';' | b'&' | b'(')
        || (is_word(byte) && !is_word(before))
        || (matches!(before, b'n' | b'e' | b'o') && after_command_word(line, at))
}

/// The first rule, in the grammar's order, that matches at `at`.
fn token_at(line: &[u8], at: usize) -> Option<Token> {
    comment(line, at)
        .or_else(|| double_quoted(line, at))
        .or_else(|| single_quoted(line, at))
        .or_else(|| variable(line, at))
        .or_else(|| assignment(line, at))
        .or_else(|| keyword(line, at))
        .or_else(|| command(line, at))
        .or_else(|| option(line, at))
        .or_else(|| operator(line, at))
        .or_else(|| number(line, at))
}

fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// `\b`: a word character on one side of `at` and not on the other.
fn boundary(line: &[u8], at: usize) -> bool {
    let before = at > 0 && is_word(line[at - 1]);
    let after = line.get(at).is_some_and(|&b| is_word(b));
    before != after
}

/// The byte before `at` is one of `set`.
fn after_one_of(line: &[u8], at: usize, set: &[u8]) -> bool {
    at > 0 && set.contains(&line[at - 1])
}

/// How far a run of bytes matching `keep` goes from `at`.
fn run(line: &[u8], at: usize, keep: impl Fn(u8) -> bool) -> usize {
    line[at..]
        .iter()
        .position(|&b| !keep(b))
        .map_or(line.len(), |n| at + n)
}

/// The length of the keyword at `at` that a word boundary ends: `(?:if|then|…)\b`. Every
/// keyword is made of word characters, so one matches exactly when the run of word characters
/// at `at` is that keyword (and then no other can match). Asked at every word boundary, this
/// costs one look at the word instead of fifteen comparisons of slices.
fn keyword_length(line: &[u8], at: usize) -> Option<usize> {
    // Every keyword starts with one of these letters: most words are ruled out by their first
    // byte, before their run is measured.
    if !matches!(
        line.get(at),
        Some(b'c' | b'd' | b'e' | b'f' | b'i' | b's' | b't' | b'u' | b'w')
    ) {
        return None;
    }
    let word = &line[at..run(line, at, is_word)];
    // The words the grammar reads as the start or end of a construct, in its order, matched
    // as a whole (by length, then a few bytes) rather than compared as fifteen slices.
    let keyword = matches!(
        word,
        b"if"
            | b"then"
            | b"else"
            | b"elif"
            | b"fi"
            | b"for"
            | b"while"
            | b"until"
            | b"do"
            | b"done"
            | b"case"
            | b"esac"
            | b"in"
            | b"function"
            | b"select"
    );
    keyword.then_some(word.len())
}

/// `(?:^|(?<=[ \t;|&(]))#.*`
fn comment(line: &[u8], at: usize) -> Option<Token> {
    let starts_word = at == 0 || after_one_of(line, at, b" \t;|&(");
    (line[at] == b'#' && starts_word)
        .then(|| Token::whole(at, run(line, at, |b| b != b'\n'), COMMENT))
}

/// `"(?:[^"\\]|\\.)*"`
fn double_quoted(line: &[u8], at: usize) -> Option<Token> {
    if line[at] != b'"' {
        return None;
    }
    let mut i = at + 1;
    loop {
        match *line.get(i)? {
            b'"' => return Some(Token::whole(at, i + 1, STRING)),
            b'\\' if line.get(i + 1).is_some_and(|&b| b != b'\n') => i += 2,
            b'\\' => return None,
            _ => i += 1,
        }
    }
}

/// `'[^']*'`
fn single_quoted(line: &[u8], at: usize) -> Option<Token> {
    if line[at] != b'\'' {
        return None;
    }
    let close = at + 1 + line[at + 1..].iter().position(|&b| b == b'\'')?;
    Some(Token::whole(at, close + 1, STRING))
}

/// `\$\{[^}\n]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9@#?*$!-]`
fn variable(line: &[u8], at: usize) -> Option<Token> {
    if line[at] != b'$' {
        return None;
    }
    let next = *line.get(at + 1)?;
    let end = if next == b'{' {
        let close = run(line, at + 2, |b| b != b'}' && b != b'\n');
        (line.get(close) == Some(&b'}')).then_some(close + 1)?
    } else if next.is_ascii_alphabetic() || next == b'_' {
        run(line, at + 2, is_word)
    } else if next.is_ascii_digit() || b"@#?*$!-".contains(&next) {
        at + 2
    } else {
        return None;
    };
    Some(Token::whole(at, end, VARIABLE))
}

/// `(?:^|(?<=[|;&(]))[ \t]*([A-Za-z_][A-Za-z0-9_]*)(=)`
fn assignment(line: &[u8], at: usize) -> Option<Token> {
    if at != 0 && !after_one_of(line, at, b"|;&(") {
        return None;
    }
    let name = run(line, at, |b| b == b' ' || b == b'\t');
    let first = *line.get(name)?;
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return None;
    }
    let equals = run(line, name + 1, is_word);
    (line.get(equals) == Some(&b'=')).then_some(Token {
        end: equals + 1,
        parts: [
            Some((name, equals, VARIABLE)),
            Some((equals, equals + 1, OPERATOR)),
        ],
    })
}

/// `\b(?:if|then|…)\b`
fn keyword(line: &[u8], at: usize) -> Option<Token> {
    if !boundary(line, at) {
        return None;
    }
    keyword_length(line, at).map(|length| Token::whole(at, at + length, CONTROL))
}

/// `(?:^|(?<=[|;&(])|(?<=\bthen|\belse|\bdo))[ \t]*(?!(?:if|then|…)\b)`
/// `([A-Za-z0-9_./~+-][A-Za-z0-9_./~+:@%-]*)`
fn command(line: &[u8], at: usize) -> Option<Token> {
    let begins_command = at == 0 || after_one_of(line, at, b"|;&(") || after_command_word(line, at);
    if !begins_command {
        return None;
    }
    let name = run(line, at, |b| b == b' ' || b == b'\t');
    let first = *line.get(name)?;
    if keyword_length(line, name).is_some()
        || !(first.is_ascii_alphanumeric() || b"_./~+-".contains(&first))
    {
        return None;
    }
    let end = run(line, name + 1, |b| {
        b.is_ascii_alphanumeric() || b"_./~+:@%-".contains(&b)
    });
    Some(Token {
        end,
        parts: [Some((name, end, FUNCTION)), None],
    })
}

/// `(?<=\bthen|\belse|\bdo)`: the words after which a command may start.
fn after_command_word(line: &[u8], at: usize) -> bool {
    let after_word = |word: &str| {
        at >= word.len() && line[..at].ends_with(word.as_bytes()) && boundary(line, at - word.len())
    };
    after_word("then") || after_word("else") || after_word("do")
}

/// `(?<=[ \t])--?[A-Za-z0-9][A-Za-z0-9_-]*`
fn option(line: &[u8], at: usize) -> Option<Token> {
    if line[at] != b'-' || !after_one_of(line, at, b" \t") {
        return None;
    }
    let name = if line.get(at + 1) == Some(&b'-') {
        at + 2
    } else {
        at + 1
    };
    if !line.get(name).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let end = run(line, name + 1, |b| {
        b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
    });
    Some(Token::whole(at, end, OPTION))
}

/// `\|\||&&|[|;&]|[<>]+`
fn operator(line: &[u8], at: usize) -> Option<Token> {
    let end = match line[at] {
        b'|' | b'&' if line.get(at + 1) == Some(&line[at]) => at + 2,
        b'|' | b';' | b'&' => at + 1,
        b'<' | b'>' => run(line, at, |b| b == b'<' || b == b'>'),
        _ => return None,
    };
    Some(Token::whole(at, end, OPERATOR))
}

/// `(?<![\w.:/-])[0-9]+(?![\w.:/-])`: a number on its own.
fn number(line: &[u8], at: usize) -> Option<Token> {
    let joined = |b: u8| is_word(b) || b".:/-".contains(&b);
    if !line[at].is_ascii_digit() || (at > 0 && joined(line[at - 1])) {
        return None;
    }
    let end = run(line, at, |b| b.is_ascii_digit());
    if line.get(end).is_some_and(|&b| joined(b)) {
        return None;
    }
    Some(Token::whole(at, end, NUMBER))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keywords of the grammar (`grammars.rs`), and no other words.
    #[test]
    fn the_keyword_match_is_the_keyword_list() {
        const KEYWORDS: [&str; 15] = [
            "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case",
            "esac", "in", "function", "select",
        ];
        for keyword in KEYWORDS {
            assert_eq!(keyword_length(keyword.as_bytes(), 0), Some(keyword.len()));
            assert_eq!(
                keyword_length(format!("{keyword} x").as_bytes(), 0),
                Some(keyword.len())
            );
            assert_eq!(keyword_length(format!("{keyword}s").as_bytes(), 0), None);
            assert_eq!(keyword_length(&keyword.as_bytes()[1..], 0), None);
        }
        for word in ["", "i", "IF", "Then", "done_", "esa", "functions", "echo"] {
            assert_eq!(keyword_length(word.as_bytes(), 0), None, "{word}");
        }
    }
}
