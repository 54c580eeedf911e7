//! Site search that works on any static host: an index built with the site and read by
//! `static/search.js` in the browser, plus the `/search/` page.
//!
//! The index is split so that a search downloads only what it needs, however large the site:
//!
//! - `search/meta.json`: the document count, the first term of each term shard, the stop words
//!   and where the other files are: each run of [`GROUP_FILES`] shards (or chunks) is in a
//!   folder named by a hash of its files, so a browser never mixes files of two builds, and an
//!   edit to one article renames only the few runs whose files changed;
//! - `search/<hash>/t<N>.json`: a contiguous range of the sorted terms, each with its postings
//!   (document number and the fields the term occurs in), at most [`SHARD_BYTES`] unless one
//!   term alone is longer; a query fetches the shards its words (at most 12, with their parts
//!   16 terms) and its last word's prefix fall in;
//! - `search/<hash>/d<N>.json`: [`CHUNK_DOCUMENTS`] documents (code, title, link, summary) in
//!   article order; a query fetches the chunks of the results it shows.
//!
//! docs/search.md records the measurements behind these choices and against Pagefind.

mod index;
mod key_numbers;
pub mod tokenize;

use rayon::prelude::*;
use serde::Serialize;

pub use index::{
    Document, Postings, SearchIndex, article_runs, articles_per_run, field, html_text,
};

use crate::diagnostic::Diagnostic;
use crate::output::{Content, Origin, Output};
use crate::paths::{Segment, UrlPath};
use crate::render;
use crate::site::Site;
use crate::templates::Templates;
use crate::views::PageMeta;

/// The folder of the search page and its index.
pub const SEARCH_DIR: &str = "search";
/// A term shard holds terms up to this length; a longer term (at most [`MAX_POSTINGS`]
/// postings, about 8 KB) is a shard of its own.
pub const SHARD_BYTES: usize = 8 * 1024;
/// Documents per document chunk.
pub const CHUNK_DOCUMENTS: usize = 16;
/// Term shards (and, apart, document chunks) per folder.
pub const GROUP_FILES: usize = 16;
/// A term keeps at most this many postings where it occurs only in summaries and bodies, the
/// summaries first. Postings in codes, messages and titles decide the ranking and are kept up
/// to [`MAX_POSTINGS`]: capping them as tightly lost pasted messages and exact titles made of
/// common words on the 10,000-article benchmark (docs/search.md).
pub const MAX_TEXT_POSTINGS: usize = 400;
/// A term keeps at most this many postings in all, the highest fields first, so that no word
/// (`error` in every message) makes a query download much. The count before the cut is kept, and
/// the browser does not hold an article back for missing from a cut list.
pub const MAX_POSTINGS: usize = 1500;
/// Bumped whenever the format changes, so a script and an index that disagree are noticed.
pub const FORMAT_VERSION: u32 = 2;

/// The template context of `search.html`.
#[derive(Debug, Serialize)]
pub struct SearchPage {
    pub page: PageMeta,
}

/// The index's entry point, `search/meta.json`.
#[derive(Debug, Serialize)]
pub struct Meta {
    pub version: u32,
    pub documents: usize,
    pub chunk: usize,
    /// How many shards, and how many chunks, share a folder.
    pub group: usize,
    /// The folder of each run of [`GROUP_FILES`] term shards, relative to `meta.json`: shard
    /// `i` is `term_folders[i / group]/t<i>.json`.
    pub term_folders: Vec<String>,
    /// The folder of each run of [`GROUP_FILES`] document chunks: chunk `i` is
    /// `chunk_folders[i / group]/d<i>.json`.
    pub chunk_folders: Vec<String>,
    /// The first term of each shard, in order: shard `i` holds terms from `shards[i]` up to
    /// `shards[i + 1]`, compared as UTF-16 like JavaScript does.
    pub shards: Vec<String>,
    pub stop_words: &'static [&'static str],
    /// The bit of each field in a posting.
    pub fields: [(&'static str, u8); 6],
}

/// The encoded index: `meta.json` and the files beside it, by folder and name.
#[derive(Debug)]
pub struct EncodedIndex {
    pub meta: Meta,
    pub files: Vec<IndexFile>,
}

/// One file of the index, `search/<folder>/<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexFile {
    pub folder: String,
    pub name: String,
    pub content: String,
}

