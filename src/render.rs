//! Rendering: the linked site to pages in memory. Pure: reads nothing from disk but the static
//! folder listing, writes nothing. Markdown first (all bodies, in parallel), then every page
//! through its template (in parallel).

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use crate::breadcrumbs;
use crate::content::Source;
use crate::diagnostic::{Diagnostic, Location};
use crate::highlight::Highlighter;
use crate::markdown::{self, AnchorLink, LinkResolver, PageRef, RenderedMarkdown};
use crate::output::{Content, Origin, Output, Sink};
use crate::paths::{Segment, UrlPath};
use crate::related::Resolution;
use crate::site::{Article, ArticleId, CategoryId, HOME, Site};
use crate::templates::{Local, Templates};
use crate::views::*;

/// How many neighbours "more in this category" shows.
const SIBLINGS_SHOWN: usize = 10;

/// Rendered Markdown of every article and category, by index.
pub struct Bodies {
    pub articles: Vec<RenderedMarkdown>,
    pub categories: Vec<RenderedMarkdown>,
}

/// One rendered Markdown body and the problems found in it.
pub type RenderedBody = (RenderedMarkdown, Vec<Diagnostic>);

/// Renders every Markdown body and checks the links between them.
pub fn render_bodies(site: &Site) -> (Bodies, Vec<Diagnostic>) {
    let (articles, categories) = render_each_body(site, &Highlighter::new(), |_| None);
    bodies_from(site, articles, categories, None)
}

/// Renders the body of every article and category (in parallel), except those `reuse` hands
/// back: `kb serve` keeps the bodies whose source and links did not change (and its
/// highlighter, whose syntaxes take a while to load).
pub fn render_each_body(
    site: &Site,
    highlighter: &Highlighter,
    mut reuse: impl FnMut(PageRef) -> Option<RenderedBody>,
) -> (Vec<RenderedBody>, Vec<RenderedBody>) {
    let links = SiteLinks::new(site);
    let mut articles: Vec<Option<RenderedBody>> = (0..site.articles.len())
        .map(|id| reuse(PageRef::Article(id)))
        .collect();
    articles
        .par_iter_mut()
        .enumerate()
        .filter(|(_, body)| body.is_none())
        .for_each(|(id, body)| {
            let source = &site.articles[id].source;
            *body = Some(markdown::render(source, Some(id), &links, highlighter));
        });
    let mut categories: Vec<Option<RenderedBody>> = (0..site.categories.len())
        .map(|id| reuse(PageRef::Category(id)))
        .collect();
    categories
        .par_iter_mut()
        .enumerate()
        .filter(|(_, body)| body.is_none())
        .for_each(|(id, body)| *body = Some(category_body(site, id, &links, highlighter)));
    (
        articles.into_iter().flatten().collect(),
        categories.into_iter().flatten().collect(),
    )
}

/// The body of every category (its `_index.md`), with the links of the site made already.
fn render_category_bodies(
    site: &Site,
    links: &SiteLinks,
    highlighter: &Highlighter,
) -> Vec<RenderedBody> {
    (0..site.categories.len())
        .into_par_iter()
        .map(|id| category_body(site, id, links, highlighter))
        .collect()
}

fn category_body(
    site: &Site,
    id: CategoryId,
    links: &SiteLinks,
    highlighter: &Highlighter,
) -> RenderedBody {
    match &site.categories[id].source {
        Some(source) => markdown::render(source, None, links, highlighter),
        None => (RenderedMarkdown::default(), Vec::new()),
    }
}

/// Renders the bodies of these pages alone: `kb serve` renders those of the edited sources and
/// keeps the others.
pub fn render_bodies_of(
    site: &Site,
    highlighter: &Highlighter,
    pages: &[PageRef],
) -> Vec<RenderedBody> {
    let links = SiteLinks::new(site);
    pages
        .par_iter()
        .map(|page| match *page {
            PageRef::Article(id) => {
                markdown::render(&site.articles[id].source, Some(id), &links, highlighter)
            }
            PageRef::Category(id) => category_body(site, id, &links, highlighter),
        })
        .collect()
}

/// Collects rendered bodies, by index, and checks the anchors of the links between them.
/// `root`: where to read a source whose body was released again (see [`check_anchors`]).
pub fn bodies_from(
    site: &Site,
    articles: Vec<RenderedBody>,
    categories: Vec<RenderedBody>,
    root: Option<&Path>,
) -> (Bodies, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut collect = |bodies: Vec<RenderedBody>| -> Vec<RenderedMarkdown> {
        bodies
            .into_iter()
            .map(|(body, mut found)| {
                problems.append(&mut found);
                body
            })
            .collect()
    };
    let bodies = Bodies {
        articles: collect(articles),
        categories: collect(categories),
    };
    problems.extend(check_anchors(site, &bodies, root));
    (bodies, problems)
}

/// Links to `page#anchor` must name a heading or a numbered step that exists on that page.
/// A broken one is located in its source, read again from under `root` if its body was
/// released (`kb build`); `None` when every source is whole.
pub fn check_anchors(site: &Site, bodies: &Bodies, root: Option<&Path>) -> Vec<Diagnostic> {
    let sources = site
        .articles
        .iter()
        .map(|a| Some(&a.source))
        .zip(&bodies.articles)
        .chain(
            site.categories
                .iter()
                .map(|c| c.source.as_ref())
                .zip(&bodies.categories),
        );
    let mut problems = Vec::new();
    for (source, body) in sources {
        let Some(source) = source else { continue };
        for link in &body.anchor_links {
            let target = match link.target {
                PageRef::Article(id) => &bodies.articles[id],
                PageRef::Category(id) => &bodies.categories[id],
            };
            if !target.headings.iter().any(|h| h.id == link.anchor)
                && !target.steps.contains(&link.anchor)
                && !is_theme_anchor(&link.anchor)
            {
                let mut problem = Diagnostic::error(format!(
                    "link to `#{}`, which is not a heading or step of that page",
                    link.anchor
                ))
                .in_file(&source.path)
                .with_help(known_anchors(target));
                if let Some(location) = link_location(source, link, root) {
                    problem = problem.at(location);
                }
                problems.push(problem);
            }
        }
    }
    problems
}

/// Where `link` is in `source`, read again from under `root` if its body was released; `None`
/// if it cannot be (the file changed or went away since it was rendered).
fn link_location(source: &Source, link: &AnchorLink, root: Option<&Path>) -> Option<Location> {
    let whole = match root {
        Some(root) => source
            .whole_in(root, &crate::content::SourceFolders::default())
            .ok()?,
        None => std::borrow::Cow::Borrowed(source),
    };
    Some(Location::at(&whole.text, link.offset, link.length))
}

/// The anchors a page does have, for the help of a broken anchor link.
fn known_anchors(page: &RenderedMarkdown) -> String {
    let headings: Vec<&str> = page.headings.iter().map(|h| h.id.as_str()).collect();
    let steps: Vec<&str> = page.steps.iter().collect();
    match (headings.is_empty(), steps.is_empty()) {
        (true, true) => "that page has no headings or numbered steps".to_string(),
        (false, true) => format!("its headings are: {}", headings.join(", ")),
        (true, false) => format!("its steps are: {}", steps.join(", ")),
        (false, false) => format!(
            "its headings are: {}; its steps are: {}",
            headings.join(", "),
            steps.join(", ")
        ),
    }
}

