//! Loading the content tree: walk `content/`, read every Markdown file, split and parse its
//! front matter. Nothing here knows about other files; linking comes next (see `site`).

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Location};
use crate::frontmatter::{self, ArticleMeta, CategoryMeta};
use crate::paths::SourcePath;
use crate::yaml::YamlBlock;

pub const CONTENT_DIR: &str = "content";
const INDEX_FILE: &str = "_index.md";
/// Larger files are refused: an error article is never this long, and a huge file is far more
/// likely a mistake (a log pasted in) than content.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A Markdown source, read and checked to be UTF-8, without its BOM.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: SourcePath,
    /// The whole file, or only its front matter and the first line of its body once the body
    /// is released ([`Source::release_body`]).
    pub text: String,
    pub body_offset: usize,
    released: bool,
}

impl Source {
    /// The body, or its first line once released.
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }

    /// Drops the body from memory but for its first line, which warnings about the body point
    /// at; [`Source::whole_in`] reads it again. `kb build` keeps every article's front matter for
    /// the whole build but each body only while its page is made, so that a site of 100,000
    /// articles does not hold all its Markdown at once.
    pub fn release_body(&mut self) {
        if let Some(first_line_end) = self.releasable_up_to() {
            self.text.truncate(first_line_end);
            self.text.shrink_to_fit();
            self.released = true;
        }
    }

    /// The whole source, taken out of this one, which is left as [`Source::release_body`] leaves
    /// it; `None` when there is nothing to release. `kb build` takes the bodies it kept from
    /// loading to rendering, so that each leaves memory as soon as its page is made and its space
    /// serves what the build makes next.
    pub fn take_whole(&mut self) -> Option<Source> {
        let first_line_end = self.releasable_up_to()?;
        let kept = self.text[..first_line_end].to_string();
        let text = std::mem::replace(&mut self.text, kept);
        self.released = true;
        Some(Source {
            path: self.path.clone(),
            text,
            body_offset: self.body_offset,
            released: false,
        })
    }

    /// Where the first line of the body ends, when the body is still whole and longer than it.
    fn releasable_up_to(&self) -> Option<usize> {
        if self.released {
            return None;
        }
        let first_line_end = self.text[self.body_offset..]
            .find('\n')
            .map_or(self.text.len(), |i| self.body_offset + i + 1);
        (first_line_end < self.text.len()).then_some(first_line_end)
    }

    /// The source with its whole text: itself, or read again from under `root` when its body
    /// was released, opened relative to a handle on its folder from `folders` (a build that
    /// reads every body again opens tens of thousands of them). The file must still begin with
    /// what was read the first time.
    pub fn whole_in(
        &self,
        root: &Path,
        folders: &SourceFolders,
    ) -> Result<std::borrow::Cow<'_, Source>, Box<Diagnostic>> {
        if !self.released {
            return Ok(std::borrow::Cow::Borrowed(self));
        }
        let path = root.join(self.path.as_path());
        let opened = folders.open(&path);
        let text = read_opened(opened, &path, &self.path)?;
        if !text.starts_with(&self.text) {
            return Err(Box::new(
                Diagnostic::error("this file changed while the site was being built")
                    .in_file(&self.path)
                    .with_help("build again once the file is saved"),
            ));
        }
        Ok(std::borrow::Cow::Owned(Source {
            path: self.path.clone(),
            text,
            body_offset: self.body_offset,
            released: false,
        }))
    }
}

#[derive(Debug, Clone)]
pub struct LoadedArticle {
    /// Folder names from `content/` down to the article's folder.
    pub folder: Vec<String>,
    pub meta: ArticleMeta,
    pub source: Source,
}

#[derive(Debug, Clone)]
pub struct LoadedCategory {
    /// Folder names from `content/` down to this folder; empty for the home page.
    pub folder: Vec<String>,
    pub meta: CategoryMeta,
    /// The `_index.md`, when the folder has one.
    pub source: Option<Source>,
}

#[derive(Debug, Default)]
pub struct LoadedContent {
    /// Boxed as they were loaded, on every core: listed, they are not moved again on one.
    pub articles: Vec<Box<LoadedArticle>>,
    /// Every folder of the tree, the content root first.
    pub categories: Vec<LoadedCategory>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Options that change what is loaded.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    pub include_drafts: bool,
}

