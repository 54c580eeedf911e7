//! Warnings: things that do not stop a build but make a knowledge base worse. `kb build` prints
//! them, `kb check` reports them and `kb check --strict` fails on them.
//!
//! Each rule is a small pure function of the linked site and its rendered bodies, so each can be
//! tested alone and the list stays easy to read:
//!
//! - a related link that is one-way;
//! - an article nothing links to and that links nowhere;
//! - an article without a `summary`;
//! - an article without a `## Resolution` section;
//! - `updated` later than today;
//! - the same message text in two articles;
//! - an alias that shadows a page on common static hosts.

use std::collections::BTreeSet;
use std::time::{SystemTime, UNIX_EPOCH};

// foldhash rather than std's SipHash: the keys are the site's own message texts and addresses.
use foldhash::HashMap;
use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::frontmatter::Date;
use crate::markdown::PageRef;
use crate::paths::Segment;
use crate::paths::UrlPath;
use crate::related::Resolution;
use crate::render::Bodies;
use crate::site::{self, Article, ArticleId, CategoryId, Site};

/// The heading every article should have: what to do about the error.
pub const RESOLUTION_HEADING: &str = "Resolution";

/// Every warning about `site`, in no particular order. `today` is the latest date an `updated`
/// may have (see [`latest_date_today`]); without it, dates are not checked.
pub fn collect(site: &Site, bodies: &Bodies, today: Option<&Date>) -> Vec<Diagnostic> {
    front_matter(site, today).with_bodies(site, bodies)
}

/// The warnings about `site` that read front matter alone: `kb build` finds them while it
/// makes the pages, and adds those of the bodies once every body is rendered.
pub fn front_matter(site: &Site, today: Option<&Date>) -> FoundWarnings {
    let front_matter = FrontMatterWarnings::collect(site, today);
    let found = front_matter.found();
    // Freed aside: tens of thousands of small allocations, and a build has more to do.
    rayon::spawn(move || drop(front_matter));
    found
}

/// The warnings that read front matter alone, kept by `kb serve` while no front matter
/// changes and updated article by article when some does ([`FrontMatterWarnings::update`]);
/// [`FrontMatterWarnings::with_bodies`] adds those that read bodies.
pub struct FrontMatterWarnings {
    /// Each article's one-way related links, by article id.
    one_way: Vec<Vec<Diagnostic>>,
    /// Each article's missing summary and `updated` in the future.
    articles: Vec<[Option<Diagnostic>; 2]>,
    /// Each article's messages that an article before it (in path order) lists too.
    duplicates: Vec<Vec<Diagnostic>>,
    /// What the duplicate messages are found with.
    messages: Messages,
    /// Each article's aliases that shadow a page, with the article whose page it is, if any.
    shadowing: Vec<Vec<(Option<ArticleId>, Diagnostic)>>,
    /// The pages an alias may shadow, by [`shadow_key`].
    pages: HashMap<String, ShadowedPage>,
}

/// The message texts of every article, to find those listed twice.
struct Messages {
    /// Article ids in path order, the order "listed before" means.
    order: Vec<ArticleId>,
    /// Each article's place in `order`.
    rank: Vec<usize>,
    /// Each article's message keys ([`message_key`]), in the order written.
    keys: Vec<Vec<String>>,
    /// The articles that list each message key, in path order.
    listed_by: HashMap<String, Vec<ArticleId>>,
}

impl FrontMatterWarnings {
    pub fn collect(site: &Site, today: Option<&Date>) -> FrontMatterWarnings {
        // On all cores: `kb build` waits for these with nothing else to do.
        let count = site.articles.len();
        let (messages, pages) = rayon::join(|| Messages::new(site), || shadowed_pages(site));
        FrontMatterWarnings {
            one_way: (0..count)
                .into_par_iter()
                .map(|id| one_way_related(site, id))
                .collect(),
            articles: site
                .articles
                .par_iter()
                .map(|article| article_warnings(article, today))
                .collect(),
            duplicates: (0..count)
                .into_par_iter()
                .map(|id| duplicate_messages(site, &messages, id))
                .collect(),
            shadowing: (0..count)
                .into_par_iter()
                .map(|id| shadowing_aliases(site, &pages, id))
                .collect(),
            messages,
            pages,
        }
    }

