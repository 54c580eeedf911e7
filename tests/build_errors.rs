//! What `kb build` says about broken sites: every YAML pitfall of front matter, bad related
//! codes, and how problems of several files are reported together.
//!
//! Each test writes one bad file into a copy of `tests/fixtures/basic` and asserts the
//! diagnostic's first line and its ` --> path:line:col` line exactly (the snippet and help
//! below them may change style, so help is checked as a substring).

mod common;

use common::Site;

const ARTICLE: &str = "content/http/4xx/teapot.md";
const ARTICLE_AT: &str = "content/http/4xx/teapot.md";

/// Builds `basic` with `text` as one extra article and expects the build to fail.
fn build_with_article(text: &str) -> common::Run {
    let site = Site::fixture("basic");
    site.write(ARTICLE, text);
    site.build_fails(&[])
}

fn at(line_col: &str) -> String {
    format!("{ARTICLE_AT}:{line_col}")
}

// --- codes and values YAML would change ----------------------------------------------------------

#[test]
fn codes_that_yaml_would_turn_into_numbers_stay_exactly_as_written() {
    let site = Site::empty();
    site.write("content/_index.md", "---\ntitle: Codes\n---\n");
    let codes = ["0x1F", "0012", "1e3", "1.10", "NO", "true", "1_000"];
    for (i, code) in codes.iter().enumerate() {
        let next = codes[(i + 1) % codes.len()];
        let previous = codes[(i + codes.len() - 1) % codes.len()];
        site.write(
            &format!("content/x/{i}.md"),
            &format!(
                "---\ncode: {code}\ntitle: Off\nsummary: Kept as written.\nrelated: [{next}, {previous}]\nupdated: 2026-11-26\n---\n## Resolution\n\nNone.\n"
            ),
        );
    }
    let run = site.build(&[]);
    assert_eq!(run.stderr, "");
    for (i, code) in codes.iter().enumerate() {
        let page = site.page(&format!("/x/{}/", code.to_ascii_lowercase()));
        assert_eq!(page.text("h1 .code"), *code);
        assert_eq!(
            page.text("h1"),
            format!("{code} Off"),
            "a title of `Off` stays text"
        );
        let next = codes[(i + 1) % codes.len()];
        assert!(
            page.texts("#related .code").contains(&next.to_string()),
            "{code} → {next}"
        );
        assert_eq!(page.attrs("time", "datetime"), ["2026-11-26"]);
    }
    let index = site.page("/codes/");
    let mut listed = index.texts(".code-index .code");
    listed.sort();
    let mut expected: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
    expected.sort();
    assert_eq!(listed, expected);
}

#[test]
fn draft_yes_is_an_error_that_says_to_write_true_or_false() {
    let run = build_with_article("---\ncode: 418\ntitle: Teapot\ndraft: yes\n---\n");
    run.assert_diagnostic(
        "error: `draft` must be true or false, found string \"yes\"",
        &at("4:8"),
    );
    run.assert_stderr_contains("write `true` or `false`");
}

#[test]
fn an_unknown_key_gets_a_did_you_mean_hint() {
    let run = build_with_article("---\ncode: 418\ntitle: Teapot\nrelatd: [401]\n---\n");
    run.assert_diagnostic("error: unknown key `relatd`", &at("4:1"));
    run.assert_stderr_contains("did you mean `related`?");
}

#[test]
fn two_swapped_letters_in_a_key_get_a_did_you_mean_hint() {
    let run = build_with_article("---\ncode: 418\ntilte: Teapot\n---\n");
    run.assert_diagnostic("error: unknown key `tilte`", &at("3:1"));
    run.assert_stderr_contains("did you mean `title`?");
}

#[test]
fn an_unknown_key_without_a_near_match_lists_the_known_keys() {
    let run = build_with_article("---\ncode: 418\ntitle: Teapot\ncolour: brown\n---\n");
    run.assert_diagnostic("error: unknown key `colour`", &at("4:1"));
    run.assert_stderr_contains(
        "code, title, summary, messages, applies_to, related, tags, aliases, updated",
    );
}

