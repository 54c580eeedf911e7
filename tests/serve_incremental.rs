//! `kb serve`'s incremental rebuilds make exactly what a full build makes: a seeded random
//! sequence of edits, creations, renames and deletions (articles, folders, category pages,
//! static files, templates, kb.yaml, broken and fixed front matter) is applied to a site, and
//! after every step the incremental result is compared byte for byte with a fresh full build,
//! and its warnings with the full build's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use kb::build::{self, BuildOptions};
use kb::serve::ServeState;
use kb::serve::rebuild::Rebuilder;
use kb::serve::watch::{Changes, Watched};

/// A small deterministic generator (xorshift64*), so a failure replays exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.below(items.len())])
        }
    }
}

/// One article as the test knows it; written out as a Markdown file.
#[derive(Clone)]
struct Article {
    code: String,
    title: String,
    summary: Option<String>,
    messages: Vec<String>,
    related: Vec<String>,
    tags: Vec<String>,
    aliases: Vec<String>,
    weight: i64,
    draft: bool,
    /// The day of January 2024 it was updated on.
    updated: Option<u32>,
    paragraphs: Vec<String>,
    broken: bool,
}

impl Article {
    fn text(&self) -> String {
        let mut text = String::from("---\n");
        text += &format!("code: \"{}\"\ntitle: {}\n", self.code, self.title);
        if let Some(summary) = &self.summary {
            text += &format!("summary: {summary}\n");
        }
        if !self.messages.is_empty() {
            let quoted: Vec<String> = self.messages.iter().map(|m| format!("\"{m}\"")).collect();
            text += &format!("messages: [{}]\n", quoted.join(", "));
        }
        if !self.related.is_empty() {
            text += &format!("related: [{}]\n", self.related.join(", "));
        }
        if !self.tags.is_empty() {
            text += &format!("tags: [{}]\n", self.tags.join(", "));
        }
        if !self.aliases.is_empty() {
            text += &format!("aliases: [{}]\n", self.aliases.join(", "));
        }
        if self.weight != 0 {
            text += &format!("weight: {}\n", self.weight);
        }
        if self.draft {
            text += "draft: true\n";
        }
        if let Some(day) = self.updated {
            text += &format!("updated: 2024-01-{day:02}\n");
        }
        if self.broken {
            text += "relatd: [oops]\n";
        }
        text += "---\n## Cause\n\n";
        for paragraph in &self.paragraphs {
            text += paragraph;
            text += "\n\n";
        }
        text += "## Fix\n\nTry again.\n";
        text
    }
}

const WORDS: &[&str] = &[
    "server", "client", "proxy", "token", "cache", "header", "timeout", "gateway",
];
const TAGS: &[&str] = &["auth", "network", "proxy", "cache", "tls"];
/// Messages, some the same but for case and spaces: duplicates are warned about.
const MESSAGES: &[&str] = &[
    "Connection refused",
    "connection   REFUSED",
    "Timed out",
    "Access denied",
];

struct World {
    root: PathBuf,
    rng: Rng,
    /// Articles by path relative to the site root.
    articles: BTreeMap<PathBuf, Article>,
    next_code: u32,
    changes: Changes,
    watched: Watched,
}

impl World {
    fn new(root: &Path, seed: u64) -> World {
        let watched = Watched {
            root: root.to_path_buf(),
            output: root.join("public"),
        };
        let mut world = World {
            root: root.to_path_buf(),
            rng: Rng(seed),
            articles: BTreeMap::new(),
            next_code: 100,
            changes: Changes::default(),
            watched,
        };
        world.write("kb.yaml", "title: Test help\n");
        world.write("content/_index.md", "---\ntitle: Help\n---\nWelcome.\n");
        world.write(
            "content/http/_index.md",
            "---\ntitle: HTTP\n---\nThe web.\n",
        );
        world.write("content/smtp/_index.md", "---\ntitle: SMTP\n---\nMail.\n");
        world.write("static/extra.css", "body { color: black; }\n");
        for folder in ["content/http/4xx", "content/http/5xx", "content/smtp"] {
            for _ in 0..6 {
                world.create_article(folder);
            }
        }
        world.changes = Changes::default();
        world
    }

