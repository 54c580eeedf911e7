//! The search index in memory: every article as a displayable document, and every term with
//! the documents it occurs in and in which fields.

// foldhash rather than std's SipHash: hashing words is much of what indexing costs, and the
// words come from the site's own files, not from someone trying to slow the build down.
use foldhash::HashMap;

use rayon::prelude::*;

use super::key_numbers::KeyNumbers;
use super::tokenize::{self, Shape, Word};
use crate::render::Bodies;
use crate::site::{Article, Site};

/// Where a term occurs in a document, as bit flags: a posting carries all of them at once.
/// `static/search.js` ranks by them: code > message > title or code part > summary > body.
pub mod field {
    pub const BODY: u8 = 1;
    pub const SUMMARY: u8 = 2;
    pub const TITLE: u8 = 4;
    /// A part of the code (`connection` in `ERR_CONNECTION_REFUSED`, `401` in `401.1`).
    pub const CODE_PART: u8 = 8;
    pub const MESSAGE: u8 = 16;
    /// The whole code, case-insensitively.
    pub const CODE: u8 = 32;
}

/// How many consecutive articles one task indexes (in [`SearchIndex::build`], and in
/// `kb build`, which renders and indexes each run of articles in one task): four tasks per core,
/// to keep every core busy to the end. Few, large runs also keep memory down: every run holds
/// its own map of the words of its articles until the runs are joined, and a run of 4,000
/// articles uses few more words than one of 250.
pub fn articles_per_run(articles: usize) -> usize {
    let tasks = 4 * rayon::current_num_threads().max(1);
    articles.div_ceil(tasks).clamp(8, MOST_ARTICLES_PER_RUN)
}

/// The most articles in one run: more add little to keeping the cores busy, and each run's
/// word map grows with its articles.
const MOST_ARTICLES_PER_RUN: usize = 4096;

/// Consecutive runs of articles for tasks that render and index them (`kb build`), in order:
/// for `cores` cores, the first ones big (at most [`MOST_ARTICLES_PER_RUN`]), the later ones
/// ever smaller, down to a few dozen articles. Cores that take the next run as they finish one then also finish
/// within a small run of each other, where runs of one size left a core idle for up to a run's
/// time at the end; and few runs are big, which keeps their word maps few.
pub fn article_runs(articles: usize, cores: usize) -> Vec<std::ops::Range<usize>> {
    const FEWEST: usize = 48;
    let cores = cores.max(1);
    let mut runs = Vec::new();
    let mut start = 0;
    while start < articles {
        let left = articles - start;
        // A share of what is left that keeps every core busy until the end: half of an
        // even share each.
        let size = (left / (2 * cores))
            .clamp(FEWEST, MOST_ARTICLES_PER_RUN)
            .min(left);
        runs.push(start..start + size);
        start += size;
    }
    runs
}

/// How much of a summary a result shows.
pub const SUMMARY_CHARS: usize = 180;

/// What a search result shows and where it leads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Document {
    pub code: String,
    pub title: String,
    /// The article's link, base path included.
    pub url: String,
    pub summary: String,
}

/// One term's documents, by increasing document number, with the fields it occurs in.
pub type Postings = Vec<(u32, u8)>;

#[derive(Debug, Default)]
pub struct SearchIndex {
    pub documents: Vec<Document>,
    /// Every term with its postings; [`crate::search::encode`] sorts them into ranges.
    pub terms: HashMap<String, Postings>,
    /// The articles pushed but not joined yet.
    pending: Indexer,
}

impl SearchIndex {
    /// Indexes every article of the site; document numbers are article ids.
    pub fn build(site: &Site, bodies: &Bodies) -> SearchIndex {
        // Runs of articles are indexed in parallel, then joined in order: one map insertion per
        // term of a run rather than per term of every article, which left one core busy alone.
        let run_size = articles_per_run(site.articles.len());
        let runs: Vec<SearchIndex> = site
            .articles
            .par_chunks(run_size)
            .enumerate()
            .map(|(run, articles)| {
                let first = run * run_size;
                let mut index = SearchIndex::default();
                for id in first..first + articles.len() {
                    index.push_article(site, id, &bodies.articles[id].html);
                }
                index
            })
            .collect();
        SearchIndex::join(runs)
    }

    /// Indexes article `id`, whose body is `body_html`, after the articles pushed before it (in
    /// article order). Its terms are in [`SearchIndex::terms`] once the index is joined.
    pub fn push_article(&mut self, site: &Site, id: usize, body_html: &str) {
        let article = &site.articles[id];
        self.documents.push(document(site, article));
        self.pending.article(site, article, body_html);
        self.pending.finish(id as u32);
    }

