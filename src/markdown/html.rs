//! The HTML of a body's events, written as pulldown-cmark's `html::push_html` writes it (the
//! same tags, the same escaping, the same line breaks), but pushed one event at a time by the
//! renderer instead of pulled through an iterator: the renderer's changes to the events (ids,
//! highlighted code, site links) then need no queue of events in between, and a heading is
//! written as it is read, its start tag put in front once its text gives its id.

use std::collections::HashMap;
use std::fmt::Write as _;

use pulldown_cmark::{
    Alignment, BlockQuoteKind, CowStr, Event, HeadingLevel, LinkType, Tag, TagEnd,
};
use pulldown_cmark_escape::{escape_href, escape_html};

use crate::highlight::escape_attribute_into;

/// A body's HTML being written.
pub(super) struct HtmlWriter<'a> {
    html: String,
    /// Whether what is written so far ends a line (or nothing is written).
    end_newline: bool,
    /// Inside a metadata block, whose text is not written.
    in_non_writing_block: bool,
    /// Whether the table cells being written are in the table's head.
    table_head: bool,
    table_alignments: Vec<Alignment>,
    table_cell_index: usize,
    /// The number of each footnote, by name, in the order they are first written.
    numbers: HashMap<CowStr<'a>, usize>,
    /// Inside an image's `alt` text: how many tags are open in it, and the image's title, which
    /// is written after it.
    alt: Option<(usize, CowStr<'a>)>,
    /// A heading's start tag, made before it is put in front of the heading's text: kept from
    /// one heading to the next rather than made anew.
    heading_tag: String,
}

impl<'a> HtmlWriter<'a> {
    pub(super) fn with_capacity(capacity: usize) -> Self {
        HtmlWriter {
            html: String::with_capacity(capacity),
            end_newline: true,
            in_non_writing_block: false,
            table_head: true,
            table_alignments: Vec::new(),
            table_cell_index: 0,
            numbers: HashMap::new(),
            alt: None,
            heading_tag: String::new(),
        }
    }

    /// The HTML written.
    pub(super) fn finish(mut self) -> String {
        // An image whose end never came (the parser always ends one) is closed as push_html
        // closes it when its events run out.
        if self.alt.is_some() {
            self.end_image();
        }
        self.html
    }

    fn write(&mut self, s: &str) {
        self.html.push_str(s);
        if !s.is_empty() {
            self.end_newline = s.ends_with('\n');
        }
    }

    fn write_newline(&mut self) {
        self.end_newline = true;
        self.html.push('\n');
    }

    /// `on_new_line` after a line break if what is written does not end a line.
    fn write_block(&mut self, on_new_line: &str) {
        if !self.end_newline {
            self.html.push('\n');
        }
        self.write(on_new_line);
    }

    fn escape(&mut self, text: &str) {
        // Writing to a `String` cannot fail.
        let _ = escape_html(&mut self.html, text);
    }

    fn number(&mut self, number: impl std::fmt::Display) {
        let _ = write!(self.html, "{number}");
    }

    fn footnote_number(&mut self, name: CowStr<'a>) -> usize {
        let next = self.numbers.len() + 1;
        *self.numbers.entry(name).or_insert(next)
    }

    /// Writes HTML made by the renderer (an `Html` event), unless in an image's `alt` text,
    /// which keeps only text.
    pub(super) fn raw_html(&mut self, html: &str) {
        if self.alt.is_none() {
            self.write(html);
        }
    }

    /// Writes the HTML that `write` appends (as [`HtmlWriter::raw_html`] writes it), made right
    /// in the page's buffer instead of a string of its own, unless in an image's `alt` text.
    pub(super) fn raw_html_with(&mut self, write: impl FnOnce(&mut String)) {
        if self.alt.is_some() {
            return;
        }
        let before = self.html.len();
        write(&mut self.html);
        if self.html.len() > before {
            self.end_newline = self.html.ends_with('\n');
        }
    }

    /// The buffer, to write a whole block of HTML made elsewhere into, unless in an image's
    /// `alt` text. The block must end a line.
    pub(super) fn block_buffer(&mut self) -> Option<&mut String> {
        if self.alt.is_some() {
            return None;
        }
        self.end_newline = true;
        Some(&mut self.html)
    }

