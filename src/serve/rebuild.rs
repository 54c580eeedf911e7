//! Incremental rebuilds for `kb serve`: the last build stays in memory, and a change re-reads
//! only the files that changed and re-renders only the pages whose inputs changed. The result
//! is always exactly what a full build of the same sources makes (a test replays random edits
//! and compares every byte).
//!
//! What is kept (see docs/serve.md):
//! - the loaded content tree, file by file (`sources`), keyed in walk order, so a save re-reads
//!   one file; the linked site too, while every re-read file kept its front matter, or changed
//!   only front matter values linking does not read (then with the new front matter in place);
//! - rendered Markdown bodies (`bodies`), reused while the source text is the same and either no
//!   article or category moved, appeared or disappeared, or the body has no links into the site;
//! - article and category pages, each with a fingerprint of everything its template is given
//!   ([`super::fingerprint`]); a page is rendered again only when its fingerprint changes.
//!   While the linked site stays, only the pages of the edited sources are fingerprinted again
//!   (nothing else they are made from can have changed), with the link hashes of the last build;
//!   when only front matter linking does not read changed, also the pages that show the edited
//!   articles (`pages_showing`);
//! - the listing pages (indexes, aliases), each with its fingerprint, and the search index and
//!   its files, updated article by article (`search`);
//! - the warnings read from front matter, per article, updated for the articles whose front
//!   matter changed while the linked site stays;
//! - the output files, so that the collision check looks only at addresses that changed
//!   (`addresses`).
//!
//! The rest of a site (search files, feed, sitemap, short addresses, static files) is made as
//! [`render::stream_site`] makes it, keeping what did not change (`finish`). A template or
//! `kb.yaml` change rebuilds everything.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::addresses::Addresses;
use super::bodies::BodyCache;
use super::fingerprint::{Fingerprints, Links};
use super::finish::{self, Finisher};
use super::search::SearchCache;
use super::sources::{Reloaded, Sources};
use super::watch::Changes;
use crate::build::{self, BuildOptions};
use crate::config::SiteConfig;
use crate::content::{self, CONTENT_DIR, LoadOptions, LoadedArticle, Source};
use crate::diagnostic::{self, Diagnostic, Severity};
use crate::error::{Error, Result};
use crate::frontmatter::Date;
use crate::markdown::PageRef;
use crate::output::Output;
use crate::render::{self, Bodies, Listing, PageId};
use crate::site::{self, Site};
use crate::templates::Templates;
use crate::views::{KeptLinks, SharedLinks};
use crate::warnings::FrontMatterWarnings;

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

/// A linked site and the problems found loading and linking it.
struct Linked {
    site: Site,
    problems: Vec<Diagnostic>,
}

impl Linked {
    /// Puts sources whose front matter did not change in place of the old ones: linking
    /// reads only front matter, so the site is what linking the new sources would make.
    fn replace_sources(&mut self, sources: Vec<Source>) -> Vec<PathBuf> {
        let paths = sources
            .iter()
            .map(|s| s.path.as_path().to_path_buf())
            .collect();
        for source in sources {
            let path = source.path.clone();
            let article = self
                .site
                .articles
                .iter_mut()
                .find(|a| a.source.path == path);
            if let Some(article) = article {
                article.source = source;
                continue;
            }
            let category = self
                .site
                .categories
                .iter_mut()
                .find(|c| c.source.as_ref().is_some_and(|s| s.path == path));
            if let Some(category) = category {
                category.source = Some(source);
            }
        }
        paths
    }

    /// Whether these articles' new front matter leaves the linked site as it is but for their
    /// own front matter: each is in the site, with the same code, slug, related codes, tags,
    /// weight and draft flag (all linking reads of an article's front matter), and linking
    /// found no problem in it (whose place in the file may have moved).
    fn can_relink(&self, fronts: &[LoadedArticle]) -> bool {
        fronts.iter().all(|new| {
            let path = &new.source.path;
            let Some(old) = self.site.articles.iter().find(|a| a.source.path == *path) else {
                return false;
            };
            let (a, b) = (&old.meta, &new.meta);
            a.code == b.code
                && a.slug == b.slug
                && a.related == b.related
                && a.tags == b.tags
                && a.weight == b.weight
                && a.draft == b.draft
                && !self.problems.iter().any(|p| p.file.as_ref() == Some(path))
        })
    }

