//! Cutting text into search terms. `static/search.js` does exactly the same to a query, so any
//! change here must be made there too (the fixture tests run both on the same inputs).
//!
//! A *word* is a run of letters, digits and the joiners `_ - . +`, with joiners trimmed from its
//! ends and apostrophes dropped (`isn't` → `isnt`). Words are lower-cased: `ERR_CONNECTION_REFUSED`,
//! `0x80070005` and `401.1` are one word each, so a code is always found whole. A word's *parts*
//! are what it splits into at the joiners and at case changes (`IOException` → `io`, `exception`),
//! plus the digits of a hex literal without `0x`; they let `connection refused` find
//! `ERR_CONNECTION_REFUSED`. Nothing is stemmed or corrected: `401` never finds `403`.

/// Words that carry no meaning in running text. They are not indexed from summaries and bodies
/// (titles, messages and codes keep them), and a query is not ranked down for lacking them.
/// Published in the index so the browser uses the same list.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from",
    "has", "have", "if", "in", "is", "it", "its", "of", "on", "or", "so", "than", "that", "the",
    "then", "there", "these", "they", "this", "to", "was", "what", "when", "which", "will", "with",
    "you", "your",
];

/// Longer words are not indexed: they are hashes, tokens and URLs, not things people type. As
/// long as the longest code, so that every code is a word.
pub const MAX_WORD_CHARS: usize = 100;

fn is_joiner(c: char) -> bool {
    matches!(c, '_' | '-' | '.' | '+')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_joiner(c) || is_apostrophe(c)
}

// What a byte of text is, as bit flags, so that a word's bytes can be or-ed together. A byte
// above ASCII is part of a character that must be decoded to be classified; in HTML, `<` and
// `&` start a tag or an entity.
const LOWER: u8 = 1;
const DIGIT: u8 = 2;
const UPPER: u8 = 4;
const JOINER: u8 = 8;
const APOSTROPHE: u8 = 16;
const NON_ASCII: u8 = 32;
const MARKUP: u8 = 64;
/// The classes of ASCII word characters.
const WORD: u8 = LOWER | DIGIT | UPPER | JOINER | APOSTROPHE;

const fn classes(html: bool) -> [u8; 256] {
    let mut class = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        class[byte] = match byte as u8 {
            b'a'..=b'z' => LOWER,
            b'0'..=b'9' => DIGIT,
            b'A'..=b'Z' => UPPER,
            b'_' | b'-' | b'.' | b'+' => JOINER,
            b'\'' => APOSTROPHE,
            0x80..=0xff => NON_ASCII,
            b'<' | b'&' if html => MARKUP,
            _ => 0,
        };
        byte += 1;
    }
    class
}

const CLASS: [u8; 256] = classes(false);
const HTML_CLASS: [u8; 256] = classes(true);

/// The entities kb's Markdown renderer writes, and what they stand for.
pub(crate) const ENTITIES: &[(&str, char)] = &[
    ("&lt;", '<'),
    ("&gt;", '>'),
    ("&quot;", '"'),
    ("&#39;", '\''),
    ("&#x27;", '\''),
    ("&amp;", '&'),
];

/// The words of `text` as written (not yet lower-cased), in order.
pub fn raw_words(text: &str) -> impl Iterator<Item = &str> {
    Words::<false>::new(text).map(|word| word.raw)
}

/// A word of a text as [`Words`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Word<'a> {
    /// As written, joiners and apostrophes at its ends dropped, unless it has entities.
    pub raw: &'a str,
    /// Where `raw` starts in the text.
    pub start: usize,
    /// The classes of its first byte and of the others, or-ed together.
    pub first: u8,
    pub rest: u8,
    /// In HTML: `raw` has apostrophes written as entities, and is the word only once they are
    /// decoded ([`html_words`]).
    pub entities: bool,
}

impl Word<'_> {
    /// ASCII without apostrophes, up to [`KEY_BYTES`]: the words of running text, whose
    /// [`key`] [`ascii_key`] makes straight from the text.
    #[inline]
    pub fn is_short_ascii(&self) -> bool {
        (self.first | self.rest) & (NON_ASCII | APOSTROPHE) == 0
            && self.raw.len() <= KEY_BYTES
            && !self.entities
    }

    /// Whether [`parts`] may find any (it finds none for the words of most running text).
    #[inline]
    pub fn may_have_parts(&self) -> bool {
        let bytes = self.raw.as_bytes();
        (self.first | self.rest) & JOINER != 0
            || self.rest & (UPPER | NON_ASCII) != 0
            || (bytes.len() >= 2 && bytes[0] == b'0' && (bytes[1] | 0x20) == b'x')
    }
}

/// The words of a text, or with `HTML` of the text of rendered HTML (tags dropped, each a
/// space; [`ENTITIES`] decoded): one pass over the bytes, decoding only characters beyond
/// ASCII and entities.
pub(crate) struct Words<'a, const HTML: bool> {
    text: &'a str,
    at: usize,
}

impl<'a, const HTML: bool> Words<'a, HTML> {
    pub fn new(text: &'a str) -> Words<'a, HTML> {
        Words { text, at: 0 }
    }

    /// The character at byte `at` beyond ASCII: whether it is a word character, and its
    /// length in bytes.
    #[cold]
    fn wide_char_at(&self, at: usize) -> (bool, usize) {
        let c = self.text[at..].chars().next().unwrap_or(' ');
        (is_word_char(c), c.len_utf8())
    }

    /// The entity at byte `at` (its length, and whether it is an apostrophe), if any.
    #[cold]
    fn entity_at(&self, at: usize) -> Option<(usize, bool)> {
        let rest = &self.text[at..];
        ENTITIES
            .iter()
            .find(|(entity, _)| rest.starts_with(entity))
            .map(|(entity, c)| (entity.len(), *c == '\''))
    }
}

impl<'a, const HTML: bool> Iterator for Words<'a, HTML> {
    type Item = Word<'a>;

