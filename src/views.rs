//! Typed template contexts. Each page template gets one of these structs, serialized; the
//! fields are the documented template API (see the README's "Templates" section).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Serialize;

use crate::breadcrumbs::{self, Crumb};
use crate::diagnostic::Diagnostic;
use crate::markdown::Heading;
use crate::paths::Segment;
use crate::site::{Article, ArticleId, Category, CategoryId, Site, Tag};
use crate::templates::Templates;

/// Site-wide values, available to every template as `site`.
#[derive(Debug, Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    /// `language` as Open Graph writes a locale: `pt_BR` for `pt-BR`. Made once per build, where
    /// a template's `replace` filter would run on every page.
    pub og_locale: String,
    /// The path the site lives under, `/` or `/help/`.
    pub base_path: &'a str,
    pub home_url: String,
    pub codes_url: String,
    pub tags_url: String,
    /// The Atom feed of recently updated articles.
    pub feed_url: String,
    pub css_url: String,
    pub js_url: String,
    /// The search page; the search index lives beside it.
    pub search_url: String,
    pub search_js_url: String,
    /// Interface strings (defaults merged with `ui:` from kb.yaml).
    pub ui: BTreeMap<String, String>,
    pub feedback_endpoint: Option<&'a str>,
    /// The top-level categories, for navigation.
    pub catalogs: Vec<CategoryLink>,
    pub generator: String,
    pub extra: &'a serde_json::Value,
}

/// What every page has: its `<title>`, description and addresses.
#[derive(Debug, Serialize)]
pub struct PageMeta {
    pub title: String,
    pub description: String,
    /// The page's own link (with the base path).
    pub url: String,
    /// Absolute when the site has an origin in `base_url`.
    pub canonical: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArticleLink {
    pub code: String,
    pub title: String,
    pub summary: Option<String>,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryLink {
    pub title: String,
    pub description: Option<String>,
    pub url: String,
    pub total_articles: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagLink {
    pub name: String,
    pub url: String,
    pub count: usize,
}

#[derive(Debug, Serialize)]
pub struct ArticleView<'a> {
    pub code: &'a str,
    pub title: &'a str,
    pub summary: Option<&'a str>,
    pub messages: &'a [String],
    pub applies_to: &'a [String],
    /// [`TagLink`]s.
    pub tags: Vec<LinkValue>,
    pub updated: Option<&'a str>,
    pub catalog: &'a str,
    pub extra: &'a serde_json::Value,
    pub body: &'a str,
    pub headings: &'a [Heading],
}

#[derive(Debug, Serialize)]
pub struct ArticlePage<'a> {
    pub page: PageMeta,
    pub article: ArticleView<'a>,
    pub category: LinkValue,
    /// [`Crumb`]s.
    pub breadcrumbs: Vec<LinkValue>,
    pub related: Vec<LinkValue>,
    pub referenced_by: Vec<LinkValue>,
    /// The part of `referenced_by` that `related` does not already list: what the default theme
    /// shows under "Referenced by", so a two-way link is not shown twice.
    pub also_referenced_by: Vec<LinkValue>,
    /// A few neighbours in the same category ("more in this category").
    pub siblings: Vec<LinkValue>,
    pub json_ld: String,
}

impl ArticlePage<'_> {
    /// The page's template context, the same as [`context_of`] makes, the link lists moved in as
    /// they are: they are template values already, which serializing would clone one by one.
    pub fn into_context(self) -> tera::Context {
        let mut context = tera::Context::new();
        context.insert("page", &self.page);
        context.insert("article", &self.article);
        context.insert_value("category", self.category);
        context.insert_value("breadcrumbs", self.breadcrumbs.into());
        context.insert_value("related", self.related.into());
        context.insert_value("referenced_by", self.referenced_by.into());
        context.insert_value("also_referenced_by", self.also_referenced_by.into());
        context.insert_value("siblings", self.siblings.into());
        context.insert_value("json_ld", self.json_ld.into());
        context
    }
}