    /// The index of runs of articles, each indexed with [`SearchIndex::push_article`], in
    /// article order.
    pub fn join(mut runs: Vec<SearchIndex>) -> SearchIndex {
        let joining = Joining::new(&mut runs);
        // The lists are filled on every core, each core the lists of a range of terms with
        // about as many postings as the others'. The lists are then made where later parallel
        // work can reuse their memory once freed.
        let ranges = term_ranges(
            &joining.numbers.lengths,
            rayon::current_num_threads().max(1),
        );
        let grouped = joining.group(&mut runs, ranges);
        let lists: Vec<Vec<Postings>> = (0..grouped.ranges.len())
            .into_par_iter()
            .map(|range| joining.lists(&runs, &grouped, range))
            .collect();
        let mut postings: Vec<Postings> = lists.into_iter().flatten().collect();
        let mut documents = Vec::with_capacity(runs.iter().map(|r| r.documents.len()).sum());
        for run in runs {
            documents.extend(run.documents);
        }
        let Numbering { short, long, .. } = joining.numbers;
        let mut terms = HashMap::with_capacity_and_hasher(postings.len(), Default::default());
        let short = short
            .iter()
            .map(|(key, number)| (tokenize::key_term(key), number as usize));
        for (term, number) in short.chain(long) {
            let list = std::mem::take(&mut postings[number]);
            if !list.is_empty() {
                terms.insert(term, list);
            }
        }
        SearchIndex {
            documents,
            terms,
            pending: Indexer::default(),
        }
    }

    /// [`SearchIndex::join`] a range of terms at a time, for a caller that needs each term's
    /// postings only once: `each` gets every term that has postings with its joined list, and
    /// what it returns is kept instead of the list. The lists of only a few ranges are in
    /// memory at once (at 100,000 articles, all of them take about 150 MB). Returns the
    /// documents in order and the terms, in no particular order, with what `each` made.
    pub fn join_each<T: Send>(
        runs: Vec<SearchIndex>,
        each: impl Fn(&str, &Postings) -> T + Sync,
    ) -> (Vec<Document>, Vec<(String, T)>) {
        // About 32 MB of lists a range.
        SearchIndex::join_each_in(runs, each, 4 << 20)
    }

    /// [`SearchIndex::join_each`] with about `postings_per_range` postings a range when there
    /// are more than one a core.
    fn join_each_in<T: Send>(
        mut runs: Vec<SearchIndex>,
        each: impl Fn(&str, &Postings) -> T + Sync,
        postings_per_range: usize,
    ) -> (Vec<Document>, Vec<(String, T)>) {
        let joining = Joining::new(&mut runs);
        let mut names = vec![String::new(); joining.numbers.lengths.len()];
        for (key, number) in joining.numbers.short.iter() {
            names[number as usize] = tokenize::key_term(key);
        }
        for (term, number) in &joining.numbers.long {
            names[*number] = term.clone();
        }
        // More ranges than cores only where the lists would take much memory.
        let total: usize = joining.numbers.lengths.iter().sum();
        let parts = rayon::current_num_threads()
            .max(1)
            .max(total.div_ceil(postings_per_range.max(1)));
        let ranges = term_ranges(&joining.numbers.lengths, parts);
        let grouped = joining.group(&mut runs, ranges);
        // Each range with the names of its terms, which go to what it makes.
        let mut named = Vec::with_capacity(grouped.ranges.len());
        for (range, terms) in grouped.ranges.iter().enumerate().rev() {
            let start = terms.start.min(names.len());
            named.push((range, names.split_off(start)));
        }
        named.reverse();
        let made: Vec<Vec<(String, T)>> = named
            .into_par_iter()
            .map(|(range, names)| {
                let lists = joining.lists(&runs, &grouped, range);
                lists
                    .iter()
                    .zip(names)
                    .filter(|(list, _)| !list.is_empty())
                    .map(|(list, name)| {
                        let made = each(&name, list);
                        (name, made)
                    })
                    .collect()
            })
            .collect();
        let mut documents = Vec::with_capacity(runs.iter().map(|r| r.documents.len()).sum());
        for run in runs {
            documents.extend(run.documents);
        }
        (documents, made.into_iter().flatten().collect())
    }

    /// One article's document and terms, exactly as [`SearchIndex::build`] indexes it: `kb
    /// serve` updates its index article by article with these.
    pub fn entry(site: &Site, bodies: &Bodies, id: usize) -> (Document, HashMap<String, u8>) {
        let article = &site.articles[id];
        let mut indexer = Indexer::default();
        indexer.article(site, article, &bodies.articles[id].html);
        (document(site, article), indexer.into_fields())
    }
}

/// Runs of articles being joined: every term of every run numbered across the runs.
struct Joining {
    numbers: Numbering,
    /// By run: the number of each term of its `terms`.
    joined: Vec<Vec<usize>>,
    /// Whether the postings are read in document order, so that every list is filled in
    /// order: runs of pushed articles only, each article after those before it.
    in_order: bool,
}