    /// Puts the re-read files in place (see [`Linked::can_relink`]): what linking the new
    /// sources would make. Returns the paths of the files, and the ids of the articles whose
    /// front matter changed.
    fn relink(&mut self, reloaded: Reloaded) -> (Vec<PathBuf>, Vec<usize>) {
        let fronts: Vec<PathBuf> = reloaded
            .fronts
            .iter()
            .map(|new| new.source.path.as_path().to_path_buf())
            .collect();
        for new in reloaded.fronts {
            let path = new.source.path.clone();
            if let Some(article) = self
                .site
                .articles
                .iter_mut()
                .find(|a| a.source.path == path)
            {
                article.meta = new.meta;
                article.source = new.source;
            }
        }
        let ids = (self.site.articles.iter().enumerate())
            .filter(|(_, a)| fronts.iter().any(|p| p == a.source.path.as_path()))
            .map(|(id, _)| id)
            .collect();
        let mut paths = self.replace_sources(reloaded.sources);
        paths.extend(fronts);
        (paths, ids)
    }
}

/// The last build, kept in memory, and what it takes to make the next one.
pub struct Rebuilder {
    options: BuildOptions,
    /// Where the site is served (`http://127.0.0.1:1111`): replaces the origin of `base_url`,
    /// keeping its path.
    origin: Option<String>,
    sources: Sources,
    /// The site as last linked, with the problems linking found.
    linked: Option<Linked>,
    config: Option<SiteConfig>,
    templates: Option<Templates>,
    template_generation: u64,
    bodies: BodyCache,
    search: SearchCache,
    pages: HashMap<PageKey, CachedPage>,
    /// Every output of the last build, pages first.
    outputs: Vec<Output>,
    /// The cache key and fingerprint of each page at the start of `outputs`.
    page_slots: Vec<(PageKey, u64)>,
    /// The key and fingerprint of each listing page (indexes, aliases) right after the pages
    /// in `outputs`; `None` when they failed and were not all made.
    listing_slots: Option<Vec<KeyedListing>>,
    /// The listing pages of `listing_slots`.
    listing_ids: Vec<Listing>,
    /// The listing pages of the last build by key, with their fingerprint, while a new one is
    /// made.
    listings: HashMap<ListingKey, (u64, Output)>,
    /// For each page and listing page at the start of `outputs`, whether it was kept from the
    /// build before.
    kept: Vec<bool>,
    /// Whether the last build failed, so its pages were never published.
    failed: bool,
    /// Everything after the listing pages (search, static files, publishing files).
    finisher: Finisher,
    /// Where the outputs of `finisher` start in `outputs`.
    finish_start: usize,
    /// Whether static files may have changed since the finisher last read them.
    statics_changed: bool,
    /// The warnings read from front matter, and the date they were collected on; kept while
    /// the linked site is.
    front_warnings: Option<(Option<Date>, FrontMatterWarnings)>,
    /// The template values of the links of the last build, kept with `links`.
    shared_links: Option<KeptLinks>,
    /// What the last build's pages show of each article, category and tag, with its global
    /// fingerprint and the listing pages' fingerprint; kept while the linked site is.
    links: Option<(u64, Links, u64)>,
    /// The sources edited since pages were last rendered, while the linked site stayed the
    /// same but for the front matter of some articles; `None` once it changed otherwise.
    edited: Option<Edited>,
    /// The output files of the last build, for the collision check.
    addresses: Addresses,
}

/// The sources edited since pages were last rendered (see [`Rebuilder::edited`]).
#[derive(Debug, Default)]
struct Edited {
    paths: Vec<PathBuf>,
    /// Whether the front matter of some of them changed, so what other pages and the
    /// listing pages show of them may have.
    fronts: bool,
}

/// A listing page's identity across builds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum ListingKey {
    /// The all-codes page, the tag index, a tag page or the 404 page.
    Index(Listing),
    /// An alias page: its article's source, and the alias's place in `aliases`.
    Alias(PathBuf, usize),
}