/// The search page alone (`kb serve` keeps the index files apart).
pub fn page_output(site: &Site, templates: &Templates) -> Result<Output, Diagnostic> {
    let page_url = folder(&[SEARCH_DIR]);
    let title = site
        .config
        .ui
        .get("search_title")
        .map_or("Search", String::as_str);
    let view = SearchPage {
        page: render::page_meta(
            site,
            format!("{title} | {}", site.config.title),
            None,
            &page_url,
        ),
    };
    render::render(
        templates,
        "search.html",
        &view,
        &page_url,
        Origin::Builtin("the search page"),
    )
}

/// `meta.json`, then every index file.
pub fn index_outputs(encoded: EncodedIndex) -> Vec<Output> {
    let mut outputs = vec![meta_output(&encoded.meta)];
    outputs.extend(encoded.files.into_iter().map(file_output));
    outputs
}

/// The output of `search/meta.json`.
pub fn meta_output(meta: &Meta) -> Output {
    Output {
        url: file(&[SEARCH_DIR, "meta.json"]),
        content: Content::Text(serde_json::to_string(meta).unwrap_or_default()),
        origin: Origin::Builtin("the search index"),
    }
}

/// The output of one index file.
pub fn file_output(file_: IndexFile) -> Output {
    Output {
        url: file(&[SEARCH_DIR, &file_.folder, &file_.name]),
        content: Content::Text(file_.content),
        origin: Origin::Builtin("the search index"),
    }
}

fn segments(parts: &[&str]) -> Vec<Segment> {
    parts.iter().filter_map(|p| Segment::new(p).ok()).collect()
}

fn folder(parts: &[&str]) -> UrlPath {
    UrlPath::folder(segments(parts))
}

fn file(parts: &[&str]) -> UrlPath {
    UrlPath::file(segments(parts))
}

/// Cuts the index into shards and chunks.
pub fn encode(index: &SearchIndex) -> EncodedIndex {
    let mut terms: Vec<(&String, &Postings)> = index.terms.iter().collect();
    sort_terms(&mut terms);
    let entries: Vec<String> = terms
        .iter()
        .map(|(term, postings)| entry(term, postings))
        .collect();
    let shards = pack_shards(terms.iter().map(|(t, _)| t.as_str()).zip(&entries));
    let chunks: Vec<String> = index
        .documents
        .chunks(CHUNK_DOCUMENTS)
        .map(chunk_file)
        .collect();
    let (first_terms, shards): (Vec<String>, Vec<String>) = shards.into_iter().unzip();
    files_and_meta(index.documents.len(), first_terms, shards, chunks)
}

/// [`encode`] of the index that [`SearchIndex::join`] makes of these runs, without that index
/// ever in memory whole: each term's entry is made as soon as its postings are joined
/// ([`SearchIndex::join_each`]). `kb build` encodes its index so.
pub fn encode_runs(mut runs: Vec<SearchIndex>) -> EncodedIndex {
    let mut documents = Vec::with_capacity(runs.iter().map(|run| run.documents.len()).sum());
    for run in &mut runs {
        documents.append(&mut run.documents);
    }
    // The terms and the documents side by side: the terms' last range, their sort and their
    // packing into shards are each on one core, which the chunks of documents keep busy.
    let ((first_terms, shards, term_folders), (chunks, chunk_folders)) = rayon::join(
        || {
            let (_, mut entries) = SearchIndex::join_each(runs, entry);
            sort_terms(&mut entries);
            let shards = pack_shards(entries.iter().map(|(term, entry)| (term.as_str(), entry)));
            drop(entries);
            let (first_terms, shards): (Vec<String>, Vec<String>) = shards.into_iter().unzip();
            let folders = group_folders('t', &shards);
            (first_terms, shards, folders)
        },
        || {
            let chunks: Vec<String> = documents
                .par_chunks(CHUNK_DOCUMENTS)
                .map(chunk_file)
                .collect();
            let folders = group_folders('d', &chunks);
            (chunks, folders)
        },
    );
    let folders = Folders {
        terms: term_folders,
        chunks: chunk_folders,
    };
    files_with_folders(documents.len(), first_terms, shards, chunks, folders)
}

