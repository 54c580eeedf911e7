//! The default theme's pages, parsed: what an article shows and in which order, the table of
//! contents, heading anchors, highlighted code, scrolling tables, the feedback form, translated
//! interface strings, landmarks, and the weight of its CSS and JS.
//!
//! What only a browser can check (axe-core, layout, scripts) is in `theme_browser.rs`.

mod common;

use common::{Page, Site, text_of};

fn built() -> Site {
    let site = Site::fixture("theme");
    site.build(&[]);
    site
}

/// The ids and classes of `<main>`'s landmarks and sections, in document order.
fn outline(page: &Page) -> Vec<String> {
    page.select("main h1, main .summary, main #messages, main .toc, main .body, main #applies-to, main #related, main #referenced-by, main .updated")
        .into_iter()
        .map(|e| {
            let v = e.value();
            v.id()
                .map(|id| format!("#{id}"))
                .or_else(|| v.classes().next().map(|c| format!(".{c}")))
                .unwrap_or_else(|| v.name().to_string())
        })
        .collect()
}

#[test]
fn an_article_shows_code_title_summary_and_messages_first_then_cause_steps_applies_to_related_and_date()
 {
    let site = built();
    let page = site.page("/app/e100/");
    assert_eq!(
        outline(&page),
        [
            "h1",
            ".summary",
            "#messages",
            ".toc",
            ".body",
            "#applies-to",
            "#related",
            "#referenced-by",
            ".updated"
        ]
    );
    assert_eq!(page.text("main h1 .code"), "E100");
    assert_eq!(page.text("main h1"), "E100 Disk full");
    assert_eq!(
        page.text("main .summary"),
        "The app could not save because the disk has no free space."
    );
    assert_eq!(
        page.texts(".body h2"),
        ["Cause #", "Resolution #", "Notes #"]
    );
    assert_eq!(
        page.texts("#applies-to li"),
        ["Desktop app", "Command-line tool"]
    );
    assert_eq!(page.attrs(".updated time", "datetime"), ["2026-01-15"]);
}

#[test]
fn every_message_variant_is_shown_verbatim_with_a_copy_button_holding_it() {
    let site = built();
    let page = site.page("/app/e100/");
    let messages = page.texts("#messages .message");
    assert_eq!(
        messages,
        [
            "E100: disk full",
            "Cannot write <file>: \"No space left on device\"",
            "ENOSPC",
            "Error E100",
            "Save failed (E100)",
            "Out of disk space"
        ]
    );
    assert_eq!(page.attrs("#messages button.copy", "data-copy"), messages);
    // Without JavaScript a copy button could not work, so it starts hidden.
    assert_eq!(page.select("#messages button.copy[hidden]").len(), 6);
}

#[test]
fn after_four_message_variants_the_rest_fold_away() {
    let site = built();
    let page = site.page("/app/e100/");
    assert_eq!(page.select("#messages > ul .message").len(), 4);
    assert_eq!(
        page.texts("#messages details .message"),
        ["Save failed (E100)", "Out of disk space"]
    );
    assert_eq!(page.text("#messages details summary"), "More messages (2)");
    let short = site.page("/app/e200/");
    assert!(!short.has("#messages"), "E200 lists no messages");
}

#[test]
fn resolution_steps_are_an_ordered_list_each_with_its_own_anchor() {
    let site = built();
    let page = site.page("/app/e100/");
    assert_eq!(
        page.attrs(".body > ol > li", "id"),
        [
            "step-1",
            "step-2",
            "if-you-run-the-server-step-1",
            "if-you-run-the-server-step-2"
        ]
    );
}

/// A step id made from an author's own heading id is escaped in its attribute like the heading's,
/// so a quote in it cannot end the attribute.
#[test]
fn step_ids_from_an_authors_heading_id_are_escaped() {
    let site = Site::fixture("theme");
    site.write(
        "content/app/e900.md",
        "---\ncode: E900\ntitle: Quoted ids\nsummary: Steps under a heading with its own id.\n---\n\
         ## Resolution\n\n1. First.\n\n## If it fails {#try\"again&more}\n\n1. Retry.\n2. Report.\n",
    );
    site.build(&[]);
    let page = site.page("/app/e900/");
    assert_eq!(
        page.attrs(".body > ol > li", "id"),
        ["step-1", "try\"again&more-step-1", "try\"again&more-step-2"]
    );
    assert_eq!(
        page.attrs(".body h2", "id"),
        ["resolution", "try\"again&more"]
    );
}

