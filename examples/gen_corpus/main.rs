//! Generates a deterministic, realistic error-code knowledge base for benchmarks.
//!
//! ```text
//! cargo run --release --example gen_corpus -- --articles 10000 --out /dev/shm/kb-10k
//! cargo run --release --example gen_corpus -- --articles 10000 --out /dev/shm/hugo-10k --format hugo
//! ```
//!
//! Every article has full front matter (code, title, summary, messages, applies_to, 3–8 related
//! codes that exist, tags, aliases, updated) and a 400–800-word body with headings, a numbered
//! list, a table, a code block and links by code. Categories are two or three levels deep, each
//! with an `_index.md`. The same arguments always give byte-identical files.
//!
//! `--format hugo` writes the same articles as a Hugo site (with layouts doing the same work as
//! kb's theme) so both can be timed on one corpus; see `benches/README.md`.

mod hugo;
mod plan;
mod text;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use plan::Plan;
use text::Rng;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Kb,
    Hugo,
}

struct Args {
    articles: usize,
    out: PathBuf,
    seed: u64,
    format: Format,
}

const USAGE: &str = "usage: gen_corpus --articles N --out DIR [--seed S] [--format kb|hugo]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        articles: 1000,
        out: PathBuf::new(),
        seed: 1,
        format: Format::Kb,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--articles" => {
                args.articles = value()?.parse().map_err(|e| format!("--articles: {e}"))?
            }
            "--out" => args.out = PathBuf::from(value()?),
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--format" => {
                args.format = match value()?.as_str() {
                    "kb" => Format::Kb,
                    "hugo" => Format::Hugo,
                    other => return Err(format!("unknown format `{other}`")),
                }
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if args.out.as_os_str().is_empty() {
        return Err("--out is required".into());
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(why) => {
            if !why.is_empty() {
                eprintln!("error: {why}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match generate(&args) {
        Ok(()) => {
            println!(
                "Generated {} articles → {}",
                args.articles,
                args.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn generate(args: &Args) -> std::io::Result<()> {
    let plan = Plan::new(args.articles, args.seed);
    let content = args.out.join("content");
    if content.exists() {
        std::fs::remove_dir_all(&content)?;
    }
    match args.format {
        Format::Kb => write(&args.out.join("kb.yaml"), KB_YAML)?,
        Format::Hugo => hugo::write_site_files(&args.out)?,
    }
    for id in 0..plan.categories.len() {
        let folder = plan.categories[id].folders.join("/");
        let mut text = category_markdown(&plan, id, args.seed);
        if args.format == Format::Hugo {
            text = text.replace("/_index.md)", "/)");
        }
        write(&content.join(&folder).join("_index.md"), &text)?;
    }
    for (id, backlinks) in plan.backlinks().iter().enumerate() {
        let text = article_markdown(&plan, id, args.seed, args.format, backlinks);
        write(
            &content.join(format!("{}.md", plan.content_path(id))),
            &text,
        )?;
    }
    Ok(())
}

const KB_YAML: &str = "title: Generated knowledge base
description: A generated error-code knowledge base for benchmarks.
base_url: https://kb.example.com/
";

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

fn category_markdown(plan: &Plan, id: usize, seed: u64) -> String {
    let mut rng = Rng::for_item(seed, 2, id as u64);
    let category = &plan.categories[id];
    let mut text = format!(
        "---\ntitle: {}\ndescription: \"{}\"\nweight: {}\n---\n{}\n",
        category.title,
        text::sentence(&mut rng, 14..=14),
        category.weight,
        text::paragraph(&mut rng, 40..=80),
    );
    if category.folders.is_empty() {
        text.push_str("\n## Catalogs\n\n");
        for catalog in &plan.catalogs {
            let _ = writeln!(text, "- [{}]({}/_index.md)", catalog.title, catalog.slug);
        }
    }
    text
}

fn article_markdown(
    plan: &Plan,
    id: usize,
    seed: u64,
    format: Format,
    backlinks: &[usize],
) -> String {
    let mut rng = Rng::for_item(seed, 3, id as u64);
    let article = &plan.articles[id];
    let catalog = &plan.catalogs[article.catalog];
    let code = &article.code;
    let title = text::title(&mut rng, 2..=5);
    let related: Vec<String> = article
        .related
        .iter()
        .map(|(target, qualified)| {
            let target_code = &plan.articles[*target].code;
            if *qualified {
                format!(
                    "\"{}/{target_code}\"",
                    plan.catalogs[plan.articles[*target].catalog].slug
                )
            } else {
                format!("\"{target_code}\"")
            }
        })
        .collect();
    let mut tags: Vec<&str> = (0..rng.range(1, 4))
        .map(|_| *rng.pick(text::TAGS))
        .collect();
    tags.sort_unstable();
    tags.dedup();
    let mut text = String::with_capacity(6000);
    let _ = writeln!(
        text,
        "---\ncode: \"{code}\"\ntitle: {title}\nsummary: \"{}\"\nmessages:",
        text::sentence(&mut rng, 10..=20)
    );
    for _ in 0..rng.range(2, 5) {
        let _ = writeln!(text, "  - \"{code}: {}\"", text::sentence(&mut rng, 4..=10));
    }
    let product = plan::capitalise(catalog.tool.trim_end_matches("ctl"));
    let _ = writeln!(text, "applies_to: [{product} 3.x, {product} 4.x]");
    let _ = writeln!(
        text,
        "related: [{}]\ntags: [{}]",
        related.join(", "),
        tags.join(", ")
    );
    let _ = write!(
        text,
        "aliases: [/legacy/{}/{}.html",
        catalog.slug,
        plan.slug(id)
    );
    if rng.chance(4) {
        let _ = write!(text, ", /kb/{}-{}/", catalog.slug, plan.slug(id));
    }
    let _ = writeln!(
        text,
        "]\nupdated: {}-{:02}-{:02}",
        rng.range(2021, 2024),
        rng.range(1, 12),
        rng.range(1, 28)
    );
    if format == Format::Hugo {
        text.push_str(&hugo::page_lists(plan, id, backlinks));
    }
    text.push_str("---\n");
    let body = article_body(plan, id, &mut rng, format);
    text.push_str(&body);
    text
}

/// A 400–800-word body: Cause, Resolution (two numbered lists, a code block), Notes (a table).
fn article_body(plan: &Plan, id: usize, rng: &mut Rng, format: Format) -> String {
    let article = &plan.articles[id];
    let catalog = &plan.catalogs[article.catalog];
    let target_words = rng.range(400, 800);
    let (visitor_steps, visitor_words) = text::numbered_list(rng, 3..=6);
    let (admin_steps, admin_words) = text::numbered_list(rng, 2..=4);
    let (table, table_words) = text::table(rng, 3..=5);
    let mut prose_left =
        target_words.saturating_sub(visitor_words + admin_words + table_words + 40);
    let mut paragraphs = Vec::new();
    while prose_left > 0 {
        let n = rng.range(50, 110).min(prose_left.max(20));
        paragraphs.push(text::paragraph(rng, n..=n));
        prose_left = prose_left.saturating_sub(n);
    }
    let split = paragraphs.len().div_ceil(2);
    // Hugo gets the addresses kb would resolve, so it does less work than kb, not more.
    let link = |target: usize| {
        let (code, slug) = (
            &plan.articles[target].code,
            &plan.catalogs[plan.articles[target].catalog].slug,
        );
        let written = if plan.articles[target].catalog == article.catalog {
            code.clone()
        } else {
            format!("{slug}/{code}")
        };
        let dest = match format {
            Format::Kb => format!("code:{written}"),
            Format::Hugo => format!("/{}/", plan.content_path(target)),
        };
        (written, dest)
    };
    let category_link = if format == Format::Kb {
        "_index.md"
    } else {
        "../"
    };
    let mut body = String::with_capacity(target_words * 7);
    body.push_str("## Cause\n\n");
    for paragraph in &paragraphs[..split] {
        let _ = write!(body, "{paragraph}\n\n");
    }
    if let Some((first, _)) = article.related.first() {
        let (code, dest) = link(*first);
        let _ = write!(
            body,
            "This often follows [{code}]({dest}); see [its cause]({dest}#cause) and the [other errors in this category]({category_link}).\n\n"
        );
    }
    let _ = write!(
        body,
        "## Resolution\n\nWork through the steps in order; the [notes](#notes) list the settings involved.\n\n### If you see this message\n\n{visitor_steps}\n### If you run the service\n\n{admin_steps}\n"
    );
    body.push_str(&text::code_block(rng, &catalog.tool, &article.code));
    body.push_str("\n## Notes\n\n");
    body.push_str(&table);
    body.push('\n');
    for paragraph in &paragraphs[split..] {
        let _ = write!(body, "{paragraph}\n\n");
    }
    body
}
