//! The collision check of every output, kept between builds: the output files of the last
//! build (when none collided) and the folders above them, so that a build whose outputs are at
//! the same addresses in the same order but a few checks only those few. Whenever a collision
//! is found, or the outputs are laid out otherwise, [`output::collisions`] reports it as a full
//! build does.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::output::{self, Output};
use crate::paths::UrlPath;

/// More changed addresses than this, and everything is checked again.
const MAX_CHANGED: usize = 2000;

#[derive(Default)]
pub struct Addresses {
    /// The addresses of the last build's outputs, in order, when none collided.
    urls: Vec<UrlPath>,
    files: HashSet<PathBuf>,
    /// Every folder above an output file, with how many files are below it.
    folders: HashMap<PathBuf, usize>,
    valid: bool,
}

impl Addresses {
    /// What [`output::collisions`] reports for `outputs`.
    pub fn collisions(&mut self, outputs: &[Output]) -> Vec<Diagnostic> {
        if self.update(outputs) {
            return Vec::new();
        }
        self.valid = false;
        let problems = output::collisions(outputs);
        if problems.is_empty() {
            // Not found by the quick check: keep nothing rather than a wrong state.
            *self = Addresses::default();
        }
        problems
    }

    /// Brings the addresses up to date; `false` when outputs collide (or might).
    fn update(&mut self, outputs: &[Output]) -> bool {
        if self.valid && self.urls.len() == outputs.len() {
            let changed: Vec<usize> = (0..outputs.len())
                .filter(|i| self.urls[*i] != outputs[*i].url)
                .collect();
            if changed.len() <= MAX_CHANGED {
                for i in &changed {
                    let file = self.urls[*i].output_file();
                    self.files.remove(&file);
                    for folder in file.ancestors().skip(1) {
                        if let Some(count) = self.folders.get_mut(folder) {
                            *count -= 1;
                            if *count == 0 {
                                self.folders.remove(folder);
                            }
                        }
                    }
                }
                let mut free = true;
                for i in changed {
                    let url = &outputs[i].url;
                    free &= self.insert(&url.output_file());
                    self.urls[i] = url.clone();
                }
                return free;
            }
        }
        *self = Addresses::default();
        let mut free = true;
        for output in outputs {
            free &= self.insert(&output.url.output_file());
        }
        self.urls = outputs.iter().map(|o| o.url.clone()).collect();
        self.valid = free;
        free
    }

    /// Adds a file; `false` if it takes the place of another file, or of a folder above one,
    /// or needs a folder where a file is.
    fn insert(&mut self, file: &Path) -> bool {
        let mut free = !self.folders.contains_key(file) && self.files.insert(file.to_path_buf());
        for folder in file.ancestors().skip(1) {
            free &= !self.files.contains(folder);
            *self.folders.entry(folder.to_path_buf()).or_default() += 1;
        }
        free
    }
}
