//! What follows the pages of a site, as [`render::stream_site`] makes it (the search page and
//! index files, static files, short-address redirect pages, sitemap, feed, catalog and redirect
//! rules), with what did not change kept from the last build:
//!
//! - the static files, until a file under `static/` changes;
//! - the publishing outputs, while no front matter, no page address that could take a short
//!   address and nothing site-wide changed; otherwise each redirect page is kept while its
//!   article shows the same (code, title, summary, address), and while nothing but what the
//!   feed and the catalog show changed (a title, a summary), the short addresses and the other
//!   files are kept and only those two are made again; in the catalog, only the entries of
//!   the edited articles are written again.
//!
//! The outputs come in the order `stream_site` gives them, each with whether it is the very
//! output of the last build (so publishing to the server compares only the others).

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::rebuild::hash_of;
use crate::diagnostic::Diagnostic;
use crate::output::{Content, Output};
use crate::paths::UrlPath;
use crate::publish::{self, Taken};
use crate::redirects::{self, ShortUrl};
use crate::site::Site;
use crate::templates::Templates;

type PageResult = std::result::Result<Output, Diagnostic>;

/// Outputs, each with its slot and whether it was kept, and the problems found.
type Made = (Vec<Output>, Vec<Slot>, Vec<bool>, Vec<Diagnostic>);

/// What each output of the last finish was, to put it back in its cache.
#[derive(Debug, Clone)]
enum Slot {
    Search,
    Asset,
    /// A redirect page, with the fingerprint of what it shows.
    Redirect(RedirectKey, u64),
    File,
}

/// A short-address redirect page: its address and the article's source.
type RedirectKey = (UrlPath, PathBuf);

/// The caches of everything after the pages. The outputs of the last finish are lent to the
/// build; [`Finisher::take_back`] puts them back before the next one.
#[derive(Default)]
pub struct Finisher {
    /// The static files of the last build and the problems found reading them.
    assets: Option<Vec<Output>>,
    asset_problems: Vec<Diagnostic>,
    /// Redirect pages of the last build in order, with the fingerprint of what they show.
    redirects: Vec<(RedirectKey, u64, Output)>,
    /// The site-wide fingerprint of the last build.
    global: Option<u64>,
    /// What the publishing outputs of the last build were made from, when they were all made.
    published: Option<Published>,
    /// The publishing files of the last build.
    files: Vec<Output>,
    /// The kind of each output of the last finish, in order.
    slots: Vec<Slot>,
    /// The short addresses of the last build, with the fingerprint of everything they, the
    /// sitemap, `robots.txt`, the schema and the redirect rules are made from.
    short: Option<(u64, Vec<ShortUrl>)>,
    /// Where each article's entry is in the last build's `catalog.json`, by article id.
    catalog_entries: Option<Vec<Range<usize>>>,
    /// Each article's part of the structure fingerprint (see [`structure_print`]), by id.
    structure: Vec<u64>,
    /// The feed's order of the articles ([`crate::feed::recent`]) when the feed was last made
    /// with it.
    feed_order: Option<Vec<usize>>,
}

struct Published {
    print: u64,
    /// The redirect pages' keys, in order.
    redirects: Vec<RedirectKey>,
    problems: Vec<Diagnostic>,
}

/// What a finish needs to know beyond the site.
pub struct Inputs<'a> {
    pub site: &'a Site,
    pub templates: &'a Templates,
    pub static_dir: &'a Path,
    /// What every page sees (templates, configuration, site context).
    pub global: u64,
    /// Everything the listing pages are made from: every article's and category's front
    /// matter, link and place, and `global` (see `fingerprint::listings`).
    pub listings: u64,
    /// Whether static files may have changed since the last build.
    pub statics_changed: bool,
    /// When known, the only articles that may have changed since the last build, the site
    /// being the same but for their front matter and bodies.
    pub edited: Option<&'a [usize]>,
}

impl Finisher {
    /// Takes back the outputs of the last finish (the tail of the last build's outputs).
    pub fn take_back(&mut self, outputs: Vec<Output>) {
        let slots = std::mem::take(&mut self.slots);
        if slots.is_empty() || slots.len() != outputs.len() {
            *self = Finisher::default();
            return;
        }
        let mut assets = Vec::new();
        for (slot, output) in slots.into_iter().zip(outputs) {
            match slot {
                Slot::Search => {}
                Slot::Asset => assets.push(output),
                Slot::Redirect(key, print) => self.redirects.push((key, print, output)),
                Slot::File => self.files.push(output),
            }
        }
        self.assets = Some(assets);
    }