impl Joining {
    /// Numbers the terms of `runs` across them, each of their pending postings' terms too:
    /// the runs are then only to be joined.
    fn new(runs: &mut [SearchIndex]) -> Joining {
        let in_order = runs.iter().all(|run| run.terms.is_empty())
            && (runs.iter().flat_map(|run| &run.pending.articles))
                .is_sorted_by(|(earlier, _), (later, _)| earlier < later);
        // Every term gets a number across the runs and its number of postings, then a list of
        // exactly that length: no list grows, and the runs' postings are copied once.
        let mut numbers = Numbering::default();
        let joined = runs
            .iter_mut()
            .map(|run| {
                let joined = run
                    .terms
                    .iter()
                    .map(|(term, postings)| numbers.of_term(term, postings.len()))
                    .collect();
                let pending = &mut run.pending;
                let mut local = vec![0; pending.fields.len()];
                for (key, number) in pending.short.iter() {
                    let count = pending.counts[number as usize] as usize;
                    local[number as usize] = numbers.of_key(key, count);
                }
                for (term, number) in &pending.long {
                    let count = pending.counts[*number as usize] as usize;
                    local[*number as usize] = numbers.of_term(term, count);
                }
                // Each posting's term by its number across the runs, once: every range of
                // terms reads every posting, and would look each up again. (There are fewer
                // terms than postings, which a run counts in `u32`.)
                for term in &mut pending.posted_terms {
                    *term = local[*term as usize] as u32;
                }
                joined
            })
            .collect();
        Joining {
            numbers,
            joined,
            in_order,
        }
    }

    /// Groups every run's pending postings by the range of `ranges` their term is in (a range
    /// of term numbers; together they cover every term, in order): each range then reads only
    /// its own postings. Every range read every run's postings before, and a big site's lists
    /// are filled in more ranges than there are cores (five at 100,000 articles).
    fn group(&self, runs: &mut [SearchIndex], ranges: Vec<std::ops::Range<usize>>) -> Grouped {
        let mut range_of = vec![0; self.numbers.lengths.len()];
        for (range, terms) in ranges.iter().enumerate() {
            for number in terms.clone() {
                if let Some(of) = range_of.get_mut(number) {
                    // (No site has anywhere near 2^32 ranges of terms.)
                    *of = range as u32;
                }
            }
        }
        let count = ranges.len();
        let runs = runs
            .par_iter_mut()
            .map(|run| group_run(&mut run.pending, &range_of, count))
            .collect();
        Grouped { ranges, runs }
    }

    /// The joined postings of the terms of range `range` of `grouped`, by number less the
    /// range's first.
    fn lists(&self, runs: &[SearchIndex], grouped: &Grouped, range: usize) -> Vec<Postings> {
        let Some(terms) = grouped.ranges.get(range) else {
            return Vec::new();
        };
        let lengths = &self.numbers.lengths[terms.clone()];
        let mut lists = self.fill_lists(runs, grouped, range, lengths, false);
        if lists.is_none() {
            // Only if a term had more postings than counted, which the counts rule out.
            lists = self.fill_lists(runs, grouped, range, lengths, true);
        }
        let mut lists = lists.unwrap_or_default();
        // Runs come in article order; only runs joined after more articles were pushed to them,
        // or given out of order, would not.
        if !self.in_order {
            for list in &mut lists {
                if !list.is_sorted_by_key(|(document, _)| *document) {
                    list.sort_by_key(|(document, _)| *document);
                }
            }
        }
        lists
    }

    /// The lists of the terms of range `range` of `grouped`, which have these `lengths`
    /// (postings in all the runs), filled from every run; `None` if one had more postings
    /// than its length and `grow` is not set. See [`fill`].
    fn fill_lists(
        &self,
        runs: &[SearchIndex],
        grouped: &Grouped,
        range: usize,
        lengths: &[usize],
        grow: bool,
    ) -> Option<Vec<Postings>> {
        let first = grouped.ranges.get(range).map_or(0, |terms| terms.start);
        let mut lists: Vec<Postings> = lengths
            .iter()
            .map(|length| Postings::with_capacity(*length))
            .collect();
        let mut room = true;
        for ((run, joined), groups) in runs.iter().zip(&self.joined).zip(&grouped.runs) {
            for ((_, postings), number) in run.terms.iter().zip(joined) {
                if let Some(list) = lists.get_mut(number.wrapping_sub(first)) {
                    list.extend_from_slice(postings);
                }
            }
            let Some(group) = groups.get(range) else {
                continue;
            };
            room &= if grow {
                fill::<true>(&run.pending, group, first, &mut lists)
            } else {
                fill::<false>(&run.pending, group, first, &mut lists)
            };
        }
        room.then_some(lists)
    }
}

/// Every run's pending postings grouped by range of terms ([`Joining::group`]).
struct Grouped {
    /// Ranges of term numbers, in order.
    ranges: Vec<std::ops::Range<usize>>,
    /// By run, then by range: where its postings are.
    runs: Vec<Vec<RangeGroup>>,
}

/// The postings of one run of one range of terms: the next ones of the run's pending
/// postings from `start`, article by article.
#[derive(Debug, Default, PartialEq)]
struct RangeGroup {
    start: usize,
    /// The articles with postings in the range, in order: each one's document number and how
    /// many it has.
    articles: Vec<(u32, u32)>,
}

