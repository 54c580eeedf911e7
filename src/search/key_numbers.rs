//! The numbers of short terms by [`key`](super::tokenize::key), in a table made for the one
//! lookup indexing does for nearly every word of every body.

/// Term numbers by key, by open addressing: a word seen before, as most words of a body are, is
/// found with one hash and, mostly, one slot read (a general map reads a group of control bytes
/// first). No key is 0 (no term is empty), so a slot with key 0 is free.
#[derive(Default)]
pub(crate) struct KeyNumbers {
    /// A power of two of slots, at most half of them taken; none before the first insertion.
    slots: Vec<Slot>,
    taken: usize,
}

/// A key as two numbers (a `u128` would be aligned to 16 bytes and make a slot 32 bytes).
#[derive(Clone, Copy, Default)]
struct Slot {
    key: [u64; 2],
    number: u32,
}

/// Slots of the first table: as many as the terms of a few articles.
const FIRST_SLOTS: usize = 1024;

impl KeyNumbers {
    /// The number of `key`, if it has one.
    #[inline]
    pub fn get(&self, key: u128) -> Option<u32> {
        let wanted = halves(key);
        // Without slots, the mask keeps the hash, which no slot has.
        let mask = self.slots.len().wrapping_sub(1);
        let mut at = first_slot(key) & mask;
        loop {
            let slot = self.slots.get(at)?;
            if slot.key == wanted {
                return Some(slot.number);
            }
            if slot.key == [0, 0] {
                return None;
            }
            at = (at + 1) & mask;
        }
    }

    /// Numbers `key`, which has no number yet.
    pub fn insert(&mut self, key: u128, number: u32) {
        if 2 * (self.taken + 1) > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut at = first_slot(key) & mask;
        while self.slots[at].key != [0, 0] {
            at = (at + 1) & mask;
        }
        self.slots[at] = Slot {
            key: halves(key),
            number,
        };
        self.taken += 1;
    }

    /// Twice the slots (at least [`FIRST_SLOTS`]), every key inserted again.
    #[cold]
    fn grow(&mut self) {
        let slots = (2 * self.slots.len()).max(FIRST_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); slots]);
        self.taken = 0;
        for slot in old.into_iter().filter(|slot| slot.key != [0, 0]) {
            self.insert(whole(slot.key), slot.number);
        }
    }

    /// Every key with its number, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (u128, u32)> + '_ {
        self.slots
            .iter()
            .filter(|slot| slot.key != [0, 0])
            .map(|slot| (whole(slot.key), slot.number))
    }
}

/// Where the search for `key` starts, before the mask.
#[inline]
fn first_slot(key: u128) -> usize {
    super::tokenize::key_hash(key) as usize
}

fn halves(key: u128) -> [u64; 2] {
    [key as u64, (key >> 64) as u64]
}

fn whole(halves: [u64; 2]) -> u128 {
    u128::from(halves[0]) | (u128::from(halves[1]) << 64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn numbers_are_those_a_map_keeps() {
        let mut next = crate::test_random::numbers(0x2545_f491_4f6c_dd1d);
        let mut table = KeyNumbers::default();
        let mut map: HashMap<u128, u32> = HashMap::new();
        assert_eq!(table.get(1), None, "an empty table has no key");
        // Keys of few distinct values in each byte, so that many collide in their first slot.
        let mut key = || {
            let low = next(usize::MAX) as u128 & 0x0303_0303_0303;
            let high = (next(8) as u128) << 64;
            (low | high).max(1)
        };
        for number in 0..20_000u32 {
            let key = key();
            assert_eq!(table.get(key), map.get(&key).copied(), "{key:x}");
            if let std::collections::hash_map::Entry::Vacant(vacant) = map.entry(key) {
                table.insert(key, number);
                vacant.insert(number);
            }
        }
        assert!(map.len() > 5_000, "only {} keys", map.len());
        let mut all: Vec<(u128, u32)> = table.iter().collect();
        all.sort_unstable();
        let mut expected: Vec<(u128, u32)> = map.into_iter().collect();
        expected.sort_unstable();
        assert_eq!(all, expected);
    }
}