/// Anchors the default theme puts on every article page.
fn is_theme_anchor(anchor: &str) -> bool {
    matches!(
        anchor,
        "main" | "messages" | "applies-to" | "related" | "referenced-by"
    )
}

/// Where each source file and code is published, for rewriting links in Markdown.
struct SiteLinks<'a> {
    site: &'a Site,
    /// By the sources' own paths (no copies), with a fast hash: `kb serve` makes this for
    /// every edit.
    by_source: foldhash::HashMap<&'a Path, (PageRef, &'a UrlPath)>,
}

impl<'a> SiteLinks<'a> {
    fn new(site: &'a Site) -> Self {
        let count = site.articles.len() + site.categories.len();
        let mut by_source = foldhash::HashMap::with_capacity_and_hasher(count, Default::default());
        for (id, article) in site.articles.iter().enumerate() {
            by_source.insert(
                article.source.path.as_path(),
                (PageRef::Article(id), &article.url),
            );
        }
        for (id, category) in site.categories.iter().enumerate() {
            if let Some(source) = &category.source {
                by_source.insert(
                    source.path.as_path(),
                    (PageRef::Category(id), &category.url),
                );
            }
        }
        SiteLinks { site, by_source }
    }
}

impl LinkResolver for SiteLinks<'_> {
    fn page_for_source(&self, path: &Path) -> Option<(PageRef, &UrlPath)> {
        self.by_source.get(path).copied()
    }

    fn page_for_code(
        &self,
        from: Option<usize>,
        code: &str,
    ) -> Result<(PageRef, &UrlPath), Diagnostic> {
        let catalog = from.map_or("", |id| self.site.articles[id].catalog.as_str());
        let resolution = self.site.codes.resolve(catalog, code);
        match resolution {
            Resolution::Found(id) => Ok((PageRef::Article(id), &self.site.articles[id].url)),
            other => Err(crate::related::explain(code, catalog, &other)
                .unwrap_or_else(|| Diagnostic::error(format!("no article has the code `{code}`")))),
        }
    }

    fn base_url(&self) -> &crate::config::BaseUrl {
        &self.site.config.base_url
    }
}

/// What [`stream_site`] leaves once every output is in the sink.
pub struct Streamed {
    /// Every output handed to the sink, for the collision check ([`collisions`]).
    pub placed: Vec<Place>,
    pub problems: Vec<Diagnostic>,
    /// The first output the sink could not take.
    pub write_error: Option<crate::error::Error>,
}

/// Renders the whole site and hands every output to `sink` as soon as it is made. Each
/// article's body is rendered, indexed for search and put into its page, and the page handed
/// over, before the next article of its run: however big the site, only a few pages are in
/// memory at once, and a page is written while its text is still in the processor's cache.
/// `taken` holds the whole sources taken out of the site's articles ([`Source::take_whole`]),
/// one place per article; an article without one is read again. `check_ahead` runs beside the
/// article pages (checks that need no body); `check_bodies` gets what it found once every body
/// is rendered, with the bodies.
pub fn stream_site<Found: Send>(
    site: &Site,
    mut taken: Vec<Option<Source>>,
    templates: &mut Templates,
    root: &Path,
    sink: &dyn Sink,
    check_ahead: impl FnOnce() -> Found + Send,
    check_bodies: impl FnOnce(Found, &Bodies) -> Vec<Diagnostic> + Send,
) -> Streamed {
    let static_dir = root.join(crate::assets::STATIC_DIR);
    let site_problems = set_site_context(site, templates);
    let templates = &*templates;
    // Made in the scope below, beside the checks ahead: on one core, these took a big site's
    // other core idle while the article runs waited for them.
    let made_links: std::sync::OnceLock<(SiteLinks, SharedLinks)> = std::sync::OnceLock::new();
    let highlighter = Highlighter::new();
    let folders = crate::content::SourceFolders::default();
    assert_eq!(taken.len(), site.articles.len(), "a place per article");
    let run_articles =
        |links: &SiteLinks, shared: &SharedLinks, first: usize, taken: &mut [Option<Source>]| {
            let mut done = ArticleRun::default();
            for (id, taken) in (first..).zip(taken) {
                let source = match taken.take() {
                    Some(whole) => Ok(std::borrow::Cow::Owned(whole)),
                    None => site.articles[id].source.whole_in(root, &folders),
                };
                let (mut body, problems) = match source {
                    Ok(source) => markdown::render(&source, Some(id), links, &highlighter),
                    Err(problem) => (RenderedMarkdown::default(), vec![*problem]),
                };
                done.index.push_article(site, id, &body.html);
                let page = article_page(site, &body, templates, shared, id);
                done.handed.hand_as(sink, page, || Place::Article(id));
                // Only what the checks read stays, in vectors no longer than their contents: a big
                // site keeps these for every article at once.
                body.html = String::new();
                body.headings.shrink_to_fit();
                body.anchor_links.shrink_to_fit();
                body.links.shrink_to_fit();
                done.bodies.push((body, problems));
            }
            done
        };
    let bounds = crate::search::article_runs(site.articles.len(), rayon::current_num_threads());
    let mut runs: Vec<Option<ArticleRun>> = bounds.iter().map(|_| None).collect();
    let mut found = None;
    // Each task in the order it was made: the checks ahead first (they wait on nothing, and
    // their own steps that run on one core leave the other to the runs), then the runs from
    // the biggest to the smallest, each core taking the next as it finishes one.
    rayon::scope_fifo(|scope| {
        let found = &mut found;
        scope.spawn_fifo(move |_| *found = Some(check_ahead()));
        let (links, shared) =
            made_links.get_or_init(|| (SiteLinks::new(site), SharedLinks::new(site, templates)));
        let mut left = &mut taken[..];
        for (range, run) in bounds.iter().zip(&mut runs) {
            let (taken, rest) = std::mem::take(&mut left).split_at_mut(range.len());
            left = rest;
            let run_articles = &run_articles;
            scope.spawn_fifo(move |_| *run = Some(run_articles(links, shared, range.start, taken)));
        }
    });
    let (links, shared) = made_links
        .into_inner()
        .expect("the links are made in the scope");
    let runs: Vec<ArticleRun> = (runs.into_iter())
        .map(|run| run.expect("every run is done"))
        .collect();
    let found = found.expect("the checks ahead are done");
    let mut handed = Handed::default();
    // Room for every run's places at once: a big site's list was copied at every doubling.
    handed
        .placed
        .reserve(runs.iter().map(|run| run.handed.placed.len()).sum());
    let mut run_bodies = Vec::with_capacity(bounds.len());
    let mut index_runs = Vec::with_capacity(bounds.len());
    for run in runs {
        handed.append(run.handed);
        run_bodies.push(run.bodies);
        index_runs.push(run.index);
    }
    let category_bodies = render_category_bodies(site, &links, &highlighter);
    // The checks of the bodies read the categories' bodies while their pages are made from
    // them: they get copies without the HTML (a site has a few hundred categories).
    let checked_categories = (category_bodies.iter())
        .map(|(body, problems)| (body.without_html(), problems.clone()))
        .collect();
    let category_bodies: Vec<RenderedMarkdown> =
        category_bodies.into_iter().map(|(body, _)| body).collect();
    // One after the other, so that what each needs for a while is not in memory at the same
    // time as what the others need: the category and listing pages, side by side, with the
    // links shared by the pages, and beside them the checks of the bodies (the caller's among
    // them), after which the articles' bodies leave memory; the search files, which join the
    // search index (its runs and part of the joined lists at once); the static files and
    // publishing files. (The checks, on one core, took a big site's other core idle for a
    // while when they ran on their own.)
    let (mut problems, (categories, listings)) = rayon::join(
        move || {
            let article_bodies = run_bodies.into_iter().flatten().collect();
            let (bodies, mut problems) =
                bodies_from(site, article_bodies, checked_categories, Some(root));
            problems.extend(site_problems);
            problems.append(&mut check_bodies(found, &bodies));
            problems
        },
        || {
            rayon::join(
                || {
                    let pages = (0..site.categories.len())
                        .into_par_iter()
                        .map(|id| category_page(site, &category_bodies[id], templates, &shared, id))
                        .collect();
                    hand_all(sink, pages)
                },
                || hand_listing_pages(site, templates, &shared, sink),
            )
        },
    );
    handed.append(categories);
    handed.append(listings);
    handed.hand(sink, crate::search::page_output(site, templates));
    // The search index's files and the publishing files side by side: each has steps on one
    // core (the index's sort of its terms and its last range of terms, the short addresses
    // taken one at a time), which left the other core idle when they ran one after the other.
    // Short addresses must only take what no page or static file has taken, and the index's
    // files are all below `search/<folder>/`, deeper than any address they could take: the
    // publishing files need only the outputs handed so far and the static files.
    let (search, (assets, mut asset_problems, published)) = rayon::join(
        move || {
            // The shared links are many small values, a while to drop on one core: beside
            // the search index's encoding rather than before it.
            let ((), encoded) = rayon::join(
                move || drop(shared),
                || crate::search::encode_runs(index_runs),
            );
            let outputs = crate::search::index_outputs(encoded);
            hand_all(sink, outputs.into_iter().map(Ok).collect())
        },
        || {
            let (assets, asset_problems) = crate::assets::collect(&static_dir);
            let mut handed_assets = Handed::default();
            for asset in assets {
                handed_assets.hand(sink, Ok(asset));
            }
            let before = [&handed.placed[..], &handed_assets.placed[..]];
            let published = hand_publishing(site, templates, &before, sink);
            (handed_assets, asset_problems, published)
        },
    );
    handed.append(search);
    handed.append(assets);
    handed.append(published);
    problems.append(&mut asset_problems);
    // A template error repeats on every page; once is enough.
    crate::diagnostic::sort(&mut handed.problems);
    handed
        .problems
        .dedup_by(|a, b| a.message == b.message && a.location == b.location && a.file == b.file);
    problems.append(&mut handed.problems);
    Streamed {
        placed: handed.placed,
        problems,
        write_error: handed.write_error,
    }
}

