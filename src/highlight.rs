//! Code blocks, highlighted at build time. syntect's bundled grammars (the Sublime Text defaults,
//! matched with Oniguruma, which is several times faster than the pure-Rust `fancy-regex` on
//! them and gives the same HTML: see BENCHMARKS.md) mark up each token with CSS
//! classes (`hl-keyword`, `hl-string`, …) rather than colours: the theme's stylesheet colours them,
//! so one page works in light and dark mode and a site can restyle it.
//!
//! `http`, `nginx` and `apache`, common in error articles and missing from syntect's set, have
//! small grammars of their own ([`grammars`]), as has the shell, whose grammar is also run by
//! hand, without regexes, on lines of ASCII text ([`shell`]). A block in any other language, or
//! in none, is shown as plain, escaped text. The grammars are loaded on the first block that
//! names a language, so a site without code pays nothing.

mod grammars;
mod shell;

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use syntect::parsing::{
    BasicScopeStackOp, ParseState, Scope, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet,
};

use crate::json::equal_bytes;

/// The prefix of every class the highlighter writes: `hl-keyword hl-control`.
pub const CLASS_PREFIX: &str = "hl-";

/// The kinds of token that get a `<span>`: the first part of a TextMate scope name. Others
/// (`source`, `meta`, `punctuation`, …) only group tokens, and a span for each of them made the
/// HTML of a block seven times the size of its text.
const MARKED: &[&str] = &[
    "comment", "constant", "entity", "invalid", "keyword", "markup", "storage", "string",
    "support", "variable",
];

/// Blocks longer than this are shown plain: backtracking regexes can be slow on huge inputs,
/// and nobody reads a 100 KiB listing in a help article.
const MAX_HIGHLIGHTED_BYTES: usize = 100 * 1024;

/// Highlights code blocks; shared by every page of a build.
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
    extra: OnceLock<SyntaxSet>,
    /// Tells this highlighter's lines apart in a thread's [`PARSED_LINES`].
    id: u64,
}

impl Default for Highlighter {
    fn default() -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Highlighter {
            syntaxes: OnceLock::new(),
            extra: OnceLock::new(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }
}

/// Lines longer than this are not kept in [`PARSED_LINES`]: long lines rarely repeat.
const MAX_CACHED_LINE_BYTES: usize = 200;

/// How many lines a thread keeps in [`PARSED_LINES`], so that memory stays bounded.
const MAX_CACHED_LINES: usize = 20_000;

/// How many shell lines highlighted by hand a thread keeps (a few hundred bytes each): the
/// commands that recur in a site's articles are met early.
const MAX_CACHED_SHELL_LINES: usize = 4096;

thread_local! {
    /// Lines already parsed on this thread, by grammar set and text, with the parser state each
    /// was parsed in. Help articles repeat lines (`sudo systemctl restart nginx`, `}`, blank
    /// lines: 40% of the shipped site's code lines), and parsing is what highlighting costs.
    /// Parsing depends only on the state before the line and the line, so a hit gives exactly
    /// what parsing would. Per thread because a parser state holds Oniguruma regions, which may
    /// not cross threads.
    static PARSED_LINES: RefCell<ParsedLines> = RefCell::default();
}

#[derive(Default)]
struct ParsedLines {
    /// The highlighter whose lines these are.
    owner: Option<u64>,
    /// By grammar set (syntect's, kb's), then line.
    sets: [HashMap<String, Vec<ParsedLine>>; 2],
    /// How many lines `sets` keep.
    count: usize,
    /// The HTML of lines highlighted by hand with the shell grammar ([`shell`]), by line: it
    /// depends on the line alone. (foldhash: every shell line of a build asks.) Bounded on its
    /// own, by [`MAX_CACHED_SHELL_LINES`], so that shell lines never crowd out the parsed lines
    /// of other languages, which cost far more to parse again.
    shell: foldhash::HashMap<String, String>,
}

impl ParsedLines {
    /// This thread's lines, emptied first if they are another highlighter's.
    fn of(&mut self, owner: u64) -> &mut ParsedLines {
        if self.owner != Some(owner) {
            *self = ParsedLines {
                owner: Some(owner),
                ..ParsedLines::default()
            };
        }
        self
    }
}

struct ParsedLine {
    before: ParseState,
    ops: Vec<(usize, ScopeStackOp)>,
    after: ParseState,
}

impl Highlighter {
    pub fn new() -> Self {
        Self::default()
    }