    #[inline]
    fn next(&mut self) -> Option<Word<'a>> {
        let table = if HTML { &HTML_CLASS } else { &CLASS };
        let bytes = self.text.as_bytes();
        let length = bytes.len();
        loop {
            let mut at = self.at;
            let mut entities = false;
            // Up to the first word character.
            let (mut first, width) = loop {
                let Some(byte) = bytes.get(at) else {
                    self.at = length;
                    return None;
                };
                let class = table[usize::from(*byte)];
                if class & WORD != 0 {
                    break (class, 1);
                } else if class == 0 {
                    at += 1;
                } else if class & NON_ASCII != 0 {
                    let (word, width) = self.wide_char_at(at);
                    if word {
                        break (NON_ASCII, width);
                    }
                    at += width;
                } else if *byte == b'<' {
                    at = tag_end(bytes, at);
                } else {
                    match self.entity_at(at) {
                        Some((width, true)) => {
                            entities = true;
                            break (APOSTROPHE, width);
                        }
                        Some((width, false)) => at += width,
                        None => at += 1,
                    }
                }
            };
            let start = at;
            at += width;
            // Up to the next character that is not one.
            let mut rest = 0;
            loop {
                // Eight bytes at a time while they are ASCII letters and digits, as most of a
                // word is.
                if let Some(eight) = bytes.get(at..at + 8) {
                    let (letters_and_digits, upper) = ascii_letters_and_digits(u64::from_le_bytes(
                        eight.try_into().unwrap_or_default(),
                    ));
                    let run = (!letters_and_digits & HIGH_BITS).trailing_zeros() / 8;
                    let run = run as usize;
                    if upper & byte_mask(run) != 0 {
                        rest |= UPPER;
                    }
                    at += run;
                    if run == 8 {
                        continue;
                    }
                }
                let Some(byte) = bytes.get(at) else {
                    break;
                };
                let class = table[usize::from(*byte)];
                if class & WORD != 0 {
                    at += 1;
                } else if class & NON_ASCII != 0 {
                    let (word, width) = self.wide_char_at(at);
                    if !word {
                        break;
                    }
                    at += width;
                } else if HTML && *byte == b'&' {
                    match self.entity_at(at) {
                        Some((width, true)) => {
                            entities = true;
                            at += width;
                        }
                        _ => break,
                    }
                } else {
                    break;
                }
                rest |= class;
            }
            self.at = at;
            let mut raw = &self.text[start..at];
            let mut word_start = start;
            if entities {
                return Some(Word {
                    raw,
                    start,
                    first,
                    rest,
                    entities,
                });
            }
            let edges = CLASS[usize::from(bytes[start])] | CLASS[usize::from(bytes[at - 1])];
            if edges & (JOINER | APOSTROPHE | NON_ASCII) != 0 {
                let trimmed = trim_word(raw);
                if trimmed.len() != raw.len() {
                    word_start = start + (trimmed.as_ptr() as usize - raw.as_ptr() as usize);
                    raw = trimmed;
                    let trimmed = raw.as_bytes();
                    first = trimmed.first().map_or(0, |b| CLASS[usize::from(*b)]);
                    rest = trimmed
                        .iter()
                        .skip(1)
                        .fold(0, |seen, b| seen | CLASS[usize::from(*b)]);
                }
            }
            if !raw.is_empty()
                && (raw.len() <= MAX_WORD_CHARS || raw.chars().count() <= MAX_WORD_CHARS)
            {
                return Some(Word {
                    raw,
                    start: word_start,
                    first,
                    rest,
                    entities,
                });
            }
        }
    }
}

/// Where the tag that starts at byte `at` ends: just past its `>`, or at the end of the text
/// for a tag never closed (which hides the rest). Sixteen bytes at a time: tags with attributes
/// are much of a rendered body. Inlined into the word loop: so it needs few registers, and a
/// call cost about as much as the search for most tags.
#[inline(always)]
fn tag_end(bytes: &[u8], at: usize) -> usize {
    let mut from = at + 1;
    while let Some(sixteen) = bytes.get(from..).and_then(<[u8]>::first_chunk) {
        let closing = first_closing_bracket(sixteen);
        if closing < SIXTEEN {
            return from + closing + 1;
        }
        from += SIXTEEN;
    }
    bytes[from.min(bytes.len())..]
        .iter()
        .position(|b| *b == b'>')
        .map_or(bytes.len(), |end| from + end + 1)
}

const SIXTEEN: usize = 16;

/// Where the first `>` of `window` is, 16 if it has none. SSE2 compares the sixteen bytes at
/// once.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn first_closing_bracket(window: &[u8; SIXTEEN]) -> usize {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set_epi64x, _mm_set1_epi8};
    let (low, high) = (eight_bytes(&window[..8]), eight_bytes(&window[8..]));
    // SAFETY: these intrinsics only need SSE2, which this is compiled for (`cfg` above); they
    // read and write no memory.
    let closing = unsafe {
        let bytes = _mm_set_epi64x(high as i64, low as i64);
        _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'>' as i8))) as u32
    };
    (closing | 1 << SIXTEEN).trailing_zeros() as usize
}

/// [`first_closing_bracket`] eight bytes at a time.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn first_closing_bracket(window: &[u8; SIXTEEN]) -> usize {
    first_closing_bracket_by_eight(window)
}

/// [`first_closing_bracket`] eight bytes at a time, each byte's test carried in its high bit.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline(always)]
fn first_closing_bracket_by_eight(window: &[u8; SIXTEEN]) -> usize {
    // The lowest flag is exact, and it is the first `>`.
    let closing = |eight: &[u8]| {
        crate::json::equal_bytes(eight_bytes(eight), b'>').trailing_zeros() as usize / 8
    };
    match closing(&window[..8]) {
        8 => 8 + closing(&window[8..]),
        low => low,
    }
}

/// A word as indexing takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// The [`key`] of a word for which [`Word::is_short_ascii`] holds and that has no parts
    /// ([`Word::may_have_parts`]): most words of running text.
    Key(u128),
    /// Any other word.
    Word(Word<'a>),
}

/// Hands each word of a text (or of rendered HTML), as [`Words`] finds it, with `state` to
/// `each_key` as its [`Token::Key`] or to `each_word` (any [`Token::Word`]). A plain word, as
/// most are, is read whole from the sixteen bytes where it starts ([`letter_word_at`],
/// [`plain_word_at`]); anything else is left to [`Words`]. One loop, which the caller's
/// `each_key` is inlined into: a word of running text is read and handed over without going
/// through memory.
pub(crate) fn each_token<'a, const HTML: bool, S>(
    text: &'a str,
    state: &mut S,
    mut each_key: impl FnMut(&mut S, u128),
    mut each_word: impl FnMut(&mut S, Word<'a>),
) {
    let mut at = 0;
    loop {
        // The key of a word and where the next one is to be looked for, kept in registers
        // (a whole token would go through memory).
        let (key, next) = match plain_token::<HTML>(text, at) {
            Ok(plain) => plain,
            Err(word_at) => match word_token::<HTML>(text, word_at) {
                None => return,
                Some((Token::Key(key), next)) => (key, next),
                Some((Token::Word(word), next)) => {
                    each_word(state, word);
                    at = next;
                    continue;
                }
            },
        };
        // The one call of `each_key`, so that it is inlined here.
        each_key(state, key);
        at = next;
    }
}

