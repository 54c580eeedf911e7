//! Typed paths: where a page lives on the site, and where a source lives in the content tree.
//!
//! Every output path is built from [`Segment`]s, which cannot contain `/`, `\`, NUL or be `.` or
//! `..`, so no slug, folder name or alias can make the writer leave the output directory.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// One component of a URL path, safe to use as a file or folder name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Segment(String);

/// Why a URL path or segment was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnsafePath {
    Empty,
    DotSegment,
    Forbidden(char),
    NotRooted,
    ProtocolRelative,
    Scheme,
}

impl fmt::Display for UnsafePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnsafePath::Empty => write!(f, "it has an empty path segment"),
            UnsafePath::DotSegment => write!(f, "it contains a `.` or `..` segment"),
            UnsafePath::Forbidden(c) => write!(f, "it contains the character {c:?}"),
            UnsafePath::NotRooted => write!(f, "it does not start with `/`"),
            UnsafePath::ProtocolRelative => {
                write!(f, "it starts with `//`, which names another host")
            }
            UnsafePath::Scheme => {
                write!(f, "it contains a URL scheme (`…:`), which leaves the site")
            }
        }
    }
}

impl Segment {
    pub fn new(text: &str) -> Result<Segment, UnsafePath> {
        if text.is_empty() {
            return Err(UnsafePath::Empty);
        }
        if text == "." || text == ".." {
            return Err(UnsafePath::DotSegment);
        }
        if let Some(c) = text.chars().find(|c| is_forbidden(*c)) {
            return Err(UnsafePath::Forbidden(c));
        }
        Ok(Segment(text.to_string()))
    }

    /// Turns a folder name into a URL segment: lower-case, spaces to `-`, anything that is not a
    /// letter, digit, `.`, `_` or `-` dropped. Returns `None` when nothing usable is left.
    pub fn slugify(name: &str) -> Option<Segment> {
        let mut slug = String::with_capacity(name.len());
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_alphanumeric() || matches!(c, '.' | '_' | '-') {
                slug.push(c);
            } else if (c.is_whitespace() || c == '-') && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        let slug = slug.trim_matches('-');
        Segment::new(slug).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_forbidden(c: char) -> bool {
    matches!(
        c,
        '/' | '\\' | '\0' | '?' | '#' | '%' | '"' | '<' | '>' | '\'' | '`'
    ) || c.is_control()
        || c.is_whitespace()
}

/// A path on the site, relative to the site's base path: `/`, `/http/4xx/401/`,
/// `/errors/401.html`. Paths ending in `/` are folders served by their `index.html`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UrlPath {
    segments: Vec<Segment>,
    is_folder: bool,
    /// The path written out (its [`fmt::Display`]), made once: a build writes each page's
    /// address into several pages, feeds and indexes. It follows from the fields above, so it
    /// never decides a comparison.
    text: Box<str>,
}

impl UrlPath {
    fn new(segments: Vec<Segment>, is_folder: bool) -> UrlPath {
        let length: usize = segments.iter().map(|s| s.as_str().len() + 1).sum();
        let mut text = String::with_capacity(length + 1);
        text.push('/');
        for (i, segment) in segments.iter().enumerate() {
            if i > 0 {
                text.push('/');
            }
            text.push_str(segment.as_str());
        }
        if is_folder && !segments.is_empty() {
            text.push('/');
        }
        UrlPath {
            segments,
            is_folder,
            text: text.into_boxed_str(),
        }
    }

    pub fn root() -> UrlPath {
        UrlPath::new(Vec::new(), true)
    }

    pub fn folder(segments: Vec<Segment>) -> UrlPath {
        UrlPath::new(segments, true)
    }

    pub fn file(segments: Vec<Segment>) -> UrlPath {
        UrlPath::new(segments, false)
    }

    /// The path as written on the site (`/http/4xx/401/`), as its [`fmt::Display`] writes it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Parses a site path written by an author (an alias). Refuses anything that could leave the
    /// site or the output folder: schemes, `//host`, `..`, backslashes, NUL.
    pub fn parse(text: &str) -> Result<UrlPath, UnsafePath> {
        if text.starts_with("//") {
            return Err(UnsafePath::ProtocolRelative);
        }
        if text.contains(':') {
            return Err(UnsafePath::Scheme);
        }
        let rest = text.strip_prefix('/').ok_or(UnsafePath::NotRooted)?;
        if rest.is_empty() {
            return Ok(UrlPath::root());
        }
        let is_folder = rest.ends_with('/');
        let segments = rest
            .trim_end_matches('/')
            .split('/')
            .map(Segment::new)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(UrlPath::new(segments, is_folder))
    }

