//! Incremental rebuilds for `kb serve`: the last build stays in memory, and a change re-reads
//! only the files that changed and re-renders only the pages whose inputs changed. The result
//! is always exactly what a full build of the same sources makes (a test replays random edits
//! and compares every byte).
//!
//! Three caches make that cheap:
//! - the loaded content tree, file by file ([`content::LoadedEntry`]), keyed in walk order, so
//!   a save re-reads one file and the tree is assembled and linked again from memory;
//! - rendered Markdown bodies, reused while the source text is the same and either no article or
//!   category moved, appeared or disappeared, or the body has no links into the site;
//! - article and category pages, each with a fingerprint of everything its template is given
//!   ([`fingerprint`]); a page is rendered again only when its fingerprint changes.
//!
//! The rest of a site (indexes, aliases, search, feed, short addresses) is made as a full build
//! makes it, by [`render::finish_site`]. A template or `kb.yaml` change rebuilds everything.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::fingerprint::{self, Fingerprints};
use super::watch::Changes;
use crate::build::{self, BuildOptions};
use crate::config::SiteConfig;
use crate::content::{self, CONTENT_DIR, LoadOptions, LoadedEntry};
use crate::diagnostic::{self, Diagnostic, Severity};
use crate::error::{Error, Result};
use crate::highlight::Highlighter;
use crate::markdown::PageRef;
use crate::output::{self, Output};
use crate::render::{self, Bodies, PageId, RenderedBody};
use crate::site::{self, Site};
use crate::templates::Templates;

/// What one rebuild did.
#[derive(Debug, Clone)]
pub struct Rebuilt {
    pub articles: usize,
    pub categories: usize,
    /// Article and category pages rendered again (the others were kept).
    pub pages_rendered: usize,
    /// Whether everything was read and rendered again.
    pub full: bool,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
}

/// A cached article or category page: what it was rendered from, and the page.
struct CachedPage {
    fingerprint: u64,
    output: Output,
}

/// Where a body came from, to know when it can be reused.
struct CachedBody {
    text_hash: u64,
    /// Whether the body links to other pages of the site (by path or code), so that its HTML
    /// depends on where those pages are.
    has_site_links: bool,
    problems: Vec<Diagnostic>,
    hash: u64,
}

/// The last build, kept in memory, and what it takes to make the next one.
pub struct Rebuilder {
    options: BuildOptions,
    /// Where the site is served (`http://127.0.0.1:1111`): replaces the origin of `base_url`,
    /// keeping its path.
    origin: Option<String>,
    entries: BTreeMap<Vec<String>, LoadedEntry>,
    /// A hash of each source text, by source path (`content/…`).
    text_hashes: HashMap<PathBuf, u64>,
    config: Option<SiteConfig>,
    templates: Option<Templates>,
    template_generation: u64,
    /// The bodies of the last build, by index of its site, and the source paths of those
    /// indexes.
    bodies: Option<Bodies>,
    article_sources: Vec<PathBuf>,
    category_sources: Vec<Option<PathBuf>>,
    body_cache: HashMap<PathBuf, CachedBody>,
    /// Where every article and category was, so that a move shows in the next build.
    link_layout: u64,
    pages: HashMap<PageKey, CachedPage>,
    /// Every output of the last build, pages first.
    outputs: Vec<Output>,
    /// The cache key and fingerprint of each page at the start of `outputs`.
    page_slots: Vec<(PageKey, u64)>,
    /// For each page at the start of `outputs`, whether it was kept from the build before.
    kept: Vec<bool>,
    /// Whether the last build failed, so its pages were never published.
    failed: bool,
    highlighter: Highlighter,
}

/// A page's identity across builds (indexes change when articles come and go).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum PageKey {
    Article(PathBuf),
    /// A category by its folder names.
    Category(Vec<String>),
}

impl Rebuilder {
    /// A rebuilder for the site in `options.root`; nothing is read until the first
    /// [`Rebuilder::rebuild`].
    pub fn new(options: BuildOptions) -> Rebuilder {
        Rebuilder::serving(options, None)
    }

