//! The search index kept between builds and updated article by article: an edit re-indexes
//! the articles whose search entry may have changed and replaces their postings, instead of
//! tokenizing every body of the site again. The result is the index a full build makes: the
//! same documents, and every term's postings in document order.
//!
//! Its files are kept too: each term's entry, the shards and the chunks. An update encodes
//! again the entries of the terms whose postings changed and the chunks of the documents that
//! changed, packs the shards anew (cheap: the entries are kept) and hashes only the folders whose
//! files changed, so the files are those [`crate::search::encode`] makes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};

use rayon::prelude::*;

use crate::output::Output;
use crate::render::Bodies;
use crate::search::{self, GROUP_FILES, IndexFile, SearchIndex};
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
    /// The index's files as last encoded.
    encoded: Option<Encoded>,
    /// For each file of `encoded`, whether it is the same as in the update before.
    files_kept: Vec<bool>,
}

/// The encoded index and what it is made from.
struct Encoded {
    /// Every term, in UTF-16 order, with its entry in a shard.
    terms: BTreeMap<Utf16Key, String>,
    /// Each shard's first term, and its content.
    first_terms: Vec<String>,
    shards: Vec<String>,
    chunks: Vec<String>,
    term_folders: Vec<String>,
    chunk_folders: Vec<String>,
}

impl SearchCache {
    /// Brings the index up to date with the site; `inputs` fingerprints what an article's
    /// entry is made from except its category titles (hashed here). `only`, when given, are
    /// the only articles whose entry may have changed, the site having the same articles in
    /// the same places as at the last update.
    pub fn update(
        &mut self,
        site: &Site,
        bodies: &Bodies,
        inputs: &(dyn Fn(usize) -> u64 + Sync),
        only: Option<&[usize]>,
    ) -> &SearchIndex {
        let (layout, entries): (u64, Vec<u64>) = match only {
            // The same articles in the same places: only these may have other entries.
            Some(ids) if self.entries.len() == site.articles.len() => {
                let mut entries = self.entries.clone();
                for id in ids {
                    entries[*id] = entry_print(site, *id, inputs(*id));
                }
                (self.layout, entries)
            }
            _ => (
                layout(site),
                (0..site.articles.len())
                    .into_par_iter()
                    .map(|id| entry_print(site, id, inputs(id)))
                    .collect(),
            ),
        };
        let changed: BTreeSet<usize> = (0..entries.len())
            .filter(|id| self.entries.get(*id) != Some(&entries[*id]))
            .collect();
        let (index, encoded) = match (self.index.take(), self.encoded.take()) {
            (Some(mut index), Some(mut encoded))
                if layout == self.layout && changed.len() <= MAX_UPDATED =>
            {
                let terms = reindex(&mut index, site, bodies, &changed);
                self.files_kept = encoded.update(&index, &terms, &changed);
                (index, encoded)
            }
            _ => {
                let index = SearchIndex::build(site, bodies);
                let encoded = Encoded::new(&index);
                self.files_kept = vec![false; encoded.shards.len() + encoded.chunks.len()];
                (index, encoded)
            }
        };
        self.layout = layout;
        self.entries = entries;
        self.encoded = Some(encoded);
        self.index.insert(index)
    }

    /// `search/meta.json` and every index file, as [`search::index_outputs`] makes them, each
    /// with whether it is the very file of the update before.
    pub fn outputs(&self) -> (Vec<Output>, Vec<bool>) {
        let (Some(index), Some(encoded)) = (&self.index, &self.encoded) else {
            return (Vec::new(), Vec::new());
        };
        let meta = search::meta(
            index.documents.len(),
            encoded.first_terms.clone(),
            encoded.term_folders.clone(),
            encoded.chunk_folders.clone(),
        );
        let mut outputs = vec![search::meta_output(&meta)];
        let files = [
            ('t', &encoded.shards, &encoded.term_folders),
            ('d', &encoded.chunks, &encoded.chunk_folders),
        ];
        for (kind, contents, folders) in files {
            for (number, content) in contents.iter().enumerate() {
                outputs.push(search::file_output(IndexFile {
                    folder: folders[number / GROUP_FILES].clone(),
                    name: search::file_name(kind, number),
                    content: content.clone(),
                }));
            }
        }
        let mut kept = vec![false];
        kept.extend(&self.files_kept);
        kept.resize(outputs.len(), false);
        (outputs, kept)
    }
}

