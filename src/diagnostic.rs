//! Problems found in a site, with the place to fix them.
//!
//! Every problem a build finds becomes a [`Diagnostic`]: severity, message, `path:line:col`
//! counted in the whole file, the offending source line with a caret under the exact spot, and a
//! help line. A build collects all of them, sorts them by file and line and reports them at once.

use std::fmt;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use serde::Serialize;

use crate::paths::SourcePath;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a source file: 1-based line and column (columns count characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    /// How many characters to underline.
    pub length: usize,
    /// The whole source line, without its line ending.
    #[serde(skip)]
    pub source_line: String,
}

impl Location {
    /// The location of `byte_offset` in `text`, underlining `length` bytes (at least one
    /// character, never past the end of the line).
    pub fn at(text: &str, byte_offset: usize, length: usize) -> Location {
        let offset = floor_char_boundary(text, byte_offset.min(text.len()));
        Location::on_line(text, offset, line_breaks(&text[..offset]) + 1, length)
    }

    /// [`Location::at`] a character boundary `offset` known to be on 1-based line `line`.
    fn on_line(text: &str, offset: usize, line: usize, length: usize) -> Location {
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let column = text[line_start..offset].chars().count() + 1;
        let source_line = text[line_start..line_end]
            .trim_end_matches('\r')
            .to_string();
        let span_end = floor_char_boundary(text, (offset + length).min(line_end));
        let length = text[offset..span_end].chars().count().max(1);
        Location {
            line,
            column,
            length,
            source_line,
        }
    }

    /// The underlined characters as a byte range of `source_line`, clamped to the line.
    pub fn byte_span(&self) -> std::ops::Range<usize> {
        let line = self.source_line.as_str();
        let offset_of = |chars: usize| {
            line.char_indices()
                .nth(chars)
                .map_or(line.len(), |(offset, _)| offset)
        };
        let start = offset_of(self.column.saturating_sub(1));
        let end = offset_of(self.column.saturating_sub(1) + self.length.max(1));
        start..end.max(start)
    }

    /// The location of a 1-based line and column, as YAML and template parsers report them.
    pub fn at_line_column(text: &str, line: usize, column: usize, length: usize) -> Location {
        let line_start = line_start_offset(text, line);
        let line_text = text[line_start..].split('\n').next().unwrap_or("");
        let column_offset: usize = line_text
            .chars()
            .take(column.saturating_sub(1))
            .map(char::len_utf8)
            .sum();
        Location::at(text, line_start + column_offset, length)
    }
}

/// Locations in one text, asked mostly in order of their offsets (the links of a body, as it
/// is parsed): each counts only the lines since the one before, where [`Location::at`] counts
/// from the top of the text every time, which a body with many links paid over and over.
pub struct Locator<'t> {
    text: &'t str,
    /// The lines are counted up to this offset…
    counted_to: usize,
    /// … and this many line breaks are before it.
    breaks_before: usize,
}

impl<'t> Locator<'t> {
    pub fn new(text: &'t str) -> Locator<'t> {
        Locator {
            text,
            counted_to: 0,
            breaks_before: 0,
        }
    }

    /// Exactly [`Location::at`]`(text, byte_offset, length)`.
    pub fn at(&mut self, byte_offset: usize, length: usize) -> Location {
        let text = self.text;
        let offset = floor_char_boundary(text, byte_offset.min(text.len()));
        if offset < self.counted_to {
            // Behind the last one: count from the top again.
            self.counted_to = 0;
            self.breaks_before = 0;
        }
        self.breaks_before += line_breaks(&text[self.counted_to..offset]);
        self.counted_to = offset;
        Location::on_line(text, offset, self.breaks_before + 1, length)
    }
}

fn line_breaks(text: &str) -> usize {
    // Counted in runs short enough for a byte counter, which the compiler turns into a count
    // of 16 or 32 bytes at a time; counting into a `usize` went byte by byte, and every link
    // to an anchor counts the lines before it.
    text.as_bytes()
        .chunks(u8::MAX as usize)
        .map(|run| run.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n')))
        .map(usize::from)
        .sum()
}

/// The byte offset where 1-based `line` starts (the end of the text if it has fewer lines).
pub fn line_start_offset(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file to fix, relative to the site root; `None` for problems of the whole site.
    pub file: Option<SourcePath>,
    pub location: Option<Location>,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: None,
            location: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn in_file(mut self, file: &SourcePath) -> Diagnostic {
        self.file = Some(file.clone());
        self
    }

    pub fn at(mut self, location: Location) -> Diagnostic {
        self.location = Some(location);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    fn sort_key(&self) -> (Option<&SourcePath>, usize, usize) {
        let (line, column) = self
            .location
            .as_ref()
            .map_or((0, 0), |l| (l.line, l.column));
        (self.file.as_ref(), line, column)
    }
}

/// Sorts diagnostics by file, line and column, errors before warnings at the same place.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then(a.severity.cmp(&b.severity))
    });
}

