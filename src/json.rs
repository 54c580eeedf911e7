//! JSON strings written exactly as serde_json writes them, a run of plain bytes at a time:
//! `catalog.json` is nearly all strings, and serde_json looks at each byte on its own.

/// Appends `text` to `out` as a JSON string, as `serde_json::to_writer` would: `"` and `\`
/// escaped with a backslash, control characters as `\b`, `\t`, `\n`, `\f`, `\r` or `\u00xx`,
/// everything else (`/`, DEL, every character beyond ASCII) as it is.
pub fn push_string(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut plain_from = 0;
    while let Some(offset) = first_to_escape(&bytes[plain_from..]) {
        let at = plain_from + offset;
        out.extend_from_slice(&bytes[plain_from..at]);
        push_escaped(out, bytes[at]);
        plain_from = at + 1;
    }
    out.extend_from_slice(&bytes[plain_from..]);
    out.push(b'"');
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Where the first byte that must be escaped is, eight bytes at a time.
fn first_to_escape(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        let flags = to_escape(u64::from_le_bytes(eight));
        if flags != 0 {
            return Some(offset + flags.trailing_zeros() as usize / 8);
        }
        offset += 8;
    }
    let rest = chunks.remainder();
    rest.iter()
        .position(|byte| *byte < 0x20 || *byte == b'"' || *byte == b'\\')
        .map(|at| offset + at)
}

/// The high bit of the bytes of `word` that must be escaped: below 0x20, `"` or `\`. Only the
/// lowest flag is exact (a borrow may flag a byte above it), which is the only one used.
fn to_escape(word: u64) -> u64 {
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = zero_bytes(word ^ (ONES * u64::from(b'"')));
    let backslash = zero_bytes(word ^ (ONES * u64::from(b'\\')));
    (below_space | quote | backslash) & HIGH_BITS
}

fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGH_BITS
}

fn push_escaped(out: &mut Vec<u8>, byte: u8) {
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
            out.extend_from_slice(b"\\u00");
            out.extend_from_slice(&hex);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', short]);
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

    #[test]
    fn escapes_are_found_wherever_they_are() {
        for special in ["\"", "\\", "\u{0}", "\u{1f}", "\n"] {
            for at in 0..20 {
                let text = format!("{}{special}{}", "x".repeat(at), "y".repeat(19 - at));
                assert_eq!(quoted(&text), serde_json::to_string(&text).unwrap());
            }
        }
    }
}
