//! What the HTTP side and the rebuilding side of `kb serve` share: the files of the last good
//! build, the build generation, the errors of the last build and the open event streams. One
//! value, passed to both; nothing global.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};

use super::http::{Files, Served};
use super::reload::{Clients, Event, Problem};
use crate::diagnostic::{Diagnostic, Severity};
use crate::output::{Content, Output};

/// What the server and the rebuilds share.
pub struct ServeState {
    /// The path the site lives under (`/` or `/help/`).
    pub base_path: String,
    files: RwLock<Files>,
    status: Mutex<Status>,
    pub clients: Clients,
}

/// The build generation (how many good builds have been published) and the errors of the
/// last build, if it failed.
#[derive(Debug, Clone, Default)]
pub struct Status {
    pub generation: u64,
    pub errors: Vec<Problem>,
}

impl ServeState {
    pub fn new(base_path: &str) -> ServeState {
        ServeState {
            base_path: base_path.to_string(),
            files: RwLock::new(Files::new()),
            status: Mutex::new(Status::default()),
            clients: Clients::default(),
        }
    }

    /// The last good build and its generation, read together.
    pub fn snapshot(&self) -> (RwLockReadGuard<'_, Files>, u64) {
        let files = self.files.read().unwrap_or_else(PoisonError::into_inner);
        let generation = self.status().generation;
        (files, generation)
    }

    pub fn status(&self) -> MutexGuard<'_, Status> {
        self.status.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The first event of a new event stream.
    pub fn hello(&self) -> Event {
        let status = self.status();
        Event::Hello {
            generation: status.generation,
            errors: status.errors.clone(),
        }
    }

    /// Puts a good build in place of the last one, then tells the pages. Returns the addresses
    /// (site paths) of the files that changed.
    pub fn publish<'a>(
        &self,
        outputs: impl Iterator<Item = (&'a Output, bool)>,
        refresh_static: bool,
    ) -> Vec<String> {
        let changed = {
            let mut files = self.files.write().unwrap_or_else(PoisonError::into_inner);
            let changed = update(&mut files, outputs, refresh_static);
            let mut status = self.status();
            if changed.is_empty() && status.errors.is_empty() {
                return changed;
            }
            status.generation += 1;
            status.errors.clear();
            changed
        };
        let generation = self.status().generation;
        let only_css = !changed.is_empty() && changed.iter().all(|p| p.ends_with(".css"));
        let event = if only_css {
            let urls = changed
                .iter()
                .map(|p| format!("{}{p}", self.base_path))
                .collect();
            Event::Css { generation, urls }
        } else {
            Event::Reload { generation }
        };
        self.clients.broadcast(&event);
        changed
    }

    /// Records a failed build and shows its errors on the pages; they keep the last good build.
    pub fn fail(&self, diagnostics: &[Diagnostic]) {
        let errors: Vec<Problem> = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(Problem::from)
            .collect();
        self.status().errors = errors.clone();
        self.clients.broadcast(&Event::BuildError { errors });
    }
}

/// Brings the served files up to date with a build; returns the paths that changed.
fn update<'a>(
    files: &mut Files,
    outputs: impl Iterator<Item = (&'a Output, bool)>,
    refresh_static: bool,
) -> Vec<String> {
    let mut seen = HashSet::with_capacity(files.len());
    let mut changed = Vec::new();
    for (output, may_differ) in outputs {
        let key = output
            .url
            .output_file()
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let existing = files.get(&key);
        let fresh = match (&output.content, existing) {
            (_, Some(_)) if !may_differ => None,
            (Content::Copy(_), Some(_)) if !refresh_static => None,
            (content, existing) => {
                let bytes = bytes_of(output, content);
                match existing {
                    Some(served) if *served.bytes == *bytes => None,
                    _ => Some(bytes),
                }
            }
        };
        if let Some(bytes) = fresh {
            files.insert(key.clone(), Served { bytes });
            changed.push(key.clone());
        }
        seen.insert(key);
    }
    let before = files.len();
    files.retain(|key, _| seen.contains(key));
    if files.len() != before {
        changed.push(String::new());
    }
    changed
}

fn bytes_of(output: &Output, content: &Content) -> Arc<[u8]> {
    match content {
        Content::Text(text) => Arc::from(text.as_bytes()),
        Content::Static(bytes) => Arc::from(*bytes),
        // A static file that vanished since the build: serve it empty until the next build.
        Content::Copy(_) => output
            .bytes()
            .map(|b| Arc::from(b.as_ref()))
            .unwrap_or_else(|_| Arc::from(&b""[..])),
    }
}
