//! The search box on every page and the search index `kb build` writes under `/search/`, read
//! back the way `static/search.js` reads it. Ranking itself runs in the browser and is tested
//! in `search_browser.rs`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{Page, Site};
use kb::search::field;
use serde_json::Value;

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// A built index, looked up like the browser does: meta, then one shard, then a chunk.
struct Index {
    search: std::path::PathBuf,
    meta: Value,
}

impl Index {
    fn open(public: &Path) -> Index {
        let meta = json(&public.join("search/meta.json"));
        Index {
            search: public.join("search"),
            meta,
        }
    }

    /// Shard or chunk `number` (`kind` `t` or `d`), in the folder meta.json names for it.
    fn file(&self, kind: char, number: usize) -> std::path::PathBuf {
        let folders = if kind == 't' {
            "term_folders"
        } else {
            "chunk_folders"
        };
        let group = self.meta["group"].as_u64().expect("a group size") as usize;
        let folder = self.meta[folders][number / group]
            .as_str()
            .expect("meta.json names the folder of every file");
        self.search
            .join(folder)
            .join(format!("{kind}{number}.json"))
    }

    /// Every folder of index files meta.json names.
    fn folders(&self) -> BTreeSet<String> {
        ["term_folders", "chunk_folders"]
            .iter()
            .flat_map(|key| self.meta[*key].as_array().cloned().unwrap_or_default())
            .filter_map(|f| f.as_str().map(str::to_string))
            .collect()
    }

