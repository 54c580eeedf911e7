//! The default theme in a real browser: accessibility (axe-core finds nothing), layout on a
//! phone, the copy buttons, the feedback form, and the screenshots in `docs/screenshots/`.
//!
//! The shipped site is built into a temporary folder and served over loopback HTTP, as a web
//! host would serve it. axe-core comes from npm: `npm ci --prefix tests/browser-deps`.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::browser::{self, Browser};
use common::static_server::StaticServer;
use common::{Site, repo_root};
use fantoccini::Locator;
use serde_json::{Value, json};

/// The pages every check visits: one of each kind the theme renders.
const PAGES: &[(&str, &str)] = &[
    ("home", "/"),
    ("category", "/http/4xx/"),
    ("article", "/http/4xx/401/"),
    ("search", "/search/?q=unauthorized"),
    ("404", "/no/such/page/"),
];

const PHONE: (u32, u32) = (375, 812);
const NARROWEST: (u32, u32) = (320, 640);
const DESKTOP: (u32, u32) = (1280, 900);

/// Builds the repository's own site into a temporary folder.
fn build_shipped() -> Site {
    let out = Site::empty();
    let root = repo_root();
    let public = out.public();
    let (Some(root), Some(public)) = (root.to_str(), public.to_str()) else {
        panic!("the repository or temporary path is not UTF-8");
    };
    out.kb(&["build", "--root", root, "--output", public])
        .assert_success();
    out
}

/// axe-core's script, or `None` (after saying why) when `npm ci` has not been run there.
fn axe_source() -> Option<String> {
    let path = repo_root().join("tests/browser-deps/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) => {
            let fix = "run `npm ci --prefix tests/browser-deps`";
            assert!(
                std::env::var("KB_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "axe-core is missing ({e}) and KB_REQUIRE_BROWSER=1: {fix}"
            );
            eprintln!(
                "SKIPPED: axe-core not installed at {} ({fix})",
                path.display()
            );
            None
        }
    }
}

async fn resize(browser: &Browser, (width, height): (u32, u32)) {
    browser
        .set_window_size(width, height)
        .await
        .unwrap_or_else(|e| panic!("cannot resize the window to {width}x{height}: {e}"));
    // The window includes no chrome in headless mode, so the viewport is the window.
    let inner = browser
        .execute("return window.innerWidth", vec![])
        .await
        .unwrap_or_default();
    assert_eq!(
        inner,
        json!(width),
        "the viewport did not take the width {width}"
    );
}

