//! Addresses that keep working: a short address `/<code>/` for every code only one catalog has
//! (`/401/`, `/e0308/`), and host-native redirect rules for those and for every alias.
//!
//! Both kinds are written twice. The HTML redirect page (meta refresh, `rel=canonical`,
//! `noindex`) works on any static host; the `_redirects` file, read by Netlify and Cloudflare
//! Pages, turns the same addresses into real `301` responses. Every target is one of the site's
//! own pages, written as a path so that preview deploys redirect to themselves.
//!
//! A short address never replaces anything: when `/<code>/` is already a category, a page, an
//! alias or a static file, that code simply gets no short address. (Aliases are written by
//! authors, so an alias that collides stays an error, reported with the other collisions.)

use rayon::prelude::*;

use crate::output::Output;
use crate::paths::{Segment, UrlPath};
use crate::publish::{Taken, link_uri, text_file};
use crate::site::{ArticleId, Site};

/// The file name Netlify and Cloudflare Pages read their redirect rules from.
pub const RULES_FILE: &str = "_redirects";

/// A short address and the article it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortUrl {
    pub url: UrlPath,
    pub article: ArticleId,
}

/// The short address of every code that is unique site-wide and whose address is still free,
/// in natural code order. Each one is marked as taken.
pub fn short_urls(site: &Site, taken: &mut Taken) -> Vec<ShortUrl> {
    let mut ids: Vec<ArticleId> = (0..site.articles.len()).collect();
    ids.sort_by_key(|id| site.code_ranks[*id]);
    // Each address is made on all cores (`kb build` waits for this); taking them, in code
    // order, is one at a time, as two codes may have the same address.
    let wanted: Vec<ShortUrl> = ids
        .par_iter()
        .with_min_len(256)
        .filter_map(|id| {
            let code = &site.articles[*id].meta.code;
            if site.codes.unique(code.as_str()) != Some(*id) {
                return None;
            }
            let segment = Segment::new(&code.slug()).ok()?;
            let url = UrlPath::folder(vec![segment]);
            Some(ShortUrl { url, article: *id })
        })
        .collect();
    let mut short = Vec::with_capacity(wanted.len());
    for short_url in wanted {
        if taken.is_free(&short_url.url) {
            taken.insert(&short_url.url);
            short.push(short_url);
        }
    }
    short
}

/// `_redirects`: a `301` rule for every alias and short address, or nothing when there are none.
pub fn rules(site: &Site, short: &[ShortUrl]) -> Option<Output> {
    let base = &site.config.base_url;
    let mut text = String::from(
        "# Redirect rules for Netlify and Cloudflare Pages, made by kb: every alias and every short\n\
         # address (/<code>/) to its article. The same addresses also hold HTML redirect pages.\n",
    );
    let heading = text.len();
    let mut rule = |from: &UrlPath, to: &str| {
        text.push_str(&link_uri(base, from.as_str()));
        text.push(' ');
        text.push_str(to);
        text.push_str(" 301\n");
    };
    for article in site.articles.iter().filter(|a| !a.meta.aliases.is_empty()) {
        let target = link_uri(base, article.url.as_str());
        for alias in &article.meta.aliases {
            rule(alias, &target);
        }
    }
    for short_url in short {
        let target = &site.articles[short_url.article].url;
        rule(&short_url.url, &link_uri(base, target.as_str()));
    }
    if text.len() == heading {
        return None;
    }
    Some(text_file(RULES_FILE, text, "the redirect rules"))
}
