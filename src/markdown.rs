//! Markdown bodies to HTML: CommonMark plus tables, footnotes, strikethrough, task lists and
//! heading ids. Headings get stable ids (`#cause`, `#resolution`); links to other articles
//! (`403.md`, `../5xx/502.md#cause`, or by code: `code:403`, `code:http/403`) become site links
//! and are collected so that their targets and anchors can be checked once every page exists.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::config::BaseUrl;
use crate::content::Source;
use crate::diagnostic::{Diagnostic, Locator};
use crate::highlight::{self, Highlighter};
use crate::paths::UrlPath;

mod html;
mod steps;

/// The prefix of a link by code: `[Forbidden](code:403)`, `[Bad gateway](code:http/502)`.
pub const CODE_LINK_PREFIX: &str = "code:";

/// A heading of a rendered body, for anchors and tables of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A page another page links to, found while rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageRef {
    Article(usize),
    Category(usize),
}

/// A link to another page with a `#fragment`, checked once all headings are known.
#[derive(Debug, Clone)]
pub struct AnchorLink {
    pub target: PageRef,
    pub anchor: String,
    /// Where the link is in its file: the byte offset and length that become the diagnostic's
    /// [`Location`](crate::diagnostic::Location) if the anchor is missing. Nearly every anchor
    /// exists, and a location (its line counted, its source line copied) cost more than
    /// rendering the link, and was kept for every link until the check.
    pub offset: usize,
    pub length: usize,
}

#[derive(Debug, Clone, Default)]
pub struct RenderedMarkdown {
    pub html: String,
    pub headings: Vec<Heading>,
    pub anchor_links: Vec<AnchorLink>,
    /// Every page of the site this body links to, in order, repeats included.
    pub links: Vec<PageRef>,
    /// The ids of numbered steps (`step-3`, see `markdown/steps.rs`), linkable like headings.
    pub steps: StepList,
}

impl RenderedMarkdown {
    /// All but the HTML: what the checks of links and anchors read.
    pub fn without_html(&self) -> RenderedMarkdown {
        RenderedMarkdown {
            html: String::new(),
            headings: self.headings.clone(),
            anchor_links: self.anchor_links.clone(),
            links: self.links.clone(),
            steps: self.steps.clone(),
        }
    }
}

/// The ids of a body's numbered steps, in order, in one string: an article often has ten or
/// more, and the build keeps them for every article until the anchor check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepList {
    /// Every id followed by a line break (no id has whitespace).
    ids: String,
}

impl StepList {
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.ids.split_terminator('\n')
    }

    pub fn contains(&self, id: &str) -> bool {
        self.iter().any(|step| step == id)
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// What the renderer needs to know about the rest of the site to rewrite links.
pub trait LinkResolver: Sync {
    /// The page for a content path such as `content/http/4xx/403.md`.
    fn page_for_source(&self, path: &Path) -> Option<(PageRef, &UrlPath)>;
    /// The article for a code written in a link, seen from `from` (an article's catalog).
    fn page_for_code(
        &self,
        from: Option<usize>,
        code: &str,
    ) -> Result<(PageRef, &UrlPath), Diagnostic>;
    fn base_url(&self) -> &BaseUrl;
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders the body of `source`. `article` is the article being rendered, if it is one.
pub fn render(
    source: &Source,
    article: Option<usize>,
    links: &dyn LinkResolver,
    highlighter: &Highlighter,
) -> (RenderedMarkdown, Vec<Diagnostic>) {
    let body = source.body();
    let mut writer = BodyWriter {
        source,
        article,
        links,
        highlighter,
        locator: Locator::new(&source.text),
        rendered: RenderedMarkdown::default(),
        problems: Vec::new(),
        ids: HeadingIds::default(),
        steps: steps::StepIds::default(),
        heading: None,
        heading_text: String::new(),
        code_block: None,
        html: html::HtmlWriter::with_capacity(body.len() * 3 / 2),
    };
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        writer.pass(event, range);
    }
    let BodyWriter {
        mut rendered,
        problems,
        steps,
        html,
        ..
    } = writer;
    rendered.html = html.finish();
    rendered.steps = steps.into_list();
    (rendered, problems)
}

/// Writes the events of a body as HTML, as the parser makes them, changed on the way (heading
/// and step ids, highlighted code, site links).
struct BodyWriter<'a, 'r> {
    source: &'a Source,
    article: Option<usize>,
    links: &'r dyn LinkResolver,
    highlighter: &'r Highlighter,
    /// Where links are in the file, for diagnostics.
    locator: Locator<'a>,
    /// Everything but the HTML.
    rendered: RenderedMarkdown,
    problems: Vec<Diagnostic>,
    ids: HeadingIds,
    steps: steps::StepIds,
    /// The heading being read.
    heading: Option<OpenHeading<'a>>,
    /// The text and inline code of the heading being read, for its id and the table of
    /// contents: one string for a body's headings, not one grown anew for each.
    heading_text: String,
    /// The info string and text of the fenced or indented code block being read.
    code_block: Option<(CowStr<'a>, Cow<'a, str>)>,
    html: html::HtmlWriter<'a>,
}

/// A heading whose text is being read and written; its start tag is written at its end, once
/// the text gives its id.
struct OpenHeading<'a> {
    /// Where its start tag goes, from [`html::HtmlWriter::begin_heading`].
    start: (usize, bool),
    /// The id the author gave it (`## Cause {#why}`), if any.
    id: Option<CowStr<'a>>,
    classes: Vec<CowStr<'a>>,
    attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
}

