//! `kb new <code>`: writes a new article from the archetype, pre-filled with the front matter and
//! sections every article needs. The default archetype is `templates/archetype.md` of this
//! repository, embedded in the binary; a site's own `templates/archetype.md` replaces it. It is a
//! Tera template with `code`, `title`, `catalog`, `category` and `today`, and a `yaml_string`
//! filter that quotes a value for YAML.
//!
//! `kb new` never overwrites a file and refuses a code that its catalog already has; what it
//! writes is parsed like any article before it is written, so a broken archetype is caught.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::code::ErrorCode;
use crate::content::{self, CONTENT_DIR, LoadOptions, LoadedArticle};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::paths::{Segment, SourcePath};
use crate::templates::TEMPLATES_DIR;
use crate::yaml::YamlBlock;

/// The file name of the archetype, in the repository's and a site's `templates/`.
pub const ARCHETYPE: &str = "archetype.md";

/// The default archetype.
pub const DEFAULT_ARCHETYPE: &str = include_str!("../templates/archetype.md");

/// The title of a new article when `--title` is not given.
const TITLE_PLACEHOLDER: &str = "TODO: the error's name";

#[derive(Debug, Clone, Default)]
pub struct NewOptions {
    /// The site root.
    pub root: PathBuf,
    /// The code, exactly as it should be written.
    pub code: String,
    /// The catalog (top-level folder) to put the article in.
    pub catalog: Option<String>,
    /// The category folder below `content/`, e.g. `http/4xx`; its first folder is the catalog.
    pub category: Option<String>,
    pub title: Option<String>,
}

/// Writes the new article and returns its path (the site root joined with
/// `content/<category>/<code>.md`).
pub fn new_article(options: &NewOptions) -> Result<PathBuf> {
    let root = &options.root;
    if !root.join(CONTENT_DIR).is_dir() {
        return Err(Error::Usage(format!(
            "there is no `{CONTENT_DIR}` folder in {}; run `kb init` to start a site, or pass `--root`",
            root.display()
        )));
    }
    let code = ErrorCode::parse(&options.code).map_err(|why| {
        problem(
            Diagnostic::error(format!("`{}` cannot be a code: {why}", options.code.escape_debug()))
                .with_help("a code is letters, digits and `. _ - +`, starting with a letter or digit, e.g. `E0308` or `401.1`"),
        )
    })?;
    let folder = category_folder(options)?;
    let catalog = folder
        .first()
        .and_then(|name| Segment::slugify(name))
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    refuse_existing_code(root, &catalog, &code)?;
    let relative: PathBuf = Path::new(CONTENT_DIR)
        .join(folder.iter().collect::<PathBuf>())
        .join(format!("{code}.md"));
    let source = SourcePath::new(&relative);
    let text = render_archetype(root, options, &code, &catalog, &folder)?;
    check_rendered(root, &source, &text, &code)?;
    let path = root.join(&relative);
    write_new(&path, &source, &text)?;
    Ok(path)
}

fn problem(diagnostic: Diagnostic) -> Error {
    Error::Diagnostics(vec![diagnostic])
}

/// The folder names below `content/` where the article goes.
fn category_folder(options: &NewOptions) -> Result<Vec<String>> {
    let category = match (&options.category, &options.catalog) {
        (Some(category), _) => category.clone(),
        (None, Some(catalog)) => catalog.clone(),
        (None, None) => String::new(),
    };
    let trimmed = category.trim_matches('/');
    let mut names = Vec::new();
    if !trimmed.is_empty() {
        for component in Path::new(trimmed).components() {
            match component {
                Component::Normal(name) if !name.to_string_lossy().contains('\\') => {
                    names.push(name.to_string_lossy().into_owned());
                }
                _ => {
                    return Err(Error::Usage(format!(
                        "`{category}` is not a folder below `{CONTENT_DIR}/`: write it like `http/4xx`"
                    )));
                }
            }
        }
    }
    if let (Some(catalog), Some(first)) = (&options.catalog, names.first()) {
        let slug = |name: &str| Segment::slugify(name).map(|s| s.as_str().to_string());
        if slug(first) != slug(catalog.trim_matches('/')) {
            return Err(Error::Usage(format!(
                "the category `{category}` is not in the catalog `{catalog}`; its catalog is `{first}`"
            )));
        }
    }
    Ok(names)
}

/// Fails when an article of `catalog` already has `code` (drafts included).
fn refuse_existing_code(root: &Path, catalog: &str, code: &ErrorCode) -> Result<()> {
    let loaded = content::load(
        root,
        LoadOptions {
            include_drafts: true,
        },
    );
    let existing = loaded.articles.iter().find(|article| {
        catalog_of(article) == catalog && article.meta.code.lookup_key() == code.lookup_key()
    });
    let Some(existing) = existing else {
        return Ok(());
    };
    let source = &existing.source;
    let yaml_start = source.text.find('\n').map_or(0, |i| i + 1);
    let block = YamlBlock {
        file: &source.path,
        file_text: &source.text,
        offset: yaml_start,
        yaml: &source.text[yaml_start..source.body_offset.max(yaml_start)],
    };
    let shown = if catalog.is_empty() {
        "the site root"
    } else {
        catalog
    };
    let written = existing.meta.code.as_str();
    Err(problem(
        block
            .diagnostic_at_value(
                &format!("code `{code}` already exists in {shown}"),
                "code",
                written,
            )
            .with_help(format!(
                "edit {} instead, or choose another code",
                source.path
            )),
    ))
}