/// The redirect pages (at aliases and short addresses) and the publishing files
/// ([`crate::publish`]) around the outputs already `placed` (in parts), each handed to the sink
/// as soon as it is made.
fn hand_publishing(
    site: &Site,
    templates: &Templates,
    placed: &[&[Place]],
    sink: &dyn Sink,
) -> Handed {
    // Short addresses and publishing files are at the top of the site: only the outputs there
    // can be in their way, the alias pages made below among them.
    let aliases = site
        .articles
        .iter()
        .flat_map(|article| &article.meta.aliases);
    let near_top = (placed.iter().flat_map(|places| places.iter()))
        .map(|place| place.url(site))
        .chain(aliases)
        .filter(|url| crate::publish::may_take_publishing_address(url));
    let mut taken = crate::publish::Taken::of_urls(near_top);
    let short = crate::redirects::short_urls(site, &mut taken);
    let mut short_of: Vec<Option<&UrlPath>> = vec![None; site.articles.len()];
    for short_url in &short {
        short_of[short_url.article] = Some(&short_url.url);
    }
    let (pages, files) = rayon::join(
        // An article's alias pages and short-address page are the same page: made once.
        || {
            (0..site.articles.len())
                .into_par_iter()
                .with_min_len(64)
                .fold(Handed::default, |mut done, id| {
                    hand_redirect_pages(site, templates, id, short_of[id], sink, &mut done);
                    done
                })
                .collect::<Vec<_>>()
        },
        // Written as soon as they are made, beside the redirect pages: catalog.json is
        // the biggest file of a site, one core's work to write.
        || {
            let files = crate::publish::files(site, &short).into_iter();
            // A site's own static file of the same name takes the place of a publishing file.
            let files = files.filter(|file| taken.is_free(&file.url));
            hand_all(sink, files.map(Ok).collect())
        },
    );
    let mut handed = Handed::default();
    pages.into_iter().for_each(|part| handed.append(part));
    handed.append(files);
    handed
}

/// Hands rendered outputs to the sink on all cores, keeping their order in what it returns.
fn hand_all(sink: &dyn Sink, rendered: Vec<Result<Output, Diagnostic>>) -> Handed {
    let parts: Vec<Handed> = rendered
        .into_par_iter()
        .with_min_len(64)
        .fold(Handed::default, |mut done, output| {
            done.hand(sink, output);
            done
        })
        .collect();
    let mut handed = Handed::default();
    parts.into_iter().for_each(|part| handed.append(part));
    handed
}

/// What one run of articles made, besides the outputs it handed over.
#[derive(Default)]
struct ArticleRun {
    index: crate::search::SearchIndex,
    bodies: Vec<RenderedBody>,
    handed: Handed,
}

/// Outputs handed to a sink: where each went, and what went wrong.
#[derive(Default)]
struct Handed {
    placed: Vec<Place>,
    problems: Vec<Diagnostic>,
    write_error: Option<crate::error::Error>,
}

impl Handed {
    fn hand(&mut self, sink: &dyn Sink, rendered: Result<Output, Diagnostic>) {
        self.hand_placed(sink, rendered, |output| {
            Place::Other(Box::new((output.url.clone(), output.origin.clone())))
        });
    }

    /// [`Handed::hand`] for an output whose address and origin `place` gives.
    fn hand_as(
        &mut self,
        sink: &dyn Sink,
        rendered: Result<Output, Diagnostic>,
        place: impl FnOnce() -> Place,
    ) {
        self.hand_placed(sink, rendered, |_| place());
    }

    fn hand_placed(
        &mut self,
        sink: &dyn Sink,
        rendered: Result<Output, Diagnostic>,
        place: impl FnOnce(&Output) -> Place,
    ) {
        match rendered {
            Ok(output) => {
                self.placed.push(place(&output));
                if let Err(e) = sink.put(output) {
                    self.write_error.get_or_insert(e);
                }
            }
            Err(problem) => self.problems.push(problem),
        }
    }

