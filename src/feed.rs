//! The Atom feed `feed.xml` ([RFC 4287](https://www.rfc-editor.org/rfc/rfc4287)): the most
//! recently updated articles, newest first, for feed readers and for anyone watching a help site
//! for changes. Only articles with an `updated` date are in it; the feed is as new as the newest.
//!
//! Atom wants every id to be an absolute IRI. With an origin in `base_url` the ids are the
//! articles' addresses; without one they are `urn:uuid:`s made from the site title and the
//! article's path, so they stay the same from build to build.

use std::cmp::Ordering;

use crate::code::natural_cmp;
use crate::output::Output;
use crate::publish::{absolute_uri, escape_xml, text_file};
use crate::site::{Article, ArticleId, Site};

pub const FEED_FILE: &str = "feed.xml";
/// How many articles the feed carries.
pub const FEED_ENTRIES: usize = 20;

/// `feed.xml`.
pub fn atom(site: &Site) -> Output {
    atom_of(site, &most_recent(site, FEED_ENTRIES))
}

/// Every article with an `updated` date, newest first: the feed's order.
pub fn recent(site: &Site) -> Vec<ArticleId> {
    let mut recent: Vec<ArticleId> = (0..site.articles.len())
        .filter(|id| site.articles[*id].meta.updated.is_some())
        .collect();
    recent.sort_by(|a, b| newer(&site.articles[*a], &site.articles[*b]));
    recent
}

/// The first `count` articles of [`recent`], found without putting the others in order: a
/// selection, then a sort of those it selected.
pub fn most_recent(site: &Site, count: usize) -> Vec<ArticleId> {
    let mut recent: Vec<ArticleId> = (0..site.articles.len())
        .filter(|id| site.articles[*id].meta.updated.is_some())
        .collect();
    // `recent` sorts stably, so that articles its order ties keep their id order: an unstable
    // selection and sort need the ids as the last tie-break to give the same.
    let order =
        |a: &ArticleId, b: &ArticleId| newer(&site.articles[*a], &site.articles[*b]).then(a.cmp(b));
    if count == 0 {
        return Vec::new();
    }
    if recent.len() > count {
        recent.select_nth_unstable_by(count - 1, order);
        recent.truncate(count);
    }
    recent.sort_unstable_by(order);
    recent
}

/// [`recent`] of a site whose `changed` articles may have another date (or none) than when
/// `recent` was made, the site being otherwise the same: those are put in place again.
pub fn recent_again(
    site: &Site,
    mut recent: Vec<ArticleId>,
    changed: &[ArticleId],
) -> Vec<ArticleId> {
    recent.retain(|id| !changed.contains(id));
    for id in changed {
        let Some(article) = site.articles.get(*id).filter(|a| a.meta.updated.is_some()) else {
            continue;
        };
        let place = recent
            .partition_point(|other| newer(&site.articles[*other], article) == Ordering::Less);
        recent.insert(place, *id);
    }
    recent
}

/// The feed's order: newest first, then by code and catalog.
fn newer(a: &Article, b: &Article) -> Ordering {
    b.meta
        .updated
        .cmp(&a.meta.updated)
        .then_with(|| natural_cmp(a.meta.code.as_str(), b.meta.code.as_str()))
        .then_with(|| a.catalog.cmp(&b.catalog))
}

/// `feed.xml` with the first articles of `recent` (see [`recent`]).
pub fn atom_of(site: &Site, recent: &[ArticleId]) -> Output {
    let base = &site.config.base_url;
    let recent: Vec<&Article> = recent
        .iter()
        .take(FEED_ENTRIES)
        .filter_map(|id| site.articles.get(*id))
        .collect();
    // Without any date the feed is empty; the epoch says "never updated" without inventing a
    // build time, which would make every build differ.
    let updated = recent
        .first()
        .and_then(|a| a.meta.updated.as_ref())
        .map_or_else(
            || "1970-01-01T00:00:00Z".to_string(),
            |d| timestamp(d.as_str()),
        );
    let title = escape_xml(&site.config.title);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        escape_xml(&site.config.language)
    ));
    xml.push_str(&format!("<title>{title}</title>\n"));
    xml.push_str(&format!(
        "<subtitle>{}</subtitle>\n",
        escape_xml(&site.config.description)
    ));
    xml.push_str(&format!("<id>{}</id>\n", escape_xml(&id(site, "/"))));
    xml.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape_xml(&absolute_uri(base, FEED_FILE))
    ));
    xml.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape_xml(&absolute_uri(base, "/"))
    ));
    xml.push_str(&format!("<updated>{updated}</updated>\n"));
    xml.push_str(&format!("<author><name>{title}</name></author>\n"));
    xml.push_str(&format!(
        "<generator version=\"{}\">kb</generator>\n",
        env!("CARGO_PKG_VERSION")
    ));
    for article in recent {
        entry(site, article, &mut xml);
    }
    xml.push_str("</feed>\n");
    text_file(FEED_FILE, xml, "the Atom feed")
}

