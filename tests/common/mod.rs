//! The fixture harness shared by the integration tests (see `tests/README.md`).
//!
//! A [`Site`] is a copy of `tests/fixtures/<name>/` in a fresh temporary folder; [`Site::kb`]
//! runs the real `kb` binary in it and captures what it printed; [`Site::page`] parses an output
//! page with `scraper` so tests assert on structure, not on grepped words.

// Each test file uses a different part of the harness.
#![allow(dead_code)]

pub mod browser;
pub mod serve;
pub mod static_server;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

use scraper::{ElementRef, Html, Selector};
use tempfile::TempDir;

/// The repository root, where `content/`, `templates/` and `static/` of the shipped site live.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A site in a temporary folder, deleted when dropped.
pub struct Site {
    dir: TempDir,
}

impl Site {
    /// A copy of `tests/fixtures/<name>/`.
    pub fn fixture(name: &str) -> Site {
        let source = repo_root().join("tests/fixtures").join(name);
        assert!(source.is_dir(), "no fixture site at {}", source.display());
        let site = Site::empty();
        copy_tree(&source, site.root());
        site
    }

    /// An empty folder; add files with [`Site::write`].
    pub fn empty() -> Site {
        let dir = tempfile::Builder::new()
            .prefix("kb-test-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary folder: {e}"));
        Site { dir }
    }

    /// The site root (the folder `kb` runs in).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `root/<relative>`.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    /// Writes (or overwrites) a file of the site, creating its folders.
    pub fn write(&self, relative: &str, text: &str) -> &Site {
        let path = self.path(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
        }
        std::fs::write(&path, text)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        self
    }

    /// Removes a file of the site.
    pub fn remove(&self, relative: &str) -> &Site {
        let path = self.path(relative);
        std::fs::remove_file(&path)
            .unwrap_or_else(|e| panic!("cannot remove {}: {e}", path.display()));
        self
    }

    /// Reads a file of the site (sources or output) as text.
    pub fn read(&self, relative: &str) -> String {
        let path = self.path(relative);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// Runs `kb <args>` in the site root.
    pub fn kb(&self, args: &[&str]) -> Run {
        self.kb_with_env(args, &[])
    }

    /// [`Site::kb`] with these environment variables set too.
    pub fn kb_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_kb"))
            .args(args)
            .current_dir(self.root())
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .output()
            .unwrap_or_else(|e| panic!("cannot run kb: {e}"));
        Run {
            args: args.iter().map(|a| a.to_string()).collect(),
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs `kb build <args>` and panics, showing what kb printed, unless it succeeds.
    pub fn build(&self, args: &[&str]) -> Run {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        let run = self.kb(&all);
        run.assert_success();
        run
    }

    /// Runs `kb build <args>` and panics unless it fails with exit status 1.
    pub fn build_fails(&self, args: &[&str]) -> Run {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        let run = self.kb(&all);
        run.assert_exit(1);
        run
    }

    /// The default output folder, `root/public`.
    pub fn public(&self) -> PathBuf {
        self.path("public")
    }

    /// Parses the page at a site address (`/`, `/http/4xx/401/`, `/codes/`, `/404.html`) in the
    /// default output folder.
    pub fn page(&self, url: &str) -> Page {
        Page::at(&self.public(), url)
    }
}

/// Builds the repository's own site (`content/` at the root) into `out/public` with `args`,
/// without touching the repository, and checks that the build succeeded.
pub fn build_shipped(out: &Site, args: &[&str]) -> Run {
    let root = repo_root();
    let public = out.public();
    let mut all = vec![
        "build",
        "--root",
        root.to_str()
            .unwrap_or_else(|| panic!("the repository path is not UTF-8")),
        "--output",
        public
            .to_str()
            .unwrap_or_else(|| panic!("the temporary path is not UTF-8")),
    ];
    all.extend_from_slice(args);
    let run = out.kb(&all);
    run.assert_success();
    run
}

/// What one run of `kb` did.
pub struct Run {
    pub args: Vec<String>,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn assert_success(&self) {
        assert!(self.status.success(), "expected kb to succeed\n{self}");
    }

    pub fn assert_exit(&self, code: i32) {
        assert_eq!(
            self.status.code(),
            Some(code),
            "unexpected exit status\n{self}"
        );
    }

    /// The diagnostics printed on stderr, as (first line, `path:line:col` after ` --> `) pairs.
    /// Only these two lines are parsed: the snippet and help below them may change style.
    pub fn diagnostics(&self) -> Vec<(String, Option<String>)> {
        let lines: Vec<&str> = self.stderr.lines().collect();
        let mut found = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if line.starts_with("error: ") || line.starts_with("warning: ") {
                let location = lines
                    .get(i + 1)
                    .and_then(|next| next.trim_start().strip_prefix("--> "))
                    .map(str::to_string);
                found.push((line.to_string(), location));
            }
        }
        found
    }

    /// Panics unless stderr holds the diagnostic `message` (its whole first line, e.g.
    /// ``error: unknown key `relatd` ``) reported at `location` (`content/a.md:3:1`).
    pub fn assert_diagnostic(&self, message: &str, location: &str) {
        let wanted = (message.to_string(), Some(location.to_string()));
        assert!(
            self.diagnostics().contains(&wanted),
            "expected the diagnostic\n{message}\n --> {location}\n{self}"
        );
    }

    /// Panics unless stderr contains `text` (e.g. a help sentence).
    pub fn assert_stderr_contains(&self, text: &str) {
        assert!(
            self.stderr.contains(text),
            "expected stderr to contain\n{text}\n{self}"
        );
    }

    /// The number of `error:` diagnostics, not counting the closing summary line.
    pub fn error_count(&self) -> usize {
        self.diagnostics()
            .iter()
            .filter(|(m, _)| m.starts_with("error: ") && !m.starts_with("error: build failed"))
            .count()
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "kb {} exited with {}", self.args.join(" "), self.status)?;
        writeln!(f, "--- stdout ---\n{}", self.stdout)?;
        write!(f, "--- stderr ---\n{}", self.stderr)
    }
}

