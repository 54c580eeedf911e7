//! The YAML most front matter is written in, read without the general YAML reader: a mapping
//! of `key: value` lines whose values are one-line texts (plain, `"double"` or `'single'`
//! quoted), flow lists of those (`[a, "b"]`) or block lists of those (`- a` lines).
//!
//! The general reader spends a few hundred instructions per byte; front matter is read for every
//! article of a site, and this reader makes a big site's load several times cheaper. It declines
//! (returns `None`) anything it is not sure to read exactly as the general reader does — escapes,
//! comments after values, anchors, tags, multi-line texts, nested values, unknown or repeated
//! keys, texts shaped like numbers read into lists — and the caller then uses the general
//! reader, whose result and diagnostics are the only ones kb reports.

use serde::de::value::{Error as DeclineError, MapDeserializer, SeqDeserializer};
use serde::de::{DeserializeOwned, Deserializer, Error as _, IntoDeserializer, Visitor};

/// `T` read from `yaml`, when every line is in the simple form and every key is in `allowed`
/// and every value is one `T` takes without a conversion the general reader might do otherwise.
pub(super) fn parse<T: DeserializeOwned>(yaml: &str, allowed: &[&str]) -> Option<T> {
    let entries = read_mapping(yaml, allowed)?;
    T::deserialize(MapDeserializer::<_, DeclineError>::new(entries.into_iter())).ok()
}

/// A value of the simple form.
#[derive(Debug)]
enum Node<'a> {
    /// `key:` with nothing after it, and no list below.
    Empty,
    Scalar(Scalar<'a>),
    List(Vec<Scalar<'a>>),
}

#[derive(Debug)]
struct Scalar<'a> {
    text: std::borrow::Cow<'a, str>,
    quoted: bool,
}

impl Scalar<'_> {
    /// Whether YAML reads this as null (the core schema's spellings).
    fn is_null(&self) -> bool {
        !self.quoted && matches!(&*self.text, "" | "~" | "null" | "Null" | "NULL")
    }
}

/// The keys and values of `yaml`, in order; `None` unless all of it is in the simple form.
fn read_mapping<'a>(yaml: &'a str, allowed: &[&str]) -> Option<Vec<(&'a str, Node<'a>)>> {
    if has_refused_char(yaml) {
        return None;
    }
    let mut entries: Vec<(&'a str, Node<'a>)> = Vec::with_capacity(allowed.len());
    // The keys read so far, by their place in `allowed`.
    let mut seen: u64 = 0;
    // The indentation of the items of the list being read, once its first item is.
    let mut item_indent: Option<usize> = None;
    for line in lines(yaml) {
        // No other `\r` is left (see `has_refused_char`).
        let line = line.strip_suffix('\r').unwrap_or(line);
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if content.starts_with("- ") || content == "-" {
            let indent = line.len() - content.len();
            let (_, node) = entries.last_mut()?;
            let first = item_indent.is_none();
            if *item_indent.get_or_insert(indent) != indent {
                return None;
            }
            let item = block_item(content.strip_prefix('-')?)?;
            // Only a key without a value opens a block list, and only a block list goes on:
            // items after `tags: [a]` or `title: x` are an error for YAML.
            match node {
                Node::Empty if first => *node = Node::List(vec![item]),
                Node::List(items) if !first => items.push(item),
                _ => return None,
            }
            continue;
        }
        if content.len() != line.len() {
            return None;
        }
        item_indent = None;
        let (key, value) = key_line(line)?;
        // A bit per allowed key finds a repeated key without comparing it with the others.
        let bit = 1u64.checked_shl(allowed.iter().position(|known| *known == key)? as u32)?;
        if seen & bit != 0 {
            return None;
        }
        seen |= bit;
        entries.push((key, value));
    }
    Some(entries)
}