    /// Where a heading starting now begins and whether its tag needs a line break before it,
    /// for [`HtmlWriter::insert_heading_start`]. Its text follows as its events are written.
    pub(super) fn begin_heading(&mut self) -> (usize, bool) {
        let start = (self.html.len(), !self.end_newline);
        // As after the start tag.
        self.end_newline = false;
        start
    }

    /// Puts the start tag of the heading begun at `start` in front of its text.
    pub(super) fn insert_heading_start(
        &mut self,
        (at, line_break): (usize, bool),
        level: HeadingLevel,
        id: &str,
        classes: &[CowStr],
        attrs: &[(CowStr, Option<CowStr>)],
    ) {
        let tag = &mut self.heading_tag;
        tag.clear();
        if tag.capacity() == 0 {
            // Room for most start tags at once, rather than grown from a few bytes in each body.
            tag.reserve(64);
        }
        if line_break {
            tag.push('\n');
        }
        heading_start(tag, level, Some(id), classes, attrs);
        self.html.insert_str(at, tag);
    }

    /// Writes the text of an `Event::Text`: the renderer hands most of a body's events here
    /// without passing them through [`HtmlWriter::event`].
    pub(super) fn text(&mut self, text: &str) {
        if self.alt.is_some() {
            // As an image's `alt` text writes it.
            self.escape(text);
            self.end_newline = text.ends_with('\n');
        } else if !self.in_non_writing_block {
            escape_body_text(&mut self.html, text);
            self.end_newline = text.ends_with('\n');
        }
    }

    /// Writes an event.
    pub(super) fn event(&mut self, event: Event<'a>) {
        if self.alt.is_some() {
            self.alt_text(event);
            return;
        }
        match event {
            Event::Start(tag) => self.start_tag(tag),
            Event::End(tag) => self.end_tag(tag),
            Event::Text(text) => self.text(&text),
            Event::Code(text) => {
                self.write("<code>");
                escape_body_text(&mut self.html, &text);
                self.write("</code>");
            }
            Event::InlineMath(text) => {
                self.write("<span class=\"math math-inline\">");
                self.escape(&text);
                self.write("</span>");
            }
            Event::DisplayMath(text) => {
                self.write("<span class=\"math math-display\">");
                self.escape(&text);
                self.write("</span>");
            }
            Event::Html(html) | Event::InlineHtml(html) => self.write(&html),
            Event::SoftBreak => self.write_newline(),
            Event::HardBreak => self.write("<br />\n"),
            Event::Rule => self.write_block("<hr />\n"),
            Event::FootnoteReference(name) => {
                self.write("<sup class=\"footnote-reference\"><a href=\"#");
                self.escape(&name);
                self.write("\">");
                let number = self.footnote_number(name);
                self.number(number);
                self.write("</a></sup>");
            }
            Event::TaskListMarker(true) => {
                self.write("<input disabled=\"\" type=\"checkbox\" checked=\"\"/>\n")
            }
            Event::TaskListMarker(false) => {
                self.write("<input disabled=\"\" type=\"checkbox\"/>\n")
            }
        }
    }

