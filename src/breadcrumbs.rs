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
    let mut trail = above_articles_of(site, site.articles[article].category);
    trail.push(article_crumb(site, article));
    trail
}

/// The trail of the articles of `category` but their own crumb: from the home page to the
/// category, none of it current.
pub fn above_articles_of(site: &Site, category: CategoryId) -> Vec<Crumb> {
    site.ancestry(category)
        .into_iter()
        .map(|id| category_crumb(site, id, false))
        .collect()
}

/// An article's own crumb, the last and current one of its trail.
pub fn article_crumb(site: &Site, article: ArticleId) -> Crumb {
    let article = &site.articles[article];
    Crumb {
        title: format!("{} {}", article.meta.code, article.meta.title),
        url: site.config.base_url.link(article.url.as_str()),
        is_current: true,
    }
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
        url: site.config.base_url.link(category.url.as_str()),
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
    BreadcrumbList {
        context: "https://schema.org",
        kind: "BreadcrumbList",
        items: list_items(site, trail, 1),
    }
}

/// The `ListItem`s of the crumbs of a trail from the one at `position` (1 for the first).
fn list_items<'a>(site: &Site, crumbs: &'a [Crumb], position: usize) -> Vec<ListItem<'a>> {
    (crumbs.iter().enumerate())
        .map(|(i, crumb)| ListItem {
            kind: "ListItem",
            item: site.config.base_url.absolute_of_link(crumb.url.clone()),
            name: &crumb.title,
            position: position + i,
        })
        .collect()
}

/// The text of [`json_ld`] for a trail that starts with `above` ([`above_articles_of`]), up to
/// where the next item goes, escaped for a script element like [`crate::render::script_json`]:
/// the same for every article of a category, so made once for them all.
pub fn json_ld_opening(site: &Site, above: &[Crumb]) -> String {
    let list = crate::render::script_json(&json_ld(site, above));
    // `{"@context":…,"itemListElement":[…]}` without its last `]}`.
    let mut opening = list[..list.len() - 2].to_string();
    if !above.is_empty() {
        opening.push(',');
    }
    opening
}

/// The text of [`json_ld`] for a trail of `count_above` crumbs whose [`json_ld_opening`] is
/// `opening`, then `last`, pushed onto `json`. The item is written by hand, as `serde_json`
/// writes a `ListItem`: every article page has one.
pub fn push_json_ld_after(
    json: &mut String,
    site: &Site,
    opening: &str,
    count_above: usize,
    last: &Crumb,
) {
    use crate::json::push_script_text;
    json.push_str(opening);
    json.push_str(r#"{"@type":"ListItem","item":""#);
    if let Some(origin) = &site.config.base_url.origin {
        push_script_text(json, origin);
    }
    push_script_text(json, &last.url);
    json.push_str(r#"","name":"#);
    crate::json::push_script_string(json, &last.title);
    json.push_str(r#","position":"#);
    json.push_str(itoa::Buffer::new().format(count_above + 1));
    json.push_str("}]}");
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
