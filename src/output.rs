//! Writing the site: every output file is known in memory first, checked for collisions, then
//! written into a fresh folder beside the output and swapped in at the end. A failed build
//! leaves the previous output exactly as it was; files of earlier builds never linger.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::diagnostic::{Diagnostic, Location};
use crate::error::{Error, Result};
use crate::paths::{SourcePath, UrlPath};

/// The bytes of one output file.
#[derive(Debug, Clone)]
pub enum Content {
    Text(String),
    Static(&'static [u8]),
    /// A file copied from the site's `static/` folder.
    Copy(PathBuf),
}

/// What produced an output file, for collision messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Source(SourcePath),
    /// The redirect page of an alias, with the place the alias is written.
    Alias {
        source: SourcePath,
        location: Option<Location>,
    },
    /// A page or asset kb makes itself (`/codes/`, `/404.html`, the default stylesheet).
    Builtin(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Source(path) => write!(f, "{path}"),
            Origin::Alias { source, .. } => write!(f, "an alias in {source}"),
            Origin::Builtin(what) => write!(f, "{what}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Output {
    pub url: UrlPath,
    pub content: Content,
    pub origin: Origin,
}

/// Where an output goes and where it comes from, without its content.
#[derive(Debug, Clone, Copy)]
pub struct Placed<'a> {
    pub url: &'a UrlPath,
    pub origin: &'a Origin,
}

impl Output {
    pub fn placed(&self) -> Placed<'_> {
        Placed {
            url: &self.url,
            origin: &self.origin,
        }
    }

    pub fn bytes(&self) -> std::io::Result<std::borrow::Cow<'_, [u8]>> {
        match &self.content {
            Content::Text(text) => Ok(text.as_bytes().into()),
            Content::Static(bytes) => Ok((*bytes).into()),
            Content::Copy(path) => std::fs::read(path).map(Into::into),
        }
    }
}

/// Finds outputs that would land on the same file, or on a file where another output needs a
/// folder. (A site's own `static/kb.css` replacing the default one is not a collision: `assets`
/// leaves the default out before this runs.)
pub fn collisions(outputs: &[Output]) -> Vec<Diagnostic> {
    collisions_of(outputs.iter().map(Output::placed))
}

/// [`collisions`] among outputs already handed to a sink, known by address and origin.
pub fn collisions_of<'a>(outputs: impl IntoIterator<Item = Placed<'a>>) -> Vec<Diagnostic> {
    let outputs = outputs.into_iter();
    let mut problems = Vec::new();
    let mut by_file: HashMap<PathBuf, Placed> = HashMap::with_capacity(outputs.size_hint().0);
    for output in outputs {
        let file = output.url.output_file();
        if let Some(first) = by_file.get(&file) {
            problems.push(collision(first, &output, &file));
        } else {
            by_file.insert(file, output);
        }
    }
    for (file, output) in &by_file {
        for ancestor in file.ancestors().skip(1) {
            if let Some(first) = by_file.get(ancestor) {
                problems.push(collision(first, output, ancestor));
            }
        }
    }
    problems
}

fn collision(first: &Placed, second: &Placed, file: &Path) -> Diagnostic {
    let (a, b) = if first.origin.to_string() <= second.origin.to_string() {
        (first, second)
    } else {
        (second, first)
    };
    let diagnostic = Diagnostic::error(format!(
        "{} and {} both map to the address {} (file {})",
        a.origin,
        b.origin,
        b.url,
        file.display()
    ))
    .with_help("give one of them another code, slug, folder or alias");
    // Point at what the author can change: an alias first, then a source file.
    let blamed = [&b.origin, &a.origin]
        .into_iter()
        .find(|o| matches!(o, Origin::Alias { .. }))
        .or_else(|| {
            [&b.origin, &a.origin]
                .into_iter()
                .find(|o| matches!(o, Origin::Source(_)))
        });
    match blamed {
        Some(Origin::Alias {
            source,
            location: Some(location),
        }) => diagnostic.in_file(source).at(location.clone()),
        Some(Origin::Alias { source, .. } | Origin::Source(source)) => diagnostic.in_file(source),
        _ => diagnostic,
    }
}

/// Refuses output folders that would destroy the site's sources when replaced.
pub fn check_output_dir(root: &Path, output: &Path) -> Result<()> {
    let root = std::fs::canonicalize(root).map_err(|e| Error::io(root, e))?;
    let output = absolute(output)?;
    let protected = ["content", "templates", "static"].map(|d| root.join(d));
    if root.starts_with(&output) || protected.iter().any(|p| output.starts_with(p)) {
        return Err(Error::Usage(format!(
            "refusing to write the site into {}: it would replace the site's own sources",
            output.display()
        )));
    }
    Ok(())
}

/// The absolute form of `path`, resolving symlinks of the part that exists.
fn absolute(path: &Path) -> Result<PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| Error::io(path, e))?
            .join(path)
    };
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut resolved = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    resolved.extend(rest.iter().rev());
    Ok(resolved)
}

