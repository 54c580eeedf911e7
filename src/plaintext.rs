//! Markdown as readable plain text for a terminal, for `kb explain`: paragraphs wrapped to a
//! width, headings underlined, lists with their markers, code blocks indented and never
//! wrapped, tables aligned, and the address of an external link after its text. Emphasis
//! markers and raw HTML tags are dropped; their text stays.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// `markdown` as plain text, lines at most `width` characters where words allow.
pub fn to_plain_text(markdown: &str, width: usize) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut writer = Writer {
        width,
        ..Writer::default()
    };
    for event in Parser::new_ext(markdown, options) {
        writer.event(event);
    }
    writer.flush();
    let text = writer.out.trim_end();
    if text.is_empty() {
        String::new()
    } else {
        format!("{text}\n")
    }
}

#[derive(Default)]
struct Writer {
    width: usize,
    out: String,
    /// What starts every line of the open containers: `> ` for quotes, spaces for list items.
    indent: Vec<String>,
    /// A list item's marker (`- `, `3. `), written at the start of its first line.
    marker: Option<String>,
    /// The open lists: the next number, or `None` for bullets.
    lists: Vec<Option<u64>>,
    /// The text of the paragraph, heading or table cell being read.
    inline: String,
    heading: Option<HeadingLevel>,
    /// The open links: the address to show after the text, for external links.
    links: Vec<Option<String>>,
    code: Option<String>,
    /// The rows of the table being read.
    table: Option<Vec<Vec<String>>>,
}

impl Writer {
    fn event(&mut self, event: Event) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => match &mut self.code {
                Some(code) => code.push_str(&text),
                None => self.inline.push_str(&text),
            },
            Event::Code(code) => self.inline.push_str(&format!("`{code}`")),
            Event::SoftBreak => self.inline.push(' '),
            Event::HardBreak => self.inline.push('\n'),
            Event::Rule => {
                self.blank_line();
                self.line("----");
            }
            Event::FootnoteReference(label) => self.inline.push_str(&format!("[{label}]")),
            Event::TaskListMarker(done) => self.inline.push_str(if done { "[x] " } else { "[ ] " }),
            // Raw HTML: the tags go, the text between them (separate events) stays.
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Paragraph | Tag::CodeBlock(_) | Tag::Table(_) => {
                self.flush();
                self.blank_line();
                match tag {
                    Tag::CodeBlock(_) => self.code = Some(String::new()),
                    Tag::Table(_) => self.table = Some(Vec::new()),
                    _ => {}
                }
            }
            Tag::Heading { level, .. } => {
                self.flush();
                self.blank_line();
                self.heading = Some(level);
            }
            Tag::BlockQuote(_) => {
                self.flush();
                self.blank_line();
                self.indent.push("> ".into());
            }
            Tag::List(start) => {
                self.flush();
                if self.lists.is_empty() {
                    self.blank_line();
                }
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush();
                let marker = match self.lists.last_mut() {
                    Some(Some(number)) => {
                        *number += 1;
                        format!("{}. ", *number - 1)
                    }
                    _ => "- ".to_string(),
                };
                self.open_marker(marker);
            }
            Tag::FootnoteDefinition(label) => {
                self.flush();
                self.blank_line();
                self.open_marker(format!("[{label}]: "));
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(rows) = &mut self.table {
                    rows.push(Vec::new());
                }
            }
            Tag::TableCell => self.inline.clear(),
            Tag::Link { dest_url, .. } => {
                let external = dest_url.starts_with("http://")
                    || dest_url.starts_with("https://")
                    || dest_url.starts_with("mailto:");
                self.links.push(external.then(|| dest_url.to_string()));
            }
            Tag::Image { .. } => self.links.push(None),
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.flush(),
            TagEnd::Heading(level) => {
                let text = std::mem::take(&mut self.inline).trim().to_string();
                self.heading = None;
                self.line(&text);
                let underline = match level {
                    HeadingLevel::H1 => '=',
                    HeadingLevel::H2 => '-',
                    _ => return,
                };
                let length = text.chars().count().min(self.width);
                self.line(&underline.to_string().repeat(length));
            }
            TagEnd::CodeBlock => {
                let code = self.code.take().unwrap_or_default();
                for code_line in code.trim_end_matches('\n').lines() {
                    self.line(&format!("    {code_line}"));
                }
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.indent.pop();
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
            }
            TagEnd::Item | TagEnd::FootnoteDefinition => {
                self.flush();
                if let Some(marker) = self.marker.take() {
                    self.line(marker.trim_end()); // an empty item still shows its marker
                }
                self.indent.pop();
            }
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.inline).trim().to_string();
                if let Some(row) = self.table.as_mut().and_then(|rows| rows.last_mut()) {
                    row.push(cell);
                }
            }
            TagEnd::Table => {
                let rows = self.table.take().unwrap_or_default();
                for row in align(&rows) {
                    self.line(&row);
                }
            }
            TagEnd::Link | TagEnd::Image => {
                if let Some(Some(url)) = self.links.pop() {
                    if !self.inline.ends_with(url.as_str()) {
                        self.inline.push_str(&format!(" <{url}>"));
                    }
                }
            }
            _ => {}
        }
    }

    /// Opens a list item or footnote whose first line starts with `marker`.
    fn open_marker(&mut self, marker: String) {
        self.indent.push(" ".repeat(marker.chars().count()));
        self.marker = Some(marker);
    }

    /// Writes the paragraph read so far, wrapped.
    fn flush(&mut self) {
        if self.heading.is_some() || self.table.is_some() {
            return;
        }
        let text = std::mem::take(&mut self.inline);
        let available = self.width.saturating_sub(self.indent_width()).max(20);
        for hard_line in text.trim().split('\n') {
            if hard_line.trim().is_empty() {
                continue;
            }
            for wrapped in wrap(hard_line, available) {
                self.line(&wrapped);
            }
        }
    }

    /// Writes one line with the open containers' prefix (or the pending list marker).
    fn line(&mut self, text: &str) {
        let prefix = match self.marker.take() {
            Some(marker) => {
                let outer = &self.indent[..self.indent.len().saturating_sub(1)];
                format!("{}{marker}", outer.concat())
            }
            None => self.indent.concat(),
        };
        self.out.push_str(format!("{prefix}{text}").trim_end());
        self.out.push('\n');
    }

    /// Separates blocks by one empty line (never two, and none at the start).
    fn blank_line(&mut self) {
        if self.out.is_empty() || self.out.ends_with("\n\n") {
            return;
        }
        let prefix = self.indent.concat();
        self.out.push_str(prefix.trim_end());
        self.out.push('\n');
    }

    fn indent_width(&self) -> usize {
        self.indent.iter().map(|i| i.chars().count()).sum()
    }
}

