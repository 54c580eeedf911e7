//! JSON strings written exactly as serde_json writes them, a run of plain bytes at a time:
//! `catalog.json` is nearly all strings, the search shards are keyed by them, and every article
//! page's JSON-LD is made of them; serde_json looks at each byte on its own.

/// Where JSON text is appended: a buffer of bytes or a `String` (every escape is ASCII, so the
/// text stays UTF-8 either way).
pub trait JsonOut {
    fn push_text(&mut self, text: &str);
    fn push_ascii(&mut self, bytes: &[u8]);
}

impl JsonOut for Vec<u8> {
    fn push_text(&mut self, text: &str) {
        self.extend_from_slice(text.as_bytes());
    }

    fn push_ascii(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl JsonOut for String {
    fn push_text(&mut self, text: &str) {
        self.push_str(text);
    }

    fn push_ascii(&mut self, bytes: &[u8]) {
        self.extend(bytes.iter().map(|byte| char::from(*byte)));
    }
}

/// Appends `text` to `out` as a JSON string, as `serde_json::to_writer` would: `"` and `\`
/// escaped with a backslash, control characters as `\b`, `\t`, `\n`, `\f`, `\r` or `\u00xx`,
/// everything else (`/`, DEL, every character beyond ASCII) as it is.
pub fn push_string(out: &mut impl JsonOut, text: &str) {
    out.push_ascii(b"\"");
    push_escaped_text::<false>(out, text);
    out.push_ascii(b"\"");
}

/// [`push_string`] for a `<script>` element, as `render::script_json` writes it: `<`, `>` and
/// `&` escaped too (`\u003c`, `\u003e`, `\u0026`), so that no text can end the element.
pub fn push_script_string(out: &mut String, text: &str) {
    out.push('"');
    push_script_text(out, text);
    out.push('"');
}

/// The inside of [`push_script_string`], without the quotes.
pub fn push_script_text(out: &mut String, text: &str) {
    push_escaped_text::<true>(out, text);
}

/// `text` escaped, without quotes; with `SCRIPT`, `<`, `>` and `&` too.
fn push_escaped_text<const SCRIPT: bool>(out: &mut impl JsonOut, text: &str) {
    let bytes = text.as_bytes();
    let mut plain_from = 0;
    while let Some(offset) = first_to_escape::<SCRIPT>(&bytes[plain_from..]) {
        let at = plain_from + offset;
        // An escaped byte is ASCII: `at` and `at + 1` are character boundaries.
        out.push_text(&text[plain_from..at]);
        push_escaped(out, bytes[at]);
        plain_from = at + 1;
    }
    out.push_text(&text[plain_from..]);
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Where the first byte that must be escaped is, eight bytes at a time.
fn first_to_escape<const SCRIPT: bool>(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        let flags = to_escape::<SCRIPT>(u64::from_le_bytes(eight));
        if flags != 0 {
            return Some(offset + flags.trailing_zeros() as usize / 8);
        }
        offset += 8;
    }
    let rest = chunks.remainder();
    rest.iter()
        .position(|byte| is_escaped::<SCRIPT>(*byte))
        .map(|at| offset + at)
}

fn is_escaped<const SCRIPT: bool>(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\' || (SCRIPT && matches!(byte, b'<' | b'>' | b'&'))
}

/// The high bit of the bytes of `word` that must be escaped: below 0x20, `"` or `\`, and with
/// `SCRIPT` `<`, `>` or `&`. Only the lowest flag is exact (a borrow may flag a byte above it),
/// which is the only one used.
fn to_escape<const SCRIPT: bool>(word: u64) -> u64 {
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let mut flags = below_space | equal_bytes(word, b'"') | equal_bytes(word, b'\\');
    if SCRIPT {
        flags |= equal_bytes(word, b'<') | equal_bytes(word, b'>') | equal_bytes(word, b'&');
    }
    flags & HIGH_BITS
}

/// The high bit of the bytes of `word` that are `byte` (exact up to the lowest, as above).
pub(crate) fn equal_bytes(word: u64, byte: u8) -> u64 {
    let zeroed = word ^ (ONES * u64::from(byte));
    zeroed.wrapping_sub(ONES) & !zeroed & HIGH_BITS
}

/// A byte's escape: the short ones JSON has, else `\u00xx` (which is also how `<`, `>` and `&`
/// are written in a script).
fn push_escaped(out: &mut impl JsonOut, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match byte {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        b'\t' => b't',
        b'\n' => b'n',
        0x0c => b'f',
        b'\r' => b'r',
        _ => {
            let hex = [HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0xf)]];
            out.push_ascii(&[b'\\', b'u', b'0', b'0', hex[0], hex[1]]);
            return;
        }
    };
    out.push_ascii(&[b'\\', short]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(text: &str) -> String {
        let mut out = Vec::new();
        push_string(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        // Every byte that is escaped, and its neighbours, at every place of an eight-byte word.
        let mut pieces: Vec<String> = (0u8..0x80).map(|b| char::from(b).to_string()).collect();
        pieces.extend(["é", "漢", "🙂", "\u{2028}", "plain words", "/"].map(String::from));
        let mut random = crate::test_random::numbers(0x6a50_0e5c);
        for _ in 0..20_000 {
            let text: String = (0..random(40))
                .map(|_| {
                    // Mostly plain letters, so that runs of eight without escapes occur.
                    if random(4) == 0 {
                        pieces[random(pieces.len())].clone()
                    } else {
                        char::from(b'a' + random(26) as u8).to_string()
                    }
                })
                .collect();
            assert_eq!(
                quoted(&text),
                serde_json::to_string(&text).unwrap(),
                "{text:?}"
            );
        }
    }

    /// The same texts as a `String`, and for a script, against `render::script_json`.
    #[test]
    fn strings_in_text_and_in_scripts_are_escaped_as_before() {
        let mut pieces: Vec<String> = (0u8..0x80).map(|b| char::from(b).to_string()).collect();
        pieces.extend(["é", "漢", "🙂", "\u{2028}", "</script>", "&amp;"].map(String::from));
        let mut random = crate::test_random::numbers(0x51c2_77e3);
        for _ in 0..20_000 {
            let text: String = (0..random(40))
                .map(|_| match random(4) {
                    0 => pieces[random(pieces.len())].clone(),
                    _ => char::from(b'a' + random(26) as u8).to_string(),
                })
                .collect();
            let mut as_text = String::new();
            push_string(&mut as_text, &text);
            assert_eq!(as_text, quoted(&text), "{text:?}");
            let mut in_script = String::new();
            push_script_string(&mut in_script, &text);
            assert_eq!(in_script, crate::render::script_json(&text), "{text:?}");
        }
    }

    #[test]
    fn escapes_are_found_wherever_they_are() {
        for special in ["\"", "\\", "\u{0}", "\u{1f}", "\n", "<", ">", "&"] {
            for at in 0..20 {
                let text = format!("{}{special}{}", "x".repeat(at), "y".repeat(19 - at));
                assert_eq!(quoted(&text), serde_json::to_string(&text).unwrap());
                let mut in_script = String::new();
                push_script_string(&mut in_script, &text);
                assert_eq!(in_script, crate::render::script_json(&text));
            }
        }
    }
}