/// Renders like rustc:
///
/// ```text
/// error: unknown key `relatd` in front matter
///  --> content/http/4xx/401.md:7:1
///   |
/// 7 | relatd: [403]
///   | ^^^^^^
///   |
///   = help: did you mean `related`?
/// ```
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.render(false))
    }
}

impl Diagnostic {
    /// The diagnostic as rustc would print it (see the `Display` impl), with ANSI colours when
    /// `colour` is set. Control characters in the text are made visible, so a hostile source
    /// line cannot move the cursor or reorder the terminal's text.
    pub fn render(&self, colour: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let message = annotate_snippets::normalize_untrusted_str(&self.message);
        let help = self
            .help
            .as_deref()
            .map(annotate_snippets::normalize_untrusted_str);
        let path = self.file.as_ref().map(ToString::to_string);
        let mut group = Group::with_title(level.primary_title(message.as_str()));
        match (&path, &self.location) {
            (Some(path), Some(location)) => {
                let span = location.byte_span();
                group = group.element(
                    Snippet::source(location.source_line.as_str())
                        .line_start(location.line)
                        .path(path.as_str())
                        .annotation(AnnotationKind::Primary.span(span)),
                );
            }
            (Some(path), None) => group = group.element(Origin::path(path.as_str())),
            _ => {}
        }
        if let Some(help) = &help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        let renderer = if colour {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&[group])
    }
}

/// Whether diagnostics on a stream should be coloured: only on a terminal, and never when the
/// `NO_COLOR` environment variable is set to anything but the empty string (no-color.org).
pub fn use_colour(is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    is_terminal && no_color.is_none_or(|value| value.is_empty())
}