/// Sorts entries by their terms, as JavaScript compares strings (by UTF-16 code units): the
/// browser's binary search must agree. Terms are unique, so an unstable sort orders them as a
/// stable one would; and without a character from U+E000 up (lead byte EE or above) in any
/// term, UTF-16 order is the order of the bytes, which `str`'s comparison finds a word at a
/// time ([`utf16_cmp`] looks for the first differing byte one byte at a time).
pub fn sort_terms<K: AsRef<str>, V>(entries: &mut [(K, V)]) {
    if entries
        .iter()
        .all(|(term, _)| term.as_ref().bytes().all(|b| b < 0xee))
    {
        entries.sort_unstable_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
    } else {
        entries.sort_unstable_by(|a, b| utf16_cmp(a.0.as_ref(), b.0.as_ref()));
    }
}

/// Orders terms as JavaScript compares strings: by UTF-16 code units.
pub fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    // UTF-8 bytes compare like code points, and code points like UTF-16 code units except a
    // character from U+10000 (a surrogate pair, lead byte F0–F4) against one from U+E000 to
    // U+FFFF (lead byte EE or EF). The first differing byte tells which case this is.
    let (x, y) = (a.as_bytes(), b.as_bytes());
    match x.iter().zip(y).position(|(p, q)| p != q) {
        None => x.len().cmp(&y.len()),
        Some(at) if x[at] < 0xee || y[at] < 0xee => x[at].cmp(&y[at]),
        Some(_) => a.encode_utf16().cmp(b.encode_utf16()),
    }
}

/// A term's entry in its shard: `"term":[postings]`.
pub fn entry(term: &str, postings: &Postings) -> String {
    // The postings are written into bytes each thread keeps, then copied after the term into
    // a string of their length: every term's entry is kept until the shards are packed.
    POSTINGS_BYTES.with_borrow_mut(|bytes| {
        let postings = postings_bytes(bytes, postings);
        // Digits, commas and brackets: ASCII.
        let postings = std::str::from_utf8(postings).unwrap_or_default();
        let mut out = String::with_capacity(term.len() + 3 + postings.len());
        crate::json::push_string(&mut out, term);
        out.push(':');
        out.push_str(postings);
        out
    })
}

thread_local! {
    /// What [`postings_bytes`] writes into, kept from one term to the next (bytes past the
    /// postings are left from the terms before).
    static POSTINGS_BYTES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The decimal digits of each number below 1,000, low byte first, with their count in the
/// top byte.
const DIGITS: [u32; 1000] = {
    let mut digits = [0; 1000];
    let mut number = 0;
    while number < 1000 {
        let (hundreds, tens, ones) = (number / 100, number / 10 % 10, number % 10);
        digits[number] = if number < 10 {
            (1 << 24) | (b'0' as u32 + ones as u32)
        } else if number < 100 {
            (2 << 24) | (b'0' as u32 + tens as u32) | ((b'0' as u32 + ones as u32) << 8)
        } else {
            (3 << 24)
                | (b'0' as u32 + hundreds as u32)
                | ((b'0' as u32 + tens as u32) << 8)
                | ((b'0' as u32 + ones as u32) << 16)
        };
        number += 1;
    }
    digits
};

/// `,fields` of each set of fields, low byte first (at most four bytes), with its length above
/// them.
const FIELDS: [u64; 256] = {
    let mut fields = [0; 256];
    let mut set = 0;
    while set < 256 {
        let digits = DIGITS[set] as u64;
        fields[set] = ((digits >> 24) + 1) << 32 | (digits & 0xff_ffff) << 8 | b',' as u64;
        set += 1;
    }
    fields
};

/// The most bytes a posting takes: `,`, a gap of up to ten digits, `,` and three digits.
const MOST_POSTING_BYTES: usize = 15;

/// `[df, first document, its fields, gap to the next document, its fields, …]`: the number of
/// documents the term occurs in, then its postings, cut to [`MAX_TEXT_POSTINGS`] from summaries
/// and bodies only and [`MAX_POSTINGS`] in all.
#[cfg(test)]
pub fn encode_postings(postings: &Postings) -> String {
    let mut bytes = Vec::new();
    String::from_utf8(postings_bytes(&mut bytes, postings).to_vec()).unwrap_or_default()
}

fn text_only(fields: u8) -> bool {
    fields & !(field::SUMMARY | field::BODY) == 0
}

/// [`encode_postings`] written at the start of `bytes` (which only grows, so that it is not
/// cleared for every term): the bytes written.
fn postings_bytes<'a>(bytes: &'a mut Vec<u8>, postings: &[(u32, u8)]) -> &'a [u8] {
    if !postings.is_sorted_by(|a, b| a.0 < b.0) {
        bytes.clear();
        push_postings_sorted(bytes, postings);
        return bytes;
    }
    // Room for the count and every posting at its longest, and for the eight bytes each
    // posting is written with.
    let room = MOST_POSTING_BYTES * (postings.len() + 1) + 8;
    if bytes.len() < room {
        bytes.resize(room, 0);
    }
    bytes[0] = b'[';
    let mut end = put_number(bytes, 1, postings.len());
    if postings.len() <= MAX_TEXT_POSTINGS {
        // Nothing to cut: no term has this many postings of any kind.
        end = put_postings(bytes, end, postings, |_| true);
    } else {
        // The cut keeps the highest fields first, and of each set of fields the first
        // documents: so many postings of each set of fields, in document order.
        let mut count = [0u32; 256];
        for (_, fields) in postings {
            count[usize::from(*fields)] += 1;
        }
        let mut kept = [0u32; 256];
        let (mut text, mut left) = (0, MAX_POSTINGS as u32);
        for fields in (0..=u8::MAX).rev() {
            let mut keep = count[usize::from(fields)];
            if text_only(fields) {
                keep = keep.min((MAX_TEXT_POSTINGS as u32).saturating_sub(text));
                text += count[usize::from(fields)];
            }
            kept[usize::from(fields)] = keep.min(left);
            left -= kept[usize::from(fields)];
        }
        end = put_postings(bytes, end, postings, |fields| {
            let left = &mut kept[usize::from(fields)];
            let keep = *left > 0;
            *left -= u32::from(keep);
            keep
        });
    }
    bytes[end] = b']';
    &bytes[..end + 1]
}