    /// Everything after the pages (`results`: the pages, then the listing pages), in the
    /// order of [`crate::render::stream_site`], with the problems found. `kept` gets, for each
    /// output after those of `results`, whether it is the very output of the last build.
    pub fn finish(
        &mut self,
        inputs: &Inputs,
        mut results: Vec<PageResult>,
        search: (Vec<Output>, Vec<bool>),
        kept: &mut Vec<bool>,
    ) -> (Vec<Output>, Vec<Diagnostic>) {
        let (index_files, index_kept) = search;
        let page = crate::search::page_output(inputs.site, inputs.templates);
        let page_ok = usize::from(page.is_ok());
        let search_ok = page_ok + index_files.len();
        results.push(page);
        results.extend(index_files.into_iter().map(Ok));
        let mut outputs = Vec::with_capacity(results.len());
        let mut problems = Vec::new();
        for result in results {
            match result {
                Ok(output) => outputs.push(output),
                Err(problem) => problems.push(problem),
            }
        }
        // A template error repeats on every page; once is enough.
        problems.dedup_by(|a, b| a.message == b.message && a.location == b.location);
        let mut slots: Vec<Slot> = vec![Slot::Search; search_ok];
        kept.extend(std::iter::repeat_n(false, page_ok));
        kept.extend(index_kept);
        let (assets, assets_kept) = self.assets(inputs);
        slots.extend(std::iter::repeat_n(Slot::Asset, assets.len()));
        kept.extend(std::iter::repeat_n(assets_kept, assets.len()));
        outputs.extend(assets);
        problems.extend(self.asset_problems.iter().cloned());
        let (published, published_slots, published_kept, mut publish_problems) =
            self.publish(inputs, &outputs);
        slots.extend(published_slots);
        kept.extend(published_kept);
        outputs.extend(published);
        problems.append(&mut publish_problems);
        self.slots = slots;
        (outputs, problems)
    }

    /// The static files: those of the last build unless `static/` changed.
    fn assets(&mut self, inputs: &Inputs) -> (Vec<Output>, bool) {
        if let Some(assets) = self.assets.take() {
            if !inputs.statics_changed {
                return (assets, true);
            }
        }
        let (outputs, problems) = crate::assets::collect(inputs.static_dir);
        self.asset_problems = problems;
        (outputs, false)
    }

