//! Strict YAML for front matter and `kb.yaml`: every problem located in the whole file, unknown
//! keys caught with a did-you-mean hint, and serde's messages rewritten for authors.
//!
//! Strings are deserialized from the scalar exactly as written (the YAML fork keeps the source
//! text of plain scalars), so `code: 0x1F`, `code: 0012` and `updated: 2026-11-26` never change.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, StrDeserializer};
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, Visitor};

use crate::diagnostic::{Diagnostic, Location, did_you_mean};
use crate::paths::SourcePath;

mod simple;

/// A YAML document inside a file: the front matter between `---` lines, or all of `kb.yaml`.
pub struct YamlBlock<'a> {
    pub file: &'a SourcePath,
    /// The whole file, so that locations count from its first line.
    pub file_text: &'a str,
    /// Byte offset of the YAML inside the file.
    pub offset: usize,
    pub yaml: &'a str,
}

impl YamlBlock<'_> {
    /// Deserializes the block into `T` after checking that every top-level key is one of
    /// `allowed`. Returns every unknown key, or the first syntax or type error.
    ///
    /// A block is read once when it can be: keys are checked as the typed read meets them, and
    /// the values come straight from the YAML reader. Anything the one pass does not take (an
    /// unknown key, a syntax or type error, a block that is not a mapping) is read again by
    /// [`Self::parse_in_two_passes`], so the result and every diagnostic are exactly its.
    ///
    /// The fields of `T` must be text, numbers, booleans, lists of those, or
    /// `serde_yaml::Value`: a typed map (`BTreeMap`) would take duplicate keys that the check
    /// pass refuses, so such a `T` must use [`Self::parse_in_two_passes`].
    pub fn parse<T: DeserializeOwned + Default>(
        &self,
        allowed: &[&str],
    ) -> Result<T, Vec<Diagnostic>> {
        match self.parse_simply(allowed) {
            Some(value) => Ok(value),
            None => self.parse_generally(allowed),
        }
    }

    /// What the reader of simple front matter ([`simple`]) makes of the block, when it is
    /// simple: most front matter is, and the general reader costs far more.
    pub(crate) fn parse_simply<T: DeserializeOwned>(&self, allowed: &[&str]) -> Option<T> {
        if self.yaml.trim().is_empty() || needs_check_pass(self.yaml) {
            return None;
        }
        simple::parse(self.yaml, allowed)
    }

    /// [`Self::parse`] with the general YAML reader alone.
    pub(crate) fn parse_generally<T: DeserializeOwned + Default>(
        &self,
        allowed: &[&str],
    ) -> Result<T, Vec<Diagnostic>> {
        if !self.yaml.trim().is_empty()
            && !needs_check_pass(self.yaml)
            && let Some(value) = self.one_pass(allowed)
        {
            return Ok(value);
        }
        self.parse_in_two_passes(allowed)
    }

    /// `T` read in one pass, if the block is a mapping whose keys are all in `allowed` and whose
    /// values `T` takes; `None` for anything else.
    fn one_pass<T: DeserializeOwned>(&self, allowed: &[&str]) -> Option<T> {
        OnePass::<T>::new(allowed)
            .deserialize(serde_yaml::Deserializer::from_str(self.yaml))
            .ok()
    }

    /// [`Self::parse`] for any `T`: the block is first read as YAML values, to find unknown keys
    /// (and refuse duplicate keys at any depth), then again into `T`.
    pub fn parse_in_two_passes<T: DeserializeOwned + Default>(
        &self,
        allowed: &[&str],
    ) -> Result<T, Vec<Diagnostic>> {
        if self.yaml.trim().is_empty() {
            return Ok(T::default());
        }
        let value: serde_yaml::Value =
            serde_yaml::from_str(self.yaml).map_err(|e| vec![self.error(&e)])?;
        let mapping = match value {
            serde_yaml::Value::Mapping(mapping) => mapping,
            serde_yaml::Value::Null => return Ok(T::default()),
            _ => {
                return Err(vec![
                    self.diagnostic_at("front matter must be a list of `key: value` lines", 0, 1)
                        .with_help("write one `key: value` per line, e.g. `title: Unauthorized`"),
                ]);
            }
        };
        let unknown: Vec<Diagnostic> = mapping
            .keys()
            .filter_map(|key| {
                let name = key
                    .as_str()
                    .map_or_else(|| format!("{key:?}"), str::to_string);
                (!allowed.contains(&name.as_str())).then(|| self.unknown_key(&name, allowed))
            })
            .collect();
        if !unknown.is_empty() {
            return Err(unknown);
        }
        serde_yaml::from_str(self.yaml).map_err(|e| vec![self.error(&e)])
    }

    fn unknown_key(&self, key: &str, allowed: &[&str]) -> Diagnostic {
        let help = match did_you_mean(key, allowed) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None => format!("the keys kb knows are: {}", allowed.join(", ")),
        };
        let offset = self.key_offset(key).unwrap_or(0);
        self.diagnostic_at(&format!("unknown key `{key}`"), offset, key.len())
            .with_help(help)
    }

    /// Byte offset (inside the YAML) of a top-level `key:`.
    pub fn key_offset(&self, key: &str) -> Option<usize> {
        let mut offset = 0;
        for line in self.yaml.split_inclusive('\n') {
            let unquoted = line.trim_start_matches(['"', '\'']);
            let quote = line.len() - unquoted.len();
            if let Some(rest) = unquoted.strip_prefix(key) {
                let rest = rest.trim_start_matches(['"', '\'']).trim_start();
                if rest.starts_with(':') {
                    return Some(offset + quote);
                }
            }
            offset += line.len();
        }
        None
    }

    /// Byte offset (inside the YAML) of `text` written as a value of the top-level `key`.
    pub fn value_offset(&self, key: &str, text: &str) -> Option<usize> {
        let start = self.key_offset(key)? + key.len();
        let region_end = self.yaml[start..]
            .match_indices('\n')
            .map(|(i, _)| start + i + 1)
            .find(|&line| {
                self.yaml[line..]
                    .chars()
                    .next()
                    .is_some_and(|c| !c.is_whitespace() && c != '-')
            })
            .unwrap_or(self.yaml.len());
        let region = &self.yaml[start..region_end];
        let bounded = |i: usize| {
            let before = region[..i].chars().next_back();
            let after = region[i + text.len()..].chars().next();
            !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
        };
        let matches: Vec<usize> = region.match_indices(text).map(|(i, _)| i).collect();
        // A whole item (`- "x"`, `[x, y]`) beats the same text inside a longer one.
        matches
            .iter()
            .copied()
            .find(|&i| is_whole_item(&region[..i], &region[i + text.len()..]))
            .or_else(|| matches.iter().copied().find(|&i| bounded(i)))
            .map(|i| start + i)
    }

    /// A diagnostic pointing at `length` bytes at `offset` inside the YAML.
    pub fn diagnostic_at(&self, message: &str, offset: usize, length: usize) -> Diagnostic {
        Diagnostic::error(message)
            .in_file(self.file)
            .at(Location::at(self.file_text, self.offset + offset, length))
    }

    /// A diagnostic pointing at a top-level key, or at the start of the block when it is absent.
    pub fn diagnostic_at_key(&self, message: &str, key: &str) -> Diagnostic {
        match self.key_offset(key) {
            Some(offset) => self.diagnostic_at(message, offset, key.len()),
            None => self.diagnostic_at(message, 0, 1),
        }
    }

    /// A diagnostic pointing at one value of a key (a list entry), or at the key.
    pub fn diagnostic_at_value(&self, message: &str, key: &str, value: &str) -> Diagnostic {
        match self.value_offset(key, value) {
            Some(offset) => self.diagnostic_at(message, offset, value.len()),
            None => self.diagnostic_at_key(message, key),
        }
    }

    fn error(&self, error: &serde_yaml::Error) -> Diagnostic {
        let (line, column) = error.location().map_or((1, 1), |l| (l.line(), l.column()));
        let yaml_line = self.yaml.lines().nth(line.saturating_sub(1)).unwrap_or("");
        let (message, help) = explain(error, yaml_line);
        // A value of the wrong type is underlined whole; a syntax error at its one character.
        let length = if message.contains(" must be ") {
            value_length(yaml_line, column)
        } else {
            1
        };
        let location = Location::at_line_column(
            self.file_text,
            line + self.file_text[..self.offset].matches('\n').count(),
            column,
            length,
        );
        let diagnostic = Diagnostic::error(message).in_file(self.file).at(location);
        match help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }
    }
}

