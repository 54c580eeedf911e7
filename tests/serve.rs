//! `kb serve` end to end: the real binary on a free port, files edited on disk, the reload
//! event and the new pages observed over HTTP.

mod common;

use std::time::Duration;

use common::Site;
use common::serve::Server;

fn edit(site: &Site, relative: &str, from: &str, to: &str) {
    let text = site.read(relative);
    assert!(text.contains(from), "{relative} has no {from:?}");
    site.write(relative, &text.replacen(from, to, 1));
}

#[test]
fn saving_an_article_reloads_the_page_with_the_new_content() {
    let site = Site::fixture("basic");
    let server = Server::start(site.root(), &[]);
    let before = server.get("/http/4xx/401/");
    assert_eq!(before.status, 200);
    let mut events = server.events();
    edit(
        &site,
        "content/http/4xx/401.md",
        "## ",
        "Freshly saved words.\n\n## ",
    );
    let event = events.next_change();
    assert_eq!(event.name, "reload", "{event:?}");
    let after = server.get("/http/4xx/401/");
    assert!(
        after.text().contains("Freshly saved words."),
        "{}",
        after.text()
    );
    assert!(event.data["generation"].as_u64() > Some(1));
}

#[test]
fn polling_sees_saves_too() {
    let site = Site::fixture("basic");
    let server = Server::start(site.root(), &["--poll"]);
    let mut events = server.events();
    edit(&site, "content/http/4xx/403.md", "## ", "Polled.\n\n## ");
    assert_eq!(events.next_change().name, "reload");
    assert!(server.get("/http/4xx/403/").text().contains("Polled."));
}

#[test]
fn unicode_folders_redirect_to_an_encoded_address() {
    let site = Site::fixture("basic");
    site.write(
        "content/café/e1.md",
        "---\ncode: E1\ntitle: Accents\n---\n## Cause\n\nÉ.\n",
    );
    let server = Server::start(site.root(), &[]);
    let folder = server.get("/caf%C3%A9");
    assert_eq!(folder.status, 301, "{folder:?}");
    assert_eq!(folder.header("location"), Some("/caf%C3%A9/"));
    assert_eq!(server.get("/caf%C3%A9/").status, 200);
}

#[test]
fn a_broken_edit_shows_its_error_and_keeps_the_last_good_page_until_fixed() {
    let site = Site::fixture("basic");
    let server = Server::start(site.root(), &[]);
    let mut events = server.events();
    let good = site.read("content/http/4xx/401.md");
    edit(
        &site,
        "content/http/4xx/401.md",
        "title:",
        "relatd: [403]\ntitle:",
    );
    let event = events.next_change();
    assert_eq!(event.name, "build-error", "{event:?}");
    let error = &event.data["errors"][0];
    assert_eq!(error["file"], "content/http/4xx/401.md");
    assert_eq!(error["message"], "unknown key `relatd`");
    let line = good.lines().position(|l| l.starts_with("title:")).unwrap() + 1;
    assert_eq!(error["line"].as_u64(), Some(line as u64));
    // The last good page is still served, and a new page load learns about the error.
    let page = server.get("/http/4xx/401/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Unauthorized") || page.text().contains("401"));
    let mut late = server.events();
    let hello = late.next();
    assert_eq!(hello.name, "hello");
    assert_eq!(hello.data["errors"][0]["message"], "unknown key `relatd`");

    site.write(
        "content/http/4xx/401.md",
        &good.replace("## ", "Fixed.\n\n## "),
    );
    assert_eq!(events.next_change().name, "reload");
    assert!(server.get("/http/4xx/401/").text().contains("Fixed."));
    let hello = server.events().next();
    assert_eq!(hello.data["errors"], serde_json::json!([]));
}

