//! What the HTTP side and the rebuilding side of `kb serve` share: the files of the last good
//! build, the build generation, the errors of the last build and the open event streams. One
//! value, passed to both; nothing global.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};

use super::http::{Files, Served};
use super::reload::{Clients, Event, Problem};
use crate::diagnostic::{Diagnostic, Severity};
use crate::output::{Content, Output};
use crate::paths::UrlPath;

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
            files: RwLock::new(Files::default()),
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

/// Brings the served files up to date with a build; returns the paths that changed. Cheap
/// for the many outputs a build kept: no allocation, no comparison.
fn update<'a>(
    files: &mut Files,
    outputs: impl Iterator<Item = (&'a Output, bool)>,
    refresh_static: bool,
) -> Vec<String> {
    let stamp = files.values().next().map_or(1, |f| f.stamp.wrapping_add(1));
    let before = files.len();
    let mut found = 0;
    let mut changed = Vec::new();
    let mut key = String::new();
    for (output, may_differ) in outputs {
        key_of(&output.url, &mut key);
        let check = may_differ && (refresh_static || !matches!(output.content, Content::Copy(_)));
        match files.get_mut(key.as_str()) {
            Some(served) => {
                found += 1;
                served.stamp = stamp;
                if check {
                    let bytes = bytes_of(output);
                    if *served.bytes != *bytes {
                        served.bytes = Arc::from(bytes.as_ref());
                        changed.push(key.clone());
                    }
                }
            }
            None => {
                let bytes = Arc::from(bytes_of(output).as_ref());
                files.insert(key.clone(), Served { bytes, stamp });
                changed.push(key.clone());
            }
        }
    }
    if found != before {
        files.retain(|_, served| served.stamp == stamp);
        changed.push(String::new());
    }
    changed
}

/// The served path of an output (`http/4xx/401/index.html`), written into `key`.
fn key_of(url: &UrlPath, key: &mut String) {
    key.clear();
    for segment in url.segments() {
        key.push_str(segment.as_str());
        key.push('/');
    }
    if url.is_folder() {
        key.push_str("index.html");
    } else {
        key.pop();
    }
}

/// The bytes of an output; a static file that vanished since the build is served empty until
/// the next build.
fn bytes_of(output: &Output) -> std::borrow::Cow<'_, [u8]> {
    output.bytes().unwrap_or_default()
}
