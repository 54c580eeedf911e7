//! Authoring commands: `kb init` makes a site that builds and checks clean at once; `kb new`
//! writes an article from the archetype, never overwrites and never reuses a code.

mod common;

use common::Site;

/// `text` with the date after `updated: ` replaced by `DATE`, once it is checked to be a date.
fn without_date(text: &str) -> String {
    text.lines()
        .map(|line| match line.strip_prefix("updated: ") {
            Some(date) => {
                let shaped = date.len() == 10
                    && date.chars().enumerate().all(|(i, c)| {
                        if i == 4 || i == 7 {
                            c == '-'
                        } else {
                            c.is_ascii_digit()
                        }
                    });
                assert!(shaped, "not a date: {line}");
                "updated: DATE".to_string()
            }
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn init_creates_a_site_that_builds_and_checks_clean_at_once() {
    let site = Site::empty();
    let run = site.kb(&["init"]);
    run.assert_success();
    assert_eq!(
        run.stdout,
        "created  kb.yaml
created  .gitignore
created  content/_index.md
created  content/app/_index.md
created  content/app/E1001.md
created  templates/archetype.md

A new site is in this folder. Next:
  kb build
  kb new E1002 --catalog app
"
    );
    let check = site.kb(&["check", "--strict"]);
    check.assert_success();
    assert_eq!(check.stderr, "", "\n{check}");
    assert_eq!(
        check.stdout,
        "Checked 1 articles in 1 categories: no problems found\n"
    );
    let build = site.build(&[]);
    assert_eq!(build.stderr, "", "\n{build}");
    let page = site.page("/app/e1001/");
    assert_eq!(page.text("h1"), "E1001 Cannot connect to the server");
    assert_eq!(site.page("/").hrefs("main a[href='/app/e1001/']").len(), 1);
}

#[test]
fn init_makes_the_folder_it_is_given() {
    let site = Site::empty();
    let run = site.kb(&["init", "help/site"]);
    run.assert_success();
    assert!(
        run.stdout.ends_with(
            "A new site is in help/site. Next:\n  kb build --root help/site\n  kb new E1002 --catalog app --root help/site\n"
        ),
        "{run}"
    );
    let check = site.kb(&["check", "--root", "help/site"]);
    check.assert_success();
    assert_eq!(check.stderr, "");
}

#[test]
fn init_refuses_a_folder_with_files_unless_forced_and_never_replaces_one() {
    let site = Site::empty();
    site.write("kb.yaml", "title: Mine\n");
    let run = site.kb(&["init"]);
    run.assert_exit(2);
    assert_eq!(
        run.stderr,
        "error: . is not empty; choose an empty or new folder, or pass --force to add the new site's files beside what is there (existing files are never replaced)\n"
    );
    assert_eq!(common::files(site.root()), [site.path("kb.yaml")]);

    let run = site.kb(&["init", "--force"]);
    run.assert_success();
    assert!(
        run.stdout
            .starts_with("kept     kb.yaml (it exists)\ncreated  .gitignore\n"),
        "{run}"
    );
    assert_eq!(site.read("kb.yaml"), "title: Mine\n");
    site.kb(&["check"]).assert_success();
}

#[test]
fn init_ignores_hidden_files_such_as_a_git_folder() {
    let site = Site::empty();
    site.write(".git/HEAD", "ref: refs/heads/main\n");
    site.kb(&["init"]).assert_success();
    assert!(site.path("content/app/E1001.md").is_file());
}

#[test]
fn new_writes_an_article_from_the_default_archetype_and_prints_its_path() {
    let site = Site::fixture("basic");
    let run = site.kb(&[
        "new",
        "404",
        "--category",
        "http/4xx",
        "--title",
        "Not Found",
    ]);
    run.assert_success();
    assert_eq!(run.stdout, "content/http/4xx/404.md\n");
    assert_eq!(run.stderr, "");
    assert_eq!(
        without_date(&site.read("content/http/4xx/404.md")),
        "---
code: 404
title: Not Found
summary: \"TODO: one plain sentence on what happened; lists, search results and link previews show it.\"
messages:
  - \"TODO: the exact text people see on screen\"
applies_to: []
related: []
tags: []
updated: DATE
---
## Cause

TODO: why this error happens, in words the reader knows.

## Resolution

1. TODO: the first thing to try.
2. TODO: the next thing to try.
"
    );
    site.build(&[]);
    assert_eq!(site.page("/http/4xx/404/").text("h1"), "404 Not Found");
}

#[test]
fn new_quotes_what_yaml_would_misread() {
    let site = Site::fixture("basic");
    site.kb(&["new", "E1", "--catalog", "http", "--title", "Error: \"no\""])
        .assert_success();
    let text = site.read("content/http/E1.md");
    assert!(text.contains("\ntitle: \"Error: \\\"no\\\"\"\n"), "{text}");
    site.build(&[]);
    assert_eq!(site.page("/http/e1/").text("h1"), "E1 Error: \"no\"");
}

#[test]
fn a_sites_own_archetype_replaces_the_default() {
    let site = Site::fixture("basic");
    site.write(
        "templates/archetype.md",
        "---\ncode: {{ code }}\ntitle: {{ title | yaml_string }}\nsummary: In {{ catalog }} ({{ category }}).\n---\n## Resolution\n",
    );
    let run = site.kb(&["new", "418", "--catalog", "http", "--category", "http/4xx"]);
    run.assert_success();
    assert_eq!(
        site.read("content/http/4xx/418.md"),
        "---\ncode: 418\ntitle: \"TODO: the error's name\"\nsummary: In http (http/4xx).\n---\n## Resolution\n"
    );
}

#[test]
fn new_refuses_a_code_its_catalog_already_has() {
    let site = Site::fixture("basic");
    let run = site.kb(&["new", "401", "--category", "http/5xx"]);
    run.assert_exit(1);
    assert_eq!(
        run.stderr,
        "error: code `401` already exists in http
 --> content/http/4xx/401.md:2:7
  |
2 | code: 401
  |       ^^^
  |
  = help: edit content/http/4xx/401.md instead, or choose another code

error: new failed with 1 error(s) and 0 warning(s)
"
    );
    assert!(!site.path("content/http/5xx").exists());
    // Another catalog may have the same code.
    site.kb(&["new", "401", "--catalog", "vendor"])
        .assert_success();
}

#[test]
fn new_never_overwrites_a_file() {
    let site = Site::fixture("basic");
    site.write("content/http/4xx/404.md", "notes, not an article yet\n");
    let run = site.kb(&["new", "404", "--category", "http/4xx"]);
    run.assert_exit(1);
    assert_eq!(
        run.stderr,
        "error: refusing to overwrite a file that exists
 --> content/http/4xx/404.md
  = help: edit it, or move it away first

error: new failed with 1 error(s) and 0 warning(s)
"
    );
    assert_eq!(
        site.read("content/http/4xx/404.md"),
        "notes, not an article yet\n"
    );
}

#[test]
fn new_refuses_codes_and_folders_that_cannot_be_used() {
    let site = Site::fixture("basic");
    let run = site.kb(&["new", "../401"]);
    run.assert_exit(1);
    assert!(
        run.stderr
            .starts_with("error: `../401` cannot be a code: the code starts with '.'\n"),
        "{run}"
    );
    let run = site.kb(&["new", "499", "--category", "../outside"]);
    run.assert_exit(2);
    assert_eq!(
        run.stderr,
        "error: `../outside` is not a folder below `content/`: write it like `http/4xx`\n"
    );
    let run = site.kb(&["new", "499", "--catalog", "ftp", "--category", "http/4xx"]);
    run.assert_exit(2);
    assert_eq!(
        run.stderr,
        "error: the category `http/4xx` is not in the catalog `ftp`; its catalog is `http`\n"
    );
    assert!(!site.path("outside").exists() && !site.path("content/outside").exists());
}

#[test]
fn a_broken_site_archetype_is_caught_before_anything_is_written() {
    let site = Site::fixture("basic");
    site.write(
        "templates/archetype.md",
        "---\ntitle: {{ title | yaml_string }}\n---\n",
    );
    let run = site.kb(&["new", "499", "--catalog", "http"]);
    run.assert_exit(1);
    assert_eq!(
        run.stderr,
        "error: missing required key `code`
 --> content/http/499.md:2:1
  |
2 | title: \"TODO: the error's name\"
  | ^
  |
  = help: add a line such as `code: 401` (the site's templates/archetype.md produced this; fix it, or remove it to use the default)

error: new failed with 1 error(s) and 0 warning(s)
"
    );
    assert!(!site.path("content/http/499.md").exists());
}