/// Reorders `pending`'s postings (each article's, one article after the other) by the range
/// `range_of` gives their term, keeping their order within a range, and says where each
/// range's are. `ranges` ranges in all.
fn group_run(pending: &mut Indexer, range_of: &[u32], ranges: usize) -> Vec<RangeGroup> {
    let range = |term: u32| {
        range_of
            .get(term as usize)
            .map_or(0, |range| *range as usize)
    };
    let total = pending.posted_terms.len().min(pending.posted_fields.len());
    let mut groups: Vec<RangeGroup> = (0..ranges).map(|_| RangeGroup::default()).collect();
    // How many postings each range gets, and from which articles.
    let mut sizes = vec![0; ranges];
    let mut counts = vec![0u32; ranges];
    let mut touched = Vec::new();
    let mut terms = &pending.posted_terms[..total];
    for &(document, posted) in &pending.articles {
        let (article_terms, other_terms) = terms.split_at((posted as usize).min(terms.len()));
        for term in article_terms {
            let range = range(*term);
            if counts[range] == 0 {
                touched.push(range);
            }
            counts[range] += 1;
        }
        for range in touched.drain(..) {
            groups[range].articles.push((document, counts[range]));
            sizes[range] += counts[range] as usize;
            counts[range] = 0;
        }
        terms = other_terms;
    }
    let mut next = 0;
    for (group, size) in groups.iter_mut().zip(&sizes) {
        group.start = next;
        next += size;
    }
    // Then every posting to the next place of its range. (Postings after the last article's,
    // which no article has, are dropped.)
    let mut places: Vec<usize> = groups.iter().map(|group| group.start).collect();
    let mut grouped_terms = vec![0; next];
    let mut grouped_fields = vec![0; next];
    let posted = &pending.posted_terms[..next.min(total)];
    for (term, fields) in posted.iter().zip(&pending.posted_fields) {
        let place = &mut places[range(*term)];
        if let (Some(to_term), Some(to_fields)) = (
            grouped_terms.get_mut(*place),
            grouped_fields.get_mut(*place),
        ) {
            (*to_term, *to_fields) = (*term, *fields);
        }
        *place += 1;
    }
    pending.posted_terms = grouped_terms;
    pending.posted_fields = grouped_fields;
    groups
}

/// Adds the postings of `group` (the postings of `pending` of the terms from `first` on that
/// `lists` has a list for) to their lists. Without `GROW`, a list is not grown: the loop then
/// calls nothing, and keeps what it needs in registers rather than on the stack around a call.
/// Whether every posting had room (a term's list made as long as its count of postings has).
#[inline(always)]
fn fill<const GROW: bool>(
    pending: &Indexer,
    group: &RangeGroup,
    first: usize,
    lists: &mut [Postings],
) -> bool {
    let mut room = true;
    // Each article's postings are the next ones, read as slices: one bounds test an article,
    // not one a posting.
    let start = group.start.min(pending.posted_terms.len());
    let (mut terms, mut fields) = (
        &pending.posted_terms[start..],
        &pending.posted_fields[start.min(pending.posted_fields.len())..],
    );
    for &(document, posted) in &group.articles {
        let posted = (posted as usize).min(terms.len()).min(fields.len());
        let (article_terms, other_terms) = terms.split_at(posted);
        let (article_fields, other_fields) = fields.split_at(posted);
        for (term, fields) in article_terms.iter().zip(article_fields) {
            let Some(list) = lists.get_mut((*term as usize).wrapping_sub(first)) else {
                continue;
            };
            if GROW || list.len() < list.capacity() {
                list.push((document, *fields));
            } else {
                room = false;
            }
        }
        (terms, fields) = (other_terms, other_fields);
    }
    room
}

/// Cuts the terms `0..lengths.len()` into at most `parts` ranges with about as many postings
/// each (`lengths` by term).
fn term_ranges(lengths: &[usize], parts: usize) -> Vec<std::ops::Range<usize>> {
    let parts = parts.max(1);
    let total: usize = lengths.iter().sum();
    let share = total.div_ceil(parts).max(1);
    let mut ranges = Vec::with_capacity(parts);
    let (mut start, mut filled) = (0, 0);
    for (number, length) in lengths.iter().enumerate() {
        filled += length;
        if filled >= share {
            ranges.push(start..number + 1);
            (start, filled) = (number + 1, 0);
        }
    }
    if ranges.len() >= parts {
        // Terms without postings after the last full range go with it.
        if let Some(last) = ranges.last_mut() {
            last.end = lengths.len();
        }
    } else if start < lengths.len() || ranges.is_empty() {
        ranges.push(start..lengths.len());
    }
    ranges
}

/// Numbers for the terms of several runs, and how many postings each has in all. The short
/// terms' numbers are in the table that numbers them in a run: every term of every run is
/// looked up there, on one core, as the runs are joined.
#[derive(Default)]
struct Numbering {
    short: KeyNumbers,
    long: HashMap<String, usize>,
    lengths: Vec<usize>,
}

impl Numbering {
    fn of_key(&mut self, key: u128, postings: usize) -> usize {
        let number = match self.short.get(key) {
            Some(number) => number as usize,
            None => {
                // (No site has anywhere near 2^32 terms.)
                let next = self.lengths.len();
                self.short.insert(key, next as u32);
                next
            }
        };
        self.count(number, postings)
    }

