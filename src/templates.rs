//! Tera templates: the default theme embedded in the binary, overridden file by file by the
//! site's own `templates/` folder. A template error names the template, line and column.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diagnostic::{Diagnostic, Location};
use crate::paths::SourcePath;

pub const TEMPLATES_DIR: &str = "templates";

/// The smallest buffer a page is rendered into: a redirect page is about this size.
const MIN_PAGE_BUFFER: usize = 1024;

/// The default theme. A site's `templates/<name>` replaces the file of the same name.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("article.html", include_str!("../templates/article.html")),
    ("category.html", include_str!("../templates/category.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("codes.html", include_str!("../templates/codes.html")),
    ("tags.html", include_str!("../templates/tags.html")),
    ("tag.html", include_str!("../templates/tag.html")),
    (
        "partials/breadcrumbs.html",
        include_str!("../templates/partials/breadcrumbs.html"),
    ),
    (
        "partials/article_list.html",
        include_str!("../templates/partials/article_list.html"),
    ),
    (
        "partials/article_item.html",
        include_str!("../templates/partials/article_item.html"),
    ),
    (
        "partials/header.html",
        include_str!("../templates/partials/header.html"),
    ),
    (
        "partials/footer.html",
        include_str!("../templates/partials/footer.html"),
    ),
    ("404.html", include_str!("../templates/404.html")),
    ("redirect.html", include_str!("../templates/redirect.html")),
    ("search.html", include_str!("../templates/search.html")),
];

/// The loaded templates, parsed once per build and shared by every page render.
pub struct Templates {
    pub tera: tera::Tera,
    /// Template sources by name, for locating errors.
    sources: Vec<(String, String, Option<SourcePath>)>,
    /// The size of the page each template rendered last, by template name: the next page of
    /// the same template is rendered into a buffer that size and a quarter, so that it seldom
    /// grows (pages of one template are much alike in size; a build renders thousands).
    last_sizes: Vec<(String, AtomicUsize)>,
    /// The templates that only print variables, by name ([`PrintOnly`]).
    print_only: Vec<(String, PrintOnly)>,
    /// The site-wide variables as [`Templates::keep_globals`] last found them, for pages made
    /// without Tera.
    globals: tera::Context,
}

impl Templates {
    /// Loads the defaults and the site's overrides (any `.html`, `.xml` or `.txt` under
    /// `root/templates`, so a site can add partials of its own).
    pub fn load(root: &Path) -> Result<Templates, Vec<Diagnostic>> {
        let mut sources: Vec<(String, String, Option<SourcePath>)> = DEFAULT_TEMPLATES
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string(), None))
            .collect();
        let mut problems = Vec::new();
        for (name, path) in site_templates(&root.join(TEMPLATES_DIR)) {
            let source = SourcePath::new(Path::new(TEMPLATES_DIR).join(&name));
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    sources.retain(|(existing, _, _)| *existing != name);
                    sources.push((name, text, Some(source)));
                }
                Err(e) => problems.push(
                    Diagnostic::error(format!("cannot read this template: {e}"))
                        .in_file(&source)
                        .with_help("save it as UTF-8 and check that kb may read it"),
                ),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let last_sizes = sources
            .iter()
            .map(|(name, _, _)| (name.clone(), AtomicUsize::new(0)))
            .collect();
        let print_only = sources
            .iter()
            .filter(|(name, _, _)| is_autoescaped(name))
            .filter_map(|(name, text, _)| Some((name.clone(), PrintOnly::parse(text)?)))
            .collect();
        let mut templates = Templates {
            tera: tera::Tera::new(),
            sources,
            last_sizes,
            print_only,
            globals: tera::Context::new(),
        };
        templates.tera.register_filter("safe", safe);
        let added = templates.tera.add_raw_templates(
            templates
                .sources
                .iter()
                .map(|(n, t, _)| (n.as_str(), t.as_str())),
        );
        added.map_err(|e| vec![templates.diagnostic(&e)])?;
        Ok(templates)
    }

    /// Renders a page; a failure becomes a diagnostic naming the template and line.
    /// Whether any template's text has `word` (a variable a template may print).
    pub fn mention(&self, word: &str) -> bool {
        self.sources.iter().any(|(_, text, _)| text.contains(word))
    }

    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String, Diagnostic> {
        String::from_utf8(self.render_bytes(name, context)?).map_err(|e| {
            Diagnostic::error(format!(
                "template `{name}` made a page that is not UTF-8: {e}"
            ))
        })
    }

    /// [`Templates::render`], the page as the bytes the template wrote (UTF-8, not checked).
    pub fn render_bytes(&self, name: &str, context: &tera::Context) -> Result<Vec<u8>, Diagnostic> {
        let last_size = self
            .last_sizes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, size)| size);
        let expected = last_size.map_or(0, |size| size.load(Ordering::Relaxed));
        let mut page = Vec::with_capacity((expected + expected / 4).max(MIN_PAGE_BUFFER));
        self.tera
            .render_to(name, context, &mut page)
            .map_err(|e| self.diagnostic(&e))?;
        if let Some(size) = last_size {
            size.store(page.len(), Ordering::Relaxed);
        }
        Ok(page)
    }

    /// Keeps a copy of the site-wide variables (Tera's global context) for
    /// [`Templates::render_print_only`]; called once they are all set.
    pub fn keep_globals(&mut self) {
        self.globals = self.tera.global_context().clone();
    }

    /// The page the template `name` makes, without Tera, when it only prints variables
    /// ([`PrintOnly`]): `local` gives the page's own variables by their path (`page.title`), the
    /// site-wide ones are looked up as Tera looks them up. `None` when the template does more, or
    /// prints anything but a string: Tera must make the page, and say what is wrong if anything is.
    pub fn render_print_only<'a>(
        &'a self,
        name: &str,
        local: impl Fn(&str) -> Local<'a>,
    ) -> Option<Vec<u8>> {
        let (_, template) = self.print_only.iter().find(|(n, _)| n == name)?;
        template.render(|path| match local(path) {
            Local::Text(text) => Some(Printed::Text(text)),
            Local::Missing => None,
            Local::NotLocal => {
                let (first, rest) = path.split_once('.').unwrap_or((path, ""));
                let value = self.globals.get(first)?;
                let value = if rest.is_empty() {
                    value
                } else {
                    value.get_from_path(rest)?
                };
                let text = value.as_str()?;
                Some(if value.is_safe() {
                    Printed::Safe(text)
                } else {
                    Printed::Text(text)
                })
            }
        })
    }

    /// Turns a Tera error into a diagnostic at the template's line and column.
    pub fn diagnostic(&self, error: &tera::Error) -> Diagnostic {
        let report = match error.kind() {
            tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
                report
            }
            tera::ErrorKind::MissingParent { current, parent } => {
                return self
                    .diagnostic_in(
                        current,
                        format!("template `{current}` extends `{parent}`, which does not exist"),
                    )
                    .with_help(format!(
                        "create templates/{parent}, or extend one of: {}",
                        self.names()
                    ));
            }
            tera::ErrorKind::TemplateNotFound(name) => {
                return Diagnostic::error(format!("template `{name}` does not exist"))
                    .with_help(format!("the templates are: {}", self.names()));
            }
            _ => return Diagnostic::error(format!("template error: {error}")),
        };
        let name = report.filename();
        let message = format!("template error: {}", report.message());
        let Some((_, text, source)) = self.sources.iter().find(|(n, _, _)| n == name) else {
            return Diagnostic::error(message);
        };
        let span = report.span();
        let length = if span.start_line == span.end_line {
            span.end_col.saturating_sub(span.start_col)
        } else {
            1
        };
        let location = Location::at_line_column(text, span.start_line, span.start_col + 1, length);
        let file = source
            .clone()
            .unwrap_or_else(|| SourcePath::new(format!("(built-in theme) {TEMPLATES_DIR}/{name}")));
        Diagnostic::error(message).in_file(&file).at(location)
    }

    fn diagnostic_in(&self, name: &str, message: String) -> Diagnostic {
        let diagnostic = Diagnostic::error(message);
        match self.sources.iter().find(|(n, _, _)| n == name) {
            Some((_, _, Some(source))) => diagnostic.in_file(source),
            _ => diagnostic,
        }
    }

    fn names(&self) -> String {
        let mut names: Vec<&str> = self.sources.iter().map(|(n, _, _)| n.as_str()).collect();
        names.sort_unstable();
        names.join(", ")
    }
}

