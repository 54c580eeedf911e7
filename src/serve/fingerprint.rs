//! Fingerprints of what each article and category page is rendered from, so that `kb serve`
//! renders again only the pages whose inputs changed.
//!
//! A fingerprint hashes every input of the page's template view in `render` (the page's own
//! source and body, the links to the articles and categories it shows, its tags, and the
//! site-wide context). What another page shows of an article is hashed from the very
//! [`views::article_link`] value the page gets, so a new field there is covered by itself; a new
//! input of a page view must be added here (the incremental-equality test finds a miss).

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::markdown::{PageRef, RenderedMarkdown};
use crate::paths::Segment;
use crate::render::{self, Listing, PageId};
use crate::site::{ArticleId, CategoryId, HOME, Site};
use crate::views;

/// Hashes for every page of one build.
pub struct Fingerprints<'a> {
    site: &'a Site,
    global: u64,
    text_hashes: &'a super::sources::HashMap<PathBuf, u64>,
    bodies: &'a (dyn Fn(PageRef) -> u64 + Sync),
    links: &'a Links,
}

/// What other pages show of each article, category and tag, hashed; the same while no front
/// matter changes.
pub struct Links {
    articles: Vec<u64>,
    categories: Vec<u64>,
    tags: BTreeMap<Segment, u64>,
    /// Each article's part of [`listings`], once made.
    listed: Vec<u64>,
}

impl Links {
    pub fn new(site: &Site) -> Links {
        let articles = site
            .articles
            .par_iter()
            .map(|a| serialized(&views::article_link(site, a)))
            .collect();
        let categories = site
            .categories
            .iter()
            .map(|c| serialized(&views::category_link(site, c)))
            .collect();
        let tags = site
            .tags
            .iter()
            .map(|(slug, tag)| {
                let url = site.config.base_url.link(tag.url.as_str());
                (slug.clone(), hash((&tag.name, url, tag.articles.len())))
            })
            .collect();
        Links {
            articles,
            categories,
            tags,
            listed: Vec::new(),
        }
    }
}

impl Links {
    /// Hashes again what other pages show of these articles, whose front matter changed.
    pub fn update(&mut self, site: &Site, articles: &[ArticleId]) {
        for id in articles {
            if let (Some(hash), Some(article)) =
                (self.articles.get_mut(*id), site.articles.get(*id))
            {
                *hash = serialized(&views::article_link(site, article));
            }
        }
    }

    /// Everything a listing page is made from (see [`render::render_listing`]): the all-codes
    /// page shows every article's link under its catalog, the tag index every tag, a tag page
    /// its articles' links, and an alias page its article's link and where the alias is
    /// written (`front_hash` of its source). `global` covers the site-wide context.
    pub fn listing(
        &self,
        site: &Site,
        global: u64,
        listing: &Listing,
        front_hash: &(dyn Fn(&std::path::Path) -> Option<u64> + Sync),
    ) -> u64 {
        let mut hasher = DefaultHasher::new();
        global.hash(&mut hasher);
        match listing {
            Listing::Codes => {
                0u8.hash(&mut hasher);
                self.articles.hash(&mut hasher);
                for article in &site.articles {
                    article.category.hash(&mut hasher);
                }
                self.categories.hash(&mut hasher);
                for category in &site.categories {
                    (category.parent, &category.children).hash(&mut hasher);
                }
            }
            Listing::Tags => (1u8, &self.tags).hash(&mut hasher),
            Listing::Tag(slug) => {
                (2u8, slug, self.tags.get(slug)).hash(&mut hasher);
                if let Some(tag) = site.tags.get(slug) {
                    self.articles_of(&tag.articles, &mut hasher);
                }
            }
            Listing::NotFound => 3u8.hash(&mut hasher),
            Listing::Alias(id, n) => {
                4u8.hash(&mut hasher);
                if let Some(article) = site.articles.get(*id) {
                    let path = article.source.path.as_path();
                    (self.articles[*id], path, front_hash(path)).hash(&mut hasher);
                    (n, article.meta.aliases.get(*n)).hash(&mut hasher);
                }
            }
        }
        hasher.finish()
    }

    fn articles_of(&self, ids: &[ArticleId], hasher: &mut DefaultHasher) {
        ids.len().hash(hasher);
        for id in ids {
            self.articles[*id].hash(hasher);
        }
    }
}