    fn write(&mut self, relative: &str, text: &str) {
        let path = self.root.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        self.touched(Path::new(relative));
    }

    /// Writes the file if it is not there, else deletes it.
    fn toggle(&mut self, relative: &str, text: &str) -> String {
        let path = self.root.join(relative);
        if path.exists() {
            std::fs::remove_file(&path).unwrap();
            self.touched(Path::new(relative));
            format!("delete {relative}")
        } else {
            self.write(relative, text);
            format!("write {relative}")
        }
    }

    fn touched(&mut self, relative: &Path) {
        if let Some(change) = self.watched.classify(&self.root.join(relative)) {
            self.changes.add(change);
        }
    }

    fn save(&mut self, path: &Path) {
        let text = self.articles[path].text();
        self.write(&path.to_string_lossy(), &text);
    }

    fn codes(&self) -> Vec<String> {
        self.articles.values().map(|a| a.code.clone()).collect()
    }

    fn paths(&self) -> Vec<PathBuf> {
        self.articles.keys().cloned().collect()
    }

    fn paragraph(&mut self) -> String {
        let mut words: Vec<String> = (0..6)
            .map(|_| WORDS[self.rng.below(WORDS.len())].to_string())
            .collect();
        let codes = self.codes();
        if self.rng.chance(40) {
            if let Some(code) = self.rng.pick(&codes) {
                let anchor = if self.rng.chance(30) { "#cause" } else { "" };
                words.push(format!("see [that](code:{code}{anchor})"));
            }
        }
        words.join(" ") + "."
    }

    fn create_article(&mut self, folder: &str) {
        self.next_code += 1;
        let code = self.next_code.to_string();
        let paragraphs = vec![self.paragraph()];
        let codes = self.codes();
        let related = self.rng.pick(&codes).into_iter().cloned().collect();
        let article = Article {
            title: format!("Title of {code}"),
            summary: self.rng.chance(50).then(|| format!("About {code}.")),
            messages: self
                .rng
                .chance(30)
                .then(|| MESSAGES[self.rng.below(MESSAGES.len())].to_string())
                .into_iter()
                .collect(),
            related,
            tags: vec![TAGS[self.rng.below(TAGS.len())].to_string()],
            aliases: Vec::new(),
            weight: 0,
            draft: false,
            updated: None,
            paragraphs,
            broken: false,
            code: code.clone(),
        };
        let path = PathBuf::from(format!("{folder}/{code}.md"));
        self.articles.insert(path.clone(), article);
        self.save(&path);
    }

    /// Moves a file or folder the way `mv` does, and reports both paths as a watcher would.
    fn rename(&mut self, from: &Path, to: &Path) {
        let target = self.root.join(to);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::rename(self.root.join(from), &target).unwrap();
        self.touched(from);
        self.touched(to);
        let moved: Vec<PathBuf> = self
            .articles
            .keys()
            .filter(|p| p.starts_with(from))
            .cloned()
            .collect();
        for old in moved {
            let article = self.articles.remove(&old).unwrap();
            let rest = old.strip_prefix(from).unwrap();
            let new = if rest.as_os_str().is_empty() {
                to.to_path_buf()
            } else {
                to.join(rest)
            };
            self.articles.insert(new, article);
        }
    }

