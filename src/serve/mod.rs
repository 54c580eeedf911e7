//! `kb serve`: builds the site into memory, serves it over HTTP, watches its sources, rebuilds
//! what changed and tells open pages to reload.
//!
//! Two sides share one [`ServeState`]: the HTTP workers ([`http`]) read the last good build, its
//! generation and the last error from it; the watcher's callback ([`watch`] → [`rebuild`])
//! replaces them after each build and notifies the pages ([`reload`]). Nothing is global.

mod addresses;
mod bodies;
pub mod fingerprint;
mod finish;
pub mod http;
pub mod rebuild;
pub mod reload;
mod search;
mod sources;
pub mod state;
pub mod watch;

use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::build::{self, BuildOptions};
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::{Error, Result};
use rebuild::{Rebuilder, Rebuilt};
pub use state::ServeState;
use watch::{Changes, WatchOptions, Watched};

/// The port tried first when none is asked for.
pub const DEFAULT_PORT: u16 = 1111;
/// How many ports after [`DEFAULT_PORT`] are tried when it is taken.
const PORTS_TRIED: u16 = 20;
/// Threads answering requests (event streams do not hold one).
const WORKERS: usize = 8;
/// How often idle event streams get a keep-alive comment, which also finds closed ones.
const PING_INTERVAL: Duration = Duration::from_secs(15);

/// Options of `kb serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub interface: IpAddr,
    /// `None`: [`DEFAULT_PORT`] or the next free one; `Some(0)`: any free port.
    pub port: Option<u16>,
    pub open: bool,
    pub include_drafts: bool,
    pub poll: bool,
}

/// Runs `kb serve` until Ctrl-C.
pub fn serve(options: &ServeOptions) -> Result<()> {
    let listener = bind(options.interface, options.port)?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::Usage(format!("cannot read the server's address: {e}")))?;
    let origin = format!("http://{}", display_address(address));
    let build_options = BuildOptions {
        root: options.root.clone(),
        output: None,
        base_url: None,
        include_drafts: options.include_drafts,
    };
    let config = build::load_config(&build_options).ok();
    let base_path = config
        .as_ref()
        .map_or_else(|| "/".to_string(), |c| c.base_url.path.clone());
    let output = config.map_or_else(
        || options.root.join("public"),
        |c| build::output_dir(&build_options, &c),
    );
    let state = Arc::new(ServeState::new(&base_path));
    let rebuilder = Rebuilder::serving(build_options, Some(origin.clone()));
    let watched = Watched {
        root: absolute(&options.root),
        output: absolute(&output),
    };
    // The watches are in place before the first build, and both before the address is
    // printed: nothing saved after that line is missed.
    let ready = start_watching(
        watched,
        WatchOptions { poll: options.poll },
        rebuilder,
        &state,
    );
    let _ = ready.recv();
    let server = tiny_http::Server::from_listener(listener, None)
        .map_err(|e| Error::Usage(format!("cannot start the server on {origin}: {e}")))?;
    let server = Arc::new(server);
    start_workers(&server, &state);
    start_pings(&state);
    let url = format!("{origin}{base_path}");
    println!("Serving the site at {url} (Ctrl-C to stop)");
    flush();
    if options.open {
        open_browser(&url);
    }
    wait_for_ctrl_c()?;
    server.unblock();
    println!("Stopped.");
    Ok(())
}

/// Watches the sources on a thread of its own, which builds the site once the watches are in
/// place and then after every change. The receiver hears once that first build is done.
fn start_watching(
    watched: Watched,
    options: WatchOptions,
    mut rebuilder: Rebuilder,
    state: &Arc<ServeState>,
) -> std::sync::mpsc::Receiver<()> {
    let (ready, built) = std::sync::mpsc::channel();
    let state = Arc::clone(state);
    std::thread::spawn(move || {
        let mut first_build = Some(ready);
        let watching = watch::watch(&watched, options, |changes| {
            run_build(&mut rebuilder, &state, &changes);
            if let Some(ready) = first_build.take() {
                let _ = ready.send(());
            }
            true
        });
        if let Err(e) = watching {
            eprintln!("error: {e}\n  = help: pages are served, but will not reload; try `--poll`");
            if let Some(ready) = first_build.take() {
                run_build(&mut rebuilder, &state, &Changes::everything());
                let _ = ready.send(());
            }
        }
    });
    built
}

