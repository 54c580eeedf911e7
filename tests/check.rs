//! `kb check`: everything `kb build` validates plus warnings, without writing a file; `--strict`,
//! exit statuses 0/1/2 and the JSON report (documented in docs/check.md). `kb build` prints the
//! same warnings and still succeeds.

mod common;

use common::Site;

/// The warnings of `tests/fixtures/warnings`, one of each kind, sorted by file and line.
const WARNINGS: &str = "warning: related link to `E2` is one-way: E2 Timed out does not list this article
 --> content/app/E1.md:7:11
  |
7 | related: [E2]
  |           ^^
  |
  = help: add `E1` to `related` in content/app/E2.md, or remove `E2` here

warning: the article has no `summary`
 --> content/app/E2.md:3:8
  |
3 | title: Timed out
  |        ^^^^^^^^^
  |
  = help: add `summary:` with one sentence; lists, search results and link previews show it

warning: the message \"connection  REFUSED\" is also listed by E1 Connection refused
 --> content/app/E2.md:5:6
  |
5 |   - \"connection  REFUSED\"
  |      ^^^^^^^^^^^^^^^^^^^
  |
  = help: content/app/E1.md lists it too; readers search by message, so keep each message in the article it belongs to

warning: `updated` is in the future: 2999-01-01
 --> content/app/E2.md:6:10
  |
6 | updated: 2999-01-01
  |          ^^^^^^^^^^
  |
  = help: write the date the article last changed, as YYYY-MM-DD

warning: the article has no `## Resolution` section
 --> content/app/E2.md:8:1
  |
8 | ## Cause
  | ^
  |
  = help: add a `## Resolution` heading followed by the steps that fix the error

warning: nothing links to this article and it links nowhere
 --> content/app/E3.md:2:7
  |
2 | code: E3
  |       ^^
  |
  = help: list related codes in `related`, or link to it from another article: `[…](code:E3)`

warning: alias `/app/e1.html` shadows the page /app/e1/ (E1 Connection refused)
 --> content/app/E3.md:5:11
  |
5 | aliases: [/app/e1.html]
  |           ^^^^^^^^^^^^
  |
  = help: static hosts that serve `x.html` for `x`, and case-insensitive file systems, would serve this redirect instead of that page; choose another alias

";

#[test]
fn every_kind_of_warning_is_reported_with_its_place_and_a_fix() {
    let site = Site::fixture("warnings");
    let run = site.kb(&["check"]);
    run.assert_success();
    assert_eq!(
        run.stderr,
        format!("{WARNINGS}warning: 7 warning(s)\n"),
        "\n{run}"
    );
    assert_eq!(
        run.stdout,
        "Checked 3 articles in 1 categories: 7 warning(s)\n"
    );
}

