//! `kb build`: load → link → render → write, with every problem of the build collected and
//! reported together.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::{self, BaseUrl, SiteConfig};
use crate::content::{self, LoadOptions};
use crate::diagnostic::{self, Diagnostic, Severity};
use crate::error::{Error, Result};
use crate::output::{self, Output, Sink};
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

/// Everything a build finds: the linked site and every problem (errors and warnings, sorted).
/// `kb check` reports this; `kb build` commits the pages it wrote when no problem is an error.
pub struct Validated {
    pub site: Site,
    pub problems: Vec<Diagnostic>,
    /// The first output that could not be written.
    pub write_error: Option<Error>,
}

/// Loads, links, renders and checks the site, handing every output to `sink` as it is made.
/// Never stops at the first problem: as much of the site as can be checked is checked.
pub fn generate(options: &BuildOptions, config: SiteConfig, sink: &dyn Sink) -> Validated {
    generate_keeping(options, config, sink, content::KEPT_BODIES_BYTES)
}

/// [`generate`] keeping the articles' bodies from loading to rendering while their text adds
/// up to at most `kept_bytes` ([`content::load_keeping`]).
fn generate_keeping(
    options: &BuildOptions,
    config: SiteConfig,
    sink: &dyn Sink,
    kept_bytes: usize,
) -> Validated {
    let root = &options.root;
    let templates = Templates::load(root);
    let load_options = LoadOptions {
        include_drafts: options.include_drafts,
    };
    // With templates, every article's page is rendered from its body, read again then on a big
    // site; without, the bodies are only checked, from memory.
    let content = if templates.is_ok() {
        content::load_keeping(root, load_options, kept_bytes)
    } else {
        content::load(root, load_options)
    };
    let (mut site, mut problems) = site::link(config, content);
    let today = warnings::latest_date_today();
    let mut write_error = None;
    match templates {
        Ok(mut templates) => {
            let taken = take_kept_bodies(&mut site);
            let site = &site;
            let streamed = render::stream_site(
                site,
                taken,
                &mut templates,
                root,
                sink,
                || warnings::front_matter(site, today.as_ref()),
                |found, bodies| found.with_bodies(site, bodies),
            );
            problems.extend(streamed.problems);
            problems.extend(render::collisions(site, &streamed.placed));
            // A place for every output: at 100,000 articles, freeing them took 25 ms at the end.
            drop_aside(streamed.placed);
            write_error = streamed.write_error;
        }
        Err(template_problems) => {
            // Without templates there are no pages, but the content is still checked.
            let (bodies, body_problems) = render::render_bodies(&site);
            problems.extend(body_problems);
            problems.extend(template_problems);
            problems.extend(warnings::collect(&site, &bodies, today.as_ref()));
        }
    }
    diagnostic::sort(&mut problems);
    Validated {
        site,
        problems,
        write_error,
    }
}

/// Every article's kept body, taken out of the site ([`content::Source::take_whole`]), by
/// article id. On all cores: each take copies a first line and a path, which for every article
/// of a big site was a few milliseconds with the other core idle.
fn take_kept_bodies(site: &mut Site) -> Vec<Option<content::Source>> {
    use rayon::prelude::*;
    (site.articles.par_iter_mut())
        .map(|article| article.source.take_whole())
        .collect()
}

/// Loads, links, renders and checks the site without writing anything.
pub fn validate(options: &BuildOptions, config: SiteConfig) -> Validated {
    generate(options, config, &output::Discard)
}

/// Loads, links and renders the site into memory; fails when any problem is an error.
pub fn render_site(options: &BuildOptions, config: SiteConfig) -> Result<RenderedSite> {
    let collected = output::Collected::default();
    let Validated { site, problems, .. } = generate(options, config, &collected);
    if problems.iter().any(|d| d.severity == Severity::Error) {
        return Err(finish(problems));
    }
    let mut outputs = collected.into_outputs();
    outputs.sort_by(|a, b| a.url.cmp(&b.url));
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

/// Builds the site at `options.root` into its output folder. The pages are written into a
/// staging folder as they are made, which replaces the output folder only when the build has
/// no error.
pub fn build(options: &BuildOptions) -> Result<BuildSummary> {
    let started = Instant::now();
    let config = load_config(options)?;
    let output_dir = output_dir(options, &config);
    output::check_output_dir(&options.root, &output_dir)?;
    let staging = output::Staging::create(&output_dir)?;
    let Validated {
        site,
        problems,
        write_error,
    } = generate(options, config, &staging);
    if problems.iter().any(|d| d.severity == Severity::Error) {
        return Err(finish(problems));
    }
    if let Some(error) = write_error {
        return Err(error);
    }
    staging.commit()?;
    let summary = BuildSummary {
        articles: site.articles.len(),
        categories: site.categories.len().saturating_sub(1),
        output_dir,
        elapsed: started.elapsed(),
        warnings: problems,
    };
    drop_aside(site);
    Ok(summary)
}

/// Drops `value` on a thread of its own, so that the caller does not wait for it: a big site is
/// millions of small allocations, and `kb build` has nothing left to do with them but to exit.
fn drop_aside<T: Send + 'static>(value: T) {
    // Should no thread be available, the value is dropped here, with the closure.
    let _ = std::thread::Builder::new().spawn(move || drop(value));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What a build of the fixture `name` makes, keeping at most `kept_bytes` of bodies: every
    /// output's address and bytes, in address order.
    fn outputs(name: &str, kept_bytes: usize) -> Vec<(String, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        let options = BuildOptions {
            root: root.clone(),
            ..BuildOptions::default()
        };
        let config = load_config(&options).unwrap_or_else(|e| panic!("{name}: {e}"));
        let collected = output::Collected::default();
        let validated = generate_keeping(&options, config, &collected, kept_bytes);
        assert!(
            !(validated.problems.iter()).any(|d| d.severity == Severity::Error),
            "{:?}",
            validated.problems
        );
        let mut outputs: Vec<(String, String)> = (collected.into_outputs().into_iter())
            .map(|output| (output.url.to_string(), format!("{:?}", output.content)))
            .collect();
        outputs.sort();
        outputs
    }

    /// A site too big to keep its bodies reads those over the budget (here all, or all but up
    /// to three) again when their pages are made, through the folder handles, and builds what
    /// keeping them builds.
    #[test]
    fn bodies_read_again_build_what_kept_bodies_build() {
        for name in ["catalogs", "theme"] {
            let kept = outputs(name, content::KEPT_BODIES_BYTES);
            assert!(kept.len() > 10, "{name}: {} outputs", kept.len());
            for budget in [0, 600] {
                assert_eq!(outputs(name, budget), kept, "{name}, {budget}");
            }
        }
    }
}