/// Greedy word wrap; a word longer than the width gets a line of its own.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let needed = current.chars().count() + 1 + word.chars().count();
        if !current.is_empty() && needed > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// Table rows with their columns padded to a common width and separated by ` | `; the header
/// row underlined.
fn align(rows: &[Vec<String>]) -> Vec<String> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut lines = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(c, width)| {
                let cell = row.get(c).map_or("", String::as_str);
                format!("{cell}{}", " ".repeat(width - cell.chars().count()))
            })
            .collect();
        lines.push(cells.join(" | ").trim_end().to_string());
        if i == 0 {
            lines.push(
                widths
                    .iter()
                    .map(|w| "-".repeat(*w))
                    .collect::<Vec<_>>()
                    .join("-+-"),
            );
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_wrap_and_headings_are_underlined() {
        let text = to_plain_text(
            "## Cause\n\nThe page is *protected* and the **server** did not get credentials.\n",
            30,
        );
        assert_eq!(
            text,
            "Cause\n-----\n\nThe page is protected and the\nserver did not get\ncredentials.\n"
        );
    }

    #[test]
    fn lists_keep_their_markers_and_indent_what_follows() {
        let markdown = "1. Log in again, then come back.\n2. Check the password:\n\n   ```sh\n   curl -i https://example.com/\n   ```\n\n- a bullet\n";
        assert_eq!(
            to_plain_text(markdown, 80),
            "1. Log in again, then come back.\n\n2. Check the password:\n\n       curl -i https://example.com/\n\n- a bullet\n"
        );
    }

    #[test]
    fn external_links_show_their_address_and_internal_ones_only_their_text() {
        let markdown =
            "See [RFC 9110](https://www.rfc-editor.org/rfc/rfc9110) and [403](403.md).\n";
        assert_eq!(
            to_plain_text(markdown, 100),
            "See RFC 9110 <https://www.rfc-editor.org/rfc/rfc9110> and 403.\n"
        );
    }

    #[test]
    fn tables_are_aligned() {
        let markdown =
            "| Situation | Code |\n|---|---|\n| No credentials | 401 |\n| Not allowed | 403 |\n";
        assert_eq!(
            to_plain_text(markdown, 80),
            "Situation      | Code\n---------------+-----\nNo credentials | 401\nNot allowed    | 403\n"
        );
    }

    #[test]
    fn quotes_keep_their_marker_on_every_line() {
        assert_eq!(
            to_plain_text("> one two three four five six\n", 20),
            "> one two three four\n> five six\n"
        );
    }
}
