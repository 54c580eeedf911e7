//! `kb serve` in a real headless Chromium: a page open in the browser changes by itself when
//! its file is saved, shows a broken edit as an overlay, and takes a new stylesheet in place.
//! The test only edits files; it never touches the browser after opening the page.

mod common;

use std::time::{Duration, Instant};

use common::Site;
use common::browser::{self, Browser};
use common::serve::Server;
use fantoccini::Locator;
use serde_json::json;

/// How long the page may take to change by itself.
const WAIT: Duration = Duration::from_secs(20);

/// Polls a script until it returns `expected`; panics with the last value after [`WAIT`].
async fn wait_until(browser: &Browser, script: &str, expected: serde_json::Value) {
    let started = Instant::now();
    let mut last = serde_json::Value::Null;
    while started.elapsed() < WAIT {
        last = browser.execute(script, vec![]).await.unwrap_or_default();
        if last == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("`{script}` returned {last} for {WAIT:?}, not {expected}");
}

/// Waits until the page's live-reload stream is open (its first event arrived), so that a
/// save made now reaches this page rather than the next one.
async fn wait_for_live_reload(browser: &Browser) {
    wait_until(
        browser,
        "return document.documentElement.getAttribute('data-kb-live')",
        json!("connected"),
    )
    .await;
}

#[tokio::test]
async fn a_saved_article_changes_in_the_open_page_without_any_action() {
    let Some(browser) = browser::start().await else {
        return;
    };
    let site = Site::fixture("basic");
    let server = Server::start(site.root(), &[]);
    let url = format!("{}http/4xx/401/", server.url);
    browser.goto(&url).await.expect("the page opens");
    let heading = browser.find(Locator::Css("h1")).await.expect("a heading");
    let before = heading.text().await.unwrap_or_default();
    assert!(before.contains("Unauthorized"), "{before}");
    browser
        .execute("window.kbMarker = 'same page'", vec![])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let text = site.read("content/http/4xx/401.md");
    site.write(
        "content/http/4xx/401.md",
        &text.replace("title: Unauthorized", "title: Not signed in"),
    );
    wait_until(
        &browser,
        "return document.querySelector('h1').textContent.includes('Not signed in')",
        json!(true),
    )
    .await;
    // It reloaded: the marker set on the old page is gone.
    let marker = browser
        .execute("return window.kbMarker || null", vec![])
        .await
        .unwrap();
    assert_eq!(marker, serde_json::Value::Null);

    // A broken edit shows an overlay with the file, line and message; the page stays.
    wait_for_live_reload(&browser).await;
    let good = site.read("content/http/4xx/401.md");
    site.write(
        "content/http/4xx/401.md",
        &good.replace("title:", "relatd: [403]\ntitle:"),
    );
    wait_until(
        &browser,
        "return !!document.getElementById('kb-live-errors')",
        json!(true),
    )
    .await;
    let overlay = browser
        .find(Locator::Id("kb-live-errors"))
        .await
        .expect("the overlay")
        .text()
        .await
        .unwrap_or_default();
    assert!(
        overlay.contains("content/http/4xx/401.md:3"),
        "overlay: {overlay}"
    );
    assert!(
        overlay.contains("unknown key `relatd`"),
        "overlay: {overlay}"
    );
    let h1 = browser
        .execute("return document.querySelector('h1').textContent", vec![])
        .await
        .unwrap();
    assert!(h1.as_str().unwrap_or_default().contains("Not signed in"));

    // Fixing the file clears the overlay and shows the fix.
    site.write(
        "content/http/4xx/401.md",
        &good.replace("Not signed in", "Signed out"),
    );
    wait_until(
        &browser,
        "return !document.getElementById('kb-live-errors') && \
         document.querySelector('h1').textContent.includes('Signed out')",
        json!(true),
    )
    .await;
    browser.close().await;
}

#[tokio::test]
async fn a_saved_stylesheet_is_applied_without_reloading_the_page() {
    let Some(browser) = browser::start().await else {
        return;
    };
    let site = Site::fixture("basic");
    site.write(
        "templates/base.html",
        &common::repo_root()
            .join("templates/base.html")
            .to_str()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .unwrap()
            .replace(
                "</head>",
                "<link rel=\"stylesheet\" href=\"{{ site.base_path }}site.css\"></head>",
            ),
    );
    site.write("static/site.css", "h1 { color: rgb(1, 2, 3); }\n");
    let server = Server::start(site.root(), &[]);
    browser
        .goto(&format!("{}http/4xx/401/", server.url))
        .await
        .expect("the page opens");
    wait_until(
        &browser,
        "return getComputedStyle(document.querySelector('h1')).color",
        json!("rgb(1, 2, 3)"),
    )
    .await;
    browser
        .execute("window.kbMarker = 'same page'", vec![])
        .await
        .unwrap();
    wait_for_live_reload(&browser).await;
    site.write("static/site.css", "h1 { color: rgb(4, 5, 6); }\n");
    wait_until(
        &browser,
        "return getComputedStyle(document.querySelector('h1')).color",
        json!("rgb(4, 5, 6)"),
    )
    .await;
    let marker = browser
        .execute("return window.kbMarker || null", vec![])
        .await
        .unwrap();
    assert_eq!(marker, json!("same page"), "the page was reloaded");
    browser.close().await;
}
