//! Search in a real headless Chromium, on the `search` fixture served over loopback: typing a
//! code and Enter, pasting a message, the suggestion list by keyboard, ranking, and the same
//! on a site served under a sub-path. Skips (with a message) without Chromium; see
//! `tests/README.md`.

mod common;

use std::time::Duration;

use common::Site;
use common::browser::{self, Browser};
use common::static_server::StaticServer;
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(10);

/// The fixture built into `<served>/<sub_path>` and served, with the base URL it was built for.
struct Served {
    server: StaticServer,
    site: Site,
    /// `/` or `/help/`.
    base: String,
}

impl Served {
    fn new(sub_path: &str) -> Served {
        let site = Site::fixture("search");
        let served = site.path("served");
        let output = served.join(sub_path.trim_matches('/'));
        std::fs::create_dir_all(&served)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", served.display()));
        let server = StaticServer::start(&served);
        let base_url = server.url(sub_path);
        let output_arg = output.to_string_lossy().into_owned();
        site.build(&["--output", &output_arg, "--base-url", &base_url]);
        Served {
            server,
            site,
            base: sub_path.to_string(),
        }
    }

    /// The address of a site path: `/http/` → `http://127.0.0.1:PORT/help/http/`.
    fn url(&self, path: &str) -> String {
        self.server
            .url(&format!("{}{}", self.base, path.trim_start_matches('/')))
    }
}

async fn h1(browser: &Browser) -> String {
    let heading = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("h1"))
        .await
        .expect("the page has an <h1>");
    heading.text().await.expect("the <h1> has text")
}

