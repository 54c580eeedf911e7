//! The Atom feed `feed.xml` ([RFC 4287](https://www.rfc-editor.org/rfc/rfc4287)): the most
//! recently updated articles, newest first, for feed readers and for anyone watching a help site
//! for changes. Only articles with an `updated` date are in it; the feed is as new as the newest.
//!
//! Atom wants every id to be an absolute IRI. With an origin in `base_url` the ids are the
//! articles' addresses; without one they are `urn:uuid:`s made from the site title and the
//! article's path, so they stay the same from build to build.

use crate::code::natural_cmp;
use crate::output::Output;
use crate::publish::{absolute_uri, escape_xml, text_file};
use crate::site::{Article, Site};

pub const FEED_FILE: &str = "feed.xml";
/// How many articles the feed carries.
pub const FEED_ENTRIES: usize = 20;

/// `feed.xml`.
pub fn atom(site: &Site) -> Output {
    let base = &site.config.base_url;
    let mut recent: Vec<&Article> = site
        .articles
        .iter()
        .filter(|a| a.meta.updated.is_some())
        .collect();
    recent.sort_by(|a, b| {
        b.meta
            .updated
            .cmp(&a.meta.updated)
            .then_with(|| natural_cmp(a.meta.code.as_str(), b.meta.code.as_str()))
            .then_with(|| a.catalog.cmp(&b.catalog))
    });
    recent.truncate(FEED_ENTRIES);
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