/// Opens a page and waits until its scripts have run (the search page fills its results).
async fn open(browser: &Browser, server: &StaticServer, path: &str) {
    let url = server.url(path);
    browser
        .goto(&url)
        .await
        .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        let ready = browser
            .execute(
                "return document.readyState === 'complete' && \
                 (!document.getElementById('search-status') || \
                  document.getElementById('search-status').textContent !== '')",
                vec![],
            )
            .await
            .unwrap_or_default();
        if ready == json!(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The rules axe-core breaks on the open page, one line per rule and element.
async fn axe_violations(browser: &Browser, axe: &str) -> Vec<String> {
    browser
        .execute(axe, vec![])
        .await
        .unwrap_or_else(|e| panic!("cannot inject axe-core: {e}"));
    // Collapsed parts (the extra message variants) are checked too.
    let script = r#"
        const done = arguments[arguments.length - 1];
        document.querySelectorAll('details').forEach(d => { d.open = true; });
        axe.run(document, { resultTypes: ['violations'] })
          .then(r => done(r.violations.flatMap(v => v.nodes.map(n =>
              `${v.id} (${v.impact}): ${v.help} at ${n.target.join(' ')}: ${n.failureSummary || ''}`))))
          .catch(e => done([`axe-core failed: ${e}`]));
    "#;
    let result = browser
        .execute_async(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("axe-core did not run: {e}"));
    match result {
        Value::Array(items) => items
            .into_iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect(),
        other => vec![format!("unexpected axe-core result: {other}")],
    }
}

#[tokio::test]
async fn axe_core_finds_no_violation_on_any_kind_of_page_light_or_dark_phone_or_desktop() {
    let Some(axe) = axe_source() else { return };
    let site = build_shipped();
    let server = StaticServer::start(&site.public());
    let mut violations = Vec::new();
    for (scheme, flags) in [("light", &[][..]), ("dark", &["--force-dark-mode"][..])] {
        let Some(browser) = browser::start_with(flags).await else {
            return;
        };
        for size in [PHONE, DESKTOP] {
            resize(&browser, size).await;
            for (name, path) in PAGES {
                open(&browser, &server, path).await;
                for violation in axe_violations(&browser, &axe).await {
                    violations.push(format!(
                        "{name} {path} ({scheme}, {}px): {violation}",
                        size.0
                    ));
                }
            }
        }
        browser.close().await;
    }
    assert!(
        violations.is_empty(),
        "axe-core found {} violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

#[tokio::test]
async fn no_page_scrolls_sideways_on_a_320px_screen() {
    let site = build_shipped();
    let server = StaticServer::start(&site.public());
    let Some(browser) = browser::start().await else {
        return;
    };
    resize(&browser, NARROWEST).await;
    let mut too_wide = Vec::new();
    for (name, path) in PAGES
        .iter()
        .chain(&[("codes", "/codes/"), ("long article", "/http/5xx/500/")])
    {
        open(&browser, &server, path).await;
        let width = browser
            .execute("return document.documentElement.scrollWidth", vec![])
            .await
            .unwrap_or_default();
        if width.as_u64().is_none_or(|w| w > u64::from(NARROWEST.0)) {
            too_wide.push(format!("{name} {path}: {width}px wide"));
        }
    }
    browser.close().await;
    assert!(
        too_wide.is_empty(),
        "pages wider than the screen:\n{}",
        too_wide.join("\n")
    );
}

#[tokio::test]
async fn the_first_tab_shows_the_skip_link_with_a_focus_outline_and_it_moves_to_the_main_content() {
    let site = build_shipped();
    let server = StaticServer::start(&site.public());
    let Some(browser) = browser::start().await else {
        return;
    };
    open(&browser, &server, "/http/4xx/401/").await;
    let body = browser.find(Locator::Css("body")).await.expect("a body");
    body.send_keys("\u{E004}").await.expect("Tab is sent");
    let focused = browser.active_element().await.expect("something has focus");
    let class = focused
        .attr("class")
        .await
        .expect("a class")
        .unwrap_or_default();
    let visible = browser
        .execute(
            "const r = document.activeElement.getBoundingClientRect(); \
             return r.left >= 0 && r.top >= 0 && r.width > 0 && \
                    getComputedStyle(document.activeElement).outlineStyle !== 'none'",
            vec![],
        )
        .await
        .unwrap_or_default();
    focused.send_keys("\u{E007}").await.expect("Enter is sent");
    let hash = browser
        .execute("return location.hash", vec![])
        .await
        .unwrap_or_default();
    browser.close().await;
    assert_eq!(class, "skip-link");
    assert_eq!(
        visible,
        json!(true),
        "the focused skip link is on screen, with a focus outline"
    );
    assert_eq!(hash, json!("#main"));
}

#[tokio::test]
async fn code_blocks_and_messages_get_working_copy_buttons() {
    let site = build_shipped();
    let server = StaticServer::start(&site.public());
    let Some(browser) = browser::start().await else {
        return;
    };
    open(&browser, &server, "/http/4xx/401/").await;
    let counts = browser
        .execute(
            "return [document.querySelectorAll('main pre').length, \
                     document.querySelectorAll('.code-block > button.copy').length, \
                     document.querySelectorAll('.message-list button.copy:not([hidden])').length, \
                     document.querySelectorAll('.message-list .message').length]",
            vec![],
        )
        .await
        .unwrap_or_default();
    let button = browser
        .find(Locator::Css(".code-block > button.copy"))
        .await
        .expect("a code block's copy button");
    button.click().await.expect("the button can be clicked");
    // The label changes once the clipboard has taken the text (a promise), and changes back
    // 1.5 s later: watch for it rather than read it once.
    let started = Instant::now();
    let mut label = button.text().await.unwrap_or_default();
    while label != "Copied" && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        label = button.text().await.unwrap_or_default();
    }
    browser.close().await;
    let counts: Vec<u64> = counts
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    assert_eq!(counts.len(), 4, "{counts:?}");
    assert!(
        counts[0] > 0 && counts[0] == counts[1],
        "every <pre> has a button: {counts:?}"
    );
    assert!(
        counts[2] > 0 && counts[2] == counts[3],
        "every message has a button: {counts:?}"
    );
    assert_eq!(label, "Copied");
}

#[tokio::test]
async fn without_a_feedback_endpoint_pages_load_nothing_from_elsewhere_and_ask_nothing() {
    let site = build_shipped();
    let server = StaticServer::start(&site.public());
    let Some(browser) = browser::start().await else {
        return;
    };
    open(&browser, &server, "/http/4xx/401/").await;
    let foreign = browser
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name) \
                 .filter(n => !n.startsWith(location.origin))",
            vec![],
        )
        .await
        .unwrap_or_default();
    let forms = browser
        .execute(
            "return document.querySelectorAll('form.feedback').length",
            vec![],
        )
        .await
        .unwrap_or_default();
    browser.close().await;
    assert_eq!(foreign, json!([]), "requests to other origins");
    assert_eq!(forms, json!(0));
    assert!(server.posts().is_empty(), "{:?}", server.posts());
}

#[tokio::test]
async fn with_a_feedback_endpoint_the_answer_is_posted_there_and_the_reader_is_thanked() {
    let site = Site::fixture("basic");
    let server = StaticServer::start(&site.public());
    let endpoint = server.url("/feedback");
    site.write(
        "kb.yaml",
        &format!("title: Basic help\nfeedback_endpoint: {endpoint}\n"),
    );
    site.build(&[]);
    let Some(browser) = browser::start().await else {
        return;
    };
    open(&browser, &server, "/http/4xx/401/").await;
    browser
        .find(Locator::Css("form.feedback button[value=yes]"))
        .await
        .expect("a Yes button")
        .click()
        .await
        .expect("Yes can be clicked");
    let started = Instant::now();
    while server.posts().is_empty() && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let status = browser
        .find(Locator::Css(".feedback-status"))
        .await
        .expect("a status line")
        .text()
        .await
        .unwrap_or_default();
    let url = browser
        .current_url()
        .await
        .map(|u| u.path().to_string())
        .unwrap_or_default();
    browser.close().await;
    let posts = server.posts();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].path, "/feedback");
    assert_eq!(
        posts[0].body,
        "page=%2Fhttp%2F4xx%2F401%2F&code=401&helpful=yes"
    );
    assert_eq!(status, "Thank you for your feedback.");
    assert_eq!(url, "/http/4xx/401/", "the reader stays on the article");
}