/// Whether the text may hold a value that a typed read takes but `serde_yaml::Value` refuses,
/// so that only the two passes give the right answer: a standard tag (`!!int`, `!<…>`, or one
/// named through `%TAG`) on text not of its type, which a typed read of text ignores, or an
/// integer beyond 64 bits (at least 16 hexadecimal digits in a row, as in `-0x8000000000000001`),
/// which a `Value` cannot hold.
fn needs_check_pass(yaml: &str) -> bool {
    // Every article's front matter is asked: a `!` or `%` is rare, and looked for first, both
    // at once (memchr: std's one-byte search cost as much as the rest of the check).
    let marked = memchr::memchr2(b'!', b'%', yaml.as_bytes()).is_some();
    (marked && (yaml.contains("!!") || yaml.contains("!<") || yaml.contains("%TAG")))
        || has_hex_run(yaml.as_bytes(), 16)
}

/// Whether `bytes` has `length` hexadecimal digits in a row. Looks at about one byte in
/// `length` of text that has none: a byte that is not a digit rules out every run through it,
/// so the next byte worth a look is `length` further on.
fn has_hex_run(bytes: &[u8], length: usize) -> bool {
    let hex = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_hexdigit);
    // No run starts before `at + 1 - length`.
    let mut at = length.saturating_sub(1);
    while at < bytes.len() {
        if !hex(at) {
            at += length;
            continue;
        }
        let mut start = at;
        while start > 0 && hex(start - 1) {
            start -= 1;
        }
        let mut end = at + 1;
        while hex(end) {
            end += 1;
        }
        if end - start >= length {
            return true;
        }
        // Every shorter run ends at the byte `end`, which is not a digit.
        at = end + length;
    }
    false
}

