//! The machine-readable catalog: `catalog.json` lists every code with its title, summary,
//! messages, address, category path, related codes, tags and date, so that an application can
//! link its own error dialogs to the help site. Its JSON Schema is published beside it as
//! `catalog.schema.json` (the repository's `schemas/catalog.schema.json`).

use std::ops::Range;

use rayon::prelude::*;
use serde::Serialize;

use crate::output::{Content, Output};
use crate::publish::{absolute_uri, text_file};
use crate::redirects::ShortUrl;
use crate::site::{ArticleId, HOME, Site};

pub const CATALOG_FILE: &str = "catalog.json";
pub const SCHEMA_FILE: &str = "catalog.schema.json";
/// The schema, as published.
pub const SCHEMA: &str = include_str!("../schemas/catalog.schema.json");

/// Everything before the list of codes. The file is written as serde_json's pretty printer
/// writes `{"$schema", "version", "site", "codes": [...]}`, one entry at a time (see
/// [`write_catalog`]).
#[derive(Debug, Serialize)]
struct Head<'a> {
    #[serde(rename = "$schema")]
    schema: String,
    version: u32,
    site: SiteInfo<'a>,
}

#[derive(Debug, Serialize)]
struct SiteInfo<'a> {
    title: &'a str,
    url: String,
    language: &'a str,
}

#[derive(Debug, Serialize)]
struct CodeEntry<'a> {
    code: &'a str,
    catalog: &'a str,
    title: &'a str,
    summary: Option<&'a str>,
    messages: &'a [String],
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_url: Option<&'a str>,
    category: Vec<CategoryStep<'a>>,
    related: Vec<Reference<'a>>,
    tags: Vec<&'a str>,
    updated: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct CategoryStep<'a> {
    title: &'a str,
    url: &'a str,
}

#[derive(Debug, Serialize)]
struct Reference<'a> {
    code: &'a str,
    catalog: &'a str,
}

/// `catalog.json`.
pub fn json(site: &Site, short: &[ShortUrl]) -> Output {
    let addresses = Addresses::of(site, short);
    let mut parts = Vec::new();
    let content = match catalog_pieces(site, &addresses, |piece, _| parts.push(piece)) {
        // Its pieces, not one text: a big site's catalog is its biggest file (165 MB at
        // 100,000 articles), and one block of that size is memory the build has not used yet,
        // where its pieces are memory the build has used and freed (at the end of a build of
        // 100,000 articles, 60 to 160 MB less at the peak).
        Ok(()) => Content::Parts(parts),
        Err(_) => Content::Text("{}\n".into()),
    };
    let mut catalog = text_file(CATALOG_FILE, String::new(), "the catalog");
    catalog.content = content;
    catalog
}

/// `catalog.json`, and where each article's entry is in its text (by article id): `kb serve`
/// writes again only the entries of the articles that changed ([`json_replacing`]).
pub fn json_with_entries(site: &Site, short: &[ShortUrl]) -> (Output, Vec<Range<usize>>) {
    let addresses = Addresses::of(site, short);
    let mut entries = vec![0..0; site.articles.len()];
    // Serializing plain structs of strings cannot fail; an empty object keeps this total.
    let json = write_catalog(site, &addresses, &mut entries).unwrap_or_else(|_| {
        entries = Vec::new();
        b"{}\n".to_vec()
    });
    let text = String::from_utf8(json).unwrap_or_else(|_| "{}\n".into());
    (text_file(CATALOG_FILE, text, "the catalog"), entries)
}

