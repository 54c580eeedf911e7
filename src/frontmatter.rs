//! Front matter: splitting a Markdown file into its YAML block and body, and the keys an
//! article (or a category's `_index.md`) may have.

use serde::Deserialize;

use crate::code::ErrorCode;
use crate::diagnostic::{Diagnostic, Location};
use crate::paths::{Segment, SourcePath, UrlPath};
use crate::yaml::YamlBlock;

/// A file cut into its front matter and body. Offsets are bytes into the text after the BOM.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the `---` lines and its byte offset, if the file has front matter.
    pub front_matter: Option<(usize, &'a str)>,
    pub body: &'a str,
    pub body_offset: usize,
}

/// Cuts `text` (already without BOM) at its `---` fences. CRLF line endings work.
pub fn split<'a>(file: &SourcePath, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let Some(first_line_end) = fence_end(text, 0) else {
        return Ok(Split {
            front_matter: None,
            body: text,
            body_offset: 0,
        });
    };
    let mut line_start = first_line_end;
    while line_start < text.len() {
        // Only a line that starts with the fence may be one: the others are passed over
        // without looking for their end twice.
        if text[line_start..].starts_with("---")
            && let Some(end) = fence_end(text, line_start)
        {
            return Ok(Split {
                front_matter: Some((first_line_end, &text[first_line_end..line_start])),
                body: &text[end..],
                body_offset: end,
            });
        }
        line_start = memchr::memchr(b'\n', &text.as_bytes()[line_start..])
            .map_or(text.len(), |i| line_start + i + 1);
    }
    Err(Diagnostic::error("front matter is never closed")
        .in_file(file)
        .at(Location::at(text, 0, 3))
        .with_help("add a line with just `---` after the last front-matter key"))
}

/// If a `---` fence line starts at `start`, the offset just past its line ending.
fn fence_end(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start..];
    let line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    (rest[..line_end].trim_end() == "---").then_some(start + line_end)
}

pub const ARTICLE_KEYS: &[&str] = &[
    "code",
    "title",
    "summary",
    "messages",
    "applies_to",
    "related",
    "tags",
    "aliases",
    "updated",
    "weight",
    "draft",
    "extra",
    "slug",
];

pub const CATEGORY_KEYS: &[&str] = &["title", "description", "weight", "extra"];

#[derive(Debug, Default, Deserialize)]
#[cfg_attr(test, derive(PartialEq))]
struct RawArticle {
    code: Option<String>,
    title: Option<String>,
    summary: Option<String>,
    messages: Option<Vec<String>>,
    applies_to: Option<Vec<String>>,
    related: Option<Vec<String>>,
    tags: Option<Vec<String>>,
    aliases: Option<Vec<String>>,
    updated: Option<String>,
    weight: Option<i64>,
    draft: Option<bool>,
    extra: Option<serde_yaml::Value>,
    slug: Option<String>,
}

/// An article's validated front matter.
#[derive(Debug, Clone)]
pub struct ArticleMeta {
    pub code: ErrorCode,
    pub title: String,
    pub summary: Option<String>,
    pub messages: Vec<String>,
    pub applies_to: Vec<String>,
    /// Related codes as written; resolved to articles when the site is linked.
    pub related: Vec<String>,
    pub tags: Vec<String>,
    pub aliases: Vec<UrlPath>,
    pub updated: Option<Date>,
    pub weight: i64,
    pub draft: bool,
    pub extra: serde_json::Value,
    pub slug: Segment,
}

/// A calendar date `YYYY-MM-DD`, kept as written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Date(String);