    /// Applies one random change; returns what it did, for failure messages.
    fn step(&mut self) -> String {
        let paths = self.paths();
        let Some(path) = self.rng.pick(&paths).cloned() else {
            self.create_article("content/http/4xx");
            return "create into an empty site".into();
        };
        let codes = self.codes();
        let choice = self.rng.below(100);
        let article = self.articles.get_mut(&path).unwrap();
        let what = match choice {
            0..=19 => {
                let paragraph = format!("{} more.", WORDS[choice % WORDS.len()]);
                article.paragraphs.push(paragraph);
                "add a paragraph"
            }
            20..=24 => {
                article.title = format!("{} {}", article.title, WORDS[choice % WORDS.len()]);
                "retitle"
            }
            25..=28 => {
                article.summary = match article.summary {
                    Some(_) => None,
                    None => Some("A new summary.".into()),
                };
                "toggle the summary"
            }
            29..=33 => {
                let tag = TAGS[choice % TAGS.len()].to_string();
                if !article.tags.contains(&tag) {
                    article.tags.push(tag);
                } else {
                    article.tags.retain(|t| *t != tag);
                }
                "toggle a tag"
            }
            34..=39 => {
                let code = codes[choice % codes.len()].clone();
                if article.related.contains(&code) {
                    article.related.retain(|c| *c != code);
                } else if code != article.code {
                    article.related.push(code);
                }
                "toggle a related code"
            }
            40..=43 => {
                article.weight = (choice as i64 % 5) - 2;
                "reweigh"
            }
            44..=45 => {
                article.draft = !article.draft;
                "toggle draft"
            }
            46 => {
                article.aliases = vec![format!("/old/{}/", article.code)];
                "add an alias"
            }
            47 => {
                // Shadows the page of an article in that folder, if there is one.
                let code = &codes[(article.title.len() + article.paragraphs.len()) % codes.len()];
                article.aliases = vec![format!("/http/4xx/{code}.html")];
                "add an alias that may shadow a page"
            }
            48..=50 => {
                article.broken = !article.broken;
                "break or fix the front matter"
            }
            51..=52 => {
                article.code = format!("{}x", article.code);
                "change the code"
            }
            53..=54 => {
                let paragraph = self.paragraph();
                self.articles
                    .get_mut(&path)
                    .unwrap()
                    .paragraphs
                    .push(paragraph);
                "add a paragraph with a link"
            }
            55..=64 => {
                let folder =
                    ["content/http/4xx", "content/smtp", "content/http/new/deep"][choice % 3];
                self.create_article(folder);
                return format!("create an article in {folder}");
            }
            65..=70 => {
                std::fs::remove_file(self.root.join(&path)).unwrap();
                self.articles.remove(&path);
                self.touched(&path);
                return format!("delete {}", path.display());
            }
            71..=76 => {
                let name = format!("moved-{}.md", self.rng.below(1000));
                let folder =
                    ["content/http/4xx", "content/http/5xx", "content/smtp"][self.rng.below(3)];
                let to = PathBuf::from(folder).join(name);
                if self.articles.contains_key(&to) {
                    return "skip a rename onto an existing file".into();
                }
                self.rename(&path, &to);
                return format!("rename {} to {}", path.display(), to.display());
            }
            77..=79 => {
                let folders = ["content/http/5xx", "content/http/server-errors"];
                let (from, to) = if self.root.join(folders[0]).exists() {
                    (folders[0], folders[1])
                } else {
                    (folders[1], folders[0])
                };
                if !self.root.join(from).exists() || self.root.join(to).exists() {
                    return "skip a folder rename".into();
                }
                self.rename(Path::new(from), Path::new(to));
                return format!("rename folder {from} to {to}");
            }
            80..=83 => {
                let title = WORDS[self.rng.below(WORDS.len())];
                let text = format!("---\ntitle: {title} codes\n---\nAbout {title}.\n");
                self.write("content/http/4xx/_index.md", &text);
                return "write a category page".into();
            }
            84..=85 => {
                if self.root.join("content/http/4xx/_index.md").exists() {
                    std::fs::remove_file(self.root.join("content/http/4xx/_index.md")).unwrap();
                    self.touched(Path::new("content/http/4xx/_index.md"));
                }
                return "delete a category page".into();
            }
            86..=88 => {
                return match self.rng.below(3) {
                    0 => {
                        let color = WORDS[self.rng.below(WORDS.len())];
                        self.write("static/extra.css", &format!("/* {color} */\n"));
                        "edit a static file".into()
                    }
                    // A site's own robots.txt replaces the generated one.
                    1 => self.toggle("static/robots.txt", "User-agent: *\n"),
                    // A static file named like a code takes its short address.
                    _ => {
                        let code = codes[choice % codes.len()].clone();
                        self.toggle(&format!("static/{code}"), "taken\n")
                    }
                };
            }
            89..=90 => {
                let title = WORDS[self.rng.below(WORDS.len())];
                self.write("kb.yaml", &format!("title: {title} help\n"));
                return "edit kb.yaml".into();
            }
            91..=92 => {
                let n = self.rng.below(1000);
                // A page template, or one of the partials rendered once per build.
                let (name, html) = match n % 3 {
                    0 => (
                        "templates/404.html",
                        format!(
                            "{{% extends \"base.html\" %}}{{% block main %}}<h1>{n}</h1>{{% endblock main %}}"
                        ),
                    ),
                    1 => (
                        "templates/partials/header.html",
                        format!("<header>{n} {{{{ site.title }}}}</header>\n"),
                    ),
                    _ => (
                        "templates/partials/article_item.html",
                        format!("<li>{n} {{{{ item.code }}}} {{{{ item.title }}}}</li>\n"),
                    ),
                };
                self.write(name, &html);
                return format!("override {name}");
            }
            93 => {
                self.write("content/http/4xx/notes.txt", "not an article\n");
                return "write a file that is not an article".into();
            }
            94 => {
                self.write("content/http/4xx/.401.md.swp", "swap");
                return "write an editor leftover".into();
            }
            95..=96 => {
                let day = choice as u32 * 7
                    + article.paragraphs.len() as u32
                    + article.title.len() as u32;
                article.updated = Some(1 + day % 28);
                "change the date"
            }
            97 => {
                let message = MESSAGES[(article.title.len() + article.paragraphs.len()) % 4];
                if article.messages.iter().any(|m| m == message) {
                    article.messages.retain(|m| m != message);
                } else {
                    article.messages.push(message.to_string());
                }
                "toggle a message"
            }
            _ => {
                article.paragraphs.clear();
                article.paragraphs.push("Rewritten.".into());
                "rewrite the body"
            }
        };
        self.save(&path);
        format!("{what} of {}", path.display())
    }
}