    /// The short-address pages and publishing files, each with its slot and whether it was kept.
    fn publish(&mut self, inputs: &Inputs, existing: &[Output]) -> Made {
        let Inputs {
            site, templates, ..
        } = *inputs;
        // Which addresses are free depends only on the outputs near the top.
        let near_top: Vec<&UrlPath> = existing
            .iter()
            .map(|o| &o.url)
            .filter(|url| publish::may_take_publishing_address(url))
            .collect();
        let print = hash_of((inputs.listings, &near_top));
        let same_global = self.global.replace(inputs.global) == Some(inputs.global);
        let mut old = std::mem::take(&mut self.redirects);
        let mut files = std::mem::take(&mut self.files);
        let last_short = self.short.take();
        if let Some(published) = self.published.take() {
            if published.print == print {
                if let Some(reused) = reuse(&published, &mut old, &mut files) {
                    self.published = Some(published);
                    self.short = last_short;
                    return reused;
                }
                files.clear();
            }
        }
        let structure = structure_print(inputs, &near_top, &mut self.structure);
        let mut taken = Taken::of_urls(near_top.into_iter());
        // Nothing but titles, summaries and such changed: the short addresses and all the
        // files but the feed and the catalog are those of the last build.
        let kept_files = match last_short {
            Some((last, short)) if last == structure && !files.is_empty() => {
                for short_url in &short {
                    taken.insert(&short_url.url);
                }
                Some((short, files))
            }
            _ => None,
        };
        let (short, kept_files) = match kept_files {
            Some((short, files)) => (short, Some(files)),
            None => (redirects::short_urls(site, &mut taken), None),
        };
        // The same short addresses, each with its page of the last build, in order: the page
        // of an article that was not edited is the same.
        let in_place = kept_files.is_some() && old.len() == short.len() && same_global;
        let unchanged = |article: usize| {
            in_place
                && inputs
                    .edited
                    .is_some_and(|edited| !edited.contains(&article))
        };
        let mut by_key: HashMap<RedirectKey, (u64, Output)> = HashMap::new();
        let mut in_order: Vec<Option<(RedirectKey, u64, Output)>> = Vec::new();
        if in_place {
            in_order = old.into_iter().map(Some).collect();
        } else {
            by_key = old
                .into_iter()
                .map(|(key, print, page)| (key, (print, page)))
                .collect();
        }
        let mut pages: Vec<(RedirectKey, u64, Option<PageResult>)> = short
            .iter()
            .enumerate()
            .map(|(place, short_url)| {
                let last = in_order.get_mut(place).and_then(Option::take);
                if let Some((key, print, page)) = last.filter(|_| unchanged(short_url.article)) {
                    return (key, print, Some(Ok(page)));
                }
                let article = &site.articles[short_url.article];
                let key = (short_url.url.clone(), article.source.path.as_path().into());
                let print = hash_of((
                    inputs.global,
                    article.meta.code.as_str(),
                    &article.meta.title,
                    &article.meta.summary,
                    &article.url,
                ));
                let page = match by_key.remove(&key) {
                    Some((p, page)) if p == print => Some(Ok(page)),
                    _ => None,
                };
                (key, print, page)
            })
            .collect();
        let mut kept: Vec<bool> = pages.iter().map(|(_, _, page)| page.is_some()).collect();
        let (_, files) = rayon::join(
            || {
                pages
                    .par_iter_mut()
                    .zip(&short)
                    .filter(|((_, _, page), _)| page.is_none())
                    .for_each(|((_, _, page), short_url)| {
                        let article = &site.articles[short_url.article];
                        *page = Some(crate::render::redirect_page(
                            site,
                            templates,
                            article,
                            &short_url.url,
                        ));
                    });
            },
            || match kept_files {
                Some(files) => remake_titled(
                    site,
                    &short,
                    files,
                    inputs.edited,
                    &mut self.catalog_entries,
                    &mut self.feed_order,
                ),
                None => {
                    self.feed_order = None;
                    let entries = &mut self.catalog_entries;
                    let files = publish::files_with(site, &short, || {
                        let (catalog, kept) = crate::catalog::json_with_entries(site, &short);
                        *entries = Some(kept);
                        catalog
                    });
                    let count = files.len();
                    (files, vec![false; count])
                }
            },
        );
        let (files, files_kept) = files;
        let mut outputs = Vec::with_capacity(pages.len() + files.len());
        let mut slots = Vec::with_capacity(pages.len() + files.len());
        let mut problems = Vec::new();
        let mut keys = Vec::with_capacity(pages.len());
        let mut kept_pages = Vec::with_capacity(pages.len());
        for ((key, print, page), kept) in pages.into_iter().zip(kept.drain(..)) {
            match page {
                Some(Ok(page)) => {
                    outputs.push(page);
                    kept_pages.push(kept);
                    keys.push(key.clone());
                    slots.push(Slot::Redirect(key, print));
                }
                Some(Err(problem)) => problems.push(problem),
                None => {}
            }
        }
        // A template error repeats on every redirect page; once is enough.
        problems.dedup_by(|a, b| a.message == b.message && a.location == b.location);
        let all_ok = keys.len() == short.len();
        let (files, files_kept): (Vec<Output>, Vec<bool>) = files
            .into_iter()
            .zip(files_kept)
            .filter(|(f, _)| taken.is_free(&f.url))
            .unzip();
        slots.extend(std::iter::repeat_n(Slot::File, files.len()));
        kept_pages.extend(files_kept);
        outputs.extend(files);
        if all_ok {
            self.published = Some(Published {
                print,
                redirects: keys,
                problems: problems.clone(),
            });
        }
        self.short = Some((structure, short));
        (outputs, slots, kept_pages, problems)
    }
}