    /// Brings the warnings up to date with `site`, which is the site they were last collected
    /// or updated for with the front matter of the `changed` articles replaced, linking it
    /// the same way: the same articles in the same places, with the same codes, related codes
    /// and tags (as `kb serve` relinks a site). Titles, summaries, messages, aliases and dates
    /// may have changed. The warnings are then those [`FrontMatterWarnings::collect`] finds.
    pub fn update(&mut self, site: &Site, today: Option<&Date>, changed: &[ArticleId]) {
        let changed: BTreeSet<ArticleId> = changed
            .iter()
            .copied()
            .filter(|id| *id < site.articles.len())
            .collect();
        // A one-way link names the title of the article it links to.
        let mut one_way = changed.clone();
        for id in &changed {
            one_way.extend(&site.articles[*id].referenced_by);
        }
        for id in one_way {
            self.one_way[id] = one_way_related(site, id);
        }
        for id in &changed {
            self.articles[*id] = article_warnings(&site.articles[*id], today);
        }
        // A duplicate message names the title of the first article that lists it; every
        // article that lists a message a changed article lists or listed may see another.
        let mut listing = changed.clone();
        for id in &changed {
            listing.extend(self.messages.replace(site, *id));
        }
        for id in listing {
            self.duplicates[id] = duplicate_messages(site, &self.messages, id);
        }
        // A shadowing alias names the title of the article whose page it shadows.
        let mut aliased = changed.clone();
        for (id, warnings) in self.shadowing.iter().enumerate() {
            if warnings
                .iter()
                .any(|(owner, _)| owner.is_some_and(|o| changed.contains(&o)))
            {
                aliased.insert(id);
            }
        }
        for id in aliased {
            self.shadowing[id] = shadowing_aliases(site, &self.pages, id);
        }
    }

    /// Every warning about the site these were collected from, in the order of [`collect`].
    pub fn with_bodies(&self, site: &Site, bodies: &Bodies) -> Vec<Diagnostic> {
        self.found().with_bodies(site, bodies)
    }

    /// The warnings found, without what finds them again.
    fn found(&self) -> FoundWarnings {
        let articles = (self.articles.iter().enumerate())
            .filter(|(_, warnings)| warnings.iter().any(Option::is_some))
            .map(|(id, warnings)| (id, warnings.clone()))
            .collect();
        let duplicates = (self.messages.order.iter())
            .flat_map(|id| self.duplicates[*id].iter().cloned())
            .collect();
        let shadowing = (self.shadowing.iter().flatten())
            .map(|(_, warning)| warning.clone())
            .collect();
        FoundWarnings {
            one_way: self.one_way.iter().flatten().cloned().collect(),
            articles,
            duplicates,
            shadowing,
        }
    }
}

/// The warnings of the front matter alone, once found ([`front_matter`]): few, where the tables
/// that find them hold every message and address of the site.
pub struct FoundWarnings {
    one_way: Vec<Diagnostic>,
    /// The articles with a missing summary or an `updated` in the future, in id order, with
    /// those two.
    articles: Vec<(ArticleId, [Option<Diagnostic>; 2])>,
    /// The messages listed twice, in path order.
    duplicates: Vec<Diagnostic>,
    shadowing: Vec<Diagnostic>,
}

impl FoundWarnings {
    /// These and the warnings of the bodies: every warning about the site, in the order of
    /// [`collect`].
    pub fn with_bodies(self, site: &Site, bodies: &Bodies) -> Vec<Diagnostic> {
        let mut warnings = self.one_way;
        warnings.extend(orphans(site, bodies));
        let mut flagged = self.articles.into_iter().peekable();
        for (id, article) in site.articles.iter().enumerate() {
            let [summary, future] = flagged
                .next_if(|(flagged, _)| *flagged == id)
                .map(|(_, found)| found)
                .unwrap_or_default();
            warnings.extend(summary);
            warnings.extend(missing_resolution(article, &bodies.articles[id].headings));
            warnings.extend(future);
        }
        warnings.extend(self.duplicates);
        warnings.extend(self.shadowing);
        warnings
    }
}

