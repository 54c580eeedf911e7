//! Live reload over Server-Sent Events, without any JavaScript library.
//!
//! Every HTML page `kb serve` sends gets a small script ([`inject`]) that opens an
//! `EventSource` on [`EVENTS_PATH`] and learns the build generation it was served from. After a
//! complete build the server sends `reload` (or `css`, when only stylesheets changed, which
//! the script swaps in place); a failed build sends `build-error` with every diagnostic, shown
//! as an overlay over the last good page. `kb build` output never contains the script.
//!
//! tiny_http buffers streaming responses, so an event stream is written straight to the
//! connection (`Request::into_writer`) and flushed after every event; a client whose write
//! fails has gone away and is dropped.

use std::io::Write;
use std::sync::Mutex;

use serde::Serialize;

use crate::diagnostic::Diagnostic;

/// The address of the event stream. Outside any site path a build can produce (`__kb`).
pub const EVENTS_PATH: &str = "/__kb/events";

/// How long a browser waits before reconnecting after the server went away.
const RETRY_MS: u32 = 500;

/// A problem as the overlay shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub help: Option<String>,
    /// The whole diagnostic as the terminal shows it.
    pub text: String,
}

impl From<&Diagnostic> for Problem {
    fn from(diagnostic: &Diagnostic) -> Problem {
        Problem {
            file: diagnostic.file.as_ref().map(ToString::to_string),
            line: diagnostic.location.as_ref().map(|l| l.line),
            column: diagnostic.location.as_ref().map(|l| l.column),
            message: diagnostic.message.clone(),
            help: diagnostic.help.clone(),
            text: diagnostic.to_string(),
        }
    }
}

/// What the server tells the pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Sent first on every connection: the current generation and error, if any.
    Hello {
        generation: u64,
        errors: Vec<Problem>,
    },
    /// A new build is complete: load the page again.
    Reload { generation: u64 },
    /// A new build changed only these stylesheets (site paths): swap them in place.
    Css { generation: u64, urls: Vec<String> },
    /// The last build failed: show these problems; the pages stay as they were.
    BuildError { errors: Vec<Problem> },
}

impl Event {
    /// The event in the `text/event-stream` format.
    pub fn to_sse(&self) -> String {
        let (name, data) = match self {
            Event::Hello { generation, errors } => (
                "hello",
                serde_json::json!({ "generation": generation, "errors": errors }),
            ),
            Event::Reload { generation } => {
                ("reload", serde_json::json!({ "generation": generation }))
            }
            Event::Css { generation, urls } => (
                "css",
                serde_json::json!({ "generation": generation, "urls": urls }),
            ),
            Event::BuildError { errors } => {
                ("build-error", serde_json::json!({ "errors": errors }))
            }
        };
        // serde_json never writes a raw newline, so the data is one `data:` line.
        format!("event: {name}\ndata: {data}\n\n")
    }
}

/// The open event streams.
#[derive(Default)]
pub struct Clients {
    writers: Mutex<Vec<Box<dyn Write + Send>>>,
}