impl Encoded {
    fn new(index: &SearchIndex) -> Encoded {
        let terms: BTreeMap<Utf16Key, String> = index
            .terms
            .par_iter()
            .map(|(term, postings)| (Utf16Key(term.clone()), search::entry(term, postings)))
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        let chunks: Vec<String> = index
            .documents
            .par_chunks(search::CHUNK_DOCUMENTS)
            .map(search::chunk_file)
            .collect();
        let (first_terms, shards): (Vec<String>, Vec<String>) =
            search::pack_shards(terms.iter().map(|(t, e)| (t.0.as_str(), e)))
                .into_iter()
                .unzip();
        Encoded {
            term_folders: search::group_folders('t', &shards),
            chunk_folders: search::group_folders('d', &chunks),
            terms,
            first_terms,
            shards,
            chunks,
        }
    }

    /// Encodes again what the `terms` and `documents` that changed touch; returns, for each
    /// file (shards, then chunks), whether it is the same as before.
    fn update(
        &mut self,
        index: &SearchIndex,
        terms: &BTreeSet<String>,
        documents: &BTreeSet<usize>,
    ) -> Vec<bool> {
        for term in terms {
            let key = Utf16Key(term.clone());
            match index.terms.get(term) {
                Some(postings) => {
                    self.terms.insert(key, search::entry(term, postings));
                }
                None => {
                    self.terms.remove(&key);
                }
            }
        }
        let (first_terms, shards): (Vec<String>, Vec<String>) =
            search::pack_shards(self.terms.iter().map(|(t, e)| (t.0.as_str(), e)))
                .into_iter()
                .unzip();
        let shards_same: Vec<bool> = (0..shards.len())
            .map(|i| self.shards.get(i) == shards.get(i))
            .collect();
        let old_shards = std::mem::replace(&mut self.shards, shards).len();
        self.first_terms = first_terms;
        // The documents are the same articles (the layout did not change): only their
        // content may have.
        let mut chunks_same = vec![true; self.chunks.len()];
        let changed_chunks: BTreeSet<usize> = documents
            .iter()
            .map(|d| d / search::CHUNK_DOCUMENTS)
            .collect();
        for chunk in changed_chunks {
            let start = chunk * search::CHUNK_DOCUMENTS;
            let end = (start + search::CHUNK_DOCUMENTS).min(index.documents.len());
            let content = search::chunk_file(&index.documents[start..end]);
            if let Some(old) = self.chunks.get_mut(chunk) {
                if *old != content {
                    *old = content;
                    chunks_same[chunk] = false;
                }
            }
        }
        let chunk_count = self.chunks.len();
        let term_same = regroup(
            't',
            &self.shards,
            old_shards,
            &shards_same,
            &mut self.term_folders,
        );
        let chunk_same = regroup(
            'd',
            &self.chunks,
            chunk_count,
            &chunks_same,
            &mut self.chunk_folders,
        );
        let mut kept: Vec<bool> = (0..self.shards.len())
            .map(|i| shards_same[i] && term_same[i / GROUP_FILES])
            .collect();
        kept.extend((0..chunk_count).map(|i| chunks_same[i] && chunk_same[i / GROUP_FILES]));
        kept
    }
}

/// Names again the folders of the groups whose files changed (there were `old_count` files
/// before, and `same` says which are unchanged); returns, for each group, whether its folder
/// kept its name.
fn regroup(
    kind: char,
    contents: &[String],
    old_count: usize,
    same: &[bool],
    folders: &mut Vec<String>,
) -> Vec<bool> {
    let groups = contents.len().div_ceil(GROUP_FILES);
    folders.truncate(groups);
    (0..groups)
        .map(|group| {
            let start = group * GROUP_FILES;
            let end = (start + GROUP_FILES).min(contents.len());
            let old_end = (start + GROUP_FILES).min(old_count);
            if group < folders.len() && end == old_end && same[start..end].iter().all(|s| *s) {
                return true;
            }
            let folder = search::group_folder(kind, start, &contents[start..end]);
            let kept = folders.get(group) == Some(&folder);
            match folders.get_mut(group) {
                Some(old) => *old = folder,
                None => folders.push(folder),
            }
            kept
        })
        .collect()
}