impl<'a> BodyWriter<'a, '_> {
    /// Writes `event`, found at `range` of the body.
    fn pass(&mut self, event: Event<'a>, range: Range<usize>) {
        // Text, two events in five, straight to the writer (unless it is a code block's).
        if let Event::Text(text) = &event
            && self.code_block.is_none()
        {
            // Borrowed, nearly always: read without CowStr's deref, which is not inlined.
            let text: &str = match text {
                CowStr::Borrowed(text) => text,
                other => other,
            };
            if self.heading.is_some() {
                self.heading_text.push_str(text);
            }
            self.html.text(text);
            return;
        }
        let event = match event {
            Event::Start(Tag::Heading {
                level: _,
                id,
                classes,
                attrs,
            }) => {
                self.heading = Some(OpenHeading {
                    start: self.html.begin_heading(),
                    id,
                    classes,
                    attrs,
                });
                self.heading_text.clear();
                if self.heading_text.capacity() == 0 {
                    // Room for a body's usual headings at once, rather than grown from a few
                    // bytes at the first.
                    self.heading_text.reserve(64);
                }
                return;
            }
            Event::End(TagEnd::Heading(level)) => {
                self.finish_heading(level);
                return;
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info,
                    CodeBlockKind::Indented => CowStr::from(""),
                };
                self.code_block = Some((info, Cow::Borrowed("")));
                return;
            }
            Event::Text(text) if self.code_block.is_some() => {
                if let Some((_, code)) = &mut self.code_block {
                    // A block's text is mostly one event, a slice of the body, kept as it is
                    // rather than copied; text in pieces is joined.
                    match text {
                        CowStr::Borrowed(slice) if code.is_empty() => *code = Cow::Borrowed(slice),
                        text => code.to_mut().push_str(&text),
                    }
                }
                return;
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((info, code)) = self.code_block.take()
                    && let Some(html) = self.html.block_buffer()
                {
                    self.highlighter.write_code_block(&info, &code, html);
                }
                return;
            }
            // A wide table scrolls inside its own box (focusable, so keyboards can scroll it)
            // instead of widening the page on a phone.
            Event::Start(Tag::Table(_)) => {
                self.html.raw_html(TABLE_WRAP_START);
                event
            }
            Event::End(TagEnd::Table) => {
                self.html.event(event);
                self.html.raw_html(TABLE_WRAP_END);
                return;
            }
            // An image at a site path (`/img/x.png`, from `static/`) moves with the base URL, as
            // links do; without this a sub-path deploy loses every such image.
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) if dest_url.starts_with('/') && !dest_url.starts_with("//") => {
                let dest_url = CowStr::from(self.links.base_url().link(&dest_url));
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: self.link_target(dest_url, range),
                title,
                id,
            }),
            // Only lists, items and footnotes matter to the steps (asked of these alone: every
            // paragraph, emphasis and link starts and ends too).
            other @ (Event::Start(Tag::List(_) | Tag::Item | Tag::FootnoteDefinition(_))
            | Event::End(TagEnd::List(_) | TagEnd::Item | TagEnd::FootnoteDefinition)) => {
                if let Some(id) = self.steps.numbered_item(&other, &mut self.ids) {
                    // A step id may come from an author's `{#id}`: escaped like the anchors.
                    self.html.raw_html_with(|html| {
                        html.push_str("<li id=\"");
                        highlight::escape_into(html, id);
                        html.push_str("\">");
                    });
                    return;
                }
                other
            }
            other => other,
        };
        if self.heading.is_some()
            && let Event::Text(text) | Event::Code(text) = &event
        {
            self.heading_text.push_str(text);
        }
        self.html.event(event);
    }
    /// The address a link written `dest_url` at `range` of the body goes to: a site link for
    /// one into the site, noted for the checks; as written otherwise.
    fn link_target(&mut self, dest_url: CowStr<'a>, range: Range<usize>) -> CowStr<'a> {
        let offset = self.source.body_offset + range.start;
        match rewrite_link(self.source, self.article, &dest_url, self.links) {
            Ok(None) => dest_url,
            Ok(Some((url, page))) => {
                if let Some((target, anchor)) = page {
                    self.rendered.links.push(target);
                    if let Some(anchor) = anchor {
                        self.rendered.anchor_links.push(AnchorLink {
                            target,
                            anchor,
                            offset,
                            length: range.len(),
                        });
                    }
                }
                CowStr::from(url)
            }
            Err(problem) => {
                self.problems.push(Diagnostic {
                    location: Some(self.locator.at(offset, range.len())),
                    ..problem.in_file(&self.source.path)
                });
                dest_url
            }
        }
    }

    /// Gives the heading being read its id and anchor, and ends it.
    fn finish_heading(&mut self, level: HeadingLevel) {
        if let Some(open) = self.heading.take() {
            let wanted = open
                .id
                .as_deref()
                .map_or_else(|| slugify_heading(&self.heading_text), str::to_string);
            let id = self.ids.claim(wanted);
            self.html
                .insert_heading_start(open.start, level, &id, &open.classes, &open.attrs);
            self.steps.enter_section(&id);
            self.html
                .raw_html_with(|html| write_heading_anchor(html, &id));
            if self.rendered.headings.capacity() == 0 {
                // Room for a body's usual headings at once, rather than grown at the first and
                // the fifth.
                self.rendered.headings.reserve(8);
            }
            self.rendered.headings.push(Heading {
                level: level as u8,
                // Copied at its size: the build keeps every heading of every article.
                text: self.heading_text.trim().to_string(),
                id,
            });
        }
        self.html.event(Event::End(TagEnd::Heading(level)));
    }
}

