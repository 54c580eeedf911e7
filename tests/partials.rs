//! The partials kb renders once per build and every page then prints: an article's list item
//! (`partials/article_item.html`, the `html` of every article link), the site header and footer
//! (`partials/header.html`, `partials/footer.html`). A site that overrides one sees its markup on
//! every page that shows it, an error in one is reported once at its line, and `kb serve` renders
//! them again when what they show changes.

mod common;

use common::serve::Server;
use common::{Page, Site, html_files};

/// The `data-code` of the site's own list items under `selector`, in order.
fn own_items(page: &Page, selector: &str) -> Vec<String> {
    page.attrs(&format!("{selector} li.own-item"), "data-code")
}

const OWN_ITEM: &str = "<li class=\"own-item\" data-code=\"{{ item.code }}\"><a href=\"{{ item.url }}\">{{ item.title }}</a> <small>{{ site.title }}</small></li>\n";

#[test]
fn a_site_article_item_is_the_markup_of_every_article_list() {
    let site = Site::fixture("catalogs");
    site.write("templates/partials/article_item.html", OWN_ITEM);
    // A one-way link, for a list of backlinks.
    let path = "content/http/5xx/500.md";
    let text = site.read(path).replace("related: [", "related: [401, ");
    site.write(path, &text);
    site.build(&[]);

    let article = site.page("/http/4xx/401/");
    assert_eq!(own_items(&article, "#related"), ["403", "404", "550"]);
    assert_eq!(own_items(&article, ".siblings"), ["403", "404"]);
    assert_eq!(own_items(&article, "#referenced-by"), ["500"]);
    assert_eq!(
        article.texts("#related li.own-item a"),
        ["Forbidden", "Not Found", "Mailbox unavailable"]
    );
    // The item sees the site-wide values as every template does.
    assert_eq!(
        article.texts("#related li.own-item small"),
        ["Fixture Help"; 3]
    );
    assert_eq!(
        article.hrefs("#related li.own-item a"),
        ["/http/4xx/403/", "/http/4xx/404/", "/smtp/550/"]
    );
    assert_eq!(
        own_items(&site.page("/http/4xx/"), ".article-list"),
        ["401", "403", "404"]
    );
    assert_eq!(
        own_items(&site.page("/tags/api/"), ".article-list"),
        own_items(&site.page("/tags/api/"), "main")
    );
    assert!(!own_items(&site.page("/tags/api/"), "main").is_empty());
    // No list anywhere (the backlinks too) keeps the default item.
    let mut lists = 0;
    for file in html_files(&site.public()) {
        let page = Page::open(&file.display().to_string(), &file);
        let items = page.select(".article-list > li").len();
        assert_eq!(
            page.select(".article-list > li.own-item").len(),
            items,
            "{} has a default list item",
            file.display()
        );
        lists += items;
    }
    assert!(lists > 10, "only {lists} list items in the whole site");
}

#[test]
fn the_default_article_item_escapes_front_matter_once() {
    let site = Site::fixture("catalogs");
    let path = "content/http/4xx/403.md";
    let text = site.read(path).replace(
        "title: Forbidden",
        "title: \"Forbidden <b>& 'friends'</b>\"",
    );
    site.write(path, &text);
    site.build(&[]);
    let article = site.page("/http/4xx/401/");
    assert_eq!(
        article.texts("#related .article-list li .title")[0],
        "Forbidden <b>& 'friends'</b>"
    );
    assert!(!article.has("#related .article-list b"));
}

#[test]
fn an_error_in_the_article_item_is_reported_once_at_its_line() {
    let site = Site::fixture("catalogs");
    site.write(
        "templates/partials/article_item.html",
        "<li>\n{{ item.title | round }}</li>\n",
    );
    let run = site.build_fails(&[]);
    let item_errors: Vec<_> = run
        .diagnostics()
        .into_iter()
        .filter(|(_, location)| {
            location
                .as_deref()
                .is_some_and(|l| l.starts_with("templates/partials/article_item.html:2:"))
        })
        .collect();
    assert_eq!(item_errors.len(), 1, "{run}");
    assert!(
        item_errors[0].0.starts_with("error: template error"),
        "{run}"
    );
    assert_eq!(run.error_count(), 1, "{run}");
}

#[test]
fn serve_shows_an_edited_title_in_the_lists_of_the_other_pages() {
    let site = Site::fixture("catalogs");
    let server = Server::start(site.root(), &[]);
    let mut events = server.events();
    let before = server.get("/http/4xx/401/").page();
    assert!(
        before
            .texts("#related .title")
            .contains(&"Forbidden".to_string())
    );
    let path = "content/http/4xx/403.md";
    site.write(
        path,
        &site
            .read(path)
            .replace("title: Forbidden", "title: Access refused"),
    );
    assert_eq!(events.next_change().name, "reload");
    let related = server.get("/http/4xx/401/").page().texts("#related .title");
    assert!(
        related.contains(&"Access refused".to_string()),
        "{related:?}"
    );
    assert!(!related.contains(&"Forbidden".to_string()), "{related:?}");
    let listed = server
        .get("/http/4xx/")
        .page()
        .texts(".article-list .title");
    assert!(listed.contains(&"Access refused".to_string()), "{listed:?}");

    // A new article_item.html is used by every list at once.
    site.write("templates/partials/article_item.html", OWN_ITEM);
    assert_eq!(events.next_change().name, "reload");
    let page = server.get("/http/4xx/401/").page();
    assert_eq!(own_items(&page, "#related"), ["403", "404", "550"]);
    assert_eq!(page.texts("#related li.own-item a")[0], "Access refused");
}