#[test]
fn a_site_broken_from_the_start_is_served_once_fixed() {
    let site = Site::fixture("basic");
    edit(
        &site,
        "content/http/4xx/401.md",
        "title:",
        "relatd: [403]\ntitle:",
    );
    let server = Server::start(site.root(), &[]);
    let placeholder = server.get("/http/4xx/401/");
    assert_eq!(placeholder.status, 503);
    assert!(placeholder.text().contains("<script data-kb-live>"));
    let mut events = server.events();
    let hello = events.next();
    assert_eq!(hello.data["errors"][0]["message"], "unknown key `relatd`");
    edit(&site, "content/http/4xx/401.md", "relatd: [403]\n", "");
    assert_eq!(events.next_change().name, "reload");
    assert_eq!(server.get("/http/4xx/401/").status, 200);
}

#[test]
fn an_unknown_related_code_and_a_template_error_are_shown_too() {
    let site = Site::fixture("basic");
    let server = Server::start(site.root(), &[]);
    let mut events = server.events();
    edit(
        &site,
        "content/http/4xx/401.md",
        "related: [",
        "related: [999, ",
    );
    let event = events.next_change();
    assert_eq!(event.name, "build-error");
    let message = event.data["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("999"), "{message}");
    edit(&site, "content/http/4xx/401.md", "999, ", "");
    assert_eq!(events.next_change().name, "reload");

    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block main %}{{ broken(",
    );
    let event = events.next_change();
    assert_eq!(event.name, "build-error");
    assert_eq!(event.data["errors"][0]["file"], "templates/404.html");
    site.remove("templates/404.html");
    assert_eq!(events.next_change().name, "reload");
}

#[test]
fn the_reload_script_is_in_served_pages_only() {
    let site = Site::fixture("basic");
    let server = Server::start(site.root(), &[]);
    let page = server.get("/http/4xx/401/").text();
    assert_eq!(page.matches("<script data-kb-live>").count(), 1);
    let script = page.find("<script data-kb-live>").unwrap();
    assert!(script < page.rfind("</body>").unwrap());
    let css = server.get("/kb.css");
    assert!(!css.text().contains("kb-live"));
    drop(server);
    site.build(&[]);
    for file in common::html_files(&site.public()) {
        let html = std::fs::read_to_string(&file).unwrap();
        assert!(!html.contains("data-kb-live"), "{}", file.display());
        assert!(!html.contains("__kb/events"), "{}", file.display());
    }
}

#[test]
fn folders_mime_types_head_and_the_404_page() {
    let site = Site::fixture("basic");
    let server = Server::start(site.root(), &[]);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let folder = server.get("/http/4xx/401");
    assert_eq!(folder.status, 301);
    assert_eq!(folder.header("location"), Some("/http/4xx/401/"));
    let css = server.get("/kb.css");
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    let js = server.get("/kb.js");
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    let head = server.request("HEAD", "/http/4xx/401/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let length: usize = head.header("content-length").unwrap().parse().unwrap();
    assert_eq!(length, server.get("/http/4xx/401/").body.len());
    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    let not_found = missing.page();
    assert!(!not_found.texts("h1").is_empty(), "{}", missing.text());
    assert!(missing.text().contains("data-kb-live"));
    assert_eq!(server.request("POST", "/").status, 405);
}

#[test]
fn paths_that_try_to_leave_the_site_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "TOP SECRET").unwrap();
    let site = Site::fixture("basic");
    // A symlink in the output folder: the server never reads that folder.
    site.write("public/keep.txt", "old output");
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        site.path("public/leak.txt"),
    )
    .unwrap();
    let server = Server::start(site.root(), &[]);
    let secret = outside.path().join("secret.txt");
    let secret = secret.to_string_lossy();
    let attempts = [
        "/../../../../etc/passwd".to_string(),
        "/http/../../../etc/passwd".to_string(),
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd".to_string(),
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd".to_string(),
        "/http%2f4xx%2f401%2findex.html".to_string(),
        "/..%5c..%5cetc%5cpasswd".to_string(),
        "/..\\..\\etc\\passwd".to_string(),
        "//etc/passwd".to_string(),
        format!("/{secret}"),
        format!("/{}", secret.trim_start_matches('/')),
        "/leak.txt".to_string(),
        "/keep.txt".to_string(),
        "http://evil.example/../../etc/passwd".to_string(),
        "/kb.css%00.html".to_string(),
    ];
    for attempt in &attempts {
        let response = server.get(attempt);
        assert!(
            response.status == 404 || response.status == 400,
            "{attempt}: {}",
            response.status
        );
        let text = response.text();
        assert!(
            !text.contains("TOP SECRET") && !text.contains("root:"),
            "{attempt}"
        );
    }
    assert_eq!(server.get("/kb.css").status, 200, "the server still works");
}