const TABLE_WRAP_START: &str = "<div class=\"table-wrap\" tabindex=\"0\">\n";
const TABLE_WRAP_END: &str = "</div>\n";

/// The `#` link after a heading's text, shown on hover or focus of the heading. Hidden from
/// assistive technology and from the tab order: it would only repeat the heading, and the table
/// of contents links to the same anchors.
fn write_heading_anchor(html: &mut String, id: &str) {
    html.push_str(" <a class=\"anchor\" href=\"#");
    highlight::escape_into(html, id);
    html.push_str("\" aria-hidden=\"true\" tabindex=\"-1\">#</a>");
}

/// Hands out heading ids, adding `-1`, `-2` … to repeats so every anchor is unique on a page.
struct HeadingIds {
    /// foldhash rather than std's SipHash: every heading and numbered step of every body asks.
    used: foldhash::HashMap<String, usize>,
}

impl Default for HeadingIds {
    fn default() -> Self {
        // Room for the ids of a typical body (a few headings, ten or so steps) from the start:
        // a map grown a doubling at a time hashed its ids again at each.
        HeadingIds {
            used: foldhash::HashMap::with_capacity_and_hasher(16, Default::default()),
        }
    }
}

impl HeadingIds {
    fn claim(&mut self, wanted: String) -> String {
        let mut id = String::with_capacity(wanted.len());
        self.claim_into(wanted, &mut id);
        // At its size: the build keeps every heading's id.
        id.shrink_to_fit();
        id
    }

    /// [`HeadingIds::claim`], the id written at the end of `id`: a step's id goes straight into
    /// the body's list of them.
    fn claim_into(&mut self, wanted: String, id: &mut String) {
        let wanted = if wanted.is_empty() {
            "section".to_string()
        } else {
            wanted
        };
        // Most ids are new on their page: one look-up finds and claims them.
        let wanted = match self.used.entry(wanted) {
            Entry::Vacant(slot) => {
                id.push_str(slot.key());
                slot.insert(0);
                return;
            }
            Entry::Occupied(slot) => slot.key().clone(),
        };
        let mut candidate = wanted.clone();
        while let Some(count) = self.used.get_mut(&candidate) {
            *count += 1;
            candidate = format!("{wanted}-{count}");
        }
        id.push_str(&candidate);
        self.used.insert(candidate, 0);
    }
}