/// `,gap,fields` into `bytes` from `at` on for each posting `keep` keeps (it is asked once
/// about each, in order), the gap from the one kept before it: where they end.
#[inline(always)]
fn put_postings(
    bytes: &mut [u8],
    mut at: usize,
    postings: &[(u32, u8)],
    mut keep: impl FnMut(u8) -> bool,
) -> usize {
    let mut previous = 0;
    for &(document, fields) in postings {
        if !keep(fields) {
            continue;
        }
        let gap = document - previous;
        at = match put_posting(bytes, at, gap, fields) {
            Some(end) => end,
            None => put_long_posting(bytes, at, gap, fields),
        };
        previous = document;
    }
    at
}

/// `,gap,fields` for a posting when the gap is below 1,000 (as most are), from tables: at most
/// eight bytes, written with one store (the bytes past the posting are written over next).
/// Where it ends.
#[inline(always)]
fn put_posting(bytes: &mut [u8], at: usize, gap: u32, fields: u8) -> Option<usize> {
    let digits = *DIGITS.get(gap as usize)?;
    let fields = FIELDS[usize::from(fields)];
    let digit_count = digits >> 24;
    let posting = u64::from(b',')
        | u64::from(digits & 0xff_ffff) << 8
        | (fields & 0xffff_ffff) << (8 * (1 + digit_count));
    bytes
        .get_mut(at..at + 8)?
        .copy_from_slice(&posting.to_le_bytes());
    Some(at + 1 + digit_count as usize + (fields >> 32) as usize)
}

/// [`put_posting`] for any gap.
#[cold]
fn put_long_posting(bytes: &mut [u8], at: usize, gap: u32, fields: u8) -> usize {
    bytes[at] = b',';
    let at = put_number(bytes, at + 1, gap as usize);
    let fields = FIELDS[usize::from(fields)];
    let length = (fields >> 32) as usize;
    bytes[at..at + length].copy_from_slice(&fields.to_le_bytes()[..length]);
    at + length
}

/// `number` in decimal into `bytes` from `at` on: where it ends.
fn put_number(bytes: &mut [u8], at: usize, number: usize) -> usize {
    let mut digits = [0u8; 20];
    let mut first = digits.len();
    let mut left = number;
    loop {
        first -= 1;
        digits[first] = b'0' + (left % 10) as u8;
        left /= 10;
        if left == 0 {
            break;
        }
    }
    let digits = &digits[first..];
    bytes[at..at + digits.len()].copy_from_slice(digits);
    at + digits.len()
}

/// `number` in decimal, one digit at a time.
fn push_number(out: &mut Vec<u8>, number: usize) {
    if number >= 10 {
        push_number(out, number / 10);
    }
    out.push(b'0' + (number % 10) as u8);
}