    /// The scope operations of `line`, parsed from `state` with the grammars of set number
    /// `set`; `state` moves past the line.
    fn parse_line(
        &self,
        set: usize,
        state: &mut ParseState,
        line: &str,
        syntaxes: &SyntaxSet,
    ) -> Option<Vec<(usize, ScopeStackOp)>> {
        if line.len() > MAX_CACHED_LINE_BYTES {
            return state.parse_line(line, syntaxes).ok();
        }
        PARSED_LINES.with_borrow_mut(|cache| {
            let cache = cache.of(self.id);
            let known = cache.sets[set]
                .get(line)
                .and_then(|parsed| parsed.iter().find(|p| p.before == *state));
            if let Some(parsed) = known {
                *state = parsed.after.clone();
                return Some(parsed.ops.clone());
            }
            let before = state.clone();
            let ops = state.parse_line(line, syntaxes).ok()?;
            if cache.count < MAX_CACHED_LINES {
                cache.count += 1;
                let parsed = ParsedLine {
                    before,
                    ops: ops.clone(),
                    after: state.clone(),
                };
                cache.sets[set]
                    .entry(line.to_string())
                    .or_default()
                    .push(parsed);
            }
            Some(ops)
        })
    }

    /// Appends the HTML of `line` highlighted with the shell grammar by hand, or returns
    /// `false`, writing nothing, when the line is not ASCII. A line seen before on this thread
    /// is copied from then: the commands of help articles repeat (`sudo systemctl restart
    /// nginx`), and a copy costs a small part of highlighting the line again.
    fn shell_line(&self, line: &str, html: &mut String) -> bool {
        if !line.is_ascii() {
            return false;
        }
        if line.len() > MAX_CACHED_LINE_BYTES {
            return shell::highlight_line(line, html);
        }
        PARSED_LINES.with_borrow_mut(|cache| {
            let cache = cache.of(self.id);
            if let Some(known) = cache.shell.get(line) {
                html.push_str(known);
                return true;
            }
            let start = html.len();
            if !shell::highlight_line(line, html) {
                return false;
            }
            if cache.shell.len() < MAX_CACHED_SHELL_LINES {
                cache
                    .shell
                    .insert(line.to_string(), html[start..].to_string());
            }
            true
        })
    }

    /// The grammar for a fence's language, the set it belongs to (syntect's own first) and that
    /// set's number.
    fn syntax(&self, language: &str) -> Option<(&SyntaxReference, &SyntaxSet, usize)> {
        let lower = language.to_ascii_lowercase();
        // kb's own grammars first (its shell grammar takes the place of syntect's); syntect's
        // set, slow to load, only when a block needs it.
        let own = self.extra.get_or_init(grammars::syntax_set);
        if let Some(syntax) = find_syntax(own, language, &lower) {
            return Some((syntax, own, 0));
        }
        let bundled = self.syntaxes.get_or_init(SyntaxSet::load_defaults_newlines);
        find_syntax(bundled, language, &lower).map(|syntax| (syntax, bundled, 1))
    }

    /// What [`Highlighter::write_code_block`] writes, as a string of its own, for the tests.
    #[cfg(test)]
    pub fn code_block(&self, info: &str, code: &str) -> String {
        let mut html = String::with_capacity(code.len() * 2 + 64);
        self.write_code_block(info, code, &mut html);
        html
    }

    /// Appends the HTML of a fenced block whose info string is `info` (`sh`, `rust ignore`, or
    /// empty) to `html`. The `<pre>` takes keyboard focus so that a reader can scroll a long line
    /// without a mouse.
    pub fn write_code_block(&self, info: &str, code: &str, html: &mut String) {
        let language = language_of(info);
        html.reserve(code.len() * 2 + 64);
        html.push_str("<pre tabindex=\"0\"><code");
        if let Some(language) = language {
            html.push_str(" class=\"language-");
            html.push_str(language);
            html.push('"');
        }
        html.push('>');
        let start = html.len();
        let highlighted = language.is_some_and(|l| self.highlight_into(l, code, html, true));
        if !highlighted {
            html.truncate(start);
            escape_into(html, code);
        }
        html.push_str("</code></pre>\n");
    }

    /// [`Highlighter::highlight_into`] into a string of its own, for the test that compares the
    /// shell grammar by hand with the grammar run by syntect.
    #[cfg(test)]
    fn highlight_with(&self, language: &str, code: &str, shell_by_hand: bool) -> Option<String> {
        let mut html = String::new();
        self.highlight_into(language, code, &mut html, shell_by_hand)
            .then_some(html)
    }

