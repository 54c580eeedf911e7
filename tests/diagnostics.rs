//! The exact text of each kind of front-matter diagnostic: message, ` --> path:line:col` counted
//! in the whole file, the source line, an underline at the key or the whole value, and a help
//! line an author can act on. (Link, warning and hostile-input messages are in check.rs and
//! hostile.rs.)

mod common;

use common::Site;

/// Builds the basic fixture with `content/http/4xx/400.md` holding `text`, and checks that the
/// build fails with exactly `expected` followed by the count line.
fn assert_reported(text: &str, expected: &str) {
    let site = Site::fixture("basic");
    site.write("content/http/4xx/400.md", text);
    let run = site.build_fails(&[]);
    assert_eq!(run.stderr, expected, "\n{run}");
}

#[test]
fn an_unknown_key_gets_a_did_you_mean() {
    assert_reported(
        "---\ncode: 400\ntitle: Bad Request\nrelatd: [401]\n---\n",
        "error: unknown key `relatd`
 --> content/http/4xx/400.md:4:1
  |
4 | relatd: [401]
  | ^^^^^^
  |
  = help: did you mean `related`?

error: build failed with 1 error(s) and 0 warning(s)
",
    );
}

#[test]
fn an_unknown_key_without_a_near_match_lists_the_keys() {
    assert_reported(
        "---\ncode: 400\ntitle: Bad Request\ncolour: red\n---\n",
        "error: unknown key `colour`
 --> content/http/4xx/400.md:4:1
  |
4 | colour: red
  | ^^^^^^
  |
  = help: the keys kb knows are: code, title, summary, messages, applies_to, related, tags, aliases, updated, weight, draft, extra, slug

error: build failed with 1 error(s) and 0 warning(s)
",
    );
}

#[test]
fn a_text_where_a_list_belongs_is_underlined_whole_with_an_example() {
    assert_reported(
        "---\ncode: 400\ntitle: Bad Request\nmessages: 400 Bad Request\n---\n",
        "error: `messages` must be a list, found string \"400 Bad Request\"
 --> content/http/4xx/400.md:4:11
  |
4 | messages: 400 Bad Request
  |           ^^^^^^^^^^^^^^^
  |
  = help: write a list: `messages: [first, second]`

error: build failed with 1 error(s) and 0 warning(s)
",
    );
}

#[test]
fn yes_where_true_or_false_belongs_is_refused() {
    assert_reported(
        "---\ncode: 400\ntitle: Bad Request\ndraft: yes\n---\n",
        "error: `draft` must be true or false, found string \"yes\"
 --> content/http/4xx/400.md:4:8
  |
4 | draft: yes
  |        ^^^
  |
  = help: write `true` or `false` (YAML's `yes`/`no`/`on` are not accepted)

error: build failed with 1 error(s) and 0 warning(s)
",
    );
}

#[test]
fn a_word_where_a_number_belongs_is_refused() {
    assert_reported(
        "---\ncode: 400\ntitle: Bad Request\nweight: heavy\n---\n",
        "error: `weight` must be a whole number, found string \"heavy\"
 --> content/http/4xx/400.md:4:9
  |
4 | weight: heavy
  |         ^^^^^
  |
  = help: write a whole number

error: build failed with 1 error(s) and 0 warning(s)
",
    );
}

#[test]
fn a_mapping_inside_a_list_of_texts_says_to_quote_it() {
    assert_reported(
        "---\ncode: 400\ntitle: Bad Request\nmessages: [\"a\", {b: c}]\n---\n",
        "error: each entry of `messages` must be text, found `key: value`
 --> content/http/4xx/400.md:4:17
  |
4 | messages: [\"a\", {b: c}]
  |                 ^^^^^^
  |
  = help: a `: ` inside the text makes YAML read a key; put the text in double quotes

error: build failed with 1 error(s) and 0 warning(s)
",
    );
}

#[test]
fn a_missing_code_is_reported_at_the_front_matter() {
    assert_reported(
        "---\ntitle: Bad Request\n---\n",
        "error: missing required key `code`
 --> content/http/4xx/400.md:2:1
  |
2 | title: Bad Request
  | ^
  |
  = help: add a line such as `code: 401`

error: build failed with 1 error(s) and 0 warning(s)
",
    );
}

#[test]
fn an_article_without_front_matter_says_how_to_start_one() {
    assert_reported(
        "# Bad Request\n",
        "error: the article has no front matter
 --> content/http/4xx/400.md:1:1
  |
1 | # Bad Request
  | ^
  |
  = help: start the file with a `---` line, `code: …` and `title: …`, then a closing `---`

error: build failed with 1 error(s) and 0 warning(s)
",
    );
}

#[test]
fn a_colon_inside_an_unquoted_value_says_to_quote_it() {
    assert_reported(
        "---\ncode: 400\ntitle: Error: bad request\n---\n",
        "error: a value contains `: `, which YAML reads as a new key
 --> content/http/4xx/400.md:3:13
  |
3 | title: Error: bad request
  |             ^
  |
  = help: put the value in double quotes, e.g. title: \"Error: not found\"

error: build failed with 1 error(s) and 0 warning(s)
",
    );
}

#[test]
fn a_date_that_is_not_in_the_calendar_is_refused() {
    assert_reported(
        "---\ncode: 400\ntitle: Bad Request\nupdated: 2026-02-30\n---\n",
        "error: `updated` must be a date, found `2026-02-30`
 --> content/http/4xx/400.md:4:10
  |
4 | updated: 2026-02-30
  |          ^^^^^^^^^^
  |
  = help: write the date as YYYY-MM-DD, e.g. `updated: 2026-11-26`

error: build failed with 1 error(s) and 0 warning(s)
",
    );
}

#[test]
fn a_code_with_a_space_is_refused() {
    assert_reported(
        "---\ncode: \"4 00\"\ntitle: Bad Request\n---\n",
        "error: `4 00` is not a usable code: the code contains ' '
 --> content/http/4xx/400.md:2:8
  |
2 | code: \"4 00\"
  |        ^^^^
  |
  = help: codes may contain letters, digits and `. _ - +`, and start with a letter or digit

error: build failed with 1 error(s) and 0 warning(s)
",
    );
}

#[test]
fn a_related_code_in_a_catalog_that_does_not_exist_lists_the_catalogs() {
    assert_reported(
        "---\ncode: 400\ntitle: Bad Request\nsummary: x\nrelated: [nntp/400]\n---\n## Resolution\n",
        "warning: nothing links to this article and it links nowhere\n --> content/http/4xx/400.md:2:7\n  |\n2 | code: 400\n  |       ^^^\n  |\n  = help: list related codes in `related`, or link to it from another article: `[…](code:400)`\n\nerror: related code `nntp/400` names a catalog that does not exist\n --> content/http/4xx/400.md:5:11\n  |\n5 | related: [nntp/400]\n  |           ^^^^^^^^\n  |\n  = help: catalogs of this site: http\n\nerror: build failed with 1 error(s) and 1 warning(s)\n",
    );
}