/// `catalog.json` of a site whose catalog differs from `last` (a catalog made by
/// [`json_with_entries`], with `entries` where its entries are) in the entries of the
/// `changed` articles at most: those are written again in place, in the same text (no copy of
/// the rest). `entries` are updated for the new text. `None` when `entries` are not those of
/// this site.
pub fn json_replacing(
    site: &Site,
    short: &[ShortUrl],
    mut last: String,
    entries: &mut [Range<usize>],
    changed: &[ArticleId],
) -> Option<Output> {
    if entries.len() != site.articles.len() || entries.iter().any(|e| e.end > last.len()) {
        return None;
    }
    let mut changed: Vec<ArticleId> = changed.to_vec();
    changed.sort_unstable();
    changed.dedup();
    let addresses = Addresses::of_articles(site, short, |id| changed.binary_search(&id).is_ok());
    // Each changed entry's place in the old text and its new text, in text order.
    let mut new: Vec<(Range<usize>, ArticleId, String)> = Vec::with_capacity(changed.len());
    for id in &changed {
        let mut written = Vec::new();
        write_entry(site, &addresses, *id, &mut written);
        let text = String::from_utf8(written).ok()?;
        new.push((entries.get(*id)?.clone(), *id, text));
    }
    new.sort_by_key(|(old, _, _)| old.start);
    if new.windows(2).any(|pair| pair[0].0.end > pair[1].0.start) {
        return None;
    }
    let growth: isize = new
        .iter()
        .map(|(old, _, text)| text.len() as isize - old.len() as isize)
        .sum();
    last.reserve(growth.max(0) as usize);
    // From the end, so that the places of the entries before stay true.
    for (old, _, text) in new.iter().rev() {
        if !last.is_char_boundary(old.start) || !last.is_char_boundary(old.end) {
            return None;
        }
        last.replace_range(old.clone(), text);
    }
    // Every entry moves by how much the changed entries before it grew.
    let mut shifts: Vec<(usize, isize)> = Vec::with_capacity(new.len());
    let mut before = 0isize;
    for (old, id, text) in &new {
        let start = old.start.checked_add_signed(before)?;
        entries[*id] = start..start + text.len();
        before += text.len() as isize - old.len() as isize;
        shifts.push((old.start, before));
    }
    for (id, entry) in entries.iter_mut().enumerate() {
        if changed.binary_search(&id).is_ok() {
            continue;
        }
        let earlier = shifts.partition_point(|(start, _)| *start < entry.start);
        let shift = if earlier == 0 {
            0
        } else {
            shifts[earlier - 1].1
        };
        let start = entry.start.checked_add_signed(shift)?;
        *entry = start..start + entry.len();
    }
    Some(text_file(CATALOG_FILE, last, "the catalog"))
}

/// Writes the catalog as serde_json's pretty printer writes the whole object, one entry at a
/// time (at 100,000 articles the entries are hundreds of megabytes: none is kept but the text).
/// Records where each article's entry is.
/// The absolute addresses the entries give, each made once: every article's short address,
/// if it has one, and every category's (an entry lists its category and those above).
struct Addresses {
    short_by_article: Vec<Option<String>>,
    categories: Vec<String>,
}

impl Addresses {
    fn of(site: &Site, short: &[ShortUrl]) -> Addresses {
        Addresses::of_articles(site, short, |_| true)
    }

    /// [`Addresses::of`] with the short addresses of the `wanted` articles alone: `kb serve`
    /// writes a few entries again, and a big site has thousands of short addresses.
    fn of_articles(
        site: &Site,
        short: &[ShortUrl],
        wanted: impl Fn(ArticleId) -> bool,
    ) -> Addresses {
        let base = &site.config.base_url;
        let mut short_by_article: Vec<Option<String>> = vec![None; site.articles.len()];
        for short_url in short.iter().filter(|s| wanted(s.article)) {
            short_by_article[short_url.article] = Some(absolute_uri(base, short_url.url.as_str()));
        }
        let categories = (site.categories.iter())
            .map(|category| absolute_uri(base, category.url.as_str()))
            .collect();
        Addresses {
            short_by_article,
            categories,
        }
    }
}

fn write_catalog(
    site: &Site,
    addresses: &Addresses,
    entries: &mut [Range<usize>],
) -> serde_json::Result<Vec<u8>> {
    // Room for the whole text at once, so that it is never copied as it grows: the pages of
    // the room it does not use are never touched, so they cost no memory.
    let mut json = Vec::with_capacity(4096 * (site.articles.len() + 1));
    catalog_pieces(site, addresses, |piece, places| {
        let offset = json.len();
        json.extend_from_slice(&piece);
        for (id, place) in places {
            entries[id] = place.start + offset..place.end + offset;
        }
    })?;
    Ok(json)
}

