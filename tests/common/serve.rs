//! A running `kb serve` for tests: started on a free port, spoken to over plain TCP (HTTP
//! requests, the live-reload event stream, deliberately malformed bytes), stopped when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// How long a test waits for anything the server should do.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A `kb serve` process.
pub struct Server {
    child: Child,
    /// The site's address as the server printed it, e.g. `http://127.0.0.1:40123/`.
    pub url: String,
    /// `host:port`.
    pub address: String,
    lines: std::sync::Mutex<Receiver<String>>,
    /// Everything printed on stdout so far.
    pub output: Vec<String>,
    stderr: std::path::PathBuf,
    _scratch: tempfile::TempDir,
}

impl Server {
    /// Starts `kb serve --root <root> --port 0 <args>` and waits until it serves.
    pub fn start(root: &Path, args: &[&str]) -> Server {
        let mut all = vec!["--port", "0"];
        all.extend_from_slice(args);
        Server::start_with(root, &all)
    }

    /// Starts `kb serve --root <root> <args>` (no port chosen) and waits until it serves.
    pub fn start_with(root: &Path, args: &[&str]) -> Server {
        let scratch = tempfile::tempdir().unwrap();
        let stderr = scratch.path().join("stderr");
        let mut child = Command::new(env!("CARGO_BIN_EXE_kb"))
            .arg("serve")
            .arg("--root")
            .arg(root)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("kb serve starts");
        let lines =
            std::sync::Mutex::new(read_lines(child.stdout.take().expect("stdout is piped")));
        let mut server = Server {
            child,
            url: String::new(),
            address: String::new(),
            lines,
            output: Vec::new(),
            stderr,
            _scratch: scratch,
        };
        let line = server.wait_for_line("Serving the site at ");
        let url = line
            .split("Serving the site at ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_default()
            .to_string();
        server.address = url
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        server.url = url;
        server
    }

    /// Waits for a line of stdout containing `text`; panics with all output after
    /// [`PATIENCE`].
    pub fn wait_for_line(&mut self, text: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        if let Some(line) = self.output.iter().find(|l| l.contains(text)) {
            return line.clone();
        }
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let next = self.lines.lock().unwrap().recv_timeout(left);
            match next {
                Ok(line) => {
                    self.output.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(_) => break,
            }
        }
        panic!(
            "kb serve never printed {text:?}\nstdout:\n{}\nstderr:\n{}",
            self.output.join("\n"),
            self.stderr()
        );
    }

    /// Takes every stdout line printed so far without waiting.
    pub fn drain_output(&mut self) -> Vec<String> {
        let new: Vec<String> = self.lines.lock().unwrap().try_iter().collect();
        self.output.extend(new.iter().cloned());
        new
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path)
    }

    pub fn request(&self, method: &str, path: &str) -> Response {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        );
        Response::parse(&self.raw(request.as_bytes()))
    }

    /// Sends raw bytes and returns everything the server answers before closing (or after two
    /// seconds of silence: a kept-alive or half-sent request stays open).
    pub fn raw(&self, bytes: &[u8]) -> Vec<u8> {
        let mut stream = TcpStream::connect(&self.address).expect("the server accepts");
        stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        let _ = stream.write_all(bytes);
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        answer
    }

    /// Opens the live-reload event stream and reads its first (`hello`) event.
    pub fn events(&self) -> Events {
        let mut stream = TcpStream::connect(&self.address).expect("the server accepts");
        let request = format!(
            "GET /__kb/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
            self.address
        );
        stream.write_all(request.as_bytes()).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut events = Events {
            reader: BufReader::new(stream),
        };
        let mut line = String::new();
        while events.reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
            line.clear();
        }
        events
    }

    /// The process id, for signals.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the process to end (after a signal) and returns whether it exited with 0.
    pub fn wait(mut self) -> (bool, Vec<String>) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                std::thread::sleep(Duration::from_millis(100));
                self.drain_output();
                return (status.success(), self.output.clone());
            }
            assert!(Instant::now() < deadline, "kb serve did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_lines(stdout: ChildStdout) -> Receiver<String> {
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// An open live-reload event stream.
pub struct Events {
    reader: BufReader<TcpStream>,
}

/// One server-sent event.
#[derive(Debug, Clone)]
pub struct Event {
    pub name: String,
    pub data: serde_json::Value,
}

impl Events {
    /// The next event (skipping keep-alive comments); panics after [`PATIENCE`].
    pub fn next(&mut self) -> Event {
        let mut name = String::new();
        let mut data = String::new();
        let deadline = Instant::now() + PATIENCE;
        loop {
            // Keep-alive comments arrive now and then, so the socket alone never times out.
            assert!(Instant::now() < deadline, "no event within {PATIENCE:?}");
            let mut line = String::new();
            let read = self.reader.read_line(&mut line);
            assert!(
                matches!(read, Ok(n) if n > 0),
                "the event stream ended or timed out: {read:?}"
            );
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if !name.is_empty() {
                    let data = serde_json::from_str(&data).unwrap_or(serde_json::Value::Null);
                    return Event { name, data };
                }
                continue;
            }
            if let Some(value) = line.strip_prefix("event: ") {
                name = value.to_string();
            } else if let Some(value) = line.strip_prefix("data: ") {
                data.push_str(value);
            }
        }
    }

    /// The next event that is not `hello`.
    pub fn next_change(&mut self) -> Event {
        loop {
            let event = self.next();
            if event.name != "hello" {
                return event;
            }
        }
    }
}

/// An HTTP response, parsed loosely.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn parse(bytes: &[u8]) -> Response {
        let split = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(bytes.len());
        let head = String::from_utf8_lossy(&bytes[..split]);
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let body = bytes.get(split + 4..).unwrap_or_default().to_vec();
        Response {
            status,
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as an HTML page.
    pub fn page(&self) -> super::Page {
        let source = self.text();
        super::Page {
            url: String::new(),
            file: std::path::PathBuf::new(),
            html: scraper::Html::parse_document(&source),
            source,
        }
    }
}
