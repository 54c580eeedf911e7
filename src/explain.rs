//! `kb explain <code>`: one article as plain text in the terminal, read straight from the
//! content tree, like `rustc --explain E0308`.
//!
//! The code is looked up the way `related:` entries are: case-insensitively, site-wide when only
//! one catalog has it, or as `catalog/code` (`http/401`, `vendor/401.1`) when several do.
//! Problems elsewhere in the site do not stop it; only the article asked for matters.

use std::path::PathBuf;

use crate::code::natural_cmp;
use crate::content::{self, LoadOptions};
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::{Error, Result};
use crate::plaintext::to_plain_text;
use crate::related::Resolution;
use crate::site::{self, Article, Site};

/// The width text is wrapped to.
pub const WIDTH: usize = 80;

#[derive(Debug, Clone)]
pub struct ExplainOptions {
    /// The site root, holding `kb.yaml` and `content/`.
    pub root: PathBuf,
    /// The code as typed: `401`, `e0308`, `vendor/401.1`.
    pub code: String,
}

/// The article for `options.code` as plain text.
pub fn explain(options: &ExplainOptions) -> Result<String> {
    let config = crate::config::load(&options.root)?;
    let content = content::load(
        &options.root,
        LoadOptions {
            include_drafts: false,
        },
    );
    let (site, problems) = site::link(config, content);
    if site.articles.is_empty() {
        let errors: Vec<Diagnostic> = problems
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        if !errors.is_empty() {
            return Err(Error::Diagnostics(errors));
        }
    }
    let code = options.code.trim();
    // Catalog folders are lower-case slugs and codes match case-insensitively.
    match site.codes.resolve("", &code.to_ascii_lowercase()) {
        Resolution::Found(id) => Ok(render(&site, &site.articles[id])),
        Resolution::Ambiguous { candidates } => Err(not_found(
            format!("the code `{code}` exists in more than one catalog"),
            format!(
                "name the catalog: {}",
                candidates
                    .iter()
                    .map(|c| format!("`kb explain {c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        Resolution::UnknownCatalog { catalogs } => Err(not_found(
            format!("`{code}` names a catalog that does not exist"),
            format!("the catalogs are: {}", catalogs.join(", ")),
        )),
        Resolution::Unknown { .. } => Err(not_found(
            format!("no article has the code `{code}`"),
            format!("codes of this site near it: {}", nearest(&site, code)),
        )),
    }
}

fn not_found(message: String, help: String) -> Error {
    Error::Diagnostics(vec![Diagnostic::error(message).with_help(help)])
}

/// The article: code and title, summary, messages, body, related codes and its address.
fn render(site: &Site, article: &Article) -> String {
    let meta = &article.meta;
    let heading = format!("{} {}", meta.code, meta.title);
    let mut text = format!(
        "{heading}\n{}\n",
        "=".repeat(heading.chars().count().min(WIDTH))
    );
    if let Some(summary) = &meta.summary {
        text.push('\n');
        text.push_str(&to_plain_text(summary, WIDTH));
    }
    if !meta.messages.is_empty() {
        text.push_str("\nWhat you may see:\n");
        for message in &meta.messages {
            text.push_str(&format!("    {message}\n"));
        }
    }
    let body = to_plain_text(article.source.body(), WIDTH);
    if !body.is_empty() {
        text.push('\n');
        text.push_str(&body);
    }
    if !article.related.is_empty() {
        text.push_str("\nRelated:\n");
        let names: Vec<String> = article
            .related
            .iter()
            .map(|id| lookup_name(site, &site.articles[*id]))
            .collect();
        let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
        for (name, id) in names.iter().zip(&article.related) {
            text.push_str(&format!(
                "    {name:width$}  {}\n",
                site.articles[*id].meta.title
            ));
        }
    }
    if site.config.base_url.origin.is_some() {
        text.push_str(&format!(
            "\nOnline: {}\n",
            site.config.base_url.absolute(article.url.as_str())
        ));
    }
    text
}

/// What to type after `kb explain` to reach `article`: its code, or `catalog/code` when the code
/// alone is ambiguous.
fn lookup_name(site: &Site, article: &Article) -> String {
    let code = article.meta.code.as_str();
    let unique = site
        .codes
        .unique(code)
        .is_some_and(|id| std::ptr::eq(&site.articles[id], article));
    if unique || article.catalog.is_empty() {
        code.to_string()
    } else {
        format!("{}/{code}", article.catalog)
    }
}

/// Up to eight of the site's codes around `code` in natural order.
fn nearest(site: &Site, code: &str) -> String {
    const SHOWN: usize = 8;
    let code = code.rsplit('/').next().unwrap_or(code);
    let mut names: Vec<String> = site.articles.iter().map(|a| lookup_name(site, a)).collect();
    let key = |name: &String| name.rsplit('/').next().unwrap_or(name).to_string();
    names.sort_by(|a, b| natural_cmp(&key(a), &key(b)));
    names.dedup();
    if names.is_empty() {
        return "none (the content folder has no articles)".into();
    }
    let position = names.partition_point(|n| natural_cmp(&key(n), code).is_lt());
    let start = position
        .saturating_sub(SHOWN / 2)
        .min(names.len().saturating_sub(SHOWN));
    let shown = &names[start..(start + SHOWN).min(names.len())];
    let mut text = shown.join(", ");
    if start > 0 {
        text = format!("…, {text}");
    }
    if start + SHOWN < names.len() {
        text.push_str(", …");
    }
    text
}