    /// A rebuilder for a site served at `origin` (`http://127.0.0.1:1111`), which replaces the
    /// origin of the configured `base_url`; a site under a sub-path keeps it.
    pub fn serving(options: BuildOptions, origin: Option<String>) -> Rebuilder {
        Rebuilder {
            options,
            origin,
            entries: BTreeMap::new(),
            text_hashes: HashMap::new(),
            config: None,
            templates: None,
            template_generation: 0,
            bodies: None,
            article_sources: Vec::new(),
            category_sources: Vec::new(),
            body_cache: HashMap::new(),
            link_layout: 0,
            pages: HashMap::new(),
            outputs: Vec::new(),
            page_slots: Vec::new(),
            kept: Vec::new(),
            failed: false,
            highlighter: Highlighter::new(),
        }
    }

    /// Every output of the last build, each with whether it may differ from the build before
    /// (pages kept from that build are the same; everything else is made anew).
    pub fn outputs_changed(&self) -> impl Iterator<Item = (&Output, bool)> {
        self.outputs
            .iter()
            .enumerate()
            .map(|(i, output)| (output, !self.kept.get(i).copied().unwrap_or(false)))
    }

    /// Every output of the last build that succeeded or failed (a failed build may lack pages).
    pub fn outputs(&self) -> &[Output] {
        &self.outputs
    }

    /// Brings the build up to date with `changes`. Fails like `kb build` does, with every
    /// problem found; the next rebuild starts from whatever was read.
    pub fn rebuild(&mut self, changes: &Changes) -> Result<Rebuilt> {
        let started = Instant::now();
        let full = changes.is_full() || self.config.is_none() || self.templates.is_none();
        if full {
            self.reset(changes);
        }
        let config = self.load_config()?;
        let (template_problems, content_problems) = self.load_sources(changes, full);
        let loaded = content::assemble(
            self.entries.values().cloned(),
            LoadOptions {
                include_drafts: self.options.include_drafts,
            },
        );
        let (site, mut problems) = site::link(config, loaded);
        problems.extend(content_problems);
        let bodies = self.render_bodies(&site, &mut problems);
        problems.extend(crate::warnings::collect(
            &site,
            &bodies,
            crate::warnings::latest_date_today().as_ref(),
        ));
        let rendered = if template_problems.is_empty() {
            self.render_pages(&site, &bodies, &mut problems)
        } else {
            problems.extend(template_problems);
            0
        };
        self.bodies = Some(bodies);
        diagnostic::sort(&mut problems);
        if self.failed {
            // The pages kept now were made by a build that was never published.
            self.kept.fill(false);
        }
        self.failed = problems.iter().any(|d| d.severity == Severity::Error);
        if self.failed {
            return Err(Error::Diagnostics(problems));
        }
        Ok(Rebuilt {
            articles: site.articles.len(),
            categories: site.categories.len().saturating_sub(1),
            pages_rendered: rendered,
            full,
            warnings: problems,
            elapsed: started.elapsed(),
        })
    }

    /// Forgets what a full rebuild must redo.
    fn reset(&mut self, changes: &Changes) {
        if changes.everything || changes.config || self.config.is_none() {
            self.config = None;
            self.entries.clear();
            self.text_hashes.clear();
        }
        self.templates = None;
        self.bodies = None;
        self.body_cache.clear();
        self.pages.clear();
        self.page_slots.clear();
        self.kept.clear();
        self.outputs.clear();
    }

    fn load_config(&mut self) -> Result<SiteConfig> {
        if let Some(config) = &self.config {
            return Ok(config.clone());
        }
        let mut config = build::load_config(&self.options).inspect_err(|_| self.failed = true)?;
        if let Some(origin) = &self.origin {
            config.base_url.origin = Some(origin.clone());
        }
        self.config = Some(config.clone());
        Ok(config)
    }