/// One parsed output page.
pub struct Page {
    pub url: String,
    pub file: PathBuf,
    pub source: String,
    pub html: Html,
}

impl Page {
    /// The page at site address `url` in the output folder `public`: folders (`/a/b/`) are
    /// their `index.html`.
    pub fn at(public: &Path, url: &str) -> Page {
        let relative = url.trim_start_matches('/');
        let mut file = public.join(relative);
        if relative.is_empty() || relative.ends_with('/') {
            file.push("index.html");
        }
        Page::open(url, &file)
    }

    /// Parses an HTML file.
    pub fn open(url: &str, file: &Path) -> Page {
        let source = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("no page for {url} at {}: {e}", file.display()));
        let html = Html::parse_document(&source);
        Page {
            url: url.to_string(),
            file: file.to_path_buf(),
            source,
            html,
        }
    }

    /// Every element matching the CSS `selector`.
    pub fn select(&self, selector: &str) -> Vec<ElementRef<'_>> {
        self.html.select(&css(selector)).collect()
    }

    /// Whether any element matches.
    pub fn has(&self, selector: &str) -> bool {
        !self.select(selector).is_empty()
    }

    /// The text of every matching element, whitespace collapsed.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        self.select(selector).into_iter().map(text_of).collect()
    }

    /// The text of the one element matching `selector`; panics if there is not exactly one.
    pub fn text(&self, selector: &str) -> String {
        let texts = self.texts(selector);
        assert_eq!(
            texts.len(),
            1,
            "expected one `{selector}` on {}, found {texts:?}",
            self.url
        );
        texts.into_iter().next().unwrap_or_default()
    }

    /// The `attribute` of every matching element that has it.
    pub fn attrs(&self, selector: &str, attribute: &str) -> Vec<String> {
        self.select(selector)
            .into_iter()
            .filter_map(|e| e.value().attr(attribute).map(str::to_string))
            .collect()
    }

    /// The `href` of every matching element.
    pub fn hrefs(&self, selector: &str) -> Vec<String> {
        self.attrs(selector, "href")
    }

    /// `(text, href)` of every matching link.
    pub fn links(&self, selector: &str) -> Vec<(String, String)> {
        self.select(selector)
            .into_iter()
            .filter_map(|e| e.value().attr("href").map(|h| (text_of(e), h.to_string())))
            .collect()
    }

    /// Every `href` and `src` on the page, with the tag and attribute they came from.
    pub fn references(&self) -> Vec<Reference> {
        let mut found = Vec::new();
        for element in self.select("[href], [src]") {
            for attribute in ["href", "src"] {
                if let Some(value) = element.value().attr(attribute) {
                    found.push(Reference {
                        tag: element.value().name().to_string(),
                        attribute,
                        value: value.to_string(),
                    });
                }
            }
        }
        found
    }

    /// Every link, source, form action and redirect target on the page that stays on the site.
    pub fn internal_references(&self) -> Vec<String> {
        let mut found: Vec<String> = self.references().into_iter().map(|r| r.value).collect();
        found.extend(self.attrs("form[action]", "action"));
        found.extend(self.redirect_target());
        found.retain(|link| !is_external(link));
        found
    }

    /// Where a `<meta http-equiv="refresh">` sends the browser.
    pub fn redirect_target(&self) -> Option<String> {
        let content = self
            .attrs(r#"meta[http-equiv="refresh"]"#, "content")
            .into_iter()
            .next()?;
        let (_, target) = content.split_once("url=")?;
        Some(target.trim().to_string())
    }

    /// The page's JSON-LD objects (a top-level array is flattened).
    pub fn json_ld(&self) -> Vec<serde_json::Value> {
        let mut found = Vec::new();
        for script in self.select(r#"script[type="application/ld+json"]"#) {
            let text: String = script.text().collect();
            match serde_json::from_str(&text) {
                Ok(serde_json::Value::Array(items)) => found.extend(items),
                Ok(item) => found.push(item),
                Err(e) => panic!("invalid JSON-LD on {}: {e}\n{text}", self.url),
            }
        }
        found
    }

    /// Every `id` on the page.
    pub fn ids(&self) -> Vec<String> {
        self.attrs("[id]", "id")
    }
}