fn catalog_of(article: &LoadedArticle) -> String {
    article
        .folder
        .first()
        .and_then(|name| Segment::slugify(name))
        .map(|s| s.as_str().to_string())
        .unwrap_or_default()
}

/// The site's archetype if it has one, else the default, rendered for this article.
fn render_archetype(
    root: &Path,
    options: &NewOptions,
    code: &ErrorCode,
    catalog: &str,
    folder: &[String],
) -> Result<String> {
    let site_archetype = root.join(TEMPLATES_DIR).join(ARCHETYPE);
    let source = SourcePath::new(Path::new(TEMPLATES_DIR).join(ARCHETYPE));
    let text = match std::fs::read_to_string(&site_archetype) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => DEFAULT_ARCHETYPE.to_string(),
        Err(e) => return Err(Error::io(&site_archetype, e)),
    };
    let mut tera = tera::Tera::new();
    tera.register_filter("yaml_string", yaml_string);
    let mut context = tera::Context::new();
    context.insert("code", code.as_str());
    context.insert(
        "title",
        options.title.as_deref().unwrap_or(TITLE_PLACEHOLDER),
    );
    context.insert("catalog", catalog);
    context.insert("category", &folder.join("/"));
    let today = crate::warnings::utc_date_today();
    context.insert("today", today.as_ref().map_or("", |d| d.as_str()));
    tera.add_raw_template(ARCHETYPE, &text)
        .and_then(|()| tera.render(ARCHETYPE, &context))
        .map_err(|e| {
            problem(
                Diagnostic::error(format!("the archetype cannot be used: {e}"))
                    .in_file(&source)
                    .with_help("fix the template, or remove it to use the default archetype"),
            )
        })
}

/// The `yaml_string` filter of the archetype.
fn yaml_string(value: &str, _: tera::Kwargs, _: &tera::State) -> String {
    yaml_quote(value)
}

/// `value` as a YAML scalar: as it is when YAML reads it back unchanged (`401`, `E0308`,
/// `Not Found`), else double-quoted.
fn yaml_quote(value: &str) -> String {
    const SPECIAL: &[&str] = &["null", "true", "false", "yes", "no", "on", "off", "y", "n"];
    let plain = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && !value.ends_with(' ')
        && value.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '_' | '+' | '-' | '(' | ')')
        })
        && !SPECIAL.contains(&value.to_ascii_lowercase().as_str());
    if plain {
        return value.to_string();
    }
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// What the archetype produced must be an article with the requested code.
fn check_rendered(root: &Path, source: &SourcePath, text: &str, code: &ErrorCode) -> Result<()> {
    let archetype_help = if root.join(TEMPLATES_DIR).join(ARCHETYPE).is_file() {
        "the site's templates/archetype.md produced this; fix it, or remove it to use the default"
    } else {
        "the default archetype produced this"
    };
    match content::parse_article_bytes(source, text.as_bytes().to_vec()) {
        Ok(article) if article.meta.code.as_str() == code.as_str() => Ok(()),
        Ok(article) => Err(problem(
            Diagnostic::error(format!(
                "the archetype wrote the code `{}` instead of `{code}`",
                article.meta.code
            ))
            .in_file(&SourcePath::new(Path::new(TEMPLATES_DIR).join(ARCHETYPE)))
            .with_help("write `code: {{ code | yaml_string }}` in the archetype"),
        )),
        Err(problems) => Err(Error::Diagnostics(
            problems
                .into_iter()
                .map(|p| {
                    let help = match &p.help {
                        Some(help) => format!("{help} ({archetype_help})"),
                        None => archetype_help.to_string(),
                    };
                    p.with_help(help)
                })
                .collect(),
        )),
    }
}

/// Creates the file, refusing to replace one that exists.
fn write_new(path: &Path, source: &SourcePath, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path);
    let mut file = match file {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(problem(
                Diagnostic::error("refusing to overwrite a file that exists")
                    .in_file(source)
                    .with_help("edit it, or move it away first"),
            ));
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_strings_keep_their_exact_text() {
        for value in [
            "401",
            "0x1F",
            "1e3",
            "0012",
            "401.1",
            "E0308",
            "no",
            "Not Found",
            "Error: \"quoted\" \\ path",
            "tab\there",
            "~",
            "null",
            "- x",
            "# x",
            "x #y",
            "a: b",
            "",
            "é",
        ] {
            let yaml = format!("v: {}", yaml_quote(value));
            let parsed: std::collections::BTreeMap<String, String> =
                serde_yaml::from_str(&yaml).unwrap_or_default();
            assert_eq!(parsed.get("v").map(String::as_str), Some(value), "{yaml}");
        }
        for (value, written) in [("401", "401"), ("Not Found", "Not Found"), ("no", "\"no\"")] {
            assert_eq!(yaml_quote(value), written);
        }
    }
}