/// Whether Tera escapes what a template of this name prints (its default suffixes).
fn is_autoescaped(name: &str) -> bool {
    [".html", ".htm", ".xml"]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

/// A page's own variable, as [`Templates::render_print_only`] asks for it by path.
pub enum Local<'a> {
    /// A string, printed escaped.
    Text(&'a str),
    /// One of the page's variables, but nothing there that can be printed without Tera.
    Missing,
    /// Not one of the page's variables: a site-wide one, if anything.
    NotLocal,
}

/// A value as printed: escaped, or as it is (a value marked safe).
enum Printed<'a> {
    Text(&'a str),
    Safe(&'a str),
}

/// A template that does nothing but print variables among its text (`<title>{{ page.title
/// }}</title>`, no tags, filters or comments), so that its pages can be made by joining its text
/// and the values, escaped as Tera escapes them, without running Tera. The default redirect page
/// is one: a build makes one for every article with an alias or a short address, and through
/// Tera each cost about five times as much.
#[derive(Debug)]
struct PrintOnly {
    pieces: Vec<Piece>,
}

#[derive(Debug, PartialEq)]
enum Piece {
    Text(String),
    /// A variable's path: names joined by `.`.
    Print(String),
}

impl PrintOnly {
    /// The template's pieces, if it is one; `None` for anything else Tera's syntax has (tags,
    /// comments, whitespace control, filters, expressions).
    fn parse(text: &str) -> Option<PrintOnly> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let after = &rest[start + 1..];
            match after.as_bytes().first() {
                Some(b'%' | b'#') => return None,
                Some(b'{') => {}
                _ => {
                    pieces.push(Piece::Text(rest[..=start].to_string()));
                    rest = after;
                    continue;
                }
            }
            let end = after.find("}}")?;
            let path = after[1..end].trim();
            if !is_variable_path(path) {
                return None;
            }
            pieces.push(Piece::Text(rest[..start].to_string()));
            pieces.push(Piece::Print(path.to_string()));
            rest = &after[end + 2..];
        }
        pieces.push(Piece::Text(rest.to_string()));
        pieces.retain(|piece| *piece != Piece::Text(String::new()));
        Some(PrintOnly { pieces })
    }

    /// The page, each variable's value given by `value`; `None` as soon as one has none.
    fn render<'a>(&'a self, value: impl Fn(&'a str) -> Option<Printed<'a>>) -> Option<Vec<u8>> {
        let mut page = String::with_capacity(MIN_PAGE_BUFFER);
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => page.push_str(text),
                Piece::Print(path) => match value(path)? {
                    Printed::Text(text) => {
                        let _ = pulldown_cmark_escape::escape_html(&mut page, text);
                    }
                    Printed::Safe(text) => page.push_str(text),
                },
            }
        }
        Some(page.into_bytes())
    }
}