/// Reads a top-level mapping into `T` in one pass, failing (so that the two passes run) at the
/// first key that is not a text in `allowed`, and on anything but an untagged mapping: exactly
/// what `serde_yaml::Value` would see, since both ask the reader for any value.
struct OnePass<'a, T> {
    allowed: &'a [&'a str],
    target: PhantomData<T>,
}

impl<'a, T> OnePass<'a, T> {
    fn new(allowed: &'a [&'a str]) -> Self {
        OnePass {
            allowed,
            target: PhantomData,
        }
    }
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for OnePass<'_, T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for OnePass<'_, T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a mapping")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(MapAccessDeserializer::new(KnownKeys {
            map,
            allowed: self.allowed,
        }))
    }
}

/// The entries of a mapping whose keys are all in `allowed`; the first other key is an error.
struct KnownKeys<'a, A> {
    map: A,
    allowed: &'a [&'a str],
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for KnownKeys<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.map.next_key_seed(KnownKey(self.allowed))? {
            Some(key) => seed.deserialize(StrDeserializer::new(key)).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A key read as any value (as `serde_yaml::Value` reads it): a text in the list, or an error.
struct KnownKey<'a>(&'a [&'a str]);

impl<'de, 'a> DeserializeSeed<'de> for KnownKey<'a> {
    type Value = &'a str;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<&'a str, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'a> Visitor<'_> for KnownKey<'a> {
    type Value = &'a str;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a known key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<&'a str, E> {
        self.0
            .iter()
            .find(|known| **known == key)
            .copied()
            .ok_or_else(|| E::custom("unknown key"))
    }
}

/// The length in bytes of the value that starts at 1-based `column` of `line`: up to a comma or
/// closing bracket outside any nested flow collection, a ` #` comment or the end of the line.
fn value_length(line: &str, column: usize) -> usize {
    let start: usize = line
        .chars()
        .take(column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    let value = &line[start.min(line.len())..];
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut end = value.len();
    let mut previous = ' ';
    for (i, c) in value.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if i == 0 || depth > 0 => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    end = i + 1;
                    break;
                }
            }
            (None, ',' | ']' | '}') if depth == 0 => {
                end = i;
                break;
            }
            (None, '#') if previous == ' ' => {
                end = i;
                break;
            }
            _ => {}
        }
        previous = c;
    }
    value[..end].trim_end().len().max(1)
}