/// One folder or Markdown file of the content tree, loaded on its own. `kb serve` keeps these
/// between builds, reloads only the files that changed and puts the tree together again with
/// [`assemble`], exactly as [`load`] does.
#[derive(Debug, Clone)]
pub enum LoadedEntry {
    /// A folder, by its folder names below `content/`.
    Folder(Vec<String>),
    Article(Box<LoadedArticle>),
    Index(LoadedCategory),
    Failed(Vec<Diagnostic>),
}

enum Walked {
    Folder,
    Markdown(MarkdownFile),
    Failed(Diagnostic),
}

struct MarkdownFile {
    folder: Vec<String>,
    path: PathBuf,
    source: SourcePath,
    is_index: bool,
}

/// The problem of a site without a `content/` folder.
pub fn no_content_folder(root: &Path) -> Diagnostic {
    Diagnostic::error(format!(
        "there is no `{CONTENT_DIR}` folder in {}",
        root.display()
    ))
    .with_help(
        "create it, or run `kb init` to start a new site, or pass `--root` to point at a site",
    )
}

/// Loads every category and article under `root/content`.
pub fn load(root: &Path, options: LoadOptions) -> LoadedContent {
    load_all(root, options, None)
}

/// At most this many bytes of article text are kept in memory from loading to rendering by
/// `kb build` ([`load_keeping`]): about 25,000 articles of a few kilobytes each.
pub const KEPT_BODIES_BYTES: usize = 128 * 1024 * 1024;

/// [`load`] for `kb build`: articles are kept whole, to be rendered from memory, until their
/// text adds up to more than `kept_bytes`; the bodies of those read after that are released as
/// soon as their front matter is parsed ([`Source::release_body`]) and read again as their pages
/// are rendered ([`Source::whole_in`]), so that a big site's Markdown is never in memory whole.
/// Each kept body is read once rather than twice (four system calls fewer), and leaves memory
/// once its page is made ([`Source::take_whole`]).
pub fn load_keeping(root: &Path, options: LoadOptions, kept_bytes: usize) -> LoadedContent {
    load_all(root, options, Some(kept_bytes))
}

fn load_all(root: &Path, options: LoadOptions, kept_bytes: Option<usize>) -> LoadedContent {
    if !root.join(CONTENT_DIR).is_dir() {
        let mut loaded = LoadedContent::default();
        loaded.diagnostics.push(no_content_folder(root));
        return loaded;
    }
    // Each entry's names are dropped where it is loaded, and the entries are assembled straight
    // from their runs: one list of them all would be made, grown and moved on one core while
    // the other waits.
    let runs = walk_and_parse(root, Path::new(""), kept_bytes, |_, entry| entry);
    let entries = runs.iter().map(Vec::len).sum();
    assemble_with_room(runs.into_iter().flatten(), options, entries)
}

/// Walks `content/<below>` (a folder, or a single file) and loads every folder and Markdown file
/// in it, in walk order, each keyed by its path below `content/` as names. Walk order is the
/// order of those keys, so entries of several walks can be merged by key.
pub fn load_entries(root: &Path, below: &Path) -> Vec<(Vec<String>, LoadedEntry)> {
    let runs = walk_and_parse(root, below, None, |names, entry| (names, entry));
    runs.into_iter().flatten().collect()
}