/// `page.title`: names of letters, digits and `_`, not starting with a digit, joined by `.`.
fn is_variable_path(path: &str) -> bool {
    path.split('.').all(|name| {
        let mut bytes = name.bytes();
        bytes
            .next()
            .is_some_and(|first| first.is_ascii_alphabetic() || first == b'_')
            && bytes.all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
    })
}

/// Tera's `safe` filter, which gives the same value, without copying a string: Tera's own makes
/// a new one of the same text, and an article page passes its whole body, its JSON-LD, the header,
/// the footer and every list item through `safe`.
fn safe(value: &tera::Value, _: tera::Kwargs, _: &tera::State) -> tera::Value {
    match value.as_str() {
        Some(_) => value.clone().mark_safe(),
        None => tera::Value::safe_string(&value.to_string()),
    }
}

/// Template files under the site's `templates/` folder, named by their path inside it.
fn site_templates(dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x == "html" || x == "xml" || x == "txt")
        })
        .filter_map(|e| {
            let relative = e.path().strip_prefix(dir).ok()?;
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            Some((name, e.into_path()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A page made without Tera from a template that only prints variables is the page Tera
    /// makes, byte for byte: the default redirect page and others, with values that must be
    /// escaped, a site-wide value marked safe, and text with braces that print nothing.
    #[test]
    fn print_only_pages_are_teras_own() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/catalogs");
        let mut templates = Templates::load(&root).expect("the default templates");
        let others = [
            (
                "plain.html",
                "{{ target }}|{{page.title}}|{{  site.title  }}",
            ),
            (
                "braces.html",
                "{ a } {target} }} {{ site.ui.copy }} { {{ site_mark }}}",
            ),
            ("missing.html", "{{ site.mark }}"),
            ("lines.xml", "<a>\n{{ page.title }}\n</a>\n\n"),
        ];
        for (name, text) in others {
            templates
                .tera
                .add_raw_template(name, text)
                .expect("a template");
            let parsed = PrintOnly::parse(text).expect("print-only");
            templates.print_only.push((name.to_string(), parsed));
        }
        let hostile = "<b>\"Tom & Jerry's\"</b> ünïcödé / \\ {{ x }}";
        let site = serde_json::json!({
            "title": hostile,
            "language": "en\"><script>",
            "ui": { "redirecting": hostile, "copy": "Copy & paste" },
        });
        let globals = templates.tera.global_context();
        globals.insert("site", &site);
        globals.insert_value("site_mark", tera::Value::safe_string("<i>safe & sound</i>"));
        templates.keep_globals();
        let title = format!("E42 {hostile}");
        let target = "https://example.org/a&b/?q=\"1\"&r=<2>";
        // `site.mark` is not there: a page printing it is left to Tera, which says so.
        for name in [
            "redirect.html",
            "plain.html",
            "braces.html",
            "lines.xml",
            "missing.html",
        ] {
            let mut context = tera::Context::new();
            context.insert("page", &serde_json::json!({ "title": title }));
            context.insert("target", target);
            let teras = templates
                .tera
                .render(name, &context)
                .map(String::into_bytes);
            let ours = templates.render_print_only(name, |path| match path {
                "target" => Local::Text(target),
                "page.title" => Local::Text(&title),
                _ if path.starts_with("page") => Local::Missing,
                _ => Local::NotLocal,
            });
            match ours {
                Some(page) => assert_eq!(Ok(page), teras.map_err(|e| e.to_string()), "{name}"),
                None => assert!(teras.is_err(), "{name} is left to Tera"),
            }
        }
        let page = templates.render_print_only("redirect.html", |path| match path {
            "target" => Local::Text(target),
            "page.title" => Local::Text(&title),
            _ => Local::NotLocal,
        });
        assert!(
            page.is_some(),
            "the default redirect page is made without Tera"
        );
    }

    /// Anything of Tera's syntax but a variable printed as it is leaves a template to Tera.
    #[test]
    fn only_templates_that_print_variables_are_print_only() {
        let others = [
            "{% if target %}{{ target }}{% endif %}",
            "{# a comment #}{{ target }}",
            "{{ target | upper }}",
            "{{- target }}",
            "{{ target -}}",
            "{{ page.title ~ target }}",
            "{{ items[0] }}",
            "{{ 1target }}",
            "{{ page..title }}",
            "{{ target }",
            "{{ }}",
            "{%- raw %}{{ target }}{% endraw %}",
        ];
        for text in others {
            assert!(PrintOnly::parse(text).is_none(), "{text}");
        }
        let parsed = PrintOnly::parse("a{b}{{ page.title }}{{x_1}}").expect("print-only");
        assert_eq!(
            parsed.pieces,
            [
                Piece::Text("a{".into()),
                Piece::Text("b}".into()),
                Piece::Print("page.title".into()),
                Piece::Print("x_1".into()),
            ]
        );
    }

    /// kb's `safe` gives what Tera's own gives, for every kind of value, printed at once or kept.
    #[test]
    fn safe_is_teras_own() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/catalogs");
        let mut ours = Templates::load(&root).expect("the default templates");
        let mut teras = tera::Tera::new();
        let text = "{{ value | safe }}|{% set kept = value | safe %}{{ kept }}|{{ kept | upper }}";
        for tera in [&mut ours.tera, &mut teras] {
            tera.add_raw_template("safe.html", text)
                .expect("a template");
        }
        let long = "<b>a & b</b> and some more text, past a small string's length";
        let values = [
            tera::Value::from("<b>&</b>"),
            tera::Value::from(long),
            tera::Value::safe_string(long),
            tera::Value::from(42),
            tera::Value::from(1.5),
            tera::Value::from(true),
            tera::Value::none(),
            tera::Value::from(vec![tera::Value::from(1), tera::Value::from("<a>")]),
            tera::Value::from_serializable(&BTreeMap::from([("k", "<v>")])),
        ];
        for value in values {
            let mut context = tera::Context::new();
            context.insert_value("value", value.clone());
            let expected = teras.render("safe.html", &context).expect("Tera's own");
            let rendered = ours.tera.render("safe.html", &context).expect("kb's");
            assert_eq!(rendered, expected, "{value:?}");
        }
    }
}