/// The outputs of a build as address → bytes, or its problems.
fn snapshot(outputs: &[kb::output::Output]) -> BTreeMap<String, Vec<u8>> {
    outputs
        .iter()
        .map(|o| (o.url.to_string(), o.bytes().unwrap().into_owned()))
        .collect()
}

/// Where the server keeps an output: `/a/b/index.html` for the folder `/a/b/`.
fn served_path(url: &kb::paths::UrlPath) -> String {
    let path = url.to_string();
    if url.is_folder() {
        format!("{path}index.html")
    } else {
        path
    }
}

fn messages(error: kb::Error) -> BTreeSet<String> {
    match error {
        kb::Error::Diagnostics(diagnostics) => diagnostics.iter().map(|d| d.to_string()).collect(),
        other => BTreeSet::from([other.to_string()]),
    }
}

/// Every output of a build as address → bytes, and its warnings; or its problems.
type Built = Result<(BTreeMap<String, Vec<u8>>, Vec<String>), BTreeSet<String>>;

fn full_build(options: &BuildOptions) -> Built {
    let config = build::load_config(options).map_err(messages)?;
    let rendered = build::render_site(options, config).map_err(messages)?;
    Ok((
        snapshot(&rendered.outputs),
        warning_texts(&rendered.warnings),
    ))
}

/// Warnings as they print, in a stable order (repeats kept: a warning must not appear twice).
fn warning_texts(warnings: &[kb::diagnostic::Diagnostic]) -> Vec<String> {
    let mut texts: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
    texts.sort();
    texts
}

/// How the tests below build a world's site: from its folder, with kb.yaml's base URL.
fn options_for(root: &std::path::Path) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        ..BuildOptions::default()
    }
}