    /// Appends the classed spans for `code` to `html`; `false`, with some of them appended,
    /// when the language is unknown or the grammar fails. kb's shell grammar is run by hand on
    /// ASCII lines ([`shell`]) or, for the test that compares the two, through syntect on
    /// every line.
    fn highlight_into(
        &self,
        language: &str,
        code: &str,
        html: &mut String,
        shell_by_hand: bool,
    ) -> bool {
        if code.len() > MAX_HIGHLIGHTED_BYTES {
            return false;
        }
        let by_hand = shell_by_hand && grammars::finds_shell(language);
        // A shell block's grammar is looked up (and the grammars built) on its first line not
        // highlighted by hand: often none.
        let mut grammar = None;
        if !by_hand {
            let Some(found) = self.syntax(language) else {
                return false;
            };
            grammar = Some(found);
        }
        // Made on the first line the grammar runs on: often none, in a shell block.
        let mut state: Option<ParseState> = None;
        let mut stack = ScopeStack::new();
        let mut spans = Spans {
            html,
            open: Vec::new(),
            classes: HashMap::new(),
        };
        for line in lines_with_endings(code) {
            // Every token of the shell grammar ends on its line, so the lines it does not see
            // leave nothing open for the next.
            if by_hand && self.shell_line(line, spans.html) {
                continue;
            }
            let (syntax, syntaxes, set) = match grammar {
                Some(found) => found,
                None => {
                    let Some(found) = self.syntax(language) else {
                        return false;
                    };
                    *grammar.insert(found)
                }
            };
            let state = state.get_or_insert_with(|| ParseState::new(syntax));
            let Some(ops) = self.parse_line(set, state, line, syntaxes) else {
                return false;
            };
            let mut written = 0;
            for (at, op) in &ops {
                if *at > written {
                    escape_into(spans.html, &line[written..*at]);
                    written = *at;
                }
                if stack.apply_with_hook(op, |op, _| spans.apply(op)).is_err() {
                    return false;
                }
            }
            escape_into(spans.html, &line[written..]);
        }
        spans.finish();
        true
    }
}

/// The lines of `code`, each with its line break, as syntect's `LinesWithEndings` gives them:
/// the breaks found by one memchr search over the whole block, where `LinesWithEndings` starts
/// a search of its own for each line (a block's lines are short, and its set-up cost a line
/// about as much as the search).
fn lines_with_endings(code: &str) -> impl Iterator<Item = &str> {
    let ends = memchr::memchr_iter(b'\n', code.as_bytes()).map(|at| at + 1);
    let mut start = 0;
    ends.chain(std::iter::once(code.len()))
        .filter_map(move |end| {
            // Each end follows a `\n` (or is the end of the text): a character boundary.
            let line = code.get(start..end).filter(|line| !line.is_empty());
            start = end;
            line
        })
}

/// The syntax of `set` for a fence name, as written or in lower case.
fn find_syntax<'a>(set: &'a SyntaxSet, name: &str, lower: &str) -> Option<&'a SyntaxReference> {
    set.find_syntax_by_token(name)
        .or_else(|| set.find_syntax_by_token(lower))
}

/// Highlighted HTML being written: a `<span>` for each scope of a [`MARKED`] kind, with the
/// first two parts of its name as classes (`keyword.control.shell` → `hl-keyword hl-control`).
struct Spans<'h> {
    html: &'h mut String,
    /// For each scope on the stack, where its `<span>` starts and its content begins, if it
    /// has one.
    open: Vec<Option<(usize, usize)>>,
    classes: HashMap<Scope, Option<String>>,
}

impl Spans<'_> {
    fn apply(&mut self, op: BasicScopeStackOp) {
        match op {
            BasicScopeStackOp::Push(scope) => {
                let classes = self
                    .classes
                    .entry(scope)
                    .or_insert_with(|| classes_of(scope));
                let span = classes.as_ref().map(|classes| {
                    let start = self.html.len();
                    self.html.push_str("<span class=\"");
                    self.html.push_str(classes);
                    self.html.push_str("\">");
                    (start, self.html.len())
                });
                self.open.push(span);
            }
            BasicScopeStackOp::Pop => match self.open.pop() {
                // An empty span is dropped rather than closed.
                Some(Some((start, content))) if content == self.html.len() => {
                    self.html.truncate(start)
                }
                Some(Some(_)) => self.html.push_str("</span>"),
                _ => {}
            },
        }
    }

    fn finish(mut self) {
        while !self.open.is_empty() {
            self.apply(BasicScopeStackOp::Pop);
        }
    }
}

