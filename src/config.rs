//! Site settings from `kb.yaml` at the site root. Every key is optional; unknown keys are errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::paths::SourcePath;
use crate::yaml::YamlBlock;

pub const CONFIG_FILE: &str = "kb.yaml";

const CONFIG_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "output_dir",
    "ui",
    "feedback_endpoint",
    "extra",
];

#[derive(Debug, Default, Deserialize)]
struct RawConfig {
    title: Option<String>,
    description: Option<String>,
    base_url: Option<String>,
    language: Option<String>,
    output_dir: Option<String>,
    ui: Option<BTreeMap<String, String>>,
    feedback_endpoint: Option<String>,
    extra: Option<serde_yaml::Value>,
}

/// The site's settings, with defaults filled in.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    pub base_url: BaseUrl,
    /// BCP 47 language tag for `<html lang>`.
    pub language: String,
    /// Output folder, relative to the site root unless absolute.
    pub output_dir: PathBuf,
    /// Interface strings, so a site can translate its theme.
    pub ui: BTreeMap<String, String>,
    /// Where "Was this helpful?" answers are posted; nothing is sent when unset.
    pub feedback_endpoint: Option<String>,
    pub extra: serde_json::Value,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "Error code help".into(),
            description: "What error codes mean and how to fix them.".into(),
            base_url: BaseUrl::default(),
            language: "en".into(),
            output_dir: PathBuf::from("public"),
            ui: BTreeMap::new(),
            feedback_endpoint: None,
            extra: serde_json::Value::Object(Default::default()),
        }
    }
}

/// Where the site is deployed: an optional origin (`https://example.com`) and the path the site
/// lives under (`/` or `/help/`). Every link kb writes starts with that path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseUrl {
    pub origin: Option<String>,
    /// Always starts and ends with `/`.
    pub path: String,
}

impl Default for BaseUrl {
    fn default() -> Self {
        BaseUrl {
            origin: None,
            path: "/".into(),
        }
    }
}

impl BaseUrl {
    /// Accepts `https://example.com/help/`, `https://example.com`, `/help/` or `/`.
    pub fn parse(text: &str) -> std::result::Result<BaseUrl, String> {
        let text = text.trim();
        let (origin, path) = match text.split_once("://") {
            Some((scheme, rest)) => {
                if scheme != "http" && scheme != "https" {
                    return Err(format!("the scheme `{scheme}` is not http or https"));
                }
                let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
                if host.is_empty() {
                    return Err("the host is missing".into());
                }
                (Some(format!("{scheme}://{host}")), path)
            }
            None if text.starts_with('/') => (None, text),
            None => return Err("it must start with `http://`, `https://` or `/`".into()),
        };
        if path.contains(['?', '#', '\\', '"', '<', '>', ' ']) {
            return Err("the path may not contain `?`, `#`, quotes, spaces or backslashes".into());
        }
        let trimmed = path.trim_matches('/');
        let path = if trimmed.is_empty() {
            "/".to_string()
        } else {
            format!("/{trimmed}/")
        };
        Ok(BaseUrl { origin, path })
    }

    /// The absolute URL of a site path, or the root-relative one when no origin is known.
    pub fn absolute(&self, site_path: &str) -> String {
        self.absolute_of_link(self.link(site_path))
    }

    /// [`BaseUrl::absolute`] of the path that `link` ([`BaseUrl::link`]) leads to.
    pub fn absolute_of_link(&self, link: String) -> String {
        match &self.origin {
            Some(origin) => {
                let mut absolute = String::with_capacity(origin.len() + link.len());
                absolute.push_str(origin);
                absolute.push_str(&link);
                absolute
            }
            None => link,
        }
    }

    /// The link to a site path (`/http/401/`) as written into pages: `/help/http/401/`.
    pub fn link(&self, site_path: &str) -> String {
        let site_path = site_path.trim_start_matches('/');
        let mut link = String::with_capacity(self.path.len() + site_path.len());
        link.push_str(&self.path);
        link.push_str(site_path);
        link
    }
}

/// Reads `kb.yaml` under `root`; a missing file means all defaults.
pub fn load(root: &Path) -> Result<SiteConfig> {
    let path = root.join(CONFIG_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SiteConfig::default()),
        Err(e) => return Err(Error::io(&path, e)),
    };
    parse(&text).map_err(Error::Diagnostics)
}

/// Parses the text of `kb.yaml`.
pub fn parse(text: &str) -> std::result::Result<SiteConfig, Vec<Diagnostic>> {
    let file = SourcePath::new(CONFIG_FILE);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let block = YamlBlock {
        file: &file,
        file_text: text,
        offset: 0,
        yaml: text,
    };
    // `ui` is a typed map: only the check pass refuses a key written twice in it.
    let raw: RawConfig = block.parse_in_two_passes(CONFIG_KEYS)?;
    let defaults = SiteConfig::default();
    let base_url = match raw.base_url.as_deref() {
        None => defaults.base_url,
        Some(url) => BaseUrl::parse(url).map_err(|why| {
            vec![block
                .diagnostic_at_value(&format!("`base_url` cannot be used: {why}"), "base_url", url)
                .with_help("write the address the site is published at, e.g. `https://example.com/help/`")]
        })?,
    };
    let extra = raw
        .extra
        .map(serde_json::to_value)
        .transpose()
        .map_err(|e| {
            vec![block.diagnostic_at_key(&format!("`extra` cannot be used: {e}"), "extra")]
        })?
        .unwrap_or(defaults.extra);
    Ok(SiteConfig {
        title: raw.title.unwrap_or(defaults.title),
        description: raw.description.unwrap_or(defaults.description),
        base_url,
        language: raw.language.unwrap_or(defaults.language),
        output_dir: raw.output_dir.map_or(defaults.output_dir, PathBuf::from),
        ui: raw.ui.unwrap_or_default(),
        feedback_endpoint: raw.feedback_endpoint,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_keep_their_sub_path() {
        let url = BaseUrl::parse("https://example.com/help").ok();
        assert_eq!(
            url,
            Some(BaseUrl {
                origin: Some("https://example.com".into()),
                path: "/help/".into()
            })
        );
        let url = BaseUrl::parse("https://example.com").map(|u| u.absolute("/http/401/"));
        assert_eq!(url, Ok("https://example.com/http/401/".into()));
        assert!(BaseUrl::parse("javascript:alert(1)").is_err());
        assert!(BaseUrl::parse("example.com").is_err());
    }

    #[test]
    fn unknown_config_keys_are_errors_with_a_hint() {
        let errors = parse("title: Help\nbase_ulr: /x/\n")
            .err()
            .unwrap_or_default();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "unknown key `base_ulr`");
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `base_url`?"));
        assert_eq!(errors[0].location.as_ref().map(|l| l.line), Some(2));
    }

    #[test]
    fn a_ui_string_written_twice_is_an_error() {
        let text = "ui:\n  search: Find\n  search: Search\n";
        let errors = parse(text).err().unwrap_or_default();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.contains("duplicate entry"),
            "{}",
            errors[0].message
        );
        assert_eq!(errors[0].location.as_ref().map(|l| l.line), Some(2));
        // The one pass would keep the last value: `kb.yaml` needs the check pass.
        let file = SourcePath::new(CONFIG_FILE);
        let block = YamlBlock {
            file: &file,
            file_text: text,
            offset: 0,
            yaml: text,
        };
        assert!(block.parse::<RawConfig>(CONFIG_KEYS).is_ok());
    }
}