#[test]
fn related_errors_and_referenced_by_show_code_title_and_summary() {
    let site = built();
    let page = site.page("/app/e100/");
    assert_eq!(page.hrefs("#related a"), ["/app/e200/"]);
    assert_eq!(page.texts("#related .code"), ["E200"]);
    assert_eq!(page.texts("#related .title"), ["Quota exceeded"]);
    assert_eq!(
        page.texts("#related li p"),
        ["Your account's storage quota is used up."]
    );
    // E200 names E100 too, but E100 lists it under related already: shown once.
    assert_eq!(page.texts("#referenced-by .code"), ["E300"]);
    assert_eq!(
        page.texts("#referenced-by li p"),
        ["A write failed for a reason the app could not tell."]
    );
}

#[test]
fn long_articles_get_a_table_of_contents_of_their_headings_and_short_ones_do_not() {
    let site = built();
    let page = site.page("/app/e100/");
    assert_eq!(
        page.links(".toc a"),
        [
            ("Cause".to_string(), "#cause".to_string()),
            ("Resolution".to_string(), "#resolution".to_string()),
            (
                "If you use the app".to_string(),
                "#if-you-use-the-app".to_string()
            ),
            (
                "If you run the server".to_string(),
                "#if-you-run-the-server".to_string()
            ),
            ("Notes".to_string(), "#notes".to_string()),
        ]
    );
    assert!(page.has("article.has-toc"));
    let short = site.page("/app/e200/");
    assert!(!short.has(".toc"), "two headings need no table of contents");
    assert!(!short.has("article.has-toc"));
}

#[test]
fn every_heading_of_the_body_links_to_its_own_anchor() {
    let site = built();
    let page = site.page("/app/e100/");
    let headings = page.select(".body h2, .body h3");
    assert_eq!(headings.len(), 5);
    for heading in headings {
        let id = heading.value().id().unwrap_or_default().to_string();
        let anchor = heading
            .select(&common::css("a.anchor"))
            .next()
            .unwrap_or_else(|| panic!("heading #{id} has no anchor link"));
        assert_eq!(anchor.value().attr("href"), Some(format!("#{id}").as_str()));
        // The TOC carries the same links; the `#` is decoration for pointer users.
        assert_eq!(anchor.value().attr("aria-hidden"), Some("true"));
        assert_eq!(anchor.value().attr("tabindex"), Some("-1"));
    }
}

#[test]
fn code_blocks_are_highlighted_at_build_time_with_classes_and_unknown_languages_stay_plain() {
    let site = built();
    let page = site.page("/app/e100/");
    let blocks = page.select(".body pre");
    assert_eq!(blocks.len(), 2);
    // Focusable, so a keyboard can scroll a long line.
    assert!(
        blocks
            .iter()
            .all(|b| b.value().attr("tabindex") == Some("0"))
    );
    assert!(page.has("pre > code.language-sh"));
    assert!(
        page.texts("code.language-sh .hl-comment")
            .iter()
            .any(|t| t.contains("the biggest folders first")),
        "the comment is marked as one"
    );
    assert_eq!(
        page.texts("code.language-sh .hl-variable.hl-function"),
        ["du", "sort", "head"]
    );
    // No style attributes: colours come from kb.css, for light and dark alike.
    assert!(!page.has("pre [style]"));
    assert_eq!(
        page.text("code.language-sh"),
        "# the biggest folders first du -sh /var/* | sort -rh | head"
    );
    let unknown = page.select("code.language-logrotate");
    assert_eq!(unknown.len(), 1);
    assert_eq!(text_of(unknown[0]), "/var/log/app/*.log { daily }");
    assert!(!page.has("code.language-logrotate span"));
}

#[test]
fn tables_scroll_inside_their_own_focusable_box() {
    let site = built();
    let page = site.page("/app/e100/");
    assert_eq!(
        page.select(".body .table-wrap[tabindex='0'] > table").len(),
        1
    );
    assert_eq!(page.texts(".table-wrap th"), ["Platform", "Message"]);
}

#[test]
fn without_a_feedback_endpoint_no_page_asks_was_this_helpful() {
    let site = built();
    for url in ["/app/e100/", "/app/e200/", "/", "/app/"] {
        let page = site.page(url);
        assert!(!page.has("form.feedback"), "{url} has a feedback form");
        assert!(!page.source.contains("Was this helpful?"), "{url}");
    }
}

#[test]
fn with_a_feedback_endpoint_articles_ask_was_this_helpful_and_post_there() {
    let site = Site::fixture("theme");
    site.write(
        "kb.yaml",
        "title: Theme test\nfeedback_endpoint: https://feedback.example.com/kb\n",
    );
    site.build(&[]);
    let page = site.page("/app/e100/");
    assert_eq!(
        page.attrs("form.feedback", "action"),
        ["https://feedback.example.com/kb"]
    );
    assert_eq!(page.attrs("form.feedback", "method"), ["post"]);
    assert_eq!(page.text("form.feedback legend"), "Was this helpful?");
    assert_eq!(page.attrs("form.feedback button", "value"), ["yes", "no"]);
    assert_eq!(
        page.attrs("form.feedback input[type=hidden]", "value"),
        ["/app/e100/", "E100"]
    );
    assert!(
        !site.page("/app/").has("form.feedback"),
        "only articles ask"
    );
}

