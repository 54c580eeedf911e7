//! The linked site: categories as a tree, articles placed in it with their URLs, related codes
//! resolved, backlinks and tags collected. Built once from the loaded content; read-only after.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use crate::code::natural_cmp;
use crate::config::SiteConfig;
use crate::content::{LoadedArticle, LoadedCategory, LoadedContent, Source};
use crate::diagnostic::Diagnostic;
use crate::frontmatter::ArticleMeta;
use crate::paths::{Segment, SourcePath, UrlPath};
use crate::related::{self, CodeIndex};
use crate::yaml::YamlBlock;

pub type ArticleId = usize;
pub type CategoryId = usize;

/// The home page is category 0.
pub const HOME: CategoryId = 0;

#[derive(Debug)]
pub struct Category {
    pub title: String,
    pub description: Option<String>,
    pub weight: i64,
    pub extra: serde_json::Value,
    pub url: UrlPath,
    /// The folder name, for ordering and for catalogs.
    pub name: String,
    pub source: Option<Source>,
    pub parent: Option<CategoryId>,
    /// Sub-categories in display order.
    pub children: Vec<CategoryId>,
    /// Articles directly in this category, in display order.
    pub articles: Vec<ArticleId>,
    /// Articles in this category and all below it.
    pub total_articles: usize,
}

#[derive(Debug)]
pub struct Article {
    pub meta: ArticleMeta,
    pub source: Source,
    pub category: CategoryId,
    /// The top-level folder's slug; `""` for articles directly in `content/`.
    pub catalog: String,
    pub url: UrlPath,
    pub related: Vec<ArticleId>,
    /// Articles whose `related` lists this one, in code order.
    pub referenced_by: Vec<ArticleId>,
    pub tags: Vec<TagRef>,
}

/// A tag as shown on an article: its name and the slug of its page.
#[derive(Debug, Clone)]
pub struct TagRef {
    pub name: String,
    pub slug: Segment,
}

#[derive(Debug)]
pub struct Tag {
    pub name: String,
    pub url: UrlPath,
    pub articles: Vec<ArticleId>,
}

#[derive(Debug)]
pub struct Site {
    pub config: SiteConfig,
    pub categories: Vec<Category>,
    pub articles: Vec<Article>,
    /// Tags by slug.
    pub tags: BTreeMap<Segment, Tag>,
    pub codes: CodeIndex,
    /// Each article's place in natural code order ([`crate::code::ranks`]): sorting article ids
    /// by it is sorting them by code.
    pub code_ranks: Vec<usize>,
}

impl Site {
    pub fn home(&self) -> &Category {
        &self.categories[HOME]
    }

    /// The chain of categories from the home page down to `category`, both included.
    pub fn ancestry(&self, category: CategoryId) -> Vec<CategoryId> {
        let mut chain = vec![category];
        let mut current = category;
        while let Some(parent) = self.categories[current].parent {
            chain.push(parent);
            current = parent;
        }
        chain.reverse();
        chain
    }

    /// Every article id, by catalog and then in natural code order: the order of the catalog's
    /// entries and of the sitemap.
    pub fn ids_by_catalog_and_code(&self) -> Vec<ArticleId> {
        let mut ids: Vec<ArticleId> = (0..self.articles.len()).collect();
        ids.sort_by(|a, b| {
            let catalog = |id: &ArticleId| &self.articles[*id].catalog;
            (catalog(a).cmp(catalog(b))).then(self.code_ranks[*a].cmp(&self.code_ranks[*b]))
        });
        ids
    }
}

