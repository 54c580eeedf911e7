//! The shipped knowledge base covers every code of the IANA HTTP Status Code Registry (plus 418)
//! and the vendor codes people meet, and every article has the parts a reader needs.

mod common;

use common::{Page, Site, build_shipped};

const REGISTRY: &[u16] = &[
    100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304,
    305, 306, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414,
    415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504,
    505, 506, 507, 508, 510, 511,
];

const VENDOR: &[(&str, &[&str])] = &[
    ("nginx", &["444", "494", "495", "496", "497", "499"]),
    (
        "cloudflare",
        &[
            "520", "521", "522", "523", "524", "525", "526", "527", "530",
        ],
    ),
    ("iis", &["401.1", "401.2", "403.14", "404.3", "500.19"]),
];

/// The shipped site, built without warnings into a temporary folder.
fn shipped_site() -> Site {
    let out = Site::empty();
    let run = build_shipped(&out, &[]);
    assert!(
        run.stderr.trim().is_empty(),
        "the shipped site must build without warnings:\n{}",
        run.stderr
    );
    out
}

/// Checks one article page and returns the problems found, so a failure lists them all.
fn article_problems(page: &Page, code: &str) -> Vec<String> {
    let checks = [
        (
            page.text("h1").starts_with(code),
            "the heading starts with the code",
        ),
        (
            page.texts(".article-header .summary")
                .first()
                .is_some_and(|s| s.ends_with('.') && s.len() > 20),
            "a one-sentence summary",
        ),
        (page.has("#messages li"), "message variants"),
        (page.has("#applies-to li"), "applies-to"),
        (page.has("#related li a"), "related errors"),
        (page.has("time[datetime]"), "an updated date"),
        (page.has(".body h2#cause"), "a Cause section"),
        (page.has(".body h2#resolution"), "a Resolution section"),
        (
            page.has(".body h2#resolution ~ ol li") || page.has(".body h2#resolution ~ h3 ~ ol li"),
            "numbered resolution steps",
        ),
    ];
    checks
        .iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, what)| format!("{}: {what}", page.url))
        .collect()
}

#[test]
fn every_registry_code_and_vendor_code_has_a_complete_article() {
    let site = shipped_site();
    let mut problems = Vec::new();
    for code in REGISTRY {
        let page = site.page(&format!("/http/{}xx/{code}/", code / 100));
        problems.extend(article_problems(&page, &code.to_string()));
        if !page.has(".body a[href^='https://www.rfc-editor.org/rfc/']") {
            problems.push(format!(
                "{}: Cause cites the defining RFC section",
                page.url
            ));
        }
    }
    for (vendor, codes) in VENDOR {
        for code in *codes {
            problems.extend(article_problems(
                &site.page(&format!("/vendor/{vendor}/{code}/")),
                code,
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "incomplete articles:\n{}",
        problems.join("\n")
    );
}

#[test]
fn related_errors_go_both_ways_in_the_shipped_site() {
    let site = shipped_site();
    let mut one_way = Vec::new();
    for code in REGISTRY {
        let url = format!("/http/{}xx/{code}/", code / 100);
        for target in site.page(&url).hrefs("#related li a") {
            if !site.page(&target).hrefs("#related li a").contains(&url) {
                one_way.push(format!("{url} → {target}"));
            }
        }
    }
    assert!(
        one_way.is_empty(),
        "one-way related links:\n{}",
        one_way.join("\n")
    );
}