/// Screenshots of the article, category and home pages at phone and desktop widths, light and
/// dark. They are always taken (and must be real images); `KB_SCREENSHOTS=1` also saves them to
/// `docs/screenshots/` for reviewers.
#[tokio::test]
async fn screenshots_of_article_category_and_home_at_phone_and_desktop_widths_light_and_dark() {
    let site = build_shipped();
    let server = StaticServer::start(&site.public());
    let save = std::env::var("KB_SCREENSHOTS").as_deref() == Ok("1");
    let folder = repo_root().join("docs/screenshots");
    let mut taken: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for (scheme, flags) in [("light", &[][..]), ("dark", &["--force-dark-mode"][..])] {
        let Some(browser) = browser::start_with(flags).await else {
            return;
        };
        for (device, size) in [("phone", PHONE), ("desktop", DESKTOP)] {
            resize(&browser, size).await;
            for (name, path) in &PAGES[..3] {
                open(&browser, &server, path).await;
                let png = browser
                    .screenshot()
                    .await
                    .unwrap_or_else(|e| panic!("no screenshot of {path}: {e}"));
                taken.push((folder.join(format!("{name}-{device}-{scheme}.png")), png));
            }
        }
        browser.close().await;
    }
    assert_eq!(taken.len(), 12);
    for (path, png) in &taken {
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
            "{} is not a real screenshot ({} bytes)",
            path.display(),
            png.len()
        );
    }
    if save {
        std::fs::create_dir_all(&folder)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", folder.display()));
        for (path, png) in &taken {
            std::fs::write(path, png)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        }
    }
}