/// The lines of `text`, cut as `text.split('\n')` cuts them.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        // memchr rather than std's `split`, which cost a short line as much as reading it.
        match memchr::memchr(b'\n', text.as_bytes()) {
            Some(end) => {
                rest = Some(&text[end + 1..]);
                Some(&text[..end])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// Whether `yaml` holds a character YAML refuses or reads as something other than text
/// (controls other than tab and line breaks, the Unicode line and paragraph separators, which
/// the YAML reader takes for line breaks, a byte-order mark or a non-character), wherever
/// it is, even in a comment, or a `\r` that does not end a line (`\r\n`) or the text, which
/// this reader does not take. Most front matter is ASCII, checked a chunk at a time.
fn has_refused_char(yaml: &str) -> bool {
    let bytes = yaml.as_bytes();
    let lone_cr = memchr::memchr_iter(b'\r', bytes)
        .any(|at| bytes.get(at + 1).is_some_and(|&next| next != b'\n'));
    if lone_cr {
        return true;
    }
    if yaml.is_ascii() {
        // Whole chunks, each byte looked at without a branch, which the compiler turns into
        // vector instructions: this runs over every byte of every article's front matter.
        return bytes.chunks(32).any(|chunk| {
            chunk.iter().fold(false, |refused, &b| {
                let control = (b < b' ') & (b != b'\t') & (b != b'\n') & (b != b'\r');
                refused | control | (b == 0x7f)
            })
        });
    }
    yaml.chars().any(|c| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            || matches!(
                c,
                '\u{feff}' | '\u{fffe}' | '\u{ffff}' | '\u{2028}' | '\u{2029}'
            )
    })
}

/// A `key: value` line at the start of a line: a lowercase key and its one-line value.
fn key_line(line: &str) -> Option<(&str, Node<'_>)> {
    let colon = memchr::memchr(b':', line.as_bytes())?;
    let key = &line[..colon];
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return None;
    }
    let rest = &line[colon + 1..];
    if rest.is_empty() {
        return Some((key, Node::Empty));
    }
    let value = rest.strip_prefix(' ')?.trim_matches(' ');
    if value.is_empty() {
        return Some((key, Node::Empty));
    }
    let node = match value.as_bytes()[0] {
        b'[' => Node::List(flow_list(value)?),
        b'"' | b'\'' => Node::Scalar(whole_quoted(value)?),
        _ => Node::Scalar(plain(value, Context::Block)?),
    };
    Some((key, node))
}

/// The text after a list item's `-`.
fn block_item(after_dash: &str) -> Option<Scalar<'_>> {
    let value = after_dash.trim_matches(' ');
    match value.as_bytes().first()? {
        b'"' | b'\'' => whole_quoted(value),
        _ => plain(value, Context::Block),
    }
}

/// Where a plain text stands: in block context, or inside a `[…]` list.
#[derive(Clone, Copy, PartialEq)]
enum Context {
    Block,
    Flow,
}

/// A plain (unquoted) text, refused when YAML might read it as anything but itself: text that
/// starts with an indicator, holds `: ` or ` #`, brackets or braces, tabs or control
/// characters, or (inside a list) commas and colons.
fn plain(text: &str, context: Context) -> Option<Scalar<'_>> {
    let bytes = text.as_bytes();
    // Every character looked for is ASCII, so its byte is the whole character.
    let starts_well = match *bytes.first()? {
        // `-1` is a text; `- 1` or `-` alone would be a list.
        b'-' => bytes.get(1).is_some_and(u8::is_ascii_alphanumeric),
        b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
        | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' => false,
        _ => true,
    };
    // One look at each byte (this runs on most values of every article's front matter).
    let refused = |at: usize, byte: u8| match byte {
        b'[' | b']' | b'{' | b'}' | b'\t' => true,
        b',' | b':' | b'#' if context == Context::Flow => true,
        // `: ` inside, or `:` at the end.
        b':' => bytes.get(at + 1).is_none_or(|&next| next == b' '),
        // ` #`
        b'#' => at > 0 && bytes[at - 1] == b' ',
        _ => false,
    };
    let simple = starts_well
        && !bytes
            .iter()
            .enumerate()
            .any(|(at, &byte)| PLAIN_CHECKED[usize::from(byte)] && refused(at, byte));
    simple.then_some(Scalar {
        text: text.into(),
        quoted: false,
    })
}

/// The bytes [`plain`] looks at twice: those that may end the simple form.
const PLAIN_CHECKED: [bool; 256] = {
    let mut table = [false; 256];
    let checked = b"[]{}\t,:#";
    let mut i = 0;
    while i < checked.len() {
        table[checked[i] as usize] = true;
        i += 1;
    }
    table
};

/// A quoted text that is all of `value` (nothing but spaces may follow it).
fn whole_quoted(value: &str) -> Option<Scalar<'_>> {
    let (scalar, rest) = quoted(value)?;
    rest.trim_start_matches(' ').is_empty().then_some(scalar)
}

