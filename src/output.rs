//! Writing the site: every output file is known in memory first, checked for collisions, then
//! written into a fresh folder beside the output and swapped in at the end. A failed build
//! leaves the previous output exactly as it was; files of earlier builds never linger.

use std::collections::HashMap;
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
    /// A page as its template wrote it (UTF-8, as everything a template writes is, and so not
    /// checked again: a build renders tens of thousands of pages).
    Rendered(Vec<u8>),
    Static(&'static [u8]),
    /// A file copied from the site's `static/` folder.
    Copy(PathBuf),
    /// A text in pieces (UTF-8 as a whole), the file they make one after the other: a text
    /// too big to be made as one block of memory at the end of a build.
    Parts(Vec<Vec<u8>>),
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
            Content::Rendered(bytes) => Ok(bytes.as_slice().into()),
            Content::Static(bytes) => Ok((*bytes).into()),
            Content::Copy(path) => std::fs::read(path).map(Into::into),
            Content::Parts(parts) => Ok(parts.concat().into()),
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
    folders: Folders,
    committed: bool,
}

impl Staging {
    /// Makes an empty staging folder for `output_dir`.
    pub fn create(output_dir: &Path) -> Result<Staging> {
        Staging::create_with(output_dir, Folders::new)
    }

    /// [`Staging::create`] writing through the `Folders` that `folders` opens on the staging
    /// folder.
    fn create_with(
        output_dir: &Path,
        folders: impl FnOnce(&Path) -> std::io::Result<Folders>,
    ) -> Result<Staging> {
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
        let folders = folders(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Staging {
            dir,
            output_dir: output_dir.to_path_buf(),
            parent,
            name,
            folders,
            committed: false,
        })
    }

    /// Puts the new site in place of the output folder.
    pub fn commit(mut self) -> Result<()> {
        self.committed = true;
        swap_in(&self.dir, &self.output_dir, &self.parent, &self.name)
    }
}

impl Sink for Staging {
    fn put(&self, output: Output) -> Result<()> {
        let file = output.url.output_file_text();
        let failed = |e| Error::io(&self.dir.join(&file), e);
        match &output.content {
            Content::Copy(source) => {
                self.folders.make(&self.dir, parent(&file))?;
                std::fs::copy(source, self.dir.join(&file))
                    .map(|_| ())
                    .map_err(failed)
            }
            Content::Text(text) => self.folders.write(&self.dir, &file, text.as_bytes()),
            Content::Rendered(bytes) => self.folders.write(&self.dir, &file, bytes),
            Content::Static(bytes) => self.folders.write(&self.dir, &file, bytes),
            Content::Parts(parts) => self.folders.write_parts(&self.dir, &file, parts),
        }
    }
}

/// The folder of a file or folder given by its path relative to the staging folder, its names
/// separated by `/` ([`UrlPath::output_file_text`]); `""` for the staging folder itself.
fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |end| &path[..end])
}

/// `path` (below `folder`, both relative to the staging folder) relative to `folder`.
fn below<'a>(folder: &str, path: &'a str) -> &'a str {
    if folder.is_empty() {
        path
    } else {
        &path[folder.len() + 1..]
    }
}

/// The folders made so far inside a staging folder. On Unix, a file is created relative to an
/// open handle on the folder above its own (`auth/timeouts` for `auth/timeouts/0x1A/index.html`),
/// made with its folder in two steps of a path rather than from `/` down: a big site is tens of
/// thousands of pages, and the kernel's walk along their long paths was a noticeable part of
/// writing them. Folders are known by their path relative to the staging folder as text, names
/// separated by `/`, which is cheaper to take apart and hash than a `Path`.
struct Folders {
    /// Folders known to be made, so that each is made once: those above a file's own, and a
    /// file's own once a second file goes into it.
    made: Mutex<foldhash::HashSet<Box<str>>>,
    #[cfg(unix)]
    handles: crate::folder_handles::FolderHandles<Box<str>>,
}

impl Folders {
    fn new(dir: &Path) -> std::io::Result<Folders> {
        #[cfg(unix)]
        return Folders::with_handles(dir, Default::default());
        #[cfg(not(unix))]
        Ok(Folders {
            made: Mutex::default(),
        })
    }

    #[cfg(unix)]
    fn with_handles(
        dir: &Path,
        handles: crate::folder_handles::FolderHandles<Box<str>>,
    ) -> std::io::Result<Folders> {
        handles.insert("".into(), crate::folder_handles::open_folder(dir)?);
        Ok(Folders {
            made: Mutex::default(),
            handles,
        })
    }

    /// Makes `folder` (relative to the staging folder `dir`) and its parents.
    fn make(&self, dir: &Path, folder: &str) -> Result<()> {
        if folder.is_empty() || self.is_made(folder) {
            return Ok(());
        }
        let path = dir.join(folder);
        std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        self.mark_made(folder);
        Ok(())
    }

    fn is_made(&self, folder: &str) -> bool {
        let made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        made.contains(folder)
    }

    fn mark_made(&self, mut folder: &str) {
        let mut made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        // The folders above were marked when they were made, most of them: stop at the first.
        while !folder.is_empty() && made.insert(folder.into()) {
            folder = parent(folder);
        }
    }

    /// Writes `bytes` to `file` (relative to the staging folder `dir`), making its folder first.
    fn write(&self, dir: &Path, file: &str, bytes: &[u8]) -> Result<()> {
        self.write_parts(dir, file, &[bytes])
    }