    fn append(&mut self, mut other: Handed) {
        self.placed.append(&mut other.placed);
        self.problems.append(&mut other.problems);
        if self.write_error.is_none() {
            self.write_error = other.write_error;
        }
    }
}

/// Where an output handed to the sink went and what made it, as small as can tell: a big site
/// hands over several outputs for each of its articles, and the collision check needs them all
/// once everything is written.
#[derive(Debug)]
pub enum Place {
    /// An article's page.
    Article(ArticleId),
    /// The redirect page at an article's alias, by its position in `aliases`.
    Alias(ArticleId, usize),
    /// The redirect page at an article's short address.
    Short(ArticleId, UrlPath),
    Other(Box<(UrlPath, Origin)>),
}

impl Place {
    /// The output's address. `site` must be the site the output was made from.
    pub fn url<'a>(&'a self, site: &'a Site) -> &'a UrlPath {
        match self {
            Place::Article(id) => &site.articles[*id].url,
            Place::Alias(id, alias) => &site.articles[*id].meta.aliases[*alias],
            Place::Short(_, url) => url,
            Place::Other(placed) => &placed.0,
        }
    }

    /// What made the output, as [`Output::origin`] says it.
    pub fn origin(&self, site: &Site) -> Origin {
        match self {
            Place::Article(id) | Place::Short(id, _) => {
                Origin::Source(site.articles[*id].source.path.clone())
            }
            Place::Alias(id, alias) => {
                let article = &site.articles[*id];
                alias_origin(article, &article.meta.aliases[*alias])
            }
            Place::Other(placed) => placed.1.clone(),
        }
    }
}

/// Outputs that would land on the same file, or on a file where another output needs a folder
/// ([`crate::output::collisions_of`]), among those `placed`. The files are compared first, so
/// that only the outputs that do collide are described in full.
pub fn collisions(site: &Site, placed: &[Place]) -> Vec<Diagnostic> {
    // The files as text ([`UrlPath::output_file_text`]): no segment is empty, `.` or `..` or
    // holds a `/`, so two files are the same exactly when their texts are, and text is hashed
    // at once where a `Path` is hashed a component at a time.
    let files: Vec<String> = placed
        .par_iter()
        .with_min_len(1024)
        .map(|place| place.url(site).output_file_text())
        .collect();
    // The first place of each file, in shards by the file's hash, each shard filled on a core
    // of its own: one map of a big site's every file was filled on one core while the other
    // waited, at the end of the build.
    let shards = rayon::current_num_threads().max(1);
    let shard_of = |file: &str| {
        use std::hash::BuildHasher;
        let hash = foldhash::fast::FixedState::default().hash_one(file);
        (hash % shards as u64) as usize
    };
    let file_shards: Vec<usize> = (files.par_iter())
        .with_min_len(1024)
        .map(|file| shard_of(file))
        .collect();
    let firsts: Vec<(foldhash::HashMap<&str, usize>, Vec<usize>)> = (0..shards)
        .into_par_iter()
        .map(|shard| {
            let room = files.len() / shards + 1;
            let mut first = foldhash::HashMap::with_capacity_and_hasher(room, Default::default());
            let mut taken_twice = Vec::new();
            for (at, file) in files.iter().enumerate() {
                if file_shards[at] != shard {
                    continue;
                }
                match first.entry(file.as_str()) {
                    std::collections::hash_map::Entry::Occupied(taken) => {
                        taken_twice.push(*taken.get());
                        taken_twice.push(at);
                    }
                    std::collections::hash_map::Entry::Vacant(free) => {
                        free.insert(at);
                    }
                }
            }
            (first, taken_twice)
        })
        .collect();
    drop(file_shards);
    let mut colliding = vec![false; files.len()];
    for (_, taken_twice) in &firsts {
        for at in taken_twice {
            colliding[*at] = true;
        }
    }
    // Every folder above every file, looked up on all cores: `kb build` waits for this. A file
    // placed twice is looked up twice, which marks nothing more: it collides already, and the
    // file it would be below is marked through the file's first place.
    let below_a_file: Vec<(usize, usize)> = files
        .par_iter()
        .enumerate()
        .with_min_len(1024)
        .flat_map_iter(|(at, file)| {
            crate::paths::folders_above(file)
                .filter_map(|folder| firsts[shard_of(folder)].0.get(folder))
                .map(move |above| (at, *above))
        })
        .collect();
    for (at, above) in below_a_file {
        colliding[at] = true;
        colliding[above] = true;
    }
    // A name for every output, freed on all cores: on one, a big site's took 20 ms at the end
    // of the build.
    firsts.into_par_iter().for_each(drop);
    files.into_par_iter().with_min_len(4096).for_each(drop);
    let described: Vec<(&UrlPath, Origin)> = placed
        .iter()
        .zip(&colliding)
        .filter(|(_, colliding)| **colliding)
        .map(|(place, _)| (place.url(site), place.origin(site)))
        .collect();
    crate::output::collisions_of(
        described
            .iter()
            .map(|(url, origin)| crate::output::Placed { url, origin }),
    )
}

/// A page made from one article or category. `kb serve` renders these one by one and keeps
/// them between builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageId {
    Article(ArticleId),
    Category(CategoryId),
}

/// Every article and category page, in output order.
pub fn page_ids(site: &Site) -> Vec<PageId> {
    let articles = (0..site.articles.len()).map(PageId::Article);
    articles
        .chain((0..site.categories.len()).map(PageId::Category))
        .collect()
}

/// Renders one article or category page with the link values shared by the pages of one
/// build. The site context must be set ([`set_site_context`]).
pub fn render_page_with(
    site: &Site,
    bodies: &Bodies,
    templates: &Templates,
    links: &SharedLinks,
    page: PageId,
) -> Result<Output, Diagnostic> {
    match page {
        PageId::Article(id) => article_page(site, &bodies.articles[id], templates, links, id),
        PageId::Category(id) => category_page(site, &bodies.categories[id], templates, links, id),
    }
}

/// The partials rendered once per build with the site-wide values alone, and the variables
/// every template sees them as: the same on every page, `base.html` prints them.
pub const SITE_PARTIALS: [(&str, &str); 2] = [
    ("partials/header.html", "site_header"),
    ("partials/footer.html", "site_footer"),
];