/// Where a build hands each output as soon as it is made, so that a big site is never held in
/// memory whole: a staging folder ([`Staging`]), memory ([`Collected`]) or nowhere ([`Discard`],
/// for `kb check`). Called from many threads at once.
pub trait Sink: Sync {
    fn put(&self, output: Output) -> Result<()>;
}

/// Outputs kept in memory, in no particular order.
#[derive(Default)]
pub struct Collected(Mutex<Vec<Output>>);

impl Collected {
    pub fn into_outputs(self) -> Vec<Output> {
        self.0.into_inner().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Sink for Collected {
    fn put(&self, output: Output) -> Result<()> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(output);
        Ok(())
    }
}

/// Outputs checked and thrown away.
pub struct Discard;

impl Sink for Discard {
    fn put(&self, _output: Output) -> Result<()> {
        Ok(())
    }
}

/// A new site being written beside the output folder: it replaces the output folder only when
/// [`Staging::commit`] is called, so a failed build never destroys or half-writes the previous
/// site. Dropped without a commit, it removes itself.
pub struct Staging {
    dir: PathBuf,
    output_dir: PathBuf,
    parent: PathBuf,
    name: String,
    /// Folders already made inside `dir`, so that each is made once.
    folders: Mutex<HashSet<PathBuf>>,
    committed: bool,
}

impl Staging {
    /// Makes an empty staging folder for `output_dir`.
    pub fn create(output_dir: &Path) -> Result<Staging> {
        let name = output_dir
            .file_name()
            .ok_or_else(|| {
                Error::Usage(format!(
                    "the output folder {} has no name",
                    output_dir.display()
                ))
            })?
            .to_string_lossy()
            .into_owned();
        let parent = match output_dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let dir = parent.join(format!(".{name}.kb-new-{}", std::process::id()));
        remove_dir_if_present(&dir)?;
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Staging {
            dir,
            output_dir: output_dir.to_path_buf(),
            parent,
            name,
            folders: Mutex::new(HashSet::new()),
            committed: false,
        })
    }

    /// Puts the new site in place of the output folder.
    pub fn commit(mut self) -> Result<()> {
        self.committed = true;
        swap_in(&self.dir, &self.output_dir, &self.parent, &self.name)
    }

    fn make_folder(&self, folder: &Path) -> Result<()> {
        if folder.as_os_str().is_empty() {
            return Ok(());
        }
        let known = |folder: &Path| {
            let made = self.folders.lock().unwrap_or_else(PoisonError::into_inner);
            made.contains(folder)
        };
        if known(folder) {
            return Ok(());
        }
        // Made without the lock held: every article has a folder of its own, so the threads
        // writing pages would otherwise wait for each other's `mkdir`. Two threads making the
        // same folder at once is no error for `create_dir_all`.
        let path = self.dir.join(folder);
        std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        let mut made = self.folders.lock().unwrap_or_else(PoisonError::into_inner);
        made.extend(folder.ancestors().map(Path::to_path_buf));
        Ok(())
    }
}

impl Sink for Staging {
    fn put(&self, output: Output) -> Result<()> {
        let file = output.url.output_file();
        if let Some(folder) = file.parent() {
            self.make_folder(folder)?;
        }
        let path = self.dir.join(&file);
        match &output.content {
            Content::Copy(source) => std::fs::copy(source, &path).map(|_| ()),
            Content::Text(text) => std::fs::write(&path, text),
            Content::Static(bytes) => std::fs::write(&path, bytes),
        }
        .map_err(|e| Error::io(&path, e))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn swap_in(staging: &Path, output_dir: &Path, parent: &Path, name: &str) -> Result<()> {
    if !output_dir.exists() {
        return std::fs::rename(staging, output_dir).map_err(|e| Error::io(output_dir, e));
    }
    if !output_dir.is_dir() {
        let _ = std::fs::remove_dir_all(staging);
        return Err(Error::Usage(format!(
            "the output path {} is a file, not a folder",
            output_dir.display()
        )));
    }
    let old = parent.join(format!(".{name}.kb-old-{}", std::process::id()));
    remove_dir_if_present(&old)?;
    std::fs::rename(output_dir, &old).map_err(|e| Error::io(output_dir, e))?;
    if let Err(e) = std::fs::rename(staging, output_dir) {
        // Put the previous site back so that nothing is lost.
        let _ = std::fs::rename(&old, output_dir);
        let _ = std::fs::remove_dir_all(staging);
        return Err(Error::io(output_dir, e));
    }
    remove_tree_in_parallel(&old).map_err(|e| Error::io(&old, e))
}

/// Removes a folder and everything in it, its entries on all cores: the previous site of a big
/// knowledge base is tens of thousands of files, and removing one is a system call each.
fn remove_tree_in_parallel(dir: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    let entries: Vec<std::fs::DirEntry> =
        std::fs::read_dir(dir)?.collect::<std::io::Result<_>>()?;
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type()?.is_dir() {
            remove_tree_in_parallel(&entry.path())
        } else {
            std::fs::remove_file(entry.path())
        }
    })?;
    std::fs::remove_dir(dir)
}

fn remove_dir_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}