/// The key of the plain word that is the first token of `text` from byte `at` on, and where
/// the next one is to be looked for; or where [`word_token`] is to look for it.
#[inline(always)]
fn plain_token<const HTML: bool>(text: &str, mut at: usize) -> Result<(u128, usize), usize> {
    let table = if HTML { &HTML_CLASS } else { &CLASS };
    let bytes = text.as_bytes();
    // Over what separates words as `Words` does, up to a plain word; at anything else (a
    // joiner, an apostrophe, an entity, a character beyond ASCII) `Words` goes on from there,
    // as it would have from where this started.
    while let Some(byte) = bytes.get(at) {
        let class = table[usize::from(*byte)];
        // Letters first: most bytes looked at here start a word (the space after a plain word
        // is passed over with the word).
        let plain = if class & (LOWER | UPPER) != 0 {
            letter_word_at::<HTML>(bytes, at).or_else(|| other_plain_word_at::<HTML>(bytes, at))
        } else if class == 0 {
            at += 1;
            continue;
        } else if HTML && *byte == b'<' {
            at = tag_end(bytes, at);
            continue;
        } else if class & DIGIT != 0 {
            plain_word_at::<HTML>(bytes, at)
        } else {
            None
        };
        return plain.ok_or(at);
    }
    Err(at)
}

/// [`plain_word_at`] out of the loop over words, for the plain words that start with a letter
/// and that [`letter_word_at`] does not read (with a digit or a capital inside, or long): few,
/// and the constants it needs would otherwise be made for every word.
#[inline(never)]
fn other_plain_word_at<const HTML: bool>(bytes: &[u8], at: usize) -> Option<(u128, usize)> {
    plain_word_at::<HTML>(bytes, at)
}

/// The token [`plain_token`] left to [`Words`], and where the next one is to be looked for.
#[inline(never)]
fn word_token<const HTML: bool>(text: &str, at: usize) -> Option<(Token<'_>, usize)> {
    let mut words = Words::<HTML>::new(text);
    words.at = at;
    let word = words.next()?;
    let token = if word.is_short_ascii() && !word.may_have_parts() {
        Token::Key(ascii_key(text, &word))
    } else {
        Token::Word(word)
    };
    Some((token, words.at))
}

/// [`plain_word_at`] for a word that starts with an ASCII letter at byte `at`, its other
/// bytes lower-case ASCII letters, followed by what ends a word whatever comes next, perhaps
/// after one full stop, as most words of running text are: fewer steps, and `None` for any
/// other word, which [`plain_word_at`] then reads.
#[inline(always)]
fn letter_word_at<const HTML: bool>(bytes: &[u8], at: usize) -> Option<(u128, usize)> {
    // (`at` is within `bytes`, so only the bytes after it need counting.)
    let window: &[u8; KEY_BYTES] = bytes.get(at..)?.first_chunk()?;
    let length = leading_letters(window);
    // Sixteen letters: the word may go on.
    let mut next = at + length;
    let after = *window.get(length)?;
    let step = word_end::<HTML>(after);
    if step != 0 {
        next += usize::from(step - 1);
    } else {
        // `timeout.` at the end of a sentence: the full stop is trimmed. (The end of the text
        // ends a word as a space does.)
        let end = bytes.get(next + 1).copied();
        if after != b'.' || !end.is_none_or(ends_any_word::<HTML>) {
            return None;
        }
        next += 1 + end.map_or(0, past_space);
    }
    // The word's bytes (fewer than sixteen here), lower-cased: the first letter gets its bit
    // 0x20, which the others have.
    let key = (u128::from_le_bytes(*window) | 0x20) & KEY_MASKS[length];
    Some((key, next))
}

/// By length, the mask of the bytes of a [`key`] of that length: a table, as a shift of a
/// `u128` by a variable amount takes several steps.
const KEY_MASKS: [u128; KEY_BYTES] = {
    let mut masks = [0; KEY_BYTES];
    let mut length = 1;
    while length < KEY_BYTES {
        masks[length] = u128::MAX >> (8 * (KEY_BYTES - length));
        length += 1;
    }
    masks
};

/// How many bytes `window` starts with that are ASCII lower-case letters, its first byte
/// counted whatever it is (a letter of either case, which the caller has seen): 16 if all are.
/// SSE2 compares the sixteen bytes at once: fewer steps than eight bytes at a time
/// ([`leading_letters_by_eight`]), for nearly every word of every body.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn leading_letters(window: &[u8; KEY_BYTES]) -> usize {
    use std::arch::x86_64::{
        _mm_add_epi8, _mm_cmplt_epi8, _mm_movemask_epi8, _mm_set_epi64x, _mm_set1_epi8,
    };
    let (low, high) = (eight_bytes(&window[..8]), eight_bytes(&window[8..]));
    // SAFETY: these intrinsics only need SSE2, which this is compiled for (`cfg` above); they
    // read and write no memory.
    let in_word = unsafe {
        let bytes = _mm_set_epi64x(high as i64, low as i64);
        // `a` moved to the lowest signed byte, -128, and `z` to -103: the letters are then
        // the bytes below -102 (the comparison is signed).
        let moved = _mm_add_epi8(bytes, _mm_set1_epi8(0x80u8.wrapping_sub(b'a') as i8));
        let letters = _mm_cmplt_epi8(moved, _mm_set1_epi8((0x80 + 26u8) as i8));
        _mm_movemask_epi8(letters) as u32 | 1
    };
    (!in_word).trailing_zeros() as usize
}

/// [`leading_letters`] eight bytes at a time.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn leading_letters(window: &[u8; KEY_BYTES]) -> usize {
    leading_letters_by_eight(window)
}

/// [`leading_letters`] eight bytes at a time, each byte's test carried in its high bit.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline(always)]
fn leading_letters_by_eight(window: &[u8; KEY_BYTES]) -> usize {
    let low_mask = leading_bytes(ascii_lower_letters(eight_bytes(&window[..8])) | 0x80);
    let high_mask = if low_mask == u64::MAX {
        leading_bytes(ascii_lower_letters(eight_bytes(&window[8..])))
    } else {
        0
    };
    (low_mask.trailing_ones() + high_mask.trailing_ones()) as usize / 8
}

/// Of eight bytes, those that are ASCII lower-case letters, each as its high bit (as
/// [`ascii_letters_and_digits`] tests ranges).
#[inline(always)]
fn ascii_lower_letters(bytes: u64) -> u64 {
    let seven = bytes & !HIGH_BITS;
    let from_a = seven + ONES * u64::from(0x80 - b'a');
    let past_z = seven + ONES * u64::from(0x80 - b'z' - 1);
    from_a & !past_z & !bytes & HIGH_BITS
}

