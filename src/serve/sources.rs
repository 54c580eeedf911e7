//! The content tree of the last build, kept file by file so that a change re-reads only the
//! files it names. Entries are keyed by their names below `content/`, whose order is the walk
//! order of a full load, so the tree assembled from them is exactly what `content::load` reads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::rebuild::hash_of;
use crate::content::{
    self, CONTENT_DIR, LoadOptions, LoadedArticle, LoadedContent, LoadedEntry, Source,
};

/// The files a change re-read, when none was added, removed or failed to load.
#[derive(Default)]
pub struct Reloaded {
    /// The sources whose front matter did not change.
    pub sources: Vec<Source>,
    /// The articles whose front matter changed (same file, still an article).
    pub fronts: Vec<LoadedArticle>,
}

impl Reloaded {
    pub fn extend(&mut self, more: Reloaded) {
        self.sources.extend(more.sources);
        self.fronts.extend(more.fronts);
    }
}

/// A map by source path, with a fast hash.
pub type HashMap<K, V> = foldhash::HashMap<K, V>;

#[derive(Default)]
pub struct Sources {
    entries: BTreeMap<Vec<String>, LoadedEntry>,
    /// A hash of each source text, by source path (`content/…`). Maps by path use a fast hash:
    /// they are read for every page of an edit.
    text_hashes: HashMap<PathBuf, u64>,
    /// A hash of each source's front matter, by source path.
    front_hashes: HashMap<PathBuf, u64>,
}

impl Sources {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The hash of a source's text, by its path (`content/http/401.md`).
    pub fn text_hash(&self, path: &Path) -> Option<u64> {
        self.text_hashes.get(path).copied()
    }

    pub fn text_hashes(&self) -> &HashMap<PathBuf, u64> {
        &self.text_hashes
    }

    /// The hash of a source's front matter (everything before its body).
    pub fn front_hash(&self, path: &Path) -> Option<u64> {
        self.front_hashes.get(path).copied()
    }

    /// The content of the site, as `content::load` would read it now.
    pub fn assemble(&self, options: LoadOptions) -> LoadedContent {
        content::assemble(self.entries.values().cloned(), options)
    }

    /// Reads `root/content/<below>` again: a file or a folder, or nothing once deleted.
    /// Returns the files read when they are the same files as before, each loaded: those that
    /// kept their front matter (the linked site stays valid with just those sources replaced)
    /// and the articles whose front matter changed; `None` when anything else changed.
    pub fn reload(&mut self, root: &Path, below: &Path) -> Option<Reloaded> {
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
        let before: Vec<_> = stale
            .iter()
            .map(|k| shape(k, self.entries.get(k)))
            .collect();
        for k in stale {
            if let Some((path, _)) = self.entries.remove(&k).as_ref().and_then(source_text) {
                self.text_hashes.remove(&path);
                self.front_hashes.remove(&path);
            }
        }
        let folder: PathBuf = key.iter().collect();
        let mut after = Vec::new();
        let mut reloaded = Reloaded::default();
        // `symlink_metadata`, so that a dangling link is walked (and reported) as a full load
        // would.
        let exists = root
            .join(CONTENT_DIR)
            .join(&folder)
            .symlink_metadata()
            .is_ok();
        let loaded = if exists {
            content::load_entries(root, &folder)
        } else {
            Vec::new()
        };
        for (names, entry) in loaded {
            if let Some(source) = source_of(&entry) {
                let path = source.path.as_path().to_path_buf();
                self.text_hashes.insert(path.clone(), hash_of(&source.text));
                self.front_hashes
                    .insert(path, hash_of(&source.text[..source.body_offset]));
            }
            let now = shape(&names, Some(&entry));
            let same_front = before.get(after.len()) == Some(&now);
            match &entry {
                LoadedEntry::Article(article) if !same_front => {
                    reloaded.fronts.push(article.as_ref().clone());
                }
                _ => reloaded.sources.extend(source_of(&entry).cloned()),
            }
            after.push(now);
            self.entries.insert(names, entry);
        }
        // The same files in the same places, each loaded; only articles may have a new front
        // matter.
        let same_files = before.len() == after.len()
            && before.iter().zip(&after).all(|(b, a)| match (b, a) {
                (Some(b), Some(a)) => b == a || (b.0 == a.0 && b.1 == 1 && a.1 == 1),
                _ => false,
            });
        same_files.then_some(reloaded)
    }
}

/// What linking sees of an entry: where it is, what it is, and its front matter. `None` for a
/// file that failed to load (its problems are part of the linked site).
fn shape(key: &[String], entry: Option<&LoadedEntry>) -> Option<(Vec<String>, u8, String)> {
    let front_matter = |s: &Source| s.text[..s.body_offset].to_string();
    let (kind, front) = match entry? {
        LoadedEntry::Folder(_) => (0, String::new()),
        LoadedEntry::Article(article) => (1, front_matter(&article.source)),
        LoadedEntry::Index(category) => (2, category.source.as_ref().map(front_matter)?),
        LoadedEntry::Failed(_) => return None,
    };
    Some((key.to_vec(), kind, front))
}

fn source_of(entry: &LoadedEntry) -> Option<&Source> {
    match entry {
        LoadedEntry::Article(article) => Some(&article.source),
        LoadedEntry::Index(category) => category.source.as_ref(),
        LoadedEntry::Folder(_) | LoadedEntry::Failed(_) => None,
    }
}

fn names(path: &Path) -> Vec<String> {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect()
}

fn source_text(entry: &LoadedEntry) -> Option<(PathBuf, &str)> {
    let source = source_of(entry)?;
    Some((source.path.as_path().to_path_buf(), &source.text))
}
