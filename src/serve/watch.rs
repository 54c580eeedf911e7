//! Watching a site's sources: which saved files matter ([`Watched::classify`]), batching the
//! events of one save or one `git checkout` into one [`Changes`], and handing it to a callback.
//! The watcher knows nothing about the server.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use notify_debouncer_full::{DebounceEventResult, Debouncer, FileIdCache, new_debouncer_opt};

use crate::assets::STATIC_DIR;
use crate::config::CONFIG_FILE;
use crate::content::CONTENT_DIR;
use crate::error::{Error, Result};
use crate::templates::TEMPLATES_DIR;

/// How long the debouncer holds an event before handing it on: long enough to merge the
/// write + rename of an atomic save, short enough to keep save-to-reload fast.
const DEBOUNCE: Duration = Duration::from_millis(10);
const TICK: Duration = Duration::from_millis(3);
/// After a batch, more batches arriving within this long join it.
const SETTLE: Duration = Duration::from_millis(8);
/// Once a batch holds more than [`BULK_PATHS`] paths (a `git checkout`, a search-and-replace,
/// a generator), it waits for this long a quiet spell instead: hundreds of files become one
/// rebuild, and a half-written tree is never built.
const BULK_SETTLE: Duration = Duration::from_millis(80);
const BULK_PATHS: usize = 3;
/// How often `--poll` reads every file.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// What one saved path means for the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A file or folder under `content/`, relative to the site root.
    Content(PathBuf),
    Template,
    Static,
    Config,
}

/// Everything that changed since the last build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Changed files and folders under `content/`, relative to the site root.
    pub content: BTreeSet<PathBuf>,
    pub templates: bool,
    pub statics: bool,
    pub config: bool,
    /// The watcher lost track (an overflowing event queue): read everything again.
    pub everything: bool,
}

impl Changes {
    /// A change set that makes a full build.
    pub fn everything() -> Changes {
        Changes {
            everything: true,
            ..Changes::default()
        }
    }

    pub fn add(&mut self, change: Change) {
        match change {
            Change::Content(path) => {
                self.content.insert(path);
            }
            Change::Template => self.templates = true,
            Change::Static => self.statics = true,
            Change::Config => self.config = true,
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }

    /// Whether the whole site must be read and rendered again.
    pub fn is_full(&self) -> bool {
        self.everything || self.config || self.templates
    }
}

/// The paths a site's build reads, for deciding what a file-system event means.
#[derive(Debug, Clone)]
pub struct Watched {
    pub root: PathBuf,
    /// The output folder, whose changes never matter (even where it sits inside the root).
    pub output: PathBuf,
}

impl Watched {
    /// What a change at `path` (absolute, or relative to the root) means for the site, or `None`
    /// when it does not matter: editor leftovers (`.swp`, `~`, `4913`, `.#file`, backups),
    /// dotfiles, the output folder and anything outside `content/`, `templates/`, `static/` and
    /// `kb.yaml`. Pure: never looks at the disk.
    pub fn classify(&self, path: &Path) -> Option<Change> {
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        if relative.is_absolute() || relative.starts_with(self.output_relative()?) {
            return None;
        }
        let mut names = Vec::new();
        for component in relative.components() {
            match component {
                Component::Normal(name) => names.push(name.to_str()?),
                Component::CurDir => {}
                _ => return None,
            }
        }
        let (first, rest) = names.split_first()?;
        if rest.iter().any(|name| is_noise(name)) {
            return None;
        }
        match *first {
            CONTENT_DIR => Some(Change::Content(names.iter().collect())),
            TEMPLATES_DIR => Some(Change::Template),
            STATIC_DIR => Some(Change::Static),
            CONFIG_FILE if rest.is_empty() => Some(Change::Config),
            _ => None,
        }
    }