impl Clients {
    /// Answers an event-stream request on its raw connection and keeps it open.
    pub fn connect(&self, mut writer: Box<dyn Write + Send>, hello: &Event) {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
             Connection: keep-alive\r\nX-Accel-Buffering: no\r\n\r\nretry: {RETRY_MS}\n\n"
        );
        let sent = writer
            .write_all(head.as_bytes())
            .and_then(|()| writer.write_all(hello.to_sse().as_bytes()))
            .and_then(|()| writer.flush());
        if sent.is_ok() {
            self.lock().push(writer);
        }
    }

    /// Sends an event to every client, dropping those that are gone. Returns how many got it.
    pub fn broadcast(&self, event: &Event) -> usize {
        self.send(event.to_sse().as_bytes())
    }

    /// A comment line that keeps idle connections open and finds the closed ones.
    pub fn ping(&self) -> usize {
        self.send(b": ping\n\n")
    }

    pub fn count(&self) -> usize {
        self.lock().len()
    }

    fn send(&self, bytes: &[u8]) -> usize {
        let mut writers = self.lock();
        writers.retain_mut(|w| w.write_all(bytes).and_then(|()| w.flush()).is_ok());
        writers.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Box<dyn Write + Send>>> {
        // A panic while holding the lock cannot leave the list half-changed.
        self.writers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The reload script, for the page served at `generation`.
pub fn script(generation: u64) -> String {
    format!(
        "<script data-kb-live>{}</script>",
        LIVE_JS
            .replace("__GENERATION__", &generation.to_string())
            .replace("__EVENTS__", EVENTS_PATH)
    )
}

/// Adds the reload script to an HTML page, before its last `</body>` (or at the end).
pub fn inject(html: &[u8], generation: u64) -> Vec<u8> {
    let script = script(generation);
    let position = find_last_ignore_case(html, b"</body>").unwrap_or(html.len());
    let mut page = Vec::with_capacity(html.len() + script.len());
    page.extend_from_slice(&html[..position]);
    page.extend_from_slice(script.as_bytes());
    page.extend_from_slice(&html[position..]);
    page
}

fn find_last_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .rposition(|window| window.eq_ignore_ascii_case(needle))
}

const LIVE_JS: &str = r#"
(function () {
  "use strict";
  var generation = __GENERATION__;
  var OVERLAY = "kb-live-errors";
  function hide() {
    var old = document.getElementById(OVERLAY);
    if (old) old.remove();
  }
  function show(errors) {
    hide();
    if (!errors || !errors.length) return;
    var box = document.createElement("div");
    box.id = OVERLAY;
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:rgba(20,20,24,.94);color:#f4f4f5;font:14px/1.5 ui-monospace,monospace";
    var title = document.createElement("h2");
    title.textContent = "kb: the site could not be built (showing the last good page)";
    title.style.cssText = "margin:0 0 1rem;font:bold 18px/1.3 system-ui,sans-serif;color:#fca5a5";
    box.appendChild(title);
    errors.forEach(function (e) {
      var item = document.createElement("section");
      item.className = "kb-live-error";
      var where = document.createElement("p");
      where.className = "kb-live-where";
      where.textContent = (e.file || "site") + (e.line ? ":" + e.line + (e.column ? ":" + e.column : "") : "");
      where.style.cssText = "margin:0;color:#93c5fd";
      var message = document.createElement("p");
      message.className = "kb-live-message";
      message.textContent = e.message;
      message.style.cssText = "margin:.25rem 0;font-weight:bold";
      var text = document.createElement("pre");
      text.textContent = e.text;
      text.style.cssText = "margin:.5rem 0 1.5rem;white-space:pre-wrap;color:#d4d4d8";
      item.appendChild(where);
      item.appendChild(message);
      item.appendChild(text);
      box.appendChild(item);
    });
    (document.body || document.documentElement).appendChild(box);
  }
  function swapStyles(urls) {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    var swapped = 0;
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin || urls.indexOf(url.pathname) < 0) return;
      url.searchParams.set("kb-reload", String(generation));
      link.href = url.pathname + url.search;
      swapped++;
    });
    return swapped > 0;
  }
  if (!window.EventSource) return;
  var events = new EventSource("__EVENTS__");
  function data(event) {
    try { return JSON.parse(event.data); } catch (e) { return {}; }
  }
  events.addEventListener("hello", function (event) {
    var d = data(event);
    document.documentElement.setAttribute("data-kb-live", "connected");
    if (d.generation > generation) { location.reload(); return; }
    show(d.errors);
  });
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("css", function (event) {
    var d = data(event);
    generation = d.generation;
    hide();
    if (!swapStyles(d.urls || [])) location.reload();
  });
  events.addEventListener("build-error", function (event) { show(data(event).errors); });
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_last_body_end_tag() {
        let page = inject(b"<html><body><p>x</p></BODY></html>", 7);
        let page = String::from_utf8(page).unwrap_or_default();
        assert!(page.starts_with("<html><body><p>x</p><script data-kb-live>"));
        assert!(page.ends_with("</script></BODY></html>"));
        assert!(page.contains("var generation = 7;"));
        let fragment = String::from_utf8(inject(b"<p>no body</p>", 1)).unwrap_or_default();
        assert!(fragment.starts_with("<p>no body</p><script data-kb-live>"));
    }

    #[test]
    fn events_are_one_line_of_json_each() {
        let event = Event::BuildError {
            errors: vec![Problem {
                file: Some("content/a.md".into()),
                line: Some(3),
                column: Some(1),
                message: "unknown key `relatd`".into(),
                help: None,
                text: "error: unknown key\n --> content/a.md:3:1\n".into(),
            }],
        };
        let sse = event.to_sse();
        assert!(sse.starts_with("event: build-error\ndata: {"));
        assert!(sse.ends_with("}\n\n"));
        assert_eq!(sse.matches('\n').count(), 3, "{sse}");
        assert_eq!(
            Event::Reload { generation: 4 }.to_sse(),
            "event: reload\ndata: {\"generation\":4}\n\n"
        );
    }
}
