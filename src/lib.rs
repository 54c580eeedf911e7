//! kb: a static help-site generator for error-code knowledge bases.
//!
//! An author keeps one Markdown file per error code, with YAML front matter. A build flows one
//! way:
//!
//! 1. **load** ([`content`], [`frontmatter`], [`config`]): walk `content/`, read each file, split
//!    and parse its front matter;
//! 2. **link** ([`site`], [`related`]): place articles in the category tree, resolve related
//!    codes and backlinks, collect tags;
//! 3. **render** ([`markdown`], [`render`], [`views`], [`templates`], [`breadcrumbs`]): each
//!    article's body to HTML, indexed for search ([`search`]) and put through its Tera template,
//!    then the category, index, search and publishing pages;
//! 4. **write** ([`output`]): each page goes into a fresh staging folder as soon as it is
//!    rendered (so a big site is never in memory whole); once every page is made and no two
//!    collide, the staging folder is swapped in for the output folder.
//!
//! Every problem along the way becomes a [`diagnostic::Diagnostic`] with file, line and column;
//! all of them are reported together.

// A `Diagnostic` carries its source line and hint, so `Result<_, Diagnostic>` is large; errors
// are the cold path and boxing them everywhere would only add noise.
#![allow(clippy::result_large_err)]

pub mod assets;
pub mod breadcrumbs;
pub mod build;
pub mod catalog;
pub mod check;
pub mod code;
pub mod config;
pub mod content;
pub mod diagnostic;
pub mod error;
pub mod explain;
pub mod feed;
#[cfg(unix)]
mod folder_handles;
pub mod frontmatter;
pub mod highlight;
pub mod init;
mod json;
pub mod markdown;
pub mod new;
pub mod output;
pub mod paths;
pub mod plaintext;
pub mod publish;
pub mod redirects;
pub mod related;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
pub mod sitemap;
pub mod templates;
#[cfg(test)]
mod test_random;
pub mod views;
pub mod warnings;
pub mod yaml;

pub use build::{BuildOptions, BuildSummary, build};
pub use error::{Error, Result};