#[test]
fn malformed_requests_never_crash_the_server() {
    let site = Site::fixture("basic");
    let server = Server::start(site.root(), &[]);
    let long_header = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(100_000));
    let attempts: Vec<Vec<u8>> = vec![
        b"\r\n\r\n".to_vec(),
        b"garbage\r\n\r\n".to_vec(),
        b"GET\r\n\r\n".to_vec(),
        b"GET /\r\n\r\n".to_vec(),
        b"GET / HTTP/9.9\r\n\r\n".to_vec(),
        b"GET / HTTP/1.1\r\nHost\r\n\r\n".to_vec(),
        b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        b"GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        b"GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        b"GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n".to_vec(),
        b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(),
        b"\x00\x01\x02\x03\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec(),
        b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec(),
        long_header.into_bytes(),
    ];
    for attempt in &attempts {
        let _ = server.raw(attempt);
        let check = server.get("/kb.css");
        assert_eq!(
            check.status,
            200,
            "after {:?}",
            String::from_utf8_lossy(attempt)
        );
    }
    let bad = Server::parse_status(
        &server.raw(b"GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(bad, 400);
}

trait StatusOf {
    fn parse_status(bytes: &[u8]) -> u16;
}

impl StatusOf for Server {
    fn parse_status(bytes: &[u8]) -> u16 {
        common::serve::Response::parse(bytes).status
    }
}

#[test]
fn many_clients_are_served_at_once() {
    let site = Site::fixture("basic");
    let server = Server::start(site.root(), &[]);
    let streams: Vec<_> = (0..10).map(|_| server.events()).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..16)
            .map(|_| {
                scope.spawn(|| {
                    (0..15)
                        .map(|i| server.get(if i % 2 == 0 { "/" } else { "/kb.css" }).status)
                        .filter(|s| *s == 200)
                        .count()
                })
            })
            .collect();
        for handle in handles {
            assert_eq!(handle.join().unwrap(), 15);
        }
    });
    drop(streams);
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn a_css_change_is_swapped_without_a_reload() {
    let site = Site::fixture("basic");
    site.write("static/site.css", "body { color: black; }\n");
    let server = Server::start(site.root(), &[]);
    let mut events = server.events();
    site.write("static/site.css", "body { color: navy; }\n");
    let event = events.next_change();
    assert_eq!(event.name, "css", "{event:?}");
    assert_eq!(event.data["urls"], serde_json::json!(["/site.css"]));
    assert!(server.get("/site.css").text().contains("navy"));
}

#[test]
fn editors_saves_new_folders_and_deletions_are_all_seen() {
    let site = Site::fixture("basic");
    let server = Server::start(site.root(), &[]);
    let mut events = server.events();
    // An atomic save: write a temporary file, rename it over the article.
    let text = site
        .read("content/http/4xx/403.md")
        .replace("## ", "Atomic save.\n\n## ");
    site.write("content/http/4xx/.403.md.tmp", &text);
    std::fs::rename(
        site.path("content/http/4xx/.403.md.tmp"),
        site.path("content/http/4xx/403.md"),
    )
    .unwrap();
    assert_eq!(events.next_change().name, "reload");
    assert!(server.get("/http/4xx/403/").text().contains("Atomic save."));
    // vim: probe file 4913, backup by rename, write anew, remove the backup.
    site.write("content/http/4xx/4913", "");
    site.remove("content/http/4xx/4913");
    std::fs::rename(
        site.path("content/http/4xx/403.md"),
        site.path("content/http/4xx/403.md~"),
    )
    .unwrap();
    site.write("content/http/4xx/403.md", &text.replace("Atomic", "Vim"));
    site.remove("content/http/4xx/403.md~");
    site.write("content/http/4xx/.403.md.swp", "swap");
    assert_eq!(events.next_change().name, "reload");
    let page = server.get("/http/4xx/403/").text();
    assert!(page.contains("Vim save."), "{page}");
    // A new nested folder with an article in it, made at once.
    site.write(
        "content/http/5xx/deep/503.md",
        "---\ncode: \"503\"\ntitle: Service unavailable\n---\n## Cause\n\nBusy.\n",
    );
    assert_eq!(events.next_change().name, "reload");
    assert_eq!(server.get("/http/5xx/deep/503/").status, 200);
    // A deletion.
    std::fs::remove_dir_all(site.path("content/http/5xx")).unwrap();
    assert_eq!(events.next_change().name, "reload");
    assert_eq!(server.get("/http/5xx/deep/503/").status, 404);
}