/// Waits until the page's address is no longer `from`, and returns it.
async fn next_page(browser: &Browser, from: &str) -> String {
    let started = std::time::Instant::now();
    loop {
        let now = browser
            .current_url()
            .await
            .expect("a current address")
            .to_string();
        if now != from {
            return now;
        }
        assert!(started.elapsed() < WAIT, "still on {from} after {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Types `text` into the header's search box and presses Enter; returns where that led.
async fn search_and_enter(browser: &Browser, text: &str) -> String {
    let from = browser
        .current_url()
        .await
        .expect("a current address")
        .to_string();
    let input = browser
        .find(Locator::Css("#search-input"))
        .await
        .expect("the header has a search box");
    input.send_keys(text).await.expect("typing works");
    input
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("Enter works");
    next_page(browser, &from).await
}

/// The suggestions shown for `text` typed into the header box, as "code title" (none when the
/// list answered `text` with nothing).
async fn suggestions(browser: &Browser, text: &str) -> Vec<String> {
    let input = browser
        .find(Locator::Css("#search-input"))
        .await
        .expect("the header has a search box");
    input.clear().await.expect("the box can be cleared");
    input.send_keys(text).await.expect("typing works");
    let started = std::time::Instant::now();
    // One script reads the list and the query it answers at the same instant.
    let read = "const list = document.getElementById('search-suggestions');
        const shown = list.hidden ? [] : Array.from(list.querySelectorAll('[role=option]'));
        return [list.getAttribute('data-query'), shown.map(o => o.textContent)];";
    loop {
        let value = browser
            .execute(read, vec![])
            .await
            .expect("the script runs");
        if value[0].as_str() == Some(text) {
            return serde_json::from_value(value[1].clone()).expect("a list of texts");
        }
        assert!(
            started.elapsed() < WAIT,
            "no suggestions for {text:?} after {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Calls `kbSearch.query(text)` in the page: the ranked codes.
async fn ranked_codes(browser: &Browser, text: &str) -> Vec<String> {
    let script = "const done = arguments[arguments.length - 1];
        kbSearch.query(arguments[0], 20).then(r => done(r.results.map(d => d.code)), e => done(String(e)));";
    let value = browser
        .execute_async(script, vec![json!(text)])
        .await
        .expect("the script runs");
    serde_json::from_value(value.clone())
        .unwrap_or_else(|_| panic!("kbSearch.query({text:?}) failed: {value}"))
}

async fn click_link(browser: &Browser, selector: &str, text: &str) {
    let links = browser
        .find_all(Locator::Css(selector))
        .await
        .expect("a query");
    for link in links {
        if link.text().await.expect("a link has text") == text {
            let from = browser
                .current_url()
                .await
                .expect("a current address")
                .to_string();
            link.click().await.expect("the link can be clicked");
            next_page(browser, &from).await;
            return;
        }
    }
    panic!("no `{selector}` link reads {text:?}");
}

#[tokio::test]
async fn typing_a_code_and_enter_opens_its_article_at_the_root_and_under_a_sub_path() {
    let Some(browser) = browser::start().await else {
        return;
    };
    for base in ["/", "/help/"] {
        let served = Served::new(base);
        let cases = [
            ("401", "/http/4xx/401/", "401 Unauthorized"),
            ("e0308", "/rust/e0308/", "E0308 Mismatched types"),
            (
                "0x80070005",
                "/windows/0x80070005/",
                "0x80070005 Access denied",
            ),
            (
                "err_connection_refused",
                "/chrome/err_connection_refused/",
                "ERR_CONNECTION_REFUSED This site can't be reached",
            ),
            ("401.1", "/iis/401.1/", "401.1 Unauthorized: Logon Failed"),
        ];
        for (typed, path, heading) in cases {
            browser
                .goto(&served.url("/"))
                .await
                .expect("the home page loads");
            let landed = search_and_enter(&browser, typed).await;
            assert_eq!(landed, served.url(path), "{typed} + Enter under {base}");
            assert_eq!(h1(&browser).await, heading);
        }
    }
    browser.close().await;
}

#[tokio::test]
async fn a_pasted_message_suggests_its_article_first_and_enter_lists_it_first() {
    let Some(browser) = browser::start().await else {
        return;
    };
    for base in ["/", "/help/"] {
        let served = Served::new(base);
        browser
            .goto(&served.url("/http/"))
            .await
            .expect("a category page loads");
        let shown = suggestions(&browser, "HTTP Error 401 - Unauthorized").await;
        assert_eq!(
            shown.first().map(String::as_str),
            Some("401 Unauthorized"),
            "{shown:?}"
        );
        assert!(
            !shown.iter().any(|s| s.starts_with("403")),
            "401 never finds 403: {shown:?}"
        );
        let shown = suggestions(&browser, "net::ERR_CONNECTION_REFUSED").await;
        assert_eq!(
            shown.first().map(String::as_str),
            Some("ERR_CONNECTION_REFUSED This site can't be reached")
        );
        let shown = suggestions(&browser, "error[E0308]: mismatched types").await;
        assert_eq!(
            shown.first().map(String::as_str),
            Some("E0308 Mismatched types")
        );

        browser
            .goto(&served.url("/"))
            .await
            .expect("the home page loads");
        let landed = search_and_enter(&browser, "This site can't be reached").await;
        assert!(
            landed.starts_with(&served.url("/search/?q=")),
            "a message leads to the search page: {landed}"
        );
        let first = browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("#search-page-results li a"))
            .await
            .expect("the search page lists results");
        assert_eq!(
            first.attr("href").await.expect("a link"),
            Some(format!("{base}chrome/err_connection_refused/"))
        );
        let status = browser
            .find(Locator::Css("#search-status"))
            .await
            .expect("the search page has a status line");
        assert_eq!(status.text().await.expect("a status text"), "1 result");
    }
    browser.close().await;
}

#[tokio::test]
async fn the_suggestion_list_works_by_keyboard() {
    let Some(browser) = browser::start().await else {
        return;
    };
    let served = Served::new("/");
    browser
        .goto(&served.url("/"))
        .await
        .expect("the home page loads");
    let input = browser
        .find(Locator::Css("#search-input"))
        .await
        .expect("the header has a search box");
    assert_eq!(
        input.attr("role").await.expect("an attribute"),
        Some("combobox".into())
    );
    let shown = suggestions(&browser, "connection").await;
    assert!(shown.len() >= 2, "{shown:?}");
    assert_eq!(
        input.attr("aria-expanded").await.expect("an attribute"),
        Some("true".into())
    );
    input
        .send_keys(&Key::Down.to_string())
        .await
        .expect("ArrowDown works");
    input
        .send_keys(&Key::Down.to_string())
        .await
        .expect("ArrowDown works");
    assert_eq!(
        input
            .attr("aria-activedescendant")
            .await
            .expect("an attribute"),
        Some("search-option-1".into())
    );
    input
        .send_keys(&Key::Up.to_string())
        .await
        .expect("ArrowUp works");
    assert_eq!(
        input
            .attr("aria-activedescendant")
            .await
            .expect("an attribute"),
        Some("search-option-0".into())
    );
    let chosen = browser
        .find(Locator::Css("#search-option-0"))
        .await
        .expect("the first option");
    assert_eq!(
        chosen.attr("aria-selected").await.expect("an attribute"),
        Some("true".into())
    );
    let target = chosen
        .attr("data-url")
        .await
        .expect("an attribute")
        .expect("the option has its link");
    let from = browser.current_url().await.expect("an address").to_string();
    input
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("Enter works");
    assert_eq!(next_page(&browser, &from).await, served.url(&target));

    let input = browser
        .find(Locator::Css("#search-input"))
        .await
        .expect("the header has a search box");
    suggestions(&browser, "connection").await;
    input
        .send_keys(&Key::Escape.to_string())
        .await
        .expect("Escape works");
    assert_eq!(
        input.attr("aria-expanded").await.expect("an attribute"),
        Some("false".into())
    );
    browser.close().await;
}

#[tokio::test]
async fn ranking_puts_the_exact_code_then_messages_titles_summaries_and_bodies() {
    let Some(browser) = browser::start().await else {
        return;
    };
    let served = Served::new("/");
    browser
        .goto(&served.url("/search/"))
        .await
        .expect("the search page loads");
    let cases: &[(&str, &[&str])] = &[
        ("gremlin", &["GREMLIN", "D1", "D2", "D3", "D4"]),
        ("GREMLIN", &["GREMLIN", "D1", "D2", "D3", "D4"]),
        ("401", &["401", "401.1", "404"]),
        ("403", &["403", "404"]),
        ("401.1", &["401.1"]),
        ("HTTP Error 401.1 - Unauthorized", &["401.1"]),
        ("connection refused", &["ERR_CONNECTION_REFUSED"]),
        (
            "connection",
            &["ERR_CONNECTION_RESET", "ERR_CONNECTION_REFUSED"],
        ),
        ("0X80070005", &["0x80070005"]),
        ("80070005", &["0x80070005"]),
        ("access denied", &["0x80070005", "401.1"]),
        ("iis 401.1", &["401.1"]),
        ("40", &[]),
        ("4013", &[]),
    ];
    for (query, expected) in cases {
        assert_eq!(
            ranked_codes(&browser, query).await,
            *expected,
            "ranking of {query:?}"
        );
    }
    browser.close().await;
}

#[tokio::test]
async fn breadcrumbs_lead_up_and_related_links_across_from_a_found_article_also_under_a_sub_path() {
    let Some(browser) = browser::start().await else {
        return;
    };
    for base in ["/", "/help/"] {
        let served = Served::new(base);
        browser
            .goto(&served.url("/search/"))
            .await
            .expect("the search page loads");
        search_and_enter(&browser, "401").await;
        assert_eq!(h1(&browser).await, "401 Unauthorized");
        click_link(&browser, ".breadcrumbs a", "Client errors").await;
        assert_eq!(
            browser.current_url().await.expect("an address").as_str(),
            served.url("/http/4xx/")
        );
        assert_eq!(h1(&browser).await, "Client errors");
        click_link(&browser, ".breadcrumbs a", "HTTP status codes").await;
        assert_eq!(h1(&browser).await, "HTTP status codes");
        browser.back().await.expect("back works");
        browser.back().await.expect("back works");
        assert_eq!(h1(&browser).await, "401 Unauthorized");
        click_link(&browser, "#related a", "403 Forbidden").await;
        assert_eq!(
            browser.current_url().await.expect("an address").as_str(),
            served.url("/http/4xx/403/")
        );
        assert_eq!(h1(&browser).await, "403 Forbidden");
        click_link(&browser, "#related a", "401 Unauthorized").await;
        click_link(&browser, "#related a", "401.1 Unauthorized: Logon Failed").await;
        assert_eq!(
            browser.current_url().await.expect("an address").as_str(),
            served.url("/iis/401.1/")
        );
    }
    browser.close().await;
}

#[tokio::test]
async fn the_browser_cuts_words_exactly_like_the_index() {
    let Some(browser) = browser::start().await else {
        return;
    };
    let served = Served::new("/");
    browser
        .goto(&served.url("/"))
        .await
        .expect("the home page loads");
    let samples = [
        "HTTP Error 401.1 - Unauthorized",
        "net::ERR_CONNECTION_REFUSED",
        "java.io.IOException: Server returned HTTP response code: 401",
        "error[E0308]: mismatched types",
        "Error 0x80070005 (0xC0000005) isn't HTTPServer's connectionRefused",
        "Ünïcödé ÉCOLE straße İstanbul ΣΊΣΥΦΟΣ 東京 ١٢٣ x²",
        "'quoted' -dashed- _under_ .dot. a+b well-known",
    ];
    for sample in samples {
        let expected: Vec<String> = kb::search::tokenize::words(sample).collect();
        let value: Value = browser
            .execute("return kbSearch.words(arguments[0]);", vec![json!(sample)])
            .await
            .expect("runs");
        assert_eq!(value, json!(expected), "words of {sample:?}");
        for raw in kb::search::tokenize::raw_words(sample) {
            let value: Value = browser
                .execute("return kbSearch.parts(arguments[0]);", vec![json!(raw)])
                .await
                .expect("runs");
            assert_eq!(
                value,
                json!(kb::search::tokenize::parts(raw)),
                "parts of {raw:?}"
            );
        }
    }
    browser.close().await;
    drop(served.site);
}

#[tokio::test]
async fn the_start_of_a_word_is_completed_but_the_start_of_a_number_never_is() {
    let Some(browser) = browser::start().await else {
        return;
    };
    let served = Served::new("/");
    browser
        .goto(&served.url("/"))
        .await
        .expect("the home page loads");
    let shown = suggestions(&browser, "unauthor").await;
    assert_eq!(
        shown.first().map(String::as_str),
        Some("401 Unauthorized"),
        "{shown:?}"
    );
    assert!(shown.iter().any(|s| s.starts_with("401.1")), "{shown:?}");
    let shown = suggestions(&browser, "err_conn").await;
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(
        shown.iter().all(|s| s.starts_with("ERR_CONNECTION_")),
        "{shown:?}"
    );
    let shown = suggestions(&browser, "0x8007").await;
    assert_eq!(shown, ["0x80070005 Access denied"]);
    for number in ["40", "4", "40 "] {
        assert_eq!(
            suggestions(&browser, number).await,
            Vec::<String>::new(),
            "{number:?}"
        );
    }
    browser.close().await;
}

#[tokio::test]
async fn the_search_page_lists_twenty_results_and_more_on_request() {
    let Some(browser) = browser::start().await else {
        return;
    };
    let site = Site::empty();
    site.write("kb.yaml", "title: Widgets\n");
    for n in 1..=30 {
        let related = if n == 1 { 30 } else { n - 1 };
        site.write(
            &format!("content/widgets/W{n:02}.md"),
            &format!(
                "---\ncode: W{n:02}\ntitle: Widget failure {n}\nsummary: A widget failed.\nrelated: [W{related:02}]\n---\n## Cause\n\nA widget.\n\n## Resolution\n\nFix it.\n"
            ),
        );
    }
    let served = site.path("public");
    site.build(&[]);
    let server = StaticServer::start(&served);
    browser
        .goto(&server.url("/search/?q=widget"))
        .await
        .expect("the search page loads");
    let count = "return document.querySelectorAll('#search-page-results li').length;";
    let more = "return document.getElementById('search-more').hidden;";
    let started = std::time::Instant::now();
    while browser.execute(count, vec![]).await.expect("runs") != json!(20) {
        assert!(
            started.elapsed() < WAIT,
            "the first 20 results never showed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        browser.execute(more, vec![]).await.expect("runs"),
        json!(false)
    );
    browser
        .find(Locator::Css("#search-more"))
        .await
        .expect("a More results button")
        .click()
        .await
        .expect("the button can be clicked");
    while browser.execute(count, vec![]).await.expect("runs") != json!(30) {
        assert!(
            started.elapsed() < WAIT,
            "the other 10 results never showed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        browser.execute(more, vec![]).await.expect("runs"),
        json!(true)
    );
    browser.close().await;
}