impl ListingKey {
    fn of(site: &Site, listing: &Listing) -> ListingKey {
        match listing {
            Listing::Alias(id, n) => {
                ListingKey::Alias(site.articles[*id].source.path.as_path().into(), *n)
            }
            index => ListingKey::Index(index.clone()),
        }
    }
}

/// A listing page's cache key and fingerprint.
type KeyedListing = (ListingKey, u64);

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
            sources: Sources::default(),
            linked: None,
            config: None,
            templates: None,
            template_generation: 0,
            bodies: BodyCache::default(),
            search: SearchCache::default(),
            pages: HashMap::new(),
            outputs: Vec::new(),
            page_slots: Vec::new(),
            listing_slots: None,
            listing_ids: Vec::new(),
            listings: HashMap::new(),
            kept: Vec::new(),
            failed: false,
            finisher: Finisher::default(),
            finish_start: 0,
            statics_changed: true,
            front_warnings: None,
            links: None,
            shared_links: None,
            edited: None,
            addresses: Addresses::default(),
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
        self.statics_changed |= changes.statics || full;
        let (template_problems, content_problems, edited) = self.load_sources(changes, full);
        let mut site_kept = false;
        let mut relinked = false;
        let mut edited_paths = Vec::new();
        let mut relinked_articles = Vec::new();
        let linked = match (edited, self.linked.take()) {
            // Only bodies changed: the linked site stays, with those sources replaced.
            (Some(reloaded), Some(mut linked)) if reloaded.fronts.is_empty() => {
                edited_paths = linked.replace_sources(reloaded.sources);
                site_kept = true;
                linked
            }
            // Only front matter values linking does not read changed: the same site with the
            // new front matter in place, but no longer the same site for what follows.
            (Some(reloaded), Some(mut linked)) if linked.can_relink(&reloaded.fronts) => {
                (edited_paths, relinked_articles) = linked.relink(reloaded);
                relinked = true;
                linked
            }
            _ => {
                let loaded = self.sources.assemble(LoadOptions {
                    include_drafts: self.options.include_drafts,
                });
                let (site, problems) = site::link(config, loaded);
                Linked { site, problems }
            }
        };
        let site = &linked.site;
        let mut problems = linked.problems.clone();
        problems.extend(content_problems);
        // The files read again for this build.
        let read_again = edited_paths.clone();
        self.edited = match self.edited.take() {
            Some(mut edited) if site_kept || relinked => {
                edited.paths.extend(edited_paths);
                edited.fronts |= relinked;
                Some(edited)
            }
            _ => None,
        };
        // Every page is where it was with the same code: what bodies link to is the same.
        let same_site = self.edited.is_some();
        let changed = (site_kept || relinked).then_some(read_again.as_slice());
        let bodies = self.bodies.render(
            site,
            &self.sources,
            same_site || relinked,
            changed,
            &mut problems,
        );
        let today = crate::warnings::latest_date_today();
        let front_warnings = match self.front_warnings.take() {
            Some((date, warnings)) if site_kept && date == today => warnings,
            // The same site but for the front matter of these articles.
            Some((date, mut warnings)) if relinked && date == today => {
                warnings.update(site, today.as_ref(), &relinked_articles);
                warnings
            }
            _ => FrontMatterWarnings::collect(site, today.as_ref()),
        };
        problems.extend(front_warnings.with_bodies(site, &bodies));
        self.front_warnings = Some((today, front_warnings));
        let rendered = if template_problems.is_empty() {
            let edited = self.edited.take();
            let rendered = self.render_pages(site, &bodies, edited.as_ref(), &mut problems);
            self.edited = Some(Edited::default());
            rendered
        } else {
            problems.extend(template_problems);
            0
        };
        self.bodies.keep(bodies);
        diagnostic::sort(&mut problems);
        if self.failed {
            // The pages kept now were made by a build that was never published.
            self.kept.fill(false);
        }
        self.failed = problems.iter().any(|d| d.severity == Severity::Error);
        if self.failed {
            self.linked = Some(linked);
            return Err(Error::Diagnostics(problems));
        }
        let rebuilt = Rebuilt {
            articles: site.articles.len(),
            categories: site.categories.len().saturating_sub(1),
            pages_rendered: rendered,
            full,
            warnings: problems,
            elapsed: started.elapsed(),
        };
        self.linked = Some(linked);
        Ok(rebuilt)
    }

    /// Forgets what a full rebuild must redo.
    fn reset(&mut self, changes: &Changes) {
        if changes.everything || changes.config || self.config.is_none() {
            self.config = None;
            self.sources = Sources::default();
        }
        self.templates = None;
        self.linked = None;
        self.bodies = BodyCache::default();
        self.search = SearchCache::default();
        self.pages.clear();
        self.page_slots.clear();
        self.kept.clear();
        self.listing_slots = None;
        self.listings.clear();
        self.outputs.clear();
        self.finisher = Finisher::default();
        self.finish_start = 0;
        self.front_warnings = None;
        self.links = None;
        self.shared_links = None;
        self.edited = None;
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

    /// Reads templates and content as far as `changes` require. Returns the problems of the
    /// templates and of the content folder itself, and the files read when they are the same
    /// files as before (see [`Sources::reload`]).
    fn load_sources(
        &mut self,
        changes: &Changes,
        full: bool,
    ) -> (Vec<Diagnostic>, Vec<Diagnostic>, Option<Reloaded>) {
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
            self.sources = Sources::default();
            return (
                template_problems,
                vec![content::no_content_folder(&root)],
                None,
            );
        }
        if full {
            if self.sources.is_empty() {
                self.sources.reload(&root, Path::new(""));
            }
            return (template_problems, Vec::new(), None);
        }
        let mut edited = Some(Reloaded::default());
        for path in &changes.content {
            let below = path.strip_prefix(CONTENT_DIR).unwrap_or(path);
            let reloaded = self.sources.reload(&root, below);
            edited = edited.zip(reloaded).map(|(mut all, more)| {
                all.extend(more);
                all
            });
        }
        (template_problems, Vec::new(), edited)
    }

    /// Renders the pages whose fingerprints changed, keeps the others, and makes the rest of
    /// the site. Returns how many pages were rendered.
    /// `edited`, when given, are the only sources that changed since the last build, the
    /// linked site being the same but for their front matter.
    fn render_pages(
        &mut self,
        site: &Site,
        bodies: &Bodies,
        edited: Option<&Edited>,
        problems: &mut Vec<Diagnostic>,
    ) -> usize {
        // Out of `self` while pages are made, so that the caches in `self` can change.
        let Some(mut templates) = self.templates.take() else {
            self.take_back_pages();
            return 0;
        };
        problems.extend(render::set_site_context(site, &mut templates));
        let global = global_fingerprint(self.template_generation, site, &mut templates);
        // The pages and listing pages of the last build, all made from the same site with the
        // same site-wide context: they stay where they are, and only the edited sources' pages
        // and the pages that show them may change.
        let all_pages = self.page_slots.len() == site.articles.len() + site.categories.len()
            && self.listing_slots.as_ref().is_some_and(|slots| {
                self.page_slots.len() + slots.len() == self.finish_start.min(self.outputs.len())
            });
        let same_global = self.links.as_ref().is_some_and(|(g, _, _)| *g == global);
        let previous = if edited.is_some() && all_pages && same_global {
            let mut outputs = std::mem::take(&mut self.outputs);
            let finished = outputs.split_off(self.finish_start);
            self.finisher.take_back(finished);
            Some(outputs)
        } else {
            self.take_back_pages();
            None
        };
        let rendered =
            self.render_with(site, bodies, &templates, global, edited, previous, problems);
        self.templates = Some(templates);
        rendered
    }

    #[allow(clippy::too_many_arguments)]
    fn render_with(
        &mut self,
        site: &Site,
        bodies: &Bodies,
        templates: &Templates,
        global: u64,
        edited: Option<&Edited>,
        previous: Option<Vec<Output>>,
        problems: &mut Vec<Diagnostic>,
    ) -> usize {
        let edited_pages: Option<Vec<usize>> = edited.map(|e| edited_pages(site, &e.paths));
        let fronts = edited.is_some_and(|e| e.fronts);
        // The same linked site and site-wide context as the last build: what pages show of
        // one another, and the listing pages, are the same but for the articles whose front
        // matter changed.
        let kept_links = match self.links.take() {
            Some((last_global, links, listings)) if last_global == global && edited.is_some() => {
                Some((links, listings))
            }
            _ => None,
        };
        // The template values of the links, made again for the articles whose front matter
        // changed.
        let stale = match edited_pages.as_deref() {
            Some(pages) if fronts => articles_of(site, pages),
            _ => Vec::new(),
        };
        let shared = match self.shared_links.take() {
            Some(kept) if kept_links.is_some() => {
                SharedLinks::reusing(site, templates, kept, &stale)
            }
            _ => SharedLinks::new(site, templates),
        };
        let fronts_kept = fronts && kept_links.is_some();
        let (mut links, known_listings) = match kept_links {
            Some((links, listings)) => (links, (!fronts).then_some(listings)),
            None => (Links::new(site), None),
        };
        links.update(site, &stale);
        let listings_print = match known_listings {
            Some(print) => print,
            None => {
                // With the link hashes of the last build, only the stale articles' parts.
                let changed = fronts_kept.then_some(stale.as_slice());
                let front_hash = |path: &Path| self.sources.front_hash(path);
                super::fingerprint::listings(site, global, &mut links, &front_hash, changed)
            }
        };
        let inputs = PageInputs {
            site,
            bodies,
            templates,
            global,
            links: &links,
            shared: &shared,
        };
        let fast = previous.zip(edited_pages.as_deref());
        let (results, listings, rendered) = match fast {
            Some((outputs, pages)) => self.render_edited(inputs, outputs, pages, fronts),
            None => {
                let (results, rendered) = self.render_changed(inputs);
                let listings = self.listing_pages(inputs, None);
                (results, listings, rendered)
            }
        };
        self.finish(
            inputs,
            edited_pages,
            results,
            listings,
            listings_print,
            problems,
        );
        self.shared_links = Some(shared.keep());
        self.links = Some((global, links, listings_print));
        rendered
    }

    /// The pages of the last build, all kept but those whose fingerprint changed, rendered
    /// again: of the `edited` pages (indexes in output order), and when some front matter
    /// changed (`fronts`), of the pages that show the edited articles; then the listing pages,
    /// kept or, when some front matter changed, each kept while its fingerprint is the same.
    fn render_edited(
        &mut self,
        inputs: PageInputs,
        mut outputs: Vec<Output>,
        edited: &[usize],
        fronts: bool,
    ) -> (Vec<PageResult>, Vec<PageResult>, usize) {
        let PageInputs {
            site,
            bodies,
            templates,
            global,
            links,
            shared,
        } = inputs;
        let previous = std::mem::take(&mut self.page_slots);
        let listed = outputs.split_off(previous.len());
        let showing: Vec<usize>;
        let check = if fronts {
            showing = pages_showing(site, edited);
            &showing
        } else {
            edited
        };
        let before: Vec<u64> = check.iter().map(|page| previous[*page].1).collect();
        let mut keyed = fingerprints(
            site,
            global,
            &self.sources,
            &self.bodies,
            links,
            Some((previous, check)),
        );
        let ids = render::page_ids(site);
        let changed: Vec<usize> = check
            .iter()
            .zip(before)
            .filter(|(page, before)| keyed[**page].1 != *before)
            .map(|(page, _)| *page)
            .collect();
        let made: Vec<PageResult> = changed
            .par_iter()
            .map(|page| render::render_page_with(site, bodies, templates, shared, ids[*page]))
            .collect();
        let mut kept = vec![true; outputs.len()];
        let mut failed = Vec::new();
        for (page, result) in changed.iter().zip(made) {
            kept[*page] = false;
            match result {
                Ok(output) => outputs[*page] = output,
                Err(problem) => failed.push((*page, problem)),
            }
        }
        // A failed page is missing from the outputs, as in a full build.
        failed.sort_by_key(|(page, _)| std::cmp::Reverse(*page));
        let mut failures = Vec::new();
        for (page, problem) in failed {
            outputs.remove(page);
            keyed.remove(page);
            kept.remove(page);
            failures.push(problem);
        }
        // In page order, as a full build reports them.
        failures.reverse();
        self.page_slots = keyed;
        self.kept = kept;
        let mut results: Vec<PageResult> = outputs.into_iter().map(Ok).collect();
        results.extend(failures.into_iter().map(Err));
        let listings = if fronts {
            let articles = articles_of(site, edited);
            self.listing_pages(inputs, Some((listed, &articles)))
        } else {
            self.kept.extend(std::iter::repeat_n(true, listed.len()));
            listed.into_iter().map(Ok).collect()
        };
        (results, listings, changed.len())
    }

    /// Renders the pages whose fingerprints changed and takes the others from the cache.
    fn render_changed(&mut self, inputs: PageInputs) -> (Vec<PageResult>, usize) {
        let site = inputs.site;
        let keyed = fingerprints(
            site,
            inputs.global,
            &self.sources,
            &self.bodies,
            inputs.links,
            None,
        );
        let ids = render::page_ids(site);
        let mut kept = Vec::with_capacity(keyed.len());
        let mut results: Vec<Option<PageResult>> = keyed
            .iter()
            .map(|(key, print)| match self.pages.remove(key) {
                Some(cached) if cached.fingerprint == *print => Some(Ok(cached.output)),
                _ => None,
            })
            .inspect(|result| kept.push(result.is_some()))
            .collect();
        self.pages.clear();
        let rendered = results.iter().filter(|r| r.is_none()).count();
        results
            .par_iter_mut()
            .zip(&ids)
            .filter(|(result, _)| result.is_none())
            .for_each(|(result, page)| {
                *result = Some(render::render_page_with(
                    site,
                    inputs.bodies,
                    inputs.templates,
                    inputs.shared,
                    *page,
                ));
            });
        let results: Vec<PageResult> = results.into_iter().flatten().collect();
        // Failed pages are missing from the outputs: keep the slots of those that are there.
        let ok: Vec<bool> = results.iter().map(Result::is_ok).collect();
        self.kept = only_ok(kept, &ok);
        self.page_slots = only_ok(keyed, &ok);
        (results, rendered)
    }

    /// The search files, static files and publishing outputs after the pages and listing
    /// pages, and the collision check of everything.
    fn finish(
        &mut self,
        inputs: PageInputs,
        edited_pages: Option<Vec<usize>>,
        results: Vec<PageResult>,
        listings: Vec<PageResult>,
        listings_print: u64,
        problems: &mut Vec<Diagnostic>,
    ) {
        let PageInputs {
            site,
            bodies,
            templates,
            global,
            ..
        } = inputs;
        let static_dir = self.options.root.join(crate::assets::STATIC_DIR);
        let (sources, body_cache) = (&self.sources, &self.bodies);
        let search_inputs = |id: usize| {
            let path = site.articles[id].source.path.as_path();
            hash_of((sources.text_hash(path), body_cache.hash(path)))
        };
        let edited_articles: Option<Vec<usize>> =
            edited_pages.map(|pages| articles_of(site, &pages));
        self.search
            .update(site, bodies, &search_inputs, edited_articles.as_deref());
        let search = self.search.outputs();
        let mut results = results;
        results.extend(listings);
        let inputs = finish::Inputs {
            site,
            templates,
            static_dir: &static_dir,
            global,
            listings: listings_print,
            statics_changed: self.statics_changed,
            edited: edited_articles.as_deref(),
        };
        self.finish_start = results.iter().filter(|r| r.is_ok()).count();
        let (outputs, mut found) = self
            .finisher
            .finish(&inputs, results, search, &mut self.kept);
        self.statics_changed = false;
        problems.append(&mut found);
        problems.extend(self.addresses.collisions(&outputs));
        self.outputs = outputs;
    }

    /// The index and alias pages, each kept from the last build while its fingerprint is the
    /// same, else rendered anew (in the order of [`render::listings`]). `previous`: the
    /// listing pages of the last build, in the order of its `listing_slots`. Records their
    /// slots.
    fn listing_pages(
        &mut self,
        inputs: PageInputs,
        previous: Option<(Vec<Output>, &[usize])>,
    ) -> Vec<PageResult> {
        let PageInputs {
            site,
            templates,
            global,
            links,
            shared,
            ..
        } = inputs;
        let listings = render::listings(site);
        let last = self.listing_slots.take();
        let last_listings = std::mem::take(&mut self.listing_ids);
        // The same listing pages in the same places (the usual edit): the alias pages of the
        // articles whose front matter did not change (`previous`, with the edited articles)
        // are the same, without hashing what they are made from.
        let edited: Option<&[usize]> = previous
            .as_ref()
            .zip(last.as_ref())
            .filter(|((outputs, _), last)| {
                outputs.len() == listings.len()
                    && last.len() == listings.len()
                    && last_listings == listings
            })
            .map(|((_, edited), _)| *edited);
        let aligned = edited.is_some();
        let same = |listing: &Listing| match (listing, edited) {
            (Listing::Alias(id, _), Some(edited)) => !edited.contains(id),
            _ => false,
        };
        let front_hash = |path: &Path| self.sources.front_hash(path);
        let keyed: Vec<Option<KeyedListing>> = listings
            .par_iter()
            .map(|listing| {
                if same(listing) {
                    return None;
                }
                let print = links.listing(site, global, listing, &front_hash);
                Some((ListingKey::of(site, listing), print))
            })
            .collect();
        let mut cache = std::mem::take(&mut self.listings);
        let mut slots: Vec<KeyedListing> = Vec::with_capacity(keyed.len());
        let mut old: Vec<Option<Output>> = Vec::with_capacity(keyed.len());
        match (previous, last) {
            (Some((outputs, _)), Some(last)) if aligned => {
                for ((output, last), new) in outputs.into_iter().zip(last).zip(keyed) {
                    match new {
                        None => {
                            old.push(Some(output));
                            slots.push(last);
                        }
                        Some(new) => {
                            old.push((last == new).then_some(output));
                            slots.push(new);
                        }
                    }
                }
            }
            (previous, last) => {
                if let Some(((outputs, _), last)) = previous.zip(last) {
                    for ((key, print), output) in last.into_iter().zip(outputs) {
                        cache.insert(key, (print, output));
                    }
                }
                for (key, print) in keyed.into_iter().flatten() {
                    old.push(match cache.remove(&key) {
                        Some((last, output)) if last == print => Some(output),
                        _ => None,
                    });
                    slots.push((key, print));
                }
            }
        }
        drop(cache);
        let made: Vec<Option<(PageResult, bool)>> = old
            .into_par_iter()
            .zip(&listings)
            .map(|(old, listing)| match old {
                Some(output) => Some((Ok(output), true)),
                None => render::render_listing(site, templates, shared, listing)
                    .map(|page| (page, false)),
            })
            .collect();
        let mut pages = Vec::with_capacity(made.len());
        let mut made_slots = Vec::with_capacity(made.len());
        let mut all_ok = true;
        for (made, slot) in made.into_iter().zip(slots) {
            let Some((page, kept)) = made else {
                all_ok = false;
                continue;
            };
            if page.is_ok() {
                self.kept.push(kept);
                made_slots.push(slot);
            } else {
                all_ok = false;
            }
            pages.push(page);
        }
        self.listing_slots = all_ok.then_some(made_slots);
        self.listing_ids = listings;
        pages
    }

    /// Moves the pages and listing pages of the last build back into their caches.
    fn take_back_pages(&mut self) {
        let slots = std::mem::take(&mut self.page_slots);
        let mut outputs = std::mem::take(&mut self.outputs);
        let finished = outputs.split_off(self.finish_start.min(outputs.len()));
        self.finisher.take_back(finished);
        let mut outputs = outputs.into_iter();
        for ((key, fingerprint), output) in slots.into_iter().zip(outputs.by_ref()) {
            self.pages.insert(
                key,
                CachedPage {
                    fingerprint,
                    output,
                },
            );
        }
        self.listings.clear();
        for ((key, print), output) in self.listing_slots.take().into_iter().flatten().zip(outputs) {
            self.listings.insert(key, (print, output));
        }
    }
}

