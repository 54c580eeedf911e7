//! What a publisher expects beside the pages: short addresses (`/401/`) and the host's redirect
//! rules ([`redirects`]), `sitemap.xml` and `robots.txt` ([`sitemap`]), the Atom feed `feed.xml`
//! ([`feed`]), and the machine-readable `catalog.json` with its JSON Schema ([`catalog`]).
//!
//! These are made last, once every page, alias and static file is known, for two reasons: a
//! short address must never take the place of a real page (it is skipped instead), and a site's
//! own static file of the same name (its own `robots.txt`, say) replaces the generated one, the
//! way a site's `kb.css` replaces the default stylesheet.

use crate::config::BaseUrl;
use crate::output::{Content, Origin, Output};
use crate::paths::{Segment, UrlPath, folders_above};
use crate::redirects::ShortUrl;
use crate::site::Site;
use crate::{catalog, feed, redirects, sitemap};

/// The publishing files of a site with these short addresses, in output order, before those a
/// site's own file takes the place of are left out (see [`Taken::is_free`]).
pub fn files(site: &Site, short: &[ShortUrl]) -> Vec<Output> {
    files_with(site, short, || catalog::json(site, short))
}

/// [`files`] with `catalog.json` made by `catalog` (`kb serve` keeps where its entries are).
pub fn files_with(
    site: &Site,
    short: &[ShortUrl],
    catalog: impl FnOnce() -> Output + Send,
) -> Vec<Output> {
    let ((sitemaps, feed), (catalog, rules)) = rayon::join(
        || rayon::join(|| sitemap::sitemaps(site), || feed::atom(site)),
        || rayon::join(catalog, || redirects::rules(site, short)),
    );
    let mut files = sitemaps;
    files.push(sitemap::robots(site));
    files.push(feed);
    files.push(catalog);
    files.push(catalog::schema());
    files.extend(rules);
    files
}

/// Whether an output can take an address [`render`] would otherwise use: short addresses are
/// top-level folders (`/401/`) and the publishing files top-level files, so only outputs at
/// most one level deep, or at `<name>/index.html`, matter.
pub fn may_take_publishing_address(url: &UrlPath) -> bool {
    match url.segments() {
        [] | [_] => true,
        [_, last] => !url.is_folder() && last.as_str() == "index.html",
        _ => false,
    }
}

/// A generated text file at a fixed address.
pub(crate) fn text_file(name: &str, text: String, what: &'static str) -> Output {
    let segment =
        Segment::new(name).unwrap_or_else(|e| unreachable!("`{name}` is a file name: {e}"));
    Output {
        url: UrlPath::file(vec![segment]),
        content: Content::Text(text),
        origin: Origin::Builtin(what),
    }
}

/// The output files already spoken for, to find addresses that are still free. Files are kept
/// as text ([`UrlPath::output_file_text`]), which is hashed at once where a `Path` is hashed a
/// component at a time: no segment is empty, `.` or `..` or holds a `/`, so two files are the
/// same exactly when their texts are.
pub struct Taken {
    files: foldhash::HashSet<String>,
}

impl Taken {
    pub fn of_urls<'a>(urls: impl Iterator<Item = &'a UrlPath>) -> Taken {
        Taken {
            files: urls.map(UrlPath::output_file_text).collect(),
        }
    }

    /// Whether `url` can be written without replacing a file, or needing a folder where a file
    /// already is.
    pub fn is_free(&self, url: &UrlPath) -> bool {
        let file = url.output_file_text();
        !self.files.contains(&file) && !folders_above(&file).any(|f| self.files.contains(f))
    }

    pub fn insert(&mut self, url: &UrlPath) {
        self.files.insert(url.output_file_text());
    }
}

/// The absolute address of a site path (root-relative without an origin), as a URI: sitemaps,
/// feeds, `_redirects` and applications want non-ASCII characters percent-encoded.
pub(crate) fn absolute_uri(base: &BaseUrl, path: &str) -> String {
    percent_encode(base.absolute(path))
}

/// The link to a site path as a URI (see [`absolute_uri`]).
pub(crate) fn link_uri(base: &BaseUrl, path: &str) -> String {
    percent_encode(base.link(path))
}

/// Appends [`escape_xml`] of [`percent_encode`] of `text` (both work byte by byte or character
/// by character, so that the URI of a path is that of its parts one after the other): `text`
/// itself where it is printable ASCII without a character XML escapes, as nearly all paths are.
pub(crate) fn push_uri_xml(xml: &mut String, text: &str) {
    let plain = |byte: &u8| byte.is_ascii_graphic() && !b"&<>\"'".contains(byte);
    if text.as_bytes().iter().all(plain) {
        xml.push_str(text);
    } else {
        xml.push_str(&escape_xml(&percent_encode(text.to_string())));
    }
}

/// Percent-encodes every byte that is not printable ASCII (folder names and aliases may be
/// `über`); everything else, `%` included, is left as it is. Most addresses are printable
/// ASCII already and are returned as they are.
fn percent_encode(text: String) -> String {
    if text.bytes().all(|byte| byte.is_ascii_graphic()) {
        return text;
    }
    let mut encoded = String::with_capacity(text.len() + 16);
    for byte in text.bytes() {
        if byte.is_ascii_graphic() {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Text for XML content and attribute values: the five special characters escaped, and the
/// control characters XML 1.0 forbids dropped (front matter may carry them in quoted strings).
pub(crate) fn escape_xml(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' | '\n' | '\r' => escaped.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(path: &str) -> UrlPath {
        UrlPath::parse(path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// A URI appended in place is the escaped, percent-encoded text, and that of a path is that
    /// of its parts one after the other.
    #[test]
    fn uris_appended_in_place_are_the_escaped_encoded_text() {
        let pieces = [
            "a", "/", "-", "&", "<", ">", "\"", "'", " ", "%", "ü", "\u{7}", "\t", "€",
        ];
        let mut next = crate::test_random::numbers(0x5173_3a9e);
        let mut made_up = || crate::test_random::joined(&mut next, &pieces, 6);
        for _ in 0..5_000 {
            let (first, second) = (made_up(), made_up());
            let mut xml = String::from("<loc>");
            push_uri_xml(&mut xml, &first);
            push_uri_xml(&mut xml, &second);
            let whole = escape_xml(&percent_encode(format!("{first}{second}")));
            assert_eq!(xml, format!("<loc>{whole}"), "{first:?} {second:?}");
        }
    }

    #[test]
    fn an_address_is_free_unless_a_file_or_a_file_above_it_is_taken() {
        let taken = Taken::of_urls([url("/http/"), url("/kb.css"), url("/old/401.html")].iter());
        let free = |path: &str| taken.is_free(&url(path));
        assert!(!free("/http/"), "the same page");
        assert!(!free("/kb.css/"), "below a file");
        assert!(free("/401/"));
        assert!(free("/old/"), "a folder that only holds other files");
    }

    #[test]
    fn addresses_are_percent_encoded_outside_printable_ascii() {
        let base = BaseUrl::parse("https://example.com/hilfe/").unwrap_or_default();
        assert_eq!(
            absolute_uri(&base, "/über/401/"),
            "https://example.com/hilfe/%C3%BCber/401/"
        );
        assert_eq!(link_uri(&base, "/http/4xx/401/"), "/hilfe/http/4xx/401/");
    }

    #[test]
    fn xml_text_is_escaped_and_forbidden_characters_are_dropped() {
        assert_eq!(
            escape_xml("<a href=\"x\">Tom & Jerry's</a>\u{1}\u{7f}\n"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;\n"
        );
    }
}
