//! The machine-readable catalog: `catalog.json` lists every code with its title, summary,
//! messages, address, category path, related codes, tags and date, so that an application can
//! link its own error dialogs to the help site. Its JSON Schema is published beside it as
//! `catalog.schema.json` (the repository's `schemas/catalog.schema.json`).

use serde::Serialize;

use crate::code::natural_cmp;
use crate::output::Output;
use crate::publish::{absolute_uri, text_file};
use crate::redirects::ShortUrl;
use crate::site::{Article, HOME, Site};

pub const CATALOG_FILE: &str = "catalog.json";
pub const SCHEMA_FILE: &str = "catalog.schema.json";
/// The schema, as published.
pub const SCHEMA: &str = include_str!("../schemas/catalog.schema.json");

#[derive(Debug, Serialize)]
struct Catalog<'a> {
    #[serde(rename = "$schema")]
    schema: String,
    version: u32,
    site: SiteInfo<'a>,
    codes: Codes<'a>,
}

/// Every article's entry, made while it is written rather than all kept at once (at 100,000
/// articles the entries are hundreds of megabytes).
#[derive(Debug)]
struct Codes<'a> {
    site: &'a Site,
    /// Article ids in catalog order.
    ids: Vec<usize>,
    short_by_article: Vec<Option<String>>,
}

impl Serialize for Codes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.ids.iter().map(|id| {
            entry(
                self.site,
                &self.site.articles[*id],
                self.short_by_article[*id].as_deref(),
            )
        }))
    }
}

#[derive(Debug, Serialize)]
struct SiteInfo<'a> {
    title: &'a str,
    url: String,
    language: &'a str,
}

#[derive(Debug, Serialize)]
struct CodeEntry<'a> {
    code: &'a str,
    catalog: &'a str,
    title: &'a str,
    summary: Option<&'a str>,
    messages: &'a [String],
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_url: Option<&'a str>,
    category: Vec<CategoryStep<'a>>,
    related: Vec<Reference<'a>>,
    tags: Vec<&'a str>,
    updated: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct CategoryStep<'a> {
    title: &'a str,
    url: String,
}

#[derive(Debug, Serialize)]
struct Reference<'a> {
    code: &'a str,
    catalog: &'a str,
}

/// `catalog.json`.
pub fn json(site: &Site, short: &[ShortUrl]) -> Output {
    let base = &site.config.base_url;
    let mut short_by_article: Vec<Option<String>> = vec![None; site.articles.len()];
    for short_url in short {
        short_by_article[short_url.article] = Some(absolute_uri(base, &short_url.url.to_string()));
    }
    let mut ids: Vec<usize> = (0..site.articles.len()).collect();
    ids.sort_by(|a, b| {
        let (a, b) = (&site.articles[*a], &site.articles[*b]);
        a.catalog
            .cmp(&b.catalog)
            .then_with(|| natural_cmp(a.meta.code.as_str(), b.meta.code.as_str()))
    });
    let catalog = Catalog {
        schema: absolute_uri(base, SCHEMA_FILE),
        version: 1,
        site: SiteInfo {
            title: &site.config.title,
            url: absolute_uri(base, "/"),
            language: &site.config.language,
        },
        codes: Codes {
            site,
            ids,
            short_by_article,
        },
    };
    // Room for the whole text at once, so that it is never copied as it grows: the pages of
    // the room it does not use are never touched, so they cost no memory.
    let mut json = Vec::with_capacity(4096 * (site.articles.len() + 1));
    // Serializing plain structs of strings cannot fail; an empty object keeps this total.
    if serde_json::to_writer_pretty(&mut json, &catalog).is_err() {
        json = b"{}".to_vec();
    }
    json.push(b'\n');
    let text = String::from_utf8(json).unwrap_or_else(|_| "{}\n".into());
    text_file(CATALOG_FILE, text, "the catalog")
}

/// `catalog.schema.json`.
pub fn schema() -> Output {
    text_file(SCHEMA_FILE, SCHEMA.to_string(), "the catalog schema")
}

fn entry<'a>(site: &'a Site, article: &'a Article, short_url: Option<&'a str>) -> CodeEntry<'a> {
    let base = &site.config.base_url;
    let meta = &article.meta;
    CodeEntry {
        code: meta.code.as_str(),
        catalog: &article.catalog,
        title: &meta.title,
        summary: meta.summary.as_deref(),
        messages: &meta.messages,
        url: absolute_uri(base, &article.url.to_string()),
        short_url,
        category: site
            .ancestry(article.category)
            .into_iter()
            .filter(|id| *id != HOME)
            .map(|id| {
                let category = &site.categories[id];
                CategoryStep {
                    title: &category.title,
                    url: absolute_uri(base, &category.url.to_string()),
                }
            })
            .collect(),
        related: article
            .related
            .iter()
            .map(|id| {
                let other = &site.articles[*id];
                Reference {
                    code: other.meta.code.as_str(),
                    catalog: &other.catalog,
                }
            })
            .collect(),
        tags: article.tags.iter().map(|t| t.name.as_str()).collect(),
        updated: meta.updated.as_ref().map(|d| d.as_str()),
    }
}
