//! Proves the headless-browser harness works: a built page opens in Chromium.

mod common;

use common::{Site, browser};
use fantoccini::Locator;

#[tokio::test]
async fn a_built_article_opens_in_headless_chromium_from_a_file_url() {
    let Some(browser) = browser::start().await else {
        return;
    };
    let site = Site::fixture("basic");
    site.build(&[]);
    let page = site.public().join("http/4xx/401/index.html");

    browser
        .goto(&browser::file_url(&page))
        .await
        .expect("the page loads");
    let heading = browser
        .find(Locator::Css("h1"))
        .await
        .expect("the page has an <h1>");
    let text = heading.text().await.expect("the <h1> has text");
    let title = browser.title().await.expect("the page has a title");
    browser.close().await;

    assert_eq!(text, "401 Unauthorized");
    assert!(title.contains("Unauthorized"), "title: {title}");
}