/// The text of `catalog.json` in pieces, in order, each with where the entries in it are (by
/// article id): its head, then its entries a run of them at a time, then its end.
fn catalog_pieces(
    site: &Site,
    addresses: &Addresses,
    mut piece: impl FnMut(Vec<u8>, Vec<(ArticleId, Range<usize>)>),
) -> serde_json::Result<()> {
    let ids = site.ids_by_catalog_and_code();
    let mut json = Vec::new();
    serde_json::to_writer_pretty(&mut json, &head(site))?;
    // The head's closing brace makes room for the codes.
    if json.ends_with(b"\n}") {
        json.truncate(json.len() - 2);
    }
    json.extend_from_slice(b",\n  \"codes\": [");
    piece(json, Vec::new());
    // The entries are written on all cores, a run of them in each task, and the runs given in
    // order, a group at a time: a big site's catalog is the longest of the publishing files,
    // and only one group of runs is held besides what was given.
    const GROUP: usize = 4096;
    const RUN: usize = 256;
    let mut first = true;
    for group in ids.chunks(GROUP) {
        let runs: Vec<EntryRun> = group
            .par_chunks(RUN)
            .map(|run| write_run(site, addresses, run))
            .collect();
        for run in runs {
            let before: &[u8] = if first { b"\n    " } else { b",\n    " };
            first = false;
            piece(before.to_vec(), Vec::new());
            piece(run.text, run.places);
        }
    }
    let end: &[u8] = if ids.is_empty() {
        b"]\n}\n"
    } else {
        b"\n  ]\n}\n"
    };
    piece(end.to_vec(), Vec::new());
    Ok(())
}

/// What the catalog says before its codes.
fn head(site: &Site) -> Head<'_> {
    let base = &site.config.base_url;
    Head {
        schema: absolute_uri(base, SCHEMA_FILE),
        version: 1,
        site: SiteInfo {
            title: &site.config.title,
            url: absolute_uri(base, "/"),
            language: &site.config.language,
        },
    }
}

/// The entries of a run of articles as written in the list of codes, one after the other, and
/// where each one is in that text.
struct EntryRun {
    text: Vec<u8>,
    places: Vec<(ArticleId, Range<usize>)>,
}

fn write_run(site: &Site, addresses: &Addresses, ids: &[ArticleId]) -> EntryRun {
    let mut run = EntryRun {
        text: Vec::with_capacity(2048 * ids.len()),
        places: Vec::with_capacity(ids.len()),
    };
    for (n, id) in ids.iter().enumerate() {
        if n > 0 {
            run.text.extend_from_slice(b",\n    ");
        }
        let start = run.text.len();
        write_entry(site, addresses, *id, &mut run.text);
        run.places.push((*id, start..run.text.len()));
    }
    run
}

/// Appends an article's entry to `json` as it is written in the list of codes: as serde_json's
/// pretty printer writes it two levels deep. Written by hand, as the other parts of the file are
/// by serde: the entries are nearly all of a big site's catalog, and serde's printer (then the
/// lines indented again) cost about three times as much.
fn write_entry(site: &Site, addresses: &Addresses, id: ArticleId, json: &mut Vec<u8>) {
    write_pretty_entry(&entry(site, addresses, id), json);
}

fn write_pretty_entry(entry: &CodeEntry, json: &mut Vec<u8>) {
    let mut out = Pretty { json, depth: 2 };
    out.open(b'{');
    out.key("code");
    out.text(entry.code);
    out.key("catalog");
    out.text(entry.catalog);
    out.key("title");
    out.text(entry.title);
    out.key("summary");
    out.optional_text(entry.summary);
    out.key("messages");
    out.texts(entry.messages.iter().map(String::as_str));
    out.key("url");
    out.text(&entry.url);
    if let Some(short_url) = entry.short_url {
        out.key("short_url");
        out.text(short_url);
    }
    out.key("category");
    let steps = entry.category.iter().map(|s| [s.title, s.url]);
    out.pairs(["title", "url"], steps);
    out.key("related");
    let references = entry.related.iter().map(|r| [r.code, r.catalog]);
    out.pairs(["code", "catalog"], references);
    out.key("tags");
    out.texts(entry.tags.iter().copied());
    out.key("updated");
    out.optional_text(entry.updated);
    out.close(b'}');
}

/// JSON written as serde_json's pretty printer writes it (two spaces an indentation level, a
/// line per member, `[]` and `{}` when empty), from a given depth.
struct Pretty<'a> {
    json: &'a mut Vec<u8>,
    depth: usize,
}