    fn start_tag(&mut self, tag: Tag<'a>) {
        match tag {
            Tag::HtmlBlock => {}
            Tag::Paragraph => self.write_block("<p>"),
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => {
                if !self.end_newline {
                    self.html.push('\n');
                }
                heading_start(&mut self.html, level, id.as_deref(), &classes, &attrs);
                self.end_newline = false;
            }
            Tag::Table(alignments) => {
                self.table_alignments = alignments;
                self.write("<table>");
            }
            Tag::TableHead => {
                self.table_head = true;
                self.table_cell_index = 0;
                self.write("<thead><tr>");
            }
            Tag::TableRow => {
                self.table_cell_index = 0;
                self.write("<tr>");
            }
            Tag::TableCell => {
                self.write(if self.table_head { "<th" } else { "<td" });
                match self.table_alignments.get(self.table_cell_index) {
                    Some(Alignment::Left) => self.write(" style=\"text-align: left\">"),
                    Some(Alignment::Center) => self.write(" style=\"text-align: center\">"),
                    Some(Alignment::Right) => self.write(" style=\"text-align: right\">"),
                    _ => self.write(">"),
                }
            }
            Tag::BlockQuote(kind) => {
                let start = match kind {
                    None => "<blockquote>\n",
                    Some(BlockQuoteKind::Note) => "<blockquote class=\"markdown-alert-note\">\n",
                    Some(BlockQuoteKind::Tip) => "<blockquote class=\"markdown-alert-tip\">\n",
                    Some(BlockQuoteKind::Important) => {
                        "<blockquote class=\"markdown-alert-important\">\n"
                    }
                    Some(BlockQuoteKind::Warning) => {
                        "<blockquote class=\"markdown-alert-warning\">\n"
                    }
                    Some(BlockQuoteKind::Caution) => {
                        "<blockquote class=\"markdown-alert-caution\">\n"
                    }
                };
                self.write_block(start);
            }
            Tag::CodeBlock(info) => {
                if !self.end_newline {
                    self.write_newline();
                }
                match info {
                    pulldown_cmark::CodeBlockKind::Fenced(info) => {
                        let lang = info.split(' ').next().unwrap_or_default();
                        if lang.is_empty() {
                            self.write("<pre><code>");
                        } else {
                            self.write("<pre><code class=\"language-");
                            self.escape(lang);
                            self.write("\">");
                        }
                    }
                    pulldown_cmark::CodeBlockKind::Indented => self.write("<pre><code>"),
                }
            }
            Tag::List(Some(1)) => self.write_block("<ol>\n"),
            Tag::List(Some(start)) => {
                self.write_block("<ol start=\"");
                self.number(start);
                self.write("\">\n");
            }
            Tag::List(None) => self.write_block("<ul>\n"),
            Tag::Item => self.write_block("<li>"),
            Tag::DefinitionList => self.write_block("<dl>\n"),
            Tag::DefinitionListTitle => self.write_block("<dt>"),
            Tag::DefinitionListDefinition => self.write_block("<dd>"),
            Tag::Subscript => self.write("<sub>"),
            Tag::Superscript => self.write("<sup>"),
            Tag::Emphasis => self.write("<em>"),
            Tag::Strong => self.write("<strong>"),
            Tag::Strikethrough => self.write("<del>"),
            Tag::Link {
                link_type,
                dest_url,
                title,
                id: _,
            } => {
                self.write(if link_type == LinkType::Email {
                    "<a href=\"mailto:"
                } else {
                    "<a href=\""
                });
                escape_href_into(&mut self.html, &dest_url);
                if !title.is_empty() {
                    self.write("\" title=\"");
                    self.escape(&title);
                }
                self.write("\">");
            }
            Tag::Image {
                link_type: _,
                dest_url,
                title,
                id: _,
            } => {
                self.write("<img src=\"");
                escape_href_into(&mut self.html, &dest_url);
                self.write("\" alt=\"");
                self.alt = Some((0, title));
            }
            Tag::FootnoteDefinition(name) => {
                self.write_block("<div class=\"footnote-definition\" id=\"");
                self.escape(&name);
                self.write("\"><sup class=\"footnote-definition-label\">");
                let number = self.footnote_number(name);
                self.number(number);
                self.write("</sup>");
            }
            Tag::MetadataBlock(_) => self.in_non_writing_block = true,
        }
    }

