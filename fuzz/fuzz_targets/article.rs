//! Any bytes as an article file: size and UTF-8 checks, BOM, front-matter fences, strict YAML,
//! key validation, the Markdown body with its link rewriting and code highlighting, and every
//! diagnostic rendered as the terminal would show it. None of it may panic or hang.

#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use kb::config::BaseUrl;
use kb::diagnostic::Diagnostic;
use kb::highlight::Highlighter;
use kb::markdown::{self, LinkResolver, PageRef};
use kb::paths::{SourcePath, UrlPath};
use libfuzzer_sys::fuzz_target;

/// Every `.md` path and every valid code is a page, so link rewriting and anchors run too.
struct AnyPage {
    url: UrlPath,
    base: BaseUrl,
}

impl LinkResolver for AnyPage {
    fn page_for_source(&self, _path: &Path) -> Option<(PageRef, &UrlPath)> {
        Some((PageRef::Article(0), &self.url))
    }

    fn page_for_code(
        &self,
        _from: Option<usize>,
        code: &str,
    ) -> Result<(PageRef, &UrlPath), Diagnostic> {
        match kb::code::ErrorCode::parse(code) {
            Ok(_) => Ok((PageRef::Article(0), &self.url)),
            Err(why) => Err(Diagnostic::error(format!("bad code: {why}"))),
        }
    }

    fn base_url(&self) -> &BaseUrl {
        &self.base
    }
}

fn shared() -> &'static (AnyPage, Highlighter) {
    static SHARED: OnceLock<(AnyPage, Highlighter)> = OnceLock::new();
    SHARED.get_or_init(|| {
        let url = UrlPath::parse("/http/4xx/401/").unwrap_or_else(|_| UrlPath::root());
        let base = BaseUrl::parse("https://example.com/help/").unwrap_or_default();
        (AnyPage { url, base }, Highlighter::new())
    })
}

fuzz_target!(|data: &[u8]| {
    let (links, highlighter) = shared();
    let path = SourcePath::new("content/http/4xx/401.md");
    let problems = match kb::content::parse_article_bytes(&path, data.to_vec()) {
        Ok(article) => {
            let (rendered, problems) =
                markdown::render(&article.source, Some(0), links, highlighter);
            assert!(
                rendered.html.len() < 64 * data.len() + 4096,
                "runaway output"
            );
            problems
        }
        Err(problems) => problems,
    };
    for problem in &problems {
        let plain = problem.render(false);
        assert!(plain.starts_with("error: ") || plain.starts_with("warning: "));
        let _ = problem.render(true);
    }
});