/// Everything the short addresses, sitemap, `robots.txt`, schema and redirect rules are made
/// from: the site-wide context, the outputs that may take a publishing address, each article's
/// address, catalog, code, date, aliases and category, each category's address and parent, and
/// each tag's address and articles. The feed and the catalog read more (titles, summaries).
/// `articles` holds each article's part, kept between builds: with `inputs.edited`, only the
/// parts of those articles are hashed again.
fn structure_print(inputs: &Inputs, near_top: &[&UrlPath], articles: &mut Vec<u64>) -> u64 {
    use std::hash::{Hash, Hasher};
    let site = inputs.site;
    let part = |article: &crate::site::Article| {
        hash_of((
            &article.url,
            &article.catalog,
            article.meta.code.as_str(),
            article.meta.updated.as_ref().map(|d| d.as_str()),
            &article.meta.aliases,
            article.category,
        ))
    };
    match inputs.edited {
        Some(edited) if articles.len() == site.articles.len() => {
            for id in edited {
                if let (Some(kept), Some(article)) = (articles.get_mut(*id), site.articles.get(*id))
                {
                    *kept = part(article);
                }
            }
        }
        _ => *articles = site.articles.par_iter().map(part).collect(),
    }
    let mut hasher = std::hash::DefaultHasher::new();
    (inputs.global, near_top).hash(&mut hasher);
    articles.hash(&mut hasher);
    site.categories.len().hash(&mut hasher);
    for category in &site.categories {
        (&category.url, category.parent).hash(&mut hasher);
    }
    site.tags.len().hash(&mut hasher);
    for (slug, tag) in &site.tags {
        (slug, &tag.url, &tag.articles).hash(&mut hasher);
    }
    hasher.finish()
}

/// The publishing files of the last build (after those a site's own file takes the place of
/// were left out) with the feed and the catalog made again, each with whether it was kept.
/// With `edited` (the only articles that may have changed) only their catalog entries are
/// written again, the others copied from the last catalog (`entries` says where they are).
fn remake_titled(
    site: &Site,
    short: &[ShortUrl],
    mut files: Vec<Output>,
    edited: Option<&[usize]>,
    entries: &mut Option<Vec<Range<usize>>>,
    feed_order: &mut Option<Vec<usize>>,
) -> (Vec<Output>, Vec<bool>) {
    let is_catalog = |file: &Output| match file.url.segments() {
        [name] => !file.url.is_folder() && name.as_str() == crate::catalog::CATALOG_FILE,
        _ => false,
    };
    // The last catalog's text, made again in place.
    let last = files
        .iter_mut()
        .find(|f| is_catalog(f))
        .and_then(|f| match &mut f.content {
            Content::Text(text) => Some(std::mem::take(text)),
            _ => None,
        });
    let (feed, catalog) = rayon::join(
        || {
            let order = match (edited, feed_order.take()) {
                (Some(edited), Some(order)) => crate::feed::recent_again(site, order, edited),
                _ => crate::feed::recent(site),
            };
            let feed = crate::feed::atom_of(site, &order);
            *feed_order = Some(order);
            feed
        },
        || {
            let replaced =
                last.zip(edited)
                    .zip(entries.as_mut())
                    .and_then(|((last, edited), kept)| {
                        crate::catalog::json_replacing(site, short, last, kept, edited)
                    });
            replaced.unwrap_or_else(|| {
                let (catalog, kept) = crate::catalog::json_with_entries(site, short);
                *entries = Some(kept);
                catalog
            })
        },
    );
    let (mut feed, mut catalog) = (Some(feed), Some(catalog));
    files
        .into_iter()
        .map(|file| {
            let new = if feed.as_ref().is_some_and(|f| f.url == file.url) {
                feed.take()
            } else if catalog.as_ref().is_some_and(|c| c.url == file.url) {
                catalog.take()
            } else {
                None
            };
            match new {
                Some(new) => (new, false),
                None => (file, true),
            }
        })
        .unzip()
}

/// The publishing outputs of the last build, all kept; `None` if any is missing.
fn reuse(
    published: &Published,
    pages: &mut Vec<(RedirectKey, u64, Output)>,
    files: &mut Vec<Output>,
) -> Option<Made> {
    let same = pages.len() == published.redirects.len()
        && pages
            .iter()
            .zip(&published.redirects)
            .all(|((key, _, _), published)| key == published);
    if !same {
        return None;
    }
    let mut outputs = Vec::with_capacity(pages.len() + files.len());
    let mut slots = Vec::with_capacity(outputs.capacity());
    for (key, print, page) in pages.drain(..) {
        outputs.push(page);
        slots.push(Slot::Redirect(key, print));
    }
    slots.extend(std::iter::repeat_n(Slot::File, files.len()));
    outputs.append(files);
    let kept = vec![true; outputs.len()];
    Some((outputs, slots, kept, published.problems.clone()))
}