/// Links loaded content into a site, returning every problem found alongside it.
pub fn link(config: SiteConfig, content: LoadedContent) -> (Site, Vec<Diagnostic>) {
    let mut diagnostics = content.diagnostics;
    let (mut categories, folder_ids) = build_categories(content.categories, &mut diagnostics);
    let mut articles = place_articles(content.articles, &folder_ids, &categories);
    // The codes are indexed on one core while the others collect the tags and rank the codes
    // of the articles placed: those are the site's articles unless a code is used twice, when
    // (rarely) ranks and tags are made again without the articles left out. The tags first:
    // their lists are filled on one core, beside the indexing, and the ranking's sort on all
    // cores comes last (the other way round, a big site's other core waited for the tags).
    let ((codes, left_out), ((mut tags, mut tag_refs), mut code_ranks)) = rayon::join(
        || index_codes(&articles, &mut diagnostics),
        || rayon::join(|| collect_tags(&articles), || rank_codes(&articles)),
    );
    if leave_out(&mut articles, &left_out) {
        code_ranks = rank_codes(&articles);
        (tags, tag_refs) = collect_tags(&articles);
    }
    // The categories are ordered beside the resolving: their lists of articles are filled on
    // one core, which for a big site left the other idle once the resolving was done.
    let (Resolved { related, problems }, ()) = rayon::join(
        || resolve_related(&articles, &codes),
        || order(&mut categories, &articles, &code_ranks),
    );
    diagnostics.extend(problems.into_iter().flatten());
    hand_out_links(&mut articles, related, tag_refs, &code_ranks);
    let site = Site {
        config,
        categories,
        articles,
        tags,
        codes,
        code_ranks,
    };
    (site, diagnostics)
}

fn build_categories(
    loaded: Vec<LoadedCategory>,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<Category>, HashMap<Vec<String>, CategoryId>) {
    let mut categories: Vec<Category> = Vec::with_capacity(loaded.len());
    let mut ids: HashMap<Vec<String>, CategoryId> = HashMap::new();
    // The walk lists parents before children, so a parent always has its id already.
    for category in loaded {
        let parent = category
            .folder
            .split_last()
            .and_then(|(_, up)| ids.get(up).copied());
        let name = category.folder.last().cloned().unwrap_or_default();
        let url = match (parent, Segment::slugify(&name)) {
            (None, _) => UrlPath::root(),
            (Some(parent), Some(slug)) => categories[parent].url.child(slug),
            (Some(_), None) => {
                let folder = format!("content/{}", category.folder.join("/"));
                diagnostics.push(
                    Diagnostic::error(format!(
                        "the folder name `{name}` cannot be turned into a URL"
                    ))
                    .in_file(&SourcePath::new(folder))
                    .with_help("rename the folder using letters, digits, `-`, `_` or `.`"),
                );
                continue;
            }
        };
        if !category.folder.is_empty() && parent.is_none() {
            continue; // below a folder that was refused
        }
        let id = categories.len();
        ids.insert(category.folder.clone(), id);
        if let Some(parent) = parent {
            categories[parent].children.push(id);
        }
        let title = category
            .meta
            .title
            .clone()
            .unwrap_or_else(|| title_from_name(&name));
        categories.push(Category {
            title,
            description: category.meta.description,
            weight: category.meta.weight,
            extra: category.meta.extra,
            url,
            name,
            source: category.source,
            parent,
            children: Vec::new(),
            articles: Vec::new(),
            total_articles: 0,
        });
    }
    if categories.is_empty() {
        categories.push(Category {
            title: String::new(),
            description: None,
            weight: 0,
            extra: serde_json::Value::Null,
            url: UrlPath::root(),
            name: String::new(),
            source: None,
            parent: None,
            children: Vec::new(),
            articles: Vec::new(),
            total_articles: 0,
        });
    }
    (categories, ids)
}

