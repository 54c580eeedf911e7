//! The Hugo flavour of a generated corpus: the same content tree and articles, a config, and
//! layouts that do what kb's default theme does (breadcrumbs, related and "referenced by" links,
//! neighbours in the category, category pages, an all-codes page, tag pages, alias redirects).
//!
//! Related codes and backlinks are resolved here, ahead of time, into page paths Hugo looks up
//! with `site.GetPage`; links by code become plain addresses. That spares Hugo work kb does
//! itself, so a kb/Hugo ratio measured on this corpus flatters Hugo, not kb.

use std::fmt::Write as _;
use std::path::Path;

use crate::plan::Plan;

/// Extra front-matter lines: the related and referencing articles as page paths.
pub fn page_lists(plan: &Plan, id: usize, backlinks: &[usize]) -> String {
    let list = |ids: &mut dyn Iterator<Item = usize>| {
        ids.map(|i| format!("\"/{}.md\"", plan.content_path(i)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut text = String::new();
    let _ = writeln!(
        text,
        "related_pages: [{}]",
        list(&mut plan.articles[id].related.iter().map(|(t, _)| *t))
    );
    let _ = writeln!(
        text,
        "referenced_by_pages: [{}]",
        list(&mut backlinks.iter().copied())
    );
    text
}

pub fn write_site_files(root: &Path) -> std::io::Result<()> {
    let files: &[(&str, &str)] = &[
        ("config.toml", CONFIG),
        ("content/codes/_index.md", "---\ntitle: All codes\n---\n"),
        ("layouts/_default/baseof.html", BASEOF),
        ("layouts/partials/breadcrumbs.html", BREADCRUMBS),
        ("layouts/partials/article-link.html", ARTICLE_LINK),
        ("layouts/_default/single.html", SINGLE),
        ("layouts/_default/list.html", LIST),
        ("layouts/index.html", HOME),
        ("layouts/codes/list.html", CODES),
        ("layouts/_default/taxonomy.html", TAXONOMY),
        ("layouts/_default/term.html", TERM),
        ("layouts/404.html", NOT_FOUND),
    ];
    for (path, text) in files {
        crate::write(&root.join(path), text)?;
    }
    Ok(())
}

const CONFIG: &str = r#"baseURL = "https://kb.example.com/"
title = "Generated knowledge base"
languageCode = "en"
disableKinds = ["RSS", "sitemap", "robotsTXT"]
[params]
  description = "A generated error-code knowledge base for benchmarks."
[taxonomies]
  tag = "tags"
[markup.tableOfContents]
  startLevel = 2
  endLevel = 3
"#;

const BASEOF: &str = r#"<!DOCTYPE html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ .Title }} | {{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Params.summary }}{{ . }}{{ else }}{{ with .Params.description }}{{ . }}{{ else }}{{ site.Params.description }}{{ end }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="{{ "kb.css" | relURL }}">
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav>{{ range where site.Home.Sections "Section" "ne" "codes" }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}<a href="{{ "/codes/" | relURL }}">All codes</a> <a href="{{ "/tags/" | relURL }}">Tags</a></nav>
</header>
<main id="main">{{ block "main" . }}{{ end }}</main>
<footer><p>Was this helpful?</p></footer>
<script src="{{ "kb.js" | relURL }}" defer></script>
</body>
</html>
"#;

const BREADCRUMBS: &str = r#"<nav class="breadcrumbs" aria-label="Breadcrumbs"><ol>{{ range .Ancestors.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}<li aria-current="page">{{ .Title }}</li></ol></nav>
<script type="application/ld+json">{{ $items := slice }}{{ range $i, $p := .Ancestors.Reverse }}{{ $items = $items | append (dict "@type" "ListItem" "position" (add $i 1) "name" $p.Title "item" $p.Permalink) }}{{ end }}{{ dict "@context" "https://schema.org" "@type" "BreadcrumbList" "itemListElement" $items | jsonify | safeJS }}</script>
"#;

const ARTICLE_LINK: &str = r#"<li><a href="{{ .RelPermalink }}"><span class="code">{{ .Params.code }}</span> {{ .Title }}</a>{{ with .Params.summary }} <span class="summary">{{ . }}</span>{{ end }}</li>
"#;

const SINGLE: &str = r#"{{ define "title" }}{{ .Params.code }} {{ .Title }} | {{ site.Title }}{{ end }}
{{ define "main" }}
{{ partial "breadcrumbs.html" . }}
<article>
<h1><span class="code">{{ .Params.code }}</span> {{ .Title }}</h1>
{{ with .Params.summary }}<p class="summary">{{ . }}</p>{{ end }}
{{ with .Params.messages }}<section id="messages"><h2>Messages</h2><ul>{{ range . }}<li><code>{{ . }}</code></li>{{ end }}</ul></section>{{ end }}
{{ with .Params.applies_to }}<section id="applies-to"><h2>Applies to</h2><ul>{{ range . }}<li>{{ . }}</li>{{ end }}</ul></section>{{ end }}
<nav class="toc">{{ .TableOfContents }}</nav>
{{ .Content }}
{{ with .GetTerms "tags" }}<ul class="tags">{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> ({{ len .Pages }})</li>{{ end }}</ul>{{ end }}
{{ with .Params.updated }}<p class="updated">Updated <time>{{ . }}</time></p>{{ end }}
</article>
{{ with .Params.related_pages }}<section id="related"><h2>Related</h2><ul>{{ range . }}{{ with site.GetPage . }}{{ partial "article-link.html" . }}{{ end }}{{ end }}</ul></section>{{ end }}
{{ with .Params.referenced_by_pages }}<section id="referenced-by"><h2>Referenced by</h2><ul>{{ range . }}{{ with site.GetPage . }}{{ partial "article-link.html" . }}{{ end }}{{ end }}</ul></section>{{ end }}
{{ $self := . }}<section class="siblings"><h2>More in {{ .Parent.Title }}</h2><ul>{{ range first 11 .Parent.RegularPages }}{{ if ne . $self }}{{ partial "article-link.html" . }}{{ end }}{{ end }}</ul></section>
<script type="application/ld+json">{{ dict "@context" "https://schema.org" "@type" "TechArticle" "headline" (printf "%s %s" .Params.code .Title) "url" .Permalink "inLanguage" site.LanguageCode "description" .Params.summary "dateModified" .Params.updated | jsonify | safeJS }}</script>
{{ end }}
"#;

const LIST: &str = r#"{{ define "main" }}
{{ partial "breadcrumbs.html" . }}
<h1>{{ .Title }}</h1>
{{ .Content }}
{{ with .Sections }}<ul class="subcategories">{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> ({{ len .RegularPagesRecursive }})</li>{{ end }}</ul>{{ end }}
<ul class="articles">{{ range .RegularPages }}{{ partial "article-link.html" . }}{{ end }}</ul>
{{ end }}
"#;

const HOME: &str = r#"{{ define "main" }}
{{ .Content }}
{{ range where .Sections "Section" "ne" "codes" }}<section class="catalog"><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><ul>{{ range .Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></section>{{ end }}
<p>{{ len site.RegularPages }} articles</p>
{{ end }}
"#;

const CODES: &str = r#"{{ define "main" }}
<h1>All codes</h1>
{{ range where site.Home.Sections "Section" "ne" "codes" }}<section><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><ul>{{ range sort .RegularPagesRecursive "Params.code" }}{{ partial "article-link.html" . }}{{ end }}</ul></section>{{ end }}
{{ end }}
"#;

const TAXONOMY: &str = r#"{{ define "main" }}
<h1>Tags</h1>
<ul class="tags">{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
"#;

const TERM: &str = r#"{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul class="articles">{{ range sort .Pages "Params.code" }}{{ partial "article-link.html" . }}{{ end }}</ul>
{{ end }}
"#;

const NOT_FOUND: &str = r#"{{ define "main" }}<h1>Page not found</h1><p><a href="{{ "/" | relURL }}">Home</a></p>{{ end }}
"#;
