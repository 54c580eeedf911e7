//! The search index kept between builds and updated article by article: an edit re-indexes
//! the articles whose search entry may have changed and replaces their postings, instead of
//! tokenizing every body of the site again. The result is the index a full build makes: the
//! same documents, and every term's postings in document order.

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::render::Bodies;
use crate::search::SearchIndex;
use crate::site::Site;

/// More changed articles than this, and the index is built anew (as fast, and simpler).
const MAX_UPDATED: usize = 500;

#[derive(Default)]
pub struct SearchCache {
    index: Option<SearchIndex>,
    /// The articles' source paths in order: document numbers are article indexes.
    layout: u64,
    /// A fingerprint of each article's search entry, by document number.
    entries: Vec<u64>,
}

impl SearchCache {
    /// Brings the index up to date with the site; `inputs` fingerprints what an article's
    /// entry is made from except its category titles (hashed here).
    pub fn update(
        &mut self,
        site: &Site,
        bodies: &Bodies,
        inputs: &(dyn Fn(usize) -> u64 + Sync),
    ) -> &SearchIndex {
        let layout = layout(site);
        let entries: Vec<u64> = (0..site.articles.len())
            .into_par_iter()
            .map(|id| entry_print(site, id, inputs(id)))
            .collect();
        let changed: BTreeSet<usize> = (0..entries.len())
            .filter(|id| self.entries.get(*id) != Some(&entries[*id]))
            .collect();
        let index = match self.index.take() {
            Some(mut index) if layout == self.layout && changed.len() <= MAX_UPDATED => {
                reindex(&mut index, site, bodies, &changed);
                index
            }
            _ => SearchIndex::build(site, bodies),
        };
        self.layout = layout;
        self.entries = entries;
        self.index.insert(index)
    }
}

/// Replaces the documents and postings of the `changed` articles.
fn reindex(index: &mut SearchIndex, site: &Site, bodies: &Bodies, changed: &BTreeSet<usize>) {
    if changed.is_empty() {
        return;
    }
    let fresh: Vec<_> = changed
        .par_iter()
        .map(|id| (*id, SearchIndex::entry(site, bodies, *id)))
        .collect();
    index.terms.retain(|_, postings| {
        postings.retain(|(document, _)| !changed.contains(&(*document as usize)));
        !postings.is_empty()
    });
    for (id, (document, terms)) in fresh {
        index.documents[id] = document;
        let number = id as u32;
        for (term, flags) in terms {
            let postings = index.terms.entry(term).or_default();
            let at = postings.partition_point(|(d, _)| *d < number);
            postings.insert(at, (number, flags));
        }
    }
}

fn layout(site: &Site) -> u64 {
    let mut hasher = DefaultHasher::new();
    let paths: Vec<PathBuf> = site
        .articles
        .iter()
        .map(|a| a.source.path.as_path().to_path_buf())
        .collect();
    paths.hash(&mut hasher);
    hasher.finish()
}

/// An article's entry is made from its source (code, title, summary, messages, tags, body),
/// its address and the titles of the categories above it.
fn entry_print(site: &Site, id: usize, inputs: u64) -> u64 {
    let article = &site.articles[id];
    let mut hasher = DefaultHasher::new();
    inputs.hash(&mut hasher);
    article.url.hash(&mut hasher);
    for category in site.ancestry(article.category) {
        site.categories[category].title.hash(&mut hasher);
    }
    hasher.finish()
}
