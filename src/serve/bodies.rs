//! Rendered Markdown bodies kept between builds: a body is rendered again only when its source
//! text changed, or when pages of the site moved (appeared, disappeared, changed address or
//! code) and the body links into the site by path or code.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::fingerprint;
use super::rebuild::hash_of;
use super::sources::Sources;
use crate::diagnostic::Diagnostic;
use crate::highlight::Highlighter;
use crate::markdown::PageRef;
use crate::render::{self, Bodies, RenderedBody};
use crate::site::Site;

/// Where a body came from, to know when it can be reused.
struct CachedBody {
    text_hash: u64,
    /// Whether the body links to other pages of the site (by path or code), so that its HTML
    /// depends on where those pages are.
    has_site_links: bool,
    problems: Vec<Diagnostic>,
    hash: u64,
}

impl CachedBody {
    /// What `body`, rendered from `source` with these `problems`, is remembered by.
    fn of(
        sources: &Sources,
        source: &crate::content::Source,
        body: &crate::markdown::RenderedMarkdown,
        problems: Vec<Diagnostic>,
    ) -> CachedBody {
        CachedBody {
            text_hash: sources
                .text_hash(source.path.as_path())
                .unwrap_or_else(|| hash_of(&source.text)),
            has_site_links: has_site_links(&source.text),
            problems,
            hash: fingerprint::body(body),
        }
    }
}

/// The bodies of the last build and what they were rendered from.
#[derive(Default)]
pub struct BodyCache {
    /// The bodies of the last build, by index of its site, and the source paths of those
    /// indexes.
    bodies: Option<Bodies>,
    article_sources: Vec<PathBuf>,
    category_sources: Vec<Option<PathBuf>>,
    cache: super::sources::HashMap<PathBuf, CachedBody>,
    /// The problems found in each body of the last build, by index.
    article_problems: Vec<Vec<Diagnostic>>,
    category_problems: Vec<Vec<Diagnostic>>,
    /// Where every article and category was, so that a move shows in the next build.
    link_layout: u64,
    /// Kept for its syntaxes, which take a while to load.
    highlighter: Highlighter,
}

impl BodyCache {
    /// Keeps the bodies of a build for the next one.
    pub fn keep(&mut self, bodies: Bodies) {
        self.bodies = Some(bodies);
    }

    /// Whether the site has the same articles and categories, in the same order, as the last.
    fn same_order(&self, site: &Site) -> bool {
        self.bodies.is_some()
            && self.article_sources.len() == site.articles.len()
            && self.category_sources.len() == site.categories.len()
            && site
                .articles
                .iter()
                .zip(&self.article_sources)
                .all(|(a, p)| a.source.path.as_path() == p)
            && site
                .categories
                .iter()
                .zip(&self.category_sources)
                .all(|(c, p)| c.source.as_ref().map(|s| s.path.as_path()) == p.as_deref())
    }

    /// The index of every article and category of the last build, by source path.
    fn old_indexes(&self) -> (HashMap<&Path, usize>, HashMap<&Path, usize>) {
        let articles = self
            .article_sources
            .iter()
            .enumerate()
            .map(|(id, p)| (p.as_path(), id))
            .collect();
        let categories = self
            .category_sources
            .iter()
            .enumerate()
            .filter_map(|(id, p)| Some((p.as_deref()?, id)))
            .collect();
        (articles, categories)
    }

    /// The hash of the body rendered from a source (0 if unknown).
    pub fn hash(&self, source: &Path) -> u64 {
        self.cache.get(source).map_or(0, |b| b.hash)
    }

    /// Renders the bodies that changed and takes the others from the last build.
    /// `same_site`: the linked site is the one of the last build (only bodies changed), so
    /// nothing moved and every index is its old index. `changed`, when known, are the only
    /// sources read again since the last build, which linked the site the same way.
    pub fn render(
        &mut self,
        site: &Site,
        sources: &Sources,
        same_site: bool,
        changed: Option<&[PathBuf]>,
        problems: &mut Vec<Diagnostic>,
    ) -> Bodies {
        let same_site = same_site && self.bodies.is_some() && self.link_layout != 0;
        if let Some(changed) = changed.filter(|_| same_site) {
            if let Some(bodies) = self.render_changed(site, sources, changed, problems) {
                return bodies;
            }
        }
        let moved = if same_site {
            false
        } else {
            let layout = fingerprint::link_layout(site);
            let moved = layout != self.link_layout;
            self.link_layout = layout;
            moved
        };
        // The same files in the same order (the usual edit): an index is its old index.
        let same_order = same_site || self.same_order(site);
        let mut old = self.bodies.take();
        let (old_articles, old_categories) = if same_order {
            (HashMap::new(), HashMap::new())
        } else {
            self.old_indexes()
        };
        let old_id = |page: PageRef, path: &Path| -> Option<usize> {
            match page {
                _ if same_order => Some(match page {
                    PageRef::Article(id) | PageRef::Category(id) => id,
                }),
                PageRef::Article(_) => old_articles.get(path).copied(),
                PageRef::Category(_) => old_categories.get(path).copied(),
            }
        };
        let mut reused = Vec::new();
        let (articles, categories) = render::render_each_body(site, &self.highlighter, |page| {
            let source = match page {
                PageRef::Article(id) => site.articles[id].source.path.as_path(),
                PageRef::Category(id) => site.categories[id].source.as_ref()?.path.as_path(),
            };
            let old_id = old_id(page, source)?;
            let cached = self.cache.get(source)?;
            let text_hash = sources.text_hash(source)?;
            if cached.text_hash != text_hash || (moved && cached.has_site_links) {
                return None;
            }
            let bodies = old.as_mut()?;
            let body = match page {
                PageRef::Article(_) => bodies.articles.get_mut(old_id)?,
                PageRef::Category(_) => bodies.categories.get_mut(old_id)?,
            };
            reused.push(page);
            Some((std::mem::take(body), cached.problems.clone()))
        });
        self.remember(site, sources, &articles, &categories, &reused, same_order);
        self.article_problems = articles.iter().map(|(_, found)| found.clone()).collect();
        self.category_problems = categories.iter().map(|(_, found)| found.clone()).collect();
        let (bodies, mut found) = render::bodies_from(site, articles, categories, None);
        problems.append(&mut found);
        bodies
    }