/// `Cause & effect` → `cause-effect`.
pub fn slugify_heading(text: &str) -> String {
    if text.is_ascii() {
        return slugify_ascii(text.as_bytes());
    }
    let mut slug = Slug {
        text: String::with_capacity(text.len()),
        separable: false,
    };
    for c in text.chars() {
        // An ASCII character is its own one lower-case character; asking Unicode's tables
        // for it cost a heading most of its id.
        if c.is_ascii() {
            slug.push(c.to_ascii_lowercase());
        } else {
            c.to_lowercase().for_each(|c| slug.push(c));
        }
    }
    let mut slug = slug.text;
    let kept = slug.trim_end_matches('-').len();
    slug.truncate(kept);
    slug
}

/// [`slugify_heading`] of ASCII text, a byte at a time: nearly every heading is, and its
/// characters' lower case and classes need no Unicode tables.
fn slugify_ascii(text: &[u8]) -> String {
    let mut slug = Vec::with_capacity(text.len());
    let mut separable = false;
    for &byte in text {
        match SLUG_BYTES[usize::from(byte)] {
            SLUG_DROPS => {}
            SLUG_SEPARATES => {
                if separable {
                    slug.push(b'-');
                    separable = false;
                }
            }
            kept => {
                slug.push(kept);
                separable = true;
            }
        }
    }
    if slug.last() == Some(&b'-') {
        slug.pop();
    }
    // Only ASCII bytes were pushed: always text.
    String::from_utf8(slug).unwrap_or_default()
}

/// What [`slugify_ascii`] makes of each byte below 128: its lower case for a letter, digit or
/// `_`; [`SLUG_SEPARATES`] for what `char::is_whitespace` calls whitespace (with the vertical
/// tab), `-` and `.`; [`SLUG_DROPS`] for anything else. (Above 127, never asked.)
const SLUG_BYTES: [u8; 256] = {
    let mut bytes = [SLUG_DROPS; 256];
    let mut byte = 0;
    while byte < 128 {
        let b = byte as u8;
        bytes[byte] = if b.is_ascii_alphanumeric() || b == b'_' {
            b.to_ascii_lowercase()
        } else if matches!(
            b,
            b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' | b'-' | b'.'
        ) {
            SLUG_SEPARATES
        } else {
            SLUG_DROPS
        };
        byte += 1;
    }
    bytes
};
const SLUG_DROPS: u8 = 0;
const SLUG_SEPARATES: u8 = 1;

/// A heading's id being made.
struct Slug {
    text: String,
    /// Whether a word separator would be written as `-`: the id has text and does not end
    /// with one.
    separable: bool,
}

impl Slug {
    /// Adds a lower-case character of a heading to its id: as it is if it is a letter, digit
    /// or `_`, as one `-` between words if it separates words, not at all otherwise.
    #[inline]
    fn push(&mut self, c: char) {
        // ASCII asked first: nearly every character of a heading is.
        let word = if c.is_ascii() {
            c.is_ascii_alphanumeric() || c == '_'
        } else {
            c.is_alphanumeric()
        };
        if word {
            self.text.push(c);
            self.separable = true;
        } else if self.separable && (c.is_whitespace() || c == '-' || c == '.') {
            self.text.push('-');
            self.separable = false;
        }
    }
}

/// The new address, and the page it names with the `#anchor` it points at, if any.
type Rewritten = Option<(String, Option<(PageRef, Option<String>)>)>;

/// Rewrites links that point into the site. Returns `None` for links left as written.
fn rewrite_link(
    source: &Source,
    article: Option<usize>,
    dest: &str,
    links: &dyn LinkResolver,
) -> Result<Rewritten, Diagnostic> {
    let base = links.base_url();
    if let Some(code) = dest.strip_prefix(CODE_LINK_PREFIX) {
        let (code, anchor) = split_fragment(code);
        let (page, url) = links.page_for_code(article, code)?;
        return Ok(Some(with_anchor(base.link(url.as_str()), page, anchor)));
    }
    if is_external(dest) || dest.starts_with('#') {
        return Ok(None);
    }
    if dest.starts_with('/') {
        return Ok(Some((base.link(dest), None)));
    }
    let (path, anchor) = split_fragment(dest);
    if !path.ends_with(".md") {
        return Ok(None);
    }
    let folder = source.path.as_path().parent().unwrap_or(Path::new(""));
    let target = normalize(&folder.join(path));
    match target.as_deref().and_then(|t| links.page_for_source(t)) {
        Some((page, url)) => Ok(Some(with_anchor(base.link(url.as_str()), page, anchor))),
        None => Err(Diagnostic::error(format!("link to `{path}`, which is not an article or category of this site"))
            .with_help("link to a `.md` file in `content/` by its path relative to this file, or by code: `code:403`")),
    }
}