/// The key of the word that starts at byte `at` with an ASCII letter or digit, and where to go
/// on after it (past a space that follows it, which [`Words`] would pass over), when the word
/// is plain: ASCII letters and digits only, shorter
/// than [`KEY_BYTES`] (the end of the text is as a space), no capital after its first letter and not `0x` (so it has no parts),
/// and followed by what ends a word whatever comes next ([`ends_any_word`]), perhaps after
/// joiners and apostrophes that are trimmed (`timeout.` at the end of a sentence). What
/// [`Words`] would find there and [`ascii_key`] make of it, from one look at sixteen bytes.
#[inline(always)]
fn plain_word_at<const HTML: bool>(bytes: &[u8], at: usize) -> Option<(u128, usize)> {
    let window: [u8; KEY_BYTES] = match bytes.get(at..at + KEY_BYTES) {
        Some(window) => window.try_into().unwrap_or_default(),
        None => window_with_spaces(&bytes[at..]),
    };
    let low = eight_bytes(&window[..8]);
    let (low_word, low_upper) = ascii_letters_and_digits(low);
    let low_mask = leading_bytes(low_word);
    // Most words are shorter than eight bytes: the second eight only for the others.
    let (high, high_mask, high_upper) = if low_mask == u64::MAX {
        let high = eight_bytes(&window[8..]);
        let (high_word, high_upper) = ascii_letters_and_digits(high);
        (high, leading_bytes(high_word), high_upper)
    } else {
        (0, 0, 0)
    };
    let length = (low_mask.trailing_ones() + high_mask.trailing_ones()) as usize / 8;
    // Sixteen letters and digits: the word may go on.
    let mut after = *window.get(length)?;
    let mut next = at + length;
    if CLASS[usize::from(after)] & (JOINER | APOSTROPHE) != 0 {
        let rest = &bytes[next..];
        next += rest
            .iter()
            .position(|b| CLASS[usize::from(*b)] & (JOINER | APOSTROPHE) == 0)
            .unwrap_or(rest.len());
        // The end of the text ends a word as a space does.
        after = bytes.get(next).copied().unwrap_or(b' ');
    }
    // A capital after the first byte starts a part; `0x…` has its digits as one (both bytes
    // are letters or digits when `x` is one).
    let capital_inside = (low_upper & low_mask & !0x80) | (high_upper & high_mask) != 0;
    let hex = window[0] == b'0' && (window[1] | 0x20) == b'x';
    if !ends_any_word::<HTML>(after) || capital_inside || hex {
        return None;
    }
    // Lower-cased: only the first byte may be a capital, which gets its bit 0x20.
    let low = (low | (low_upper >> 2)) & low_mask;
    let high = high & high_mask;
    // The byte itself: `after` is a space past the end of the text too.
    let space = bytes.get(next).copied().map_or(0, past_space);
    Some((u128::from(low) | (u128::from(high) << 64), next + space))
}

/// 1 if the byte after a plain word is a space, as it mostly is: [`Words`] would pass over it,
/// so the word's reader does, rather than the loop looking at it again.
#[inline(always)]
fn past_space(after: u8) -> usize {
    usize::from(after == b' ')
}

/// The last bytes of a text, fewer than [`KEY_BYTES`], as if spaces followed them.
#[cold]
fn window_with_spaces(end: &[u8]) -> [u8; KEY_BYTES] {
    let mut window = [b' '; KEY_BYTES];
    window[..end.len()].copy_from_slice(end);
    window
}

/// A byte that ends a word, whatever follows it: not a word character or the start of one
/// (in HTML, `&` may start an apostrophe; `<` starts a tag, which ends a word).
#[inline]
const fn ends_any_word<const HTML: bool>(byte: u8) -> bool {
    CLASS[byte as usize] == 0 && !(HTML && byte == b'&')
}

/// For the byte after a plain word: 0 if it may not end the word ([`ends_any_word`]), else 1
/// and the bytes passed over with the word ([`past_space`]). One look at a table for the
/// word reader's two questions, asked after nearly every word of every body.
#[inline(always)]
fn word_end<const HTML: bool>(after: u8) -> u8 {
    const fn steps<const HTML: bool>() -> [u8; 256] {
        let mut steps = [0; 256];
        let mut byte = 0;
        while byte < 256 {
            if ends_any_word::<HTML>(byte as u8) {
                steps[byte] = 1 + (byte as u8 == b' ') as u8;
            }
            byte += 1;
        }
        steps
    }
    const TEXT: [u8; 256] = steps::<false>();
    const HTML_STEPS: [u8; 256] = steps::<true>();
    if HTML {
        HTML_STEPS[usize::from(after)]
    } else {
        TEXT[usize::from(after)]
    }
}

/// Of eight bytes whose high bits tell which are in a set, the mask of those before the first
/// that is not: all eight if none.
#[inline]
fn leading_bytes(in_set: u64) -> u64 {
    let outside = !in_set & HIGH_BITS;
    let first_outside = outside & outside.wrapping_neg();
    (first_outside >> 7).wrapping_sub(1)
}

/// A word with apostrophes written as entities, decoded (the only entities in a word).
pub(crate) fn decode_entities(raw: &str) -> String {
    raw.replace("&#39;", "'").replace("&#x27;", "'")
}

const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
/// A one in every byte.
const ONES: u64 = u64::MAX / 0xff;

/// Of eight bytes, those that are ASCII letters or digits and those that are capitals, each as
/// its high bit. Each range test adds to every byte a number that carries into its high bit
/// from the start of the range, and no byte carries into the next: the bytes tested have it
/// clear.
#[inline]
fn ascii_letters_and_digits(bytes: u64) -> (u64, u64) {
    let from = |low: u8| ONES * u64::from(0x80 - low);
    let seven = bytes & !HIGH_BITS;
    let folded = seven | (ONES * 0x20);
    let letter = (folded + from(b'a')) & !(folded + from(b'z' + 1));
    let digit = (seven + from(b'0')) & !(seven + from(b'9' + 1));
    let upper = (seven + from(b'A')) & !(seven + from(b'Z' + 1));
    let ascii = !bytes & HIGH_BITS;
    ((letter | digit) & ascii, upper & ascii)
}

/// Drops the joiners and apostrophes at the ends of a run of word characters (every other
/// word character is a letter or a digit).
fn trim_word(word: &str) -> &str {
    const CURLY: &str = "\u{2019}";
    let bytes = word.as_bytes();
    let (mut start, mut end) = (0, bytes.len());
    while start < end {
        if CLASS[usize::from(bytes[start])] & (JOINER | APOSTROPHE) != 0 {
            start += 1;
        } else if word[start..end].starts_with(CURLY) {
            start += CURLY.len();
        } else {
            break;
        }
    }
    while start < end {
        if CLASS[usize::from(bytes[end - 1])] & (JOINER | APOSTROPHE) != 0 {
            end -= 1;
        } else if word[start..end].ends_with(CURLY) {
            end -= CURLY.len();
        } else {
            break;
        }
    }
    &word[start..end]
}