    /// The output folder relative to the root; a folder elsewhere can never match.
    fn output_relative(&self) -> Option<&Path> {
        const NOWHERE: &str = "\0";
        Some(
            self.output
                .strip_prefix(&self.root)
                .unwrap_or(Path::new(NOWHERE)),
        )
    }
}

/// Names editors and tools write beside real files while saving.
fn is_noise(name: &str) -> bool {
    crate::content::is_ignored(name)
        || name.ends_with(".swo")
        || name.ends_with(".kate-swp")
        || name.ends_with(".crswap")
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || name.ends_with(".orig")
        || name.starts_with("~$")
}

/// How to watch.
#[derive(Debug, Clone, Copy, Default)]
pub struct WatchOptions {
    /// Poll every file instead of asking the kernel (WSL, Docker volumes, network drives).
    pub poll: bool,
}

/// Watches the site until `on_change` returns `false`. It is called first with
/// [`Changes::everything`] once every watch is in place (so nothing saved after the first build
/// started is missed), then once per batch of changes that matter. It runs on the calling
/// thread, so events that arrive while it runs are batched into the next call.
pub fn watch(
    watched: &Watched,
    options: WatchOptions,
    mut on_change: impl FnMut(Changes) -> bool,
) -> Result<()> {
    let (sender, receiver) = mpsc::channel();
    let handler = move |result: DebounceEventResult| {
        let _ = sender.send(result);
    };
    let fail = |e: notify_debouncer_full::notify::Error| {
        Error::Usage(format!(
            "cannot watch {} for changes: {e}",
            watched.root.display()
        ))
    };
    if options.poll {
        // notify's poller compares modification times in whole seconds, so a second save
        // within the same second would go unseen; comparing contents catches it.
        let config = notify::Config::default()
            .with_poll_interval(POLL_INTERVAL)
            .with_compare_contents(true);
        let debouncer = new_debouncer_opt::<_, notify::PollWatcher, _>(
            DEBOUNCE,
            Some(TICK),
            handler,
            notify_debouncer_full::NoCache,
            config,
        )
        .map_err(fail)?;
        run(watched, debouncer, &receiver, &mut on_change).map_err(fail)
    } else {
        let debouncer = new_debouncer_opt::<_, notify::RecommendedWatcher, _>(
            DEBOUNCE,
            Some(TICK),
            handler,
            notify_debouncer_full::RecommendedCache::new(),
            notify::Config::default(),
        )
        .map_err(fail)?;
        run(watched, debouncer, &receiver, &mut on_change).map_err(fail)
    }
}

fn run<W: Watcher, C: FileIdCache>(
    watched: &Watched,
    mut debouncer: Debouncer<W, C>,
    receiver: &mpsc::Receiver<DebounceEventResult>,
    on_change: &mut impl FnMut(Changes) -> bool,
) -> notify::Result<()> {
    // The root itself only for `kb.yaml` and for source folders created later; the folders
    // recursively. Never the output folder or anything else under the root.
    debouncer.watch(&watched.root, RecursiveMode::NonRecursive)?;
    let mut folders = BTreeSet::new();
    watch_folders(&mut debouncer, watched, &mut folders)?;
    if !on_change(Changes::everything()) {
        return Ok(());
    }
    while let Ok(first) = receiver.recv() {
        let mut changes = Changes::default();
        let mut paths = collect(watched, first, &mut changes);
        loop {
            let settle = if paths > BULK_PATHS {
                BULK_SETTLE
            } else {
                SETTLE
            };
            match receiver.recv_timeout(settle) {
                Ok(more) => paths += collect(watched, more, &mut changes),
                Err(_) => break,
            }
        }
        watch_folders(&mut debouncer, watched, &mut folders)?;
        if !changes.is_empty() && !on_change(changes) {
            break;
        }
    }
    Ok(())
}

/// Starts watching each source folder that exists and is not watched yet.
fn watch_folders<W: Watcher, C: FileIdCache>(
    debouncer: &mut Debouncer<W, C>,
    watched: &Watched,
    folders: &mut BTreeSet<&'static str>,
) -> notify::Result<()> {
    for name in [CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR] {
        let path = watched.root.join(name);
        let exists = path.is_dir();
        if exists && !folders.contains(name) {
            debouncer.watch(&path, RecursiveMode::Recursive)?;
            folders.insert(name);
        } else if !exists && folders.remove(name) {
            let _ = debouncer.unwatch(&path);
        }
    }
    Ok(())
}

/// Adds what a batch of events means to `changes`; returns how many paths it named.
fn collect(watched: &Watched, result: DebounceEventResult, changes: &mut Changes) -> usize {
    let mut paths = 0;
    match result {
        Ok(events) => {
            for event in events {
                if event.need_rescan() {
                    changes.everything = true;
                }
                // Reading a file (the build itself does) is not a change.
                if matches!(event.kind, notify::EventKind::Access(_)) {
                    continue;
                }
                for path in &event.paths {
                    paths += 1;
                    if let Some(change) = watched.classify(path) {
                        changes.add(change);
                    }
                }
            }
        }
        // The watcher lost events (e.g. too many watches): read everything again.
        Err(_) => changes.everything = true,
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watched() -> Watched {
        Watched {
            root: PathBuf::from("/site"),
            output: PathBuf::from("/site/public"),
        }
    }

    #[test]
    fn saved_paths_are_classified_by_what_they_change() {
        let content = |p: &str| Some(Change::Content(PathBuf::from(p)));
        let cases = [
            (
                "/site/content/http/4xx/401.md",
                content("content/http/4xx/401.md"),
            ),
            ("/site/content/http/4xx", content("content/http/4xx")),
            ("/site/content/new/deeper", content("content/new/deeper")),
            ("/site/content", content("content")),
            ("content/http/_index.md", content("content/http/_index.md")),
            ("/site/templates/article.html", Some(Change::Template)),
            ("/site/templates/partials/list.html", Some(Change::Template)),
            ("/site/templates", Some(Change::Template)),
            ("/site/static/kb.css", Some(Change::Static)),
            ("/site/static/img/logo.svg", Some(Change::Static)),
            ("/site/kb.yaml", Some(Change::Config)),
        ];
        for (path, expected) in cases {
            assert_eq!(watched().classify(Path::new(path)), expected, "{path}");
        }
    }

    #[test]
    fn editor_noise_output_and_other_files_are_ignored() {
        let ignored = [
            "/site/content/http/4xx/.401.md.swp",
            "/site/content/http/4xx/.401.md.swx",
            "/site/content/http/4xx/401.md~",
            "/site/content/http/4xx/4913",
            "/site/content/http/4xx/.#401.md",
            "/site/content/http/4xx/#401.md#",
            "/site/content/http/4xx/401.md.bck",
            "/site/content/http/4xx/401.md.tmp",
            "/site/content/http/4xx/401.md___jb_tmp___",
            "/site/content/http/4xx/.goutputstream-ABC123",
            "/site/content/.git/index",
            "/site/content/.hidden/401.md",
            "/site/templates/.article.html.swp",
            "/site/static/kb.css~",
            "/site/public/http/index.html",
            "/site/public",
            "/site/target/debug/kb",
            "/site/.git/HEAD",
            "/site/README.md",
            "/site/kb.yaml~",
            "/site/.kb.yaml.swp",
            "/site/sub/kb.yaml",
            "/elsewhere/content/401.md",
            "/site/content/../../etc/passwd",
        ];
        for path in ignored {
            assert_eq!(watched().classify(Path::new(path)), None, "{path}");
        }
    }

    #[test]
    fn an_output_folder_inside_a_source_folder_name_is_still_ignored() {
        let watched = Watched {
            root: PathBuf::from("/site"),
            output: PathBuf::from("/site/content-out"),
        };
        assert_eq!(
            watched.classify(Path::new("/site/content-out/index.html")),
            None
        );
        assert!(watched.classify(Path::new("/site/content/a.md")).is_some());
    }

    #[test]
    fn full_rebuilds_follow_templates_config_and_lost_events() {
        let mut changes = Changes::default();
        assert!(changes.is_empty());
        changes.add(Change::Content(PathBuf::from("content/a.md")));
        assert!(!changes.is_full());
        changes.add(Change::Static);
        assert!(!changes.is_full());
        changes.add(Change::Template);
        assert!(changes.is_full());
        assert!(Changes::everything().is_full());
    }
}