impl Pretty<'_> {
    fn open(&mut self, bracket: u8) {
        self.json.push(bracket);
        self.depth += 1;
    }

    /// Closes the innermost object or array: on a line of its own unless it is empty.
    fn close(&mut self, bracket: u8) {
        self.depth -= 1;
        let opening = if bracket == b'}' { b'{' } else { b'[' };
        if self.json.last() != Some(&opening) {
            self.new_line();
        }
        self.json.push(bracket);
    }

    /// Starts a member of the innermost array or object: after a comma unless it is the first.
    fn item(&mut self) {
        if !matches!(self.json.last(), Some(b'{' | b'[')) {
            self.json.push(b',');
        }
        self.new_line();
    }

    /// A member's name: one of kb's own, which need no escaping.
    fn key(&mut self, key: &str) {
        debug_assert!(!key.contains(['"', '\\']) && !key.contains(char::is_control));
        self.item();
        self.json.push(b'"');
        self.json.extend_from_slice(key.as_bytes());
        self.json.extend_from_slice(b"\": ");
    }

    fn text(&mut self, text: &str) {
        crate::json::push_string(self.json, text);
    }

    fn optional_text(&mut self, text: Option<&str>) {
        match text {
            Some(text) => self.text(text),
            None => self.json.extend_from_slice(b"null"),
        }
    }

    fn texts<'t>(&mut self, texts: impl Iterator<Item = &'t str>) {
        self.open(b'[');
        for text in texts {
            self.item();
            self.text(text);
        }
        self.close(b']');
    }

    /// A list of objects of two texts each, named by `keys`.
    fn pairs<'t>(&mut self, keys: [&str; 2], pairs: impl Iterator<Item = [&'t str; 2]>) {
        self.open(b'[');
        for pair in pairs {
            self.item();
            self.open(b'{');
            for (key, text) in keys.iter().zip(pair) {
                self.key(key);
                self.text(text);
            }
            self.close(b'}');
        }
        self.close(b']');
    }

    fn new_line(&mut self) {
        self.json.push(b'\n');
        self.json.resize(self.json.len() + 2 * self.depth, b' ');
    }
}

/// `catalog.schema.json`.
pub fn schema() -> Output {
    text_file(SCHEMA_FILE, SCHEMA.to_string(), "the catalog schema")
}

