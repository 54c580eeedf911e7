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

use std::borrow::Cow;
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
/// makes the pages, and adds those of the bodies once every body is rendered. The warnings of
/// [`FrontMatterWarnings::collect`], found without the tables `kb serve` keeps to update them:
/// an article is looked at again only where a quick pass finds something to warn about.
pub fn front_matter(site: &Site, today: Option<&Date>) -> FoundWarnings {
    // On all cores, beside the article pages.
    let count = site.articles.len();
    let ((one_way, articles), (duplicates, shadowing)) = rayon::join(
        || {
            rayon::join(
                || {
                    (0..count)
                        .into_par_iter()
                        .flat_map_iter(|id| one_way_related(site, id))
                        .collect()
                },
                || {
                    (site.articles.par_iter().enumerate())
                        .filter_map(|(id, article)| {
                            let found = article_warnings(article, today);
                            found.iter().any(Option::is_some).then_some((id, found))
                        })
                        .collect()
                },
            )
        },
        || rayon::join(|| duplicates_found(site), || shadowing_found(site)),
    );
    FoundWarnings {
        one_way,
        articles,
        duplicates,
        shadowing,
    }
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
    /// The pages an alias may shadow, by [`shadow_folded`].
    pages: HashMap<Folded<'static>, ShadowedPage>,
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
        // On all cores: `kb serve` waits for these with nothing else to do.
        let count = site.articles.len();
        let (messages, pages) = rayon::join(
            || Messages::new(site),
            || shadowed_pages(site, |url| shadow_folded(url).into_owned()),
        );
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
        Messages::of(site, (0..site.articles.len()).collect())
    }

    /// The messages of the articles `ids` alone, which must hold every article that lists a
    /// message one of them lists: the others have no place in `order` (their `rank` is
    /// `usize::MAX`) and no keys.
    fn of(site: &Site, mut order: Vec<ArticleId>) -> Messages {
        order.par_sort_by(|a, b| {
            site.articles[*a]
                .source
                .path
                .cmp(&site.articles[*b].source.path)
        });
        let mut rank = vec![usize::MAX; site.articles.len()];
        for (place, id) in order.iter().enumerate() {
            rank[*id] = place;
        }
        let keys: Vec<Vec<String>> = (site.articles.par_iter().zip(&rank))
            .map(|(a, rank)| match *rank {
                usize::MAX => Vec::new(),
                _ => a.meta.messages.iter().map(|m| message_key(m)).collect(),
            })
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
    // needs resolving again (only to place a warning). An article returns the link when it is
    // among this one's backlinks, which are read without reading that article.
    let returned = |target: &ArticleId| article.referenced_by.contains(target);
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
    if spaced_once(message) {
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

/// Whether the words of an ASCII message are one space apart, without space around them: most
/// messages are ASCII, and read without Unicode case tables. `char::is_whitespace` of ASCII is
/// tab, line feed, vertical tab, form feed, carriage return and space.
fn spaced_once(message: &str) -> bool {
    let bytes = message.as_bytes();
    !bytes
        .iter()
        .any(|b| matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r'))
        && !message.contains("  ")
        && !message.starts_with(' ')
        && !message.ends_with(' ')
}

/// [`folded_hash`] of the message's [`message_key`], made in one pass over the message itself
/// when the key is the message lower-cased (nearly always: see [`spaced_once`]).
fn message_hash(message: &str) -> u64 {
    let bytes = message.as_bytes();
    let spaced = |byte: Option<&u8>| byte == Some(&b' ');
    if spaced(bytes.first()) || spaced(bytes.last()) {
        return folded_hash(&message_key(message));
    }
    // Beside the hash, eight bytes at a time: any byte beyond ASCII or of tab..=carriage
    // return, and any space after a space (the last byte of the word before included).
    let mut odd = 0;
    let mut space_before = 0;
    let hash = folded_words(bytes, |word| {
        let ascii = word & (0x7F * ONES);
        let from_tab = ascii + (0x80 - 0x09) * ONES;
        let past_return = ascii + (0x80 - 0x0E) * ONES;
        let not_space = word ^ (u64::from(b' ') * ONES);
        let spaces = !(((not_space & (0x7F * ONES)) + 0x7F * ONES) | not_space) & (0x80 * ONES);
        odd |= word | (from_tab & !past_return) | (spaces & ((spaces << 8) | space_before));
        space_before = spaces >> 56;
    });
    if odd & (0x80 * ONES) == 0 {
        hash
    } else {
        folded_hash(&message_key(message))
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// A hash of `text` with ASCII's capital letters lower-cased, eight bytes at a time: texts
/// equal but for the case of ASCII letters hash the same, without a lower-cased copy.
fn folded_hash(text: &str) -> u64 {
    folded_words(text.as_bytes(), |_| {})
}

/// [`folded_hash`] of `bytes`, showing `look` each word of eight bytes it reads (little-endian;
/// the last filled with zeros).
#[inline(always)]
fn folded_words(bytes: &[u8], mut look: impl FnMut(u64)) -> u64 {
    // Each byte of `A`..=`Z` gets 0x20; other bytes, those beyond ASCII too, stay as they are.
    // No byte's sum carries into the next: a byte below 0x80 plus at most 0x3F.
    let lower = |word: u64| {
        let ascii = word & (0x7F * ONES);
        let above_z = ascii + (0x7F - u64::from(b'Z')) * ONES;
        let from_a = ascii + (0x80 - u64::from(b'A')) * ONES;
        word | ((from_a & !above_z & !word & (0x80 * ONES)) >> 2)
    };
    // A multiplication folded to 64 bits, as foldhash mixes.
    let mut mix = |hash: u64, word: u64| {
        look(word);
        let product = u128::from(hash ^ lower(word)) * 0x9E37_79B9_7F4A_7C15_u128;
        (product as u64) ^ ((product >> 64) as u64)
    };
    let mut hash = (bytes.len() as u64) ^ 0x2D35_8DCC_AA6C_78A5;
    let mut words = bytes.chunks_exact(8);
    for chunk in &mut words {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        hash = mix(hash, u64::from_le_bytes(word));
    }
    let rest = words.remainder();
    let mut word = [0; 8];
    word[..rest.len()].copy_from_slice(rest);
    mix(hash, u64::from_le_bytes(word))
}

/// A key that compares without the case of ASCII letters, hashed once ([`folded_hash`]):
/// borrowed from the text it is a key of, where that text lower-cased is the key.
#[derive(Debug, Clone)]
struct Folded<'a> {
    hash: u64,
    /// Text that is the key once its ASCII capitals are lower-cased (a key has none).
    text: Cow<'a, str>,
}

impl<'a> Folded<'a> {
    fn new(text: Cow<'a, str>) -> Folded<'a> {
        Folded {
            hash: folded_hash(&text),
            text,
        }
    }

    fn into_owned(self) -> Folded<'static> {
        Folded {
            hash: self.hash,
            text: Cow::Owned(self.text.into_owned()),
        }
    }
}

impl PartialEq for Folded<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.text.eq_ignore_ascii_case(&other.text)
    }
}

impl Eq for Folded<'_> {}

impl std::hash::Hash for Folded<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
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

/// The messages listed twice ([`duplicate_messages`]) of every article, in path order: those
/// of [`FrontMatterWarnings::collect`], where only the articles that list a message with the
/// hash of another article's message are read again. Equal messages hash the same, so every
/// article that lists a message one of those lists is among them.
fn duplicates_found(site: &Site) -> Vec<Diagnostic> {
    let mut hashes: Vec<(u64, ArticleId)> = (site.articles.par_iter().enumerate())
        .flat_map_iter(|(id, article)| {
            (article.meta.messages.iter()).map(move |message| (message_hash(message), id))
        })
        .collect();
    hashes.par_sort_unstable_by_key(|(hash, _)| *hash);
    let mut listing = Vec::new();
    for same in hashes.chunk_by(|a, b| a.0 == b.0) {
        if same.iter().any(|(_, id)| *id != same[0].1) {
            listing.extend(same.iter().map(|(_, id)| *id));
        }
    }
    if listing.is_empty() {
        return Vec::new();
    }
    listing.sort_unstable();
    listing.dedup();
    let messages = Messages::of(site, listing);
    (messages.order.iter())
        .flat_map(|id| duplicate_messages(site, &messages, *id))
        .collect()
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

/// [`shadow_key`] as a [`Folded`] key: of an ASCII address (nearly all), the part of its text
/// that is the key lower-cased, without a copy.
fn shadow_folded(url: &UrlPath) -> Folded<'_> {
    let text = url.as_str();
    if !text.is_ascii() {
        return Folded::new(Cow::Owned(shadow_key(url)));
    }
    // `/` and each segment after a `/`: the text but for a folder's closing `/` (the root's
    // key is empty). ASCII, so that any byte is a place to cut it. Read from the text alone:
    // each segment is a string of its own elsewhere in memory.
    let mut key = match (url.segments().is_empty(), url.is_folder()) {
        (true, _) => "",
        (false, true) => &text[..text.len() - 1],
        (false, false) => text,
    };
    let last = |key: &str| memchr::memrchr(b'/', key.as_bytes()).map_or(0, |slash| slash + 1);
    let file = &key[last(key)..];
    if file.eq_ignore_ascii_case("index.html") || file.eq_ignore_ascii_case("index.htm") {
        key = &key[..last(key).saturating_sub(1)];
    }
    let file = &key[last(key)..];
    for extension in [".html", ".htm"] {
        let cut = file.len().saturating_sub(extension.len());
        if file.len() >= extension.len() && file[cut..].eq_ignore_ascii_case(extension) {
            key = &key[..key.len() - extension.len()];
            break;
        }
    }
    Folded::new(Cow::Borrowed(key))
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

/// Every page an alias may shadow, by its `key` ([`shadow_folded`], borrowed or not). Of two
/// articles with the same key the last is named; a category or tag page only where no article
/// is.
fn shadowed_pages<'a, 'k>(
    site: &'a Site,
    key: impl Fn(&'a UrlPath) -> Folded<'k> + Sync,
) -> HashMap<Folded<'k>, ShadowedPage> {
    // The articles' keys on all cores; the table, which takes them in order, on one.
    let article_keys: Vec<Folded<'k>> = (site.articles.par_iter())
        .map(|article| key(&article.url))
        .collect();
    let mut pages = HashMap::with_capacity_and_hasher(
        article_keys.len() + site.categories.len() + site.tags.len(),
        Default::default(),
    );
    for (id, key) in article_keys.into_iter().enumerate() {
        pages.insert(key, ShadowedPage::Article(id));
    }
    for (id, category) in site.categories.iter().enumerate() {
        pages
            .entry(key(&category.url))
            .or_insert(ShadowedPage::Category(id));
    }
    for (slug, tag) in &site.tags {
        pages
            .entry(key(&tag.url))
            .or_insert_with(|| ShadowedPage::Tag(slug.clone()));
    }
    pages
}

/// An article's aliases that shadow a page, each with the article whose page it is, if any.
fn shadowing_aliases<'a>(
    site: &'a Site,
    pages: &HashMap<Folded<'a>, ShadowedPage>,
    id: ArticleId,
) -> Vec<(Option<ArticleId>, Diagnostic)> {
    let article = &site.articles[id];
    let mut warnings = Vec::new();
    for alias in &article.meta.aliases {
        let Some(shadowed) = pages.get(&shadow_folded(alias)) else {
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

/// Every article's aliases that shadow a page, in id order, with the pages' keys borrowed from
/// their addresses.
fn shadowing_found(site: &Site) -> Vec<Diagnostic> {
    let pages = shadowed_pages(site, shadow_folded);
    (0..site.articles.len())
        .into_par_iter()
        .flat_map_iter(|id| shadowing_aliases(site, &pages, id))
        .map(|(_, warning)| warning)
        .collect()
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
        crate::test_random::joined(next, pieces, 7)
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
            // The key without a copy is the key, but for the case of ASCII letters.
            let folded = shadow_folded(&url);
            assert_eq!(folded.text.to_ascii_lowercase(), key, "{url}");
            assert_eq!(folded.hash, folded_hash(&key), "{url}");
            assert_eq!(folded, Folded::new(Cow::Owned(key.clone())), "{url}");
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

    /// One of `pieces`, picked by `next`.
    fn pick<'p>(pieces: &[&'p str], next: &mut impl FnMut(usize) -> usize) -> &'p str {
        pieces[next(pieces.len())]
    }

    /// Up to `most` of `pieces` as a YAML flow list of quoted strings.
    fn yaml_list(pieces: &[&str], most: usize, next: &mut impl FnMut(usize) -> usize) -> String {
        let items: Vec<String> = (0..next(most + 1))
            .map(|_| serde_json::Value::from(pick(pieces, next)).to_string())
            .collect();
        format!("[{}]", items.join(", "))
    }

    /// A made-up site of a few folders, whose articles' front matter gives every warning that
    /// reads front matter alone: codes and slugs whose pages share a key, related codes that
    /// return or not, messages equal but for case and spaces, aliases onto pages of articles,
    /// categories and tags, missing summaries and dates in the future.
    fn made_up_site(next: &mut impl FnMut(usize) -> usize) -> Site {
        use crate::content::{LoadedCategory, LoadedContent};
        use crate::paths::SourcePath;
        let folders: [&[&str]; 5] = [&[], &["app"], &["app", "Sub"], &["net"], &["tags"]];
        let codes = ["E1", "E2", "e3", "E4", "E5", "E6", "E7", "E8"];
        let slugs = ["E1", "e2", "E2.html", "index.html", "X.htm", "é5"];
        let related = ["E1", "E2", "e3", "E4", "E5", "E6", "net/E1", "app/E2", "E9"];
        let messages = [
            "Connection refused",
            "connection  REFUSED",
            " connection refused",
            "Timed out\t",
            "timed\nout",
            "É failed",
            "é FAILED",
            "x\u{1C}y",
            "X\u{1C}Y",
            "long message text, more than eight bytes long",
            "LONG message text, more than eight bytes LONG",
        ];
        let aliases = [
            "/app/E1.html",
            "/app/e1/index.html",
            "/APP/e1/",
            "/app/e1",
            "/app/e1/",
            "/app/",
            "/App.html",
            "/tags/x/",
            "/tags/X.html",
            "/TAGS/",
            "/net/E2.htm",
            "/app/sub/INDEX.HTM",
            "/app/E1.html/index.html",
            "/legacy/e1.html",
            "/ÄPP/e1/",
            "/app/É5/",
            "/app/é5.html",
            "/index.html",
        ];
        let tags = ["x", "X", "Net", "ä", "app"];
        let articles = (0..2 + next(14))
            .map(|i| {
                let folder = folders[1 + next(folders.len() - 1)];
                let mut yaml = format!("code: \"{}\"\ntitle: T{i}\n", pick(&codes, next));
                if next(3) == 0 {
                    yaml.push_str(&format!("slug: \"{}\"\n", pick(&slugs, next)));
                }
                if next(4) != 0 {
                    yaml.push_str("summary: S\n");
                }
                if next(3) != 0 {
                    let date = pick(&["2020-01-01", "2026-01-01", "2999-01-01"], next);
                    yaml.push_str(&format!("updated: {date}\n"));
                }
                for (key, pieces, most) in [
                    ("related", &related[..], 4),
                    ("messages", &messages[..], 3),
                    ("aliases", &aliases[..], 2),
                    ("tags", &tags[..], 2),
                ] {
                    yaml.push_str(&format!("{key}: {}\n", yaml_list(pieces, most, next)));
                }
                let path = SourcePath::new(format!("content/{}/a{i}.md", folder.join("/")));
                let text = format!("---\n{yaml}---\nB\n");
                let mut article = crate::content::parse_article_bytes(&path, text.into_bytes())
                    .unwrap_or_else(|problems| panic!("{yaml}: {problems:?}"));
                article.folder = folder.iter().map(|name| name.to_string()).collect();
                Box::new(article)
            })
            .collect();
        let categories = (folders.iter())
            .map(|folder| LoadedCategory {
                folder: folder.iter().map(|name| name.to_string()).collect(),
                meta: crate::frontmatter::CategoryMeta::default(),
                source: None,
            })
            .collect();
        let content = LoadedContent {
            articles,
            categories,
            diagnostics: Vec::new(),
        };
        crate::site::link(crate::config::SiteConfig::default(), content).0
    }

    /// What `kb build` finds ([`front_matter`]) is what `kb serve` keeps
    /// ([`FrontMatterWarnings::collect`]), warning for warning, in the same order.
    #[test]
    fn the_builds_warnings_are_those_serve_collects() {
        let today = Date::parse("2026-06-01");
        let mut next = crate::test_random::numbers(0x0f1e_2d3c_4b5a_6978);
        let mut seen = [0; 4];
        for round in 0..400 {
            let site = made_up_site(&mut next);
            let built = front_matter(&site, today.as_ref());
            let kept = FrontMatterWarnings::collect(&site, today.as_ref()).found();
            assert_eq!(built.one_way, kept.one_way, "round {round}");
            assert_eq!(built.articles, kept.articles, "round {round}");
            assert_eq!(built.duplicates, kept.duplicates, "round {round}");
            assert_eq!(built.shadowing, kept.shadowing, "round {round}");
            let found = [
                &built.one_way,
                &built.duplicates,
                &built.shadowing,
                &built
                    .articles
                    .iter()
                    .flat_map(|(_, w)| w.iter().flatten().cloned())
                    .collect(),
            ];
            for (seen, found) in seen.iter_mut().zip(found) {
                *seen += found.len();
            }
        }
        // Every kind of warning, many times over.
        assert!(seen.iter().all(|count| *count > 200), "{seen:?}");
    }

    /// A message's hash, made from the message itself where it can be, is the hash of its key.
    #[test]
    fn message_hashes_are_the_hashes_of_the_keys() {
        let pieces = [
            "Error", "HTTP", "401", " ", "  ", "\t", "\n", "\r", "\x0B", "\x0C", "\x1C", "x:Y",
            "É", "\u{2003}", "abcdefgh",
        ];
        let mut next = crate::test_random::numbers(0x7a11_e55e);
        for _ in 0..20_000 {
            let message = made_up(&pieces, &mut next);
            assert_eq!(
                message_hash(&message),
                folded_hash(&message_key(&message)),
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
