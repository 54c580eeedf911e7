//! Code blocks, highlighted at build time. syntect's bundled grammars (the Sublime Text defaults,
//! matched with the pure-Rust `fancy-regex`, so no C library) mark up each token with CSS
//! classes (`hl-keyword`, `hl-string`, …) rather than colours: the theme's stylesheet colours them,
//! so one page works in light and dark mode and a site can restyle it.
//!
//! A block whose language syntect does not know (`http`, `nginx`, …) or that has none is shown
//! as plain, escaped text. The grammars are loaded on the first block that names a language,
//! so a site without code pays nothing.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// The prefix of every class the highlighter writes: `hl-keyword hl-control hl-shell`.
pub const CLASS_PREFIX: &str = "hl-";

/// Blocks longer than this are shown plain: backtracking regexes can be slow on huge inputs,
/// and nobody reads a 100 KiB listing in a help article.
const MAX_HIGHLIGHTED_BYTES: usize = 100 * 1024;

/// Highlights code blocks; shared by every page of a build.
#[derive(Default)]
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
}

impl Highlighter {
    pub fn new() -> Self {
        Self::default()
    }

    fn syntaxes(&self) -> &SyntaxSet {
        self.syntaxes.get_or_init(SyntaxSet::load_defaults_newlines)
    }

    /// The HTML of a fenced block whose info string is `info` (`sh`, `rust ignore`, or empty).
    /// The `<pre>` takes keyboard focus so that a reader can scroll a long line without a mouse.
    pub fn code_block(&self, info: &str, code: &str) -> String {
        let language = language_of(info);
        let mut html = String::with_capacity(code.len() * 2 + 64);
        html.push_str("<pre tabindex=\"0\"><code");
        if let Some(language) = language {
            html.push_str(" class=\"language-");
            html.push_str(language);
            html.push('"');
        }
        html.push('>');
        match language.and_then(|l| self.highlight(l, code)) {
            Some(highlighted) => html.push_str(&highlighted),
            None => escape_into(&mut html, code),
        }
        html.push_str("</code></pre>\n");
        html
    }

    /// The classed spans for `code`, or `None` when the language is unknown or the grammar fails.
    fn highlight(&self, language: &str, code: &str) -> Option<String> {
        if code.len() > MAX_HIGHLIGHTED_BYTES {
            return None;
        }
        let syntaxes = self.syntaxes();
        let syntax = syntaxes
            .find_syntax_by_token(language)
            .or_else(|| syntaxes.find_syntax_by_token(&language.to_ascii_lowercase()))?;
        let style = ClassStyle::SpacedPrefixed {
            prefix: CLASS_PREFIX,
        };
        let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, style);
        for line in LinesWithEndings::from(code) {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .ok()?;
        }
        Some(generator.finalize())
    }
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
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            c => html.push(c),
        }
    }
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
        assert!(html.contains("<span class=\"hl-comment"), "{html}");
        assert!(html.contains("&lt;b&gt;"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }

    #[test]
    fn unknown_languages_are_plain_escaped_text() {
        let html = Highlighter::new().code_block("http", "HTTP/1.1 401 <x>\n");
        assert_eq!(
            html,
            "<pre tabindex=\"0\"><code class=\"language-http\">HTTP/1.1 401 &lt;x&gt;\n</code></pre>\n"
        );
        let html = Highlighter::new().code_block("", "a & b");
        assert_eq!(html, "<pre tabindex=\"0\"><code>a &amp; b</code></pre>\n");
    }
}