/// Packs the entries of sorted terms into shards of at most [`SHARD_BYTES`] (a longer entry
/// is a shard of its own): each shard's first term and its file content.
pub fn pack_shards<'a>(
    entries: impl Iterator<Item = (&'a str, &'a String)>,
) -> Vec<(String, String)> {
    let mut shards = Vec::new();
    let mut shard = String::new();
    let mut first = String::new();
    for (term, entry) in entries {
        // A long entry starts a shard of its own rather than swell one of short ones.
        if !shard.is_empty() && shard.len() + entry.len() > SHARD_BYTES {
            shards.push((std::mem::take(&mut first), format!("{{{shard}}}")));
            shard.clear();
        }
        if shard.is_empty() {
            first = term.to_string();
        } else {
            shard.push(',');
        }
        shard.push_str(entry);
    }
    if !shard.is_empty() {
        shards.push((first, format!("{{{shard}}}")));
    }
    shards
}

/// A chunk file: its documents as `[code, title, link, summary]` rows.
pub fn chunk_file(documents: &[Document]) -> String {
    let rows: Vec<[&str; 4]> = documents
        .iter()
        .map(|d| [&*d.code, &*d.title, &*d.url, &*d.summary])
        .collect();
    serde_json::to_string(&rows).unwrap_or_default()
}

/// The name of shard `number` (`t<N>.json`) or chunk `number` (`d<N>.json`).
pub fn file_name(kind: char, number: usize) -> String {
    format!("{kind}{number}.json")
}

/// The folder of a run of files of one kind, the first being number `first`: a hash of their
/// names and contents.
pub fn group_folder(kind: char, first: usize, contents: &[String]) -> String {
    let hash = contents
        .iter()
        .enumerate()
        .fold(FNV_OFFSET, |h, (i, content)| {
            let name = file_name(kind, first + i);
            fnv1a(fnv1a(h, name.as_bytes()), content.as_bytes())
        });
    format!("{hash:016x}")
}

/// The folders of every run of [`GROUP_FILES`] files of one kind.
pub fn group_folders(kind: char, contents: &[String]) -> Vec<String> {
    contents
        .par_chunks(GROUP_FILES)
        .enumerate()
        .map(|(group, files)| group_folder(kind, group * GROUP_FILES, files))
        .collect()
}

/// The meta of an index with these shards and chunks (and their folders).
pub fn meta(
    documents: usize,
    shards: Vec<String>,
    term_folders: Vec<String>,
    chunk_folders: Vec<String>,
) -> Meta {
    Meta {
        version: FORMAT_VERSION,
        documents,
        chunk: CHUNK_DOCUMENTS,
        group: GROUP_FILES,
        term_folders,
        chunk_folders,
        shards,
        stop_words: tokenize::STOP_WORDS,
        fields: [
            ("body", field::BODY),
            ("summary", field::SUMMARY),
            ("title", field::TITLE),
            ("code_part", field::CODE_PART),
            ("message", field::MESSAGE),
            ("code", field::CODE),
        ],
    }
}

/// The encoded index of these shards (first terms and contents) and chunks.
fn files_and_meta(
    documents: usize,
    first_terms: Vec<String>,
    shards: Vec<String>,
    chunks: Vec<String>,
) -> EncodedIndex {
    let folders = Folders {
        terms: group_folders('t', &shards),
        chunks: group_folders('d', &chunks),
    };
    files_with_folders(documents, first_terms, shards, chunks, folders)
}

/// The folders of the term shards and of the document chunks ([`group_folders`]).
struct Folders {
    terms: Vec<String>,
    chunks: Vec<String>,
}

/// [`files_and_meta`] with the folders made already.
fn files_with_folders(
    documents: usize,
    first_terms: Vec<String>,
    shards: Vec<String>,
    chunks: Vec<String>,
    folders: Folders,
) -> EncodedIndex {
    let Folders {
        terms: term_folders,
        chunks: chunk_folders,
    } = folders;
    let mut files = Vec::with_capacity(shards.len() + chunks.len());
    for (kind, contents, folders) in [('t', shards, &term_folders), ('d', chunks, &chunk_folders)] {
        for (number, content) in contents.into_iter().enumerate() {
            files.push(IndexFile {
                folder: folders[number / GROUP_FILES].clone(),
                name: file_name(kind, number),
                content,
            });
        }
    }
    EncodedIndex {
        meta: meta(documents, first_terms, term_folders, chunk_folders),
        files,
    }
}