impl Messages {
    fn new(site: &Site) -> Messages {
        let mut order: Vec<ArticleId> = (0..site.articles.len()).collect();
        order.par_sort_by(|a, b| {
            site.articles[*a]
                .source
                .path
                .cmp(&site.articles[*b].source.path)
        });
        let mut rank = vec![0; order.len()];
        for (place, id) in order.iter().enumerate() {
            rank[*id] = place;
        }
        let keys: Vec<Vec<String>> = site
            .articles
            .par_iter()
            .map(|a| a.meta.messages.iter().map(|m| message_key(m)).collect())
            .collect();
        let mut listed_by: HashMap<String, Vec<ArticleId>> = HashMap::default();
        for id in &order {
            for key in &keys[*id] {
                match listed_by.get_mut(key.as_str()) {
                    Some(articles) if articles.last() == Some(id) => {}
                    Some(articles) => articles.push(*id),
                    None => {
                        listed_by.insert(key.clone(), vec![*id]);
                    }
                }
            }
        }
        Messages {
            order,
            rank,
            keys,
            listed_by,
        }
    }

    /// The first article, in path order, that lists this message key.
    fn first(&self, key: &str) -> Option<ArticleId> {
        self.listed_by.get(key)?.first().copied()
    }

    /// Reads an article's messages again; returns the articles that list a message it listed
    /// before or lists now.
    fn replace(&mut self, site: &Site, id: ArticleId) -> Vec<ArticleId> {
        let keys: Vec<String> = site.articles[id]
            .meta
            .messages
            .iter()
            .map(|m| message_key(m))
            .collect();
        let old = std::mem::replace(&mut self.keys[id], keys);
        let rank = &self.rank;
        let mut listing = Vec::new();
        for key in &old {
            if let Some(articles) = self.listed_by.get_mut(key) {
                articles.retain(|a| *a != id);
                listing.extend(articles.iter().copied());
                if articles.is_empty() {
                    self.listed_by.remove(key);
                }
            }
        }
        for key in &self.keys[id] {
            let articles = self.listed_by.entry(key.clone()).or_default();
            if let Err(place) = articles.binary_search_by_key(&rank[id], |a| rank[*a]) {
                articles.insert(place, id);
            }
            listing.extend(articles.iter().copied());
        }
        listing
    }
}

/// Today's date where it is latest on Earth (UTC+14), so that no author's "today" is ever
/// reported as the future.
pub fn latest_date_today() -> Option<Date> {
    date_now_at(14 * 3600)
}

/// Today's date in UTC, for the `updated` of new articles.
pub fn utc_date_today() -> Option<Date> {
    date_now_at(0)
}

/// The calendar date now, `offset` seconds east of UTC.
fn date_now_at(offset: u64) -> Option<Date> {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (year, month, day) = civil_from_days((seconds + offset) / 86_400);
    Date::parse(&format!("{year:04}-{month:02}-{day:02}"))
}

/// Days since 1970-01-01 to a calendar date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

fn warning_at(article: &Article, key: &str, value: &str, message: &str) -> Diagnostic {
    Diagnostic {
        severity: Severity::Warning,
        ..site::front_matter_diagnostic(article, key, value, message)
    }
}

/// How `from` should write `to` in `related`: the plain code when that finds it, else
/// `catalog/code`.
fn related_entry(site: &Site, from: &Article, to: ArticleId) -> String {
    let target = &site.articles[to];
    let code = target.meta.code.as_str();
    if site.codes.resolve(&from.catalog, code) == Resolution::Found(to) {
        code.to_string()
    } else {
        format!("{}/{code}", target.catalog)
    }
}

/// An article's related links that the other article does not return.
fn one_way_related(site: &Site, id: ArticleId) -> Vec<Diagnostic> {
    let article = &site.articles[id];
    // `related` holds what the entries resolved to: when every one returns the link, no entry
    // needs resolving again (only to place a warning).
    let returned = |target: &ArticleId| site.articles[*target].related.contains(&id);
    if article.related.iter().all(returned) {
        return Vec::new();
    }
    let mut warnings = Vec::new();
    for entry in &article.meta.related {
        let Resolution::Found(target) = site.codes.resolve(&article.catalog, entry) else {
            continue;
        };
        let other = &site.articles[target];
        if target == id || other.related.contains(&id) {
            continue;
        }
        let message = format!(
            "related link to `{entry}` is one-way: {} {} does not list this article",
            other.meta.code, other.meta.title
        );
        warnings.push(
            warning_at(article, "related", entry, &message).with_help(format!(
                "add `{}` to `related` in {}, or remove `{entry}` here",
                related_entry(site, other, id),
                other.source.path
            )),
        );
    }
    warnings
}