/// Whether text between `before` and `after` is a whole YAML scalar: its quotes (if any) match
/// and it is delimited like a list item or a value.
fn is_whole_item(before: &str, after: &str) -> bool {
    let quote = before
        .chars()
        .next_back()
        .filter(|c| matches!(c, '"' | '\''));
    let closing = after.chars().next().filter(|c| matches!(c, '"' | '\''));
    if quote != closing {
        return false;
    }
    let before = before.strip_suffix(['"', '\'']).unwrap_or(before);
    let after = after.strip_prefix(['"', '\'']).unwrap_or(after);
    let starts = before
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || matches!(c, '[' | ','));
    let ends = after
        .chars()
        .next()
        .is_none_or(|c| c.is_whitespace() || matches!(c, ',' | ']' | '#'));
    starts && ends
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '+' | '/')
}

/// Turns serde_yaml's message into one an author can act on.
/// The YAML parser's message without its ` at line L column C` parts: they count lines inside
/// the front matter, not the file, and the diagnostic already shows the right place.
fn without_positions(message: &str) -> String {
    let mut clean = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(" at line ") {
        clean.push_str(&rest[..at]);
        let after = &rest[at + " at line ".len()..];
        let digits =
            |text: &str| text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let line_digits = digits(after);
        let tail = &after[line_digits..];
        rest = match tail.strip_prefix(" column ") {
            Some(column) if line_digits > 0 => &column[digits(column)..],
            _ => {
                clean.push_str(" at line ");
                after
            }
        };
    }
    clean.push_str(rest);
    clean
}

fn explain(error: &serde_yaml::Error, line: &str) -> (String, Option<String>) {
    let full = without_positions(&error.to_string());
    let message = full.as_str();
    if line.starts_with('\t') || message.contains("cannot start any token") && line.contains('\t') {
        return (
            "front matter uses a tab for indentation".into(),
            Some("YAML allows only spaces for indentation; replace the tab with spaces".into()),
        );
    }
    if let Some(field) = message.strip_prefix("missing field ") {
        return (
            format!("missing required key {field}"),
            Some(format!("add a line `{}: …`", field.trim_matches('`'))),
        );
    }
    if message.starts_with("duplicate field") || message.contains("duplicate entry") {
        return (
            message.to_string(),
            Some("each key may appear only once; remove one of them".into()),
        );
    }
    if let Some((key, rest)) = message.split_once(": invalid type: ") {
        return explain_type(key, rest);
    }
    if let Some((key, rest)) = message.split_once(": invalid value: ") {
        return (format!("`{key}` has an invalid value: {rest}"), None);
    }
    if message.contains("mapping values are not allowed") {
        return (
            "a value contains `: `, which YAML reads as a new key".into(),
            Some("put the value in double quotes, e.g. title: \"Error: not found\"".into()),
        );
    }
    (
        format!("front matter is not valid YAML: {message}"),
        Some("check the indentation, and put values that contain `:`, `#`, `[` or `{` in double quotes".into()),
    )
}

