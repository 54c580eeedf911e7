//! Static assets: the default theme's stylesheet and script (embedded in the binary) and the
//! site's own `static/` folder, copied to the output root. A site file replaces the default
//! asset of the same name; a site file that lands on a generated page is an error.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::output::{Content, Origin, Output};
use crate::paths::{Segment, SourcePath, UrlPath};

pub const STATIC_DIR: &str = "static";

/// The default theme's assets, by file name.
pub const DEFAULT_ASSETS: &[(&str, &[u8])] = &[
    ("kb.css", include_bytes!("../static/kb.css")),
    ("kb.js", include_bytes!("../static/kb.js")),
    ("search.js", include_bytes!("../static/search.js")),
];

/// The outputs for the default assets and the site's static files. A static file that lands on
/// a generated page is caught with every other collision by `output::collisions`.
pub fn collect(static_dir: &Path) -> (Vec<Output>, Vec<Diagnostic>) {
    let (site_files, problems) = site_static_files(static_dir);
    let mut outputs: Vec<Output> = DEFAULT_ASSETS
        .iter()
        .filter(|(name, _)| {
            !site_files
                .iter()
                .any(|f| f.url.to_string() == format!("/{name}"))
        })
        .filter_map(|(name, bytes)| {
            Some(Output {
                url: UrlPath::file(vec![Segment::new(name).ok()?]),
                content: Content::Static(bytes),
                origin: Origin::Builtin("the default theme"),
            })
        })
        .collect();
    outputs.extend(site_files);
    (outputs, problems)
}

fn site_static_files(dir: &Path) -> (Vec<Output>, Vec<Diagnostic>) {
    let mut outputs = Vec::new();
    let mut problems = Vec::new();
    if !dir.is_dir() {
        return (outputs, problems);
    }
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !crate::content::is_ignored(&e.file_name().to_string_lossy())
        });
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                problems.push(
                    Diagnostic::error(format!("cannot read a static file: {e}"))
                        .in_file(&SourcePath::new(STATIC_DIR)),
                );
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let source = SourcePath::new(Path::new(STATIC_DIR).join(relative));
        let segments: Result<Vec<Segment>, _> = relative
            .components()
            .map(|c| Segment::new(&c.as_os_str().to_string_lossy()))
            .collect();
        match segments {
            Ok(segments) => outputs.push(Output {
                url: UrlPath::file(segments),
                content: Content::Copy(entry.into_path()),
                origin: Origin::Source(source),
            }),
            Err(why) => problems.push(
                Diagnostic::error(format!(
                    "this static file's name cannot be published: {why}"
                ))
                .in_file(&source)
                .with_help("rename it using letters, digits, `-`, `_` and `.`"),
            ),
        }
    }
    (outputs, problems)
}
