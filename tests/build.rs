//! `kb build` on fixture sites: the pages it writes, their links and order, sub-path deploys,
//! drafts, overrides, and how the output folder is replaced.
//!
//! `tests/fixtures/catalogs` has three catalogs (http with 4xx/5xx, smtp, ftp; SMTP and FTP both
//! have a 550), tags, an alias, a draft and a static image. `tests/fixtures/ordering` exercises
//! weights and natural code order. `tests/fixtures/overrides` replaces one template and kb.css.

mod common;

use common::{Page, Site, broken_links, html_files, names_in, snapshot, url_of};

fn built(fixture: &str, args: &[&str]) -> Site {
    let site = Site::fixture(fixture);
    site.build(args);
    site
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

// --- breadcrumbs -------------------------------------------------------------------------------

#[test]
fn breadcrumbs_lead_from_home_through_catalog_and_category_to_the_article() {
    let site = built("catalogs", &[]);
    let page = site.page("/http/4xx/401/");
    assert_eq!(
        page.links(".breadcrumbs a"),
        [
            ("Home".to_string(), "/".to_string()),
            ("HTTP status codes".into(), "/http/".into()),
            ("Client errors".into(), "/http/4xx/".into()),
            ("401 Unauthorized".into(), "/http/4xx/401/".into()),
        ]
    );
    assert_eq!(
        page.texts(".breadcrumbs [aria-current]"),
        ["401 Unauthorized"]
    );
    assert_eq!(
        page.attrs(".breadcrumbs li:last-child a", "aria-current"),
        ["page"]
    );
}

#[test]
fn category_pages_have_breadcrumbs_ending_at_themselves() {
    let site = built("catalogs", &[]);
    let page = site.page("/http/4xx/");
    assert_eq!(
        page.texts(".breadcrumbs a"),
        ["Home", "HTTP status codes", "Client errors"]
    );
    assert_eq!(page.hrefs(".breadcrumbs a"), ["/", "/http/", "/http/4xx/"]);
    assert_eq!(
        page.texts(".breadcrumbs [aria-current=page]"),
        ["Client errors"]
    );
}

#[test]
fn breadcrumbs_are_also_a_schema_org_breadcrumb_list() {
    let site = built("catalogs", &["--base-url", "https://example.com/help/"]);
    let page = site.page("/smtp/550/");
    let list = page
        .json_ld()
        .into_iter()
        .find(|item| item["@type"] == "BreadcrumbList")
        .unwrap_or_else(|| panic!("no BreadcrumbList on {}", page.url));
    let items = list["itemListElement"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let crumbs: Vec<(i64, String, String)> = items
        .iter()
        .map(|item| {
            let position = item["position"].as_i64().unwrap_or(0);
            let name = item["name"].as_str().unwrap_or("").to_string();
            (
                position,
                name,
                item["item"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        crumbs,
        [
            (
                1,
                "Home".to_string(),
                "https://example.com/help/".to_string()
            ),
            (
                2,
                "SMTP reply codes".into(),
                "https://example.com/help/smtp/".into()
            ),
            (
                3,
                "550 Mailbox unavailable".into(),
                "https://example.com/help/smtp/550/".into()
            ),
        ]
    );
}

// --- related and referenced by ------------------------------------------------------------------

#[test]
fn related_links_keep_the_order_written_and_cross_catalogs_with_catalog_slash_code() {
    let site = built("catalogs", &[]);
    let page = site.page("/http/4xx/401/");
    assert_eq!(
        page.hrefs("#related a"),
        ["/http/4xx/403/", "/http/4xx/404/", "/smtp/550/"]
    );
    assert_eq!(page.texts("#related a .code"), ["403", "404", "550"]);
    assert_eq!(
        page.texts("#related a .title"),
        ["Forbidden", "Not Found", "Mailbox unavailable"]
    );
}

#[test]
fn a_plain_related_code_resolves_in_its_own_catalog_first_then_site_wide() {
    let site = built("catalogs", &[]);
    // ftp/421 lists `550` (FTP has one, so does SMTP) and `500` (only HTTP has one).
    assert_eq!(
        site.page("/ftp/421/").hrefs("#related a"),
        ["/ftp/550/", "/http/5xx/500/"]
    );
    // smtp/550 lists `401`, which only HTTP has.
    assert_eq!(
        site.page("/smtp/550/").hrefs("#related a"),
        ["/http/4xx/401/"]
    );
}

#[test]
fn referenced_by_lists_the_articles_naming_this_one_that_related_does_not_list_already() {
    let site = Site::fixture("catalogs");
    // A one-way link: 418 names 401, 401 does not name 418 (a warning, not an error).
    site.write(
        "content/http/4xx/418.md",
        "---\ncode: 418\ntitle: I'm a teapot\nsummary: Short and stout.\nrelated: [401]\n---\n## Resolution\n\nUse a kettle.\n",
    );
    site.build(&[]);
    let page = site.page("/http/4xx/401/");
    // 403, 404 and smtp/550 name 401 too, but 401 lists them under related already.
    assert_eq!(page.hrefs("#referenced-by a"), ["/http/4xx/418/"]);
    assert_eq!(
        page.hrefs("#related a"),
        ["/http/4xx/403/", "/http/4xx/404/", "/smtp/550/"]
    );
    let teapot = site.page("/http/4xx/418/");
    assert_eq!(teapot.hrefs("#related a"), ["/http/4xx/401/"]);
    assert!(!teapot.has("#referenced-by"), "nothing names 418");
}

// --- listings and order ------------------------------------------------------------------------

#[test]
fn a_category_lists_its_articles_by_weight_then_code_in_natural_order() {
    let site = built("ordering", &[]);
    let page = site.page("/list/");
    // 500 has weight -1, 9 has weight 1, the rest 0: 2 < 10 < 100, digits before letters,
    // letters without regard to case and numbers inside them by value (b1 < B02).
    assert_eq!(
        page.texts(".article-list .code"),
        ["500", "2", "10", "100", "A1", "b1", "B02", "9"]
    );
    assert_eq!(
        page.hrefs(".article-list a")[..3],
        strings(&["/list/500/", "/list/2/", "/list/10/"])
    );
}

#[test]
fn subcategories_are_ordered_by_weight_then_folder_name_in_natural_order() {
    let site = built("ordering", &[]);
    let page = site.page("/list/");
    assert_eq!(
        page.texts(".category-list > li > a"),
        ["Zeta comes first", "Sub 2", "Sub 10", "Alpha comes last"]
    );
    assert_eq!(
        page.hrefs(".category-list > li > a"),
        [
            "/list/zeta/",
            "/list/sub-2/",
            "/list/sub-10/",
            "/list/alpha/"
        ]
    );
}

#[test]
fn an_article_lists_the_others_of_its_category_in_the_same_order() {
    let site = built("ordering", &[]);
    let page = site.page("/list/10/");
    assert_eq!(
        page.texts(".siblings .article-list .code"),
        ["500", "2", "100", "A1", "b1", "B02", "9"]
    );
}

#[test]
fn the_home_page_lists_the_catalogs_by_weight_with_their_article_counts() {
    let site = built("catalogs", &[]);
    let page = site.page("/");
    assert_eq!(
        page.texts(".catalog h2 a"),
        ["HTTP status codes", "SMTP reply codes", "FTP reply codes"]
    );
    assert_eq!(page.hrefs(".catalog h2 a"), ["/http/", "/smtp/", "/ftp/"]);
    assert_eq!(
        page.texts(".catalog h2 .count"),
        ["4 articles", "1 article", "2 articles"]
    );
    assert_eq!(
        page.texts(".catalog .category-list a"),
        ["Client errors", "Server errors"]
    );
    assert_eq!(page.texts(".catalog .category-list .count"), ["3", "1"]);
}

#[test]
fn a_category_page_shows_its_intro_and_counts_articles_below_each_subcategory() {
    let site = built("catalogs", &[]);
    let page = site.page("/http/");
    assert_eq!(page.text("h1"), "HTTP status codes");
    assert_eq!(page.text(".intro"), "The codes of the web.");
    assert_eq!(
        page.texts(".category-list > li > a"),
        ["Client errors", "Server errors"]
    );
    assert_eq!(
        page.texts(".category-list .count"),
        ["3 articles", "1 article"]
    );
}

#[test]
fn the_all_codes_index_links_every_article_grouped_by_catalog() {
    let site = built("catalogs", &[]);
    let page = site.page("/codes/");
    assert_eq!(
        page.texts(".code-group h2"),
        ["HTTP status codes", "SMTP reply codes", "FTP reply codes"]
    );
    assert_eq!(
        page.hrefs(".code-index a"),
        [
            "/http/4xx/401/",
            "/http/4xx/403/",
            "/http/4xx/404/",
            "/http/5xx/500/",
            "/smtp/550/",
            "/ftp/421/",
            "/ftp/550/",
        ]
    );
    assert_eq!(page.texts(".code-index a")[0], "401 Unauthorized");
}

#[test]
fn an_article_names_its_tags_as_it_writes_them_and_links_to_the_page_they_share() {
    let site = Site::fixture("catalogs");
    let smtp = site.read("content/smtp/550.md");
    site.write(
        "content/smtp/550.md",
        &smtp.replace("tags: [api]", "tags: [API]"),
    );
    site.build(&[]);
    let written_as = |url: &str| site.page(url).links(".tags a");
    assert_eq!(
        written_as("/http/4xx/401/"),
        [
            (
                "authentication".to_string(),
                "/tags/authentication/".to_string()
            ),
            ("api".into(), "/tags/api/".into()),
        ]
    );
    assert_eq!(
        written_as("/smtp/550/"),
        [("API".to_string(), "/tags/api/".to_string())]
    );
}

#[test]
fn each_tag_has_a_page_listing_its_articles_and_the_tag_index_counts_them() {
    let site = built("catalogs", &[]);
    let authentication = site.page("/tags/authentication/");
    assert_eq!(
        authentication.hrefs(".article-list a"),
        ["/http/4xx/401/", "/http/4xx/403/"]
    );
    let api = site.page("/tags/api/");
    assert_eq!(
        api.hrefs(".article-list a"),
        ["/http/4xx/401/", "/smtp/550/"]
    );
    let index = site.page("/tags/");
    let tags: Vec<(String, String)> = index
        .select(".tag-list li")
        .into_iter()
        .map(|li| {
            let text = common::text_of(li);
            let href = li
                .select(&common::css("a"))
                .next()
                .and_then(|a| a.value().attr("href"))
                .unwrap_or("")
                .to_string();
            (text, href)
        })
        .collect();
    assert_eq!(
        tags,
        [
            ("api 2".to_string(), "/tags/api/".to_string()),
            ("authentication 2".into(), "/tags/authentication/".into()),
            ("server 1".into(), "/tags/server/".into()),
        ]
    );
    assert_eq!(
        site.page("/http/4xx/401/").hrefs(".tags a"),
        ["/tags/authentication/", "/tags/api/"]
    );
}

#[test]
fn every_page_has_a_title_a_description_and_a_canonical_address() {
    let site = built("catalogs", &["--base-url", "https://example.com/help/"]);
    for file in html_files(&site.public()) {
        let url = url_of(&site.public(), &file);
        let page = Page::open(&url, &file);
        if page.redirect_target().is_some() {
            continue;
        }
        assert!(!page.text("title").is_empty(), "{url} has an empty <title>");
        let descriptions = page.attrs(r#"meta[name="description"]"#, "content");
        assert!(
            descriptions.len() == 1 && !descriptions[0].is_empty(),
            "{url}: {descriptions:?}"
        );
        let canonical = page.hrefs(r#"link[rel="canonical"]"#);
        assert_eq!(canonical.len(), 1, "{url}");
        assert!(
            canonical[0].starts_with("https://example.com/help/"),
            "{url}: {canonical:?}"
        );
    }
    let article = site.page("/http/4xx/401/");
    assert_eq!(
        article.hrefs(r#"link[rel="canonical"]"#),
        ["https://example.com/help/http/4xx/401/"]
    );
    assert_eq!(
        article.attrs(r#"meta[name="description"]"#, "content"),
        ["What 401 Unauthorized means."]
    );
}

// --- links and sub-path deploys ----------------------------------------------------------------

/// Every `href`/`src`/`action` on every page either is external, a fragment, or starts with
/// `base_path`, and every internal one leads to a file and id that exist.
fn assert_links_stay_under(site: &Site, base_path: &str) {
    let public = site.public();
    let mut outside = Vec::new();
    for file in html_files(&public) {
        let url = url_of(&public, &file);
        for link in Page::open(&url, &file).internal_references() {
            if !link.starts_with('#') && !link.starts_with(base_path) {
                outside.push(format!("{url}: {link}"));
            }
        }
    }
    assert!(
        outside.is_empty(),
        "links outside {base_path}:\n{}",
        outside.join("\n")
    );
    let (broken, checked) = broken_links(&public, base_path);
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(checked > 100, "only {checked} links checked");
}

#[test]
fn a_site_at_the_root_has_no_broken_links_or_anchors() {
    let site = built("catalogs", &["--drafts"]);
    assert_links_stay_under(&site, "/");
}

#[test]
fn a_base_url_with_a_path_in_kb_yaml_puts_every_link_under_that_path() {
    let site = Site::fixture("catalogs");
    let config = site.read("kb.yaml");
    site.write(
        "kb.yaml",
        &format!("{config}base_url: https://example.com/help/\n"),
    );
    site.build(&[]);
    assert_links_stay_under(&site, "/help/");
    let page = site.page("/http/4xx/401/");
    assert!(
        page.hrefs(".body a")
            .contains(&"/help/http/5xx/500/#resolution".to_string()),
        "{:?}",
        page.hrefs(".body a")
    );
    assert_eq!(page.attrs(".body img", "src"), ["/help/img/diagram.svg"]);
}

#[test]
fn the_base_url_option_overrides_kb_yaml() {
    let site = Site::fixture("catalogs");
    let config = site.read("kb.yaml");
    site.write(
        "kb.yaml",
        &format!("{config}base_url: https://example.com/elsewhere/\n"),
    );
    site.build(&["--base-url", "https://example.com/help/"]);
    assert_links_stay_under(&site, "/help/");
    assert_eq!(
        site.page("/").hrefs(r#"link[rel="canonical"]"#),
        ["https://example.com/help/"]
    );
}

#[test]
fn an_alias_redirects_to_the_article_under_the_base_url() {
    let site = built("catalogs", &["--base-url", "https://example.com/help/"]);
    let redirect = Page::at(&site.public(), "/errors/404.html");
    assert_eq!(
        redirect.redirect_target().as_deref(),
        Some("https://example.com/help/http/4xx/404/")
    );
}

/// The redirect pages (aliases and short addresses) come from the site's own `redirect.html`,
/// whether it only prints values, escaped, or does more (a filter); and from the default one,
/// in the site's language and words, with a title that must be escaped.
#[test]
fn redirect_pages_come_from_the_sites_own_template_or_the_default_one() {
    let site = Site::fixture("catalogs");
    let article = site.read("content/http/4xx/404.md");
    site.write(
        "content/http/4xx/404.md",
        &article.replace("title: Not Found", "title: \"Not <Found> & 'gone'\""),
    );
    site.write(
        "kb.yaml",
        "title: Fixture & Help\nlanguage: fr-CA\nui:\n  redirecting: \"Déplacée <ici>\"\n",
    );
    let title = "404 Not <Found> & 'gone'";
    let target = "/http/4xx/404/";
    site.build(&[]);
    for url in ["/errors/404.html", "/404/"] {
        let page = site.page(url);
        assert_eq!(page.redirect_target().as_deref(), Some(target), "{url}");
        assert_eq!(page.attrs("html", "lang"), ["fr-CA"], "{url}");
        assert_eq!(page.text("title"), title, "{url}");
        assert_eq!(page.text("p"), format!("Déplacée <ici> {target}."), "{url}");
    }
    site.write(
        "templates/redirect.html",
        "<title>{{ site.title }}: {{ page.title }}</title><p>{{ page.description }}</p><a href=\"{{ target }}\">{{ target }}</a>\n",
    );
    site.build(&[]);
    for url in ["/errors/404.html", "/404/"] {
        let page = site.page(url);
        assert_eq!(
            page.text("title"),
            format!("Fixture & Help: {title}"),
            "{url}"
        );
        assert_eq!(page.text("p"), "What 404 Not Found means.", "{url}");
        assert_eq!(page.hrefs("a"), [target], "{url}");
    }
    site.write(
        "templates/redirect.html",
        "<title>{{ page.title | upper }}</title><a href=\"{{ target }}\">{{ target }}</a>\n",
    );
    site.build(&[]);
    for url in ["/errors/404.html", "/404/"] {
        let page = site.page(url);
        assert_eq!(page.text("title"), title.to_uppercase(), "{url}");
        assert_eq!(page.hrefs("a"), [target], "{url}");
    }
}

// --- drafts ------------------------------------------------------------------------------------

#[test]
fn drafts_are_left_out_of_every_page_by_default() {
    let site = built("catalogs", &[]);
    assert!(
        !site.public().join("http/4xx/499").exists(),
        "the draft was written"
    );
    assert!(
        !site
            .page("/http/4xx/")
            .hrefs("a")
            .contains(&"/http/4xx/499/".to_string())
    );
    assert!(
        !site
            .page("/codes/")
            .texts(".code")
            .contains(&"499".to_string())
    );
    assert_eq!(site.page("/").texts(".catalog h2 .count")[0], "4 articles");
    assert!(
        !site
            .page("/http/4xx/401/")
            .hrefs("#referenced-by a")
            .contains(&"/http/4xx/499/".to_string())
    );
}

#[test]
fn the_drafts_option_builds_drafts_like_other_articles() {
    let site = built("catalogs", &["--drafts"]);
    assert_eq!(
        site.page("/http/4xx/499/").text("h1"),
        "499 Client Closed Request"
    );
    assert!(
        site.page("/codes/")
            .texts(".code")
            .contains(&"499".to_string())
    );
    assert_eq!(site.page("/").texts(".catalog h2 .count")[0], "5 articles");
    assert!(
        site.page("/http/4xx/401/")
            .hrefs("#referenced-by a")
            .contains(&"/http/4xx/499/".to_string())
    );
}

// --- overrides ---------------------------------------------------------------------------------

#[test]
fn a_site_template_replaces_only_the_template_of_the_same_name() {
    let site = built("overrides", &[]);
    let article = site.page("/http/4xx/401/");
    assert_eq!(article.text("h1.custom"), "401 — Unauthorized");
    assert!(
        !article.has(".article-header"),
        "the default article template was used"
    );
    // base.html, which the site's article.html extends, is still kb's own.
    assert_eq!(article.text(".site-header .site-title"), "Overridden help");
    // Other pages keep the default templates.
    let category = site.page("/http/4xx/");
    assert!(category.has(".category-header"));
    assert!(!category.has(".custom"));
    assert_eq!(category.texts(".article-list .code"), ["401", "403"]);
}

#[test]
fn a_site_stylesheet_replaces_the_default_and_other_assets_stay() {
    let site = built("overrides", &[]);
    assert_eq!(site.read("public/kb.css"), site.read("static/kb.css"));
    let default_js = std::fs::read(common::repo_root().join("static/kb.js")).unwrap_or_default();
    assert!(!default_js.is_empty());
    assert_eq!(
        std::fs::read(site.public().join("kb.js")).ok(),
        Some(default_js)
    );
}

// --- the output folder -------------------------------------------------------------------------

#[test]
fn a_failed_build_leaves_the_previous_output_byte_identical() {
    let site = built("catalogs", &[]);
    let before = snapshot(&site.public());
    let root_before = names_in(site.root());
    site.write(
        "content/http/4xx/403.md",
        "---\ncode: 403\ntitle: Forbidden\nrelatd: [401]\n---\n",
    );
    site.build_fails(&[]);
    assert!(
        snapshot(&site.public()) == before,
        "the output changed after a failed build"
    );
    assert_eq!(
        names_in(site.root()),
        root_before,
        "a staging folder was left beside the output"
    );
}

#[test]
fn a_build_that_fails_while_writing_removes_its_staging_folder() {
    let site = Site::fixture("catalogs");
    site.write("out", "a file where the output folder should be");
    let run = site.kb(&["build", "--output", "out"]);
    assert!(!run.status.success(), "{run}");
    run.assert_stderr_contains("is a file, not a folder");
    assert_eq!(site.read("out"), "a file where the output folder should be");
    assert_eq!(
        names_in(site.root()),
        ["content", "kb.yaml", "out", "static"]
    );
}

#[test]
fn a_rebuild_leaves_no_file_of_an_earlier_build_and_no_staging_folder() {
    let site = built("catalogs", &[]);
    let root_before = names_in(site.root());
    site.write("public/stale.html", "<p>from an earlier build</p>");
    site.remove("content/http/4xx/404.md");
    let without_404 = site
        .read("content/http/4xx/401.md")
        .replace("related: [403, 404, smtp/550]", "related: [403, smtp/550]");
    site.write("content/http/4xx/401.md", &without_404);
    site.build(&[]);
    assert!(!site.public().join("stale.html").exists());
    assert!(!site.public().join("http/4xx/404").exists());
    assert!(
        !site.public().join("errors/404.html").exists(),
        "the removed article's alias survived"
    );
    assert!(site.public().join("http/4xx/401/index.html").is_file());
    assert_eq!(names_in(site.root()), root_before);
}

#[test]
fn the_output_option_writes_elsewhere_and_the_summary_names_it() {
    let site = Site::fixture("catalogs");
    let run = site.build(&["--output", "site-out"]);
    assert!(site.path("site-out/http/4xx/401/index.html").is_file());
    assert!(!site.public().exists());
    assert!(run.stdout.trim_end().ends_with(" ms → site-out/"), "{run}");
}

#[test]
fn a_successful_build_prints_one_summary_line_and_nothing_else() {
    let site = Site::fixture("catalogs");
    let run = site.build(&[]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{run}");
    let rest = lines[0].strip_prefix("Built 7 articles in 5 categories in ");
    let (millis, dir) = rest
        .and_then(|r| r.split_once(" ms → "))
        .unwrap_or_else(|| panic!("{run}"));
    assert!(millis.parse::<u64>().is_ok(), "{run}");
    assert_eq!(dir, "public/", "{run}");
    assert_eq!(run.stderr, "", "the fixture should build without warnings");
}

// --- the process -------------------------------------------------------------------------------

/// kb leaves its memory to the system at exit instead of having its allocator free every page
/// first (`main.rs`). The allocator prints the statistics asked for here in that clean-up, so
/// none are printed when it is skipped; they were when a build still ran it.
#[test]
fn the_allocator_does_not_clean_up_at_exit() {
    let site = Site::fixture("catalogs");
    let run = site.kb_with_env(&["build"], &[("MIMALLOC_SHOW_STATS", "1")]);
    run.assert_success();
    assert!(!run.stderr.contains("elapsed"), "{run}");
    assert!(site.public().join("index.html").is_file());
}

/// A code block whose text the parser gives in pieces (in a quote, each line is its own; an
/// indented block's blank lines too) is highlighted whole, as a block in one piece is.
#[test]
fn code_blocks_given_in_pieces_are_highlighted_whole() {
    let site = Site::fixture("basic");
    site.write(
        "content/http/4xx/403.md",
        "---\ncode: 403\ntitle: Forbidden\nsummary: No.\n---\n## Resolution\n\n\
         > ```sh\n> sudo systemctl restart nginx\n> curl -sI http://x | head -n 1\n> ```\n\n\
         Then:\n\n    first line\n\n    after a blank line\n\n\
         ```sh\nsudo systemctl restart nginx\ncurl -sI http://x | head -n 1\n```\n",
    );
    site.build(&[]);
    let page = site.page("/http/4xx/403/");
    // (Text with its white space collapsed.)
    let blocks = page.texts(".body pre code");
    assert_eq!(
        blocks,
        [
            "sudo systemctl restart nginx curl -sI http://x | head -n 1",
            "first line after a blank line",
            "sudo systemctl restart nginx curl -sI http://x | head -n 1",
        ]
    );
    // The quoted block's lines are highlighted as the same lines in one piece.
    let quoted = page.select(".body blockquote pre code");
    let whole = page.select(".body > pre code.language-sh");
    assert_eq!(quoted.len(), 1);
    assert_eq!(whole.len(), 1);
    assert_eq!(quoted[0].inner_html(), whole[0].inner_html());
    assert_eq!(
        page.texts(".body blockquote .hl-variable.hl-function"),
        ["sudo", "curl", "head"]
    );
}