fn replay(seed: u64, steps: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut world = World::new(dir.path(), seed);
    let options = BuildOptions {
        root: dir.path().to_path_buf(),
        base_url: Some("http://127.0.0.1:1111/".into()),
        ..BuildOptions::default()
    };
    let mut rebuilder = Rebuilder::new(options.clone());
    let first = rebuilder.rebuild(&Changes::everything());
    assert!(first.is_ok(), "the first build fails: {first:?}");
    // What `kb serve` serves: each good build published over the last, comparing only the
    // outputs the rebuilder says may have changed.
    let state = ServeState::new("/");
    state.publish(rebuilder.outputs_changed(), true);
    let mut rendered_pages = 0;
    let mut history = Vec::new();
    for step in 0..steps {
        history.push(world.step());
        let changes = std::mem::take(&mut world.changes);
        let incremental = rebuilder.rebuild(&changes);
        if let Ok(rebuilt) = &incremental {
            rendered_pages += rebuilt.pages_rendered;
            state.publish(rebuilder.outputs_changed(), changes.statics || rebuilt.full);
            let served: BTreeMap<String, Vec<u8>> = state
                .snapshot()
                .0
                .iter()
                .map(|(path, file)| (format!("/{path}"), file.bytes.to_vec()))
                .collect();
            let built: BTreeMap<String, Vec<u8>> = rebuilder
                .outputs()
                .iter()
                .map(|o| (served_path(&o.url), o.bytes().unwrap().into_owned()))
                .collect();
            if served != built {
                let differing: Vec<&String> = served
                    .keys()
                    .chain(built.keys())
                    .filter(|k| served.get(*k) != built.get(*k))
                    .collect();
                panic!(
                    "seed {seed}, step {step}: the served files differ from the build after:\n  {}\ndiffering: {differing:#?}",
                    history.join("\n  ")
                );
            }
        }
        let incremental: Built = incremental
            .map(|rebuilt| {
                (
                    snapshot(rebuilder.outputs()),
                    warning_texts(&rebuilt.warnings),
                )
            })
            .map_err(messages);
        let full = full_build(&options);
        if incremental != full {
            let differing: Vec<String> = match (&incremental, &full) {
                (Ok((a, _)), Ok((b, _))) if a != b => a
                    .keys()
                    .chain(b.keys())
                    .filter(|k| a.get(*k) != b.get(*k))
                    .cloned()
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                (Ok((_, a)), Ok((_, b))) => vec![format!("warnings: {a:#?}\nfull: {b:#?}")],
                (a, b) => vec![format!("incremental: {a:?}\nfull: {b:?}")],
            };
            panic!(
                "seed {seed}, step {step}: the incremental build differs from a full build after:\n  {}\ndiffering outputs: {differing:#?}",
                history.join("\n  ")
            );
        }
    }
    // Rebuilding only what changed is the point: far fewer pages than steps × site size.
    let site_pages = world.articles.len() + 5;
    assert!(
        rendered_pages < steps * site_pages / 2,
        "{rendered_pages} pages rendered in {steps} steps of a site of about {site_pages} pages"
    );
}

#[test]
fn incremental_rebuilds_equal_full_builds_through_random_edits() {
    for seed in [1, 7, 42] {
        replay(seed, 120);
    }
}

#[test]
fn an_edit_renders_only_the_pages_that_show_the_article() {
    let dir = tempfile::tempdir().unwrap();
    let mut world = World::new(dir.path(), 3);
    let options = options_for(dir.path());
    let mut rebuilder = Rebuilder::new(options);
    rebuilder.rebuild(&Changes::everything()).unwrap();
    let path = world.paths()[0].clone();
    world
        .articles
        .get_mut(&path)
        .unwrap()
        .paragraphs
        .push("One more sentence.".into());
    world.save(&path);
    let changes = std::mem::take(&mut world.changes);
    let rebuilt = rebuilder.rebuild(&changes).unwrap();
    assert_eq!(rebuilt.pages_rendered, 1, "{rebuilt:?}");
    assert!(!rebuilt.full);
}

