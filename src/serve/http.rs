//! Answering HTTP requests from the site in memory: MIME types, `index.html` for folders, HEAD,
//! the site's 404 page with status 404, and the event stream of live reload.
//!
//! Pages are looked up by name in the last good build held in memory, never opened from disk,
//! so no request can reach a file outside the site: `..` (plain or `%2e%2e`), encoded slashes,
//! backslashes, NUL and absolute paths are refused before the lookup, and a symlink in the
//! output folder is never followed because the output folder is never read.

use std::sync::Arc;

use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::ServeState;
use super::reload::{self, EVENTS_PATH};

/// One file of the served site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub bytes: Arc<[u8]>,
    /// Which update of the served files last saw this one (to find files a build dropped).
    pub stamp: u64,
}

/// The files of the last good build, by path below the site's base path
/// (`http/4xx/401/index.html`).
/// With a fast hash: every build looks up each of its outputs.
pub type Files = foldhash::HashMap<String, Served>;

/// What a request asks for, once its target is checked.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// A file of the site, by its path below the base path (may name a folder: `http/4xx/`).
    File(String),
    /// The live-reload event stream.
    Events,
    /// The same address with a trailing slash, or the base path.
    Redirect(String),
    /// Nothing the site can have, or something refused.
    NotFound,
    BadRequest,
}

/// Decides what a request target means. `base_path` starts and ends with `/`. Pure.
pub fn resolve(target: &str, base_path: &str) -> Target {
    let Some(path) = origin_form(target) else {
        return Target::BadRequest;
    };
    let raw = path.split(['?', '#']).next().unwrap_or("");
    if raw == EVENTS_PATH {
        return Target::Events;
    }
    let lower = raw.to_ascii_lowercase();
    // An encoded `/` or `\` would let one segment act as several.
    if lower.contains("%2f") || lower.contains("%5c") {
        return Target::NotFound;
    }
    let Some(decoded) = percent_decode(raw) else {
        return Target::BadRequest;
    };
    if decoded.contains(['\0', '\\']) {
        return Target::NotFound;
    }
    let Some(rest) = decoded.strip_prefix(base_path) else {
        let base_without_slash = base_path.trim_end_matches('/');
        return if decoded == "/" || decoded == base_without_slash {
            Target::Redirect(base_path.to_string())
        } else {
            Target::NotFound
        };
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let last = segments.len() - 1;
    let refused = segments
        .iter()
        .enumerate()
        .any(|(i, s)| *s == "." || *s == ".." || (s.is_empty() && i != last) || s.contains(':'));
    if refused {
        return Target::NotFound;
    }
    Target::File(rest.to_string())
}

/// The path of an origin-form target (`/a/b?q`), or of an absolute-form one
/// (`http://host/a/b`); `None` for anything else (`*`, `a/b`, garbage).
fn origin_form(target: &str) -> Option<&str> {
    if target.starts_with('/') {
        return Some(target);
    }
    let rest = target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))?;
    Some(rest.find('/').map_or("/", |i| &rest[i..]))
}

/// Decodes `%xx` escapes; `None` when an escape is malformed or the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// The MIME type for a file name, by extension.
pub fn mime_type(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map_or("", |(_, e)| e);
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml",
        "atom" => "application/atom+xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Answers one request. Never panics on what a client sends.
pub fn handle(request: Request, state: &ServeState) {
    let method = request.method().clone();
    if method != Method::Get && method != Method::Head {
        let mut response =
            Response::from_string("only GET and HEAD are served\n").with_status_code(405);
        if let Some(allow) = header("Allow", "GET, HEAD") {
            response.add_header(allow);
        }
        let _ = request.respond(response);
        return;
    }
    match resolve(request.url(), &state.base_path) {
        Target::Events if method == Method::Get => {
            let hello = state.hello();
            state.clients.connect(request.into_writer(), &hello);
        }
        Target::Events => respond(request, 200, "text/event-stream", Vec::new()),
        Target::Redirect(location) => redirect(request, &location),
        Target::File(path) => serve_file(request, state, &path),
        Target::NotFound => not_found(request, state),
        Target::BadRequest => respond(
            request,
            400,
            "text/plain; charset=utf-8",
            b"bad request\n".to_vec(),
        ),
    }
}

fn serve_file(request: Request, state: &ServeState, path: &str) {
    let (files, generation) = state.snapshot();
    if files.is_empty() {
        return not_built(request, state, generation);
    }
    let key = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    };
    if let Some(file) = files.get(&key) {
        return send(request, 200, &key, &file.bytes, generation);
    }
    if files.contains_key(&format!("{path}/index.html")) {
        drop(files);
        return redirect(request, &format!("{}{path}/", state.base_path));
    }
    drop(files);
    not_found(request, state);
}