/// Puts the site-wide values every template sees into the templates: `site`, and the
/// [`SITE_PARTIALS`] rendered with it. A partial that fails is empty, and its error returned.
pub fn set_site_context(site: &Site, templates: &mut Templates) -> Vec<Diagnostic> {
    let base = &site.config.base_url;
    let mut ui = default_ui();
    ui.extend(site.config.ui.clone());
    let view = SiteView {
        title: &site.config.title,
        description: &site.config.description,
        language: &site.config.language,
        og_locale: site.config.language.replace('-', "_"),
        base_path: &base.path,
        home_url: base.link("/"),
        codes_url: base.link("/codes/"),
        tags_url: base.link("/tags/"),
        feed_url: base.link("/feed.xml"),
        css_url: base.link("/kb.css"),
        js_url: base.link("/kb.js"),
        search_url: base.link("/search/"),
        search_js_url: base.link("/search.js"),
        ui,
        feedback_endpoint: site.config.feedback_endpoint.as_deref(),
        catalogs: site
            .home()
            .children
            .iter()
            .map(|c| category_link(site, &site.categories[*c]))
            .collect(),
        generator: format!("kb {}", env!("CARGO_PKG_VERSION")),
        extra: &site.config.extra,
    };
    templates.tera.global_context().insert("site", &view);
    let mut problems = Vec::new();
    for (_, variable) in SITE_PARTIALS {
        // Rendered without the earlier build's partials: none sees another.
        templates.tera.global_context().remove(variable);
    }
    for (partial, variable) in SITE_PARTIALS {
        // Only when some template prints it: a site's own `base.html` may include a
        // `partials/header.html` of its own with each page's values, as before these were made.
        if !templates.mention(variable) {
            continue;
        }
        let html = templates
            .render(partial, &tera::Context::new())
            .unwrap_or_else(|problem| {
                problems.push(problem);
                String::new()
            });
        let value = tera::Value::safe_string(&html);
        templates
            .tera
            .global_context()
            .insert_value(variable, value);
    }
    templates.keep_globals();
    problems
}

pub(crate) fn page_meta(
    site: &Site,
    title: String,
    description: Option<&str>,
    url: &UrlPath,
) -> PageMeta {
    let base = &site.config.base_url;
    let link = base.link(url.as_str());
    PageMeta {
        title,
        description: description.unwrap_or(&site.config.description).to_string(),
        canonical: base.absolute_of_link(link.clone()),
        url: link,
    }
}

pub(crate) fn render(
    templates: &Templates,
    name: &str,
    view: &impl serde::Serialize,
    url: &UrlPath,
    origin: Origin,
) -> Result<Output, Diagnostic> {
    let context = context_of(view).map_err(|e| {
        Diagnostic::error(format!(
            "cannot prepare the page {url} for its template: {e}"
        ))
    })?;
    render_context(templates, name, &context, url, origin)
}

/// [`render`] with the page's context made already.
fn render_context(
    templates: &Templates,
    name: &str,
    context: &tera::Context,
    url: &UrlPath,
    origin: Origin,
) -> Result<Output, Diagnostic> {
    let html = templates.render_bytes(name, context)?;
    Ok(Output {
        url: url.clone(),
        content: Content::Rendered(html),
        origin,
    })
}

/// JSON for a `<script type="application/ld+json">`: `<`, `>` and `&` escaped so that no text
/// from front matter can close the script element.
pub fn script_json(value: &impl serde::Serialize) -> String {
    let json = serde_json::to_string(value).unwrap_or_default();
    if !json.contains(['<', '>', '&']) {
        return json;
    }
    let mut escaped = String::with_capacity(json.len() + 16);
    let mut rest = json.as_str();
    while let Some(at) = rest.find(['<', '>', '&']) {
        escaped.push_str(&rest[..at]);
        escaped.push_str(match rest.as_bytes()[at] {
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            _ => "\\u0026",
        });
        rest = &rest[at + 1..];
    }
    escaped.push_str(rest);
    escaped
}

fn article_page(
    site: &Site,
    body: &RenderedMarkdown,
    templates: &Templates,
    shared: &SharedLinks,
    id: ArticleId,
) -> Result<Output, Diagnostic> {
    let article = &site.articles[id];
    render_context(
        templates,
        "article.html",
        &article_view(site, body, shared, id)?.into_context(),
        &article.url,
        Origin::Source(article.source.path.clone()),
    )
}

/// The values of an article's page.
fn article_view<'a>(
    site: &'a Site,
    body: &'a RenderedMarkdown,
    shared: &SharedLinks,
    id: ArticleId,
) -> Result<ArticlePage<'a>, Diagnostic> {
    let article = &site.articles[id];
    let meta = &article.meta;
    let heading = format!("{} {}", meta.code, meta.title);
    let page = page_meta(
        site,
        format!("{heading} | {}", site.config.title),
        meta.summary.as_deref(),
        &article.url,
    );
    let (breadcrumbs, json_ld) = article_trail(site, shared, id, &page);
    let links = |ids: &[ArticleId]| shared.articles(ids);
    Ok(ArticlePage {
        article: ArticleView {
            code: meta.code.as_str(),
            title: &meta.title,
            summary: meta.summary.as_deref(),
            messages: &meta.messages,
            applies_to: &meta.applies_to,
            tags: article
                .tags
                .iter()
                .map(|tag| shared.tag(&tag.name, &tag.slug))
                .collect(),
            updated: meta.updated.as_ref().map(|d| d.as_str()),
            catalog: &article.catalog,
            extra: &meta.extra,
            body: &body.html,
            headings: &body.headings,
        },
        category: shared.category(article.category),
        breadcrumbs,
        related: links(&article.related)?,
        referenced_by: links(&article.referenced_by)?,
        also_referenced_by: links(&not_in(&article.referenced_by, &article.related))?,
        siblings: links(&siblings(site, id))?,
        json_ld,
        page,
    })
}

/// An article page's breadcrumbs and its JSON-LD (the `TechArticle`, then the
/// `BreadcrumbList`), from the part of the trail its category's articles share.
fn article_trail(
    site: &Site,
    shared: &SharedLinks,
    id: ArticleId,
    page: &PageMeta,
) -> (Vec<LinkValue>, String) {
    let article = &site.articles[id];
    let above = shared.trail(article.category);
    let own = breadcrumbs::article_crumb(site, id);
    let mut json_ld = String::with_capacity(
        above.json_ld_opening.len() + 256 + 2 * (own.title.len() + page.canonical.len()),
    );
    json_ld.push('[');
    // The article's own crumb is named by its headline.
    push_tech_article(&mut json_ld, site, article, &own.title, page);
    json_ld.push(',');
    breadcrumbs::push_json_ld_after(
        &mut json_ld,
        site,
        &above.json_ld_opening,
        above.crumbs.len(),
        &own,
    );
    json_ld.push(']');
    let mut crumbs = Vec::with_capacity(above.crumbs.len() + 1);
    crumbs.extend(above.crumbs.iter().cloned());
    crumbs.push(tera::Value::from_serializable(&own));
    (crumbs, json_ld)
}