/// `client-errors` → `Client errors`, for folders without an `_index.md` title.
pub fn title_from_name(name: &str) -> String {
    let words = name.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[allow(
    clippy::vec_box,
    reason = "the articles come boxed from loading; unboxing them to list them moved each one on one core"
)]
fn place_articles(
    mut loaded: Vec<Box<LoadedArticle>>,
    folder_ids: &HashMap<Vec<String>, CategoryId>,
    categories: &[Category],
) -> Vec<Article> {
    let places: Vec<Option<CategoryId>> = (loaded.par_iter())
        .map(|article| folder_ids.get(&article.folder).copied())
        .collect();
    if places.contains(&None) {
        // Articles below a refused folder have no place; the others keep their order.
        let mut place = places.iter();
        loaded.retain(|_| place.next().is_some_and(Option::is_some));
    }
    let places: Vec<CategoryId> = places.into_iter().flatten().collect();
    // On all cores, each article moved out of its box straight to its place in the site's list:
    // the other core waits for linking, every article is moved and its folder names freed, and
    // a list collected in pieces would be moved again, on one core, to join them.
    let mut articles = Vec::with_capacity(loaded.len());
    (loaded.into_par_iter().zip(places))
        .map(|(article, category)| {
            let article = *article;
            let catalog = catalog_of(categories, category);
            let url = categories[category].url.child(article.meta.slug.clone());
            Article {
                meta: article.meta,
                source: article.source,
                category,
                catalog,
                url,
                related: Vec::new(),
                referenced_by: Vec::new(),
                tags: Vec::new(),
            }
        })
        .collect_into_vec(&mut articles);
    articles
}

/// The catalog of a category: the slug of its top-level folder.
fn catalog_of(categories: &[Category], category: CategoryId) -> String {
    let mut current = category;
    while let Some(parent) = categories[current].parent {
        if parent == HOME {
            break;
        }
        current = parent;
    }
    categories[current]
        .url
        .segments()
        .first()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default()
}

/// Indexes every article's code. An article whose code is already taken in its catalog is
/// reported and to be left out of the site (returned `true` at its place), so it cannot also
/// collide, link or warn; an article's id is its place among those kept.
fn index_codes(articles: &[Article], diagnostics: &mut Vec<Diagnostic>) -> (CodeIndex, Vec<bool>) {
    let mut index = CodeIndex::default();
    let mut left_out = vec![false; articles.len()];
    let mut kept: Vec<ArticleId> = Vec::with_capacity(articles.len());
    for (place, article) in articles.iter().enumerate() {
        let code = article.meta.code.as_str();
        let Some(first) = index.insert(&article.catalog, code, kept.len()) else {
            kept.push(place);
            continue;
        };
        left_out[place] = true;
        let catalog = if article.catalog.is_empty() {
            "the site root"
        } else {
            &article.catalog
        };
        diagnostics.push(
            front_matter_diagnostic(
                article,
                "code",
                code,
                &format!("code `{code}` is used twice in {catalog}"),
            )
            .with_help(format!(
                "it is also the code of {}; a code must be unique within its catalog",
                articles[kept[first]].source.path
            )),
        );
    }
    (index, left_out)
}

/// Drops the articles `left_out` marks; whether there were any. Only then are the articles
/// moved: they are big, and a big site has many.
fn leave_out(articles: &mut Vec<Article>, left_out: &[bool]) -> bool {
    if !left_out.contains(&true) {
        return false;
    }
    let mut left_out = left_out.iter();
    articles.retain(|_| !left_out.next().copied().unwrap_or(false));
    true
}

/// Each article's place in natural code order ([`crate::code::ranks`]).
fn rank_codes(articles: &[Article]) -> Vec<usize> {
    let codes: Vec<&str> = articles.iter().map(|a| a.meta.code.as_str()).collect();
    crate::code::ranks(&codes)
}

/// Every article's related codes, resolved to articles, and the problems of the entries that
/// could not be.
struct Resolved {
    related: Vec<Vec<ArticleId>>,
    problems: Vec<Vec<Diagnostic>>,
}

fn resolve_related(articles: &[Article], codes: &CodeIndex) -> Resolved {
    // On all cores. The problems are kept in article order, as one pass would find them.
    let (related, problems) = articles
        .par_iter()
        .enumerate()
        .map(|(id, article)| {
            let mut problems = Vec::new();
            (resolve_one(id, article, codes, &mut problems), problems)
        })
        .unzip();
    Resolved { related, problems }
}

/// Gives every article its resolved related articles, its backlinks (in code order) and its
/// tags, on all cores: each of a big site's many articles is written to, and its backlinks
/// sorted.
fn hand_out_links(
    articles: &mut [Article],
    related: Vec<Vec<ArticleId>>,
    tags: Vec<Vec<TagRef>>,
    code_ranks: &[usize],
) {
    // Each core fills the backlinks of a range of articles, reading every article's links: on
    // one core, a big site's other core waited for the filling. Every list gets its ids in
    // order, as one pass over the links gives them.
    let mut backlinks: Vec<Vec<ArticleId>> = vec![Vec::new(); articles.len()];
    let per_part = (articles.len())
        .div_ceil(rayon::current_num_threads().max(1))
        .max(1);
    (backlinks.par_chunks_mut(per_part).enumerate()).for_each(|(part, lists)| {
        let first = part * per_part;
        for (id, targets) in related.iter().enumerate() {
            for target in targets {
                if let Some(list) = lists.get_mut(target.wrapping_sub(first)) {
                    list.push(id);
                }
            }
        }
    });
    (articles.par_iter_mut(), related, backlinks, tags)
        .into_par_iter()
        .for_each(|(article, related, mut referenced_by, tags)| {
            referenced_by.sort_by_key(|id| code_ranks[*id]);
            article.related = related;
            article.referenced_by = referenced_by;
            article.tags = tags;
        });
}

/// The articles one article's `related` entries name, in the order written, without repeats.
fn resolve_one(
    id: ArticleId,
    article: &Article,
    codes: &CodeIndex,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<ArticleId> {
    let mut resolved = Vec::new();
    for entry in &article.meta.related {
        let resolution = codes.resolve(&article.catalog, entry);
        if let Some(problem) = related::explain(entry, &article.catalog, &resolution) {
            diagnostics.push(locate(article, "related", entry, problem));
            continue;
        }
        let related::Resolution::Found(target) = resolution else {
            continue;
        };
        if target == id {
            let problem = Diagnostic::error(format!(
                "the article lists its own code `{entry}` as related"
            ))
            .with_help("remove it from `related`");
            diagnostics.push(locate(article, "related", entry, problem));
        } else if !resolved.contains(&target) {
            resolved.push(target);
        }
    }
    resolved
}

/// Places a diagnostic about a front-matter value at that value in the article's source.
fn locate(article: &Article, key: &str, value: &str, diagnostic: Diagnostic) -> Diagnostic {
    let located = front_matter_diagnostic(article, key, value, &diagnostic.message);
    Diagnostic {
        help: diagnostic.help,
        ..located
    }
}

/// A diagnostic at `value` of the front-matter `key` of `article` (at the key when the value is not
/// found, at the start of the front matter when the key is absent).
pub(crate) fn front_matter_diagnostic(
    article: &Article,
    key: &str,
    value: &str,
    message: &str,
) -> Diagnostic {
    let source = &article.source;
    let yaml_start = source.text.find('\n').map_or(0, |i| i + 1);
    let yaml = &source.text[yaml_start..source.body_offset];
    let block = YamlBlock {
        file: &source.path,
        file_text: &source.text,
        offset: yaml_start,
        yaml,
    };
    block.diagnostic_at_value(message, key, value)
}

/// Puts the categories' articles and children in display order and counts the articles
/// below each.
fn order(categories: &mut [Category], articles: &[Article], code_ranks: &[usize]) {
    for (id, article) in articles.iter().enumerate() {
        categories[article.category].articles.push(id);
    }
    categories.par_iter_mut().for_each(|category| {
        category
            .articles
            .sort_by_key(|id| (articles[*id].meta.weight, code_ranks[*id]));
    });
    let keys: Vec<(i64, String)> = categories
        .iter()
        .map(|c| (c.weight, c.name.clone()))
        .collect();
    for category in categories.iter_mut() {
        category.children.sort_by(|a, b| {
            keys[*a]
                .0
                .cmp(&keys[*b].0)
                .then_with(|| natural_cmp(&keys[*a].1, &keys[*b].1))
        });
    }
    // Children always come after their parent, so one backwards pass sums the whole tree.
    for id in (0..categories.len()).rev() {
        let own = categories[id].articles.len();
        let below: usize = categories[id]
            .children
            .iter()
            .map(|c| categories[*c].total_articles)
            .sum();
        categories[id].total_articles = own + below;
    }
}

/// Every tag, by slug, and each article's tags (by article id).
fn collect_tags(articles: &[Article]) -> (BTreeMap<Segment, Tag>, Vec<Vec<TagRef>>) {
    // Each article's tags on all cores (a slug and two copies per tag: most of the work), then
    // the tags' lists in article order, on one.
    let refs: Vec<Vec<TagRef>> = (articles.par_iter())
        .map_init(foldhash::HashMap::default, |slugs, article| {
            tags_of(article, slugs)
        })
        .collect();
    let mut tags: BTreeMap<Segment, Tag> = BTreeMap::new();
    let tags_root = UrlPath::folder(vec![Segment::new("tags").expect("a constant segment")]);
    for (id, article_tags) in refs.iter().enumerate() {
        for tag_ref in article_tags {
            // A tag is named as it is written where it is first met.
            match tags.get_mut(&tag_ref.slug) {
                Some(tag) => tag.articles.push(id),
                None => {
                    let tag = Tag {
                        name: tag_ref.name.clone(),
                        url: tags_root.child(tag_ref.slug.clone()),
                        articles: vec![id],
                    };
                    tags.insert(tag_ref.slug.clone(), tag);
                }
            }
        }
    }
    (tags, refs)
}

/// An article's tags as written, without those that give no slug and without repeats (of a
/// slug: the first name stays). `slugs` keeps the slug of each name met: a site has far fewer
/// tags than articles.
fn tags_of<'a>(
    article: &'a Article,
    slugs: &mut foldhash::HashMap<&'a str, Option<Segment>>,
) -> Vec<TagRef> {
    let mut tags: Vec<TagRef> = Vec::with_capacity(article.meta.tags.len());
    for name in &article.meta.tags {
        let slug = slugs
            .entry(name.as_str())
            .or_insert_with(|| Segment::slugify(name));
        let Some(slug) = slug else {
            continue;
        };
        if !tags.iter().any(|tag| tag.slug == *slug) {
            tags.push(TagRef {
                name: name.clone(),
                slug: slug.clone(),
            });
        }
    }
    tags
}

/// A site of `tests/fixtures`, loaded and linked as a build does (drafts left out).
#[cfg(test)]
pub(crate) fn fixture(name: &str) -> Site {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let config = crate::config::load(&root).unwrap_or_else(|e| panic!("{name}: {e}"));
    let loaded = crate::content::load(&root, crate::content::LoadOptions::default());
    link(config, loaded).0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontmatter::CategoryMeta;

    fn names(folder: &[&str]) -> Vec<String> {
        folder.iter().map(|name| name.to_string()).collect()
    }

    fn category(folder: &[&str]) -> LoadedCategory {
        LoadedCategory {
            folder: names(folder),
            meta: CategoryMeta::default(),
            source: None,
        }
    }

    fn article(folder: &[&str], file: &str, code: &str, related: &str) -> Box<LoadedArticle> {
        article_with(folder, file, code, &format!("related: [{related}]"))
    }

    /// An article with the front-matter line `line` besides its code and title.
    fn article_with(folder: &[&str], file: &str, code: &str, line: &str) -> Box<LoadedArticle> {
        let path = SourcePath::new(format!("content/{}/{file}.md", folder.join("/")));
        let text = format!("---\ncode: \"{code}\"\ntitle: T{code}\n{line}\n---\nB\n");
        let mut article = crate::content::parse_article_bytes(&path, text.into_bytes())
            .unwrap_or_else(|problems| panic!("{file}: {problems:?}"));
        article.folder = names(folder);
        Box::new(article)
    }

    /// Articles below a refused folder and the second article of a code are left out; the
    /// others keep their order, and every id (related entries, backlinks, the code index,
    /// categories' lists) is a place in the site's list.
    #[test]
    fn articles_left_out_keep_the_others_in_order_and_their_ids_right() {
        let content = LoadedContent {
            articles: vec![
                article_with(&["http"], "a", "401", "related: [402]\ntags: [x]"),
                article(&["%%%"], "b", "500", ""),
                article(&["http"], "c", "402", "403"),
                article_with(&["http"], "d", "401", "tags: [x, dup]"),
                article(&["%%%"], "e", "501", ""),
                article_with(&["http"], "f", "403", "related: [401, 402]\ntags: [x]"),
            ],
            categories: vec![category(&[]), category(&["http"]), category(&["%%%"])],
            diagnostics: Vec::new(),
        };
        let (site, problems) = link(SiteConfig::default(), content);
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "the folder name `%%%` cannot be turned into a URL",
                "code `401` is used twice in http"
            ]
        );
        let files: Vec<String> = (site.articles.iter())
            .map(|a| a.source.path.to_string())
            .collect();
        assert_eq!(
            files,
            [
                "content/http/a.md",
                "content/http/c.md",
                "content/http/f.md"
            ]
        );
        let related: Vec<&[ArticleId]> = site.articles.iter().map(|a| &a.related[..]).collect();
        assert_eq!(related, [&[1][..], &[2], &[0, 1]]);
        let backlinks: Vec<&[ArticleId]> = (site.articles.iter())
            .map(|a| &a.referenced_by[..])
            .collect();
        assert_eq!(backlinks, [&[2][..], &[0, 2], &[1]]);
        for (code, id) in [("401", 0), ("402", 1), ("403", 2)] {
            assert_eq!(
                site.codes.resolve("http", code),
                related::Resolution::Found(id)
            );
        }
        assert_eq!(site.categories[1].articles, [0, 1, 2]);
        assert_eq!(site.categories[1].total_articles, 3);
        assert_eq!(site.code_ranks, [0, 1, 2]);
        let tags: Vec<(&str, &[ArticleId])> = (site.tags.iter())
            .map(|(slug, tag)| (slug.as_str(), &tag.articles[..]))
            .collect();
        assert_eq!(tags, [("x", &[0, 2][..])]);
        let tagged: Vec<usize> = site.articles.iter().map(|a| a.tags.len()).collect();
        assert_eq!(tagged, [1, 0, 1]);
    }

    /// Tags named as first written, site-wide and on each article; a name that gives no slug
    /// is dropped, and a slug repeated on one article counts once.
    #[test]
    fn tags_are_collected_in_article_order_named_as_first_written() {
        let content = LoadedContent {
            articles: vec![
                article_with(
                    &["http"],
                    "a",
                    "401",
                    "tags: [Disk Full, kernel, '!!!', disk-full]",
                ),
                article_with(&["http"], "b", "402", "tags: [kernel]"),
                article_with(&["http"], "c", "403", "tags: [disk full, Net]"),
            ],
            categories: vec![category(&[]), category(&["http"])],
            diagnostics: Vec::new(),
        };
        let (site, problems) = link(SiteConfig::default(), content);
        assert!(problems.is_empty(), "{problems:?}");
        let tags: Vec<(&str, &str, String, &[ArticleId])> = (site.tags.iter())
            .map(|(slug, tag)| {
                (
                    slug.as_str(),
                    &tag.name[..],
                    tag.url.to_string(),
                    &tag.articles[..],
                )
            })
            .collect();
        assert_eq!(
            tags,
            [
                (
                    "disk-full",
                    "Disk Full",
                    "/tags/disk-full/".to_string(),
                    &[0, 2][..]
                ),
                ("kernel", "kernel", "/tags/kernel/".to_string(), &[0, 1]),
                ("net", "Net", "/tags/net/".to_string(), &[2]),
            ]
        );
        let refs: Vec<Vec<(&str, &str)>> = (site.articles.iter())
            .map(|a| {
                (a.tags.iter())
                    .map(|t| (&t.name[..], t.slug.as_str()))
                    .collect()
            })
            .collect();
        assert_eq!(
            refs,
            [
                vec![("Disk Full", "disk-full"), ("kernel", "kernel")],
                vec![("kernel", "kernel")],
                vec![("disk full", "disk-full"), ("Net", "net")],
            ]
        );
    }
}
