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
use crate::publish::{absolute_uri, escape_xml, push_uri_xml, text_file};
use crate::site::{HOME, Site};

pub const SITEMAP_FILE: &str = "sitemap.xml";
/// The most addresses one sitemap file may hold.
const MAX_URLS: usize = 50_000;
const XMLNS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// One `<url>` of the sitemap, borrowed from the site: a big site's sitemap lists every
/// article.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry<'a> {
    /// The page's path on the site, `/http/4xx/401/`.
    path: &'a str,
    lastmod: Option<&'a Date>,
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
        if let Some(date) = part.iter().filter_map(|e| e.lastmod).max() {
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
    const HEAD: &str = "<url><loc></loc><lastmod>YYYY-MM-DD</lastmod></url>\n";
    let mut xml =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"{XMLNS}\">\n");
    // Each address is the base's (escaped once) and the path's: one string made at its size
    // rather than a few for every address.
    let base = escape_xml(&absolute_uri(&site.config.base_url, ""));
    let paths: usize = entries.iter().map(|entry| entry.path.len()).sum();
    xml.reserve(entries.len() * (HEAD.len() + base.len()) + paths + "</urlset>\n".len());
    for entry in entries {
        xml.push_str("<url><loc>");
        xml.push_str(&base);
        push_uri_xml(&mut xml, entry.path.trim_start_matches('/'));
        xml.push_str("</loc>");
        if let Some(date) = entry.lastmod {
            xml.push_str("<lastmod>");
            xml.push_str(date.as_str());
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// Every listed page: home and categories in tree order, articles in code order, then the
/// all-codes index and the tags.
fn entries(site: &Site) -> Vec<Entry<'_>> {
    let newest = newest_below(site);
    let mut entries: Vec<Entry> =
        Vec::with_capacity(site.categories.len() + site.articles.len() + 2 + site.tags.len());
    entries.extend(
        site.categories
            .iter()
            .zip(&newest)
            .map(|(category, date)| Entry {
                path: category.url.as_str(),
                lastmod: *date,
            }),
    );
    let articles = site
        .ids_by_catalog_and_code()
        .into_iter()
        .map(|id| &site.articles[id]);
    entries.extend(articles.map(|a| Entry {
        path: a.url.as_str(),
        lastmod: a.meta.updated.as_ref(),
    }));
    entries.push(Entry {
        path: "/codes/",
        lastmod: newest[HOME],
    });
    if !site.tags.is_empty() {
        entries.push(Entry {
            path: "/tags/",
            lastmod: None,
        });
    }
    for tag in site.tags.values() {
        let lastmod = tag
            .articles
            .iter()
            .filter_map(|a| site.articles[*a].meta.updated.as_ref())
            .max();
        entries.push(Entry {
            path: tag.url.as_str(),
            lastmod,
        });
    }
    entries
}

/// For every category, the newest `updated` date of the articles in and below it.
fn newest_below(site: &Site) -> Vec<Option<&Date>> {
    let mut newest: Vec<Option<&Date>> = vec![None; site.categories.len()];
    for article in &site.articles {
        let Some(date) = &article.meta.updated else {
            continue;
        };
        // Up from the article's category while the date is newer: a category's newest date is
        // never older than that of a category below it.
        let mut category = Some(article.category);
        while let Some(id) = category {
            if newest[id].is_some_and(|d| d >= date) {
                break;
            }
            newest[id] = Some(date);
            category = site.categories[id].parent;
        }
    }
    newest
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The newest date below each category, found going up only while the date is newer, is
    /// that of every article's whole ancestry.
    #[test]
    fn the_newest_date_below_is_the_newest_of_every_ancestry() {
        let mut site = crate::site::fixture("catalogs");
        assert!(
            site.categories.len() > 3,
            "{} categories",
            site.categories.len()
        );
        let dates = [
            None,
            Some("2020-01-01"),
            Some("2024-06-01"),
            Some("2024-06-02"),
        ];
        let mut next = crate::test_random::numbers(0x51e3_a9b1);
        for _ in 0..300 {
            for article in &mut site.articles {
                article.meta.updated = dates[next(dates.len())].and_then(Date::parse);
            }
            let mut plain: Vec<Option<&Date>> = vec![None; site.categories.len()];
            for article in &site.articles {
                for category in site.ancestry(article.category) {
                    plain[category] = plain[category].max(article.meta.updated.as_ref());
                }
            }
            assert_eq!(newest_below(&site), plain);
        }
    }
}
