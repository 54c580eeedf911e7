//! `sitemap.xml` (the [sitemaps.org](https://www.sitemaps.org/protocol.html) protocol) and the
//! `robots.txt` that points crawlers to it.
//!
//! The sitemap lists the pages worth finding: home, categories, articles, the all-codes index
//! and the tag pages; not the 404 page or redirects. An article's `<lastmod>` is its `updated`
//! date, a category's the newest date below it. Past 50,000 addresses (the protocol's limit for
//! one file) the addresses go into `sitemap-1.xml`, `sitemap-2.xml`, … and `sitemap.xml`
//! becomes their index.
//!
//! Crawlers want absolute addresses; they are absolute when `base_url` has an origin
//! (`https://example.com/help/`) and root-relative otherwise.

use crate::frontmatter::Date;
use crate::output::Output;
use crate::publish::{absolute_uri, escape_xml, text_file};
use crate::site::{HOME, Site};

pub const SITEMAP_FILE: &str = "sitemap.xml";
/// The most addresses one sitemap file may hold.
const MAX_URLS: usize = 50_000;
const XMLNS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// One `<url>` of the sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// The page's path on the site, `/http/4xx/401/`.
    path: String,
    lastmod: Option<Date>,
}

/// `sitemap.xml`, and the numbered parts it indexes on very large sites.
pub fn sitemaps(site: &Site) -> Vec<Output> {
    let entries = entries(site);
    if entries.len() <= MAX_URLS {
        return vec![text_file(
            SITEMAP_FILE,
            urlset(site, &entries),
            "the sitemap",
        )];
    }
    let mut outputs = Vec::new();
    let mut index =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"{XMLNS}\">\n");
    for (i, part) in entries.chunks(MAX_URLS).enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        index.push_str(&format!(
            "<sitemap><loc>{}</loc>",
            escape_xml(&absolute_uri(&site.config.base_url, &name))
        ));
        if let Some(date) = part.iter().filter_map(|e| e.lastmod.as_ref()).max() {
            index.push_str(&format!("<lastmod>{}</lastmod>", date.as_str()));
        }
        index.push_str("</sitemap>\n");
        outputs.push(text_file(&name, urlset(site, part), "the sitemap"));
    }
    index.push_str("</sitemapindex>\n");
    outputs.push(text_file(SITEMAP_FILE, index, "the sitemap"));
    outputs
}

/// `robots.txt`: everything may be crawled, and this is where the sitemap is.
pub fn robots(site: &Site) -> Output {
    let base = &site.config.base_url;
    let mut text = String::from("User-agent: *\nAllow: /\n\n");
    if base.origin.is_none() {
        text.push_str(
            "# Crawlers need an absolute address here: set `base_url` in kb.yaml to the address the\n\
             # site is published at (https://...) and build again.\n",
        );
    }
    text.push_str(&format!("Sitemap: {}\n", absolute_uri(base, SITEMAP_FILE)));
    text_file("robots.txt", text, "robots.txt")
}

fn urlset(site: &Site, entries: &[Entry]) -> String {
    let mut xml =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"{XMLNS}\">\n");
    for entry in entries {
        let loc = absolute_uri(&site.config.base_url, &entry.path);
        xml.push_str(&format!("<url><loc>{}</loc>", escape_xml(&loc)));
        if let Some(date) = &entry.lastmod {
            xml.push_str(&format!("<lastmod>{}</lastmod>", date.as_str()));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// Every listed page: home and categories in tree order, articles in code order, then the
/// all-codes index and the tags.
fn entries(site: &Site) -> Vec<Entry> {
    let newest = newest_below(site);
    let mut entries: Vec<Entry> = site
        .categories
        .iter()
        .zip(&newest)
        .map(|(category, date)| Entry {
            path: category.url.to_string(),
            lastmod: date.clone(),
        })
        .collect();
    let articles = site
        .ids_by_catalog_and_code()
        .into_iter()
        .map(|id| &site.articles[id]);
    entries.extend(articles.map(|a| Entry {
        path: a.url.to_string(),
        lastmod: a.meta.updated.clone(),
    }));
    entries.push(Entry {
        path: "/codes/".into(),
        lastmod: newest[HOME].clone(),
    });
    if !site.tags.is_empty() {
        entries.push(Entry {
            path: "/tags/".into(),
            lastmod: None,
        });
    }
    for tag in site.tags.values() {
        let lastmod = tag
            .articles
            .iter()
            .filter_map(|a| site.articles[*a].meta.updated.clone())
            .max();
        entries.push(Entry {
            path: tag.url.to_string(),
            lastmod,
        });
    }
    entries
}

/// For every category, the newest `updated` date of the articles in and below it.
fn newest_below(site: &Site) -> Vec<Option<Date>> {
    let mut newest: Vec<Option<Date>> = vec![None; site.categories.len()];
    for article in &site.articles {
        let Some(date) = &article.meta.updated else {
            continue;
        };
        for category in site.ancestry(article.category) {
            if newest[category].as_ref().is_none_or(|d| d < date) {
                newest[category] = Some(date.clone());
            }
        }
    }
    newest
}