/// With `kept_bytes`, articles' bodies are kept while their text adds up to no more than that;
/// those read once it adds up to more are released. Each entry is handed to `keep` with its
/// names, in runs in walk order ([`walk_loading`]).
fn walk_and_parse<T: Send>(
    root: &Path,
    below: &Path,
    kept_bytes: Option<usize>,
    keep: impl Fn(Vec<String>, LoadedEntry) -> T + Sync,
) -> Vec<Vec<T>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let content_dir = root.join(CONTENT_DIR);
    let read = AtomicUsize::new(0);
    let folders = SourceFolders::default();
    let start = content_dir.join(below);
    walk_loading(root, &content_dir, &start, |names, item| {
        let entry = match item {
            Walked::Folder => LoadedEntry::Folder(names.clone()),
            Walked::Failed(problem) => LoadedEntry::Failed(vec![problem]),
            Walked::Markdown(file) => match parse_file(file, &folders) {
                Parsed::Article(mut article) => {
                    if let Some(kept_bytes) = kept_bytes {
                        let length = article.source.text.len();
                        // The total only grows: once past the budget, it stays past. Which
                        // articles are kept depends on the order they are read in.
                        let total = read.fetch_add(length, Ordering::Relaxed) + length;
                        if total > kept_bytes {
                            article.source.release_body();
                        }
                    }
                    LoadedEntry::Article(article)
                }
                Parsed::Index(category) => LoadedEntry::Index(category),
                Parsed::Failed(problems) => LoadedEntry::Failed(problems),
            },
        };
        keep(names, entry)
    })
}

/// How many entries of the walk are loaded in one task of [`walk_loading`]: enough that a task
/// is worth handing to another core, few enough that the other cores start soon.
const ENTRIES_PER_TASK: usize = 64;

/// What `load` makes of every entry of the [`walk`] from `start`, in runs in walk order. The entries
/// are loaded on the other cores while the walk goes on, a run of them as soon as it is found:
/// the walk is a thread's work alone (a tenth of loading), which the other cores would
/// otherwise wait for.
fn walk_loading<T: Send>(
    root: &Path,
    content_dir: &Path,
    start: &Path,
    load: impl Fn(Vec<String>, Walked) -> T + Sync,
) -> Vec<Vec<T>> {
    let load = &load;
    let loaded = std::sync::Mutex::new(Vec::new());
    rayon::scope(|scope| {
        let loaded = &loaded;
        let mut run = Vec::with_capacity(ENTRIES_PER_TASK);
        let mut number = 0;
        let hand = |run: Vec<(Vec<String>, Walked)>, number: usize| {
            scope.spawn(move |_| {
                let done: Vec<T> = (run.into_iter())
                    .map(|(names, item)| load(names, item))
                    .collect();
                let mut loaded = loaded.lock().unwrap_or_else(|e| e.into_inner());
                loaded.push((number, done));
            });
        };
        walk(root, content_dir, start, |names, item| {
            run.push((names, item));
            if run.len() == ENTRIES_PER_TASK {
                let full = std::mem::replace(&mut run, Vec::with_capacity(ENTRIES_PER_TASK));
                hand(full, number);
                number += 1;
            }
        });
        if !run.is_empty() {
            hand(run, number);
        }
    });
    let mut runs = loaded.into_inner().unwrap_or_else(|e| e.into_inner());
    runs.sort_unstable_by_key(|(number, _)| *number);
    runs.into_iter().map(|(_, done)| done).collect()
}

/// Puts loaded entries, in walk order, together into the content of a site.
pub fn assemble(
    entries: impl IntoIterator<Item = LoadedEntry>,
    options: LoadOptions,
) -> LoadedContent {
    let entries = entries.into_iter();
    let room = entries.size_hint().0;
    assemble_with_room(entries, options, room)
}

/// [`assemble`] with room made for `room` articles at once: a big site's list of articles,
/// grown one doubling at a time, was copied again and again.
fn assemble_with_room(
    entries: impl Iterator<Item = LoadedEntry>,
    options: LoadOptions,
    room: usize,
) -> LoadedContent {
    let mut loaded = LoadedContent::default();
    loaded.articles.reserve(room);
    let mut folders = Vec::new();
    let mut indexes = std::collections::HashMap::new();
    for entry in entries {
        match entry {
            LoadedEntry::Folder(folder) => folders.push(folder),
            LoadedEntry::Article(article) if article.meta.draft && !options.include_drafts => {}
            LoadedEntry::Article(article) => loaded.articles.push(article),
            LoadedEntry::Index(category) => {
                indexes.insert(category.folder.clone(), category);
            }
            LoadedEntry::Failed(mut problems) => loaded.diagnostics.append(&mut problems),
        }
    }
    loaded.categories = folders
        .into_iter()
        .map(|folder| {
            indexes.remove(&folder).unwrap_or(LoadedCategory {
                folder,
                meta: CategoryMeta::default(),
                source: None,
            })
        })
        .collect();
    loaded
}