#[test]
fn hundreds_of_files_changed_at_once_make_one_rebuild() {
    let site = Site::fixture("basic");
    let mut server = Server::start(site.root(), &[]);
    let mut events = server.events();
    for i in 0..300 {
        site.write(
            &format!("content/http/9xx/{}.md", 900 + i),
            &format!("---\ncode: \"x{i}\"\ntitle: Generated {i}\n---\n## Cause\n\nMany.\n"),
        );
    }
    // Wait until the last file is served, then count the builds it took.
    let started = std::time::Instant::now();
    while server.get("/http/9xx/x299/").status != 200 {
        assert!(
            started.elapsed() < common::serve::PATIENCE,
            "x299 never appeared"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    while events.next_change().name != "reload" {}
    std::thread::sleep(Duration::from_millis(300));
    server.drain_output();
    let rebuilds = server
        .output
        .iter()
        .filter(|l| l.starts_with("Rebuilt"))
        .count();
    let failed = server.stderr().matches("error: build failed").count();
    // One rebuild normally; a loaded machine may pause the writer long enough to split it.
    assert!(
        rebuilds + failed <= 3,
        "{rebuilds} rebuilds and {failed} failed builds for 300 files: {:#?}",
        server.output
    );
}

#[test]
fn a_site_under_a_sub_path_is_served_under_it() {
    let site = Site::fixture("basic");
    site.write(
        "kb.yaml",
        "title: Help\nbase_url: https://example.com/help/\n",
    );
    let server = Server::start(site.root(), &[]);
    assert!(server.url.ends_with("/help/"), "{}", server.url);
    let root = server.get("/");
    assert_eq!(root.status, 301);
    assert_eq!(root.header("location"), Some("/help/"));
    let page = server.get("/help/http/4xx/401/");
    assert_eq!(page.status, 200);
    let html = page.page();
    let canonical = html.attrs("link[rel=canonical]", "href");
    assert_eq!(canonical, [format!("{}http/4xx/401/", server.url)]);
    assert!(html.hrefs("a").iter().any(|h| h.starts_with("/help/")));
    assert_eq!(server.get("/http/4xx/401/").status, 404);
}

#[test]
fn a_port_in_use_is_reported_or_skipped() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let site = Site::fixture("basic");
    let run = site.kb(&["serve", "--port", &port]);
    assert!(!run.status.success());
    assert!(
        run.stderr.contains(&format!("127.0.0.1:{port}")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--port"), "{}", run.stderr);
    // Without --port, a taken default port makes the server use the next free one.
    let default = std::net::TcpListener::bind("127.0.0.1:1111");
    let server = Server::start_with(site.root(), &[]);
    assert!(!server.url.contains(":1111/"), "{}", server.url);
    drop(default);
}

#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let site = Site::fixture("basic");
    let server = Server::start(site.root(), &[]);
    // The shell's own `kill`, so no procps is needed.
    let status = std::process::Command::new("sh")
        .args(["-c", "kill -INT \"$0\"", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let (success, output) = server.wait();
    assert!(success, "{output:?}");
    assert_eq!(output.last().map(String::as_str), Some("Stopped."));
}