    fn end_tag(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::HtmlBlock | TagEnd::Image => {}
            TagEnd::Paragraph => self.write("</p>\n"),
            TagEnd::Heading(level) => {
                self.write("</");
                self.write(tag_name(level));
                self.write(">\n");
            }
            TagEnd::Table => self.write("</tbody></table>\n"),
            TagEnd::TableHead => {
                self.write("</tr></thead><tbody>\n");
                self.table_head = false;
            }
            TagEnd::TableRow => self.write("</tr>\n"),
            TagEnd::TableCell => {
                self.write(if self.table_head { "</th>" } else { "</td>" });
                self.table_cell_index += 1;
            }
            TagEnd::BlockQuote(_) => self.write("</blockquote>\n"),
            TagEnd::CodeBlock => self.write("</code></pre>\n"),
            TagEnd::List(true) => self.write("</ol>\n"),
            TagEnd::List(false) => self.write("</ul>\n"),
            TagEnd::Item => self.write("</li>\n"),
            TagEnd::DefinitionList => self.write("</dl>\n"),
            TagEnd::DefinitionListTitle => self.write("</dt>\n"),
            TagEnd::DefinitionListDefinition => self.write("</dd>\n"),
            TagEnd::Emphasis => self.write("</em>"),
            TagEnd::Superscript => self.write("</sup>"),
            TagEnd::Subscript => self.write("</sub>"),
            TagEnd::Strong => self.write("</strong>"),
            TagEnd::Strikethrough => self.write("</del>"),
            TagEnd::Link => self.write("</a>"),
            TagEnd::FootnoteDefinition => self.write("</div>\n"),
            TagEnd::MetadataBlock(_) => self.in_non_writing_block = false,
        }
    }

    /// An event of an image's `alt` text: its text only, escaped, until the image ends.
    fn alt_text(&mut self, event: Event<'a>) {
        match event {
            Event::Start(_) => {
                if let Some((open, _)) = &mut self.alt {
                    *open += 1;
                }
            }
            Event::End(_) => match &mut self.alt {
                Some((0, _)) => self.end_image(),
                Some((open, _)) => *open -= 1,
                None => {}
            },
            Event::Html(_) => {}
            Event::InlineHtml(text) | Event::Code(text) | Event::Text(text) => {
                self.escape(&text);
                self.end_newline = text.ends_with('\n');
            }
            Event::InlineMath(text) => {
                self.write("$");
                self.escape(&text);
                self.write("$");
            }
            Event::DisplayMath(text) => {
                self.write("$$");
                self.escape(&text);
                self.write("$$");
            }
            Event::SoftBreak | Event::HardBreak | Event::Rule => self.write(" "),
            Event::FootnoteReference(name) => {
                let number = self.footnote_number(name);
                let _ = write!(self.html, "[{number}]");
            }
            Event::TaskListMarker(true) => self.write("[x]"),
            Event::TaskListMarker(false) => self.write("[ ]"),
        }
    }

    /// Ends the image whose `alt` text is being written.
    fn end_image(&mut self) {
        if let Some((_, title)) = self.alt.take() {
            if !title.is_empty() {
                self.write("\" title=\"");
                self.escape(&title);
            }
            self.write("\" />");
        }
    }
}

/// Appends `text` with `&`, `<` and `>` escaped, as pulldown-cmark's writer escapes the text of
/// a body. Its own escaping stops at quotes too (which it writes as they are), and a short
/// text, most of a body's, goes byte by byte; this looks for the three bytes alone with
/// memchr, which every text of every body passes through.
fn escape_body_text(html: &mut String, text: &str) {
    // A short text (a third of a body's are under 8 bytes: the pieces between `_`, links and
    // code) is looked at a byte at a time, which costs less than memchr's set-up.
    if text.len() < SHORT_TEXT && !text.bytes().any(|b| matches!(b, b'&' | b'<' | b'>')) {
        html.push_str(text);
        return;
    }
    let mut plain_from = 0;
    for at in memchr::memchr3_iter(b'&', b'<', b'>', text.as_bytes()) {
        html.push_str(&text[plain_from..at]);
        html.push_str(match text.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            _ => "&gt;",
        });
        // Each is ASCII: a whole character.
        plain_from = at + 1;
    }
    html.push_str(&text[plain_from..]);
}

/// Appends `href` as pulldown-cmark's `escape_href` writes it. Most addresses are the site's
/// own (`/http/4xx/401/#cause`), every byte of them written as it is: checked against a table
/// and copied whole, rather than written through its byte-by-byte loop.
fn escape_href_into(html: &mut String, href: &str) {
    if href.bytes().all(|byte| HREF_PLAIN[usize::from(byte)]) {
        html.push_str(href);
    } else {
        let _ = escape_href(&mut *html, href);
    }
}

/// The bytes `escape_href` writes as they are (its own table of safe bytes): `!`, `#`, `$`,
/// `%`, `(` to `;`, `=`, `?` to `Z`, `^`, `_`, `a` to `z` and `~`; none above 127.
const HREF_PLAIN: [bool; 256] = {
    let mut plain = [false; 256];
    let mut byte = 0;
    while byte < 128 {
        plain[byte] = matches!(
            byte as u8,
            b'!' | b'#' | b'$' | b'%' | b'('..=b';' | b'=' | b'?'..=b'Z' | b'^' | b'_' | b'a'..=b'z' | b'~'
        );
        byte += 1;
    }
    plain
};