fn orphans(site: &Site, bodies: &Bodies) -> Vec<Diagnostic> {
    let mut linked_to = vec![false; site.articles.len()];
    let mut links_out = vec![false; site.articles.len()];
    let sources = bodies
        .articles
        .iter()
        .enumerate()
        .map(|(id, body)| (Some(id), body))
        .chain(bodies.categories.iter().map(|body| (None, body)));
    for (from, body) in sources {
        for link in &body.links {
            match (from, *link) {
                (Some(from), PageRef::Article(to)) if from == to => {}
                (_, PageRef::Article(to)) => {
                    linked_to[to] = true;
                    if let Some(from) = from {
                        links_out[from] = true;
                    }
                }
                (Some(from), PageRef::Category(_)) => links_out[from] = true,
                (None, PageRef::Category(_)) => {}
            }
        }
    }
    site.articles
        .iter()
        .enumerate()
        .filter(|(id, article)| {
            !linked_to[*id]
                && !links_out[*id]
                && article.related.is_empty()
                && article.referenced_by.is_empty()
        })
        .map(|(_, article)| {
            let code = article.meta.code.as_str();
            warning_at(
                article,
                "code",
                code,
                "nothing links to this article and it links nowhere",
            )
            .with_help(format!(
                "list related codes in `related`, or link to it from another article: `[…](code:{code})`"
            ))
        })
        .collect()
}

/// An article's missing summary and `updated` in the future.
fn article_warnings(article: &Article, today: Option<&Date>) -> [Option<Diagnostic>; 2] {
    let future = today.and_then(|today| updated_in_the_future(article, today));
    [missing_summary(article), future]
}

fn missing_summary(article: &Article) -> Option<Diagnostic> {
    if article.meta.summary.is_some() {
        return None;
    }
    let message = "the article has no `summary`";
    Some(
        warning_at(article, "title", &article.meta.title, message).with_help(
            "add `summary:` with one sentence; lists, search results and link previews show it",
        ),
    )
}

fn missing_resolution(
    article: &Article,
    headings: &[crate::markdown::Heading],
) -> Option<Diagnostic> {
    let has_resolution = headings
        .iter()
        .any(|h| h.level == 2 && h.text.eq_ignore_ascii_case(RESOLUTION_HEADING));
    if has_resolution {
        return None;
    }
    let source = &article.source;
    Some(
        Diagnostic::warning(format!(
            "the article has no `## {RESOLUTION_HEADING}` section"
        ))
        .in_file(&source.path)
        .at(Location::at(&source.text, source.body_offset, 1))
        .with_help(format!(
            "add a `## {RESOLUTION_HEADING}` heading followed by the steps that fix the error"
        )),
    )
}

fn updated_in_the_future(article: &Article, today: &Date) -> Option<Diagnostic> {
    let updated = article.meta.updated.as_ref().filter(|d| *d > today)?;
    let message = format!("`updated` is in the future: {}", updated.as_str());
    Some(
        warning_at(article, "updated", updated.as_str(), &message)
            .with_help("write the date the article last changed, as YYYY-MM-DD"),
    )
}