/// `hl-keyword hl-control` for `keyword.control.shell`; `None` for a kind that is not marked.
fn classes_of(scope: Scope) -> Option<String> {
    let name = scope.build_string();
    let mut parts = name.split('.');
    let kind = parts.next().filter(|kind| MARKED.contains(kind))?;
    let mut classes = format!("{CLASS_PREFIX}{kind}");
    if let Some(detail) = parts.next() {
        classes.push(' ');
        classes.push_str(CLASS_PREFIX);
        classes.push_str(detail);
    }
    Some(classes)
}

/// The language named by a fence's info string: its first word, if it is a plausible name.
/// Anything else (quotes, `<`, …) is dropped rather than written into a class attribute.
fn language_of(info: &str) -> Option<&str> {
    let word = info.split([' ', '\t', ',', '{']).next()?.trim();
    let plausible = !word.is_empty()
        && word.len() <= 32
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-_.#".contains(c));
    plausible.then_some(word)
}

/// Appends `text` with `&`, `<`, `>` and `"` escaped.
pub(crate) fn escape_into(html: &mut String, text: &str) {
    escape_with::<false>(html, text);
}

/// [`escape_into`] with `'` escaped too, as `&#39;`: what pulldown-cmark's `escape_html` writes,
/// for the attributes of a body's headings.
pub(crate) fn escape_attribute_into(html: &mut String, text: &str) {
    escape_with::<true>(html, text);
}

