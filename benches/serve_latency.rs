//! Save-to-reload latency of `kb serve`: the time from writing an article to the `reload`
//! event arriving on the live-reload stream, for one-article edits.
//!
//! ```text
//! cargo run --release --example gen_corpus -- --articles 10000 --out /dev/shm/kb-10k
//! cargo bench --bench serve_latency -- /dev/shm/kb-10k
//! cargo bench --bench serve_latency -- .          # the shipped site
//! cargo bench --bench serve_latency -- SITE --edits 10   # fewer edits (default 25)
//! ```
//!
//! The site is copied into a fresh folder under /dev/shm first (edits never touch the source),
//! served with the release `kb serve --port 0`, and each edit is timed from just before the
//! write to the moment the event is read. Prints median, 90th percentile, min and max for a
//! body edit (the usual save) and a title edit (which also changes lists, indexes and search),
//! and where the system tells (Linux), the CPU time (user + system) `kb serve` spent per edit,
//! which a machine busy with other work changes less than the wall time.
//! A benchmark, not a test: nothing is asserted.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const EDITS: usize = 25;

const PAUSE: Duration = Duration::from_millis(300);

fn main() {
    let source = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-') && a.parse::<usize>().is_err())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    if !source.join("content").is_dir() {
        eprintln!("usage: cargo bench --bench serve_latency -- SITE_ROOT (a folder with content/)");
        std::process::exit(2);
    }
    let scratch_parent = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let scratch = tempfile::Builder::new()
        .prefix("kb-serve-bench-")
        .tempdir_in(scratch_parent)
        .expect("a scratch folder");
    for name in ["content", "templates", "static", "kb.yaml"] {
        let from = source.join(name);
        if from.exists() {
            copy(&from, &scratch.path().join(name));
        }
    }
    let root = scratch.path();
    let articles = articles(&root.join("content"));
    println!(
        "site: {} ({} articles), copied to {}",
        source.display(),
        articles.len(),
        root.display()
    );
    let mut server = Server::start(root);
    println!("{}", server.startup);
    let mut events = server.events();
    let args: Vec<String> = std::env::args().collect();
    let edits = args
        .iter()
        .position(|a| a == "--edits")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(EDITS);
    let picks: Vec<&PathBuf> = (0..edits)
        .map(|i| &articles[(i * 7919) % articles.len()])
        .collect();
    let cpu = server.cpu_time();
    let body = measure(&mut events, &picks, |text, i| {
        text.replacen("\n## ", &format!("\nEdited paragraph {i}.\n\n## "), 1)
    });
    report("body edit", &body);
    let cpu = report_cpu("body edit", &server, cpu, picks.len());
    let title = measure(&mut events, &picks, |text, i| {
        // Inside the quotes of a quoted title, so the YAML stays valid.
        let quoted = ["\"", "'"]
            .iter()
            .find(|q| text.contains(&format!("\ntitle: {q}")));
        match quoted {
            Some(q) => text.replacen(
                &format!("\ntitle: {q}"),
                &format!("\ntitle: {q}Edited {i} "),
                1,
            ),
            None => text.replacen("\ntitle: ", &format!("\ntitle: Edited {i} "), 1),
        }
    });
    report("title edit", &title);
    report_cpu("title edit", &server, cpu, picks.len());
    println!("server log of the last rebuilds:");
    for line in server.log().iter().rev().take(4).rev() {
        println!("  {line}");
    }
}

/// Edits each article with `change` and times the reload event; returns milliseconds.
fn measure(
    events: &mut BufReader<TcpStream>,
    picks: &[&PathBuf],
    change: impl Fn(&str, usize) -> String,
) -> Vec<f64> {
    let mut times = Vec::new();
    for (i, path) in picks.iter().enumerate() {
        let text = std::fs::read_to_string(path).expect("the article is readable");
        let edited = change(&text, i);
        std::thread::sleep(PAUSE);
        let started = Instant::now();
        std::fs::write(path, edited).expect("the article is writable");
        wait_for(events, "reload");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times
}

fn report(what: &str, times: &[f64]) {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    println!(
        "{what}: save → reload event over {} edits: median {:.1} ms, p90 {:.1} ms, min {:.1} ms, max {:.1} ms",
        sorted.len(),
        at(0.5),
        at(0.9),
        sorted[0],
        sorted[sorted.len() - 1]
    );
}

/// Prints the CPU time `kb serve` spent per edit since `before`; returns the total now.
fn report_cpu(what: &str, server: &Server, before: Option<f64>, edits: usize) -> Option<f64> {
    let now = server.cpu_time();
    if let (Some(before), Some(now)) = (before, now) {
        println!(
            "{what}: CPU time of kb serve (user + system) per edit: {:.1} ms",
            (now - before) / edits.max(1) as f64
        );
    }
    now
}

fn wait_for(events: &mut BufReader<TcpStream>, name: &str) {
    let wanted = format!("event: {name}");
    let mut line = String::new();
    loop {
        line.clear();
        match events.read_line(&mut line) {
            Ok(n) if n > 0 => {}
            other => panic!("the event stream ended: {other:?}"),
        }
        if line.trim_end() == wanted {
            return;
        }
        if line.starts_with("event: build-error") {
            panic!("the edit broke the build");
        }
    }
}

struct Server {
    child: Child,
    address: String,
    startup: String,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Server {
    fn start(root: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kb"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("kb serve starts");
        let stdout = child.stdout.take().expect("piped");
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let mut startup = Vec::new();
        let address = loop {
            let line = lines
                .recv_timeout(Duration::from_secs(600))
                .expect("kb serve starts serving");
            startup.push(line.clone());
            if let Some(url) = line.strip_prefix("Serving the site at ") {
                let url = url.split(' ').next().unwrap_or_default();
                break url
                    .trim_start_matches("http://")
                    .split('/')
                    .next()
                    .unwrap_or_default()
                    .to_string();
            }
        };
        Server {
            child,
            address,
            startup: startup.join("\n"),
            lines,
        }
    }

    fn events(&self) -> BufReader<TcpStream> {
        let mut stream = TcpStream::connect(&self.address).expect("the server accepts");
        let request = format!(
            "GET /__kb/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.address
        );
        stream
            .write_all(request.as_bytes())
            .expect("the request is sent");
        let mut reader = BufReader::new(stream);
        wait_for(&mut reader, "hello");
        reader
    }

    /// The CPU time (user + system) the server has used so far, in milliseconds, where
    /// `/proc` tells it.
    fn cpu_time(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        // The fields after the command name, which is in parentheses and may hold spaces.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks: f64 =
            fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
        let per_second = Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse::<f64>().ok())
            .unwrap_or(100.0);
        Some(ticks * 1000.0 / per_second)
    }

    fn log(&mut self) -> Vec<String> {
        self.lines.try_iter().collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn articles(content: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![content.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "md")
                && path.file_name().is_some_and(|n| n != "_index.md")
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).expect("a folder");
        for entry in std::fs::read_dir(from)
            .expect("a readable folder")
            .flatten()
        {
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).expect("a copy");
    }
}