#[test]
fn strict_makes_every_warning_an_error() {
    let site = Site::fixture("warnings");
    let run = site.kb(&["check", "--strict"]);
    run.assert_exit(1);
    let expected = WARNINGS
        .replace("\nwarning: ", "\nerror: ")
        .replacen("warning: ", "error: ", 1);
    assert_eq!(
        run.stderr,
        format!("{expected}error: check failed with 7 error(s) and 0 warning(s)\n"),
        "\n{run}"
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn build_prints_the_warnings_and_still_succeeds() {
    let site = Site::fixture("warnings");
    let run = site.build(&[]);
    assert_eq!(
        run.stderr,
        format!("{WARNINGS}warning: 7 warning(s)\n"),
        "\n{run}"
    );
    assert!(site.path("public/app/e3/index.html").is_file());
}

#[test]
fn a_clean_site_checks_clean_even_when_strict() {
    let site = Site::fixture("basic");
    let run = site.kb(&["check", "--strict"]);
    run.assert_success();
    assert_eq!(run.stderr, "");
    assert_eq!(
        run.stdout,
        "Checked 2 articles in 2 categories: no problems found\n"
    );
}

#[test]
fn check_writes_nothing() {
    let site = Site::fixture("warnings");
    let before = common::files(site.root());
    site.kb(&["check"]).assert_success();
    site.kb(&["check", "--format", "json"]).assert_success();
    assert_eq!(common::files(site.root()), before);
    assert!(!site.path("public").exists());
}

#[test]
fn the_json_report_has_a_stable_documented_shape() {
    let site = Site::fixture("warnings");
    let run = site.kb(&["check", "--format", "json"]);
    run.assert_success();
    assert_eq!(run.stderr, "");
    let report: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON: {e}\n{run}"));
    assert_eq!(report["version"], 1);
    assert_eq!(report["ok"], true);
    assert_eq!(report["strict"], false);
    assert_eq!(
        (report["articles"].as_u64(), report["categories"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(
        (report["errors"].as_u64(), report["warnings"].as_u64()),
        (Some(0), Some(7))
    );
    let diagnostics = report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(diagnostics.len(), 7);
    assert_eq!(
        diagnostics[0],
        serde_json::json!({
            "severity": "warning",
            "message": "related link to `E2` is one-way: E2 Timed out does not list this article",
            "file": "content/app/E1.md",
            "line": 7,
            "column": 11,
            "end_column": 13,
            "help": "add `E1` to `related` in content/app/E2.md, or remove `E2` here",
        })
    );
    let places: Vec<String> = diagnostics
        .iter()
        .map(|d| format!("{}:{}", d["file"].as_str().unwrap_or("?"), d["line"]))
        .collect();
    assert_eq!(
        places,
        [
            "content/app/E1.md:7",
            "content/app/E2.md:3",
            "content/app/E2.md:5",
            "content/app/E2.md:6",
            "content/app/E2.md:8",
            "content/app/E3.md:2",
            "content/app/E3.md:5",
        ]
    );
    let strict = site.kb(&["check", "--strict", "--format", "json"]);
    strict.assert_exit(1);
    let report: serde_json::Value = serde_json::from_str(&strict.stdout).unwrap_or_default();
    assert_eq!(
        (report["ok"].as_bool(), report["errors"].as_u64()),
        (Some(false), Some(7))
    );
}

#[test]
fn broken_links_and_anchors_are_errors_in_check_and_build() {
    let site = Site::fixture("basic");
    site.write(
        "content/http/4xx/403.md",
        "---\ncode: 403\ntitle: Forbidden\nsummary: No.\nrelated: [401]\n---\n## Resolution\n\nSee [401](401.md#nope), [402](402.md) and [499](code:499).\nBy code: [401](code:http/401#cause).\n",
    );
    let expected = "error: link to `#nope`, which is not a heading or step of that page
 --> content/http/4xx/403.md:9:5
  |
9 | See [401](401.md#nope), [402](402.md) and [499](code:499).
  |     ^^^^^^^^^^^^^^^^^^
  |
  = help: its headings are: cause, resolution

error: link to `402.md`, which is not an article or category of this site
 --> content/http/4xx/403.md:9:25
  |
9 | See [401](401.md#nope), [402](402.md) and [499](code:499).
  |                         ^^^^^^^^^^^^^
  |
  = help: link to a `.md` file in `content/` by its path relative to this file, or by code: `code:403`

error: related code `499` does not match any article
 --> content/http/4xx/403.md:9:43
  |
9 | See [401](401.md#nope), [402](402.md) and [499](code:499).
  |                                           ^^^^^^^^^^^^^^^
  |
  = help: known codes in http: 401, 403

";
    let check = site.kb(&["check"]);
    check.assert_exit(1);
    assert_eq!(
        check.stderr,
        format!("{expected}error: check failed with 3 error(s) and 0 warning(s)\n"),
        "\n{check}"
    );
    let build = site.build_fails(&[]);
    assert_eq!(
        build.stderr,
        format!("{expected}error: build failed with 3 error(s) and 0 warning(s)\n"),
        "\n{build}"
    );
}

#[test]
fn a_check_that_cannot_run_exits_with_2() {
    let site = Site::empty();
    let run = site.kb(&["check", "--root", "no-such-site"]);
    run.assert_exit(2);
    assert_eq!(
        run.stderr,
        "error: the site root no-such-site is not a folder\n"
    );
    let run = site.kb(&["check", "--format", "yaml"]);
    run.assert_exit(2);
}

#[test]
fn kb_yaml_problems_are_reported_like_any_other() {
    let site = Site::fixture("basic");
    site.write("kb.yaml", "title: Basic help\nbase_ulr: /help/\n");
    let run = site.kb(&["check"]);
    run.assert_exit(1);
    assert_eq!(
        run.stderr,
        "error: unknown key `base_ulr`
 --> kb.yaml:2:1
  |
2 | base_ulr: /help/
  | ^^^^^^^^
  |
  = help: did you mean `base_url`?

error: check failed with 1 error(s) and 0 warning(s)
"
    );
}

#[test]
fn diagnostics_are_never_coloured_when_stderr_is_not_a_terminal() {
    let site = Site::fixture("warnings");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kb"))
        .arg("check")
        .current_dir(site.root())
        .env_remove("NO_COLOR")
        .output()
        .unwrap_or_else(|e| panic!("cannot run kb: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("warning: "), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}