    fn of_term(&mut self, term: &str, postings: usize) -> usize {
        if let Some(key) = tokenize::key(term) {
            return self.of_key(key, postings);
        }
        let number = match self.long.get(term) {
            Some(number) => *number,
            None => {
                self.long.insert(term.to_string(), self.lengths.len());
                self.lengths.len()
            }
        };
        self.count(number, postings)
    }

    fn count(&mut self, number: usize, postings: usize) -> usize {
        if number == self.lengths.len() {
            self.lengths.push(0);
        }
        self.lengths[number] += postings;
        number
    }
}

fn document(site: &Site, article: &Article) -> Document {
    let summary = article.meta.summary.as_deref().unwrap_or_default();
    Document {
        code: article.meta.code.to_string(),
        title: article.meta.title.clone(),
        url: site.config.base_url.link(article.url.as_str()),
        summary: truncate(summary, SUMMARY_CHARS),
    }
}

/// Cuts at a word boundary and marks the cut with `…`.
fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let at = cut.rfind(char::is_whitespace).unwrap_or(cut.len());
    format!(
        "{}…",
        cut[..at].trim_end_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation())
    )
}

/// Marks a stop word among a term's fields (every field is a lower bit).
const STOP: u8 = 0x80;

/// Indexes articles one after the other. A term gets a number the first time it is seen, so
/// that a word seen before, as most words of a body are, costs one hash lookup and no
/// allocation, and whether it is a stop word is decided once.
#[derive(Default)]
struct Indexer {
    /// The numbers of the terms of at most [`tokenize::KEY_BYTES`], by key, and of the others.
    short: KeyNumbers,
    long: HashMap<String, u32>,
    /// By term number: its fields in the article being indexed, and [`STOP`].
    fields: Vec<u8>,
    /// By term number: how many of the articles finished have it.
    counts: Vec<u32>,
    /// The articles finished, in order: each one's document number and how many postings it
    /// has, which are the next ones of `posted_terms` and `posted_fields`.
    articles: Vec<(u32, u32)>,
    posted_terms: Vec<u32>,
    posted_fields: Vec<u8>,
    /// The numbers of the terms the article being indexed has.
    touched: Vec<u32>,
    /// Reused for the words that need lower-casing one character at a time.
    word: String,
}

impl std::fmt::Debug for Indexer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Indexer")
            .field("terms", &self.fields.len())
            .finish_non_exhaustive()
    }
}

impl Indexer {
    /// Every term of one article with the fields it occurs in.
    fn article(&mut self, site: &Site, article: &Article, body_html: &str) {
        let meta = &article.meta;
        self.add_text(meta.code.as_str(), field::CODE, field::CODE_PART, false);
        self.add_text(&meta.title, field::TITLE, field::TITLE, false);
        for message in &meta.messages {
            self.add_text(message, field::MESSAGE, field::MESSAGE, false);
        }
        let summary = meta.summary.as_deref().unwrap_or_default();
        self.add_text(summary, field::SUMMARY, field::SUMMARY, true);
        for text in &meta.applies_to {
            self.add_text(text, field::SUMMARY, field::SUMMARY, true);
        }
        for tag in &article.tags {
            self.add_text(&tag.name, field::SUMMARY, field::SUMMARY, true);
        }
        // The categories above the article (`IIS`, `nginx`), so `nginx 502` finds nginx's 502.
        for category in site.ancestry(article.category).iter().skip(1) {
            let title = &site.categories[*category].title;
            self.add_text(title, field::SUMMARY, field::SUMMARY, true);
        }
        self.add_body(body_html);
    }

    /// Adds each word of `text` with `word_field` and its parts with `part_field`, leaving out
    /// stop words in running text. A code is always one word (its characters are all word
    /// characters), so only the whole code earns [`field::CODE`] and `401` in `401.1` is a
    /// [`field::CODE_PART`].
    fn add_text(&mut self, text: &str, word_field: u8, part_field: u8, running_text: bool) {
        // `move`: the fields and flags are copied into the closures, not read through
        // references.
        tokenize::each_token::<false, _>(
            text,
            self,
            move |indexer, key| indexer.add_key(key, word_field, running_text),
            move |indexer, word| indexer.add_word_token(word, word_field, part_field, running_text),
        );
    }

    /// [`Indexer::add_text`] of the text of a body's rendered HTML, running text of
    /// [`field::BODY`]: written as constants here, so that the loop over the words of bodies,
    /// most words indexed, neither reads them nor tests them.
    fn add_body(&mut self, html: &str) {
        tokenize::each_token::<true, _>(
            html,
            self,
            |indexer, key| indexer.add_key(key, field::BODY, true),
            |indexer, word| indexer.add_word_token(word, field::BODY, field::BODY, true),
        );
    }