/// A word as it is indexed: lower-case, apostrophes dropped.
pub fn normalize(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    normalize_into(word, &mut out);
    out
}

/// [`normalize`] into a buffer the caller reuses (indexing a body calls this for every word).
pub fn normalize_into(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() && !word.contains('\'') {
        out.push_str(word);
        out.make_ascii_lowercase();
        return;
    }
    let kept: String = word.chars().filter(|c| !is_apostrophe(*c)).collect();
    out.push_str(&kept.to_lowercase());
}

/// The longest term a key holds: most terms.
pub(crate) const KEY_BYTES: usize = 16;

/// A term of at most [`KEY_BYTES`] bytes as one number, its bytes padded with zeros: no term
/// has a zero byte, so two terms have the same key exactly when they are the same term, and a
/// key is compared and hashed without a loop.
pub(crate) fn key(term: &str) -> Option<u128> {
    let bytes = term.as_bytes();
    let length = bytes.len();
    // Two loads of eight, four or one byte, from the start and to the end, that overlap in
    // the middle (the bytes they both have are the same): no copy of a length only known when
    // the term is, a call for each of the parts of every code and identifier.
    let (low, high) = if length > KEY_BYTES {
        return None;
    } else if length >= 8 {
        let last = u64::from_le_bytes(bytes[length - 8..].try_into().ok()?);
        // The bytes after the first eight, at the bottom.
        let high = if length > 8 {
            last >> (8 * (KEY_BYTES - length))
        } else {
            0
        };
        (u64::from_le_bytes(bytes[..8].try_into().ok()?), high)
    } else if length >= 4 {
        let first = u32::from_le_bytes(bytes[..4].try_into().ok()?);
        let last = u32::from_le_bytes(bytes[length - 4..].try_into().ok()?);
        (u64::from(first) | u64::from(last) << (8 * (length - 4)), 0)
    } else if length > 0 {
        let byte = |at: usize| u64::from(bytes[at]) << (8 * at);
        (byte(0) | byte(length / 2) | byte(length - 1), 0)
    } else {
        (0, 0)
    };
    Some(u128::from(low) | u128::from(high) << 64)
}

/// [`key`] by a copy into sixteen zero bytes.
#[cfg(test)]
fn copied_key(term: &str) -> Option<u128> {
    let bytes = term.as_bytes();
    let mut padded = [0u8; KEY_BYTES];
    padded.get_mut(..bytes.len())?.copy_from_slice(bytes);
    Some(u128::from_le_bytes(padded))
}

/// The term of a [`key`].
pub(crate) fn key_term(key: u128) -> String {
    key_str(&key.to_le_bytes()).to_string()
}

/// The term of a [`key`] whose bytes are `bytes`, without a copy: a key has no zero byte
/// before its last one, so its length is where its zero bytes at the top start.
fn key_str(bytes: &[u8; KEY_BYTES]) -> &str {
    let length = bytes
        .iter()
        .rposition(|b| *b != 0)
        .map_or(0, |last| last + 1);
    std::str::from_utf8(&bytes[..length]).unwrap_or_default()
}

/// Whether the term of a [`key`] is a stop word ([`is_stop_word`]), without making the term:
/// among the stop words' keys, compared as numbers (a stop word's key fits in a `u64`). Every
/// new term of a run is looked up here.
pub(crate) fn is_stop_key(key: u128) -> bool {
    key >> (8 * MAX_STOP_WORD_BYTES) == 0 && STOP_KEYS.contains(&(key as u64))
}

/// The [`key`] of each stop word.
const STOP_KEYS: [u64; STOP_WORDS.len()] = {
    let mut keys = [0; STOP_WORDS.len()];
    let mut word = 0;
    while word < STOP_WORDS.len() {
        let bytes = STOP_WORDS[word].as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            keys[word] |= (bytes[at] as u64) << (8 * at);
            at += 1;
        }
        word += 1;
    }
    keys
};

/// The [`key`] of the lower-cased form of `word` of `text`, a word for which
/// [`Word::is_short_ascii`] holds, read from the text and lower-cased eight bytes at a time.
#[inline]
pub(crate) fn ascii_key(text: &str, word: &Word) -> u128 {
    let length = word.raw.len();
    // Sixteen bytes from the word's start, read as two numbers (the bytes after the word are
    // masked off); a word near the end of the text is copied first.
    let (low, high) = match text.as_bytes().get(word.start..word.start + KEY_BYTES) {
        Some(window) => (eight_bytes(&window[..8]), eight_bytes(&window[8..])),
        None => window_at_end(word.raw.as_bytes()),
    };
    let (low_mask, high_mask) = if length >= 8 {
        (u64::MAX, byte_mask(length - 8))
    } else {
        (byte_mask(length), 0)
    };
    let low = ascii_lowercase(low & low_mask);
    let high = ascii_lowercase(high & high_mask);
    u128::from(low) | (u128::from(high) << 64)
}

#[inline(always)]
fn eight_bytes(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes.try_into().unwrap_or_default())
}

#[cold]
fn window_at_end(word: &[u8]) -> (u64, u64) {
    let mut window = [0u8; KEY_BYTES];
    window[..word.len()].copy_from_slice(word);
    (eight_bytes(&window[..8]), eight_bytes(&window[8..]))
}

/// The low `bytes` bytes of a `u64` set.
#[inline]
fn byte_mask(bytes: usize) -> u64 {
    if bytes >= 8 {
        u64::MAX
    } else {
        (1 << (8 * bytes)) - 1
    }
}

/// Eight ASCII bytes lower-cased at once: every byte is below 0x80, so adding to each does not
/// carry into the next, and its high bit is set from `A` up in the first sum and past `Z` in
/// the second.
#[inline]
fn ascii_lowercase(bytes: u64) -> u64 {
    let from_a = bytes + ONES * u64::from(0x80 - b'A');
    let past_z = bytes + ONES * u64::from(0x80 - b'Z' - 1);
    bytes | ((from_a & !past_z & (ONES * 0x80)) >> 2)
}

/// The hash of a [`key`]: its two halves xor-ed (the second is zero for most words, of at most
/// eight bytes), multiplied by a constant, and the product's halves folded together, so that
/// every byte of the key moves the low bits. One multiplication by a constant: keys are the
/// site's own words, not chosen to collide (two keys whose halves xor to one number share
/// their first slot, and are told apart there).
#[inline]
pub(crate) fn key_hash(key: u128) -> u64 {
    let halves = key as u64 ^ (key >> 64) as u64;
    let product = u128::from(halves) * u128::from(0x9e37_79b9_7f4a_7c15_u64);
    product as u64 ^ (product >> 64) as u64
}