/// Hands every folder and Markdown file from `start` down to `found` in a stable order, with
/// its names below `content_dir`. Hidden files and editor leftovers are skipped; unreadable
/// entries and symlink loops become diagnostics in their place.
fn walk(root: &Path, content_dir: &Path, start: &Path, mut found: impl FnMut(Vec<String>, Walked)) {
    let walker = walkdir::WalkDir::new(start)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(&e.file_name().to_string_lossy()));
    let names_of = |path: &Path| -> Vec<String> {
        let relative = path.strip_prefix(content_dir).unwrap_or(path);
        relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect()
    };
    for item in walker {
        let entry = match item {
            Ok(entry) => entry,
            Err(e) => {
                let names = e.path().map(names_of).unwrap_or_default();
                found(names, Walked::Failed(walk_error(root, &e)));
                continue;
            }
        };
        let names = names_of(entry.path());
        let relative = entry
            .path()
            .strip_prefix(content_dir)
            .unwrap_or(entry.path());
        let source = SourcePath::new(Path::new(CONTENT_DIR).join(relative));
        if entry.file_type().is_dir() {
            found(names, Walked::Folder);
        } else if entry.path().extension().is_some_and(|e| e == "md") {
            let is_index = entry.file_name() == INDEX_FILE;
            let mut folder = names.clone();
            folder.pop();
            let path = entry.into_path();
            let file = MarkdownFile {
                folder,
                path,
                source,
                is_index,
            };
            found(names, Walked::Markdown(file));
        }
    }
}

/// Files that editors and tools leave beside real content.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".bck")
        || name.ends_with(".tmp")
        || name == "4913"
}

fn walk_error(root: &Path, error: &walkdir::Error) -> Diagnostic {
    let path = error
        .path()
        .map(|p| SourcePath::new(p.strip_prefix(root).unwrap_or(p)));
    let diagnostic = if let Some(ancestor) = error.loop_ancestor() {
        Diagnostic::error(format!(
            "symbolic link loop: this folder links back to {}",
            ancestor.strip_prefix(root).unwrap_or(ancestor).display()
        ))
        .with_help("remove the link or point it somewhere outside its own parents")
    } else if let Some(target) = error.path().and_then(broken_link_target) {
        Diagnostic::error(format!(
            "symbolic link to `{}`, which does not exist",
            target.display()
        ))
        .with_help("point the link at an existing file, or remove it")
    } else {
        let why = error
            .io_error()
            .map_or_else(|| error.to_string(), ToString::to_string);
        Diagnostic::error(format!("cannot read this entry: {why}"))
            .with_help("check that the file exists and that kb may read it")
    };
    match path {
        Some(path) => diagnostic.in_file(&path),
        None => diagnostic,
    }
}

/// Where `path` links to, if it is a symbolic link whose target does not exist.
fn broken_link_target(path: &Path) -> Option<PathBuf> {
    let target = std::fs::read_link(path).ok()?;
    (!path.exists()).then_some(target)
}

enum Parsed {
    Article(Box<LoadedArticle>),
    Index(LoadedCategory),
    Failed(Vec<Diagnostic>),
}

fn parse_file(file: MarkdownFile, folders: &SourceFolders) -> Parsed {
    let MarkdownFile {
        folder,
        path,
        source,
        is_index,
    } = file;
    let text = match read_opened(folders.open(&path), &path, &source) {
        Ok(text) => text,
        Err(problem) => return Parsed::Failed(vec![*problem]),
    };
    if is_index {
        parse_index(folder, source, text)
    } else {
        parse_article(folder, source, text)
    }
}

/// [`read_opened`] of the file at `path`, opened by its whole path.
#[cfg(test)]
fn read_source(path: &Path, source: &SourcePath) -> Result<String, Box<Diagnostic>> {
    read_opened(open_source(path), path, source)
}

