//! Breadcrumbs: Home › HTTP status codes › Client errors › 401 Unauthorized, as links and as
//! schema.org `BreadcrumbList` data.

use serde::Serialize;

use crate::site::{ArticleId, CategoryId, Site};

/// One step of the trail. The last crumb is the current page.
#[derive(Debug, Clone, Serialize)]
pub struct Crumb {
    pub title: String,
    /// The link as written into pages (with the site's base path).
    pub url: String,
    pub is_current: bool,
}

/// The trail from the home page to a category, the category itself last.
pub fn for_category(site: &Site, category: CategoryId) -> Vec<Crumb> {
    let chain = site.ancestry(category);
    let last = chain.len() - 1;
    chain
        .into_iter()
        .enumerate()
        .map(|(i, id)| category_crumb(site, id, i == last))
        .collect()
}

/// The trail from the home page to an article, the article itself last.
pub fn for_article(site: &Site, article: ArticleId) -> Vec<Crumb> {
    let article = &site.articles[article];
    let mut trail: Vec<Crumb> = site
        .ancestry(article.category)
        .into_iter()
        .map(|id| category_crumb(site, id, false))
        .collect();
    trail.push(Crumb {
        title: format!("{} {}", article.meta.code, article.meta.title),
        url: site.config.base_url.link(&article.url.to_string()),
        is_current: true,
    });
    trail
}

fn category_crumb(site: &Site, id: CategoryId, is_current: bool) -> Crumb {
    let category = &site.categories[id];
    let title = if id == crate::site::HOME {
        ui_home(site)
    } else {
        category.title.clone()
    };
    Crumb {
        title,
        url: site.config.base_url.link(&category.url.to_string()),
        is_current,
    }
}

fn ui_home(site: &Site) -> String {
    site.config
        .ui
        .get("home")
        .cloned()
        .unwrap_or_else(|| "Home".into())
}

/// The schema.org `BreadcrumbList` for a trail, with absolute URLs where the site has an origin.
pub fn json_ld<'a>(site: &Site, trail: &'a [Crumb]) -> BreadcrumbList<'a> {
    let items = trail
        .iter()
        .enumerate()
        .map(|(i, crumb)| ListItem {
            kind: "ListItem",
            item: match &site.config.base_url.origin {
                Some(origin) => format!("{origin}{}", crumb.url),
                None => crumb.url.clone(),
            },
            name: &crumb.title,
            position: i + 1,
        })
        .collect();
    BreadcrumbList {
        context: "https://schema.org",
        kind: "BreadcrumbList",
        items,
    }
}

/// A schema.org `BreadcrumbList`, its keys in the order JSON-LD has always been written in
/// (sorted).
#[derive(Debug, serde::Serialize)]
pub struct BreadcrumbList<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "itemListElement")]
    items: Vec<ListItem<'a>>,
}

#[derive(Debug, serde::Serialize)]
struct ListItem<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    item: String,
    name: &'a str,
    position: usize,
}