fn explain_type(key: &str, rest: &str) -> (String, Option<String>) {
    let (found, expected) = rest
        .split_once(", expected ")
        .unwrap_or((rest, "another type"));
    let path = key;
    let key = path.split(['[', '.']).next().unwrap_or(path);
    // serde names a list entry `messages[2]`: the list is fine, one entry is not.
    let subject = if path[key.len()..].starts_with('[') {
        format!("each entry of `{key}`")
    } else {
        format!("`{key}`")
    };
    let expected_human = match expected {
        e if e.contains("sequence") => "a list",
        e if e.contains("string") => "text",
        e if e.contains("bool") => "true or false",
        e if e.starts_with('i') || e.starts_with('u') => "a whole number",
        e if e.starts_with('f') => "a number",
        e if e.contains("map") => "a set of `key: value` lines",
        other => other,
    };
    let found_human = found
        .replace("unit value", "nothing")
        .replace("map", "`key: value`")
        .replace("sequence", "a list");
    let help = match expected_human {
        "a list" => format!("write a list: `{key}: [first, second]`"),
        "true or false" => {
            "write `true` or `false` (YAML's `yes`/`no`/`on` are not accepted)".into()
        }
        "text" if found.starts_with("map") => {
            "a `: ` inside the text makes YAML read a key; put the text in double quotes".into()
        }
        "text" => "put the value in double quotes".into(),
        _ => format!("write {expected_human}"),
    };
    (
        format!("{subject} must be {expected_human}, found {found_human}"),
        Some(help),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_positions_are_dropped_from_messages() {
        assert_eq!(
            without_positions(
                "did not find expected ',' or ']' at line 3 column 8, while parsing a flow sequence at line 2 column 8"
            ),
            "did not find expected ',' or ']', while parsing a flow sequence"
        );
        assert_eq!(without_positions("at line endings"), "at line endings");
        assert_eq!(without_positions("x at line 4"), "x at line 4");
    }

    #[test]
    fn a_wrong_value_is_underlined_whole() {
        let cases = [
            ("messages: 400 Bad Request", 11, "400 Bad Request"),
            ("messages: [\"a\", {b: c}]", 17, "{b: c}"),
            ("weight: heavy # kg", 9, "heavy"),
            ("tags: [a, \"b, c\", d]", 11, "\"b, c\""),
            ("draft: yes", 8, "yes"),
        ];
        for (line, column, value) in cases {
            assert_eq!(value_length(line, column), value.len(), "{line}");
        }
        assert_eq!(value_length("x:", 9), 1);
    }

    /// The field types of article front matter, for comparing the one pass with the two.
    #[derive(Debug, Default, PartialEq, serde::Deserialize)]
    struct Fields {
        code: Option<String>,
        title: Option<String>,
        tags: Option<Vec<String>>,
        weight: Option<i64>,
        draft: Option<bool>,
        extra: Option<serde_yaml::Value>,
    }

    const KEYS: &[&str] = &["code", "title", "tags", "weight", "draft", "extra", "slug"];

    fn block(yaml: &str) -> (SourcePath, String) {
        (SourcePath::new("content/a.md"), yaml.to_string())
    }

    /// Whether `parse` reads `yaml` in one pass, after checking that it then gives exactly what
    /// the two passes give.
    fn agrees(yaml: &str) -> bool {
        let (file, text) = block(yaml);
        let block = YamlBlock {
            file: &file,
            file_text: &text,
            offset: 0,
            yaml: &text,
        };
        let two = block.parse_in_two_passes::<Fields>(KEYS);
        assert_eq!(block.parse::<Fields>(KEYS), two, "{yaml:?}");
        let one = (!yaml.trim().is_empty() && !needs_check_pass(yaml))
            .then(|| block.one_pass::<Fields>(KEYS))
            .flatten();
        if let Some(one) = one {
            assert_eq!(Ok(one), two, "{yaml:?}");
            return true;
        }
        false
    }

    #[test]
    fn the_one_pass_gives_what_the_two_passes_give() {
        let one_pass = [
            "code: 0x1F\ntitle: 0012\ntags: [2026-11-26, 1e3, .inf, ~x]\n",
            "\"code\": a\n'title': b\n",
            "code: &c E1\ntitle: *c\ntags: [*c, *c]\n",
            "code: !local E1\ntags: !list [a]\nextra: !t {a: 1}\n",
            "title: >\n  folded\n  text\nextra: {a: [1, {b: c}], 1: x}\n",
            "{code: E1, title: flow}",
            "code: E1 # comment\n# only a comment\n",
            "weight: -922337203685477\ndraft: true\n",
            "slug: ignored by the type\n",
            "code: 123456789012345\n",
        ];
        for yaml in one_pass {
            assert!(agrees(yaml), "{yaml:?} should be read in one pass");
        }
        let two_passes = [
            "",
            "\n# nothing\n",
            "~",
            "- a\n- b\n",
            "just text",
            "!tagged {code: E1}",
            "code: E1\ncode: E2\n",
            "\"code\": E1\ncode: E2\n",
            "extra: {a: 1, a: 2}\n",
            "code: E1\nunknown: {a: 1, a: 2}\n",
            "titel: x\nsumary: y\n",
            "1: x\n",
            "true: x\nnull: y\n",
            "[a]: x\n",
            "!local code: x\n",
            "code: [a\n",
            "code: a\n---\ntitle: b\n",
            "code: a\n\ttitle: b\n",
            "tags: a, b\nweight: heavy\n",
            "tags: [a, {b: c}]\n",
            "title: !!int abc\n",
            "title: !<tag:yaml.org,2002:bool> maybe\n",
            "%TAG !e! tag:yaml.org,2002:\n---\ntitle: !e!float x\n",
            "title: 123456789012345678901234\n",
            "title: -0x8000000000000001\n",
            "extra: 0xFFFFFFFFFFFFFFFFF\n",
            "code: &a [*a]\n",
        ];
        for yaml in two_passes {
            assert!(!agrees(yaml), "{yaml:?} should be read in two passes");
        }
    }

    /// The skipping search for a run of hexadecimal digits finds what a look at every byte finds.
    #[test]
    fn hex_runs_are_found_as_a_byte_by_byte_count_finds_them() {
        fn by_every_byte(bytes: &[u8], length: usize) -> bool {
            let mut run = 0;
            bytes.iter().any(|b| {
                run = if b.is_ascii_hexdigit() { run + 1 } else { 0 };
                run >= length
            })
        }
        const PIECES: &[&[u8]] = &[
            b"0",
            b"f",
            b"A",
            b"9",
            b"x",
            b" ",
            b"\n",
            b"g",
            b"-",
            b"\xc3\xa9",
        ];
        let mut next = crate::test_random::numbers(0x9e37_79b9_7f4a_7c15);
        let mut found = 0;
        for _ in 0..20_000 {
            let hexy = 1 + next(40);
            let text: Vec<u8> = (0..next(60))
                .flat_map(|_| {
                    PIECES[if next(50) < hexy {
                        next(4)
                    } else {
                        next(PIECES.len())
                    }]
                })
                .copied()
                .collect();
            for length in [1, 2, 5, 16] {
                let expected = by_every_byte(&text, length);
                assert_eq!(has_hex_run(&text, length), expected, "{text:?} {length}");
                found += usize::from(expected && length == 16);
            }
        }
        assert!(found > 1000, "{found}");
    }

    #[test]
    fn the_text_check_is_what_keeps_the_one_pass_exact() {
        // A typed read of text ignores a standard tag and takes any integer as written; a
        // `Value` refuses both, so only the two passes give the diagnostic.
        for yaml in ["title: !!int abc\n", "title: 123456789012345678901\n"] {
            let (file, text) = block(yaml);
            let block = YamlBlock {
                file: &file,
                file_text: &text,
                offset: 0,
                yaml: &text,
            };
            assert!(needs_check_pass(yaml));
            assert!(block.one_pass::<Fields>(KEYS).is_some());
            assert!(block.parse::<Fields>(KEYS).is_err());
        }
    }

    /// Front matter built from pieces that each stress the one pass (tags, anchors, big numbers,
    /// duplicate and odd keys, flow and block collections), in many combinations.
    #[test]
    fn the_one_pass_agrees_on_mixed_front_matter() {
        let keys = [
            "code",
            "title",
            "tags",
            "weight",
            "extra",
            "\"title\"",
            "1",
            "titel",
            "? code",
        ];
        let values = [
            " E1",
            " 0x1F",
            " 00012",
            " &a E2",
            " *a",
            " !t x",
            " !!str x",
            " ~",
            " true",
            " 12345678901234567890",
            " [a, b]",
            " [a, [b]]",
            " {a: 1}",
            " {a: 1, a: 2}",
            "\n  - a\n  - b",
            "\n  x: 1\n  x: 1",
            " \"q: x\"",
            " a: b",
            " [a",
            "",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut read_once = 0;
        for _ in 0..3000 {
            let mut yaml = String::new();
            for _ in 0..1 + next(4) {
                yaml.push_str(keys[next(keys.len())]);
                yaml.push(':');
                yaml.push_str(values[next(values.len())]);
                yaml.push('\n');
            }
            if agrees(&yaml) {
                read_once += 1;
            }
        }
        assert!(read_once > 150, "only {read_once} read in one pass");
    }

    #[test]
    fn a_whole_list_item_is_found_before_the_same_text_inside_another() {
        let file = SourcePath::new("content/a.md");
        let yaml = "aliases:\n  - https://evil.example/x\n  - //evil.example/x\nmessages:\n  - \"400 Not here\"\n  - \"Not here\"\n";
        let block = YamlBlock {
            file: &file,
            file_text: yaml,
            offset: 0,
            yaml,
        };
        let alias = block.value_offset("aliases", "//evil.example/x");
        assert_eq!(alias, yaml.find("  - //").map(|i| i + 4));
        let message = block.value_offset("messages", "Not here");
        assert_eq!(message, yaml.rfind("\"Not here\"").map(|i| i + 1));
    }
}
