//! Related codes: resolving what an author wrote in `related:` to articles, and the
//! "referenced by" backlinks that follow from it.
//!
//! A code is unique within its catalog (the top-level folder). A plain entry resolves inside the
//! article's own catalog first, then site-wide when exactly one catalog has it; `catalog/code`
//! names the catalog explicitly.

// foldhash rather than std's SipHash: every article's code goes in, and every related entry and
// code link of every page is looked up, in maps that outgrow the processor's cache on big sites.
use foldhash::HashMap;

use crate::code::natural_cmp;
use crate::diagnostic::Diagnostic;

/// Every article's code, by catalog, for lookups. Keys are lower-case so `e0308` finds `E0308`.
#[derive(Debug, Default)]
pub struct CodeIndex {
    by_catalog: HashMap<String, HashMap<String, usize>>,
    by_code: HashMap<String, Vec<(String, usize)>>,
}

/// What a `related` entry turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolution {
    Found(usize),
    Unknown { known_in_catalog: Vec<String> },
    Ambiguous { candidates: Vec<String> },
    UnknownCatalog { catalogs: Vec<String> },
}

impl CodeIndex {
    /// Adds an article's code; returns the article that already has it in this catalog.
    pub fn insert(&mut self, catalog: &str, code: &str, article: usize) -> Option<usize> {
        let key = code.to_ascii_lowercase();
        // The catalog's name is copied only for its first code: a big site has many codes per
        // catalog.
        if !self.by_catalog.contains_key(catalog) {
            self.by_catalog
                .insert(catalog.to_string(), HashMap::default());
        }
        let codes = self.by_catalog.get_mut(catalog).expect("inserted above");
        if let Some(existing) = codes.get(&key) {
            return Some(*existing);
        }
        codes.insert(key.clone(), article);
        self.by_code
            .entry(key)
            .or_default()
            .push((catalog.to_string(), article));
        None
    }

    /// The article a site-wide lookup of `code` finds, when exactly one catalog has it.
    pub fn unique(&self, code: &str) -> Option<usize> {
        match self
            .by_code
            .get(&code.to_ascii_lowercase())
            .map(Vec::as_slice)
        {
            Some([(_, article)]) => Some(*article),
            _ => None,
        }
    }

    pub fn resolve(&self, from_catalog: &str, entry: &str) -> Resolution {
        if let Some((catalog, code)) = entry.rsplit_once('/') {
            let catalog = catalog.trim_matches('/');
            return match self.by_catalog.get(catalog) {
                Some(codes) => match codes.get(&code.to_ascii_lowercase()) {
                    Some(article) => Resolution::Found(*article),
                    None => Resolution::Unknown {
                        known_in_catalog: self.codes_in(catalog),
                    },
                },
                None => Resolution::UnknownCatalog {
                    catalogs: self.catalogs(),
                },
            };
        }
        let key = entry.to_ascii_lowercase();
        if let Some(article) = self.by_catalog.get(from_catalog).and_then(|c| c.get(&key)) {
            return Resolution::Found(*article);
        }
        match self.by_code.get(&key).map(Vec::as_slice) {
            Some([(_, article)]) => Resolution::Found(*article),
            Some(many) if many.len() > 1 => {
                let mut candidates: Vec<String> = many
                    .iter()
                    .map(|(catalog, _)| format!("{catalog}/{entry}"))
                    .collect();
                candidates.sort();
                Resolution::Ambiguous { candidates }
            }
            _ => Resolution::Unknown {
                known_in_catalog: self.codes_in(from_catalog),
            },
        }
    }

    fn codes_in(&self, catalog: &str) -> Vec<String> {
        let mut codes: Vec<String> = self
            .by_catalog
            .get(catalog)
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default();
        codes.sort_by(|a, b| natural_cmp(a, b));
        codes
    }

    fn catalogs(&self) -> Vec<String> {
        let mut catalogs: Vec<String> = self.by_catalog.keys().cloned().collect();
        catalogs.sort();
        catalogs
    }
}