/// The schema.org `TechArticle` of an article page as [`script_json`] writes it, its keys in the
/// order JSON-LD has always been written in (sorted). Written by hand: serializing it was a
/// tenth of the work of an article page besides its template.
fn push_tech_article(
    json: &mut String,
    site: &Site,
    article: &Article,
    headline: &str,
    page: &PageMeta,
) {
    json.push_str(r#"{"@context":"https://schema.org","@type":"TechArticle""#);
    if let Some(updated) = &article.meta.updated {
        json.push_str(r#","dateModified":"#);
        crate::json::push_script_string(json, updated.as_str());
    }
    if let Some(summary) = &article.meta.summary {
        json.push_str(r#","description":"#);
        crate::json::push_script_string(json, summary);
    }
    json.push_str(r#","headline":"#);
    crate::json::push_script_string(json, headline);
    json.push_str(r#","inLanguage":"#);
    crate::json::push_script_string(json, &site.config.language);
    json.push_str(r#","url":"#);
    crate::json::push_script_string(json, &page.canonical);
    json.push('}');
}

#[cfg(test)]
fn tech_article<'a>(site: &'a Site, article: &'a Article, page: &'a PageMeta) -> TechArticle<'a> {
    TechArticle {
        context: "https://schema.org",
        kind: "TechArticle",
        date_modified: article.meta.updated.as_ref().map(|d| d.as_str()),
        description: article.meta.summary.as_deref(),
        headline: format!("{} {}", article.meta.code, article.meta.title),
        in_language: &site.config.language,
        url: &page.canonical,
    }
}

/// A schema.org `TechArticle` for `serde_json`, what [`push_tech_article`] must write.
#[cfg(test)]
#[derive(serde::Serialize)]
struct TechArticle<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "dateModified", skip_serializing_if = "Option::is_none")]
    date_modified: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    headline: String,
    #[serde(rename = "inLanguage")]
    in_language: &'a str,
    url: &'a str,
}

/// The ids of `ids` that `listed` does not contain, in order.
fn not_in(ids: &[ArticleId], listed: &[ArticleId]) -> Vec<ArticleId> {
    ids.iter()
        .filter(|id| !listed.contains(id))
        .copied()
        .collect()
}

/// Up to [`SIBLINGS_SHOWN`] articles around this one in its category, itself excluded.
pub fn siblings(site: &Site, id: ArticleId) -> Vec<ArticleId> {
    let list = &site.categories[site.articles[id].category].articles;
    let position = list.iter().position(|a| *a == id).unwrap_or(0);
    let start = position
        .saturating_sub(SIBLINGS_SHOWN / 2)
        .min(list.len().saturating_sub(SIBLINGS_SHOWN + 1));
    list[start..]
        .iter()
        .filter(|a| **a != id)
        .take(SIBLINGS_SHOWN)
        .copied()
        .collect()
}

fn category_page(
    site: &Site,
    body: &RenderedMarkdown,
    templates: &Templates,
    shared: &SharedLinks,
    id: CategoryId,
) -> Result<Output, Diagnostic> {
    let category = &site.categories[id];
    let origin = category
        .source
        .as_ref()
        .map_or(Origin::Builtin("a category folder"), |s| {
            Origin::Source(s.path.clone())
        });
    let articles = shared.articles(&category.articles)?;
    if id == HOME {
        let title = if category.title.is_empty() {
            site.config.title.clone()
        } else {
            category.title.clone()
        };
        let view = HomePage {
            page: page_meta(site, title, category.description.as_deref(), &category.url),
            intro: &body.html,
            catalogs: category
                .children
                .iter()
                .map(|c| CatalogSection {
                    category: shared.category(*c),
                    subcategories: shared.categories(&site.categories[*c].children),
                })
                .collect(),
            articles,
            total_articles: category.total_articles,
        };
        return render(templates, "home.html", &view, &category.url, origin);
    }
    let trail = breadcrumbs::for_category(site, id);
    let view = CategoryPage {
        page: page_meta(
            site,
            format!("{} | {}", category.title, site.config.title),
            category.description.as_deref(),
            &category.url,
        ),
        category: shared.category(id),
        intro: &body.html,
        extra: &category.extra,
        json_ld: script_json(&breadcrumbs::json_ld(site, &trail)),
        breadcrumbs: trail,
        subcategories: shared.categories(&category.children),
        articles,
    };
    render(templates, "category.html", &view, &category.url, origin)
}

fn fixed_path(segments: &[&str], folder: bool) -> UrlPath {
    let segments = segments
        .iter()
        .filter_map(|s| Segment::new(s).ok())
        .collect();
    if folder {
        UrlPath::folder(segments)
    } else {
        UrlPath::file(segments)
    }
}

/// One of the listing pages: `kb serve` renders again only those whose inputs changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Listing {
    Codes,
    Tags,
    Tag(Segment),
    NotFound,
    /// The redirect page at an article's alias, by its place in `aliases`.
    Alias(ArticleId, usize),
}

/// Every listing page, in output order: the index pages, then each alias page.
pub fn listings(site: &Site) -> Vec<Listing> {
    let mut listings = index_listings(site);
    for (id, article) in site.articles.iter().enumerate() {
        listings.extend((0..article.meta.aliases.len()).map(|n| Listing::Alias(id, n)));
    }
    listings
}

/// The listing pages that are not alias pages: all codes, the tag index, each tag, 404.
fn index_listings(site: &Site) -> Vec<Listing> {
    let mut listings = vec![Listing::Codes, Listing::Tags];
    listings.extend(site.tags.keys().cloned().map(Listing::Tag));
    listings.push(Listing::NotFound);
    listings
}

/// Renders one listing page; `None` when the site has no such page.
pub fn render_listing(
    site: &Site,
    templates: &Templates,
    shared: &SharedLinks,
    listing: &Listing,
) -> Option<Result<Output, Diagnostic>> {
    Some(match listing {
        Listing::Codes => codes_page(site, templates, shared),
        Listing::Tags => tags_page(site, templates),
        Listing::Tag(slug) => tag_page(site, templates, shared, site.tags.get(slug)?),
        Listing::NotFound => not_found_page(site, templates),
        Listing::Alias(id, n) => {
            let article = site.articles.get(*id)?;
            alias_page(site, templates, article, article.meta.aliases.get(*n)?)
        }
    })
}

/// An interface string of the site, or its English default.
fn ui_text(site: &Site, key: &str, fallback: &str) -> String {
    site.config
        .ui
        .get(key)
        .cloned()
        .unwrap_or_else(|| fallback.to_string())
}

/// The all-codes page.
fn codes_page(
    site: &Site,
    templates: &Templates,
    shared: &SharedLinks,
) -> Result<Output, Diagnostic> {
    let codes_url = fixed_path(&["codes"], true);
    let mut groups: Vec<CodeGroup> = Vec::new();
    let root_articles = &site.home().articles;
    if !root_articles.is_empty() {
        groups.push(CodeGroup {
            category: None,
            articles: sorted_by_code(shared, root_articles.clone())?,
        });
    }
    // One pass over the articles, not one per catalog: sites with many catalogs are big ones.
    let mut by_catalog: HashMap<CategoryId, Vec<ArticleId>> = HashMap::new();
    for (id, article) in site.articles.iter().enumerate() {
        if let Some(catalog) = catalog_category(site, article.category) {
            by_catalog.entry(catalog).or_default().push(id);
        }
    }
    for catalog in &site.home().children {
        groups.push(CodeGroup {
            category: Some(shared.category(*catalog)),
            articles: sorted_by_code(shared, by_catalog.remove(catalog).unwrap_or_default())?,
        });
    }
    let view = CodesPage {
        page: page_meta(
            site,
            format!(
                "{} | {}",
                ui_text(site, "all_codes", "All codes"),
                site.config.title
            ),
            None,
            &codes_url,
        ),
        groups,
        total_articles: site.articles.len(),
    };
    render(
        templates,
        "codes.html",
        &view,
        &codes_url,
        Origin::Builtin("the all-codes index"),
    )
}