/// Message texts compare without case and with runs of whitespace as one space.
fn message_key(message: &str) -> String {
    if !message.is_ascii() {
        return message
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
    }
    // Most messages are ASCII: without Unicode case tables. `char::is_whitespace` of ASCII is
    // tab, line feed, vertical tab, form feed, carriage return and space.
    let bytes = message.as_bytes();
    let spaced_once = !bytes
        .iter()
        .any(|b| matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r'))
        && !message.contains("  ")
        && !message.starts_with(' ')
        && !message.ends_with(' ');
    if spaced_once {
        // Nearly all of them: words already one space apart.
        return message.to_ascii_lowercase();
    }
    let mut key = String::with_capacity(message.len());
    for word in message
        .split(['\t', '\n', '\x0B', '\x0C', '\r', ' '])
        .filter(|word| !word.is_empty())
    {
        if !key.is_empty() {
            key.push(' ');
        }
        key.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    }
    key
}

/// An article's messages that an article before it in path order lists too.
fn duplicate_messages(site: &Site, messages: &Messages, id: ArticleId) -> Vec<Diagnostic> {
    let article = &site.articles[id];
    let mut warnings = Vec::new();
    for (message, key) in article.meta.messages.iter().zip(&messages.keys[id]) {
        let Some(first) = messages.first(key).filter(|first| *first != id) else {
            continue;
        };
        let other = &site.articles[first];
        let text = format!(
            "the message \"{message}\" is also listed by {} {}",
            other.meta.code, other.meta.title
        );
        warnings.push(warning_at(article, "messages", message, &text).with_help(format!(
            "{} lists it too; readers search by message, so keep each message in the article it belongs to",
            other.source.path
        )));
    }
    warnings
}

/// The address a static host may answer for `url`: without case, `index.html` or `.html`.
/// GitHub Pages, Netlify and `try_files $uri $uri.html $uri/` serve `/a/b.html` for `/a/b`
/// before `/a/b/index.html`, and case-insensitive file systems merge `B` and `b`.
fn shadow_key(url: &UrlPath) -> String {
    // Each segment lower-cased after a `/` (segments have none), so that the key of a list of
    // segments is the key of no other list.
    let mut key = String::with_capacity(url.segments().iter().map(|s| s.as_str().len() + 1).sum());
    for segment in url.segments() {
        key.push('/');
        let segment = segment.as_str();
        if segment.is_ascii() {
            key.extend(segment.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            key.push_str(&segment.to_lowercase());
        }
    }
    let last = |key: &str| key.rfind('/').map_or(0, |slash| slash + 1);
    if matches!(&key[last(&key)..], "index.html" | "index.htm") {
        key.truncate(last(&key).saturating_sub(1));
    }
    let at = last(&key);
    for extension in [".html", ".htm"] {
        if key[at..].ends_with(extension) {
            key.truncate(key.len() - extension.len());
            break;
        }
    }
    key
}

/// How a shadowing warning names an article's page.
fn page_name(article: &Article) -> String {
    format!("{} {}", article.meta.code, article.meta.title)
}

/// A page an alias may shadow. Its address and name are read from the site when a warning
/// names it: most pages are never shadowed, and `kb serve` may change titles meanwhile.
#[derive(Debug, Clone)]
enum ShadowedPage {
    Article(ArticleId),
    Category(CategoryId),
    Tag(Segment),
}

impl ShadowedPage {
    /// The page's address and how a warning names it.
    fn describe<'a>(&self, site: &'a Site) -> (&'a UrlPath, String) {
        match self {
            ShadowedPage::Article(id) => {
                let article = &site.articles[*id];
                (&article.url, page_name(article))
            }
            ShadowedPage::Category(id) => {
                let category = &site.categories[*id];
                (&category.url, category.title.clone())
            }
            ShadowedPage::Tag(slug) => {
                let tag = &site.tags[slug];
                (&tag.url, format!("the tag page of `{}`", tag.name))
            }
        }
    }

    fn article(&self) -> Option<ArticleId> {
        match self {
            ShadowedPage::Article(id) => Some(*id),
            _ => None,
        }
    }
}

/// Every page an alias may shadow, by [`shadow_key`]. Of two articles with the same key the
/// last is named; a category or tag page only where no article is.
fn shadowed_pages(site: &Site) -> HashMap<String, ShadowedPage> {
    let mut pages = HashMap::default();
    for (id, article) in site.articles.iter().enumerate() {
        pages.insert(shadow_key(&article.url), ShadowedPage::Article(id));
    }
    for (id, category) in site.categories.iter().enumerate() {
        pages
            .entry(shadow_key(&category.url))
            .or_insert(ShadowedPage::Category(id));
    }
    for (slug, tag) in &site.tags {
        pages
            .entry(shadow_key(&tag.url))
            .or_insert_with(|| ShadowedPage::Tag(slug.clone()));
    }
    pages
}

/// An article's aliases that shadow a page, each with the article whose page it is, if any.
fn shadowing_aliases(
    site: &Site,
    pages: &HashMap<String, ShadowedPage>,
    id: ArticleId,
) -> Vec<(Option<ArticleId>, Diagnostic)> {
    let article = &site.articles[id];
    let mut warnings = Vec::new();
    for alias in &article.meta.aliases {
        let Some(shadowed) = pages.get(&shadow_key(alias)) else {
            continue;
        };
        let (page, name) = shadowed.describe(site);
        // The same file is a collision, reported as an error with the output files.
        if page.output_file() == alias.output_file() {
            continue;
        }
        let written = alias.to_string();
        let message = format!("alias `{written}` shadows the page {page} ({name})");
        let warning = warning_at(article, "aliases", &written, &message).with_help(
            "static hosts that serve `x.html` for `x`, and case-insensitive file systems, would serve this redirect instead of that page; choose another alias",
        );
        warnings.push((shadowed.article(), warning));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::Segment;

    fn url(text: &str) -> UrlPath {
        UrlPath::parse(text).unwrap_or_else(|_| UrlPath::root())
    }

    #[test]
    fn days_become_calendar_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(20_784), (2026, 11, 27));
    }

    #[test]
    fn shadowing_ignores_case_index_files_and_html_extensions() {
        let page = url("/http/4xx/403/");
        for alias in [
            "/http/4xx/403.html",
            "/HTTP/4xx/403/",
            "/http/4xx/403/index.htm",
        ] {
            assert_eq!(shadow_key(&url(alias)), shadow_key(&page), "{alias}");
        }
        assert_ne!(shadow_key(&url("/http/4xx/403.1/")), shadow_key(&page));
        assert_ne!(shadow_key(&url("/errors/403.html")), shadow_key(&page));
        let segment = Segment::new("403").ok().into_iter().collect();
        assert_eq!(shadow_key(&UrlPath::file(segment)), "/403");
    }

    /// The keys as first written, one allocation after another, that the ones above must equal.
    fn plain_shadow_key(url: &UrlPath) -> Vec<String> {
        let mut key: Vec<String> = (url.segments().iter())
            .map(|s| s.as_str().to_lowercase())
            .collect();
        if key
            .last()
            .is_some_and(|s| s == "index.html" || s == "index.htm")
        {
            key.pop();
        }
        if let Some(last) = key.last_mut() {
            for extension in [".html", ".htm"] {
                if let Some(stem) = last.strip_suffix(extension) {
                    *last = stem.to_string();
                    break;
                }
            }
        }
        key
    }

    fn plain_message_key(message: &str) -> String {
        message
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    }

    /// Made-up text from pieces that matter to the keys: every ASCII space `split_whitespace`
    /// knows and one it does not (U+001C), cases, index files, extensions, letters beyond ASCII.
    fn made_up(pieces: &[&str], next: &mut impl FnMut(usize) -> usize) -> String {
        (0..next(7)).map(|_| pieces[next(pieces.len())]).collect()
    }

    #[test]
    fn shadow_keys_are_the_plain_keys_joined() {
        let pieces = [
            "a",
            "B",
            "403",
            "index.html",
            "INDEX.HTM",
            ".html",
            ".htm",
            "x.HTML",
            "Σ",
            "ÉÎ",
            "-",
        ];
        let mut next = crate::test_random::numbers(0x5eed_5ad0);
        let mut keys = std::collections::HashMap::new();
        for _ in 0..20_000 {
            let segments: Vec<Segment> = (0..next(4))
                .filter_map(|_| Segment::new(&made_up(&pieces, &mut next)).ok())
                .collect();
            let url = if next(2) == 0 {
                UrlPath::folder(segments)
            } else {
                UrlPath::file(segments)
            };
            let (key, plain) = (shadow_key(&url), plain_shadow_key(&url));
            // One key for each plain key, and the other way round.
            assert_eq!(
                keys.entry(key.clone()).or_insert(plain.clone()),
                &plain,
                "{url}"
            );
            assert_eq!(key.is_empty(), plain.is_empty(), "{url}");
        }
        assert!(keys.len() > 1_000, "{} keys", keys.len());
    }

    #[test]
    fn message_keys_are_the_plain_keys() {
        let pieces = [
            "Error", "HTTP", "401", " ", "  ", "\t", "\n", "\r", "\x0B", "\x0C", "\x1C", "x:Y",
            "É", "\u{2003}",
        ];
        let mut next = crate::test_random::numbers(0x3e55_a9e5);
        for _ in 0..20_000 {
            let message = made_up(&pieces, &mut next);
            assert_eq!(
                message_key(&message),
                plain_message_key(&message),
                "{message:?}"
            );
        }
    }

    #[test]
    fn messages_compare_without_case_or_extra_spaces() {
        assert_eq!(
            message_key("  HTTP   Error 401 "),
            message_key("http error 401")
        );
        assert_ne!(message_key("HTTP Error 401"), message_key("HTTP Error 403"));
    }
}