/// Every article and category page's cache key and fingerprint, in output order, made with
/// these link hashes. With `previous` (the keys and fingerprints of the last build, whose site
/// had the same pages) only the pages of `edited` (indexes in output order) are hashed.
fn fingerprints(
    site: &Site,
    global: u64,
    sources: &Sources,
    bodies: &BodyCache,
    links: &Links,
    previous: Option<(Vec<KeyedPrint>, &[usize])>,
) -> Vec<KeyedPrint> {
    let body_hashes = |page: PageRef| -> u64 {
        let source = match page {
            PageRef::Article(id) => Some(&site.articles[id].source),
            PageRef::Category(id) => site.categories[id].source.as_ref(),
        };
        source.map_or(0, |s| bodies.hash(s.path.as_path()))
    };
    let prints = Fingerprints::new(site, global, sources.text_hashes(), &body_hashes, links);
    let ids = render::page_ids(site);
    match previous {
        Some((mut keyed, edited)) if keyed.len() == ids.len() => {
            let new: Vec<u64> = edited
                .par_iter()
                .map(|page| prints.page(ids[*page]))
                .collect();
            for (page, print) in edited.iter().zip(new) {
                keyed[*page].1 = print;
            }
            keyed
        }
        _ => ids
            .par_iter()
            .map(|page| (page_key(site, *page), prints.page(*page)))
            .collect(),
    }
}