/// Texts shorter than this are looked at a byte at a time by [`escape_body_text`].
const SHORT_TEXT: usize = 16;

/// `h2` for a level-2 heading, as `HeadingLevel` displays itself, without formatting.
fn tag_name(level: HeadingLevel) -> &'static str {
    match level {
        HeadingLevel::H1 => "h1",
        HeadingLevel::H2 => "h2",
        HeadingLevel::H3 => "h3",
        HeadingLevel::H4 => "h4",
        HeadingLevel::H5 => "h5",
        HeadingLevel::H6 => "h6",
    }
}

/// Writes the start tag of a heading: `<h2 id="cause" class="a b" data-x="y">`.
fn heading_start(
    html: &mut String,
    level: HeadingLevel,
    id: Option<&str>,
    classes: &[CowStr],
    attrs: &[(CowStr, Option<CowStr>)],
) {
    html.push('<');
    html.push_str(tag_name(level));
    if let Some(id) = id {
        html.push_str(" id=\"");
        escape_attribute_into(html, id);
        html.push('"');
    }
    let mut classes = classes.iter();
    if let Some(class) = classes.next() {
        html.push_str(" class=\"");
        escape_attribute_into(html, class);
        for class in classes {
            html.push(' ');
            escape_attribute_into(html, class);
        }
        html.push('"');
    }
    for (attr, value) in attrs {
        html.push(' ');
        escape_attribute_into(html, attr);
        match value {
            Some(value) => {
                html.push_str("=\"");
                escape_attribute_into(html, value);
                html.push('"');
            }
            None => html.push_str("=\"\""),
        }
    }
    html.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Options, Parser};

    /// Pieces of Markdown that make every kind of event and the line breaks between them.
    #[rustfmt::skip]
    const PIECES: &[&str] = &[
        "\n", "\n", "\n\n", " ", "  ", "\t", "word", "Cause", "é→", "<", ">", "&", "\"", "'",
        "&amp;", "&#39;", "# ", "## ", "### ", "#### ", "{#my-id}", "{#a\"b .c1 .c2 k=v k2}",
        "1. ", "2. ", "7. ", "- ", "* ", "+ ", "   ", "- [ ] ", "- [x] ", "> ", "> [!NOTE]\n",
        "> [!WARNING]\n", "```\n", "```sh\n", "```rust ignore\n", "~~~\n", "    code\n",
        "`code`", "``a ` b``", "*em*", "**strong**", "_u_", "~~del~~", "~sub~", "^sup^",
        "[link](403.md)", "[t](http://x.org/a b \"title\")", "[e](<a&b>)", "<http://x.org/?a=1&b=2>",
        "<help@example.com>", "![alt *em* `c` [l](u)](/img/x.png \"t&\")", "![](x.png)",
        "![a\n b](y.png)", "[^1]", "[^note]", "[^1]: foot\n", "[^note]: n *e*\n", "---\n",
        "***\n", "===\n", "| a | b |\n", "|:--|--:|\n", "|:-:|---|\n", "| `c` | ![i](j) |\n",
        "<div>\n", "</div>\n", "<b>", "</b>", "<!-- c -->", "\\\n", "\\*", "$x$", "$$y$$",
        "term\n: def\n", "+++\ntitle = 1\n+++\n", "---\ntitle: x\n---\n", "[[wiki]]",
        "<span title=\"x\">", "a\"b'c", "ﬃ", "\u{a0}", "{#it's}", "{#a&b<c>d}",
    ];

    /// Body text is escaped as pulldown-cmark escapes it, whatever the text.
    #[test]
    fn body_text_is_escaped_as_pulldown_cmark_escapes_it() {
        const PIECES: &[&str] = &[
            "a",
            "word ",
            "&",
            "<",
            ">",
            "\"",
            "'",
            "&amp;",
            "é",
            "→",
            "\n",
            "0123456789abcdef",
        ];
        let mut next = crate::test_random::numbers(0x7a3c_19e5_d204_b6f1);
        for _ in 0..20_000 {
            let text = crate::test_random::joined(&mut next, PIECES, 24);
            let mut expected = String::new();
            let _ = pulldown_cmark_escape::escape_html_body_text(&mut expected, &text);
            let mut escaped = String::new();
            escape_body_text(&mut escaped, &text);
            assert_eq!(escaped, expected, "{text:?}");
        }
    }

    /// Addresses are written as pulldown-cmark's `escape_href` writes them, whatever their bytes.
    #[test]
    fn addresses_are_escaped_as_pulldown_cmark_escapes_them() {
        let mut next = crate::test_random::numbers(0x1b87_3593_cc9e_2d51);
        let mut plain = 0;
        for _ in 0..20_000 {
            // Mostly bytes of addresses, some of any ASCII byte, some beyond ASCII.
            let href: String = (0..next(40))
                .map(|_| match next(16) {
                    0 => char::from(next(128) as u8),
                    1 => ['é', '→', ' ', '&', '\''][next(5)],
                    _ => char::from(b"/aZ09-_.#:?=%~!$()*+,;@^"[next(24)]),
                })
                .collect();
            let mut expected = String::new();
            let _ = escape_href(&mut expected, &href);
            let mut written = String::new();
            escape_href_into(&mut written, &href);
            assert_eq!(written, expected, "{href:?}");
            plain += usize::from(expected == href);
        }
        // Both ways were taken.
        assert!(plain > 2000 && plain < 18_000, "{plain}");
        // Every byte on its own.
        for byte in 0..=255u8 {
            let href = String::from_utf8_lossy(&[byte]).into_owned();
            let mut expected = String::new();
            let _ = escape_href(&mut expected, &href);
            let mut written = String::new();
            escape_href_into(&mut written, &href);
            assert_eq!(written, expected, "{byte}");
        }
    }

    fn random_markdown(next: &mut impl FnMut(usize) -> usize) -> String {
        crate::test_random::joined(next, PIECES, 40)
    }

    fn by_pulldown(markdown: &str, options: Options) -> String {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, options));
        html
    }

    /// kb's writer, with every heading's start tag written at its end and text handed to
    /// [`HtmlWriter::text`], as the renderer writes them, or, with `headings_later` false, every
    /// event through [`HtmlWriter::event`].
    fn by_kb(markdown: &str, options: Options, headings_later: bool) -> String {
        let mut writer = HtmlWriter::with_capacity(0);
        let mut heading = None;
        for event in Parser::new_ext(markdown, options) {
            match event {
                Event::Text(text) if headings_later => writer.text(&text),
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }) if headings_later => {
                    // pulldown-cmark writes no id for a heading without one; kb always has one.
                    let id = id.unwrap_or(CowStr::Borrowed("made-up"));
                    heading = Some((writer.begin_heading(), level, id, classes, attrs));
                }
                Event::End(TagEnd::Heading(_)) if heading.is_some() => {
                    if let Some((start, level, id, classes, attrs)) = heading.take() {
                        writer.insert_heading_start(start, level, &id, &classes, &attrs);
                    }
                    writer.event(event);
                }
                _ => writer.event(event),
            }
        }
        writer.finish()
    }

    /// kb's writer writes what pulldown-cmark's writes, compared on many made-up bodies, with
    /// the options of a body and with every option (which makes every kind of event).
    #[test]
    fn the_writer_writes_what_pulldown_cmark_writes() {
        let mut next = crate::test_random::numbers(0x2545_f491_4f6c_dd1d);
        let mut headings = 0;
        for round in 0..6000 {
            let markdown = random_markdown(&mut next);
            let options = if round % 2 == 0 {
                super::super::options()
            } else {
                Options::all()
            };
            let expected = by_pulldown(&markdown, options);
            assert_eq!(by_kb(&markdown, options, false), expected, "{markdown:?}");
            // With every heading given an id, as the renderer gives them.
            let with_ids = by_pulldown_with_ids(&markdown, options);
            assert_eq!(by_kb(&markdown, options, true), with_ids, "{markdown:?}");
            headings += usize::from(expected.contains("<h"));
        }
        // Headings, where the writer's two ways part, were among the bodies.
        assert!(headings > 1000, "{headings}");
    }

    fn by_pulldown_with_ids(markdown: &str, options: Options) -> String {
        let events = Parser::new_ext(markdown, options).map(|event| match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => Event::Start(Tag::Heading {
                level,
                id: Some(id.unwrap_or(CowStr::Borrowed("made-up"))),
                classes,
                attrs,
            }),
            other => other,
        });
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events);
        html
    }
}
