//! A fixed pseudo-random sequence for tests that compare two ways of doing one thing on many
//! made-up inputs: the same inputs on every run, so that a failure can be repeated.

/// A source of numbers below a bound, from xorshift64 started at `seed` (which must not be 0).
pub(crate) fn numbers(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |below| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % below as u64) as usize
    }
}

/// Text made of fewer than `below` pieces (as many as `next(below)` says), each picked from
/// `pieces` by `next`.
pub(crate) fn joined(
    next: &mut impl FnMut(usize) -> usize,
    pieces: &[&str],
    below: usize,
) -> String {
    (0..next(below))
        .map(|_| pieces[next(pieces.len())])
        .collect()
}