#[test]
fn a_title_edit_updates_every_page_and_file_that_shows_the_title() {
    let dir = tempfile::tempdir().unwrap();
    let mut world = World::new(dir.path(), 5);
    let options = options_for(dir.path());
    let paths = world.paths();
    let (edited, other) = (paths[0].clone(), paths[1].clone());
    let code = world.articles[&edited].code.clone();
    // The other article lists the edited one in `related`, one way: its warning names the
    // edited article's title.
    let article = world.articles.get_mut(&edited).unwrap();
    article.related.clear();
    article.tags = vec!["tls".into()];
    article.aliases = vec![format!("/old/{code}/")];
    article.updated = Some(9);
    world.save(&edited);
    // Its alias shadows the edited article's page (`/http/4xx/101/`), whose title the warning
    // names.
    let page = edited.with_extension("html");
    let shadowing = format!("/{}", page.strip_prefix("content").unwrap().display());
    let article = world.articles.get_mut(&other).unwrap();
    article.related = vec![code.clone()];
    article.tags = vec!["auth".into()];
    article.aliases = vec![shadowing];
    world.save(&other);
    let mut rebuilder = Rebuilder::new(options.clone());
    rebuilder.rebuild(&Changes::everything()).unwrap();

    let title = "A brand new title";
    world.articles.get_mut(&edited).unwrap().title = title.into();
    world.save(&edited);
    let changes = std::mem::take(&mut world.changes);
    let rebuilt = rebuilder.rebuild(&changes).unwrap();
    assert!(!rebuilt.full);
    assert!(rebuilt.pages_rendered < world.articles.len(), "{rebuilt:?}");

    let changed: BTreeMap<String, (bool, String)> = rebuilder
        .outputs_changed()
        .map(|(o, changed)| {
            let text = String::from_utf8_lossy(&o.bytes().unwrap()).into_owned();
            (o.url.to_string(), (changed, text))
        })
        .collect();
    let alias = format!("/old/{code}/");
    for url in [
        "/codes/",
        "/tags/tls/",
        &alias,
        "/catalog.json",
        "/feed.xml",
    ] {
        let (was_changed, text) = &changed[url];
        assert!(*was_changed, "{url} is not marked as changed");
        assert!(text.contains(title), "{url} does not show the new title");
    }
    // What does not show the article is kept as it was.
    let (auth_changed, auth) = &changed["/tags/auth/"];
    assert!(
        !auth.contains(title) && !*auth_changed,
        "/tags/auth/ was made again"
    );
    for kind in ["is one-way", "shadows the page"] {
        let warning = rebuilt
            .warnings
            .iter()
            .map(|w| w.to_string())
            .find(|w| w.contains(kind))
            .unwrap_or_else(|| panic!("no warning that {kind}: {:#?}", rebuilt.warnings));
        assert!(warning.contains(title), "{warning}");
    }

    let incremental = (
        snapshot(rebuilder.outputs()),
        warning_texts(&rebuilt.warnings),
    );
    assert!(
        Ok(incremental) == full_build(&options),
        "differs from a full build"
    );
}

#[test]
fn a_date_or_alias_edit_updates_the_sitemap_feed_and_redirect_rules() {
    let dir = tempfile::tempdir().unwrap();
    let mut world = World::new(dir.path(), 11);
    let options = options_for(dir.path());
    let path = world.paths()[2].clone();
    let mut rebuilder = Rebuilder::new(options.clone());
    rebuilder.rebuild(&Changes::everything()).unwrap();
    // A title edit first, so that the next edits start from what a title edit keeps.
    world.articles.get_mut(&path).unwrap().title = "Retitled".into();
    world.save(&path);
    for step in ["title", "date", "alias", "date again"] {
        let article = world.articles.get_mut(&path).unwrap();
        match step {
            "title" => article.title = "Retitled once more".into(),
            "date" => article.updated = Some(12),
            "alias" => article.aliases = vec![format!("/old/{}/", article.code)],
            _ => article.updated = Some(3),
        }
        world.save(&path);
        let changes = std::mem::take(&mut world.changes);
        let rebuilt = rebuilder.rebuild(&changes).unwrap();
        assert!(!rebuilt.full, "{step}");
        let incremental = (
            snapshot(rebuilder.outputs()),
            warning_texts(&rebuilt.warnings),
        );
        let full = full_build(&options).unwrap();
        let differing: Vec<&String> = full
            .0
            .keys()
            .chain(incremental.0.keys())
            .filter(|k| full.0.get(*k) != incremental.0.get(*k))
            .collect();
        assert!(differing.is_empty(), "after the {step} edit: {differing:?}");
        assert_eq!(incremental.1, full.1, "after the {step} edit");
    }
}