/// The `edited` pages (indexes in output order) and every page that shows one of their
/// articles, sorted: the articles it lists in `related` and that list it, those of its
/// category (which show it among their neighbours) and its category's page. What else the
/// pages show of one another (categories, tags) comes from what linking reads, the same while
/// only other front matter changes: see [`Fingerprints`].
fn pages_showing(site: &Site, edited: &[usize]) -> Vec<usize> {
    let mut pages: Vec<usize> = edited.to_vec();
    for id in articles_of(site, edited) {
        let article = &site.articles[id];
        pages.extend(&article.related);
        pages.extend(&article.referenced_by);
        pages.extend(&site.categories[article.category].articles);
        pages.push(site.articles.len() + article.category);
    }
    pages.sort_unstable();
    pages.dedup();
    pages
}

/// The articles among these pages (indexes in output order).
fn articles_of(site: &Site, pages: &[usize]) -> Vec<usize> {
    pages
        .iter()
        .copied()
        .filter(|page| *page < site.articles.len())
        .collect()
}

/// The indexes, in output order ([`render::page_ids`]), of the pages made from these sources.
fn edited_pages(site: &Site, paths: &[PathBuf]) -> Vec<usize> {
    let articles = site
        .articles
        .iter()
        .enumerate()
        .filter(|(_, a)| paths.iter().any(|p| p == a.source.path.as_path()))
        .map(|(id, _)| id);
    let categories = site
        .categories
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.source
                .as_ref()
                .is_some_and(|s| paths.iter().any(|p| p == s.path.as_path()))
        })
        .map(|(id, _)| site.articles.len() + id);
    articles.chain(categories).collect()
}