/// The diagnostic for an entry that did not resolve, or `None` when it did.
pub fn explain(entry: &str, catalog: &str, resolution: &Resolution) -> Option<Diagnostic> {
    let (message, help) = match resolution {
        Resolution::Found(_) => return None,
        Resolution::Unknown { known_in_catalog } => (
            format!("related code `{entry}` does not match any article"),
            format!(
                "known codes in {}: {}",
                display_catalog(catalog, entry),
                nearest(entry, known_in_catalog)
            ),
        ),
        Resolution::Ambiguous { candidates } => (
            format!("related code `{entry}` exists in more than one catalog"),
            format!("write one of: {}", candidates.join(", ")),
        ),
        Resolution::UnknownCatalog { catalogs } => (
            format!("related code `{entry}` names a catalog that does not exist"),
            format!("catalogs of this site: {}", catalogs.join(", ")),
        ),
    };
    Some(Diagnostic::error(message).with_help(help))
}

fn display_catalog(catalog: &str, entry: &str) -> String {
    let named = entry.rsplit_once('/').map_or(catalog, |(c, _)| c);
    if named.is_empty() {
        "the site root".into()
    } else {
        named.to_string()
    }
}

/// The known codes nearest to `entry` in natural order, so the list stays short on big sites.
fn nearest(entry: &str, known: &[String]) -> String {
    const SHOWN: usize = 8;
    if known.is_empty() {
        return "none".into();
    }
    let code = entry.rsplit('/').next().unwrap_or(entry);
    let position = known.partition_point(|k| natural_cmp(k, code).is_lt());
    let start = position
        .saturating_sub(SHOWN / 2)
        .min(known.len().saturating_sub(SHOWN));
    let shown = &known[start..(start + SHOWN).min(known.len())];
    let mut text = shown.join(", ");
    if start > 0 {
        text = format!("…, {text}");
    }
    if start + SHOWN < known.len() {
        text.push_str(", …");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> CodeIndex {
        let mut index = CodeIndex::default();
        for (catalog, code, id) in [
            ("http", "401", 0),
            ("http", "550", 1),
            ("smtp", "550", 2),
            ("ftp", "550", 3),
            ("smtp", "421", 4),
        ] {
            assert_eq!(index.insert(catalog, code, id), None);
        }
        index
    }

    #[test]
    fn plain_codes_resolve_in_their_own_catalog_first() {
        assert_eq!(index().resolve("smtp", "550"), Resolution::Found(2));
        assert_eq!(index().resolve("http", "550"), Resolution::Found(1));
        assert_eq!(index().resolve("http", "421"), Resolution::Found(4));
    }

    #[test]
    fn qualified_codes_name_their_catalog() {
        assert_eq!(index().resolve("http", "ftp/550"), Resolution::Found(3));
        assert!(matches!(
            index().resolve("http", "nntp/550"),
            Resolution::UnknownCatalog { .. }
        ));
    }

    #[test]
    fn codes_in_several_other_catalogs_are_ambiguous() {
        let mut index = index();
        index.insert("imap", "999", 5);
        index.insert("pop", "999", 6);
        let expected = Resolution::Ambiguous {
            candidates: vec!["imap/999".into(), "pop/999".into()],
        };
        assert_eq!(index.resolve("http", "999"), expected);
    }

    #[test]
    fn duplicate_codes_in_one_catalog_are_reported() {
        assert_eq!(index().insert("http", "401", 9), Some(0));
    }

    #[test]
    fn unknown_codes_list_their_neighbours() {
        let known: Vec<String> = (400..420).map(|c| c.to_string()).collect();
        assert_eq!(nearest("999", &known[..3]), "400, 401, 402");
        assert_eq!(
            nearest("410", &known),
            "…, 406, 407, 408, 409, 410, 411, 412, 413, …"
        );
    }
}