    /// Reads templates and content as far as `changes` require; returns the problems of the
    /// templates and of the content folder itself.
    fn load_sources(
        &mut self,
        changes: &Changes,
        full: bool,
    ) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
        let root = self.options.root.clone();
        let mut template_problems = Vec::new();
        if self.templates.is_none() {
            self.template_generation += 1;
            match Templates::load(&root) {
                Ok(templates) => self.templates = Some(templates),
                Err(problems) => template_problems = problems,
            }
        }
        if !root.join(CONTENT_DIR).is_dir() {
            self.entries.clear();
            self.text_hashes.clear();
            return (template_problems, vec![content::no_content_folder(&root)]);
        }
        if full && self.entries.is_empty() {
            self.reload(Path::new(""));
        } else {
            for path in &changes.content {
                let below = path.strip_prefix(CONTENT_DIR).unwrap_or(path);
                self.reload(below);
            }
        }
        (template_problems, Vec::new())
    }

    /// Reads `content/<below>` again (a file or a folder; gone when deleted).
    fn reload(&mut self, below: &Path) {
        let mut key = names(below);
        // A new folder whose own event was missed: read it from its first unknown ancestor.
        while key.len() > 1 && !self.entries.contains_key(&key[..key.len() - 1]) {
            key.pop();
        }
        let stale: Vec<Vec<String>> = self
            .entries
            .range(key.clone()..)
            .take_while(|(k, _)| k.starts_with(&key))
            .map(|(k, _)| k.clone())
            .collect();
        for k in stale {
            if let Some(entry) = self.entries.remove(&k) {
                if let Some(path) = source_path(&entry) {
                    self.text_hashes.remove(&path);
                }
            }
        }
        let folder: PathBuf = key.iter().collect();
        let path = self.options.root.join(CONTENT_DIR).join(&folder);
        if path.symlink_metadata().is_err() {
            return;
        }
        for (names, entry) in content::load_entries(&self.options.root, &folder) {
            if let Some((path, text)) = source_text(&entry) {
                self.text_hashes.insert(path, hash_of(text));
            }
            self.entries.insert(names, entry);
        }
    }

    /// Renders the bodies that changed and takes the others from the last build.
    fn render_bodies(&mut self, site: &Site, problems: &mut Vec<Diagnostic>) -> Bodies {
        let layout = fingerprint::link_layout(site);
        let moved = layout != self.link_layout;
        self.link_layout = layout;
        let mut old = self.bodies.take();
        let old_articles: HashMap<&Path, usize> = self
            .article_sources
            .iter()
            .enumerate()
            .map(|(id, p)| (p.as_path(), id))
            .collect();
        let old_categories: HashMap<&Path, usize> = self
            .category_sources
            .iter()
            .enumerate()
            .filter_map(|(id, p)| Some((p.as_deref()?, id)))
            .collect();
        let mut reused = Vec::new();
        let (articles, categories) = render::render_each_body(site, &self.highlighter, |page| {
            let (source, old_id) = match page {
                PageRef::Article(id) => {
                    let path = site.articles[id].source.path.as_path();
                    (path, old_articles.get(path)?)
                }
                PageRef::Category(id) => {
                    let path = site.categories[id].source.as_ref()?.path.as_path();
                    (path, old_categories.get(path)?)
                }
            };
            let cached = self.body_cache.get(source)?;
            let text_hash = self.text_hashes.get(source)?;
            if cached.text_hash != *text_hash || (moved && cached.has_site_links) {
                return None;
            }
            let bodies = old.as_mut()?;
            let body = match page {
                PageRef::Article(_) => bodies.articles.get_mut(*old_id)?,
                PageRef::Category(_) => bodies.categories.get_mut(*old_id)?,
            };
            reused.push(page);
            Some((std::mem::take(body), cached.problems.clone()))
        });
        self.remember_bodies(site, &articles, &categories, &reused);
        let (bodies, mut found) = render::bodies_from(site, articles, categories);
        problems.append(&mut found);
        bodies
    }

    fn remember_bodies(
        &mut self,
        site: &Site,
        articles: &[RenderedBody],
        categories: &[RenderedBody],
        reused: &[PageRef],
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
        let mut cache = HashMap::with_capacity(self.body_cache.len());
        for (page, source, (body, problems)) in articles.chain(categories) {
            let Some(source) = source else { continue };
            let path = source.path.as_path().to_path_buf();
            let previous = self.body_cache.remove(&path);
            let cached = match previous {
                Some(previous) if reused.contains(&page) => previous,
                _ => CachedBody {
                    text_hash: self
                        .text_hashes
                        .get(&path)
                        .copied()
                        .unwrap_or_else(|| hash_of(&source.text)),
                    has_site_links: source.text.contains(crate::markdown::CODE_LINK_PREFIX)
                        || source.text.contains(".md"),
                    problems: problems.clone(),
                    hash: fingerprint::body(body),
                },
            };
            cache.insert(path, cached);
        }
        self.body_cache = cache;
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

    /// Renders the pages whose fingerprints changed, keeps the others, and makes the rest of
    /// the site. Returns how many pages were rendered.
    fn render_pages(
        &mut self,
        site: &Site,
        bodies: &Bodies,
        problems: &mut Vec<Diagnostic>,
    ) -> usize {
        self.take_back_pages();
        let Some(templates) = self.templates.as_mut() else {
            return 0;
        };
        render::set_site_context(site, templates);
        let global = {
            let mut hasher = std::hash::DefaultHasher::new();
            self.template_generation.hash(&mut hasher);
            format!("{:?}", site.config).hash(&mut hasher);
            // Through serde_json, whose maps are sorted: Tera's keep hash order.
            let context = templates.tera.global_context().get("site");
            serde_json::to_value(context)
                .map_or_else(|e| e.to_string(), |v| v.to_string())
                .hash(&mut hasher);
            hasher.finish()
        };
        let templates = &*templates;
        let body_hashes = |page: PageRef| -> u64 {
            let source = match page {
                PageRef::Article(id) => Some(&site.articles[id].source),
                PageRef::Category(id) => site.categories[id].source.as_ref(),
            };
            source
                .and_then(|s| self.body_cache.get(s.path.as_path()))
                .map_or(0, |b| b.hash)
        };
        let prints = Fingerprints::new(site, global, &self.text_hashes, &body_hashes);
        let ids = render::page_ids(site);
        let keyed: Vec<(PageKey, u64)> = ids
            .par_iter()
            .map(|page| (page_key(site, *page), prints.page(*page)))
            .collect();
        let mut kept = Vec::with_capacity(keyed.len());
        let mut results: Vec<Option<std::result::Result<Output, Diagnostic>>> = keyed
            .iter()
            .map(|(key, print)| match self.pages.remove(key) {
                Some(cached) if cached.fingerprint == *print => {
                    kept.push(true);
                    Some(Ok(cached.output))
                }
                _ => {
                    kept.push(false);
                    None
                }
            })
            .collect();
        let rendered = results.iter().filter(|r| r.is_none()).count();
        results
            .par_iter_mut()
            .zip(&ids)
            .filter(|(result, _)| result.is_none())
            .for_each(|(result, page)| {
                *result = Some(render::render_page(site, bodies, templates, *page));
            });
        self.pages.clear();
        let results: Vec<_> = results.into_iter().flatten().collect();
        let ok: Vec<bool> = results.iter().map(Result::is_ok).collect();
        self.kept = kept
            .into_iter()
            .zip(&ok)
            .filter(|(_, ok)| **ok)
            .map(|(k, _)| k)
            .collect();
        self.page_slots = keyed
            .into_iter()
            .zip(&ok)
            .filter(|(_, ok)| **ok)
            .map(|(slot, _)| slot)
            .collect();
        let static_dir = self.options.root.join(crate::assets::STATIC_DIR);
        let (outputs, mut found) =
            render::finish_site(site, bodies, templates, &static_dir, results);
        problems.append(&mut found);
        problems.extend(output::collisions(&outputs));
        self.outputs = outputs;
        rendered
    }

    /// Moves the pages of the last build back into the page cache.
    fn take_back_pages(&mut self) {
        let slots = std::mem::take(&mut self.page_slots);
        let outputs = std::mem::take(&mut self.outputs);
        for ((key, fingerprint), output) in slots.into_iter().zip(outputs) {
            self.pages.insert(
                key,
                CachedPage {
                    fingerprint,
                    output,
                },
            );
        }
    }
}

fn page_key(site: &Site, page: PageId) -> PageKey {
    match page {
        PageId::Article(id) => PageKey::Article(site.articles[id].source.path.as_path().into()),
        PageId::Category(id) => PageKey::Category(
            site.ancestry(id)
                .into_iter()
                .map(|c| site.categories[c].name.clone())
                .collect(),
        ),
    }
}

fn names(path: &Path) -> Vec<String> {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect()
}

fn source_text(entry: &LoadedEntry) -> Option<(PathBuf, &str)> {
    let source = match entry {
        LoadedEntry::Article(article) => &article.source,
        LoadedEntry::Index(category) => category.source.as_ref()?,
        LoadedEntry::Folder(_) | LoadedEntry::Failed(_) => return None,
    };
    Some((source.path.as_path().to_path_buf(), &source.text))
}

fn source_path(entry: &LoadedEntry) -> Option<PathBuf> {
    source_text(entry).map(|(path, _)| path)
}

pub(super) fn hash_of(value: impl Hash) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}
