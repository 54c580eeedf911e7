//! `kb build`: load → link → render → write, with every problem of the build collected and
//! reported together.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::{self, BaseUrl, SiteConfig};
use crate::content::{self, LoadOptions};
use crate::diagnostic::{self, Diagnostic, Severity};
use crate::error::{Error, Result};
use crate::output::{self, Output};
use crate::render;
use crate::site::{self, Site};
use crate::templates::Templates;
use crate::warnings;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site root (holding `kb.yaml`, `content/`, …).
    pub root: PathBuf,
    /// Overrides `output_dir` from kb.yaml.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from kb.yaml.
    pub base_url: Option<String>,
    pub include_drafts: bool,
}

/// What a successful build made.
#[derive(Debug)]
pub struct BuildSummary {
    pub articles: usize,
    pub categories: usize,
    pub output_dir: PathBuf,
    pub elapsed: Duration,
    /// Problems that did not stop the build.
    pub warnings: Vec<Diagnostic>,
}

/// A rendered site, in memory, before anything is written.
pub struct RenderedSite {
    pub site: Site,
    pub outputs: Vec<Output>,
    pub warnings: Vec<Diagnostic>,
}

/// Reads the configuration with command-line overrides applied.
pub fn load_config(options: &BuildOptions) -> Result<SiteConfig> {
    let mut config = config::load(&options.root)?;
    if let Some(url) = &options.base_url {
        config.base_url = BaseUrl::parse(url)
            .map_err(|why| Error::Usage(format!("--base-url `{url}` cannot be used: {why}")))?;
    }
    Ok(config)
}

/// Everything a build finds, in memory: the linked site, its pages and every problem (errors
/// and warnings, sorted). `kb check` reports this; `kb build` writes the pages when no problem is
/// an error.
pub struct Validated {
    pub site: Site,
    /// Empty when the templates could not be loaded.
    pub outputs: Vec<Output>,
    pub problems: Vec<Diagnostic>,
}

/// Loads, links, renders and checks the site without writing anything. Never stops at the first
/// problem: as much of the site as can be checked is checked.
pub fn validate(options: &BuildOptions, config: SiteConfig) -> Validated {
    let root = &options.root;
    let templates = Templates::load(root);
    let content = content::load(
        root,
        LoadOptions {
            include_drafts: options.include_drafts,
        },
    );
    let (site, mut problems) = site::link(config, content);
    let (bodies, mut body_problems) = render::render_bodies(&site);
    problems.append(&mut body_problems);
    // The warnings (one core) are collected while the pages render (the other cores).
    let (mut warnings, (outputs, mut page_problems)) = rayon::join(
        || warnings::collect(&site, &bodies, warnings::latest_date_today().as_ref()),
        || match templates {
            Ok(mut templates) => {
                let (outputs, mut page_problems) = render::render_site(
                    &site,
                    &bodies,
                    &mut templates,
                    &root.join(crate::assets::STATIC_DIR),
                );
                page_problems.extend(output::collisions(&outputs));
                (outputs, page_problems)
            }
            Err(template_problems) => (Vec::new(), template_problems),
        },
    );
    problems.append(&mut warnings);
    problems.append(&mut page_problems);
    diagnostic::sort(&mut problems);
    Validated {
        site,
        outputs,
        problems,
    }
}

/// Loads, links and renders the site without writing anything; fails when any problem is an
/// error.
pub fn render_site(options: &BuildOptions, config: SiteConfig) -> Result<RenderedSite> {
    let Validated {
        site,
        outputs,
        problems,
    } = validate(options, config);
    if problems.iter().any(|d| d.severity == Severity::Error) {
        return Err(finish(problems));
    }
    Ok(RenderedSite {
        site,
        outputs,
        warnings: problems,
    })
}

fn finish(mut problems: Vec<Diagnostic>) -> Error {
    diagnostic::sort(&mut problems);
    Error::Diagnostics(problems)
}

/// Builds the site at `options.root` into its output folder.
pub fn build(options: &BuildOptions) -> Result<BuildSummary> {
    let started = Instant::now();
    let config = load_config(options)?;
    let output_dir = output_dir(options, &config);
    output::check_output_dir(&options.root, &output_dir)?;
    let rendered = render_site(options, config)?;
    output::write_atomically(&rendered.outputs, &output_dir)?;
    Ok(BuildSummary {
        articles: rendered.site.articles.len(),
        categories: rendered.site.categories.len().saturating_sub(1),
        output_dir,
        elapsed: started.elapsed(),
        warnings: rendered.warnings,
    })
}

/// The output folder: `--output`, else `output_dir` from kb.yaml, relative to the site root.
pub fn output_dir(options: &BuildOptions, config: &SiteConfig) -> PathBuf {
    match &options.output {
        Some(dir) => dir.clone(),
        None => join_root(&options.root, &config.output_dir),
    }
}

fn join_root(root: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    }
}