    pub fn child(&self, segment: Segment) -> UrlPath {
        let mut segments = Vec::with_capacity(self.segments.len() + 1);
        segments.extend_from_slice(&self.segments);
        segments.push(segment);
        UrlPath::new(segments, true)
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    pub fn is_folder(&self) -> bool {
        self.is_folder
    }

    /// The file this path is written to, relative to the output folder.
    pub fn output_file(&self) -> PathBuf {
        PathBuf::from(self.output_file_text())
    }

    /// [`UrlPath::output_file`] as text, its folders and file separated by `/` (on every
    /// platform: no segment can contain one), made in one allocation.
    pub fn output_file_text(&self) -> String {
        let relative = &self.text[1..];
        let index = if self.is_folder { "index.html" } else { "" };
        let mut path = String::with_capacity(relative.len() + index.len());
        path.push_str(relative);
        path.push_str(index);
        path
    }

    /// Whether the page is HTML (folders and `.html`/`.htm` files), which decides what a
    /// redirect looks like.
    pub fn is_html(&self) -> bool {
        self.is_folder
            || self
                .segments
                .last()
                .is_some_and(|s| s.as_str().ends_with(".html") || s.as_str().ends_with(".htm"))
    }
}

/// The folders above an output file given as text ([`UrlPath::output_file_text`]), nearest
/// first (`a/b/index.html`: `a/b`, then `a`): the `Path` ancestors of the file but for the empty
/// one, as text.
pub fn folders_above(file: &str) -> impl Iterator<Item = &str> {
    file.rmatch_indices('/').map(|(end, _)| &file[..end])
}

impl fmt::Display for UrlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for UrlPath {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// A source file's path relative to the site root, shown in diagnostics as
/// `content/http/4xx/401.md` on every platform.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourcePath(PathBuf);

impl SourcePath {
    pub fn new(relative: impl Into<PathBuf>) -> SourcePath {
        SourcePath(relative.into())
    }

    pub fn as_path(&self) -> &Path {
        &self.0
    }
}

impl fmt::Display for SourcePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for part in self.0.components() {
            if !first {
                f.write_str("/")?;
            }
            first = false;
            f.write_str(&part.as_os_str().to_string_lossy())?;
        }
        Ok(())
    }
}

impl Serialize for SourcePath {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_that_leave_the_site_are_refused() {
        let cases = [
            ("errors/401.html", UnsafePath::NotRooted),
            ("//evil.example/x", UnsafePath::ProtocolRelative),
            ("https://evil.example/", UnsafePath::Scheme),
            ("/a/../../etc/passwd", UnsafePath::DotSegment),
            ("/a/./b", UnsafePath::DotSegment),
            ("/a\\..\\b", UnsafePath::Forbidden('\\')),
            ("/a\0b", UnsafePath::Forbidden('\0')),
            ("/a//b", UnsafePath::Empty),
            ("/a%2e%2e/b", UnsafePath::Forbidden('%')),
        ];
        for (text, expected) in cases {
            assert_eq!(UrlPath::parse(text), Err(expected), "{text}");
        }
    }

    #[test]
    fn aliases_map_to_files_inside_the_output() {
        let file = UrlPath::parse("/errors/401.html").map(|p| p.output_file());
        assert_eq!(file, Ok(PathBuf::from("errors/401.html")));
        let folder = UrlPath::parse("/old/401/").map(|p| p.output_file());
        assert_eq!(folder, Ok(PathBuf::from("old/401/index.html")));
        let root = UrlPath::root();
        assert_eq!(root.output_file_text(), "index.html");
        assert_eq!(root.output_file(), PathBuf::from("index.html"));
        assert_eq!(
            UrlPath::parse("/old/401/").map(|p| p.to_string()),
            Ok("/old/401/".into())
        );
    }

    #[test]
    fn folder_names_become_readable_slugs() {
        let slug = |s| Segment::slugify(s).map(|s| s.as_str().to_string());
        assert_eq!(slug("Client Errors"), Some("client-errors".into()));
        assert_eq!(slug("4xx"), Some("4xx".into()));
        assert_eq!(slug(".."), None);
        assert_eq!(slug("???"), None);
    }
}