const OWN_HEADER: &str = "<header class=\"own-header\"><a href=\"{{ site.home_url }}\">{{ site.title }}</a>{% for catalog in site.catalogs %} <span class=\"catalog\">{{ catalog.title }}</span>{% endfor %}</header>\n";

/// The pages made from `base.html` (all but the redirect pages), parsed.
fn layout_pages(site: &Site) -> Vec<Page> {
    html_files(&site.public())
        .iter()
        .map(|file| Page::open(&file.display().to_string(), file))
        .filter(|page| page.has("main"))
        .collect()
}

#[test]
fn a_site_header_and_footer_are_on_every_page() {
    let site = Site::fixture("catalogs");
    site.write("templates/partials/header.html", OWN_HEADER);
    site.write(
        "templates/partials/footer.html",
        "<footer class=\"own-footer\">{{ site.description }} · {{ site.ui.tags }}</footer>\n",
    );
    site.build(&[]);
    let pages = layout_pages(&site);
    assert!(pages.len() > 15, "only {} pages", pages.len());
    for page in &pages {
        assert_eq!(
            page.texts("header.own-header > a"),
            ["Fixture Help"],
            "{}",
            page.url
        );
        assert_eq!(
            page.texts("header.own-header .catalog"),
            ["HTTP status codes", "SMTP reply codes", "FTP reply codes"],
            "{}",
            page.url
        );
        assert_eq!(
            page.texts("footer.own-footer"),
            ["Error codes of three protocols, for kb's tests. · Tags"],
            "{}",
            page.url
        );
        assert!(
            !page.has(".site-header") && !page.has(".site-footer"),
            "{}",
            page.url
        );
        // What base.html keeps around them is still there, in its place.
        assert!(
            page.has("body > a.skip-link + header.own-header"),
            "{}",
            page.url
        );
    }
}

#[test]
fn the_default_header_and_footer_are_the_same_on_every_page() {
    let site = Site::fixture("catalogs");
    site.build(&[]);
    let pages = layout_pages(&site);
    assert!(pages.len() > 15, "only {} pages", pages.len());
    let part = |page: &Page, selector: &str| -> String {
        let found = page.select(selector);
        assert_eq!(
            found.len(),
            1,
            "{} has {} {selector}",
            page.url,
            found.len()
        );
        found[0].html()
    };
    let header = part(&pages[0], "body > header.site-header");
    let footer = part(&pages[0], "body > footer.site-footer");
    assert!(
        header.contains("search-input") && header.contains("/http/"),
        "{header}"
    );
    assert!(footer.contains("/tags/"), "{footer}");
    for page in &pages {
        assert_eq!(
            part(page, "body > header.site-header"),
            header,
            "{}",
            page.url
        );
        assert_eq!(
            part(page, "body > footer.site-footer"),
            footer,
            "{}",
            page.url
        );
    }
}

#[test]
fn a_header_that_reads_the_page_is_reported_once_at_its_line() {
    let site = Site::fixture("catalogs");
    site.write(
        "templates/partials/header.html",
        "<header>\n<h1>{{ page.title }}</h1>\n</header>\n",
    );
    let run = site.build_fails(&[]);
    assert_eq!(run.error_count(), 1, "{run}");
    let (message, location) = &run.diagnostics()[0];
    assert!(message.starts_with("error: template error"), "{run}");
    assert!(
        location
            .as_deref()
            .is_some_and(|l| l.starts_with("templates/partials/header.html:2:")),
        "{run}"
    );
}

/// A theme of its own that includes its own `partials/header.html` with each page's values, and
/// prints neither `site_header` nor `site_footer`, builds as it did before kb had them.
#[test]
fn a_base_of_its_own_may_include_a_header_that_reads_the_page() {
    let site = Site::fixture("catalogs");
    site.write(
        "templates/partials/header.html",
        "<header class=\"own\"><h1>{{ page.title }}</h1></header>\n",
    );
    site.write(
        "templates/base.html",
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><title>{{ page.title }}</title>\n\
         <meta property=\"og:type\" content=\"{% block og_type %}website{% endblock og_type %}\">\n\
         {% block head %}{% endblock head %}</head>\n<body>\n{% include \"partials/header.html\" %}\n\
         {% block breadcrumbs %}{% endblock breadcrumbs %}\n\
         <main>{% block main %}{% endblock main %}</main>\n</body>\n</html>\n",
    );
    site.build(&[]);
    let page = site.page("/http/4xx/401/");
    let title = page.text("title");
    assert!(!title.is_empty());
    assert_eq!(page.texts("header.own h1"), [title]);
    assert!(
        !page.has(".site-header"),
        "the default header is not printed"
    );
}

#[test]
fn serve_renders_the_header_again_for_a_new_title_or_header() {
    let site = Site::fixture("catalogs");
    let server = Server::start(site.root(), &[]);
    let mut events = server.events();
    let title = |url: &str| server.get(url).page().texts(".site-header .site-title");
    assert_eq!(title("/http/4xx/401/"), ["Fixture Help"]);
    site.write(
        "kb.yaml",
        &site.read("kb.yaml").replace("Fixture Help", "Renamed Help"),
    );
    assert_eq!(events.next_change().name, "reload");
    for url in ["/http/4xx/401/", "/http/4xx/", "/", "/codes/", "/tags/api/"] {
        assert_eq!(title(url), ["Renamed Help"], "{url}");
    }
    site.write("templates/partials/header.html", OWN_HEADER);
    assert_eq!(events.next_change().name, "reload");
    for url in ["/http/4xx/401/", "/http/4xx/", "/", "/codes/", "/tags/api/"] {
        let page = server.get(url).page();
        assert_eq!(
            page.texts("header.own-header > a"),
            ["Renamed Help"],
            "{url}"
        );
        assert!(!page.has(".site-header"), "{url}");
    }
}