/// How to find the parts of a word [`normalize_word`] lower-cased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// It has none.
    Whole,
    /// ASCII without apostrophes: [`ascii_parts`] cuts them from the lower-cased word; at case
    /// changes only when it has both capitals and lower-case letters.
    Ascii { mixed_case: bool },
    /// Anything else: [`parts`].
    Other,
}

/// [`normalize_into`] for a raw word, telling at the same time whether it has parts: one look
/// at each byte for the words of running text, which are short and plain ASCII.
pub(crate) fn normalize_word(raw: &str, out: &mut String) -> Shape {
    let bytes = raw.as_bytes();
    let first = bytes.first().map_or(0, |b| CLASS[usize::from(*b)]);
    let rest = bytes
        .iter()
        .skip(1)
        .fold(0, |seen, b| seen | CLASS[usize::from(*b)]);
    let seen = first | rest;
    let hex_prefix = bytes.len() >= 2 && bytes[0] == b'0' && (bytes[1] | 0x20) == b'x';
    if seen & (NON_ASCII | APOSTROPHE) != 0 {
        normalize_into(raw, out);
        let splittable =
            raw.contains(is_joiner) || raw.chars().skip(1).any(char::is_uppercase) || hex_prefix;
        return if splittable {
            Shape::Other
        } else {
            Shape::Whole
        };
    }
    out.clear();
    out.push_str(raw);
    out.make_ascii_lowercase();
    if seen & JOINER != 0 || rest & UPPER != 0 || hex_prefix {
        Shape::Ascii {
            mixed_case: seen & (LOWER | UPPER) == LOWER | UPPER,
        }
    } else {
        Shape::Whole
    }
}

/// The parts of `raw`, an ASCII word without apostrophes whose lower-case form is `whole`,
/// given to `add` in the order [`parts`] finds them, repeats included, `whole` never.
pub(crate) fn ascii_parts<'w>(
    raw: &str,
    whole: &'w str,
    mixed_case: bool,
    mut add: impl FnMut(&'w str),
) {
    if let Some(digits) = hex_digits(whole) {
        add(digits);
        return;
    }
    let bytes = raw.as_bytes();
    // A piece is cut where a capital meets a lower-case letter, so only in a word that has both
    // (`mixed_case`): most words with parts (codes in capitals, settings in lower case) have
    // not, and their pieces are not looked at again one byte at a time.
    let lower = |b: u8| b.is_ascii_lowercase();
    let upper = |b: u8| b.is_ascii_uppercase();
    let mut start = 0;
    while start < bytes.len() {
        let end = bytes[start..]
            .iter()
            .position(|b| CLASS[usize::from(*b)] == JOINER)
            .map_or(bytes.len(), |at| start + at);
        if end > start {
            if end - start != whole.len() {
                add(&whole[start..end]);
            }
            // The case pieces of the piece, as `case_pieces` cuts them.
            let mut from = start;
            if mixed_case {
                for i in start + 1..end {
                    let (previous, current) = (bytes[i - 1], bytes[i]);
                    let next_is_lower = i + 1 < end && lower(bytes[i + 1]);
                    if (lower(previous) && upper(current))
                        || (upper(previous) && upper(current) && next_is_lower)
                    {
                        add(&whole[from..i]);
                        from = i;
                    }
                }
            }
            if from > start {
                add(&whole[from..end]);
            }
        }
        start = end + 1;
    }
}

/// The lower-cased words of `text`, in order.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    raw_words(text).map(normalize)
}

/// `0x80070005` → `80070005`.
fn hex_digits(normalized: &str) -> Option<&str> {
    let digits = normalized.strip_prefix("0x")?;
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_hexdigit())).then_some(digits)
}

/// The parts of a raw word, lower-cased, without the word itself and without repeats.
pub fn parts(raw: &str) -> Vec<String> {
    let mut whole = String::new();
    let mut found: Vec<String> = Vec::new();
    match normalize_word(raw, &mut whole) {
        Shape::Whole => {}
        Shape::Ascii { mixed_case } => ascii_parts(raw, &whole, mixed_case, |part| {
            if !found.iter().any(|f| f == part) {
                found.push(part.to_string());
            }
        }),
        Shape::Other => found = general_parts(raw, &whole),
    }
    found
}

/// [`parts`] of any word, one character at a time.
fn general_parts(raw: &str, whole: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut add = |part: String| {
        if !part.is_empty() && part != whole && !found.contains(&part) {
            found.push(part);
        }
    };
    if let Some(digits) = hex_digits(whole) {
        add(digits.to_string());
        return found;
    }
    for piece in raw.split(is_joiner).filter(|p| !p.is_empty()) {
        add(normalize(piece));
        for sub in case_pieces(piece) {
            add(normalize(sub));
        }
    }
    found
}

/// Splits at lower→upper (`connectionRefused`) and at the end of a capital run followed by a
/// lower-case letter (`IOException` → `IO`, `Exception`).
fn case_pieces(piece: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = piece.char_indices().collect();
    let mut pieces = Vec::new();
    let mut start = 0;
    for i in 1..chars.len() {
        let (previous, current) = (chars[i - 1].1, chars[i].1);
        let next_is_lower = chars.get(i + 1).is_some_and(|(_, c)| c.is_lowercase());
        let boundary = (previous.is_lowercase() && current.is_uppercase())
            || (previous.is_uppercase() && current.is_uppercase() && next_is_lower);
        if boundary {
            pieces.push(&piece[start..chars[i].0]);
            start = chars[i].0;
        }
    }
    if start > 0 {
        pieces.push(&piece[start..]);
    }
    pieces
}

/// The length of the longest stop word: longer words, most of them, need no search.
const MAX_STOP_WORD_BYTES: usize = 5;

pub fn is_stop_word(word: &str) -> bool {
    word.len() <= MAX_STOP_WORD_BYTES && STOP_WORDS.binary_search(&word).is_ok()
}

#[cfg(test)]
/// Strings made of the pieces that make tokenizing hard, by a fixed pseudo-random walk.
pub(crate) fn tricky_samples(count: usize) -> Vec<String> {
    tricky_texts(count, 14, 0x2545_f491_4f6c_dd1d)
}