#[test]
fn interface_strings_and_the_page_language_come_from_kb_yaml() {
    let site = Site::fixture("theme");
    site.write(
        "kb.yaml",
        "title: Test\nlanguage: fr-CA\nfeedback_endpoint: /avis\nui:\n  related_errors: Erreurs liées\n  \
         referenced_by: Cité par\n  error_messages: Ce que vous voyez\n  applies_to: Concerne\n  \
         on_this_page: Sur cette page\n  updated: Mis à jour le\n  was_this_helpful: Cette page vous a-t-elle aidé ?\n  \
         yes: Oui\n  no: Non\n  copy: Copier\n  copied: Copié\n  more_messages: Autres messages\n  \
         skip_to_content: Aller au contenu\n",
    );
    site.build(&[]);
    let page = site.page("/app/e100/");
    assert_eq!(page.attrs("html", "lang"), ["fr-CA"]);
    assert_eq!(
        page.attrs(r#"meta[property="og:locale"]"#, "content"),
        ["fr_CA"]
    );
    assert_eq!(page.text("#related h2"), "Erreurs liées");
    assert_eq!(page.text("#referenced-by h2"), "Cité par");
    assert_eq!(page.text("#messages h2"), "Ce que vous voyez");
    assert_eq!(page.text("#applies-to h2"), "Concerne");
    assert_eq!(page.text(".toc h2"), "Sur cette page");
    assert_eq!(page.text(".updated"), "Mis à jour le 2026-01-15");
    assert_eq!(
        page.text("form.feedback legend"),
        "Cette page vous a-t-elle aidé ?"
    );
    assert_eq!(page.texts("form.feedback button"), ["Oui", "Non"]);
    assert_eq!(page.texts("#messages button.copy")[0], "Copier");
    assert_eq!(page.text("#messages summary"), "Autres messages (2)");
    assert_eq!(page.text(".skip-link"), "Aller au contenu");
    assert_eq!(page.attrs("body", "data-copy-label"), ["Copier"]);
    assert_eq!(page.attrs("body", "data-copied-label"), ["Copié"]);
}

#[test]
fn every_page_has_a_skip_link_to_main_landmarks_and_one_h1() {
    let site = built();
    for url in ["/", "/app/", "/app/e100/", "/codes/", "/tags/", "/404.html"] {
        let page = site.page(url);
        let first_link = page.select("body a").into_iter().next().map(|a| {
            (
                a.value().attr("class").unwrap_or_default().to_string(),
                a.value().attr("href").unwrap_or_default().to_string(),
            )
        });
        assert_eq!(
            first_link,
            Some(("skip-link".to_string(), "#main".to_string())),
            "{url}: the first link skips to the content"
        );
        assert_eq!(page.select("main#main").len(), 1, "{url}");
        assert_eq!(page.select("body > header").len(), 1, "{url}");
        assert_eq!(page.select("body > footer").len(), 1, "{url}");
        assert!(page.has("nav[aria-label]"), "{url}");
        assert_eq!(page.select("h1").len(), 1, "{url}");
        assert!(page.has("html[lang=en]"), "{url}");
    }
}

#[test]
fn breadcrumbs_mark_the_current_page_for_screen_readers() {
    let site = built();
    let page = site.page("/app/e100/");
    assert_eq!(
        page.texts(".breadcrumbs [aria-current=page]"),
        ["E100 Disk full"]
    );
    assert_eq!(page.select(".breadcrumbs [aria-current]").len(), 1);
}

#[test]
fn a_page_loads_at_most_48_kib_of_css_and_javascript() {
    let site = built();
    let page = site.page("/app/e100/");
    let assets: Vec<String> = page
        .attrs("link[rel=stylesheet]", "href")
        .into_iter()
        .chain(page.attrs("script[src]", "src"))
        .collect();
    assert!(assets.contains(&"/kb.css".to_string()), "{assets:?}");
    let total: u64 = assets
        .iter()
        .map(|url| {
            let file = site.public().join(url.trim_start_matches('/'));
            std::fs::metadata(&file)
                .unwrap_or_else(|e| panic!("{url} is not in the output: {e}"))
                .len()
        })
        .sum();
    assert!(
        total <= 48 * 1024,
        "{total} bytes of CSS and JS: {assets:?}"
    );
    // No web fonts, no framework, no request to another origin.
    assert!(
        assets
            .iter()
            .all(|a| a.starts_with('/') && !a.starts_with("//")),
        "{assets:?}"
    );
    assert!(!site.read("public/kb.css").contains("@font-face"));
    assert!(!site.read("public/kb.css").contains("@import"));
}