type PageResult = std::result::Result<Output, Diagnostic>;

/// What every page of a rebuild is made from, passed together to the steps that make them.
#[derive(Clone, Copy)]
struct PageInputs<'a> {
    site: &'a Site,
    bodies: &'a Bodies,
    templates: &'a Templates,
    /// The fingerprint of what every page sees ([`global_fingerprint`]).
    global: u64,
    links: &'a Links,
    shared: &'a SharedLinks<'a>,
}

/// A page's cache key and fingerprint.
type KeyedPrint = (PageKey, u64);

/// What every page sees: the templates, the configuration and the site context.
fn global_fingerprint(template_generation: u64, site: &Site, templates: &mut Templates) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    template_generation.hash(&mut hasher);
    format!("{:?}", site.config).hash(&mut hasher);
    // Through serde_json, whose maps are sorted: Tera's keep hash order.
    let context = templates.tera.global_context().get("site");
    serde_json::to_value(context)
        .map_or_else(|e| e.to_string(), |v| v.to_string())
        .hash(&mut hasher);
    hasher.finish()
}

/// The items whose `ok` flag is set.
fn only_ok<T>(items: Vec<T>, ok: &[bool]) -> Vec<T> {
    items
        .into_iter()
        .zip(ok)
        .filter(|(_, ok)| **ok)
        .map(|(item, _)| item)
        .collect()
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

pub(super) fn hash_of(value: impl Hash) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}