#[derive(Debug, Serialize)]
pub struct CategoryPage<'a> {
    pub page: PageMeta,
    pub category: LinkValue,
    pub intro: &'a str,
    pub extra: &'a serde_json::Value,
    pub breadcrumbs: Vec<Crumb>,
    pub subcategories: Vec<LinkValue>,
    pub articles: Vec<LinkValue>,
    pub json_ld: String,
}

#[derive(Debug, Serialize)]
pub struct CatalogSection {
    pub category: LinkValue,
    pub subcategories: Vec<LinkValue>,
}

#[derive(Debug, Serialize)]
pub struct HomePage<'a> {
    pub page: PageMeta,
    pub intro: &'a str,
    pub catalogs: Vec<CatalogSection>,
    /// Articles kept directly in `content/`, outside any category.
    pub articles: Vec<LinkValue>,
    pub total_articles: usize,
}

#[derive(Debug, Serialize)]
pub struct CodeGroup {
    pub category: Option<LinkValue>,
    pub articles: Vec<LinkValue>,
}

#[derive(Debug, Serialize)]
pub struct CodesPage {
    pub page: PageMeta,
    pub groups: Vec<CodeGroup>,
    pub total_articles: usize,
}

#[derive(Debug, Serialize)]
pub struct TagsPage {
    pub page: PageMeta,
    pub tags: Vec<TagLink>,
}

#[derive(Debug, Serialize)]
pub struct TagPage {
    pub page: PageMeta,
    pub tag: TagLink,
    pub articles: Vec<LinkValue>,
}

#[derive(Debug, Serialize)]
pub struct NotFoundPage {
    pub page: PageMeta,
}

#[derive(Debug, Serialize)]
pub struct RedirectPage {
    pub page: PageMeta,
    /// Where the old address now lives (absolute when the site has an origin).
    pub target: String,
}

/// A page's template context: each field of `view` a variable. The same as
/// [`tera::Context::from_serialize`] makes, without copying every field's name into a string of
/// its own (a struct's field names are static; a build makes a context for every page).
pub fn context_of(view: &impl Serialize) -> Result<tera::Context, String> {
    let value = tera::Value::try_from_serializable(view).map_err(|e| e.to_string())?;
    let kind = value.name();
    let fields = value
        .into_map()
        .ok_or_else(|| format!("a page's values are a struct, not {kind}"))?;
    let mut context = tera::Context::new();
    for (key, value) in fields {
        let name = match key {
            tera::value::Key::Str(name) => Cow::Borrowed(name),
            other => Cow::Owned(other.to_string()),
        };
        context.insert_value(name, value);
    }
    Ok(context)
}

/// An [`ArticleLink`] or [`CategoryLink`] already in the templates' form, shared by every page
/// that shows it.
pub type LinkValue = tera::Value;

/// The template that renders one article of a list, once per article and build: its HTML is the
/// `html` field of the article's link.
pub const ARTICLE_ITEM: &str = "partials/article_item.html";

/// An article's link, or why its list item could not be rendered: every page that lists the
/// article fails with that problem, as with an error in the page's own template.
type ArticleValue = Result<LinkValue, Box<Diagnostic>>;

/// The links many pages show (an article among the related errors of its neighbours, a catalog in
/// every page's navigation), each turned into a template value once per build, on first use: a
/// page's context then takes them by reference count instead of serializing the same link again
/// for every page that lists it. An article's link carries its list item already rendered
/// ([`ARTICLE_ITEM`]), so that the item is rendered once, not once for every list it is in.
pub struct SharedLinks<'a> {
    site: &'a Site,
    templates: &'a Templates,
    articles: Vec<OnceLock<ArticleValue>>,
    categories: Vec<OnceLock<LinkValue>>,
    /// Each tag's link as its own page names it, by slug: the tags of an article page.
    tags: OnceLock<BTreeMap<Segment, LinkValue>>,
    /// By category, the part of the breadcrumb trail its articles share.
    trails: Vec<OnceLock<Trail>>,
}