    fn codes(&self) -> Vec<String> {
        let count = self.meta["documents"].as_u64().expect("a document count") as usize;
        let chunk = self.meta["chunk"].as_u64().expect("a chunk size") as usize;
        (0..count.div_ceil(chunk))
            .flat_map(|n| {
                json(&self.file('d', n))
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|row| row[0].as_str().unwrap_or_default().to_string())
            .collect()
    }

    fn document(&self, number: usize) -> Value {
        let chunk = self.meta["chunk"].as_u64().expect("a chunk size") as usize;
        json(&self.file('d', number / chunk))[number % chunk].clone()
    }

    /// The codes of the articles `term` occurs in, with its fields there.
    fn postings(&self, term: &str) -> BTreeMap<String, u8> {
        let shards: Vec<&str> = self.meta["shards"]
            .as_array()
            .expect("shards")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let Some(number) = shards.iter().rposition(|first| *first <= term) else {
            return BTreeMap::new();
        };
        let shard = json(&self.file('t', number));
        let Some(encoded) = shard.get(term).and_then(Value::as_array) else {
            return BTreeMap::new();
        };
        let numbers: Vec<u64> = encoded.iter().filter_map(Value::as_u64).collect();
        let codes = self.codes();
        let mut document = 0;
        let mut found = BTreeMap::new();
        for pair in numbers[1..].chunks(2) {
            document += pair[0] as usize;
            found.insert(codes[document].clone(), pair[1] as u8);
        }
        found
    }
}

fn flags(entries: &[(&str, u8)]) -> BTreeMap<String, u8> {
    entries
        .iter()
        .map(|(code, fields)| (code.to_string(), *fields))
        .collect()
}

#[test]
fn every_page_has_a_search_box_that_leads_to_the_all_codes_index_without_javascript() {
    let site = Site::fixture("search");
    site.build(&[]);
    for url in [
        "/",
        "/http/",
        "/http/4xx/401/",
        "/codes/",
        "/search/",
        "/tags/",
    ] {
        let page = site.page(url);
        assert_eq!(
            page.attrs("form.search[role=search]", "action")
                .first()
                .map(String::as_str),
            Some("/codes/"),
            "{url}"
        );
        assert_eq!(
            page.attrs("form.search #search-input", "name"),
            ["q"],
            "{url}"
        );
        assert_eq!(
            page.attrs("form.search", "data-search")
                .first()
                .map(String::as_str),
            Some("/search/"),
            "{url}"
        );
        assert!(
            page.attrs("script", "src")
                .iter()
                .any(|s| s == "/search.js"),
            "{url} loads search.js"
        );
    }
    assert!(site.public().join("search.js").is_file());
}

#[test]
fn the_search_page_has_its_own_box_and_points_to_all_codes_without_javascript() {
    let site = Site::fixture("search");
    site.build(&[]);
    let page = site.page("/search/");
    assert_eq!(page.text("h1"), "Search");
    assert_eq!(page.attrs("form.search-page", "action"), ["/search/"]);
    assert_eq!(page.attrs("#search-page-input", "name"), ["q"]);
    assert!(page.has("#search-page-results"));
    let source = site.read("public/search/index.html");
    assert!(
        source.contains("<noscript>")
            && source.contains(r#"<a href="/codes/">All codes</a></p></noscript>"#)
    );
}

#[test]
fn a_whole_code_is_a_code_match_and_its_parts_are_code_parts() {
    let site = Site::fixture("search");
    site.build(&[]);
    let index = Index::open(&site.public());
    let message = field::MESSAGE;
    let code_part = field::CODE_PART;
    assert_eq!(
        index.postings("401"),
        flags(&[
            ("401", field::CODE | message),
            ("401.1", code_part | message),
            ("404", field::BODY)
        ])
    );
    assert_eq!(
        index.postings("401.1"),
        flags(&[("401.1", field::CODE | message)])
    );
    assert_eq!(
        index.postings("403"),
        flags(&[("403", field::CODE | message), ("404", field::BODY)])
    );
    assert_eq!(
        index.postings("e0308"),
        flags(&[("E0308", field::CODE | message)])
    );
    assert_eq!(
        index.postings("0x80070005"),
        flags(&[("0x80070005", field::CODE | message)])
    );
    assert_eq!(
        index.postings("80070005"),
        flags(&[("0x80070005", code_part | message)])
    );
    assert_eq!(
        index.postings("err_connection_refused"),
        flags(&[("ERR_CONNECTION_REFUSED", field::CODE | message)])
    );
    assert_eq!(
        index.postings("refused"),
        flags(&[
            ("ERR_CONNECTION_REFUSED", code_part | message),
            ("401", field::BODY),
            ("401.1", field::SUMMARY),
            ("0x80070005", field::SUMMARY),
        ])
    );
    assert!(
        index.postings("40").is_empty(),
        "numbers are never cut short"
    );
}

#[test]
fn a_word_is_indexed_with_every_field_it_occurs_in() {
    let site = Site::fixture("search");
    site.build(&[]);
    let index = Index::open(&site.public());
    assert_eq!(
        index.postings("gremlin"),
        flags(&[
            ("GREMLIN", field::CODE),
            ("D1", field::MESSAGE),
            ("D2", field::TITLE),
            ("D3", field::SUMMARY),
            ("D4", field::BODY),
        ])
    );
    // Category titles count as context: `iis 401.1` finds IIS's article.
    assert_eq!(index.postings("iis"), flags(&[("401.1", field::SUMMARY)]));
}

#[test]
fn results_show_code_title_link_and_summary_with_the_base_path() {
    let site = Site::fixture("search");
    site.build(&["--base-url", "https://example.com/help/"]);
    let index = Index::open(&site.public());
    let number = index
        .codes()
        .iter()
        .position(|c| c == "401")
        .expect("401 is indexed");
    assert_eq!(
        index.document(number),
        serde_json::json!([
            "401",
            "Unauthorized",
            "/help/http/4xx/401/",
            "The request carried no valid credentials."
        ])
    );
    let page = Page::at(&site.public(), "/http/4xx/401/");
    assert_eq!(page.attrs("form.search", "data-search"), ["/help/search/"]);
    assert_eq!(page.attrs("form.search", "action"), ["/help/codes/"]);
}

#[test]
fn a_changed_article_renames_only_the_folders_whose_files_changed() {
    let site = Site::fixture("search");
    site.build(&[]);
    let first = Index::open(&site.public());
    let before = first.folders();
    site.build(&[]);
    let again = Index::open(&site.public()).folders();
    assert_eq!(before, again, "the same content gives the same folders");
    let article = site
        .read("content/http/4xx/403.md")
        .replace("Ask the owner", "Ask the site owner");
    site.write("content/http/4xx/403.md", &article);
    site.build(&[]);
    let index = Index::open(&site.public());
    let after = index.folders();
    assert_ne!(before, after);
    // The body changed, not what a result shows: the documents keep their folders.
    assert_eq!(index.meta["chunk_folders"], first.meta["chunk_folders"]);
    for gone in before.difference(&after) {
        assert!(!site.public().join("search").join(gone).exists());
    }
    for folder in &after {
        assert!(
            site.public().join("search").join(folder).is_dir(),
            "{folder}"
        );
    }
    assert!(index.postings("site").contains_key("403"));
}