#[test]
fn a_value_of_the_wrong_type_names_the_key_and_the_type_expected() {
    let run = build_with_article("---\ncode: 418\ntitle: Teapot\nmessages: 42\n---\n");
    run.assert_diagnostic(
        "error: `messages` must be a list, found integer `42`",
        &at("4:11"),
    );
    run.assert_stderr_contains("messages: [first, second]");

    let run = build_with_article("---\ncode: 418\ntitle: Teapot\ntags: [kitchen, [tea]]\n---\n");
    run.assert_diagnostic(
        "error: each entry of `tags` must be text, found a list",
        &at("4:17"),
    );

    let run = build_with_article("---\ncode: 418\ntitle: Teapot\nweight: heavy\n---\n");
    run.assert_diagnostic(
        "error: `weight` must be a whole number, found string \"heavy\"",
        &at("4:9"),
    );
}

#[test]
fn a_missing_code_or_title_is_reported_at_the_front_matter() {
    let run = build_with_article("---\ntitle: Teapot\nsummary: Short and stout.\n---\n");
    run.assert_diagnostic("error: missing required key `code`", &at("2:1"));
    run.assert_stderr_contains("code: 401");

    let run = build_with_article("---\ncode: 418\nsummary: Short and stout.\n---\n");
    run.assert_diagnostic("error: missing required key `title`", &at("2:1"));
}

#[test]
fn a_tab_in_the_indentation_is_named_as_the_problem() {
    let run =
        build_with_article("---\ncode: 418\ntitle: Teapot\nmessages:\n\t- \"I'm a teapot\"\n---\n");
    run.assert_diagnostic("error: front matter uses a tab for indentation", &at("5:1"));
    run.assert_stderr_contains("replace the tab with spaces");
}

#[test]
fn unclosed_front_matter_points_at_the_opening_fence() {
    let run = build_with_article("---\ncode: 418\ntitle: Teapot\n\n## Cause\n\nShort and stout.\n");
    run.assert_diagnostic("error: front matter is never closed", &at("1:1"));
    run.assert_stderr_contains("add a line with just `---`");
}

#[test]
fn an_article_without_front_matter_is_an_error() {
    let run = build_with_article("# I'm a teapot\n");
    run.assert_diagnostic("error: the article has no front matter", &at("1:1"));
}

#[test]
fn a_colon_and_space_inside_an_unquoted_value_says_to_quote_it() {
    let run = build_with_article(
        "---\ncode: 418\ntitle: Teapot\nmessages:\n  - Error: I'm a teapot\n---\n",
    );
    run.assert_diagnostic(
        "error: each entry of `messages` must be text, found `key: value`",
        &at("5:5"),
    );
    run.assert_stderr_contains("put the text in double quotes");

    let run = build_with_article("---\ncode: 418\ntitle: Error: teapot\n---\n");
    run.assert_diagnostic(
        "error: a value contains `: `, which YAML reads as a new key",
        &at("3:13"),
    );
    run.assert_stderr_contains("double quotes");
}

#[test]
fn an_unknown_key_in_kb_yaml_is_an_error_with_its_location() {
    let site = Site::fixture("basic");
    site.write("kb.yaml", "title: Basic help\ndescripion: A small site.\n");
    let run = site.build_fails(&[]);
    run.assert_diagnostic("error: unknown key `descripion`", "kb.yaml:2:1");
    run.assert_stderr_contains("did you mean `description`?");
}

// --- related codes -------------------------------------------------------------------------------

/// `catalogs` plus one article in http/4xx relating to `related`.
fn build_catalogs_with_related(related: &str) -> common::Run {
    let site = Site::fixture("catalogs");
    site.write(
        ARTICLE,
        &format!(
            "---\ncode: 418\ntitle: Teapot\nsummary: Short and stout.\nrelated: [{related}]\n---\n"
        ),
    );
    site.build_fails(&[])
}