/// Reads the source file at `path` once opened (or not), refusing anything but a regular file
/// (a FIFO or `/dev/zero` behind a symlink would hang or fill memory), huge files and bytes
/// that are not UTF-8; drops a BOM.
fn read_opened(
    opened: std::io::Result<std::fs::File>,
    path: &Path,
    source: &SourcePath,
) -> Result<String, Box<Diagnostic>> {
    let fail = |message: String, help: &str| {
        Box::new(Diagnostic::error(message).in_file(source).with_help(help))
    };
    let unreadable = |e: std::io::Error| {
        fail(
            format!("cannot read this file: {e}"),
            "check that the file exists and that kb may read it",
        )
    };
    let not_regular = || {
        fail(
            "this is not a regular file".into(),
            "kb reads only regular files; remove it, or rename it so that it does not end in `.md`",
        )
    };
    let file = opened.map_err(|e| {
        // A socket cannot be opened at all: say what it is rather than why opening failed.
        match std::fs::metadata(path) {
            Ok(metadata) if !metadata.is_file() => not_regular(),
            _ => unreadable(e),
        }
    })?;
    let metadata = file.metadata().map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(not_regular());
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(too_large(source, metadata.len()));
    }
    // The size the file has now is read, in one system call rather than two (a second to find
    // the end): a file that grows meanwhile is read as it was when it was opened. A file that
    // says it is empty may not be (some special files do), so it is read to its end.
    let length = metadata.len();
    let limit = if length == 0 {
        MAX_FILE_BYTES + 1
    } else {
        length
    };
    let mut bytes = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
    file.take(limit)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    decode(bytes, source)
}

/// Opens a source for reading without waiting for a writer: opening a FIFO would otherwise
/// block until something writes to it. Its type is then read from the open file, which looks
/// the path up once rather than twice (a big site is tens of thousands of reads).
#[cfg(unix)]
fn open_source(path: &Path) -> std::io::Result<std::fs::File> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let fd = rustix::fs::open(path, flags, Mode::empty())?;
    Ok(std::fs::File::from(fd))
}

#[cfg(not(unix))]
fn open_source(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// Open handles on the folders sources are read from. On Unix, a source is opened relative to
/// a handle on its folder, as [`open_source`] would open it by its whole path: a big site is
/// tens of thousands of files, and the kernel's walk along each one's path from `/` was most
/// of the time opening them took.
#[derive(Default)]
pub struct SourceFolders {
    #[cfg(unix)]
    handles: crate::folder_handles::FolderHandles<PathBuf>,
}

impl SourceFolders {
    /// Opens the source at `path` relative to a handle on its folder; by its whole path when
    /// the folder cannot be opened (opening the file then says why) or too many are open.
    #[cfg(unix)]
    fn open(&self, path: &Path) -> std::io::Result<std::fs::File> {
        use rustix::fs::{Mode, OFlags};
        let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
            return open_source(path);
        };
        let opened = self
            .handles
            .get_or_open(folder, || crate::folder_handles::open_folder(folder));
        let Ok(Some(handle)) = opened else {
            return open_source(path);
        };
        let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(&*handle, name, flags, Mode::empty())?;
        Ok(std::fs::File::from(fd))
    }

    #[cfg(not(unix))]
    fn open(&self, path: &Path) -> std::io::Result<std::fs::File> {
        open_source(path)
    }
}

fn too_large(source: &SourcePath, size: u64) -> Box<Diagnostic> {
    const MIB: u64 = 1024 * 1024;
    Box::new(
        Diagnostic::error(format!(
            "the file is {:.1} MB; kb reads at most {} MB per file",
            size as f64 / MIB as f64,
            MAX_FILE_BYTES / MIB
        ))
        .in_file(source)
        .with_help("split it into several articles, or move large data out of the content folder"),
    )
}