/// The page listing every tag.
fn tags_page(site: &Site, templates: &Templates) -> Result<Output, Diagnostic> {
    let tags_url = fixed_path(&["tags"], true);
    let view = TagsPage {
        page: page_meta(
            site,
            format!("{} | {}", ui_text(site, "tags", "Tags"), site.config.title),
            None,
            &tags_url,
        ),
        tags: site.tags.values().map(|tag| tag_link(site, tag)).collect(),
    };
    render(
        templates,
        "tags.html",
        &view,
        &tags_url,
        Origin::Builtin("the tag index"),
    )
}

/// The page of one tag.
fn tag_page(
    site: &Site,
    templates: &Templates,
    shared: &SharedLinks,
    tag: &crate::site::Tag,
) -> Result<Output, Diagnostic> {
    let view = TagPage {
        page: page_meta(
            site,
            format!("{} | {}", tag.name, site.config.title),
            None,
            &tag.url,
        ),
        tag: tag_link(site, tag),
        articles: sorted_by_code(shared, tag.articles.clone())?,
    };
    render(
        templates,
        "tag.html",
        &view,
        &tag.url,
        Origin::Builtin("a tag page"),
    )
}

/// The page a host shows for an address it does not have.
fn not_found_page(site: &Site, templates: &Templates) -> Result<Output, Diagnostic> {
    let not_found = fixed_path(&["404.html"], false);
    let view = NotFoundPage {
        page: page_meta(
            site,
            format!(
                "{} | {}",
                ui_text(site, "not_found_title", "Page not found"),
                site.config.title
            ),
            None,
            &not_found,
        ),
    };
    render(
        templates,
        "404.html",
        &view,
        &not_found,
        Origin::Builtin("the 404 page"),
    )
}

/// The catalog (a child of the home page) that `category` is in or is; `None` for the home page.
fn catalog_category(site: &Site, mut category: CategoryId) -> Option<CategoryId> {
    loop {
        match site.categories[category].parent {
            Some(HOME) => return Some(category),
            Some(parent) => category = parent,
            None => return None,
        }
    }
}

fn sorted_by_code(
    shared: &SharedLinks,
    mut ids: Vec<ArticleId>,
) -> Result<Vec<LinkValue>, Diagnostic> {
    shared.sort_by_code(&mut ids);
    shared.articles(&ids)
}

/// The redirect page at one of an article's aliases.
fn alias_page(
    site: &Site,
    templates: &Templates,
    article: &Article,
    alias: &UrlPath,
) -> Result<Output, Diagnostic> {
    let mut page = redirect_page(site, templates, article, alias)?;
    page.origin = alias_origin(article, alias);
    Ok(page)
}

/// The origin of the redirect page at an article's alias: the alias as written.
fn alias_origin(article: &Article, alias: &UrlPath) -> Origin {
    let written = alias.to_string();
    Origin::Alias {
        source: article.source.path.clone(),
        location: crate::site::front_matter_diagnostic(article, "aliases", &written, "").location,
    }
}

/// Every listing page ([`listings`]) but the alias pages (made with the short-address pages,
/// [`hand_publishing`]), each handed to `sink` as soon as it is made.
fn hand_listing_pages(
    site: &Site,
    templates: &Templates,
    shared: &SharedLinks,
    sink: &dyn Sink,
) -> Handed {
    // The index pages side by side (one after the other, the all-codes and tag pages, which
    // list every article, were the longest task of their step), each handed over as soon as
    // it is made: a tag page of a big site lists thousands of articles.
    let index: Vec<Handed> = index_listings(site)
        .par_iter()
        .with_max_len(1)
        .fold(Handed::default, |mut done, listing| {
            if let Some(page) = render_listing(site, templates, shared, listing) {
                done.hand(sink, page);
            }
            done
        })
        .collect();
    let mut handed = Handed::default();
    index.into_iter().for_each(|part| handed.append(part));
    handed
}

/// The redirect pages of article `id`: at each of its aliases and at its short address, if it
/// has one. They are the same page, rendered once.
fn hand_redirect_pages(
    site: &Site,
    templates: &Templates,
    id: ArticleId,
    short: Option<&UrlPath>,
    sink: &dyn Sink,
    done: &mut Handed,
) {
    let article = &site.articles[id];
    let aliases = &article.meta.aliases;
    let addresses: Vec<&UrlPath> = aliases.iter().chain(short).collect();
    let Some((last, others)) = addresses.split_last() else {
        return;
    };
    let place = |n: usize| match short {
        Some(short) if n == aliases.len() => Place::Short(id, short.clone()),
        _ => Place::Alias(id, n),
    };
    // Not `alias_page`: where an alias is written in the front matter is looked for only if
    // the collision check needs it (`Place::Alias`), not for every alias.
    let mut page = redirect_page(site, templates, article, addresses[0]);
    // Every address but the last gets a copy of the page; the last takes it (a big site has
    // hundreds of thousands of these pages, most articles one or two).
    for (n, url) in others.iter().enumerate() {
        let copy = match &page {
            Ok(page) => Ok(Output {
                url: (*url).clone(),
                content: page.content.clone(),
                origin: page.origin.clone(),
            }),
            Err(problem) => Err(problem.clone()),
        };
        done.hand_as(sink, copy, || place(n));
    }
    if let Ok(page) = &mut page {
        if page.url != **last {
            page.url = (*last).clone();
        }
    }
    done.hand_as(sink, page, || place(others.len()));
}

/// A redirect page at `from` (an alias or a short address) leading to `article`.
pub(crate) fn redirect_page(
    site: &Site,
    templates: &Templates,
    article: &Article,
    from: &UrlPath,
) -> Result<Output, Diagnostic> {
    let page = page_meta(
        site,
        format!("{} {}", article.meta.code, article.meta.title),
        article.meta.summary.as_deref(),
        &article.url,
    );
    let origin = Origin::Source(article.source.path.clone());
    // The article's absolute address, which is its page's canonical one.
    let target = &page.canonical;
    let made = templates.render_print_only(REDIRECT_TEMPLATE, |path| match path {
        "target" => Local::Text(target),
        "page" => Local::Missing,
        _ => match path.strip_prefix("page.") {
            Some("title") => Local::Text(&page.title),
            Some("description") => Local::Text(&page.description),
            Some("url") => Local::Text(&page.url),
            Some("canonical") => Local::Text(&page.canonical),
            Some(_) => Local::Missing,
            None => Local::NotLocal,
        },
    });
    if let Some(html) = made {
        return Ok(Output {
            url: from.clone(),
            content: Content::Rendered(html),
            origin,
        });
    }
    let target = page.canonical.clone();
    let view = RedirectPage { page, target };
    render(templates, REDIRECT_TEMPLATE, &view, from, origin)
}