/// One `href` or `src` of a page.
#[derive(Debug, Clone)]
pub struct Reference {
    pub tag: String,
    pub attribute: &'static str,
    pub value: String,
}

/// A CSS selector; panics on a typo in the test itself.
pub fn css(selector: &str) -> Selector {
    Selector::parse(selector).unwrap_or_else(|e| panic!("bad selector `{selector}`: {e}"))
}

/// An element's text with runs of whitespace collapsed to one space.
pub fn text_of(element: ElementRef<'_>) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every `.html` file under `dir`, sorted.
pub fn html_files(dir: &Path) -> Vec<PathBuf> {
    files(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect()
}

/// Every file under `dir`, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|entry| entry.unwrap_or_else(|e| panic!("cannot walk {}: {e}", dir.display())))
        .filter(|entry| entry.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect();
    found.sort();
    found
}

/// Every file under `dir` with its bytes, keyed by its path relative to `dir`: compare two of
/// these to prove that a folder did not change.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files(dir)
        .into_iter()
        .map(|file| {
            let bytes = std::fs::read(&file)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
            (file.strip_prefix(dir).unwrap_or(&file).to_path_buf(), bytes)
        })
        .collect()
}

/// The names in a folder, sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut names: Vec<String> = entries
        .map(|entry| entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Whether a link leaves the site: it has a scheme (`https:`, `mailto:`, `data:`) or starts
/// with `//`.
pub fn is_external(link: &str) -> bool {
    link.starts_with("//")
        || link.split_once(':').is_some_and(|(scheme, _)| {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        })
}

/// Checks every internal `href`, `src`, form `action` and redirect target of every HTML page
/// in `public`, for a site published at the path `base_path` (`/` or `/help/`): the file must
/// exist (a folder means its `index.html`) and a `#fragment` must be the `id` of an element of
/// the target page. Returns one line per broken reference, and how many were checked.
pub fn broken_links(public: &Path, base_path: &str) -> (Vec<String>, usize) {
    let mut ids: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in html_files(public) {
        let url = url_of(public, &file);
        let page = Page::open(&url, &file);
        for reference in page.internal_references() {
            checked += 1;
            let (path, fragment) = match reference.split_once('#') {
                Some((path, fragment)) => (path, Some(fragment)),
                None => (reference.as_str(), None),
            };
            let path = path.split('?').next().unwrap_or_default();
            let target = if path.is_empty() {
                Some(file.clone())
            } else {
                resolve(public, base_path, &url, path)
            };
            let Some(target) = target else {
                broken.push(format!("{url}: `{reference}` points to no file"));
                continue;
            };
            let Some(fragment) = fragment.filter(|f| !f.is_empty()) else {
                continue;
            };
            if target.extension().is_some_and(|e| e == "html") {
                let known = ids.entry(target.clone()).or_insert_with(|| {
                    Page::open(&url_of(public, &target), &target)
                        .ids()
                        .into_iter()
                        .collect()
                });
                if !known.contains(fragment) {
                    broken.push(format!(
                        "{url}: `{reference}` names no element id on {}",
                        url_of(public, &target)
                    ));
                }
            }
        }
    }
    (broken, checked)
}

/// The output file a link from the page at `page_url` leads to, if it exists.
fn resolve(public: &Path, base_path: &str, page_url: &str, link: &str) -> Option<PathBuf> {
    let site_path = if link.starts_with('/') {
        format!("/{}", link.strip_prefix(base_path)?)
    } else {
        let folder = &page_url[..page_url.rfind('/').map_or(0, |i| i + 1)];
        format!("{folder}{link}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in site_path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    let mut file = public.to_path_buf();
    file.extend(&parts);
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

/// The site address of an output file: `public/a/b/index.html` → `/a/b/`.
pub fn url_of(public: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(public).unwrap_or(file);
    let mut url = format!("/{}", relative.to_string_lossy().replace('\\', "/"));
    if url.ends_with("/index.html") {
        url.truncate(url.len() - "index.html".len());
    }
    url
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap_or_else(|e| panic!("cannot walk {}: {e}", from.display()));
        let relative = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let target = to.join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", target.display()));
        } else {
            copy_file(entry.path(), &target);
        }
    }
}

fn copy_file(from: &Path, to: &Path) {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
    }
    std::fs::copy(from, to)
        .unwrap_or_else(|e| panic!("cannot copy {} to {}: {e}", from.display(), to.display()));
}