/// Every diagnostic, each followed by a blank line, then the count line:
/// `error: build failed with 2 error(s) and 1 warning(s)` or `warning: 1 warning(s)`.
/// `action` names what failed (`build`, `check`).
pub fn report(diagnostics: &[Diagnostic], action: &str, colour: bool) -> String {
    let mut text = String::new();
    for diagnostic in diagnostics {
        text.push_str(&diagnostic.render(colour));
        text.push_str("\n\n");
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    let (level, summary) = if errors > 0 {
        (
            Level::ERROR,
            format!("{action} failed with {errors} error(s) and {warnings} warning(s)"),
        )
    } else if warnings > 0 {
        (Level::WARNING, format!("{warnings} warning(s)"))
    } else {
        return text;
    };
    let renderer = if colour {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    text.push_str(&renderer.render(&[Group::with_title(level.primary_title(summary))]));
    text.push('\n');
    text
}

/// Edit distance between two short words, for "did you mean" hints: inserting, deleting or
/// changing a letter and swapping two neighbouring letters (`titel` → `title`, the most common
/// typo) each count one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // rows[i][j] is the distance between the first i letters of a and the first j of b.
    let mut rows: Vec<Vec<usize>> = (0..=a.len()).map(|i| vec![i; b.len() + 1]).collect();
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let change = rows[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut best = change.min(rows[i - 1][j] + 1).min(rows[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (edit_distance(&word.to_lowercase(), c), *c))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line breaks counted in runs are those counted one byte at a time, in texts long enough
    /// for many runs and runs of nothing but line breaks.
    #[test]
    fn line_breaks_are_counted_across_runs() {
        let mut next = crate::test_random::numbers(0x9e6c_63d0_676a_9a99);
        for _ in 0..200 {
            let breaks_per_16 = next(17);
            let text: String = (0..next(2000))
                .map(|_| if next(16) < breaks_per_16 { '\n' } else { 'a' })
                .collect();
            let expected = text.bytes().filter(|b| *b == b'\n').count();
            assert_eq!(line_breaks(&text), expected, "{} bytes", text.len());
        }
        assert_eq!(line_breaks(&"\n".repeat(600)), 600);
    }

    /// A locator must give what `Location::at` gives, for offsets in order, repeated, going
    /// back, inside a character or past the end.
    #[test]
    fn a_locator_finds_what_location_at_finds() {
        const PIECES: &[&str] = &["a", "bc ", "\n", "\r\n", "é", "→", "\n\n", "#"];
        let mut next = crate::test_random::numbers(0x2545_f491_4f6c_dd1d);
        let mut backwards = 0;
        for _ in 0..300 {
            let text = crate::test_random::joined(&mut next, PIECES, 60);
            let mut locator = Locator::new(&text);
            let mut last = 0;
            for _ in 0..next(12) {
                // Mostly forwards, as a parser asks.
                let offset = match next(4) {
                    0 => next(text.len() + 3),
                    _ => (last + next(20)).min(text.len() + 2),
                };
                backwards += usize::from(offset < last);
                last = offset;
                let length = next(8);
                let expected = Location::at(&text, offset, length);
                assert_eq!(locator.at(offset, length), expected, "{text:?} at {offset}");
            }
        }
        assert!(backwards > 50, "{backwards}");
    }

    #[test]
    fn locations_count_lines_and_characters_in_the_whole_file() {
        let text = "---\r\ncode: 401\r\ntitle: é x\n";
        let loc = Location::at(text, text.find('x').unwrap_or(0), 1);
        assert_eq!(
            (loc.line, loc.column, loc.source_line.as_str()),
            (3, 10, "title: é x")
        );
        let loc = Location::at_line_column(text, 2, 7, 3);
        assert_eq!((loc.line, loc.column, loc.length), (2, 7, 3));
    }

    #[test]
    fn typos_get_a_suggestion_and_nonsense_does_not() {
        let keys = ["code", "title", "related", "messages"];
        assert_eq!(did_you_mean("relatd", &keys), Some("related"));
        assert_eq!(did_you_mean("mesages", &keys), Some("messages"));
        assert_eq!(did_you_mean("colour", &keys), None);
        assert_eq!(did_you_mean("titel", &keys), Some("title"));
        assert_eq!(did_you_mean("cdoe", &keys), Some("code"));
    }

    #[test]
    fn a_diagnostic_renders_like_rustc() {
        let text = "---\nrelatd: [403]\n---\n";
        let diagnostic = Diagnostic::error("unknown key `relatd` in front matter")
            .in_file(&SourcePath::new("content/401.md"))
            .at(Location::at(text, 4, 6))
            .with_help("did you mean `related`?");
        assert_eq!(
            diagnostic.to_string(),
            "error: unknown key `relatd` in front matter\n --> content/401.md:2:1\n  |\n2 | relatd: [403]\n  | ^^^^^^\n  |\n  = help: did you mean `related`?\n"
        );
    }

    #[test]
    fn a_diagnostic_without_a_line_still_names_its_file() {
        let diagnostic = Diagnostic::warning("the file is huge")
            .in_file(&SourcePath::new("content/big.md"))
            .with_help("split it");
        assert_eq!(
            diagnostic.render(false),
            "warning: the file is huge\n --> content/big.md\n  = help: split it"
        );
        let diagnostic = Diagnostic::error("there is no `content` folder");
        assert_eq!(
            diagnostic.render(false),
            "error: there is no `content` folder"
        );
    }

    #[test]
    fn underlines_stay_on_their_line_whatever_the_location_says() {
        let location = Location {
            line: 3,
            column: 40,
            length: 9,
            source_line: "é: x".into(),
        };
        assert_eq!(location.byte_span(), 5..5);
        let location = Location {
            column: 3,
            length: 99,
            ..location
        };
        assert_eq!(location.byte_span(), 3..5);
        let rendered = Diagnostic::error("x")
            .in_file(&SourcePath::new("a.md"))
            .at(location)
            .render(false);
        assert!(
            rendered.starts_with("error: x\n --> a.md:3:3\n"),
            "{rendered}"
        );
    }

    #[test]
    fn control_characters_in_sources_cannot_reach_the_terminal() {
        let text = "title: \u{1b}[31mred\u{202e}\n";
        let rendered = Diagnostic::error("bad \u{1b}[2J")
            .in_file(&SourcePath::new("a.md"))
            .at(Location::at(text, 7, 3))
            .render(false);
        assert!(!rendered.contains('\u{1b}'), "{rendered:?}");
        assert!(!rendered.contains('\u{202e}'), "{rendered:?}");
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        use std::ffi::OsStr;
        assert!(use_colour(true, None));
        assert!(use_colour(true, Some(OsStr::new(""))));
        assert!(!use_colour(true, Some(OsStr::new("1"))));
        assert!(!use_colour(false, None));
        let diagnostic = Diagnostic::error("x");
        assert!(diagnostic.render(true).contains('\u{1b}'));
        assert!(!diagnostic.render(false).contains('\u{1b}'));
    }

    #[test]
    fn a_report_ends_with_the_count() {
        let diagnostics = [Diagnostic::error("a"), Diagnostic::warning("b")];
        assert_eq!(
            report(&diagnostics, "check", false),
            "error: a\n\nwarning: b\n\nerror: check failed with 1 error(s) and 1 warning(s)\n"
        );
        assert_eq!(
            report(&diagnostics[1..], "build", false),
            "warning: b\n\nwarning: 1 warning(s)\n"
        );
        assert_eq!(report(&[], "build", false), "");
    }
}