impl<'a> Fingerprints<'a> {
    /// `global` covers what every page sees (templates, site context); `bodies` gives the hash
    /// of a rendered body.
    /// `links` must be [`Links::new`] of this site.
    pub fn new(
        site: &'a Site,
        global: u64,
        text_hashes: &'a super::sources::HashMap<PathBuf, u64>,
        bodies: &'a (dyn Fn(PageRef) -> u64 + Sync),
        links: &'a Links,
    ) -> Fingerprints<'a> {
        Fingerprints {
            site,
            global,
            text_hashes,
            bodies,
            links,
        }
    }

    pub fn page(&self, page: PageId) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.global.hash(&mut hasher);
        match page {
            PageId::Article(id) => self.article(id, &mut hasher),
            PageId::Category(id) => self.category(id, &mut hasher),
        }
        hasher.finish()
    }

    /// What an article page shows of other articles (its related articles, those that list
    /// it, its neighbours in its category) is also what `rebuild::pages_showing` looks for:
    /// keep the two together.
    fn article(&self, id: ArticleId, hasher: &mut DefaultHasher) {
        let site = self.site;
        let article = &site.articles[id];
        let path = article.source.path.as_path();
        (0u8, path, self.text_hashes.get(path)).hash(hasher);
        (&article.url, &article.catalog).hash(hasher);
        (self.bodies)(PageRef::Article(id)).hash(hasher);
        self.categories_hash(&site.ancestry(article.category), hasher);
        self.articles_hash(&article.related, hasher);
        self.articles_hash(&article.referenced_by, hasher);
        self.articles_hash(&render::siblings(site, id), hasher);
        for tag in &article.tags {
            (&tag.name, &tag.slug, self.links.tags.get(&tag.slug)).hash(hasher);
        }
    }

    /// Of the articles, a category page shows only its own (see `rebuild::pages_showing`).
    fn category(&self, id: CategoryId, hasher: &mut DefaultHasher) {
        let site = self.site;
        let category = &site.categories[id];
        let path = category.source.as_ref().map(|s| s.path.as_path());
        (
            1u8,
            id == HOME,
            path,
            path.and_then(|p| self.text_hashes.get(p)),
        )
            .hash(hasher);
        (&category.title, &category.description, &category.url).hash(hasher);
        (category.total_articles, category.extra.to_string()).hash(hasher);
        (self.bodies)(PageRef::Category(id)).hash(hasher);
        self.categories_hash(&site.ancestry(id), hasher);
        self.categories_hash(&category.children, hasher);
        for child in &category.children {
            self.categories_hash(&site.categories[*child].children, hasher);
        }
        self.articles_hash(&category.articles, hasher);
    }

    fn articles_hash(&self, ids: &[ArticleId], hasher: &mut DefaultHasher) {
        self.links.articles_of(ids, hasher);
    }

    fn categories_hash(&self, ids: &[CategoryId], hasher: &mut DefaultHasher) {
        ids.len().hash(hasher);
        for id in ids {
            self.links.categories[*id].hash(hasher);
        }
    }
}

/// Everything the listing pages (all codes, tags, each tag, 404, alias redirects) are made
/// from, and what the publishing files read of front matter: every article's link, place,
/// tags and front matter, every category's link and place, and the site-wide context. Bodies
/// play no part. `links` must be [`Links::new`] of this site, updated for the `changed`
/// articles when only their front matter changed since it was last used here (then only
/// their parts are hashed again).
pub fn listings(
    site: &Site,
    global: u64,
    links: &mut Links,
    front_hash: &(dyn Fn(&std::path::Path) -> Option<u64> + Sync),
    changed: Option<&[ArticleId]>,
) -> u64 {
    let part = |(a, link): (&crate::site::Article, &u64)| {
        let path = a.source.path.as_path();
        hash((link, path, front_hash(path), a.category))
    };
    match changed {
        Some(changed) if links.listed.len() == site.articles.len() => {
            for id in changed {
                if let (Some(article), Some(link)) =
                    (site.articles.get(*id), links.articles.get(*id))
                {
                    links.listed[*id] = part((article, link));
                }
            }
        }
        _ => {
            links.listed = site
                .articles
                .par_iter()
                .zip(&links.articles)
                .map(part)
                .collect();
        }
    }
    let mut hasher = DefaultHasher::new();
    (global, &links.listed).hash(&mut hasher);
    for (category, link) in site.categories.iter().zip(&links.categories) {
        (link, category.parent).hash(&mut hasher);
        (&category.children, &category.articles).hash(&mut hasher);
    }
    for (slug, tag) in &site.tags {
        (slug, &tag.name, &tag.url, &tag.articles).hash(&mut hasher);
    }
    hasher.finish()
}

/// Where every article and category is published and what code it has: when this changes,
/// bodies that link into the site must be rendered again.
pub fn link_layout(site: &Site) -> u64 {
    let mut hasher = DefaultHasher::new();
    for article in &site.articles {
        let path = article.source.path.as_path();
        (
            path,
            &article.url,
            &article.catalog,
            article.meta.code.as_str(),
        )
            .hash(&mut hasher);
    }
    for category in &site.categories {
        (
            category.source.as_ref().map(|s| s.path.as_path()),
            &category.url,
        )
            .hash(&mut hasher);
    }
    hasher.finish()
}

/// A hash of everything in a rendered body.
pub fn body(body: &RenderedMarkdown) -> u64 {
    let mut writer = HashWriter(DefaultHasher::new());
    let _ = std::io::Write::write_fmt(&mut writer, format_args!("{body:?}"));
    writer.0.finish()
}

fn serialized(value: &impl serde::Serialize) -> u64 {
    let mut writer = HashWriter(DefaultHasher::new());
    let _ = serde_json::to_writer(&mut writer, value);
    writer.0.finish()
}

fn hash(value: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Feeds written bytes into a hasher, to hash a value's serialized form without keeping it.
struct HashWriter(DefaultHasher);

impl std::io::Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