    /// Writes `parts` one after the other to `file` (relative to the staging folder `dir`),
    /// making its folder first.
    #[cfg(not(unix))]
    fn write_parts(&self, dir: &Path, file: &str, parts: &[impl AsRef<[u8]>]) -> Result<()> {
        use std::io::Write;
        self.make(dir, parent(file))?;
        let path = dir.join(file);
        let written = std::fs::File::create(&path)
            .and_then(|mut opened| parts.iter().try_for_each(|p| opened.write_all(p.as_ref())));
        written.map_err(|e| Error::io(&path, e))
    }

    /// Writes `parts` one after the other to `file` (relative to the staging folder `dir`),
    /// making its folder first.
    #[cfg(unix)]
    fn write_parts(&self, dir: &Path, file: &str, parts: &[impl AsRef<[u8]>]) -> Result<()> {
        use std::io::Write;
        let failed = |e| Error::io(&dir.join(file), e);
        let write_all = |mut opened: std::fs::File| {
            (parts.iter()).try_for_each(|part| opened.write_all(part.as_ref()))
        };
        let folder = parent(file);
        // Files are created relative to the folder above their own; files at the top, relative
        // to the staging folder itself.
        let above = parent(folder);
        let Some(handle) = self.handle(dir, above)? else {
            self.make(dir, folder)?;
            let opened = std::fs::File::create(dir.join(file)).map_err(failed)?;
            return write_all(opened).map_err(failed);
        };
        if !folder.is_empty() && !self.is_made(folder) {
            let name = below(above, folder);
            match rustix::fs::mkdirat(&*handle, name, rustix::fs::Mode::from_raw_mode(0o777)) {
                // Not marked made: most folders made here hold one page (`0x1A/index.html`),
                // and marking each of a big site's pages' folders cost more than the one
                // refused `mkdirat` of a folder that gets a second file.
                Ok(()) => {}
                // Made for a file before, or by another thread since it was looked up.
                Err(rustix::io::Errno::EXIST) => self.mark_made(folder),
                Err(e) => return Err(Error::io(&dir.join(folder), e.into())),
            }
        }
        let flags = rustix::fs::OFlags::WRONLY
            | rustix::fs::OFlags::CREATE
            | rustix::fs::OFlags::TRUNC
            | rustix::fs::OFlags::CLOEXEC;
        let fd = rustix::fs::openat(
            &*handle,
            below(above, file),
            flags,
            rustix::fs::Mode::from_raw_mode(0o666),
        )
        .map_err(|e| failed(e.into()))?;
        write_all(std::fs::File::from(fd)).map_err(failed)
    }

    /// An open handle on `folder` (relative to the staging folder `dir`), made if need be; none
    /// when as many handles as allowed are open already.
    #[cfg(unix)]
    fn handle(
        &self,
        dir: &Path,
        folder: &str,
    ) -> Result<Option<std::sync::Arc<std::os::fd::OwnedFd>>> {
        self.handles.get_or_open(folder, || {
            self.make(dir, folder)?;
            let path = dir.join(folder);
            crate::folder_handles::open_folder(&path).map_err(|e| Error::io(&path, e))
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str, text: &str) -> Output {
        Output {
            url: UrlPath::parse(url).unwrap(),
            content: Content::Text(text.to_string()),
            origin: Origin::Builtin("test"),
        }
    }

    /// Files at the top, in folders of their own, many to a folder, and below more parent
    /// folders than handles are kept open for: every one is written whole, in its place, from
    /// several threads at once.
    #[test]
    fn staging_writes_every_file_in_its_folder() {
        use rayon::prelude::*;
        let root = tempfile::tempdir().unwrap();
        let output_dir = root.path().join("public");
        #[cfg(unix)]
        let staging = Staging::create_with(&output_dir, |dir| {
            Folders::with_handles(dir, crate::folder_handles::FolderHandles::with_most(16))
        })
        .unwrap();
        #[cfg(not(unix))]
        let staging = Staging::create(&output_dir).unwrap();
        let mut urls = vec!["/robots.txt".to_string(), "/top/".to_string()];
        for category in 0..40 {
            for article in 0..3 {
                urls.push(format!("/c{category}/a{article}/"));
                urls.push(format!("/legacy/c{category}/a{article}.html"));
            }
        }
        urls.par_iter()
            .for_each(|url| staging.put(page(url, &format!("page {url}"))).unwrap());
        // A file in parts is the parts one after the other.
        let parts = [b"{\"a\"".to_vec(), Vec::new(), b": 1}".to_vec()];
        let mut in_parts = page("/c1/parts.json", "");
        in_parts.content = Content::Parts(parts.to_vec());
        staging.put(in_parts).unwrap();
        staging.commit().unwrap();
        let written = std::fs::read_to_string(output_dir.join("c1/parts.json")).unwrap();
        assert_eq!(written, "{\"a\": 1}");
        for url in &urls {
            let file = output_dir.join(UrlPath::parse(url).unwrap().output_file());
            let text = std::fs::read_to_string(&file).unwrap();
            assert_eq!(text, format!("page {url}"), "{}", file.display());
        }
        let written = walkdir::WalkDir::new(&output_dir)
            .into_iter()
            .filter(|e| e.as_ref().unwrap().file_type().is_file())
            .count();
        assert_eq!(written, urls.len() + 1);
    }
}