/// Replaces the documents and postings of the `changed` articles; returns the terms whose
/// postings changed.
fn reindex(
    index: &mut SearchIndex,
    site: &Site,
    bodies: &Bodies,
    changed: &BTreeSet<usize>,
) -> BTreeSet<String> {
    let mut terms = BTreeSet::new();
    if changed.is_empty() {
        return terms;
    }
    let fresh: Vec<_> = changed
        .par_iter()
        .map(|id| (*id, SearchIndex::entry(site, bodies, *id)))
        .collect();
    let mut is_changed = vec![false; index.documents.len()];
    for id in changed {
        is_changed[*id] = true;
    }
    // The postings taken out, by term: most come back as they were (an edit changes a few
    // words), and a term whose postings are the same keeps its encoded entry.
    let mut removed: HashMap<String, Vec<(u32, u8)>> = HashMap::new();
    index.terms.retain(|term, postings| {
        let mut out = Vec::new();
        postings.retain(|posting| {
            let keep = !is_changed.get(posting.0 as usize).copied().unwrap_or(false);
            if !keep {
                out.push(*posting);
            }
            keep
        });
        if !out.is_empty() {
            removed.insert(term.clone(), out);
        }
        !postings.is_empty()
    });
    for (id, (document, fresh_terms)) in fresh {
        index.documents[id] = document;
        let number = id as u32;
        for (term, flags) in fresh_terms {
            let back = removed.get_mut(&term).and_then(|out| {
                let at = out.iter().position(|p| *p == (number, flags))?;
                Some(out.swap_remove(at))
            });
            if back.is_none() {
                terms.insert(term.clone());
            }
            let postings = index.terms.entry(term).or_default();
            let at = postings.partition_point(|(d, _)| *d < number);
            postings.insert(at, (number, flags));
        }
    }
    terms.extend(
        removed
            .into_iter()
            .filter(|(_, out)| !out.is_empty())
            .map(|(term, _)| term),
    );
    terms
}

/// A term ordered as JavaScript orders strings (by UTF-16 code units).
#[derive(PartialEq, Eq)]
struct Utf16Key(String);

impl Ord for Utf16Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        search::utf16_cmp(&self.0, &other.0)
    }
}

impl PartialOrd for Utf16Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

fn layout(site: &Site) -> u64 {
    let mut hasher = DefaultHasher::new();
    site.articles.len().hash(&mut hasher);
    for article in &site.articles {
        article.source.path.as_path().hash(&mut hasher);
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{Document, field};

    /// A small deterministic generator (xorshift64*).
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n as u64) as usize
        }
    }

    fn index(documents: usize, terms: usize, rng: &mut Rng) -> SearchIndex {
        let mut index = SearchIndex::default();
        for id in 0..documents {
            index.documents.push(Document {
                code: format!("E{id}"),
                title: format!("Title {id}"),
                url: format!("/e{id}/"),
                summary: "s".repeat(rng.below(100)),
            });
        }
        for term in 0..terms {
            let postings = (0..documents as u32)
                .filter(|_| rng.below(10) == 0)
                .map(|d| (d, field::BODY))
                .collect::<Vec<_>>();
            if !postings.is_empty() {
                // Non-ASCII terms too, whose UTF-16 order differs from their UTF-8 order.
                let name = if term % 7 == 0 {
                    format!("é{term}\u{1F600}")
                } else {
                    format!("term{term}")
                };
                index.terms.insert(name, postings);
            }
        }
        index
    }

    /// Random edits of terms and documents, encoded again by `update`, give the files a full
    /// encoding gives, and a file said to be kept is the same file as before.
    #[test]
    fn updated_files_are_those_of_a_full_encoding() {
        let mut rng = Rng(99);
        let mut index = index(400, 3000, &mut rng);
        let mut encoded = Encoded::new(&index);
        for step in 0..30 {
            let before = search::encode(&index);
            let mut terms = BTreeSet::new();
            let mut documents = BTreeSet::new();
            for _ in 0..rng.below(20) {
                let names: Vec<String> = index.terms.keys().take(50).cloned().collect();
                let name = if rng.below(3) == 0 {
                    format!("new{}", rng.below(100_000))
                } else {
                    names[rng.below(names.len())].clone()
                };
                let rarity = 3 + rng.below(40);
                let postings: Vec<(u32, u8)> = (0..400)
                    .filter(|_| rng.below(rarity) == 0)
                    .map(|d| (d, field::TITLE))
                    .collect();
                if postings.is_empty() {
                    index.terms.remove(&name);
                } else {
                    index.terms.insert(name.clone(), postings);
                }
                terms.insert(name);
            }
            for _ in 0..rng.below(3) {
                let id = rng.below(400);
                index.documents[id].title = format!("Edited {step}");
                documents.insert(id);
            }
            let kept = encoded.update(&index, &terms, &documents);
            let after = search::encode(&index);
            assert_eq!(encoded.first_terms, after.meta.shards, "step {step}");
            assert_eq!(encoded.term_folders, after.meta.term_folders, "step {step}");
            assert_eq!(
                encoded.chunk_folders, after.meta.chunk_folders,
                "step {step}"
            );
            let contents: Vec<&String> = encoded.shards.iter().chain(&encoded.chunks).collect();
            assert_eq!(contents.len(), after.files.len());
            assert_eq!(kept.len(), after.files.len());
            for ((content, file), kept) in contents.iter().zip(&after.files).zip(kept) {
                assert_eq!(**content, file.content, "step {step}: {}", file.name);
                if kept {
                    assert!(before.files.contains(file), "step {step}: {}", file.name);
                }
            }
        }
    }
}
