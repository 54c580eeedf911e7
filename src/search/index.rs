//! The search index in memory: every article as a displayable document, and every term with
//! the documents it occurs in and in which fields.

// foldhash rather than std's SipHash: hashing words is much of what indexing costs, and the
// words come from the site's own files, not from someone trying to slow the build down.
use foldhash::HashMap;

use rayon::prelude::*;

use super::tokenize;
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

/// How many articles [`SearchIndex::build`] indexes together.
pub const ARTICLES_PER_RUN: usize = 256;

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
}

impl SearchIndex {
    /// Indexes every article of the site; document numbers are article ids.
    pub fn build(site: &Site, bodies: &Bodies) -> SearchIndex {
        // Runs of articles are indexed in parallel, then joined in order: one map insertion per
        // term of a run rather than per term of every article, which left one core busy alone.
        let runs: Vec<SearchIndex> = site
            .articles
            .par_chunks(ARTICLES_PER_RUN)
            .enumerate()
            .map(|(run, articles)| {
                let first = run * ARTICLES_PER_RUN;
                let mut index = SearchIndex::default();
                for id in first..first + articles.len() {
                    index.push_article(site, id, &bodies.articles[id].html);
                }
                index
            })
            .collect();
        SearchIndex::join(runs)
    }

    /// Adds article `id`, whose rendered body is `body_html`, as the next document of this
    /// index. `kb build` indexes each article as soon as its body is rendered, in runs of
    /// consecutive articles ([`SearchIndex::join`]).
    pub fn push_article(&mut self, site: &Site, id: usize, body_html: &str) {
        let article = &site.articles[id];
        self.documents.push(document(site, article));
        for (term, flags) in article_terms(site, article, body_html) {
            self.terms.entry(term).or_default().push((id as u32, flags));
        }
    }

    /// The index of consecutive runs of articles, given in article order.
    pub fn join(runs: Vec<SearchIndex>) -> SearchIndex {
        let mut index = SearchIndex::default();
        for run in runs {
            index.documents.extend(run.documents);
            for (term, mut postings) in run.terms {
                // Runs come in article order, so every postings list stays sorted.
                index.terms.entry(term).or_default().append(&mut postings);
            }
        }
        index
    }

    /// One article's document and terms, exactly as [`SearchIndex::build`] indexes it: `kb
    /// serve` updates its index article by article with these.
    pub fn entry(site: &Site, bodies: &Bodies, id: usize) -> (Document, HashMap<String, u8>) {
        let article = &site.articles[id];
        let terms = article_terms(site, article, &bodies.articles[id].html);
        (document(site, article), terms)
    }
}

