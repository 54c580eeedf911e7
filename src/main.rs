//! The `kb` command line: parses arguments, calls the library, prints problems, owns the exit code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use kb::check::CheckOptions;
use kb::diagnostic::{self, Diagnostic};
use kb::explain::ExplainOptions;
use kb::new::NewOptions;
use kb::{BuildOptions, Error};

#[global_allocator]
static ALLOCATOR: Mimalloc = Mimalloc;

/// mimalloc, asked for aligned memory only when the usual alignment is not enough. (The
/// `mimalloc` crate asks for every allocation by its alignment, and mimalloc's aligned entry
/// points check and branch more before they get to the same blocks: about 2% of a build's
/// instructions.)
struct Mimalloc;

/// The alignment of every block `mi_malloc` returns of at least this size (`MI_MAX_ALIGN_SIZE`,
/// as C's `malloc` guarantees for `max_align_t`); a smaller block is aligned to a power of two
/// at least its size.
const MALLOC_ALIGNMENT: usize = 16;

/// Whether a block of `size` bytes from `mi_malloc` has the alignment `align` (as std's own
/// allocator decides for `malloc`).
fn plainly_aligned(size: usize, align: usize) -> bool {
    align <= MALLOC_ALIGNMENT && align <= size
}

// SAFETY: every block comes from mimalloc, aligned as the layout asks (by `mi_malloc` when its
// own alignment is enough, by the aligned calls otherwise), and goes back to it by `mi_free`,
// which takes blocks of either kind.
unsafe impl std::alloc::GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_malloc, mi_malloc_aligned};
        // SAFETY: plain calls of the allocator with a size and a power-of-two alignment.
        unsafe {
            if plainly_aligned(layout.size(), layout.align()) {
                mi_malloc(layout.size()).cast()
            } else {
                mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_zalloc, mi_zalloc_aligned};
        // SAFETY: as in `alloc`.
        unsafe {
            if plainly_aligned(layout.size(), layout.align()) {
                mi_zalloc(layout.size()).cast()
            } else {
                mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        // SAFETY: `ptr` is a block this allocator gave out (the caller's promise).
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        use libmimalloc_sys::{mi_realloc, mi_realloc_aligned};
        // SAFETY: `ptr` is a block this allocator gave out with `layout` (the caller's promise);
        // the new block keeps its alignment.
        unsafe {
            if plainly_aligned(new_size, layout.align()) {
                mi_realloc(ptr.cast(), new_size).cast()
            } else {
                mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

/// Turns transparent huge pages off for this process. The allocator asks for them, and then
/// every first touch of its memory zeroes 2 MiB: a build's peak memory was a fifth higher
/// (180 against 141 MiB at 10,000 articles, 891 against 846 MiB at 100,000) for no gain in
/// time, and the kernel's cost of zeroing varied widely from run to run.
fn without_huge_pages() {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

/// Lets the process end without the allocator's clean-up. At exit, mimalloc frees and hands
/// back every page it holds, which the system does anyway as the process ends: that took 12–15 ms
/// after a 0.7 s build of 10,000 articles, and over half a second of CPU at 100,000.
fn without_allocator_cleanup_at_exit() {
    // `mi_option_destroy_on_exit` of mimalloc.h, which libmimalloc-sys does not name; a value
    // above 1 skips the clean-up at exit (`_mi_auto_process_done`).
    const DESTROY_ON_EXIT: libmimalloc_sys::mi_option_t = 22;
    // SAFETY: sets one integer option of the allocator; nothing else runs yet.
    unsafe { libmimalloc_sys::mi_option_set(DESTROY_ON_EXIT, 2) }
}

/// Raises the number of files the process may have open to what the system allows, up to
/// 16,384. A build writes a big site's pages through handles held open on its folders, as many
/// as the limit leaves room for, and the usual limits (1,024 on Linux, 256 on macOS) leave room
/// for fewer folders than a site of 100,000 articles has: pages in the others are written by
/// their whole path, which took a tenth of such a build.
fn with_more_open_files() {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        const WANTED: u64 = 16_384;
        let limit = getrlimit(Resource::Nofile);
        let wanted = limit.maximum.map_or(WANTED, |most| most.min(WANTED));
        if limit.current.is_some_and(|current| current < wanted) {
            // Refused (macOS caps it below its hard limit, for one), the limit stays.
            let _ = setrlimit(
                Resource::Nofile,
                Rlimit {
                    current: Some(wanted),
                    maximum: limit.maximum,
                },
            );
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Human,
    Json,
}

/// A static help-site generator for error-code knowledge bases.
#[derive(Parser)]
#[command(name = "kb", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a new article from the archetype (templates/archetype.md overrides the default) and
    /// print its path. Never overwrites a file; refuses a code its catalog already has.
    New {
        /// The error code, exactly as it should be written, e.g. 404, E0308 or 401.1.
        code: String,
        /// The catalog (top-level folder of content/) to put it in, e.g. http.
        #[arg(long)]
        catalog: Option<String>,
        /// The category folder below content/, e.g. http/4xx (default: the catalog's folder).
        #[arg(long)]
        category: Option<String>,
        /// The article's title (default: a TODO to replace).
        #[arg(long)]
        title: Option<String>,
        /// The site's root folder, holding kb.yaml and content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Create a new site (kb.yaml, a catalog, one article) that builds and checks clean.
    Init {
        /// Where to create it (made if missing).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Add the files to a folder that is not empty; existing files are still never replaced.
        #[arg(long)]
        force: bool,
    },
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
    /// Check the site like `build` does, plus warnings, without writing anything.
    ///
    /// Exit status: 0 no errors, 1 errors (or warnings with --strict), 2 could not run.
    Check {
        /// The site's root folder, holding kb.yaml and content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        /// `human` (diagnostics on stderr) or `json` (one JSON document on stdout, see docs/check.md).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Include articles marked `draft: true`.
        #[arg(long)]
        drafts: bool,
    },
    /// Serve the site locally, rebuild it when a source changes and reload the browser.
    ///
    /// Pages are served from memory with a live-reload script added; the output folder is
    /// neither read nor written. A build error is shown in the terminal and over the page.
    Serve {
        /// The site's root folder, holding kb.yaml and content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The address to listen on; loopback by default, so only this machine sees the site.
        #[arg(long, default_value = "127.0.0.1")]
        interface: std::net::IpAddr,
        /// The port (default 1111, or the next free one when it is taken; 0 for any free port).
        #[arg(long)]
        port: Option<u16>,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Include articles marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Poll for changes instead of relying on file-system events (WSL, Docker volumes,
        /// network drives).
        #[arg(long)]
        poll: bool,
    },
    /// Print the article for an error code as plain text, like `rustc --explain`.
    ///
    /// The code is matched case-insensitively; write `catalog/code` (e.g. `http/401`) when
    /// several catalogs have it. Exit status: 0 found, 1 not found, 2 could not run.
    Explain {
        /// The code: 401, E0308, vendor/401.1 …
        code: String,
        /// The site's root folder, holding kb.yaml and content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

fn main() -> ExitCode {
    without_huge_pages();
    without_allocator_cleanup_at_exit();
    with_more_open_files();
    let cli = Cli::parse();
    match cli.command {
        Command::New {
            code,
            catalog,
            category,
            title,
            root,
        } => new_article(NewOptions {
            root,
            code,
            catalog,
            category,
            title,
        }),
        Command::Init { dir, force } => init(&dir, force),
        Command::Explain { code, root } => explain(ExplainOptions { root, code }),
        Command::Serve {
            root,
            interface,
            port,
            open,
            drafts,
            poll,
        } => {
            let options = kb::serve::ServeOptions {
                root,
                interface,
                port,
                open,
                include_drafts: drafts,
                poll,
            };
            match kb::serve::serve(&options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => report(error),
            }
        }
        Command::Check {
            root,
            strict,
            format,
            drafts,
        } => check(
            CheckOptions {
                root,
                strict,
                include_drafts: drafts,
            },
            format,
        ),
        Command::Build {
            root,
            output,
            base_url,
            drafts,
        } => {
            let options = BuildOptions {
                root,
                output,
                base_url,
                include_drafts: drafts,
            };
            match kb::build(&options) {
                Ok(summary) => {
                    print_diagnostics(&summary.warnings);
                    println!(
                        "Built {} articles in {} categories in {} ms → {}",
                        summary.articles,
                        summary.categories,
                        summary.elapsed.as_millis(),
                        shown_folder(&summary.output_dir)
                    );
                    ExitCode::SUCCESS
                }
                Err(error) => report(error),
            }
        }
    }
}

fn explain(options: ExplainOptions) -> ExitCode {
    match kb::explain::explain(&options) {
        Ok(text) => {
            // A closed pipe (`kb explain 401 | head`) is not an error worth a panic.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(Error::Diagnostics(diagnostics)) => {
            print_report(&diagnostics, "explain");
            ExitCode::from(1)
        }
        Err(other) => report(other),
    }
}

/// A folder as the summary line shows it: `public/` rather than `./public`.
fn shown_folder(path: &Path) -> String {
    let path = path.strip_prefix(".").unwrap_or(path);
    format!("{}/", path.display())
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

fn new_article(options: NewOptions) -> ExitCode {
    match kb::new::new_article(&options) {
        Ok(path) => {
            // `--root .` (the default) prints `content/…`, ready to open.
            println!("{}", path.strip_prefix(".").unwrap_or(&path).display());
            ExitCode::SUCCESS
        }
        Err(Error::Diagnostics(diagnostics)) => {
            print_report(&diagnostics, "new");
            ExitCode::from(1)
        }
        Err(error) => report(error),
    }
}

fn init(dir: &Path, force: bool) -> ExitCode {
    match kb::init::init(dir, force) {
        Ok(summary) => {
            for file in &summary.kept {
                println!("kept     {} (it exists)", file.display());
            }
            for file in &summary.created {
                println!("created  {}", file.display());
            }
            if summary.root == Path::new(".") {
                println!(
                    "\nA new site is in this folder. Next:\n  kb build\n  kb new E1002 --catalog app"
                );
            } else {
                let root = summary.root.display();
                println!(
                    "\nA new site is in {root}. Next:\n  kb build --root {root}\n  kb new E1002 --catalog app --root {root}"
                );
            }
            ExitCode::SUCCESS
        }
        Err(error) => report(error),
    }
}

fn check(options: CheckOptions, format: Format) -> ExitCode {
    let report = match kb::check::check(&options) {
        Ok(report) => report,
        Err(error) => return report(error),
    };
    match format {
        Format::Json => println!("{}", report.to_json()),
        Format::Human => {
            print_report(&report.diagnostics, "check");
            if report.passed() {
                let found = match report.warnings() {
                    0 => "no problems found".to_string(),
                    n => format!("{n} warning(s)"),
                };
                println!(
                    "Checked {} articles in {} categories: {found}",
                    report.articles, report.categories
                );
            }
        }
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Prints a build's diagnostics and their count on stderr.
fn print_diagnostics(diagnostics: &[Diagnostic]) {
    print_report(diagnostics, "build");
}

/// Prints diagnostics and their count on stderr, in colour on a terminal unless `NO_COLOR`.
fn print_report(diagnostics: &[Diagnostic], action: &str) {
    let mut stderr = std::io::stderr().lock();
    let colour = diagnostic::use_colour(
        stderr.is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let _ = stderr.write_all(diagnostic::report(diagnostics, action, colour).as_bytes());
}

#[cfg(test)]
mod tests {
    use std::alloc::{GlobalAlloc, Layout};

    use super::Mimalloc;

    /// Every block is aligned as its layout asks, below, at and above the alignment of plain
    /// blocks, zeroed when asked, and keeps its bytes and alignment when it grows or shrinks.
    #[test]
    fn blocks_are_aligned_as_asked_and_keep_their_bytes() {
        for align in [1, 2, 8, 16, 32, 64, 4096] {
            for size in [1, 3, 8, 24, 40, 100, 1000, 5000, 70_000] {
                let layout = Layout::from_size_align(size, align).expect("a layout");
                // SAFETY: a layout of non-zero size; each block is written within its size,
                // grown, shrunk and freed once, by the allocator that gave it.
                unsafe {
                    let zeroed = Mimalloc.alloc_zeroed(layout);
                    assert_eq!(zeroed as usize % align, 0, "zeroed {size} by {align}");
                    let bytes = std::slice::from_raw_parts(zeroed, size);
                    assert!(bytes.iter().all(|&b| b == 0), "zeroed {size} by {align}");
                    Mimalloc.dealloc(zeroed, layout);
                    let block = Mimalloc.alloc(layout);
                    assert_eq!(block as usize % align, 0, "{size} by {align}");
                    for i in 0..size {
                        block.add(i).write(i as u8);
                    }
                    let grown = Mimalloc.realloc(block, layout, size * 3);
                    assert_eq!(grown as usize % align, 0, "{size} by {align}, grown");
                    let grown_layout = Layout::from_size_align(size * 3, align).expect("a layout");
                    let shrunk = Mimalloc.realloc(grown, grown_layout, size.div_ceil(2));
                    assert_eq!(shrunk as usize % align, 0, "{size} by {align}, shrunk");
                    for i in 0..size.div_ceil(2) {
                        assert_eq!(shrunk.add(i).read(), i as u8, "{size} by {align}");
                    }
                    let shrunk_layout =
                        Layout::from_size_align(size.div_ceil(2), align).expect("a layout");
                    Mimalloc.dealloc(shrunk, shrunk_layout);
                }
            }
        }
    }
}