fn escape_with<const APOSTROPHE: bool>(html: &mut String, text: &str) {
    // Runs of plain text are copied whole; the escaped characters are ASCII, so each byte found
    // is a whole character.
    let bytes = text.as_bytes();
    let mut plain_from = 0;
    while let Some(offset) = first_to_escape::<APOSTROPHE>(&bytes[plain_from..]) {
        let at = plain_from + offset;
        html.push_str(&text[plain_from..at]);
        html.push_str(match bytes[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        plain_from = at + 1;
    }
    html.push_str(&text[plain_from..]);
}

/// Where the first byte that [`escape_with`] escapes is, looked for eight bytes at a time: ids,
/// anchors and the pieces of highlighted lines, escaped by the tens of thousands, are mostly
/// plain, and a byte at a time cost several instructions each.
fn first_to_escape<const APOSTROPHE: bool>(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        let word = u64::from_le_bytes(eight);
        // Each flags exactly its lowest byte, so their lowest together is exact too.
        let mut flags = equal_bytes(word, b'&')
            | equal_bytes(word, b'<')
            | equal_bytes(word, b'>')
            | equal_bytes(word, b'"');
        if APOSTROPHE {
            flags |= equal_bytes(word, b'\'');
        }
        if flags != 0 {
            return Some(offset + flags.trailing_zeros() as usize / 8);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&byte| {
            matches!(byte, b'&' | b'<' | b'>' | b'"') || (APOSTROPHE && byte == b'\'')
        })
        .map(|at| offset + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_is_the_first_plausible_word_of_the_info_string() {
        assert_eq!(language_of("sh"), Some("sh"));
        assert_eq!(language_of("rust ignore"), Some("rust"));
        assert_eq!(language_of("c++,linenos"), Some("c++"));
        assert_eq!(language_of(""), None);
        assert_eq!(language_of("\"><script>"), None);
    }

    #[test]
    fn known_languages_get_classed_spans_and_escaped_text() {
        let html = Highlighter::new().code_block("sh", "echo \"<b>\" # note\n");
        assert!(
            html.starts_with("<pre tabindex=\"0\"><code class=\"language-sh\">"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-comment hl-line\">"),
            "{html}"
        );
        assert!(
            !html.contains("hl-source") && !html.contains("hl-meta"),
            "{html}"
        );
        assert!(html.contains("&lt;b&gt;"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }

    /// Each span of kb's shell grammar as (classes, text), in order.
    fn shell_spans(code: &str) -> Vec<(String, String)> {
        let html = Highlighter::new().code_block("sh", code);
        let fragment = scraper::Html::parse_fragment(&html);
        let span = scraper::Selector::parse("span").unwrap();
        fragment
            .select(&span)
            .map(|s| {
                let classes = s.value().attr("class").unwrap_or_default().to_string();
                (classes, s.text().collect())
            })
            .collect()
    }

    #[test]
    fn shell_commands_options_strings_variables_and_comments_are_told_apart() {
        let spans = shell_spans(
            "sudo systemctl restart nginx && curl -sI \"$URL\" | grep -i 'x-cache' # why\n\
             curl -m 5 http://127.0.0.1:8080/v2\n\
             if [ -f /etc/app.conf ]; then echo ${HOME}#not-a-comment; fi\n\
             LANG=C\n",
        );
        let of = |kind: &str| -> Vec<&str> {
            spans
                .iter()
                .filter(|(classes, _)| classes == kind)
                .map(|(_, text)| text.as_str())
                .collect()
        };
        assert_eq!(
            of("hl-variable hl-function"),
            ["sudo", "curl", "grep", "curl", "echo"]
        );
        // Only the number on its own: an address stays one run of text for search.
        assert_eq!(of("hl-constant hl-numeric"), ["5"]);
        assert_eq!(of("hl-variable hl-parameter"), ["-sI", "-i", "-m", "-f"]);
        assert_eq!(of("hl-string hl-quoted"), ["\"$URL\"", "'x-cache'"]);
        assert_eq!(of("hl-variable hl-other"), ["${HOME}", "LANG"]);
        assert_eq!(of("hl-comment hl-line"), ["# why"]);
        assert_eq!(of("hl-keyword hl-control"), ["if", "then", "fi"]);
        assert_eq!(of("hl-keyword hl-operator"), ["&&", "|", ";", ";", "="]);
    }

    /// The hand-run shell grammar must give exactly the HTML of the grammar run by syntect:
    /// compared on many random lines made of the pieces its rules look at.
    #[test]
    fn the_shell_grammar_by_hand_gives_what_syntect_gives() {
        #[rustfmt::skip]
        const PIECES: &[&str] = &[
            " ", " ", "\t", "a", "Z", "_", "9", "0", "42", ".", ":", "/", "-", "--", "=", "#",
            "\"", "'", "\\", "$", "${", "}", "{", "|", "||", ";", "&", "&&", "(", ")", "<",
            ">", ">>", "~", "+", "@", "%", "!", "?", "*", "if", "then", "else", "elif", "fi",
            "do", "done", "in", "for", "function", "select", "echo", "curl", "-sI", "--all",
            "127.0.0.1", ":8080", "v2", "LANG", "é", "→", "\r",
        ];
        let mut next = crate::test_random::numbers(0x9e37_79b9_7f4a_7c15);
        let highlighter = Highlighter::new();
        let mut non_ascii = 0;
        for _ in 0..4000 {
            let mut block = String::new();
            for _ in 0..1 + next(3) {
                for _ in 0..next(24) {
                    block.push_str(PIECES[next(PIECES.len())]);
                }
                block.push('\n');
            }
            non_ascii += usize::from(!block.is_ascii());
            let by_hand = highlighter.highlight_with("sh", &block, true);
            let by_grammar = highlighter.highlight_with("sh", &block, false);
            assert_eq!(by_hand, by_grammar, "{block:?}");
            // Again, its lines now copied from those seen before.
            let again = highlighter.highlight_with("sh", &block, true);
            assert_eq!(again, by_grammar, "{block:?}");
        }
        // Both kinds of line were seen, so both paths ran side by side.
        assert!(non_ascii > 100 && non_ascii < 3900, "{non_ascii}");
    }

    #[test]
    fn a_repeated_line_is_highlighted_in_the_state_it_is_in() {
        let block = "s = '''\nx = 1\n'''\nx = 1\n";
        let highlighter = Highlighter::new();
        let html = highlighter.code_block("python", block);
        // `x = 1` inside the string is string text; the same line after it is code.
        assert!(
            html.contains("<span class=\"hl-string hl-quoted\">x = 1\n"),
            "{html}"
        );
        let code = "x <span class=\"hl-keyword hl-operator\">=</span> \
                    <span class=\"hl-constant hl-numeric\">1</span>";
        assert!(html.contains(code), "{html}");
        // Lines seen before come from the cache and give the same HTML.
        assert_eq!(highlighter.code_block("python", block), html);
        assert_eq!(Highlighter::new().code_block("python", block), html);
    }

    #[test]
    fn escaping_keeps_every_other_character() {
        let mut html = String::from("<kept>");
        escape_into(&mut html, "\"é\"&&<→>x'");
        assert_eq!(html, "<kept>&quot;é&quot;&amp;&amp;&lt;→&gt;x'");
        let mut html = String::new();
        escape_into(&mut html, "");
        assert_eq!(html, "");
    }

    /// The escapes, eight bytes at a time, write what escaping each character does, and with
    /// `'` what pulldown-cmark's attribute escaping does.
    #[test]
    fn escaping_eight_bytes_at_a_time_escapes_every_character() {
        const PIECES: &[&str] = &[
            "a",
            "word ",
            "&",
            "<",
            ">",
            "\"",
            "'",
            "é",
            "→",
            "\n",
            "0123456789abcdef",
            "-",
        ];
        let by_character = |text: &str| -> String {
            text.chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' => "&quot;".to_string(),
                    c => c.to_string(),
                })
                .collect()
        };
        let mut next = crate::test_random::numbers(0x3c6e_f372_fe94_f82b);
        for _ in 0..20_000 {
            let text = crate::test_random::joined(&mut next, PIECES, 24);
            let mut html = String::from("<kept>");
            escape_into(&mut html, &text);
            assert_eq!(html, format!("<kept>{}", by_character(&text)), "{text:?}");
            let mut expected = String::new();
            let _ = pulldown_cmark_escape::escape_html(&mut expected, &text);
            let mut attribute = String::new();
            escape_attribute_into(&mut attribute, &text);
            assert_eq!(attribute, expected, "{text:?}");
        }
    }

    /// A block's lines are those syntect's `LinesWithEndings` gives.
    #[test]
    fn lines_are_split_as_syntect_splits_them() {
        const PIECES: &[&str] = &["a", "echo x", "\n", "\n", "\r\n", " ", "é", "\t"];
        let mut next = crate::test_random::numbers(0x94d0_49bb_1331_11eb);
        for _ in 0..5000 {
            let code = crate::test_random::joined(&mut next, PIECES, 12);
            let by_syntect: Vec<&str> = syntect::util::LinesWithEndings::from(&code).collect();
            let lines: Vec<&str> = lines_with_endings(&code).collect();
            assert_eq!(lines, by_syntect, "{code:?}");
        }
    }

    #[test]
    fn unknown_languages_are_plain_escaped_text() {
        let html = Highlighter::new().code_block("klingon", "Qapla' <x>\n");
        assert_eq!(
            html,
            "<pre tabindex=\"0\"><code class=\"language-klingon\">Qapla' &lt;x&gt;\n</code></pre>\n"
        );
        let html = Highlighter::new().code_block("", "a & b");
        assert_eq!(html, "<pre tabindex=\"0\"><code>a &amp; b</code></pre>\n");
    }

    #[test]
    fn http_nginx_and_apache_blocks_use_kbs_own_grammars() {
        let highlighter = Highlighter::new();
        let http = highlighter.code_block(
            "http",
            "HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Basic realm=\"x\"\n",
        );
        assert!(
            http.contains("<span class=\"hl-constant hl-numeric\">401</span>"),
            "{http}"
        );
        assert!(
            http.contains("<span class=\"hl-variable hl-parameter\">WWW-Authenticate</span>"),
            "{http}"
        );
        assert!(
            http.contains("<span class=\"hl-string hl-quoted\">&quot;x&quot;</span>"),
            "{http}"
        );
        let nginx =
            highlighter.code_block("nginx", "location /admin/ {\n    auth_basic off; # no\n}\n");
        assert!(
            nginx.contains("<span class=\"hl-keyword hl-other\">auth_basic</span>"),
            "{nginx}"
        );
        assert!(
            nginx.contains("<span class=\"hl-constant hl-language\">off</span>"),
            "{nginx}"
        );
        assert!(
            nginx.contains("<span class=\"hl-comment hl-line\"># no</span>"),
            "{nginx}"
        );
        let apache = highlighter.code_block(
            "apache",
            "<Directory /var/www>\n  RewriteRule ^ - [L,R=301]\n",
        );
        assert!(
            apache.contains("<span class=\"hl-entity hl-name\">Directory</span>"),
            "{apache}"
        );
        assert!(
            apache.contains("<span class=\"hl-constant hl-other\">[L,R=301]</span>"),
            "{apache}"
        );
    }
}