/// The quoted text at the start of `text` and what follows it: `"…"` without any backslash
/// escape, or `'…'` with `''` for a quote.
fn quoted(text: &str) -> Option<(Scalar<'_>, &str)> {
    let quote = text.chars().next()?;
    let inner = &text[1..];
    if quote == '"' {
        // Both are ASCII: the first such byte is the first such character.
        let end = memchr::memchr2(b'"', b'\\', inner.as_bytes())?;
        let body = &inner[..end];
        if inner.as_bytes()[end] != b'"' {
            return None;
        }
        let scalar = Scalar {
            text: body.into(),
            quoted: true,
        };
        return Some((scalar, &inner[end + 1..]));
    }
    let end = inner.find('\'')?;
    if !inner[end + 1..].starts_with('\'') {
        // No `''` inside: the text as written.
        let scalar = Scalar {
            text: inner[..end].into(),
            quoted: true,
        };
        return Some((scalar, &inner[end + 1..]));
    }
    let mut body = String::new();
    let mut rest = inner;
    loop {
        let end = rest.find('\'')?;
        body.push_str(&rest[..end]);
        rest = &rest[end + 1..];
        match rest.strip_prefix('\'') {
            Some(after) => {
                body.push('\'');
                rest = after;
            }
            None => break,
        }
    }
    let scalar = Scalar {
        text: body.into(),
        quoted: true,
    };
    Some((scalar, rest))
}

/// The items of a one-line flow list `[a, "b", 'c']`; `[]` is an empty list.
fn flow_list(value: &str) -> Option<Vec<Scalar<'_>>> {
    let inner = value.strip_prefix('[')?.strip_suffix(']')?;
    let mut items = Vec::new();
    if inner.trim_matches(' ').is_empty() {
        return Some(items);
    }
    let mut rest = inner;
    loop {
        rest = rest.trim_start_matches(' ');
        let after_item = match rest.as_bytes().first()? {
            b'"' | b'\'' => {
                let (item, after) = quoted(rest)?;
                items.push(item);
                after.trim_start_matches(' ')
            }
            _ => {
                let end = memchr::memchr(b',', rest.as_bytes()).unwrap_or(rest.len());
                items.push(plain(rest[..end].trim_end_matches(' '), Context::Flow)?);
                &rest[end..]
            }
        };
        match after_item.strip_prefix(',') {
            Some(next) => rest = next,
            None if after_item.is_empty() => return Some(items),
            None => return None,
        }
    }
}

impl<'de> IntoDeserializer<'de, DeclineError> for Node<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> IntoDeserializer<'de, DeclineError> for Scalar<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

/// Anything the simple reader will not decide: the general reader will.
fn decline() -> DeclineError {
    DeclineError::custom("left to the general YAML reader")
}

impl<'de> Deserializer<'de> for Node<'de> {
    type Error = DeclineError;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, DeclineError> {
        Err(decline())
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeclineError> {
        match self {
            Node::Empty => visitor.visit_none(),
            Node::Scalar(scalar) if scalar.is_null() => visitor.visit_none(),
            node => visitor.visit_some(node),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeclineError> {
        match self {
            Node::List(items) => visitor.visit_seq(SeqDeserializer::new(items.into_iter())),
            _ => Err(decline()),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeclineError> {
        match self {
            Node::Scalar(scalar) => scalar.deserialize_str(visitor),
            _ => Err(decline()),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeclineError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeclineError> {
        match self {
            Node::Scalar(scalar) => scalar.deserialize_i64(visitor),
            _ => Err(decline()),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeclineError> {
        match self {
            Node::Scalar(scalar) => scalar.deserialize_bool(visitor),
            _ => Err(decline()),
        }
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit unit_struct
        newtype_struct tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> Deserializer<'de> for Scalar<'de> {
    type Error = DeclineError;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, DeclineError> {
        Err(decline())
    }

    /// Text as written, as the general reader gives it to a text field: `0x1F`, `012`, `true`
    /// and `~` stay themselves (null is only null where a value may be missing).
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeclineError> {
        match self.text {
            std::borrow::Cow::Borrowed(text) => visitor.visit_borrowed_str(text),
            std::borrow::Cow::Owned(text) => visitor.visit_string(text),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeclineError> {
        self.deserialize_str(visitor)
    }

    /// A plain decimal integer without leading zeros that fits easily in 64 bits.
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeclineError> {
        let digits = self.text.strip_prefix('-').unwrap_or(&self.text);
        let decimal = !self.quoted
            && (1..=18).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        match self.text.parse::<i64>() {
            Ok(number) if decimal => visitor.visit_i64(number),
            _ => Err(decline()),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeclineError> {
        match (self.quoted, &*self.text) {
            (false, "true") => visitor.visit_bool(true),
            (false, "false") => visitor.visit_bool(false),
            _ => Err(decline()),
        }
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_cut_as_split_cuts_them() {
        const PIECES: &[&str] = &["\n", "\n", "a", "key: value", "\r", " ", "é", "\r\n"];
        let mut next = crate::test_random::numbers(0x1234_5678_9abc_def1);
        for _ in 0..5000 {
            let text = crate::test_random::joined(&mut next, PIECES, 12);
            let expected: Vec<&str> = text.split('\n').collect();
            assert_eq!(lines(&text).collect::<Vec<_>>(), expected, "{text:?}");
        }
    }
}