fn entry<'a>(site: &'a Site, addresses: &'a Addresses, id: ArticleId) -> CodeEntry<'a> {
    let base = &site.config.base_url;
    let article = &site.articles[id];
    let meta = &article.meta;
    CodeEntry {
        code: meta.code.as_str(),
        catalog: &article.catalog,
        title: &meta.title,
        summary: meta.summary.as_deref(),
        messages: &meta.messages,
        url: absolute_uri(base, article.url.as_str()),
        short_url: addresses.short_by_article[id].as_deref(),
        category: site
            .ancestry(article.category)
            .into_iter()
            .filter(|id| *id != HOME)
            .map(|id| {
                let category = &site.categories[id];
                CategoryStep {
                    title: &category.title,
                    url: &addresses.categories[id],
                }
            })
            .collect(),
        related: article
            .related
            .iter()
            .map(|id| {
                let other = &site.articles[*id];
                Reference {
                    code: other.meta.code.as_str(),
                    catalog: &other.catalog,
                }
            })
            .collect(),
        tags: article.tags.iter().map(|t| t.name.as_str()).collect(),
        updated: meta.updated.as_ref().map(|d| d.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::natural_cmp;
    use crate::redirects::short_urls;

    /// The catalog as serde writes the whole object, to compare with the file written entry by
    /// entry.
    #[derive(Serialize)]
    struct Whole<'a> {
        #[serde(flatten)]
        head: Head<'a>,
        codes: Vec<CodeEntry<'a>>,
    }

    fn whole(site: &Site, short: &[ShortUrl]) -> String {
        let mut ids: Vec<usize> = (0..site.articles.len()).collect();
        ids.sort_by(|a, b| {
            let (a, b) = (&site.articles[*a], &site.articles[*b]);
            let code = natural_cmp(a.meta.code.as_str(), b.meta.code.as_str());
            a.catalog.cmp(&b.catalog).then(code)
        });
        let addresses = Addresses::of(site, short);
        let catalog = Whole {
            head: head(site),
            codes: ids.iter().map(|id| entry(site, &addresses, *id)).collect(),
        };
        serde_json::to_string_pretty(&catalog).unwrap_or_default() + "\n"
    }

    fn text(output: &Output) -> String {
        String::from_utf8_lossy(&output.bytes().unwrap_or_default()).into_owned()
    }

    /// An entry as serde_json's pretty printer writes it, indented two levels deeper.
    fn entry_by_serde(entry: &CodeEntry) -> Vec<u8> {
        let pretty = serde_json::to_vec_pretty(entry).unwrap();
        let mut json = Vec::new();
        for (n, line) in pretty.split(|b| *b == b'\n').enumerate() {
            if n > 0 {
                json.extend_from_slice(b"\n    ");
            }
            json.extend_from_slice(line);
        }
        json
    }

    /// The entries written by hand are what serde's pretty printer writes, whatever the texts
    /// (quotes, backslashes, controls, non-ASCII) and however many items each list has.
    #[test]
    fn entries_written_by_hand_are_those_serde_writes() {
        const TEXTS: &[&str] = &[
            "401",
            "Unauthorized",
            "",
            "say \"hi\"",
            "back\\slash",
            "tab\there",
            "line\nbreak",
            "\u{1}\u{1f}\u{7f}",
            "é ü 漢字 🙂",
            "</script>",
            "a/b",
            "\u{2028}",
        ];
        let mut random = crate::test_random::numbers(0xca7a_1096);
        for _ in 0..3_000 {
            let mut text = || TEXTS[random(TEXTS.len())];
            let (code, catalog, title, url) = (text(), text(), text(), text().to_string());
            let summary = (random(3) > 0).then(|| TEXTS[random(TEXTS.len())]);
            let short_url = (random(2) > 0).then(|| TEXTS[random(TEXTS.len())]);
            let updated = (random(2) > 0).then(|| TEXTS[random(TEXTS.len())]);
            let messages: Vec<String> = (0..random(4)).map(|_| TEXTS[random(12)].into()).collect();
            let category = (0..random(4))
                .map(|_| CategoryStep {
                    title: TEXTS[random(TEXTS.len())],
                    url: TEXTS[random(TEXTS.len())],
                })
                .collect();
            let related = (0..random(4))
                .map(|_| Reference {
                    code: TEXTS[random(TEXTS.len())],
                    catalog: TEXTS[random(TEXTS.len())],
                })
                .collect();
            let tags = (0..random(3)).map(|_| TEXTS[random(TEXTS.len())]).collect();
            let entry = CodeEntry {
                code,
                catalog,
                title,
                summary,
                messages: &messages,
                url,
                short_url,
                category,
                related,
                tags,
                updated,
            };
            let mut json = Vec::new();
            write_pretty_entry(&entry, &mut json);
            assert_eq!(
                String::from_utf8_lossy(&json),
                String::from_utf8_lossy(&entry_by_serde(&entry))
            );
        }
    }

    #[test]
    fn the_catalog_written_entry_by_entry_is_the_one_serde_writes_whole() {
        for fixture in ["basic", "catalogs", "publishing"] {
            let site = crate::site::fixture(fixture);
            assert!(!site.articles.is_empty(), "{fixture}");
            let short = short_urls(
                &site,
                &mut crate::publish::Taken::of_urls(std::iter::empty()),
            );
            let in_parts = json(&site, &short);
            assert!(matches!(in_parts.content, Content::Parts(_)), "{fixture}");
            assert_eq!(text(&in_parts), whole(&site, &short), "{fixture}");
            // The one text `kb serve` keeps is the same.
            let (in_one, _) = json_with_entries(&site, &short);
            assert!(matches!(in_one.content, Content::Text(_)), "{fixture}");
            assert_eq!(text(&in_one), whole(&site, &short), "{fixture}");
        }
    }

    #[test]
    fn replacing_changed_entries_makes_the_catalog_of_the_changed_site() {
        let mut site = crate::site::fixture("catalogs");
        let short = short_urls(
            &site,
            &mut crate::publish::Taken::of_urls(std::iter::empty()),
        );
        let (output, mut entries) = json_with_entries(&site, &short);
        let mut last = text(&output);
        let count = site.articles.len();
        // Longer, shorter, and several at once, twice over the same entries.
        for (round, changed) in [vec![0], vec![count - 1, 0], vec![count / 2]]
            .iter()
            .enumerate()
        {
            for id in changed {
                let article = &mut site.articles[*id];
                article.meta.title = if round % 2 == 0 {
                    format!("{} with \"more\" words, round {round}", article.meta.title)
                } else {
                    "Short".into()
                };
                article.meta.summary = None;
            }
            let replaced = json_replacing(&site, &short, last.clone(), &mut entries, changed)
                .map(|o| text(&o))
                .unwrap_or_default();
            let (full, full_entries) = json_with_entries(&site, &short);
            assert_eq!(replaced, text(&full), "round {round}");
            assert_eq!(entries, full_entries, "round {round}");
            last = replaced;
        }
        assert!(json_replacing(&site, &short, last, &mut entries[1..], &[0]).is_none());
    }
}