impl Date {
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        let shaped = text.is_ascii()
            && bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && text
                .chars()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shaped {
            return None;
        }
        let month: u32 = text[5..7].parse().ok()?;
        let day: u32 = text[8..10].parse().ok()?;
        let year: u32 = text[..4].parse().ok()?;
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&day).then(|| Date(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Parses and validates an article's front matter, reporting every problem found.
pub fn parse_article(block: &YamlBlock) -> Result<ArticleMeta, Vec<Diagnostic>> {
    let raw: RawArticle = block.parse(ARTICLE_KEYS)?;
    let mut problems = Vec::new();

    let code = match raw.code.as_deref().map(str::trim) {
        None | Some("") => {
            problems.push(
                block
                    .diagnostic_at_key("missing required key `code`", "code")
                    .with_help("add a line such as `code: 401`"),
            );
            None
        }
        Some(text) => match ErrorCode::parse(text) {
            Ok(code) => Some(code),
            Err(why) => {
                problems.push(
                    block
                        .diagnostic_at_value(&format!("`{text}` is not a usable code: {why}"), "code", text)
                        .with_help("codes may contain letters, digits and `. _ - +`, and start with a letter or digit"),
                );
                None
            }
        },
    };
    let title = non_empty(raw.title);
    if title.is_none() {
        problems.push(
            block
                .diagnostic_at_key("missing required key `title`", "title")
                .with_help("add a line such as `title: Unauthorized`"),
        );
    }
    let updated = match raw.updated.as_deref() {
        None => None,
        Some(text) => {
            let date = Date::parse(text.trim());
            if date.is_none() {
                problems.push(
                    block
                        .diagnostic_at_value(
                            &format!("`updated` must be a date, found `{text}`"),
                            "updated",
                            text,
                        )
                        .with_help("write the date as YYYY-MM-DD, e.g. `updated: 2026-11-26`"),
                );
            }
            date
        }
    };
    let aliases = raw
        .aliases
        .unwrap_or_default()
        .into_iter()
        .filter_map(|alias| match UrlPath::parse(&alias) {
            Ok(path) if path.segments().is_empty() => {
                problems.push(block.diagnostic_at_value(
                    "an alias cannot be the home page",
                    "aliases",
                    &alias,
                ));
                None
            }
            Ok(path) => Some(path),
            Err(why) => {
                problems.push(
                    block
                        .diagnostic_at_value(
                            &format!(
                                "alias `{}` is not a path on this site: {why}",
                                alias.escape_debug()
                            ),
                            "aliases",
                            &alias,
                        )
                        .with_help(
                            "write an alias as a path from the site root, e.g. `/errors/401.html`",
                        ),
                );
                None
            }
        })
        .collect();
    let slug = match (&raw.slug, &code) {
        (Some(text), _) => match Segment::new(text) {
            Ok(segment) => Some(segment),
            Err(why) => {
                problems.push(
                    block
                        .diagnostic_at_value(
                            &format!("slug `{}` cannot be used: {why}", text.escape_debug()),
                            "slug",
                            text,
                        )
                        .with_help(
                            "a slug is one URL segment of letters, digits, `-`, `_` and `.`",
                        ),
                );
                None
            }
        },
        (None, Some(code)) => Segment::new(&code.slug()).ok(),
        (None, None) => None,
    };
    let extra = match raw.extra.map(serde_json::to_value).transpose() {
        Ok(extra) => extra.unwrap_or(serde_json::Value::Object(Default::default())),
        Err(e) => {
            problems
                .push(block.diagnostic_at_key(&format!("`extra` cannot be used: {e}"), "extra"));
            serde_json::Value::Null
        }
    };

    let (Some(code), Some(title), Some(slug), true) = (code, title, slug, problems.is_empty())
    else {
        return Err(problems);
    };
    Ok(ArticleMeta {
        code,
        title,
        summary: non_empty(raw.summary),
        messages: clean_list(raw.messages),
        applies_to: clean_list(raw.applies_to),
        related: clean_list(raw.related),
        tags: clean_list(raw.tags),
        aliases,
        updated,
        weight: raw.weight.unwrap_or(0),
        draft: raw.draft.unwrap_or(false),
        extra,
        slug,
    })
}

#[derive(Debug, Default, Deserialize)]
struct RawCategory {
    title: Option<String>,
    description: Option<String>,
    weight: Option<i64>,
    extra: Option<serde_yaml::Value>,
}

/// A category's (or the home page's) settings from its `_index.md`.
#[derive(Debug, Clone, Default)]
pub struct CategoryMeta {
    pub title: Option<String>,
    pub description: Option<String>,
    pub weight: i64,
    pub extra: serde_json::Value,
}

pub fn parse_category(block: &YamlBlock) -> Result<CategoryMeta, Vec<Diagnostic>> {
    let raw: RawCategory = block.parse(CATEGORY_KEYS)?;
    let extra = raw
        .extra
        .map(serde_json::to_value)
        .transpose()
        .map_err(|e| {
            vec![block.diagnostic_at_key(&format!("`extra` cannot be used: {e}"), "extra")]
        })?
        .unwrap_or(serde_json::Value::Object(Default::default()));
    Ok(CategoryMeta {
        title: non_empty(raw.title),
        description: non_empty(raw.description),
        weight: raw.weight.unwrap_or(0),
        extra,
    })
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.map(trimmed).filter(|t| !t.is_empty())
}

fn clean_list(list: Option<Vec<String>>) -> Vec<String> {
    let mut list = list.unwrap_or_default();
    for item in &mut list {
        *item = trimmed(std::mem::take(item));
    }
    list.retain(|item| !item.is_empty());
    list
}

/// `text` without whitespace around it, kept as it is (not copied) when it has none and fills
/// its allocation, as most values of front matter (the build keeps them for every article, so
/// a copy is no bigger than they were before).
fn trimmed(text: String) -> String {
    if text.trim().len() == text.len() && text.capacity() == text.len() {
        text
    } else {
        text.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml_block<'a>(file: &'a SourcePath, yaml: &'a str) -> YamlBlock<'a> {
        YamlBlock {
            file,
            file_text: yaml,
            offset: 0,
            yaml,
        }
    }

    /// A made-up front-matter block of `lines` lines: known and unknown keys, values of every
    /// shape YAML has (and near misses of the simple form), lists, comments, odd spacing.
    fn made_up_front_matter(random: &mut impl FnMut(usize) -> usize, lines: usize) -> String {
        // Known keys (`extra`, a YAML value, always goes to the general reader: it comes last
        // and rarely) and near misses.
        let keys: Vec<&str> = (ARTICLE_KEYS.iter().copied())
            .filter(|key| *key != "extra")
            .chain(["extra", "titel", "Code", "code ", "x-y"])
            .collect();
        // Values of the simple form (most front matter), then near misses and other YAML.
        const SIMPLE: &[&str] = &[
            "Bad Request",
            "E00901",
            "400",
            "0x1F",
            "012",
            "00",
            "-0",
            "-1",
            "1.5",
            ".inf",
            "2023-08-16",
            "true",
            "false",
            "True",
            "yes",
            "~",
            "null",
            "-x",
            "a:b",
            "a#b",
            "a, b",
            "'single'",
            "'it''s'",
            "''",
            "\"dq\"",
            "\"\"",
            "é ü",
            "a\"b",
            "a'b",
            "http://x/y",
            "/legacy/a.html",
            "123456789012345678",
            "[a, b]",
            "[a, \"b, c\"]",
            "[]",
            "[ ]",
            "[~]",
            "[null]",
            "[1, 2]",
            "[a b, c d]",
            "['x', \"y\"]",
            "[\"\"]",
            "[ a , b ]",
            "[-1]",
            "[a, 'b''c']",
        ];
        const TRICKY: &[&str] = &[
            "+5",
            "1_000",
            "1e3",
            "NULL",
            "- x",
            "-",
            "a: b",
            "a #b",
            "#c",
            "x:",
            "a]",
            "a}",
            "@x",
            "%x",
            "`x`",
            "?x",
            "? x",
            ",x",
            ":x",
            "&x y",
            "*x",
            "!x y",
            "!!str 5",
            "|",
            ">",
            "'a' b",
            "\"esc \\\" q\"",
            "\"a\" b",
            "\"unterminated",
            "'unterminated",
            "a\tb",
            "/a b/",
            "99999999999999999999",
            "[a,]",
            "[a, [b]]",
            "{a: b}",
            "[a:b]",
            "[a: b]",
            "[#x]",
            "a\u{2028}b",
            "a\u{2029}",
            "a\u{85}b",
            "['']",
            "[a] x",
            "[a",
            "[- a]",
            "[\"e\\\"\"]",
            "x \u{feff}",
            "x\u{7}",
            "\"a\u{85}b\"",
            "{}",
            "a\u{a0}b",
            "a\rb",
            "a\r",
        ];
        fn value(random: &mut impl FnMut(usize) -> usize) -> &'static str {
            if random(5) < 4 {
                SIMPLE[random(SIMPLE.len())]
            } else {
                TRICKY[random(TRICKY.len())]
            }
        }
        let mut text = String::new();
        for _ in 0..lines {
            let key = keys[if random(8) == 0 {
                random(keys.len())
            } else {
                random(12)
            }];
            let line = match random(16) {
                0 => format!("{key}:"),
                1 => format!("{key}:{}", value(random)),
                2 => format!("{key}:   {}   ", value(random)),
                3 => format!("  {key}: {}", value(random)),
                4 => format!("# {}", value(random)),
                5 => String::new(),
                6 => {
                    let indent = [0, 2, 4][random(3)];
                    let items: Vec<String> = (0..1 + random(3))
                        .map(|_| {
                            let at = if random(6) == 0 {
                                [0, 2, 4][random(3)]
                            } else {
                                indent
                            };
                            format!("{}- {}", " ".repeat(at), value(random))
                        })
                        .collect();
                    // Items after a key with a value of its own too, which YAML refuses.
                    let head = match random(4) {
                        0 => format!("{key}: [a]"),
                        1 => format!("{key}: {}", value(random)),
                        _ => format!("{key}:"),
                    };
                    format!("{head}\n{}", items.join("\n"))
                }
                7 => format!("{key}: {}\r", value(random)),
                8 => ["---", "...", "-", "  # indented comment", " "][random(5)].to_string(),
                _ => format!("{key}: {}", value(random)),
            };
            text.push_str(&line);
            text.push('\n');
        }
        text
    }

    /// Whatever the reader of simple front matter reads, it reads as the general reader does;
    /// everything else it leaves to the general reader.
    #[test]
    fn simple_front_matter_is_read_as_the_general_reader_reads_it() {
        let mut random = crate::test_random::numbers(0x5eed_f00d);
        let file = file();
        let (mut simple, mut rejected_by_both) = (0, 0);
        const BLOCKS: usize = 50_000;
        for _ in 0..BLOCKS {
            let lines = 1 + random(4);
            let yaml = made_up_front_matter(&mut random, lines);
            let block = yaml_block(&file, &yaml);
            let general = block.parse_generally::<RawArticle>(ARTICLE_KEYS);
            match block.parse_simply::<RawArticle>(ARTICLE_KEYS) {
                Some(read) => {
                    simple += 1;
                    assert_eq!(Ok(&read), general.as_ref().map_err(|_| ()), "{yaml:?}");
                }
                None => rejected_by_both += usize::from(general.is_err()),
            }
        }
        // Both sides of the comparison happen often: the test would prove nothing otherwise.
        assert!(simple > BLOCKS / 8, "only {simple} read simply");
        assert!(
            rejected_by_both > BLOCKS / 10,
            "only {rejected_by_both} refused"
        );
    }

    /// The front matter of a typical article is read by the simple reader, so that a big site
    /// is loaded quickly.
    #[test]
    fn typical_front_matter_is_read_simply() {
        let yaml = "code: \"E00901\"\ntitle: Proxy When\nsummary: \"Stops, then restarts.\"\n\
            messages:\n  - \"E00901: Reads account scope.\"\n  - 'It''s slow'\n\
            applies_to: [Indexing 3.x, Indexing 4.x]\nrelated: [\"E00895\", storage/1800, 401]\n\
            tags: [firewall, logging]\naliases: [/legacy/indexing/e00901.html]\n\
            updated: 2023-08-16\nweight: -3\ndraft: false\nslug: proxy-when\n";
        let file = file();
        let block = yaml_block(&file, yaml);
        let read = block.parse_simply::<RawArticle>(ARTICLE_KEYS);
        assert!(read.is_some(), "not read simply");
        assert_eq!(
            read.map(Ok),
            Some(block.parse_generally::<RawArticle>(ARTICLE_KEYS))
        );
        // List items at two indentations are left to the general reader.
        let mixed = "code: 400\ntitle: Bad Request\nmessages:\n  - \"400 Bad Request\"\n\
            - \"HTTP ERROR 400\"\n";
        assert!(
            yaml_block(&file, mixed)
                .parse_simply::<RawArticle>(ARTICLE_KEYS)
                .is_none()
        );
    }

    fn file() -> SourcePath {
        SourcePath::new("content/a.md")
    }

    #[test]
    fn front_matter_is_cut_at_its_fences_with_any_line_ending() {
        let text = "---\r\ncode: 1\r\n---\r\nbody\r\n";
        let split = split(&file(), text).ok();
        assert_eq!(
            split,
            Some(Split {
                front_matter: Some((5, "code: 1\r\n")),
                body: "body\r\n",
                body_offset: 19
            })
        );
    }

    #[test]
    fn a_file_without_fences_is_all_body() {
        let split = split(&file(), "# Hello\n---\n").ok();
        assert_eq!(split.map(|s| s.front_matter), Some(None));
    }

    #[test]
    fn unclosed_front_matter_points_at_the_opening_fence() {
        let error = split(&file(), "---\ncode: 1\n").err();
        let line = error.and_then(|e| e.location).map(|l| l.line);
        assert_eq!(line, Some(1));
    }

    #[test]
    fn dates_are_checked_for_shape_and_calendar() {
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2026-13-01").is_none());
        assert!(Date::parse("26-11-2026").is_none());
        assert!(Date::parse("2026-1-01").is_none());
    }
}