fn entry(site: &Site, article: &Article, xml: &mut String) {
    let path = article.url.to_string();
    let meta = &article.meta;
    xml.push_str("<entry>\n");
    xml.push_str(&format!(
        "  <title>{}</title>\n",
        escape_xml(&format!("{} {}", meta.code, meta.title))
    ));
    xml.push_str(&format!("  <id>{}</id>\n", escape_xml(&id(site, &path))));
    xml.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape_xml(&absolute_uri(&site.config.base_url, &path))
    ));
    if let Some(updated) = &meta.updated {
        xml.push_str(&format!(
            "  <updated>{}</updated>\n",
            timestamp(updated.as_str())
        ));
    }
    if let Some(summary) = &meta.summary {
        xml.push_str(&format!("  <summary>{}</summary>\n", escape_xml(summary)));
    }
    for tag in &article.tags {
        xml.push_str(&format!(
            "  <category term=\"{}\"/>\n",
            escape_xml(&tag.name)
        ));
    }
    xml.push_str("</entry>\n");
}

/// An Atom date-time for a `YYYY-MM-DD` date: midnight UTC.
fn timestamp(date: &str) -> String {
    format!("{date}T00:00:00Z")
}

/// The Atom id of a site path.
fn id(site: &Site, path: &str) -> String {
    let base = &site.config.base_url;
    if base.origin.is_some() {
        return absolute_uri(base, path);
    }
    stable_uuid(&format!("{}\n{}", site.config.title, base.link(path)))
}

/// A UUID (version 8, "custom") from a hash of `key`: the same key always gives the same id.
fn stable_uuid(key: &str) -> String {
    let high = fnv1a(key.as_bytes(), 0xcbf2_9ce4_8422_2325);
    let low = fnv1a(key.as_bytes(), high ^ 0x9e37_79b9_7f4a_7c15);
    let mut bits = (u128::from(high) << 64) | u128::from(low);
    bits = (bits & !(0xf << 76)) | (0x8 << 76); // version 8
    bits = (bits & !(0x3 << 62)) | (0x2 << 62); // RFC 9562 variant
    let hex = format!("{bits:032x}");
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// 64-bit FNV-1a.
fn fnv1a(bytes: &[u8], seed: u64) -> u64 {
    bytes.iter().fold(seed, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontmatter::Date;

    #[test]
    fn the_feed_order_put_right_for_changed_dates_is_the_order_made_anew() {
        let mut site = crate::site::fixture("publishing");
        let count = site.articles.len();
        assert!(count >= 4, "{count} articles");
        let mut order = recent(&site);
        assert!(!order.is_empty());
        // A date set, moved to the newest, removed, and two at once, in turn.
        let changes: [&[(usize, Option<&str>)]; 4] = [
            &[(0, Some("2020-01-01"))],
            &[(count - 1, Some("2099-12-31"))],
            &[(0, None)],
            &[(1, Some("2024-06-01")), (2, Some("2024-06-01"))],
        ];
        for change in changes {
            for (id, date) in change {
                site.articles[*id].meta.updated = date.and_then(Date::parse);
            }
            let ids: Vec<ArticleId> = change.iter().map(|(id, _)| *id).collect();
            order = recent_again(&site, order, &ids);
            assert_eq!(order, recent(&site), "{change:?}");
        }
    }

    /// The feed's first articles selected are the first of the whole order, ties on dates
    /// included, for every count.
    #[test]
    fn the_most_recent_are_the_first_of_the_feed_order() {
        let mut site = crate::site::fixture("search");
        let count = site.articles.len();
        assert!(count >= 10, "{count} articles");
        let dates = [
            None,
            Some("2020-01-01"),
            Some("2024-06-01"),
            Some("2024-06-02"),
        ];
        let mut next = crate::test_random::numbers(0xfeed_5e1e_c7ed);
        let mut ties = 0;
        for _ in 0..300 {
            for article in &mut site.articles {
                article.meta.updated = dates[next(dates.len())].and_then(Date::parse);
            }
            let order = recent(&site);
            ties += order
                .windows(2)
                .filter(|w| site.articles[w[0]].meta.updated == site.articles[w[1]].meta.updated)
                .count();
            for first in 0..=count + 1 {
                let expected = &order[..first.min(order.len())];
                assert_eq!(most_recent(&site, first), expected, "{first}");
            }
        }
        assert!(ties > 1_000, "{ties} ties");
    }

    #[test]
    fn ids_without_an_origin_are_stable_version_8_uuids() {
        let id = stable_uuid("Help\n/http/4xx/401/");
        assert_eq!(id, stable_uuid("Help\n/http/4xx/401/"));
        assert_ne!(id, stable_uuid("Help\n/http/4xx/403/"));
        let uuid = id.trim_start_matches("urn:uuid:");
        let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert!(uuid[14..15] == *"8", "version 8: {uuid}");
        assert!("89ab".contains(&uuid[19..20]), "RFC 9562 variant: {uuid}");
    }
}