/// Checks that `bytes` are text kb can read: at most [`MAX_FILE_BYTES`], UTF-8. Drops a BOM.
pub fn decode(bytes: Vec<u8>, source: &SourcePath) -> Result<String, Box<Diagnostic>> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(source, bytes.len() as u64));
    }
    let mut text = String::from_utf8(bytes).map_err(|e| {
        // The valid prefix is unchanged by a lossy decoding, so `valid` points at the U+FFFD
        // that replaced the first bad byte, on its whole line.
        let valid = e.utf8_error().valid_up_to();
        let byte = e.as_bytes().get(valid).copied().unwrap_or(0);
        let lossy = String::from_utf8_lossy(e.as_bytes());
        Box::new(
            Diagnostic::error(format!("the file is not valid UTF-8 (byte 0x{byte:02X})"))
                .in_file(source)
                .at(Location::at(&lossy, valid, 1))
                .with_help("save the file as UTF-8 in your editor"),
        )
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(text)
}

/// Parses one article from its bytes exactly as a build would (size, UTF-8, BOM, front matter),
/// without touching the disk or the rest of the site. `kb new` checks what it writes with it,
/// and the fuzz target drives it.
pub fn parse_article_bytes(
    path: &SourcePath,
    bytes: Vec<u8>,
) -> Result<LoadedArticle, Vec<Diagnostic>> {
    let text = decode(bytes, path).map_err(|problem| vec![*problem])?;
    match parse_article(Vec::new(), path.clone(), text) {
        Parsed::Article(article) => Ok(*article),
        Parsed::Failed(problems) => Err(problems),
        Parsed::Index(_) => Err(Vec::new()),
    }
}

fn parse_article(folder: Vec<String>, path: SourcePath, text: String) -> Parsed {
    if text.trim().is_empty() {
        return Parsed::Failed(vec![Diagnostic::error("the article is empty")
            .in_file(&path)
            .with_help("start it with front matter: a `---` line, `code: …`, `title: …`, and a closing `---`")]);
    }
    let split = match frontmatter::split(&path, &text) {
        Ok(split) => split,
        Err(problem) => return Parsed::Failed(vec![problem]),
    };
    let Some((offset, yaml)) = split.front_matter else {
        return Parsed::Failed(vec![Diagnostic::error("the article has no front matter")
            .in_file(&path)
            .at(Location::at(&text, 0, 1))
            .with_help("start the file with a `---` line, `code: …` and `title: …`, then a closing `---`")]);
    };
    let body_offset = split.body_offset;
    let block = YamlBlock {
        file: &path,
        file_text: &text,
        offset,
        yaml,
    };
    match frontmatter::parse_article(&block) {
        Ok(meta) => Parsed::Article(Box::new(LoadedArticle {
            folder,
            meta,
            source: Source {
                path,
                text,
                body_offset,
                released: false,
            },
        })),
        Err(problems) => Parsed::Failed(problems),
    }
}

fn parse_index(folder: Vec<String>, path: SourcePath, text: String) -> Parsed {
    let split = match frontmatter::split(&path, &text) {
        Ok(split) => split,
        Err(problem) => return Parsed::Failed(vec![problem]),
    };
    let body_offset = split.body_offset;
    let meta = match split.front_matter {
        None => Ok(CategoryMeta::default()),
        Some((offset, yaml)) => frontmatter::parse_category(&YamlBlock {
            file: &path,
            file_text: &text,
            offset,
            yaml,
        }),
    };
    match meta {
        Ok(meta) => Parsed::Index(LoadedCategory {
            folder,
            meta,
            source: Some(Source {
                path,
                text,
                body_offset,
                released: false,
            }),
        }),
        Err(problems) => Parsed::Failed(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_leftovers_are_ignored() {
        for name in [
            ".401.md.swp",
            "401.md~",
            "4913",
            ".#401.md",
            "#401.md#",
            ".git",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        assert!(!is_ignored("401.md"));
    }

    fn article_on_disk(root: &Path, text: &str) -> Source {
        let path = SourcePath::new("content/401.md");
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::write(root.join(path.as_path()), text).unwrap();
        match parse_article(Vec::new(), path, text.to_string()) {
            Parsed::Article(article) => article.source,
            _ => panic!("the test article does not parse"),
        }
    }

    const ARTICLE: &str =
        "---\ncode: \"401\"\ntitle: Unauthorized\n---\nFirst line.\n\nThe rest.\n";

    #[test]
    fn a_released_body_keeps_its_first_line_and_is_read_again_whole() {
        let root = tempfile::tempdir().unwrap();
        let mut source = article_on_disk(root.path(), ARTICLE);
        source.release_body();
        assert_eq!(source.body(), "First line.\n");
        let whole = source
            .whole_in(root.path(), &SourceFolders::default())
            .unwrap();
        assert_eq!(whole.text, ARTICLE);
        assert_eq!(whole.body(), "First line.\n\nThe rest.\n");
    }

    /// Entries loaded a run at a time on other cores come back in walk order, over several runs.
    #[test]
    fn entries_loaded_in_runs_come_back_in_walk_order() {
        let root = tempfile::tempdir().unwrap();
        let content = root.path().join(CONTENT_DIR);
        for folder in ["a", "b/c", "d"] {
            std::fs::create_dir_all(content.join(folder)).unwrap();
            for n in 0..70 {
                std::fs::write(content.join(folder).join(format!("{n:03}.md")), "x").unwrap();
            }
        }
        let mut walked = Vec::new();
        walk(root.path(), &content, &content, |names, _| {
            walked.push(names)
        });
        assert!(
            walked.len() > 3 * ENTRIES_PER_TASK,
            "{} entries",
            walked.len()
        );
        let runs = walk_loading(root.path(), &content, &content, |names, _| names);
        assert!(runs.len() > 3, "{} runs", runs.len());
        let loaded: Vec<Vec<String>> = runs.into_iter().flatten().collect();
        assert_eq!(loaded, walked);
    }

    #[test]
    fn a_whole_source_taken_leaves_a_released_one_behind() {
        let root = tempfile::tempdir().unwrap();
        let mut source = article_on_disk(root.path(), ARTICLE);
        let whole = source.take_whole().unwrap();
        assert_eq!(whole.text, ARTICLE);
        assert_eq!(whole.body(), "First line.\n\nThe rest.\n");
        assert_eq!(source.body(), "First line.\n");
        assert!(source.take_whole().is_none(), "taken twice");
        let again = source
            .whole_in(root.path(), &SourceFolders::default())
            .unwrap();
        assert_eq!(again.text, ARTICLE);
        // A body of one line has nothing to release: the source stays whole.
        let mut one_line = article_on_disk(root.path(), &ARTICLE.replace("\n\nThe rest.", ""));
        assert!(one_line.take_whole().is_none());
        assert_eq!(one_line.body(), "First line.\n");
    }

    #[test]
    fn a_body_read_again_after_its_front_matter_changed_is_an_error() {
        let root = tempfile::tempdir().unwrap();
        let mut source = article_on_disk(root.path(), ARTICLE);
        source.release_body();
        std::fs::write(
            root.path().join("content/401.md"),
            ARTICLE.replace("Unauthorized", "Forbidden"),
        )
        .unwrap();
        let problem = source
            .whole_in(root.path(), &SourceFolders::default())
            .unwrap_err();
        assert_eq!(
            problem.message,
            "this file changed while the site was being built"
        );
        assert_eq!(problem.file, Some(SourcePath::new("content/401.md")));
    }

    fn fixture_root(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
    }

    /// Whether each article's body is released, with its text's length.
    fn released(loaded: &LoadedContent) -> Vec<(bool, usize)> {
        let whole = load(&fixture_root("basic"), LoadOptions::default());
        assert_eq!(whole.articles.len(), loaded.articles.len());
        whole
            .articles
            .iter()
            .zip(&loaded.articles)
            .map(|(whole, article)| {
                let source = &article.source;
                assert_eq!(source.released, source.text != whole.source.text);
                (source.released, whole.source.text.len())
            })
            .collect()
    }

    #[test]
    fn a_build_keeps_every_body_when_the_articles_fit_in_the_budget() {
        let root = fixture_root("basic");
        let sizes = released(&load(&root, LoadOptions::default()));
        let total: usize = sizes.iter().map(|(_, length)| length).sum();
        assert!(sizes.len() >= 2, "the fixture has too few articles");
        let kept = load_keeping(&root, LoadOptions::default(), total);
        let kept = released(&kept);
        assert!(kept.iter().all(|(released, _)| !released), "{kept:?}");
        for article in &load_keeping(&root, LoadOptions::default(), KEPT_BODIES_BYTES).articles {
            assert!(!article.source.released);
            let whole = article
                .source
                .whole_in(Path::new("/nowhere"), &SourceFolders::default())
                .unwrap();
            assert!(matches!(whole, std::borrow::Cow::Borrowed(_)));
        }
    }

    /// Over the budget: the bodies kept add up to no more than the budget, at least one is
    /// released, and each released one is read again whole.
    #[test]
    fn a_build_releases_the_bodies_over_the_budget() {
        let root = fixture_root("basic");
        let sizes = released(&load(&root, LoadOptions::default()));
        let total: usize = sizes.iter().map(|(_, length)| length).sum();
        let smallest = sizes.iter().map(|(_, length)| *length).min().unwrap();
        for budget in [0, smallest - 1, smallest, total / 2, total - 1] {
            let loaded = load_keeping(&root, LoadOptions::default(), budget);
            let released = released(&loaded);
            let kept: usize = (released.iter())
                .filter(|(released, _)| !released)
                .map(|(_, length)| length)
                .sum();
            assert!(kept <= budget, "{budget}: {released:?}");
            assert!(released.iter().any(|(released, _)| *released), "{budget}");
            if budget < smallest {
                assert!(released.iter().all(|(released, _)| *released), "{budget}");
            }
            for article in loaded.articles.iter().filter(|a| a.source.released) {
                let whole = article
                    .source
                    .whole_in(&root, &SourceFolders::default())
                    .unwrap();
                assert!(whole.text.len() > article.source.text.len());
                assert!(whole.text.starts_with(&article.source.text));
            }
        }
    }

    #[test]
    fn a_source_is_read_whole_in_any_size() {
        let root = tempfile::tempdir().unwrap();
        let path = SourcePath::new("content/401.md");
        std::fs::create_dir_all(root.path().join("content")).unwrap();
        for length in [0, 1, 31, 32, 33, 4095, 4096, 4097, 100_000] {
            let text: String = "ab\n".chars().cycle().take(length).collect();
            std::fs::write(root.path().join(path.as_path()), &text).unwrap();
            let read = read_source(&root.path().join(path.as_path()), &path).unwrap();
            assert_eq!(read, text, "{length}");
        }
    }

    /// Articles in more folders than handles are kept open for, in a linked folder and behind a
    /// linked file: every one is read whole, from its own file, when loaded and when read again.
    #[cfg(unix)]
    #[test]
    fn sources_in_many_and_linked_folders_are_each_read_from_their_own_file() {
        const MOST_HANDLES: usize = 16;
        let root = tempfile::tempdir().unwrap();
        let content = root.path().join(CONTENT_DIR);
        let article = |code: &str| {
            format!("---\ncode: \"{code}\"\ntitle: T{code}\n---\nBody of {code}.\n\nMore.\n")
        };
        let mut expected = Vec::new();
        for folder in 0..MOST_HANDLES + 20 {
            let dir = content.join(format!("f{folder:03}"));
            std::fs::create_dir_all(&dir).unwrap();
            for file in 0..2 {
                let code = format!("{folder}{file}");
                std::fs::write(dir.join(format!("{code}.md")), article(&code)).unwrap();
                expected.push(code);
            }
        }
        let elsewhere = root.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("linked.md"), article("L1")).unwrap();
        std::fs::write(elsewhere.join("target.md"), article("L2")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, content.join("zlinked")).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("target.md"), content.join("zfile.md")).unwrap();
        expected.extend(["L1".to_string(), "L2".to_string(), "L2".to_string()]);
        // Released bodies are read again through a cache that has room for few folders.
        let loaded = load_keeping(root.path(), LoadOptions::default(), 0);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let few_handles = SourceFolders {
            handles: crate::folder_handles::FolderHandles::with_most(MOST_HANDLES),
        };
        let mut read: Vec<String> = loaded
            .articles
            .iter()
            .map(|a| {
                let code = a.meta.code.as_str().to_string();
                assert!(a.source.released, "{}", a.source.path);
                let whole = a.source.whole_in(root.path(), &few_handles).unwrap();
                assert_eq!(whole.text, article(&code), "{}", a.source.path);
                code
            })
            .collect();
        read.sort();
        expected.sort();
        assert_eq!(read, expected);
    }
}
