//! `kb check`: everything `kb build` validates, plus the [`warnings`](crate::warnings), without
//! writing a file. The report prints for people (rustc-style diagnostics) or as JSON for CI and
//! editors; the JSON shape is documented in `docs/check.md` and only ever grows.

use std::path::PathBuf;

use serde::Serialize;

use crate::build::{self, BuildOptions, Validated};
use crate::config::CONFIG_FILE;
use crate::diagnostic::{self, Diagnostic, Severity};
use crate::error::{Error, Result};
use crate::output;
use crate::paths::SourcePath;

/// The version of the JSON report; raised only if a field changes meaning or goes away.
pub const JSON_VERSION: u32 = 1;

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// The site root (holding `kb.yaml`, `content/`, …).
    pub root: PathBuf,
    /// Warnings count as errors.
    pub strict: bool,
    pub include_drafts: bool,
}

/// What a check found.
#[derive(Debug)]
pub struct CheckReport {
    pub articles: usize,
    pub categories: usize,
    /// Every problem, sorted by file, line and column. Under `strict`, warnings are errors.
    pub diagnostics: Vec<Diagnostic>,
    pub strict: bool,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// Whether the site passed: no errors (warnings are errors under `--strict`).
    pub fn passed(&self) -> bool {
        self.errors() == 0
    }

    /// The report as pretty-printed JSON, fields in a fixed order (see `docs/check.md`).
    pub fn to_json(&self) -> String {
        let report = JsonReport {
            version: JSON_VERSION,
            ok: self.passed(),
            strict: self.strict,
            articles: self.articles,
            categories: self.categories,
            errors: self.errors(),
            warnings: self.warnings(),
            diagnostics: self.diagnostics.iter().map(JsonDiagnostic::from).collect(),
        };
        serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    ok: bool,
    strict: bool,
    articles: usize,
    categories: usize,
    errors: usize,
    warnings: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    message: &'a str,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_column: Option<usize>,
    help: Option<&'a str>,
}

impl<'a> From<&'a Diagnostic> for JsonDiagnostic<'a> {
    fn from(diagnostic: &'a Diagnostic) -> Self {
        let location = diagnostic.location.as_ref();
        JsonDiagnostic {
            severity: diagnostic.severity,
            message: &diagnostic.message,
            file: diagnostic.file.as_ref().map(ToString::to_string),
            line: location.map(|l| l.line),
            column: location.map(|l| l.column),
            end_column: location.map(|l| l.column + l.length),
            help: diagnostic.help.as_deref(),
        }
    }
}

/// Checks the site at `options.root`. Problems in the site are in the report; an `Err` means
/// the check could not run at all (no such folder, an unreadable `kb.yaml`).
pub fn check(options: &CheckOptions) -> Result<CheckReport> {
    if !options.root.is_dir() {
        return Err(Error::Usage(format!(
            "the site root {} is not a folder",
            options.root.display()
        )));
    }
    let build_options = BuildOptions {
        root: options.root.clone(),
        output: None,
        base_url: None,
        include_drafts: options.include_drafts,
    };
    let config = match build::load_config(&build_options) {
        Ok(config) => config,
        Err(Error::Diagnostics(problems)) => {
            return Ok(finish(options, problems, 0, 0));
        }
        Err(other) => return Err(other),
    };
    let mut problems = Vec::new();
    let output_dir = build::output_dir(&build_options, &config);
    match output::check_output_dir(&options.root, &output_dir) {
        Err(Error::Usage(why)) => problems.push(
            Diagnostic::error(why)
                .in_file(&SourcePath::new(CONFIG_FILE))
                .with_help("set `output_dir` to a folder of its own, such as `public`"),
        ),
        Err(other) => return Err(other),
        Ok(()) => {}
    }
    let Validated {
        site,
        problems: mut found,
        ..
    } = build::validate(&build_options, config);
    problems.append(&mut found);
    let categories = site.categories.len().saturating_sub(1);
    Ok(finish(options, problems, site.articles.len(), categories))
}

fn finish(
    options: &CheckOptions,
    mut diagnostics: Vec<Diagnostic>,
    articles: usize,
    categories: usize,
) -> CheckReport {
    if options.strict {
        for diagnostic in &mut diagnostics {
            diagnostic.severity = Severity::Error;
        }
    }
    diagnostic::sort(&mut diagnostics);
    CheckReport {
        articles,
        categories,
        diagnostics,
        strict: options.strict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;

    #[test]
    fn json_diagnostics_have_a_fixed_shape() {
        let text = "---\nrelatd: [403]\n---\n";
        let report = CheckReport {
            articles: 1,
            categories: 0,
            diagnostics: vec![
                Diagnostic::error("unknown key `relatd`")
                    .in_file(&SourcePath::new("content/a.md"))
                    .at(Location::at(text, 4, 6))
                    .with_help("did you mean `related`?"),
                Diagnostic::warning("site-wide"),
            ],
            strict: false,
        };
        let expected = serde_json::json!({
            "version": 1, "ok": false, "strict": false, "articles": 1, "categories": 0,
            "errors": 1, "warnings": 1,
            "diagnostics": [
                {"severity": "error", "message": "unknown key `relatd`", "file": "content/a.md",
                 "line": 2, "column": 1, "end_column": 7, "help": "did you mean `related`?"},
                {"severity": "warning", "message": "site-wide", "file": null, "line": null,
                 "column": null, "end_column": null, "help": null},
            ],
        });
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap_or_default();
        assert_eq!(json, expected);
    }
}
