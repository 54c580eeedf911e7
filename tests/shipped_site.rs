//! The repository's own site (`content/` at the root) builds cleanly and its output has no
//! broken internal link or `#anchor`.

mod common;

use std::path::Path;

use common::{Site, broken_links, build_shipped, html_files};

fn assert_no_broken_links(public: &Path, base_path: &str) {
    let pages = html_files(public).len();
    let (broken, checked) = broken_links(public, base_path);
    assert!(
        broken.is_empty(),
        "{} broken links in the shipped site ({checked} checked):\n{}",
        broken.len(),
        broken.join("\n")
    );
    assert!(
        pages > 20 && checked > pages * 10,
        "only {checked} links on {pages} pages were checked"
    );
}

#[test]
fn the_shipped_site_builds_without_warnings() {
    let out = Site::empty();
    let run = build_shipped(&out, &[]);
    let problems: Vec<String> = run
        .diagnostics()
        .into_iter()
        .map(|(message, location)| format!("{} ({message})", location.unwrap_or_default()))
        .collect();
    assert!(
        run.stderr.is_empty(),
        "the shipped site has warnings:\n{}",
        problems.join("\n")
    );
    assert!(run.stdout.starts_with("Built "), "{run}");
}

#[test]
fn every_internal_link_and_anchor_of_the_shipped_site_resolves() {
    let out = Site::empty();
    build_shipped(&out, &[]);
    assert_no_broken_links(&out.public(), "/");
}

#[test]
fn every_internal_link_of_the_shipped_site_resolves_under_a_sub_path() {
    let out = Site::empty();
    build_shipped(&out, &["--base-url", "https://example.com/help/"]);
    assert_no_broken_links(&out.public(), "/help/");
}

/// Guards the checker itself: a test that cannot fail is worth nothing.
#[test]
fn the_link_checker_reports_a_missing_page_and_a_missing_anchor() {
    let site = Site::fixture("basic");
    site.build(&[]);
    let (broken, _) = broken_links(&site.public(), "/");
    assert_eq!(broken, Vec::<String>::new());

    let page = site.read("public/http/4xx/401/index.html");
    let bad = r##"<a href="/http/4xx/402/">gone</a><a href="/http/4xx/403/#nowhere">no id</a><a href="#nor-here">no id</a><img src="../../../missing.png"><a href="https://example.com/">external</a></body>"##;
    site.write(
        "public/http/4xx/401/index.html",
        &page.replace("</body>", bad),
    );
    let (broken, _) = broken_links(&site.public(), "/");
    assert_eq!(
        broken,
        [
            "/http/4xx/401/: `/http/4xx/402/` points to no file",
            "/http/4xx/401/: `/http/4xx/403/#nowhere` names no element id on /http/4xx/403/",
            "/http/4xx/401/: `#nor-here` names no element id on /http/4xx/401/",
            "/http/4xx/401/: `../../../missing.png` points to no file",
        ]
    );
}