/// What the article pages of a category show of the categories above them (the category
/// itself included), made once for them all.
pub struct Trail {
    /// The crumbs ([`breadcrumbs::above_articles_of`]), as template values.
    pub crumbs: Vec<LinkValue>,
    /// The JSON-LD `BreadcrumbList` up to the article's own item
    /// ([`breadcrumbs::json_ld_opening`]).
    pub json_ld_opening: String,
}

impl<'a> SharedLinks<'a> {
    /// The links of `site`, rendered with `templates`, whose site context must be set
    /// ([`crate::render::set_site_context`]).
    pub fn new(site: &'a Site, templates: &'a Templates) -> Self {
        SharedLinks {
            site,
            templates,
            articles: (0..site.articles.len()).map(|_| OnceLock::new()).collect(),
            categories: (0..site.categories.len())
                .map(|_| OnceLock::new())
                .collect(),
            tags: OnceLock::new(),
            trails: (0..site.categories.len())
                .map(|_| OnceLock::new())
                .collect(),
        }
    }

    /// The link to article `id`, with its list item (`html`); an error when the item's
    /// template fails.
    pub fn article(&self, id: ArticleId) -> Result<LinkValue, Diagnostic> {
        let value = self.articles[id].get_or_init(|| {
            let link = article_link(self.site, &self.site.articles[id]);
            article_value(self.templates, &link).map_err(Box::new)
        });
        value.clone().map_err(|problem| *problem)
    }

    pub fn articles(&self, ids: &[ArticleId]) -> Result<Vec<LinkValue>, Diagnostic> {
        ids.iter().map(|id| self.article(*id)).collect()
    }

    pub fn category(&self, id: CategoryId) -> LinkValue {
        self.categories[id]
            .get_or_init(|| {
                tera::Value::from_serializable(&category_link(self.site, &self.site.categories[id]))
            })
            .clone()
    }

    pub fn categories(&self, ids: &[CategoryId]) -> Vec<LinkValue> {
        ids.iter().map(|id| self.category(*id)).collect()
    }

    /// The link to the page of the tag `slug`, named `name` as an article writes it (in the
    /// case its own page names it, but for one article in a while).
    pub fn tag(&self, name: &str, slug: &Segment) -> LinkValue {
        let tags = self.tags.get_or_init(|| {
            (self.site.tags.iter())
                .map(|(slug, tag)| {
                    let link = tera::Value::from_serializable(&tag_link(self.site, tag));
                    (slug.clone(), link)
                })
                .collect()
        });
        let tag = &self.site.tags[slug];
        match tags.get(slug) {
            Some(link) if name == tag.name => link.clone(),
            _ => tera::Value::from_serializable(&TagLink {
                name: name.to_string(),
                ..tag_link(self.site, tag)
            }),
        }
    }

    /// The part of the breadcrumb trail the articles of `category` share.
    pub fn trail(&self, category: CategoryId) -> &Trail {
        self.trails[category].get_or_init(|| {
            let above = breadcrumbs::above_articles_of(self.site, category);
            Trail {
                crumbs: above.iter().map(tera::Value::from_serializable).collect(),
                json_ld_opening: breadcrumbs::json_ld_opening(self.site, &above),
            }
        })
    }

    /// Sorts `ids` by their articles' codes ([`natural_cmp`]), equal codes in the order given.
    pub fn sort_by_code(&self, ids: &mut [ArticleId]) {
        ids.sort_by_key(|id| self.site.code_ranks[*id]);
    }

    /// The links made by the last build of the same site, kept by `kb serve`, those of the
    /// `stale` articles (whose front matter changed) made again on first use.
    /// The templates and site context must be those of the last build: the list items are kept.
    pub fn reusing(
        site: &'a Site,
        templates: &'a Templates,
        kept: KeptLinks,
        stale: &[ArticleId],
    ) -> Self {
        let KeptLinks {
            mut articles,
            categories,
        } = kept;
        if articles.len() != site.articles.len() || categories.len() != site.categories.len() {
            return SharedLinks::new(site, templates);
        }
        for id in stale {
            if let Some(link) = articles.get_mut(*id) {
                *link = OnceLock::new();
            }
        }
        SharedLinks {
            site,
            templates,
            articles,
            categories,
            tags: OnceLock::new(),
            trails: (0..site.categories.len())
                .map(|_| OnceLock::new())
                .collect(),
        }
    }

