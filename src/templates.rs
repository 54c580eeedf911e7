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
        let mut templates = Templates {
            tera: tera::Tera::new(),
            sources,
            last_sizes,
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