#[test]
fn an_unknown_related_code_names_the_codes_of_the_catalog() {
    let run = build_catalogs_with_related("999");
    run.assert_diagnostic(
        "error: related code `999` does not match any article",
        &at("5:11"),
    );
    run.assert_stderr_contains("known codes in http: 401, 403, 404, 418, 500");
}

#[test]
fn an_ambiguous_related_code_names_each_catalog_qualified_candidate() {
    let run = build_catalogs_with_related("401, 550");
    run.assert_diagnostic(
        "error: related code `550` exists in more than one catalog",
        &at("5:16"),
    );
    run.assert_stderr_contains("write one of: ftp/550, smtp/550");
}

#[test]
fn a_related_code_in_an_unknown_catalog_names_the_catalogs() {
    let run = build_catalogs_with_related("mail/550");
    run.assert_diagnostic(
        "error: related code `mail/550` names a catalog that does not exist",
        &at("5:11"),
    );
    run.assert_stderr_contains("catalogs of this site: ftp, http, smtp");
}

#[test]
fn an_article_listing_its_own_code_as_related_is_an_error() {
    let run = build_catalogs_with_related("418");
    run.assert_diagnostic(
        "error: the article lists its own code `418` as related",
        &at("5:11"),
    );
}

#[test]
fn a_code_used_twice_in_one_catalog_is_an_error_naming_the_other_file() {
    let site = Site::fixture("catalogs");
    site.write(
        ARTICLE,
        "---\ncode: 550\ntitle: Teapot\nsummary: Short and stout.\n---\n",
    );
    // SMTP and FTP each have a 550; HTTP may have one too.
    site.build(&[]);
    site.write(
        "content/http/5xx/teapot.md",
        "---\ncode: 550\ntitle: Teapot 2\nsummary: Short.\n---\n",
    );
    let run = site.build_fails(&[]);
    let twice = run
        .diagnostics()
        .into_iter()
        .filter(|(message, _)| message == "error: code `550` is used twice in http")
        .count();
    assert_eq!(twice, 1, "{run}");
    run.assert_stderr_contains("a code must be unique within its catalog");
}

// --- several problems ----------------------------------------------------------------------------

#[test]
fn problems_in_several_files_are_reported_together_sorted_by_file() {
    let site = Site::fixture("basic");
    site.write(
        "content/http/4xx/zz.md",
        "---\ncode: 499\ntitle: Late\ndraft: yes\n---\n",
    );
    site.write(
        "content/http/4xx/aa.md",
        "---\ncode: 498\ntitle: Early\nrelatd: [401]\n---\n",
    );
    site.write("content/http/mid.md", "---\ncode: 300\n---\n");
    let run = site.build_fails(&[]);
    let errors: Vec<(String, Option<String>)> = run
        .diagnostics()
        .into_iter()
        .filter(|(message, _)| message.starts_with("error: "))
        .collect();
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        errors,
        [
            (
                "error: unknown key `relatd`".to_string(),
                some("content/http/4xx/aa.md:4:1")
            ),
            (
                "error: `draft` must be true or false, found string \"yes\"".into(),
                some("content/http/4xx/zz.md:4:8")
            ),
            (
                "error: missing required key `title`".into(),
                some("content/http/mid.md:2:1")
            ),
            (
                "error: build failed with 3 error(s) and 0 warning(s)".into(),
                None
            ),
        ]
    );
    assert_eq!(
        run.stderr.lines().last(),
        Some("error: build failed with 3 error(s) and 0 warning(s)")
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn a_failed_build_writes_no_output_folder() {
    let site = Site::fixture("basic");
    site.write(ARTICLE, "---\ncode: 418\n---\n");
    site.build_fails(&[]);
    assert!(!site.public().exists());
    assert_eq!(common::names_in(site.root()), ["content", "kb.yaml"]);
}