/// [`postings_bytes`] of postings in any order: sorted by fields to be cut, then by document.
fn push_postings_sorted(out: &mut Vec<u8>, postings: &[(u32, u8)]) {
    let kept = kept_postings(postings);
    out.push(b'[');
    push_number(out, postings.len());
    let mut previous = 0;
    for (document, fields) in kept {
        out.push(b',');
        push_number(out, (document - previous) as usize);
        out.push(b',');
        push_number(out, usize::from(fields));
        previous = document;
    }
    out.push(b']');
}

/// The postings a term's entry lists, by document: those of the highest fields first (the flags
/// of higher fields are higher bits), at most [`MAX_TEXT_POSTINGS`] of them in body text alone
/// and [`MAX_POSTINGS`] in all.
fn kept_postings(postings: &[(u32, u8)]) -> Vec<(u32, u8)> {
    let mut kept: Vec<(u32, u8)> = postings.to_vec();
    kept.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut text = 0;
    kept.retain(|(_, fields)| {
        text += usize::from(text_only(*fields));
        !text_only(*fields) || text <= MAX_TEXT_POSTINGS
    });
    kept.truncate(MAX_POSTINGS);
    kept.sort_unstable();
    kept
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A term's entry as serde_json writes it, the postings cut by sorting them.
    fn plain_entry(term: &str, postings: &Postings) -> String {
        let kept = kept_postings(postings);
        let mut numbers = vec![postings.len() as u64];
        let mut previous = 0;
        for (document, fields) in kept {
            numbers.extend([u64::from(document - previous), u64::from(fields)]);
            previous = document;
        }
        let term = serde_json::to_string(term).unwrap_or_default();
        format!(
            "{term}:{}",
            serde_json::to_string(&numbers).unwrap_or_default()
        )
    }

    /// Entries written eight bytes a posting from tables are those serde_json writes: gaps of
    /// every length (the tables have those below 1,000), every set of fields, lists that are
    /// cut and lists that are not.
    #[test]
    fn entries_are_written_as_serde_json_writes_them() {
        let mut next = crate::test_random::numbers(0x9e37_79b9_7f4a_7c15);
        let terms = ["disk", "a\"quoted\" term", "übergroß", ""];
        let lengths = [0, 1, 2, 3, 7, 50, 399, 400, 401, 1499, 1500, 1501, 4000];
        let mut cut = 0;
        for (round, length) in lengths.iter().cycle().take(300).enumerate() {
            // Gaps of one to three digits, and in every other round some of up to ten (which
            // soon take the documents to the last one).
            let most_digits = if round % 2 == 0 { 3 } else { 10 };
            let mut document = next(1000) as u32;
            let postings: Postings = (0..*length)
                .map(|at| {
                    let digits = if next(8) == 0 {
                        1 + next(most_digits)
                    } else {
                        1
                    };
                    let gap = next(10usize.pow(digits as u32)) as u32;
                    if at > 0 {
                        document = document.saturating_add(gap.max(1));
                    }
                    (document, next(256) as u8)
                })
                .take_while(|(document, _)| *document < u32::MAX)
                .collect();
            cut += usize::from(postings.len() > MAX_POSTINGS);
            let term = terms[round % terms.len()];
            assert_eq!(
                entry(term, &postings),
                plain_entry(term, &postings),
                "{} postings",
                postings.len()
            );
        }
        assert!(cut >= 20, "only {cut} lists were cut");
        // Out of order, as `kb serve`'s lists may be.
        let postings = vec![
            (5, field::BODY),
            (2, field::TITLE),
            (1_000_000, field::CODE),
        ];
        assert_eq!(entry("x", &postings), plain_entry("x", &postings));
    }

    #[test]
    fn postings_are_gap_encoded_after_their_count() {
        assert_eq!(
            encode_postings(&vec![(3, field::CODE), (10, field::BODY)]),
            "[2,3,32,7,1]"
        );
    }

    #[test]
    fn text_postings_are_capped_first_and_the_count_stays_true() {
        let cap = MAX_TEXT_POSTINGS as u32;
        let mut postings: Postings = (0..cap + 5).map(|d| (d, field::BODY)).collect();
        postings.extend((cap + 5..cap + 10).map(|d| (d, field::SUMMARY)));
        postings.extend((cap + 10..cap + 1000).map(|d| (d, field::TITLE | field::BODY)));
        let encoded: Vec<u64> =
            serde_json::from_str(&encode_postings(&postings)).unwrap_or_default();
        assert_eq!(encoded[0], u64::from(cap + 1000));
        let fields: Vec<u64> = encoded[1..].chunks(2).map(|pair| pair[1]).collect();
        assert_eq!(fields.len(), MAX_TEXT_POSTINGS + 990);
        let count = |f: u8| fields.iter().filter(|x| **x == u64::from(f)).count();
        assert_eq!(
            count(field::TITLE | field::BODY),
            990,
            "title postings are all kept"
        );
        assert_eq!(count(field::SUMMARY), 5, "summaries go before bodies");
        assert_eq!(count(field::BODY), MAX_TEXT_POSTINGS - 5);
    }

    #[test]
    fn no_term_keeps_more_than_the_overall_cap_and_messages_go_first() {
        let total = MAX_POSTINGS as u32 + 100;
        let mut postings: Postings = (0..total).map(|d| (d, field::TITLE)).collect();
        postings[7].1 = field::MESSAGE;
        postings[total as usize - 1].1 = field::MESSAGE;
        let encoded: Vec<u64> =
            serde_json::from_str(&encode_postings(&postings)).unwrap_or_default();
        let fields: Vec<u64> = encoded[1..].chunks(2).map(|pair| pair[1]).collect();
        assert_eq!(fields.len(), MAX_POSTINGS);
        assert_eq!(
            fields
                .iter()
                .filter(|f| **f == u64::from(field::MESSAGE))
                .count(),
            2
        );
    }

    #[test]
    fn shards_cover_sorted_terms_without_gaps() {
        let mut index = SearchIndex::default();
        for i in 0..5000u32 {
            index
                .terms
                .insert(format!("term{i:05}"), vec![(i, field::BODY)]);
        }
        let encoded = encode(&index);
        let shard_files: Vec<&IndexFile> = encoded
            .files
            .iter()
            .filter(|f| f.name.starts_with('t'))
            .collect();
        assert!(shard_files.len() > 1, "5000 terms must need several shards");
        assert_eq!(shard_files.len(), encoded.meta.shards.len());
        for (number, (file, first)) in shard_files.iter().zip(&encoded.meta.shards).enumerate() {
            assert_eq!(file.name, format!("t{number}.json"));
            assert_eq!(
                file.folder,
                encoded.meta.term_folders[number / encoded.meta.group]
            );
            let content = &file.content;
            let shard: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(content).unwrap_or_default();
            assert_eq!(shard.keys().next(), Some(first));
            assert!(content.len() <= SHARD_BYTES + 2);
        }
    }

    /// The download budget of a first search, whatever the site's size: a 10,000-article index
    /// where 40 words occur in every article's messages and text (the worst case for shards),
    /// and a query that needs the most files a query can need.
    #[test]
    fn a_first_search_on_a_large_site_stays_under_300_kb() {
        let articles = 10_000u32;
        let mut index = SearchIndex::default();
        for id in 0..articles {
            index.documents.push(Document {
                code: format!("ERR_SOMETHING_{id:05}"),
                title: "A title as long as titles get in a real error catalog here".into(),
                url: format!("/catalog/subcategory/group/err_something_{id:05}/"),
                summary: "s".repeat(index::SUMMARY_CHARS),
            });
            index
                .terms
                .insert(format!("code{id:05}"), vec![(id, field::CODE)]);
        }
        for word in 0..40 {
            let everywhere = (0..articles)
                .map(|id| (id, field::MESSAGE | field::BODY))
                .collect();
            index.terms.insert(format!("common{word:02}"), everywhere);
        }
        let encoded = encode(&index);
        let largest = |prefix: char| {
            encoded
                .files
                .iter()
                .filter(|f| f.name.starts_with(prefix))
                .map(|f| f.content.len())
                .max()
        };
        let meta = serde_json::to_string(&encoded.meta)
            .unwrap_or_default()
            .len();
        let script = crate::assets::DEFAULT_ASSETS
            .iter()
            .find(|(name, _)| *name == "search.js")
            .map_or(0, |(_, bytes)| bytes.len());
        // static/search.js looks up at most 16 terms (MAX_TERMS), shows 8 suggestions in the
        // box and 20 results on the search page (PAGE_RESULTS) at first.
        for results in [8, 20] {
            let worst = meta
                + script
                + 16 * largest('t').unwrap_or(0)
                + results * largest('d').unwrap_or(0);
            assert!(
                worst < 300 * 1024,
                "a first search showing {results} results may download {worst} bytes"
            );
        }
    }

    /// A fixed pseudo-random sequence below `below`.
    fn walk(seed: u64) -> impl FnMut(u64) -> u64 {
        let mut state = seed | 1;
        move |below| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % below
        }
    }

    #[test]
    fn postings_cut_by_counting_are_those_cut_by_sorting() {
        let mut next = walk(0x9e37_79b9_7f4a_7c15);
        let all_fields = [1, 2, 3, 4, 5, 8, 9, 16, 17, 19, 32, 33, 63];
        for length in [0, 1, 2, 399, 400, 401, 402, 1499, 1500, 1501, 3000, 12_000] {
            for _ in 0..4 {
                // Few kinds of fields, or many; documents with gaps.
                let kinds = 1 + next(all_fields.len() as u64) as usize;
                let mut document = 0;
                let postings: Postings = (0..length)
                    .map(|_| {
                        document += 1 + next(3) as u32;
                        (document, all_fields[next(kinds as u64) as usize])
                    })
                    .collect();
                let (mut fast, mut sorted) = (Vec::new(), Vec::new());
                let fast = postings_bytes(&mut fast, &postings);
                push_postings_sorted(&mut sorted, &postings);
                assert_eq!(fast, sorted, "{length} postings of {kinds} kinds of fields");
            }
        }
    }

    #[test]
    fn terms_sorted_by_bytes_are_sorted_as_javascript_sorts_them() {
        let pieces = [
            "a",
            "b",
            "z",
            "0",
            "_",
            "é",
            "ß",
            "\u{d7ff}",
            "\u{e000}",
            "\u{ffff}",
            "\u{10000}",
            "😀",
        ];
        let mut next = walk(0x9e37_79b9_7f4a_7c15);
        let mut high = 0;
        for set in 0..200 {
            // Half the sets without the pieces from U+E000 up, which take the other path.
            let kinds = if set % 2 == 0 { 8 } else { pieces.len() as u64 };
            let mut terms: Vec<String> = (0..300)
                .map(|_| {
                    let length = 1 + next(6);
                    (0..length).map(|_| pieces[next(kinds) as usize]).collect()
                })
                .collect();
            terms.sort_unstable();
            terms.dedup();
            // Shuffled, each with a value that follows it.
            let mut entries: Vec<(String, usize)> = terms.iter().cloned().zip(0..).collect();
            for i in (1..entries.len()).rev() {
                entries.swap(i, next(i as u64 + 1) as usize);
            }
            let mut expected = entries.clone();
            expected.sort_by(|a, b| utf16_cmp(&a.0, &b.0));
            sort_terms(&mut entries);
            assert_eq!(entries, expected);
            high += usize::from(terms.iter().any(|t| t.bytes().any(|b| b >= 0xee)));
        }
        assert!(
            high >= 90,
            "only {high} sets with characters from U+E000 up"
        );
    }

    #[test]
    fn terms_are_ordered_and_quoted_like_javascript_and_serde_json_do() {
        let pieces = [
            "a",
            "b",
            "z",
            "0",
            "é",
            "\u{e000}",
            "\u{ffff}",
            "\u{fffd}",
            "\u{10000}",
            "😀",
            "\u{d7ff}",
            "\"",
            "\\",
            "\n",
            "\u{1}",
            "\u{7f}",
            "ß",
            "",
        ];
        let mut next = walk(0x2545_f491_4f6c_dd1d);
        let words: Vec<String> = (0..2000)
            .map(|_| {
                let length = next(5);
                (0..length)
                    .map(|_| pieces[next(pieces.len() as u64) as usize])
                    .collect()
            })
            .collect();
        for a in &words {
            let mut quoted = String::new();
            crate::json::push_string(&mut quoted, a);
            assert_eq!(quoted, serde_json::to_string(a).unwrap_or_default());
            for b in words.iter().take(200) {
                assert_eq!(
                    utf16_cmp(a, b),
                    a.encode_utf16().cmp(b.encode_utf16()),
                    "{a:?} against {b:?}"
                );
            }
        }
    }
}