/// Rebuilds and publishes the result (or shows the errors), printing what happened.
fn run_build(rebuilder: &mut Rebuilder, state: &ServeState, changes: &Changes) {
    match rebuilder.rebuild(changes) {
        Ok(rebuilt) => {
            let refresh_static = changes.statics || rebuilt.full;
            let changed = state.publish(rebuilder.outputs_changed(), refresh_static);
            report(&rebuilt, changed.len(), changes);
        }
        Err(Error::Diagnostics(diagnostics)) => {
            print_problems(&diagnostics);
            state.fail(&diagnostics);
        }
        Err(other) => {
            eprintln!("error: {other}");
            let problem = Diagnostic::error(other.to_string());
            state.fail(&[problem]);
        }
    }
    flush();
}

fn report(rebuilt: &Rebuilt, changed: usize, changes: &Changes) {
    print_problems(&rebuilt.warnings);
    let what = if changes.everything && changes.content.is_empty() {
        format!(
            "Built {} articles in {} categories",
            rebuilt.articles, rebuilt.categories
        )
    } else {
        let sources: Vec<String> = changes
            .content
            .iter()
            .take(3)
            .map(|p| p.display().to_string())
            .collect();
        let more = changes.content.len().saturating_sub(3);
        let mut names = sources.join(", ");
        if more > 0 {
            names += &format!(" and {more} more");
        }
        if changes.templates {
            names = "templates".into();
        }
        if changes.config {
            names = "kb.yaml".into();
        }
        if names.is_empty() && changes.statics {
            names = "static files".into();
        }
        format!(
            "Rebuilt ({names}): {} pages rendered, {changed} files changed",
            rebuilt.pages_rendered
        )
    };
    println!("{what} in {} ms", rebuilt.elapsed.as_millis());
}

fn print_problems(diagnostics: &[Diagnostic]) {
    let mut stderr = std::io::stderr().lock();
    for diagnostic in diagnostics {
        let _ = writeln!(stderr, "{diagnostic}");
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if errors > 0 {
        let _ = writeln!(
            stderr,
            "error: build failed with {errors} error(s); still serving the last good build"
        );
    }
}

fn flush() {
    let _ = std::io::stdout().flush();
}

/// Binds the port asked for, or the default port or the next free one after it.
fn bind(interface: IpAddr, port: Option<u16>) -> Result<TcpListener> {
    let in_use = |port: u16, e: &std::io::Error| {
        Error::Usage(format!(
            "cannot listen on {}: {e}; the port may be in use by another program: pass another \
             `--port`, or `--port 0` for any free port",
            display_address(SocketAddr::new(interface, port))
        ))
    };
    match port {
        Some(port) => TcpListener::bind((interface, port)).map_err(|e| in_use(port, &e)),
        None => {
            let mut last = None;
            for port in DEFAULT_PORT..DEFAULT_PORT + PORTS_TRIED {
                match TcpListener::bind((interface, port)) {
                    Ok(listener) => return Ok(listener),
                    Err(e) => last = Some((port, e)),
                }
            }
            let (port, e) = last.unwrap_or_else(|| unreachable!("at least one port was tried"));
            Err(in_use(port, &e))
        }
    }
}

fn display_address(address: SocketAddr) -> String {
    match address.ip() {
        IpAddr::V6(ip) => format!("[{ip}]:{}", address.port()),
        IpAddr::V4(ip) => format!("{ip}:{}", address.port()),
    }
}

fn start_workers(server: &Arc<tiny_http::Server>, state: &Arc<ServeState>) {
    for _ in 0..WORKERS {
        let server = Arc::clone(server);
        let state = Arc::clone(state);
        std::thread::spawn(move || {
            while let Ok(request) = server.recv() {
                // A bug in answering one request must not take a worker away from the others.
                let answered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    http::handle(request, &state);
                }));
                if answered.is_err() {
                    eprintln!(
                        "error: kb serve failed to answer a request (a bug; please report it)"
                    );
                }
            }
        });
    }
}

fn start_pings(state: &Arc<ServeState>) {
    let state = Arc::clone(state);
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(PING_INTERVAL);
            state.clients.ping();
        }
    });
}

fn wait_for_ctrl_c() -> Result<()> {
    let (sender, receiver) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = sender.send(());
    })
    .map_err(|e| Error::Usage(format!("cannot handle Ctrl-C: {e}")))?;
    let _ = receiver.recv();
    Ok(())
}

fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let opened = std::process::Command::new(command)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if opened.is_err() {
        eprintln!("warning: could not open a browser ({command}); open {url} yourself");
    }
}

fn absolute(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