    /// The bodies of the last build with those of the `changed` sources rendered again, when
    /// the site has the same pages in the same places (the usual edit): no other body is
    /// looked at. `None` when the last build's bodies do not fit this site.
    fn render_changed(
        &mut self,
        site: &Site,
        sources: &Sources,
        changed: &[PathBuf],
        problems: &mut Vec<Diagnostic>,
    ) -> Option<Bodies> {
        let fits = |bodies: &Bodies| {
            bodies.articles.len() == site.articles.len()
                && bodies.categories.len() == site.categories.len()
                && self.article_problems.len() == site.articles.len()
                && self.category_problems.len() == site.categories.len()
        };
        if !self.bodies.as_ref().is_some_and(fits) {
            return None;
        }
        let mut bodies = self.bodies.take()?;
        let articles = site.articles.iter().enumerate().filter_map(|(id, a)| {
            let path = a.source.path.as_path();
            changed
                .iter()
                .any(|p| p == path)
                .then_some((PageRef::Article(id), &a.source))
        });
        let categories = site.categories.iter().enumerate().filter_map(|(id, c)| {
            let source = c.source.as_ref()?;
            let path = source.path.as_path();
            changed
                .iter()
                .any(|p| p == path)
                .then_some((PageRef::Category(id), source))
        });
        let pages: Vec<_> = articles.chain(categories).collect();
        let refs: Vec<PageRef> = pages.iter().map(|(page, _)| *page).collect();
        let rendered = render::render_bodies_of(site, &self.highlighter, &refs);
        for ((page, source), (body, found)) in pages.into_iter().zip(rendered) {
            let cached = CachedBody::of(sources, source, &body, found.clone());
            self.cache
                .insert(source.path.as_path().to_path_buf(), cached);
            match page {
                PageRef::Article(id) => {
                    bodies.articles[id] = body;
                    self.article_problems[id] = found;
                }
                PageRef::Category(id) => {
                    bodies.categories[id] = body;
                    self.category_problems[id] = found;
                }
            }
        }
        // As `render::bodies_from` reports them.
        for found in self.article_problems.iter().chain(&self.category_problems) {
            problems.extend(found.iter().cloned());
        }
        problems.extend(render::check_anchors(site, &bodies, None));
        Some(bodies)
    }

    fn remember(
        &mut self,
        site: &Site,
        sources: &Sources,
        articles: &[RenderedBody],
        categories: &[RenderedBody],
        reused: &[PageRef],
        same_order: bool,
    ) {
        let reused: std::collections::HashSet<&PageRef> = reused.iter().collect();
        let articles = articles
            .iter()
            .enumerate()
            .map(|(id, body)| (PageRef::Article(id), Some(&site.articles[id].source), body));
        let categories = categories.iter().enumerate().map(|(id, body)| {
            let source = site.categories[id].source.as_ref();
            (PageRef::Category(id), source, body)
        });
        // In the same order, only the bodies rendered anew change; otherwise start afresh so
        // that files gone are forgotten.
        let mut cache = if same_order {
            std::mem::take(&mut self.cache)
        } else {
            super::sources::HashMap::with_capacity_and_hasher(self.cache.len(), Default::default())
        };
        for (page, source, (body, problems)) in articles.chain(categories) {
            let Some(source) = source else { continue };
            if same_order && reused.contains(&page) {
                continue;
            }
            let path = source.path.as_path().to_path_buf();
            let previous = self.cache.remove(&path);
            let cached = match previous {
                Some(previous) if reused.contains(&page) => previous,
                _ => CachedBody::of(sources, source, body, problems.clone()),
            };
            cache.insert(path, cached);
        }
        self.cache = cache;
        if same_order {
            return;
        }
        self.article_sources = site
            .articles
            .iter()
            .map(|a| a.source.path.as_path().to_path_buf())
            .collect();
        self.category_sources = site
            .categories
            .iter()
            .map(|c| c.source.as_ref().map(|s| s.path.as_path().to_path_buf()))
            .collect();
    }
}

/// Whether a source may link to other pages of the site (by code or by path).
fn has_site_links(text: &str) -> bool {
    text.contains(crate::markdown::CODE_LINK_PREFIX) || text.contains(".md")
}
