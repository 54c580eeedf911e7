//! `kb init [DIR]`: a new site with settings, a catalog and one complete article, which builds
//! and checks clean at once. It refuses a folder that already has files (hidden ones such as
//! `.git` aside) unless forced, and even then never replaces a file that exists.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::new::{ARCHETYPE, DEFAULT_ARCHETYPE};
use crate::templates::TEMPLATES_DIR;

const KB_YAML: &str = "\
# Site settings. Every key is optional; the README lists them all.
title: Error code help
description: What our error codes mean and how to fix them.
";

const GITIGNORE: &str = "/public\n";

const HOME: &str = "\
---
title: Error code help
description: What our error codes mean and how to fix them.
---
Type the code or the message you see into the search box, or start with
[E1001 Cannot connect to the server](app/E1001.md).
";

const CATALOG: &str = "\
---
title: My app
description: Errors that My app shows, and what to do about them.
---
";

const ARTICLE: &str = "\
---
code: E1001
title: Cannot connect to the server
summary: The app could not reach its server; the network, a firewall or the server itself is in the way.
messages:
  - \"E1001: Cannot connect to the server\"
  - \"Connection failed. Check your internet connection and try again.\"
applies_to: [My app 1.x]
tags: [network]
updated: {today}
---
## Cause

The app sends every request to its server. When no answer comes back within 30 seconds, it
stops waiting and shows E1001. The device may be offline, a firewall or proxy may block the app,
or the server may be down for maintenance.

## Resolution

1. Check that the device is online: open any web page in a browser.
2. On a company or school network, ask whether a firewall or proxy blocks the app.
3. Wait a few minutes and try again: the server may be restarting.
";

/// What `kb init` wrote.
#[derive(Debug)]
pub struct InitSummary {
    /// The new site's root.
    pub root: PathBuf,
    /// Files written, relative to the root.
    pub created: Vec<PathBuf>,
    /// Files that existed already and were left as they were (only with `force`).
    pub kept: Vec<PathBuf>,
}

/// Creates a site in `dir` (made if missing). Without `force`, a folder holding anything but
/// hidden files is refused.
pub fn init(dir: &Path, force: bool) -> Result<InitSummary> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{} exists and is not a folder",
            dir.display()
        )));
    }
    if !force && has_visible_entries(dir)? {
        return Err(Error::Usage(format!(
            "{} is not empty; choose an empty or new folder, or pass --force to add the new \
             site's files beside what is there (existing files are never replaced)",
            dir.display()
        )));
    }
    let today = crate::warnings::utc_date_today();
    let article = ARTICLE.replace(
        "{today}",
        today.as_ref().map_or("2026-01-01", |d| d.as_str()),
    );
    let archetype = format!("{TEMPLATES_DIR}/{ARCHETYPE}");
    let files: [(&str, &str); 6] = [
        ("kb.yaml", KB_YAML),
        (".gitignore", GITIGNORE),
        ("content/_index.md", HOME),
        ("content/app/_index.md", CATALOG),
        ("content/app/E1001.md", &article),
        (&archetype, DEFAULT_ARCHETYPE),
    ];
    let mut summary = InitSummary {
        root: dir.to_path_buf(),
        created: Vec::new(),
        kept: Vec::new(),
    };
    for (relative, text) in files {
        let path = dir.join(relative);
        if path.exists() {
            summary.kept.push(PathBuf::from(relative));
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        summary.created.push(PathBuf::from(relative));
    }
    Ok(summary)
}

/// Whether `dir` holds anything but hidden entries (`.git`, `.gitignore`, …).
fn has_visible_entries(dir: &Path) -> Result<bool> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::io(dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if !entry.file_name().to_string_lossy().starts_with('.') {
            return Ok(true);
        }
    }
    Ok(false)
}
