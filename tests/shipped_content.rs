//! The shipped knowledge base covers every code of the IANA HTTP Status Code Registry (plus 418)
//! and the vendor codes people meet, and every article has the parts a reader needs.

use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{ElementRef, Html, Selector};

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

fn build_shipped_site() -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let public = out.path().join("public");
    let result = Command::new(env!("CARGO_BIN_EXE_kb"))
        .args(["build", "--root", env!("CARGO_MANIFEST_DIR"), "--output"])
        .arg(&public)
        .output()
        .unwrap_or_else(|e| panic!("cannot run kb: {e}"));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        result.status.success(),
        "the shipped site must build:\n{stderr}"
    );
    assert!(
        stderr.trim().is_empty(),
        "the shipped site must build without warnings:\n{stderr}"
    );
    (out, public)
}

fn page(public: &Path, url: &str) -> Html {
    let file = public.join(url.trim_matches('/')).join("index.html");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("no page at {url}: {e}"));
    Html::parse_document(&text)
}

fn select<'a>(html: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    let selector = Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e}"));
    html.select(&selector).collect()
}

fn text(element: &ElementRef) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks one article page and returns the problems found, so a failure lists them all.
fn article_problems(html: &Html, url: &str, code: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut need = |ok: bool, what: &str| {
        if !ok {
            problems.push(format!("{url}: {what}"));
        }
    };
    let heading = select(html, "h1").first().map(text).unwrap_or_default();
    need(
        heading.starts_with(code),
        "the heading starts with the code",
    );
    let summary = select(html, ".article-header .summary")
        .first()
        .map(text)
        .unwrap_or_default();
    need(
        summary.ends_with('.') && summary.len() > 20,
        "a one-sentence summary",
    );
    need(!select(html, "#messages li").is_empty(), "message variants");
    need(!select(html, "#applies-to li").is_empty(), "applies-to");
    need(!select(html, "#related li a").is_empty(), "related errors");
    need(
        !select(html, "time[datetime]").is_empty(),
        "an updated date",
    );
    need(
        !select(html, ".body h2#cause").is_empty(),
        "a Cause section",
    );
    need(
        !select(html, ".body h2#resolution").is_empty(),
        "a Resolution section",
    );
    need(
        !select(html, ".body h2#resolution ~ ol li").is_empty()
            || !select(html, ".body h2#resolution ~ h3 ~ ol li").is_empty(),
        "numbered resolution steps",
    );
    problems
}

#[test]
fn every_registry_code_and_vendor_code_has_a_complete_article() {
    let (_dir, public) = build_shipped_site();
    let mut problems = Vec::new();
    for code in REGISTRY {
        let url = format!("/http/{}xx/{code}/", code / 100);
        let html = page(&public, &url);
        problems.extend(article_problems(&html, &url, &code.to_string()));
        let cites_spec = select(&html, ".body a[href^='https://www.rfc-editor.org/rfc/']");
        if cites_spec.is_empty() {
            problems.push(format!("{url}: Cause cites the defining RFC section"));
        }
    }
    for (vendor, codes) in VENDOR {
        for code in *codes {
            let url = format!("/vendor/{vendor}/{code}/");
            problems.extend(article_problems(&page(&public, &url), &url, code));
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
    let (_dir, public) = build_shipped_site();
    let mut one_way = Vec::new();
    for code in REGISTRY {
        let url = format!("/http/{}xx/{code}/", code / 100);
        let html = page(&public, &url);
        for link in select(&html, "#related li a") {
            let target = link.value().attr("href").unwrap_or_default().to_string();
            let back = page(&public, &target);
            let links_back = select(&back, "#related li a")
                .iter()
                .any(|a| a.value().attr("href") == Some(url.as_str()));
            if !links_back {
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