#[cfg(test)]
/// [`tricky_samples`] of up to `most_pieces` pieces, from `seed`.
pub(crate) fn tricky_texts(count: usize, most_pieces: usize, seed: u64) -> Vec<String> {
    const PIECES: &[&str] = &[
        "a",
        "Z",
        "9",
        "_",
        "-",
        ".",
        "+",
        "'",
        "\u{2019}",
        "é",
        "É",
        "Σ",
        "ß",
        "İ",
        " ",
        "\n",
        ",",
        "(",
        "<b>",
        "</b>",
        "<",
        ">",
        "&amp;",
        "&lt;",
        "&gt;",
        "&quot;",
        "&#39;",
        "&#x27;",
        "&",
        "&#39",
        "0x",
        "0X",
        "1f",
        "IO",
        "Exception",
        "err",
        "ERR_",
        "http",
        "HTTPServer",
        "the",
        "The",
        "isn",
        "t",
        "connectionRefused",
        "401.1",
        "x",
        "abcdefghijklmnop",
        "q",
        "ABCDEFGH",
        "\u{3000}",
        "٣",
        "ǅ",
        "abcdefg",
        "Abcdefgh",
        "abcdefghijklmno",
        "aBc",
        "0x1F",
        "timeout.",
        "dogs'",
        "..",
        " end. ",
        "</p>",
        "<span class=\"hl-x\">",
    ];
    let mut next = crate::test_random::numbers(seed);
    (0..count)
        .map(|_| {
            let length = 1 + next(most_pieces);
            (0..length).map(|_| PIECES[next(PIECES.len())]).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP_WORDS.iter().all(|w| w.len() <= MAX_STOP_WORD_BYTES));
    }

    #[test]
    fn codes_stay_whole_words() {
        let cases: &[(&str, &[&str])] = &[
            (
                "HTTP Error 401 - Unauthorized",
                &["http", "error", "401", "unauthorized"],
            ),
            (
                "net::ERR_CONNECTION_REFUSED",
                &["net", "err_connection_refused"],
            ),
            (
                "error[E0308]: mismatched types",
                &["error", "e0308", "mismatched", "types"],
            ),
            (
                "Error 0x80070005 (Access denied).",
                &["error", "0x80070005", "access", "denied"],
            ),
            (
                "HTTP Error 401.1 - Unauthorized",
                &["http", "error", "401.1", "unauthorized"],
            ),
            (
                "The remote server returned an error: (401) Unauthorized.",
                &[
                    "the",
                    "remote",
                    "server",
                    "returned",
                    "an",
                    "error",
                    "401",
                    "unauthorized",
                ],
            ),
            (
                "This page isn't working",
                &["this", "page", "isnt", "working"],
            ),
            ("-- ... __", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(
                words(text).collect::<Vec<_>>(),
                *expected,
                "words of {text:?}"
            );
        }
    }

    #[test]
    fn words_split_into_parts_at_joiners_and_case() {
        let cases: &[(&str, &[&str])] = &[
            ("ERR_CONNECTION_REFUSED", &["err", "connection", "refused"]),
            ("401.1", &["401", "1"]),
            (
                "java.io.IOException",
                &["java", "io", "ioexception", "exception"],
            ),
            ("connectionRefused", &["connection", "refused"]),
            ("HTTPServer", &["http", "server"]),
            ("well-known", &["well", "known"]),
            ("0x80070005", &["80070005"]),
            ("0xC0000005", &["c0000005"]),
            ("E0308", &[]),
            ("401", &[]),
        ];
        for (word, expected) in cases {
            assert_eq!(parts(word), *expected, "parts of {word:?}");
        }
    }

    #[test]
    fn overlong_words_are_not_indexed() {
        let long = "a".repeat(MAX_WORD_CHARS + 1);
        assert_eq!(
            words(&format!("x {long} y")).collect::<Vec<_>>(),
            ["x", "y"]
        );
    }

    #[test]
    fn html_is_read_like_its_text() {
        let mut samples = tricky_samples(20_000);
        samples.extend(
            [
                "<p>Use <code>a &lt;b&gt;</code> &amp; go</p>",
                "isn&#39;t it, don&#x27;t &#39;quoted&#39; rock&#39;n&#39;roll",
                "AT&amp;T &amp;#39; &copy; a&b <unclosed tag and text",
                "&#39;&#39; &#39; x&#39; &#39;y <a href=\"x\">link</a>text",
            ]
            .map(String::from),
        );
        for html in samples {
            let text = crate::search::html_text(&html);
            let expected: Vec<&str> = raw_words(&text).collect();
            let mut found = Vec::new();
            for word in Words::<true>::new(&html) {
                if word.entities {
                    found.extend(raw_words(&decode_entities(word.raw)).map(str::to_string));
                } else {
                    found.push(word.raw.to_string());
                }
            }
            assert_eq!(found, expected, "words of {html:?}");
        }
    }

    fn push_key(tokens: &mut Vec<Token>, key: u128) {
        tokens.push(Token::Key(key));
    }

    fn push_word<'a>(tokens: &mut Vec<Token<'a>>, word: Word<'a>) {
        tokens.push(Token::Word(word));
    }

    /// The tokens of `text` as `Words` finds its words, one at a time.
    fn tokens_word_by_word<const HTML: bool>(text: &str) -> Vec<Token<'_>> {
        Words::<HTML>::new(text)
            .map(|word| {
                if word.is_short_ascii() && !word.may_have_parts() {
                    Token::Key(ascii_key(text, &word))
                } else {
                    Token::Word(word)
                }
            })
            .collect()
    }

    #[test]
    fn plain_words_read_whole_are_those_found_one_at_a_time() {
        // Short texts, whose words are near their end, and long ones.
        let mut texts = tricky_samples(10_000);
        texts.extend(tricky_texts(10_000, 40, 0x9e37_79b9_7f4a_7c15));
        let mut plain = 0;
        for text in texts {
            let mut tokens = Vec::new();
            each_token::<false, _>(&text, &mut tokens, push_key, push_word);
            assert_eq!(tokens, tokens_word_by_word::<false>(&text), "{text:?}");
            let mut tokens = Vec::new();
            each_token::<true, _>(&text, &mut tokens, push_key, push_word);
            assert_eq!(tokens, tokens_word_by_word::<true>(&text), "HTML {text:?}");
            let bytes = text.as_bytes();
            plain += (0..bytes.len())
                .filter(|at| plain_word_at::<true>(bytes, *at).is_some())
                .count();
        }
        assert!(plain > 100_000, "only {plain} plain words read whole");
    }

    #[test]
    fn leading_letters_are_counted_as_one_byte_at_a_time() {
        // Every byte value at every place, among letters and the bytes around them.
        let mut next = crate::test_random::numbers(0x9e37_79b9_7f4a_7c15);
        let near = [
            b'a', b'z', b'm', b'`', b'{', b'A', b'Z', b' ', 0x80, 0xe1, 0xff, 0,
        ];
        for round in 0..200_000 {
            let mut window = [0u8; KEY_BYTES];
            for byte in &mut window {
                *byte = if next(4) == 0 {
                    next(256) as u8
                } else if next(3) == 0 {
                    near[next(near.len())]
                } else {
                    b'a' + next(26) as u8
                };
            }
            let expected = 1 + window[1..]
                .iter()
                .take_while(|b| b.is_ascii_lowercase())
                .count();
            assert_eq!(leading_letters(&window), expected, "{window:?} ({round})");
            assert_eq!(leading_letters_by_eight(&window), expected, "{window:?}");
        }
    }

    #[test]
    fn letter_words_read_whole_are_those_plain_words_read_whole() {
        let mut texts = tricky_samples(10_000);
        texts.extend(tricky_texts(10_000, 40, 0x9e37_79b9_7f4a_7c15));
        let mut letters = 0;
        for text in texts {
            let bytes = text.as_bytes();
            for at in 0..bytes.len() {
                if CLASS[usize::from(bytes[at])] & (LOWER | UPPER) == 0 {
                    continue;
                }
                let found = letter_word_at::<true>(bytes, at);
                if found.is_some() {
                    letters += 1;
                    assert_eq!(found, plain_word_at::<true>(bytes, at), "{text:?} at {at}");
                }
                let found = letter_word_at::<false>(bytes, at);
                if found.is_some() {
                    assert_eq!(found, plain_word_at::<false>(bytes, at), "{text:?} at {at}");
                }
            }
        }
        assert!(letters > 50_000, "only {letters} words read whole");
    }

    /// Keys made with overlapping loads are those of a copy, for terms of every length (up to
    /// one past the longest key), each byte anything.
    #[test]
    fn keys_are_those_of_a_copy() {
        let mut next = crate::test_random::numbers(0x2545_f491_4f6c_dd1d);
        let mut seen = [0usize; KEY_BYTES + 2];
        for _ in 0..20_000 {
            let length = next(KEY_BYTES + 2);
            // Bytes 1 to 127: any ASCII but the zero a term never has.
            let term: String = (0..length)
                .map(|_| char::from(1 + next(127) as u8))
                .collect();
            assert_eq!(key(&term), copied_key(&term), "{term:?}");
            seen[length] += 1;
        }
        assert!(seen.iter().all(|count| *count > 500), "{seen:?}");
        assert_eq!(key(""), Some(0));
        assert_eq!(key("é"), copied_key("é"));
    }

    #[test]
    fn stop_keys_are_the_keys_of_stop_words() {
        let mut terms: Vec<String> = Vec::new();
        for word in STOP_WORDS {
            // Each stop word, and near misses: a letter more, a letter less.
            terms.push(word.to_string());
            terms.push(format!("{word}s"));
            terms.push(format!("a{word}"));
            terms.push(word[1..].to_string());
            terms.push(word[..word.len() - 1].to_string());
        }
        for text in tricky_texts(5_000, 40, 0x2545_f491_4f6c_dd1d) {
            terms.extend(words(&text));
        }
        let mut stop = 0;
        for term in &terms {
            let Some(key) = key(term) else { continue };
            assert_eq!(key_term(key), *term);
            assert_eq!(is_stop_key(key), is_stop_word(term), "{term:?}");
            stop += usize::from(is_stop_word(term));
        }
        assert!(stop > 500, "only {stop} stop words");
    }

    #[test]
    fn first_closing_brackets_are_found_as_one_byte_at_a_time() {
        let mut next = crate::test_random::numbers(0x2545_f491_4f6c_dd1d);
        let near = [b'>', b'<', b'=', b'?', b'"', 0xbe, 0x3e ^ 0x80, 0];
        for round in 0..100_000 {
            let mut window = [b'a'; SIXTEEN];
            for byte in &mut window {
                *byte = match next(4) {
                    0 => next(256) as u8,
                    1 => near[next(near.len())],
                    _ => b'a' + next(26) as u8,
                };
            }
            let expected = window.iter().position(|b| *b == b'>').unwrap_or(SIXTEEN);
            assert_eq!(
                first_closing_bracket(&window),
                expected,
                "{window:?} ({round})"
            );
            assert_eq!(
                first_closing_bracket_by_eight(&window),
                expected,
                "{window:?}"
            );
        }
    }

    #[test]
    fn word_ends_are_the_ends_of_any_word_and_the_spaces_after_them() {
        for byte in 0..=u8::MAX {
            let text = word_end::<false>(byte);
            let html = word_end::<true>(byte);
            assert_eq!(text != 0, ends_any_word::<false>(byte), "{byte}");
            assert_eq!(html != 0, ends_any_word::<true>(byte), "{byte}");
            if text != 0 {
                assert_eq!(usize::from(text - 1), past_space(byte), "{byte}");
            }
            if html != 0 {
                assert_eq!(usize::from(html - 1), past_space(byte), "{byte}");
            }
        }
    }

    #[test]
    fn tags_end_at_their_first_closing_bracket() {
        for text in tricky_texts(2_000, 40, 0x2545_f491_4f6c_dd1d) {
            let bytes = text.as_bytes();
            for at in 0..bytes.len() {
                let expected = bytes[at + 1..]
                    .iter()
                    .position(|b| *b == b'>')
                    .map_or(bytes.len(), |end| at + 1 + end + 1);
                assert_eq!(tag_end(bytes, at), expected, "{text:?} at {at}");
            }
        }
    }

    /// What `parts` was before it had an ASCII path: one character at a time.
    fn parts_by_characters(raw: &str) -> Vec<String> {
        let splittable = raw.contains(is_joiner)
            || raw.chars().skip(1).any(char::is_uppercase)
            || raw.starts_with("0x")
            || raw.starts_with("0X");
        if !splittable {
            return Vec::new();
        }
        general_parts(raw, &normalize(raw))
    }

    #[test]
    fn keys_and_parts_of_ascii_words_are_those_of_any_word() {
        for text in tricky_samples(20_000) {
            for word in Words::<false>::new(&text) {
                let whole = normalize(word.raw);
                if word.is_short_ascii() {
                    assert_eq!(Some(ascii_key(&text, &word)), key(&whole), "{:?}", word.raw);
                    assert_eq!(key_term(ascii_key(&text, &word)), whole);
                }
                if !word.may_have_parts() {
                    assert_eq!(parts_by_characters(word.raw), Vec::<String>::new());
                }
                assert_eq!(
                    parts(word.raw),
                    parts_by_characters(word.raw),
                    "{:?}",
                    word.raw
                );
                let mut normalized = String::new();
                normalize_word(word.raw, &mut normalized);
                assert_eq!(normalized, whole);
            }
        }
    }
}
