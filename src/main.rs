//! The `kb` command line: parses arguments, calls the library, prints problems, owns the exit code.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use kb::diagnostic::{Diagnostic, Severity};
use kb::{BuildOptions, Error};

/// A static help-site generator for error-code knowledge bases.
#[derive(Parser)]
#[command(name = "kb", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into its output folder (public/ by default).
    Build {
        /// The site's root folder, holding kb.yaml and content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site (default: `output_dir` from kb.yaml, else public/ under the root).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// The address the site is published at, e.g. https://example.com/help/ (overrides kb.yaml).
        #[arg(long)]
        base_url: Option<String>,
        /// Include articles marked `draft: true`.
        #[arg(long)]
        drafts: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { root, output, base_url, drafts } => {
            let options = BuildOptions { root, output, base_url, include_drafts: drafts };
            match kb::build(&options) {
                Ok(summary) => {
                    print_diagnostics(&summary.warnings);
                    println!(
                        "Built {} articles in {} categories in {} ms → {}",
                        summary.articles,
                        summary.categories,
                        summary.elapsed.as_millis(),
                        summary.output_dir.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(error) => report(error),
            }
        }
    }
}

fn report(error: Error) -> ExitCode {
    match error {
        Error::Diagnostics(diagnostics) => {
            print_diagnostics(&diagnostics);
            ExitCode::from(1)
        }
        other => {
            eprintln!("error: {other}");
            ExitCode::from(2)
        }
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let mut stderr = std::io::stderr().lock();
    for diagnostic in diagnostics {
        let _ = writeln!(stderr, "{diagnostic}");
    }
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diagnostics.len() - errors;
    if errors > 0 {
        let _ = writeln!(stderr, "error: build failed with {errors} error(s) and {warnings} warning(s)");
    } else if warnings > 0 {
        let _ = writeln!(stderr, "warning: {warnings} warning(s)");
    }
}