    /// The links made so far, for the next build of the same site.
    pub fn keep(self) -> KeptLinks {
        KeptLinks {
            articles: self.articles,
            categories: self.categories,
        }
    }
}

/// The links of a build, kept for the next ([`SharedLinks::reusing`]).
pub struct KeptLinks {
    articles: Vec<OnceLock<ArticleValue>>,
    categories: Vec<OnceLock<LinkValue>>,
}

pub fn article_link(site: &Site, article: &Article) -> ArticleLink {
    ArticleLink {
        code: article.meta.code.to_string(),
        title: article.meta.title.clone(),
        summary: article.meta.summary.clone(),
        url: site.config.base_url.link(article.url.as_str()),
    }
}

/// An article's link as the templates see it: its fields, and `html`, the link rendered by
/// [`ARTICLE_ITEM`] (with the link as `item`), marked safe.
pub fn article_value(templates: &Templates, link: &ArticleLink) -> Result<LinkValue, Diagnostic> {
    let value = tera::Value::from_serializable(link);
    let mut context = tera::Context::new();
    context.insert_value("item", value.clone());
    let html = templates.render(ARTICLE_ITEM, &context)?;
    drop(context);
    let mut map = value.into_map().unwrap_or_default();
    map.insert("html".into(), tera::Value::safe_string(&html));
    Ok(tera::Value::from(map))
}

/// A tag as the tag pages show it.
pub fn tag_link(site: &Site, tag: &Tag) -> TagLink {
    TagLink {
        name: tag.name.clone(),
        url: site.config.base_url.link(tag.url.as_str()),
        count: tag.articles.len(),
    }
}

pub fn category_link(site: &Site, category: &Category) -> CategoryLink {
    CategoryLink {
        title: category.title.clone(),
        description: category.description.clone(),
        url: site.config.base_url.link(category.url.as_str()),
        total_articles: category.total_articles,
    }
}

/// The interface strings of the default theme, in English.
pub fn default_ui() -> BTreeMap<String, String> {
    [
        ("home", "Home"),
        ("skip_to_content", "Skip to content"),
        ("search", "Search"),
        ("search_placeholder", "Error code or message"),
        ("search_label", "Search the knowledge base"),
        ("search_title", "Search"),
        ("search_suggestions", "Suggestions"),
        ("search_count", "{n} results"),
        ("search_count_one", "1 result"),
        ("search_more", "More results"),
        ("search_no_results", "No article matches this search."),
        ("search_failed", "The search index could not be loaded."),
        (
            "search_needs_js",
            "Searching needs JavaScript. Every code is listed on the all-codes page.",
        ),
        ("error_message", "Error message"),
        ("error_messages", "What you may see"),
        ("applies_to", "Applies to"),
        ("related_errors", "Related errors"),
        ("referenced_by", "Referenced by"),
        ("more_in_category", "More in this category"),
        ("on_this_page", "On this page"),
        ("updated", "Updated"),
        ("tags", "Tags"),
        ("all_codes", "All codes"),
        ("articles", "articles"),
        ("article", "article"),
        ("categories", "Categories"),
        ("copy", "Copy"),
        ("copied", "Copied"),
        ("more_messages", "More messages"),
        ("feedback_failed", "Your answer could not be sent."),
        ("was_this_helpful", "Was this helpful?"),
        ("yes", "Yes"),
        ("no", "No"),
        ("thanks", "Thank you for your feedback."),
        ("not_found_title", "Page not found"),
        (
            "not_found_text",
            "There is no page at this address. It may have moved, or the link may be wrong.",
        ),
        ("redirecting", "This page has moved to"),
        ("tagged", "Tagged"),
        ("breadcrumb", "Breadcrumb"),
        ("main_navigation", "Main"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}
