//! A headless Chromium driven over WebDriver, for tests of what only a browser does (scripts,
//! layout, navigation).
//!
//! [`start`] launches `chromedriver` (found on `PATH`) on a free loopback port and opens a
//! session with a fresh profile. When Chromium or chromedriver is not installed it prints a
//! `SKIPPED` line and returns `None`, so `cargo test` passes on a machine without them; with
//! `KB_REQUIRE_BROWSER=1` (as CI sets) a missing browser is a failure instead.
//!
//! ```ignore
//! #[tokio::test]
//! async fn the_copy_button_copies_the_message() {
//!     let Some(browser) = browser::start().await else { return };
//!     browser.goto(&browser::file_url(&page)).await.unwrap();
//!     // … browser.find(Locator::Css("h1")).await …
//!     browser.close().await;
//! }
//! ```

use std::fs::File;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use tempfile::TempDir;

/// Chromium's flags for a quiet, reproducible headless run in a container.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Browser names tried on `PATH` when `/usr/bin/chromium` is absent.
const CHROMIUM_NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);

/// A WebDriver session in a headless Chromium. Dereferences to the [`fantoccini::Client`].
pub struct Browser {
    client: Option<Client>,
    driver: Child,
    /// Chromium's profile and chromedriver's log.
    scratch: TempDir,
}

impl Deref for Browser {
    type Target = Client;

    fn deref(&self) -> &Client {
        self.client
            .as_ref()
            .unwrap_or_else(|| unreachable!("the client lives until close"))
    }
}

impl Browser {
    /// Ends the session (which quits Chromium) and stops chromedriver.
    pub async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
    }

    /// chromedriver's output so far, for failure messages.
    pub fn driver_log(&self) -> String {
        std::fs::read_to_string(self.scratch.path().join("chromedriver.log")).unwrap_or_default()
    }
}

impl Drop for Browser {
    /// Also runs after a failed assertion, when [`Browser::close`] was never reached: stopping
    /// chromedriver's whole process group takes Chromium down with it.
    fn drop(&mut self) {
        stop(&mut self.driver);
    }
}

/// Starts a browser, or returns `None` (after printing why) when none is installed and
/// `KB_REQUIRE_BROWSER` is not `1`. Panics when an installed browser fails to start.
pub async fn start() -> Option<Browser> {
    start_with(&[]).await
}

/// Like [`start`], with extra Chromium flags, e.g. `--force-dark-mode` for
/// `prefers-color-scheme: dark`.
pub async fn start_with(extra_args: &[&str]) -> Option<Browser> {
    let (Some(driver), Some(chromium)) = (find_on_path(&["chromedriver"]), find_chromium()) else {
        let install = "install Debian's `chromium` and `chromium-driver`";
        assert!(
            std::env::var("KB_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "chromium/chromedriver not found and KB_REQUIRE_BROWSER=1: {install}"
        );
        eprintln!(
            "SKIPPED: chromium/chromedriver not found ({install}; KB_REQUIRE_BROWSER=1 makes this a failure)"
        );
        return None;
    };
    let scratch = tempfile::Builder::new()
        .prefix("kb-browser-")
        .tempdir()
        .unwrap_or_else(|e| panic!("cannot create a browser profile folder: {e}"));
    let port = free_port();
    let driver = spawn_driver(&driver, port, scratch.path());
    let mut browser = Browser {
        client: None,
        driver,
        scratch,
    };
    wait_until_listening(&mut browser, port).await;
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities(
            &chromium,
            &browser.scratch.path().join("profile"),
            extra_args,
        ))
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "cannot open a Chromium session: {e}\n{}",
                browser.driver_log()
            )
        });
    browser.client = Some(client);
    Some(browser)
}

/// The `file://` address of a local file, e.g. a page of a built site.
pub fn file_url(path: &Path) -> String {
    let absolute =
        std::fs::canonicalize(path).unwrap_or_else(|e| panic!("no file {}: {e}", path.display()));
    format!("file://{}", absolute.display())
}

fn capabilities(
    chromium: &Path,
    profile: &Path,
    extra_args: &[&str],
) -> fantoccini::wd::Capabilities {
    let mut args: Vec<String> = CHROMIUM_ARGS
        .iter()
        .chain(extra_args)
        .map(|a| a.to_string())
        .collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let options = serde_json::json!({ "binary": chromium, "args": args });
    let mut capabilities = fantoccini::wd::Capabilities::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    capabilities
}

fn spawn_driver(driver: &Path, port: u16, scratch: &Path) -> Child {
    let log_path = scratch.join("chromedriver.log");
    let log = File::create(&log_path)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", log_path.display()));
    let log_err = log
        .try_clone()
        .unwrap_or_else(|e| panic!("cannot share {}: {e}", log_path.display()));
    let mut command = Command::new(driver);
    command
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    // Its own process group, so that `stop` also reaches the Chromium it launched.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver.display()))
}

async fn wait_until_listening(browser: &mut Browser, port: u16) {
    let started = Instant::now();
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        if let Ok(Some(status)) = browser.driver.try_wait() {
            panic!(
                "chromedriver exited with {status} before listening\n{}",
                browser.driver_log()
            );
        }
        if started.elapsed() > STARTUP_TIMEOUT {
            panic!(
                "chromedriver did not listen on port {port} within {STARTUP_TIMEOUT:?}\n{}",
                browser.driver_log()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn stop(driver: &mut Child) {
    #[cfg(unix)]
    {
        // The group id is chromedriver's pid (see `spawn_driver`).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", driver.id())])
            .stderr(Stdio::null())
            .status();
    }
    let _ = driver.kill();
    let _ = driver.wait();
}

/// A port nobody listens on now. Another process could take it before chromedriver does; the
/// window is tiny and the failure would be loud.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .unwrap_or_else(|e| panic!("no free loopback port: {e}"))
}

fn find_chromium() -> Option<PathBuf> {
    let debian = Path::new("/usr/bin/chromium");
    if debian.is_file() {
        return Some(debian.to_path_buf());
    }
    find_on_path(CHROMIUM_NAMES)
}

fn find_on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}