fn document(site: &Site, article: &Article) -> Document {
    let summary = article.meta.summary.as_deref().unwrap_or_default();
    Document {
        code: article.meta.code.to_string(),
        title: article.meta.title.clone(),
        url: site.config.base_url.link(&article.url.to_string()),
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

/// Every term of one article with the fields it occurs in.
fn article_terms(site: &Site, article: &Article, body_html: &str) -> HashMap<String, u8> {
    let mut terms = Terms::default();
    let meta = &article.meta;
    let code = meta.code.as_str();
    terms.add_text(code, field::CODE, field::CODE_PART, false);
    terms.add_text(&meta.title, field::TITLE, field::TITLE, false);
    for message in &meta.messages {
        terms.add_text(message, field::MESSAGE, field::MESSAGE, false);
    }
    let mut context: Vec<&str> = vec![meta.summary.as_deref().unwrap_or_default()];
    context.extend(meta.applies_to.iter().map(String::as_str));
    context.extend(article.tags.iter().map(|t| t.name.as_str()));
    // The categories above the article (`IIS`, `nginx`), so `nginx 502` finds nginx's 502.
    context.extend(
        site.ancestry(article.category)
            .iter()
            .skip(1)
            .map(|c| site.categories[*c].title.as_str()),
    );
    for text in context {
        terms.add_text(text, field::SUMMARY, field::SUMMARY, true);
    }
    terms.add_text(&html_text(body_html), field::BODY, field::BODY, true);
    terms.0
}

#[derive(Default)]
struct Terms(HashMap<String, u8>);

impl Terms {
    /// Adds each word of `text` with `word_field` and its parts with `part_field`. A code is
    /// always one word (its characters are all word characters), so only the whole code earns
    /// [`field::CODE`] and `401` in `401.1` is a [`field::CODE_PART`].
    fn add_text(&mut self, text: &str, word_field: u8, part_field: u8, skip_stop_words: bool) {
        let mut word = String::new();
        for raw in tokenize::raw_words(text) {
            tokenize::normalize_into(raw, &mut word);
            if !(skip_stop_words && tokenize::is_stop_word(&word)) {
                self.add(&word, word_field);
            }
            for part in tokenize::parts(raw) {
                if !(skip_stop_words && tokenize::is_stop_word(&part)) {
                    self.add(&part, part_field);
                }
            }
        }
    }

    /// One hash and no allocation for a word already seen, as most words of a body are.
    fn add(&mut self, term: &str, field: u8) {
        match self.0.get_mut(term) {
            Some(fields) => *fields |= field,
            None => {
                self.0.insert(term.to_string(), field);
            }
        }
    }
}

/// The text of rendered HTML: tags dropped (each becomes a space), the entities kb's Markdown
/// renderer writes decoded.
pub fn html_text(html: &str) -> String {
    const ENTITIES: &[(&str, char)] = &[
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
        ("&#x27;", '\''),
        ("&amp;", '&'),
    ];
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        text.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('<') {
            text.push(' ');
            rest = rest.find('>').map_or("", |close| &rest[close + 1..]);
        } else if let Some((entity, c)) = ENTITIES.iter().find(|(e, _)| rest.starts_with(e)) {
            text.push(*c);
            rest = &rest[entity.len()..];
        } else {
            text.push('&');
            rest = &rest[1..];
        }
    }
    text.push_str(rest);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_drops_tags_and_decodes_entities() {
        assert_eq!(
            html_text("<p>Use <code>a &lt;b&gt;</code> &amp; go</p>"),
            " Use  a <b>  & go "
        );
        assert_eq!(html_text("a &amp;lt; b &copy; c &"), "a &lt; b &copy; c &");
    }

    #[test]
    fn long_summaries_are_cut_at_a_word() {
        assert_eq!(truncate("one two three", 9), "one two…");
        assert_eq!(truncate("short", 9), "short");
    }

    #[test]
    fn only_the_whole_code_is_an_exact_code() {
        let mut terms = Terms::default();
        terms.add_text("401.1", field::CODE, field::CODE_PART, false);
        assert_eq!(terms.0.get("401.1"), Some(&field::CODE));
        assert_eq!(terms.0.get("401"), Some(&field::CODE_PART));
        assert_eq!(terms.0.get("1"), Some(&field::CODE_PART));
        let mut terms = Terms::default();
        terms.add_text(
            "ERR_CONNECTION_REFUSED",
            field::CODE,
            field::CODE_PART,
            false,
        );
        assert_eq!(terms.0.get("err_connection_refused"), Some(&field::CODE));
        assert_eq!(terms.0.get("refused"), Some(&field::CODE_PART));
    }

    #[test]
    fn stop_words_are_skipped_only_in_running_text() {
        let mut terms = Terms::default();
        terms.add_text(
            "This page isn't working",
            field::MESSAGE,
            field::MESSAGE,
            false,
        );
        terms.add_text("the body", field::BODY, field::BODY, true);
        assert_eq!(terms.0.get("this"), Some(&field::MESSAGE));
        assert_eq!(terms.0.get("the"), None);
        assert_eq!(terms.0.get("body"), Some(&field::BODY));
    }
}