fn with_anchor(
    url: String,
    page: PageRef,
    anchor: Option<&str>,
) -> (String, Option<(PageRef, Option<String>)>) {
    match anchor {
        Some(anchor) if !anchor.is_empty() => {
            // Not `format!`, which cost a link more than its look-up.
            let mut with_anchor = String::with_capacity(url.len() + 1 + anchor.len());
            with_anchor.push_str(&url);
            with_anchor.push('#');
            with_anchor.push_str(anchor);
            (with_anchor, Some((page, Some(anchor.to_string()))))
        }
        _ => (url, Some((page, None))),
    }
}

fn split_fragment(dest: &str) -> (&str, Option<&str>) {
    match dest.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (dest, None),
    }
}

fn is_external(dest: &str) -> bool {
    dest.starts_with("//")
        || dest.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        })
}

/// Resolves `.` and `..` without touching the disk; `None` if the path climbs above its root.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_ids_are_readable_and_unique() {
        let mut ids = HeadingIds::default();
        assert_eq!(ids.claim(slugify_heading("Cause")), "cause");
        assert_eq!(
            ids.claim(slugify_heading("If you run the site")),
            "if-you-run-the-site"
        );
        assert_eq!(ids.claim(slugify_heading("Cause")), "cause-1");
        assert_eq!(ids.claim(slugify_heading("Cause")), "cause-2");
        assert_eq!(ids.claim(slugify_heading("???")), "section");
        assert_eq!(slugify_heading("HTTP/1.1 & `curl -i`"), "http1-1-curl-i");
    }

    /// Ids made with the ASCII shortcut are those of Unicode's lower-casing of every character.
    #[test]
    fn slugs_of_ascii_and_other_text_follow_unicode_lower_case() {
        fn by_unicode(text: &str) -> String {
            let mut slug = String::new();
            for c in text.chars().flat_map(char::to_lowercase) {
                if c.is_alphanumeric() || c == '_' {
                    slug.push(c);
                } else if !slug.is_empty()
                    && !slug.ends_with('-')
                    && (c.is_whitespace() || c == '-' || c == '.')
                {
                    slug.push('-');
                }
            }
            slug.trim_end_matches('-').to_string()
        }
        #[rustfmt::skip]
        const PIECES: &[&str] = &[
            "A", "z", "Q", "0", "_", "-", ".", " ", "\t", "\u{b}", "&", "/", "`", "--", "İ",
            "É", "ß", "Σ", "ǅ", "→", "\u{a0}", "ﬃ", "K",
        ];
        let mut next = crate::test_random::numbers(0x0123_4567_89ab_cdef);
        for _ in 0..3000 {
            let text = crate::test_random::joined(&mut next, PIECES, 16);
            assert_eq!(slugify_heading(&text), by_unicode(&text), "{text:?}");
        }
        // Text of ASCII alone, any byte of it, which is slugged a byte at a time.
        for _ in 0..5000 {
            let text: String = (0..next(24))
                .map(|_| match next(3) {
                    0 => char::from(next(128) as u8),
                    _ => char::from(b" -.aZ9_&\t"[next(9)]),
                })
                .collect();
            assert_eq!(slugify_heading(&text), by_unicode(&text), "{text:?}");
        }
    }

    #[test]
    fn relative_paths_stay_inside_their_root() {
        assert_eq!(
            normalize(Path::new("content/http/4xx/../5xx/502.md")),
            Some(PathBuf::from("content/http/5xx/502.md"))
        );
        assert_eq!(normalize(Path::new("content/../../etc/passwd")), None);
    }

    #[test]
    fn schemes_mark_external_links() {
        assert!(is_external("https://www.rfc-editor.org/rfc/rfc9110"));
        assert!(is_external("mailto:help@example.com"));
        assert!(!is_external("403.md"));
        assert!(!is_external("../5xx/502.md#cause"));
    }
}