    /// Adds a word as [`tokenize::each_token`] hands it over, and its parts.
    fn add_word_token(&mut self, word: Word, word_field: u8, part_field: u8, running_text: bool) {
        if word.entities {
            let decoded = tokenize::decode_entities(word.raw);
            for raw in tokenize::raw_words(&decoded) {
                self.add_word(raw, word_field, part_field, running_text);
            }
        } else {
            self.add_word(word.raw, word_field, part_field, running_text);
        }
    }

    /// Adds a word as written, and its parts.
    #[cold]
    fn add_word(&mut self, raw: &str, word_field: u8, part_field: u8, running_text: bool) {
        let mut whole = std::mem::take(&mut self.word);
        let shape = tokenize::normalize_word(raw, &mut whole);
        self.add(&whole, word_field, running_text);
        match shape {
            Shape::Whole => {}
            Shape::Ascii { mixed_case } => tokenize::ascii_parts(raw, &whole, mixed_case, |part| {
                self.add(part, part_field, running_text);
            }),
            Shape::Other => {
                for part in tokenize::parts(raw) {
                    self.add(&part, part_field, running_text);
                }
            }
        }
        self.word = whole;
    }

    fn add(&mut self, term: &str, field: u8, running_text: bool) {
        if let Some(key) = tokenize::key(term) {
            return self.add_key(key, field, running_text);
        }
        let number = match self.long.get(term) {
            Some(number) => *number,
            None => {
                let number = self.new_term(false);
                self.long.insert(term.to_string(), number);
                number
            }
        };
        self.add_number(number, field, running_text);
    }

    #[inline(always)]
    fn add_key(&mut self, key: u128, field: u8, running_text: bool) {
        let number = match self.short.get(key) {
            Some(number) => number,
            None => self.new_key(key),
        };
        self.add_number(number, field, running_text);
    }

    #[cold]
    fn new_key(&mut self, key: u128) -> u32 {
        let number = self.new_term(tokenize::is_stop_key(key));
        self.short.insert(key, number);
        number
    }

    #[inline]
    fn add_number(&mut self, number: u32, field: u8, running_text: bool) {
        let fields = &mut self.fields[number as usize];
        if running_text && *fields & STOP != 0 {
            return;
        }
        if *fields & !STOP == 0 {
            self.touched.push(number);
        }
        *fields |= field;
    }

    fn new_term(&mut self, stop_word: bool) -> u32 {
        let number = self.fields.len() as u32;
        self.fields.push(if stop_word { STOP } else { 0 });
        self.counts.push(0);
        number
    }

    /// Ends the article being indexed: its terms get a posting for `document`.
    fn finish(&mut self, document: u32) {
        self.articles.push((document, self.touched.len() as u32));
        // The article's postings are added as whole lists, not one push at a time (each would
        // test for room): its terms copied, and its fields made as each term is counted and
        // its fields cleared for the next article.
        self.posted_terms.extend_from_slice(&self.touched);
        let (fields, counts) = (&mut self.fields, &mut self.counts);
        self.posted_fields.extend(self.touched.iter().map(|number| {
            let number = *number as usize;
            counts[number] += 1;
            let posted = fields[number] & !STOP;
            fields[number] &= STOP;
            posted
        }));
        self.touched.clear();
    }

    /// Every term by number.
    fn terms(short: KeyNumbers, long: HashMap<String, u32>) -> Vec<(String, u32)> {
        let short = short
            .iter()
            .map(|(key, number)| (tokenize::key_term(key), number));
        short.chain(long).collect()
    }

    /// The terms of the article being indexed with their fields.
    fn into_fields(self) -> HashMap<String, u8> {
        Indexer::terms(self.short, self.long)
            .into_iter()
            .map(|(term, number)| (term, self.fields[number as usize] & !STOP))
            .filter(|(_, fields)| *fields != 0)
            .collect()
    }
}

/// The text of rendered HTML: tags dropped (each becomes a space), the entities kb's Markdown
/// renderer writes decoded.
pub fn html_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    html_text_into(html, &mut text);
    text
}

