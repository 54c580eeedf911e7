//! Open handles on folders, shared by the threads of a build. Reading the sources and writing
//! the pages open files relative to a handle on their folder rather than by their whole path: a
//! big site is tens of thousands of files, and the kernel's walk along each one's path from `/`
//! was a noticeable part of opening them.

use std::borrow::Borrow;
use std::hash::Hash;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// At most this many folder handles are kept open by one cache (a handle is one file
/// descriptor; one per category is typical); files in other folders are opened by their whole
/// path. A site of 100,000 articles has a few hundred categories.
const MOST_FOLDER_HANDLES: usize = 4096;

/// File descriptors left to everything but the caches' handles: the files being read and
/// written, the standard streams, the server's sockets and the watcher.
const DESCRIPTORS_LEFT_FREE: u64 = 128;

/// How many handles one cache may keep open: a quarter of the file descriptors the process may
/// open beyond [`DESCRIPTORS_LEFT_FREE`] (a build has two caches at once, for the sources and for
/// the pages), at most [`MOST_FOLDER_HANDLES`]. Asked of the system each time: `kb` raises its
/// limit as it starts.
fn handles_allowed() -> usize {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
    let allowed = limit.map_or(u64::MAX, |limit| {
        limit.saturating_sub(DESCRIPTORS_LEFT_FREE) / 4
    });
    usize::try_from(allowed).map_or(MOST_FOLDER_HANDLES, |allowed| {
        allowed.min(MOST_FOLDER_HANDLES)
    })
}

/// Handles on folders by a key of the user's (a path, or a path as text), at most `most` of
/// them.
pub(crate) struct FolderHandles<K> {
    handles: Mutex<foldhash::HashMap<K, Arc<OwnedFd>>>,
    most: usize,
}

impl<K> Default for FolderHandles<K> {
    fn default() -> Self {
        FolderHandles::with_most(handles_allowed())
    }
}

impl<K> FolderHandles<K> {
    /// A cache keeping at most `most` handles open.
    pub fn with_most(most: usize) -> Self {
        FolderHandles {
            handles: Mutex::new(foldhash::HashMap::default()),
            most,
        }
    }
}

impl<K: Hash + Eq> FolderHandles<K> {
    /// The handle on the folder `key` names, opened by `open` if there is none yet; none when
    /// as many as allowed are open already. `open` runs without the lock held.
    pub fn get_or_open<Q, E>(
        &self,
        key: &Q,
        open: impl FnOnce() -> Result<OwnedFd, E>,
    ) -> Result<Option<Arc<OwnedFd>>, E>
    where
        K: Borrow<Q> + for<'a> From<&'a Q>,
        Q: Hash + Eq + ?Sized,
    {
        {
            let handles = self.lock();
            if let Some(handle) = handles.get(key) {
                return Ok(Some(handle.clone()));
            }
            if handles.len() >= self.most {
                return Ok(None);
            }
        }
        let opened = Arc::new(open()?);
        // Another thread may have opened the same folder meanwhile: one handle is kept.
        let mut handles = self.lock();
        Ok(Some(handles.entry(K::from(key)).or_insert(opened).clone()))
    }

    /// Keeps `handle` as the handle on the folder `key` names.
    pub fn insert(&self, key: K, handle: OwnedFd) {
        self.lock().insert(key, Arc::new(handle));
    }

    fn lock(&self) -> MutexGuard<'_, foldhash::HashMap<K, Arc<OwnedFd>>> {
        self.handles.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A handle on a folder, good for opening and creating things in it and nothing else.
pub(crate) fn open_folder(path: &Path) -> std::io::Result<OwnedFd> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    Ok(rustix::fs::open(path, flags, Mode::empty())?)
}