/// The template of redirect pages: simple enough in the default theme to be made without Tera
/// ([`Templates::render_print_only`]).
const REDIRECT_TEMPLATE: &str = "redirect.html";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BaseUrl;

    /// The base URLs the tests build under: without an origin, with one and a sub-path, with one
    /// that must be escaped in a script.
    const BASE_URLS: [&str; 3] = ["/", "https://example.org/help/", "https://example.org/a&b/"];

    /// Outputs on the same file, and a file where others need a folder however deep below,
    /// collide; outputs side by side, or a file named like a folder elsewhere, do not. The
    /// problems are those every output compared with every other finds.
    #[test]
    fn collisions_are_files_taken_twice_or_in_the_way_of_a_folder() {
        let site = catalogs_site("/");
        let url = |names: &[&str], folder: bool| {
            let segments = (names.iter()).map(|name| Segment::new(name).expect("a segment"));
            let segments = segments.collect();
            if folder {
                UrlPath::folder(segments)
            } else {
                UrlPath::file(segments)
            }
        };
        let placed = [
            (url(&["a", "b", "c"], true), "deep below a file"),
            (url(&["b"], false), "beside"),
            (url(&["x", "a"], false), "named like the file elsewhere"),
            (url(&["a"], false), "in the way"),
            (url(&["d"], true), "taken twice"),
            (url(&["d", "index.html"], false), "taken twice again"),
            (url(&["e"], true), "alone"),
        ];
        let placed: Vec<Place> = (placed.into_iter())
            .map(|(url, what)| Place::Other(Box::new((url, Origin::Builtin(what)))))
            .collect();
        let messages = |mut problems: Vec<Diagnostic>| {
            let mut messages: Vec<String> = problems.drain(..).map(|d| d.message).collect();
            messages.sort();
            messages
        };
        let found = messages(collisions(&site, &placed));
        assert_eq!(found.len(), 2, "{found:?}");
        let origins: Vec<Origin> = placed.iter().map(|place| place.origin(&site)).collect();
        let every_pair =
            crate::output::collisions_of(placed.iter().zip(&origins).map(|(place, origin)| {
                crate::output::Placed {
                    url: place.url(&site),
                    origin,
                }
            }));
        assert_eq!(found, messages(every_pair));
    }

    fn catalogs_site(base_url: &str) -> Site {
        let mut site = crate::site::fixture("catalogs");
        site.config.base_url = BaseUrl::parse(base_url).expect("a valid base URL");
        site
    }

    /// [`catalogs_site`] with titles and summaries that must be escaped in HTML, in JSON and in a
    /// script.
    fn hostile_site(base_url: &str) -> Site {
        let mut site = catalogs_site(base_url);
        assert!(site.articles.len() > 3 && site.categories.len() > 3);
        site.categories[1].title = "Errors </script> & \"quotes\"".into();
        site.articles[0].meta.title = "<b>Bold</b> & 'single'".into();
        // Each character JSON or a script element escapes, alone in a text: the escaping of one
        // must not depend on another's being there.
        let hostile = [
            "a<b",
            "a>b",
            "a&b",
            "a\"b",
            "a\\b",
            "a\u{1}b\u{1f}",
            "\t\r\n\u{8}\u{c}",
        ];
        let plain = "Tout va bien \u{7f} \u{2028} é";
        for (n, article) in site.articles.iter_mut().enumerate().skip(1) {
            article.meta.title = format!("{} {}", hostile[n % hostile.len()], plain);
            article.meta.summary = match n % 3 {
                0 => None,
                _ => Some(hostile[(n + 3) % hostile.len()].to_string()),
            };
        }
        site.articles[3].meta.updated = crate::frontmatter::Date::parse("2024-02-29");
        site
    }

    /// The default theme (the fixture has no templates of its own), with the site context set.
    fn default_templates(site: &Site) -> Templates {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/catalogs");
        let mut templates = Templates::load(&root).expect("the default templates");
        assert!(set_site_context(site, &mut templates).is_empty());
        templates
    }

    /// The breadcrumbs and JSON-LD of every article page, made from the trail its category's
    /// articles share and written by hand, are what `serde_json` writes for its whole trail made
    /// for it alone.
    #[test]
    fn an_article_trail_made_from_its_categorys_is_its_own_trail() {
        for base_url in BASE_URLS {
            let site = hostile_site(base_url);
            let templates = default_templates(&site);
            let shared = SharedLinks::new(&site, &templates);
            for id in 0..site.articles.len() {
                let article = &site.articles[id];
                let title = site.config.title.clone();
                let page = page_meta(&site, title, article.meta.summary.as_deref(), &article.url);
                let (crumbs, json_ld) = article_trail(&site, &shared, id, &page);
                let whole = breadcrumbs::for_article(&site, id);
                let expected_json = script_json(&(
                    tech_article(&site, article, &page),
                    breadcrumbs::json_ld(&site, &whole),
                ));
                assert_eq!(json_ld, expected_json, "article {id} under {base_url}");
                assert_eq!(
                    tera::Value::from(crumbs),
                    tera::Value::from_serializable(&whole),
                    "article {id} under {base_url}"
                );
            }
        }
    }

    /// The default theme prints an article link's `html` and the site header and footer without
    /// a `safe` filter: each must be marked safe, or its HTML would be escaped.
    #[test]
    fn what_the_theme_prints_without_safe_is_marked_safe() {
        let site = hostile_site("/");
        let mut templates = default_templates(&site);
        let shared = SharedLinks::new(&site, &templates);
        for id in 0..site.articles.len() {
            let link = shared.article(id).expect("its list item");
            let html = link.get_from_path("html").expect("an html field");
            assert!(html.is_safe(), "article {id}");
        }
        drop(shared);
        let globals = templates.tera.global_context();
        for (partial, variable) in SITE_PARTIALS {
            let value = globals.get(variable).expect("the partial's HTML");
            assert!(
                value.as_str().is_some_and(|html| !html.is_empty()),
                "{partial}"
            );
            assert!(value.is_safe(), "{partial}");
        }
    }

    /// An article page's context, made field by field, is the one serializing its values makes.
    #[test]
    fn an_article_context_is_its_serialized_values() {
        for base_url in BASE_URLS {
            let site = hostile_site(base_url);
            let templates = default_templates(&site);
            let shared = SharedLinks::new(&site, &templates);
            let body = RenderedMarkdown {
                html: "<p>Body</p>".into(),
                headings: vec![crate::markdown::Heading {
                    level: 2,
                    id: "cause".into(),
                    text: "Cause".into(),
                }],
                ..RenderedMarkdown::default()
            };
            for id in 0..site.articles.len() {
                let view = article_view(&site, &body, &shared, id).expect("its links");
                let serialized = context_of(&view).expect("a struct");
                assert_eq!(
                    serialized,
                    tera::Context::from_serialize(&view).expect("a struct"),
                    "context_of makes what Tera makes, article {id} under {base_url}"
                );
                let made = view.into_context();
                assert_eq!(made, serialized, "article {id} under {base_url}");
                // Equal strings may differ in being marked safe.
                let safe = |context: &tera::Context| context.get("json_ld").map(|v| v.is_safe());
                assert_eq!(
                    safe(&made),
                    safe(&serialized),
                    "article {id} under {base_url}"
                );
            }
        }
    }
}