fn not_found(request: Request, state: &ServeState) {
    let (files, generation) = state.snapshot();
    match files.get("404.html") {
        Some(page) => send(request, 404, "404.html", &page.bytes, generation),
        None => respond(
            request,
            404,
            "text/plain; charset=utf-8",
            b"not found\n".to_vec(),
        ),
    }
}

/// Before the first good build: a page that shows the errors and reloads once they are fixed.
fn not_built(request: Request, state: &ServeState, generation: u64) {
    let _ = state;
    let page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>kb serve</title></head>\
                <body><p>The site has not been built yet: it has errors (see the terminal).</p>\
                </body></html>";
    let body = reload::inject(page.as_bytes(), generation);
    respond(request, 503, "text/html; charset=utf-8", body);
}

/// Sends a file, with the reload script added to HTML.
fn send(request: Request, status: u16, name: &str, bytes: &Arc<[u8]>, generation: u64) {
    let mime = mime_type(name);
    let body = if mime.starts_with("text/html") {
        reload::inject(bytes, generation)
    } else {
        bytes.to_vec()
    };
    respond(request, status, mime, body);
}

fn respond(request: Request, status: u16, mime: &str, body: Vec<u8>) {
    let mut response = Response::from_data(body).with_status_code(StatusCode(status));
    let headers = [
        header("Content-Type", mime),
        header("Cache-Control", "no-store"),
    ];
    for header in headers.into_iter().flatten() {
        response.add_header(header);
    }
    // A client that went away is not a problem of the server.
    let _ = request.respond(response);
}

/// A permanent redirect to a site path (decoded; encoded again for the header).
fn redirect(request: Request, location: &str) {
    let mut response = Response::empty(301);
    if let Some(header) = header("Location", &percent_encode(location)) {
        response.add_header(header);
    }
    let _ = request.respond(response);
}

/// A header, or nothing when the value cannot be sent (header values are ASCII).
fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

/// Escapes what may not appear raw in a URL path: non-ASCII bytes, controls, spaces and the
/// characters that would end the path or confuse a header.
fn percent_encode(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_graphic() && !matches!(byte, b'%' | b'?' | b'#' | b'"' | b'<' | b'>') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_targets_resolve_to_files_or_are_refused() {
        let file = |p: &str| Target::File(p.to_string());
        let cases = [
            ("/", "/", file("")),
            ("/http/4xx/401/", "/", file("http/4xx/401/")),
            ("/http/4xx/401", "/", file("http/4xx/401")),
            ("/kb.css?v=3", "/", file("kb.css")),
            ("/a%20b.txt", "/", file("a b.txt")),
            ("http://127.0.0.1:1111/kb.css", "/", file("kb.css")),
            ("/help/http/", "/help/", file("http/")),
            ("/", "/help/", Target::Redirect("/help/".into())),
            ("/help", "/help/", Target::Redirect("/help/".into())),
            ("/other/", "/help/", Target::NotFound),
            ("/__kb/events", "/help/", Target::Events),
            ("/../etc/passwd", "/", Target::NotFound),
            ("/http/../../etc/passwd", "/", Target::NotFound),
            ("/%2e%2e/%2e%2e/etc/passwd", "/", Target::NotFound),
            ("/%2E%2E%2Fetc%2Fpasswd", "/", Target::NotFound),
            ("/..%2fetc%2fpasswd", "/", Target::NotFound),
            ("/..%5c..%5cwindows", "/", Target::NotFound),
            ("/a\\..\\b", "/", Target::NotFound),
            ("//etc/passwd", "/", Target::NotFound),
            ("/C:/Windows/win.ini", "/", Target::NotFound),
            ("/a%00b", "/", Target::NotFound),
            ("/./kb.css", "/", Target::NotFound),
            ("/%zz", "/", Target::BadRequest),
            ("/%ff", "/", Target::BadRequest),
            ("*", "/", Target::BadRequest),
            ("etc/passwd", "/", Target::BadRequest),
            ("", "/", Target::BadRequest),
        ];
        for (target, base, expected) in cases {
            assert_eq!(resolve(target, base), expected, "{target} under {base}");
        }
    }

    #[test]
    fn redirect_locations_are_ascii() {
        assert_eq!(percent_encode("/café/a b/"), "/caf%C3%A9/a%20b/");
        assert_eq!(percent_encode("/http/4xx/401/"), "/http/4xx/401/");
    }

    #[test]
    fn files_get_their_mime_type() {
        assert_eq!(mime_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(mime_type("kb.CSS"), "text/css; charset=utf-8");
        assert_eq!(mime_type("search.js"), "text/javascript; charset=utf-8");
        assert_eq!(mime_type("search/meta.json"), "application/json");
        assert_eq!(mime_type("feed.xml"), "application/xml");
        assert_eq!(mime_type("logo.svg"), "image/svg+xml");
        assert_eq!(mime_type("_redirects"), "application/octet-stream");
    }
}