/// [`html_text`] into a buffer the caller reuses.
fn html_text_into(html: &str, text: &mut String) {
    text.clear();
    let bytes = html.as_bytes();
    // `html[copied..at]` is text not copied yet.
    let (mut copied, mut at) = (0, 0);
    while at < bytes.len() {
        match bytes[at] {
            b'<' => {
                text.push_str(&html[copied..at]);
                text.push(' ');
                at = bytes[at..]
                    .iter()
                    .position(|b| *b == b'>')
                    .map_or(bytes.len(), |close| at + close + 1);
                copied = at;
            }
            b'&' => {
                text.push_str(&html[copied..at]);
                let rest = &html[at..];
                match tokenize::ENTITIES.iter().find(|(e, _)| rest.starts_with(e)) {
                    Some((entity, c)) => {
                        text.push(*c);
                        at += entity.len();
                    }
                    None => {
                        text.push('&');
                        at += 1;
                    }
                }
                copied = at;
            }
            _ => at += 1,
        }
    }
    text.push_str(&html[copied..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runs cover every article once, in order, none bigger than the one before it, the
    /// biggest at most 4,096 articles and all but the last at least 48.
    #[test]
    fn article_runs_cover_every_article_in_order_ever_smaller() {
        let sizes = [0, 1, 47, 48, 49, 100, 1_000, 10_000, 100_000, 1_000_000];
        for (articles, cores) in sizes.into_iter().flat_map(|n| [(n, 1), (n, 2), (n, 8)]) {
            let runs = article_runs(articles, cores);
            let mut next = 0;
            for (at, run) in runs.iter().enumerate() {
                assert_eq!(
                    run.start, next,
                    "{articles} on {cores}: run {at} starts where the last ended"
                );
                assert!(
                    !run.is_empty() && run.len() <= 4096,
                    "{articles} on {cores}: {run:?}"
                );
                if at + 1 < runs.len() {
                    assert!(run.len() >= 48, "{articles} on {cores}: {run:?}");
                }
                if at > 0 {
                    assert!(run.len() <= runs[at - 1].len(), "{articles} on {cores}");
                }
                next = run.end;
            }
            assert_eq!(next, articles, "on {cores}");
        }
        // Smaller runs at the end than at the start, and not too many of them.
        let runs = article_runs(10_000, 2);
        assert!(runs[0].len() >= 1000 && runs.last().unwrap().len() <= 64);
        assert!(runs.len() <= 64, "{}", runs.len());
    }

    /// The fields of `term` in the article `indexer` is indexing.
    fn fields(indexer: &Indexer, term: &str) -> Option<u8> {
        let number = match tokenize::key(term) {
            Some(key) => indexer.short.get(key),
            None => indexer.long.get(term).copied(),
        };
        Some(indexer.fields[number? as usize] & !STOP).filter(|fields| *fields != 0)
    }

    #[test]
    fn html_text_drops_tags_and_decodes_entities() {
        assert_eq!(
            html_text("<p>Use <code>a &lt;b&gt;</code> &amp; go</p>"),
            " Use  a <b>  & go "
        );
        assert_eq!(html_text("a &amp;lt; b &copy; c &"), "a &lt; b &copy; c &");
    }

    /// Runs of made-up articles, as `kb build` indexes them: words in several runs, words of
    /// one run only, long words (kept by text rather than by key), and a run with no article.
    fn runs() -> Vec<SearchIndex> {
        let articles: [&[&str]; 7] = [
            &["disk full", "the disk is full"],
            &[
                "quota exceeded",
                "the disk quota of übergroße-verzeichnisse is exceeded",
            ],
            &["token expired", "renew the token"],
            &[],
            &["disk quota", "the quota of the disk"],
            &[
                "connection refused",
                "a_very_long_identifier_of_a_setting refused the token",
            ],
            &["übergroße-verzeichnisse", "disk"],
        ];
        let mut runs = Vec::new();
        for (first, run_articles) in [(0, 0..3), (3, 3..3), (3, 3..7)] {
            let mut run = SearchIndex::default();
            for (offset, texts) in articles[run_articles].iter().enumerate() {
                let document = (first + offset) as u32;
                if let Some(title) = texts.first() {
                    run.pending
                        .add_text(title, field::TITLE, field::TITLE, false);
                }
                for text in texts.iter().skip(1) {
                    run.pending.add_text(text, field::BODY, field::BODY, true);
                }
                run.pending.finish(document);
                run.documents.push(Document {
                    code: document.to_string(),
                    title: texts.first().unwrap_or(&"").to_string(),
                    url: format!("/{document}/"),
                    summary: String::new(),
                });
            }
            runs.push(run);
        }
        runs
    }

    #[test]
    fn joining_a_range_of_terms_at_a_time_gives_what_joining_all_of_them_gives() {
        let joined = SearchIndex::join(runs());
        let mut whole: Vec<(String, Postings)> = joined.terms.into_iter().collect();
        whole.sort();
        assert!(whole.len() > 10, "{whole:?}");
        for postings_per_range in [1, 3, 1000] {
            let (documents, mut each) =
                SearchIndex::join_each_in(runs(), |_, list| list.clone(), postings_per_range);
            each.sort();
            assert_eq!(each, whole, "{postings_per_range} postings a range");
            assert_eq!(documents, joined.documents);
        }
    }

    /// However the terms are cut into ranges, the lists of every range, filled from the
    /// postings grouped by range, are those filled one posting at a time from the postings as
    /// the articles gave them; a list too short is told, and joining still gives them all.
    #[test]
    fn postings_grouped_by_range_are_every_terms_postings() {
        let mut plain = runs();
        let joining = Joining::new(&mut plain);
        let lengths = joining.numbers.lengths.clone();
        assert!(lengths.len() > 10, "{lengths:?}");
        let mut expected = vec![Postings::new(); lengths.len()];
        for pending in plain.iter().map(|run| &run.pending) {
            let mut at = 0;
            for &(document, posted) in &pending.articles {
                for n in at..at + posted as usize {
                    let term = pending.posted_terms[n] as usize;
                    expected[term].push((document, pending.posted_fields[n]));
                }
                at += posted as usize;
            }
        }
        for step in 1..=lengths.len() {
            let ranges: Vec<std::ops::Range<usize>> = (0..lengths.len())
                .step_by(step)
                .map(|start| start..(start + step).min(lengths.len()))
                .collect();
            let mut runs = runs();
            let joining = Joining::new(&mut runs);
            let grouped = joining.group(&mut runs, ranges.clone());
            let joined: Vec<Postings> = (0..ranges.len())
                .flat_map(|range| joining.lists(&runs, &grouped, range))
                .collect();
            assert_eq!(joined, expected, "ranges of {step} terms");
        }
        let mut runs = runs();
        let joining = Joining::new(&mut runs);
        let whole = 0..lengths.len();
        let grouped = joining.group(&mut runs, std::iter::once(whole).collect());
        let mut short = vec![Postings::new(); lengths.len()];
        let room = (runs.iter().zip(&grouped.runs))
            .all(|(run, groups)| fill::<false>(&run.pending, &groups[0], 0, &mut short));
        assert!(!room);
        assert_eq!(joining.lists(&runs, &grouped, 0), expected);
    }

    #[test]
    fn runs_out_of_order_are_joined_as_in_order() {
        let joined = SearchIndex::join(runs());
        let mut reversed = runs();
        reversed.reverse();
        let mut again = SearchIndex::join(reversed);
        again
            .documents
            .sort_by_key(|document| document.code.parse::<u32>().ok());
        assert_eq!(again.terms, joined.terms);
        assert_eq!(again.documents, joined.documents);
    }

    #[test]
    fn term_ranges_cover_every_term_once_in_order() {
        let cases: &[&[usize]] = &[
            &[],
            &[0],
            &[5],
            &[1, 1, 1, 1],
            &[100, 1, 1, 1, 1],
            &[0, 0, 9],
        ];
        for lengths in cases {
            for parts in 0..6 {
                let ranges = term_ranges(lengths, parts);
                assert!(ranges.len() <= parts.max(1), "{lengths:?} in {parts}");
                let covered: Vec<usize> = ranges.iter().flat_map(|r| r.clone()).collect();
                assert_eq!(
                    covered,
                    (0..lengths.len()).collect::<Vec<_>>(),
                    "{lengths:?}"
                );
            }
        }
    }

    #[test]
    fn long_summaries_are_cut_at_a_word() {
        assert_eq!(truncate("one two three", 9), "one two…");
        assert_eq!(truncate("short", 9), "short");
    }

    #[test]
    fn only_the_whole_code_is_an_exact_code() {
        let mut terms = Indexer::default();
        terms.add_text("401.1", field::CODE, field::CODE_PART, false);
        assert_eq!(fields(&terms, "401.1"), Some(field::CODE));
        assert_eq!(fields(&terms, "401"), Some(field::CODE_PART));
        assert_eq!(fields(&terms, "1"), Some(field::CODE_PART));
        let mut terms = Indexer::default();
        terms.add_text(
            "ERR_CONNECTION_REFUSED",
            field::CODE,
            field::CODE_PART,
            false,
        );
        assert_eq!(fields(&terms, "err_connection_refused"), Some(field::CODE));
        assert_eq!(fields(&terms, "refused"), Some(field::CODE_PART));
    }

    #[test]
    fn stop_words_are_skipped_only_in_running_text() {
        let mut terms = Indexer::default();
        terms.add_text(
            "This page isn't working",
            field::MESSAGE,
            field::MESSAGE,
            false,
        );
        terms.add_text("the body", field::BODY, field::BODY, true);
        assert_eq!(fields(&terms, "this"), Some(field::MESSAGE));
        assert_eq!(fields(&terms, "the"), None);
        assert_eq!(fields(&terms, "body"), Some(field::BODY));
    }
    /// The terms of `text` as indexing found them one word at a time, with `String`s.
    fn terms_word_by_word(text: &str, word_field: u8, part_field: u8) -> HashMap<String, u8> {
        let mut terms = HashMap::default();
        let mut add = |term: String, field: u8| {
            if !tokenize::is_stop_word(&term) || word_field != field::BODY {
                *terms.entry(term).or_default() |= field;
            }
        };
        for raw in tokenize::raw_words(text) {
            add(tokenize::normalize(raw), word_field);
            for part in tokenize::parts(raw) {
                add(part, part_field);
            }
        }
        terms
    }

    #[test]
    fn terms_are_those_found_one_word_at_a_time() {
        for text in tokenize::tricky_samples(10_000) {
            let mut indexer = Indexer::default();
            indexer.add_text(&text, field::CODE, field::CODE_PART, false);
            let expected = terms_word_by_word(&text, field::CODE, field::CODE_PART);
            assert_eq!(indexer.into_fields(), expected, "terms of {text:?}");
            let mut indexer = Indexer::default();
            indexer.add_body(&text);
            let expected = terms_word_by_word(&html_text(&text), field::BODY, field::BODY);
            assert_eq!(
                indexer.into_fields(),
                expected,
                "terms of the HTML {text:?}"
            );
        }
    }
}
