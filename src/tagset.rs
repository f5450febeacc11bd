//! Interned tag sets (SPEC §1).
//!
//! Every tag key in use anywhere in the process is interned once, in a
//! process-global table, and given a small integer id. A [`TagSet`] stores
//! its tags by id, and a compiled [`crate::rule::Rule`] names its tags by id,
//! so evaluating a rule compares integers and never touches a string, a lock
//! or the allocator.
//!
//! The table is **reference-counted**: each `TagSet` and each `Rule` holds one
//! reference per distinct id it uses and gives them back, in one batch under
//! one lock, when it is dropped. An entry whose count falls to zero is removed
//! and its id recycled, so the table never holds more keys than the live sets
//! and rules name (a long-lived PHP worker does not grow without limit).
//!
//! This module also holds the two small hashers of the core: [`IdHasher`] for
//! interned ids and [`SeededState`] (a per-process seeded multiply-fold hash)
//! for strings.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::Arc;

use once_cell::sync::Lazy;
use parking_lot::Mutex;

use crate::error::{Error, Result};
use crate::tags::{parse_tag, tag_key};

// ---------------------------------------------------------------------------
// Hashers
// ---------------------------------------------------------------------------

const MUL_A: u64 = 0x9E37_79B9_7F4A_7C15;
const MUL_B: u64 = 0xD6E8_FEB8_6659_FD93;

/// The 128-bit product of `a` and `b`, folded to 64 bits.
#[inline(always)]
fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// A hasher for interned ids (`u32`): one multiplication. Ids are small and
/// dense, so the low bits (the bucket) are a bijection of the id's low bits
/// and the high bits (hashbrown's tag byte) are well mixed.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    #[inline(always)]
    fn write_u32(&mut self, i: u32) {
        self.0 = u64::from(i).wrapping_mul(MUL_A);
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // Only reached for key types other than `u32`; any mixing will do.
        for &b in bytes {
            self.0 = fold_mul(self.0 ^ u64::from(b), MUL_B);
        }
    }

    #[inline(always)]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds [`IdHasher`]s.
pub(crate) type IdBuildHasher = BuildHasherDefault<IdHasher>;

/// One random seed per process for [`SeededState`], so that colliding keys
/// cannot be prepared in advance.
static PROCESS_SEED: Lazy<u64> = Lazy::new(|| {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x7461_6767_6174_6521);
    h.finish() | 1
});

/// A fast seeded string hasher in the manner of aHash's fallback: each
/// 16-byte block is one folded 128-bit multiply of the block xor-ed with two
/// secret keys, combined into the state with add/xor/rotate, so the
/// multiplies of successive blocks pipeline. A ~60-byte rule hashes in a few
/// nanoseconds, where SipHash takes several times that. The keys come from a
/// per-process random seed, and the tables that use this hasher are bounded,
/// so even an adversarial key set only costs bounded probing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SeededState {
    k0: u64,
    k1: u64,
}

impl SeededState {
    /// The state with this process's seed.
    pub(crate) fn new() -> Self {
        let seed = *PROCESS_SEED;
        SeededState {
            k0: seed,
            k1: fold_mul(seed, MUL_B) | 1,
        }
    }
}

impl Default for SeededState {
    fn default() -> Self {
        SeededState::new()
    }
}

impl BuildHasher for SeededState {
    type Hasher = StrHasher;

    #[inline]
    fn build_hasher(&self) -> StrHasher {
        StrHasher {
            h: self.k1,
            k0: self.k0,
            k1: self.k1,
        }
    }
}

/// The hasher built by [`SeededState`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct StrHasher {
    h: u64,
    k0: u64,
    k1: u64,
}

impl StrHasher {
    #[inline(always)]
    fn block(&mut self, a: u64, b: u64) {
        let m = fold_mul(a ^ self.k0, b ^ self.k1);
        self.h = (self.h.wrapping_add(self.k1) ^ m).rotate_left(23);
    }
}

/// The first 8 bytes, little-endian (0 if shorter).
#[inline(always)]
fn le64(b: &[u8]) -> u64 {
    b.get(..8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map_or(0, u64::from_le_bytes)
}

/// The first 4 bytes, little-endian (0 if shorter).
#[inline(always)]
fn le32(b: &[u8]) -> u64 {
    b.get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
}

impl Hasher for StrHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let len = bytes.len();
        self.h ^= (len as u64).wrapping_mul(MUL_A);
        if len > 16 {
            // Whole blocks, then the last 16 bytes (overlapping the previous
            // block), read in place: no copy into a padded buffer.
            let mut chunks = bytes.chunks_exact(16);
            for c in &mut chunks {
                let (a, b) = c.split_at(8);
                self.block(le64(a), le64(b));
            }
            if !chunks.remainder().is_empty() {
                if let Some(tail) = bytes.get(len - 16..) {
                    let (a, b) = tail.split_at(8);
                    self.block(le64(a), le64(b));
                }
            }
        } else if len >= 8 {
            let a = bytes.get(..8).map_or(0, le64);
            let b = bytes.get(len - 8..).map_or(0, le64);
            self.block(a, b);
        } else if len >= 4 {
            let a = bytes.get(..4).map_or(0, le32);
            let b = bytes.get(len - 4..).map_or(0, le32);
            self.block(a, b);
        } else if len > 0 {
            let first = bytes.first().copied().map_or(0, u64::from);
            let mid = bytes.get(len / 2).copied().map_or(0, u64::from);
            let last = bytes.last().copied().map_or(0, u64::from);
            self.block(first | (mid << 8), last);
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.block(u64::from(i), 0xFF);
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.block(u64::from(i), 0x04);
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.block(i, 0x08);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.block(i as u64, 0x08);
    }

    #[inline]
    fn finish(&self) -> u64 {
        fold_mul(self.h, MUL_B ^ self.k0).rotate_left((self.h & 63) as u32)
    }
}

// ---------------------------------------------------------------------------
// The interner
// ---------------------------------------------------------------------------

/// One id's entry: its key (`None` while the id is free) and reference count.
struct Slot {
    key: Option<Arc<str>>,
    refs: u64,
}

/// Key <-> id, reference-counted, with recycled ids.
struct Interner {
    ids: HashMap<Arc<str>, u32, SeededState>,
    slots: Vec<Slot>,
    free: Vec<u32>,
}

static INTERNER: Lazy<Mutex<Interner>> = Lazy::new(|| {
    Mutex::new(Interner {
        ids: HashMap::with_hasher(SeededState::new()),
        slots: Vec::new(),
        free: Vec::new(),
    })
});

impl Interner {
    /// The id of a key, without taking a reference.
    #[inline]
    fn lookup(&self, key: &str) -> Option<u32> {
        self.ids.get(key).copied()
    }

    /// The id of a key, taking one reference (creating the entry when new).
    fn acquire(&mut self, key: &str) -> Result<u32> {
        if let Some(&id) = self.ids.get(key) {
            if let Some(slot) = self.slots.get_mut(id as usize) {
                slot.refs = slot.refs.saturating_add(1);
            }
            return Ok(id);
        }
        let key: Arc<str> = Arc::from(key);
        let id = match self.free.pop() {
            Some(id) => {
                if let Some(slot) = self.slots.get_mut(id as usize) {
                    slot.key = Some(Arc::clone(&key));
                    slot.refs = 1;
                }
                id
            }
            None => {
                // Ids stay below u32::MAX; reaching that needs billions of
                // distinct live tags, which memory runs out of first.
                let id = u32::try_from(self.slots.len())
                    .ok()
                    .filter(|&id| id < u32::MAX)
                    .ok_or_else(|| Error::InvalidTag("too many distinct tags in use".into()))?;
                self.slots.push(Slot {
                    key: Some(Arc::clone(&key)),
                    refs: 1,
                });
                id
            }
        };
        self.ids.insert(key, id);
        Ok(id)
    }

    /// Takes one more reference to a live id.
    #[inline]
    fn add_ref(&mut self, id: u32) {
        if let Some(slot) = self.slots.get_mut(id as usize) {
            slot.refs = slot.refs.saturating_add(1);
        }
    }

    /// Gives back one reference; frees the entry and recycles the id at zero.
    fn release(&mut self, id: u32) {
        let Some(slot) = self.slots.get_mut(id as usize) else {
            return;
        };
        if slot.refs == 0 || slot.refs == u64::MAX {
            // Free already (never expected), or saturated: keep it forever.
            return;
        }
        slot.refs -= 1;
        if slot.refs == 0 {
            if let Some(key) = slot.key.take() {
                self.ids.remove(&*key);
            }
            self.free.push(id);
        }
    }
}

/// Takes one reference to each key, under one lock, and returns their ids in
/// order. All or nothing: on failure no reference is kept.
pub(crate) fn acquire_keys<'a, I>(keys: I) -> Result<Vec<u32>>
where
    I: IntoIterator<Item = &'a str>,
    I::IntoIter: ExactSizeIterator,
{
    let keys = keys.into_iter();
    let mut ids = Vec::with_capacity(keys.len());
    let mut interner = INTERNER.lock();
    for key in keys {
        match interner.acquire(key) {
            Ok(id) => ids.push(id),
            Err(e) => {
                for &id in &ids {
                    interner.release(id);
                }
                return Err(e);
            }
        }
    }
    Ok(ids)
}

/// Gives back one reference to each id, under one lock.
pub(crate) fn release_ids<I: IntoIterator<Item = u32>>(ids: I) {
    let mut ids = ids.into_iter().peekable();
    if ids.peek().is_none() {
        return;
    }
    let mut interner = INTERNER.lock();
    for id in ids {
        interner.release(id);
    }
}

/// The number of distinct tag keys currently interned (held by at least one
/// live [`TagSet`] or compiled rule). For tests and diagnostics.
pub fn interner_len() -> usize {
    INTERNER.lock().ids.len()
}

// ---------------------------------------------------------------------------
// TagSet
// ---------------------------------------------------------------------------

/// One held tag.
#[derive(Clone)]
struct Entry {
    id: u32,
    spelling: Box<str>,
    applied_at: Option<i64>,
}

/// A set of tags compared by key (SPEC §1), each with the time it was
/// applied when known, in insertion order. The first spelling seen is kept.
///
/// Cloning takes new references in the interner; dropping gives them back.
pub struct TagSet {
    /// Entries in insertion order; `None` marks a removed entry until the
    /// next compaction.
    entries: Vec<Option<Entry>>,
    /// Interned id -> position in `entries`.
    index: HashMap<u32, u32, IdBuildHasher>,
    /// How many `None`s `entries` holds.
    removed: usize,
    /// Membership by interned id, one bit per id: the evaluation hot path
    /// tests a bit instead of probing `index`. Ids are dense and recycled,
    /// so this is at most (highest live id / 8) bytes.
    bits: Vec<u64>,
}

/// The key of a tag for a look-up, borrowed when the trimmed tag is already
/// its own key (printable ASCII, no upper case, no double space: the common
/// case, with no allocation), else computed by [`tag_key`]. `None` for an
/// invalid tag.
fn key_of(tag: &str) -> Option<Cow<'_, str>> {
    if let Some(t) = own_key(tag) {
        return Some(Cow::Borrowed(t));
    }
    tag_key(tag).map(Cow::Owned)
}

/// The trimmed tag when it is valid and already its own key (printable
/// ASCII, no upper case, no double space, at most the byte limit), else
/// `None` (the tag may still be valid: [`parse_tag`] decides).
#[inline]
fn own_key(tag: &str) -> Option<&str> {
    let t = tag.trim();
    (!t.is_empty()
        && t.len() <= crate::tags::MAX_TAG_BYTES
        && t.bytes()
            .all(|b| (b.is_ascii_graphic() && !b.is_ascii_uppercase()) || b == b' ')
        && !t.contains("  "))
    .then_some(t)
}

/// Largest capacity [`TagSet::with_capacity`] reserves up front.
const MAX_PRESIZE: usize = 1 << 16;

impl TagSet {
    /// An empty set.
    pub fn new() -> Self {
        TagSet {
            entries: Vec::new(),
            index: HashMap::default(),
            removed: 0,
            bits: Vec::new(),
        }
    }

    /// An empty set with room for `n` tags (capped, so a bogus count cannot
    /// reserve huge memory).
    pub fn with_capacity(n: usize) -> Self {
        let n = n.min(MAX_PRESIZE);
        TagSet {
            entries: Vec::with_capacity(n),
            index: HashMap::with_capacity_and_hasher(n, IdBuildHasher::default()),
            removed: 0,
            bits: Vec::new(),
        }
    }

    /// Adds a tag, validating it (SPEC §1; [`Error::InvalidTag`] otherwise).
    /// Re-adding a tag held already keeps its first spelling and updates its
    /// time only when `applied_at` is `Some`.
    pub fn add(&mut self, tag: &str, applied_at: Option<i64>) -> Result<()> {
        // The common case (a tag that is its own key) needs no parsing and
        // no allocation but the spelling kept.
        let parsed;
        let (spelling, key): (&str, &str) = match own_key(tag) {
            Some(t) => (t, t),
            None => {
                parsed = parse_tag(tag)?;
                (&parsed.spelling, &parsed.key)
            }
        };
        let mut interner = INTERNER.lock();
        let id = interner.acquire(key)?;
        if let Some(&pos) = self.index.get(&id) {
            // Held already: give back the reference just taken.
            interner.release(id);
            drop(interner);
            if applied_at.is_some() {
                if let Some(Some(entry)) = self.entries.get_mut(pos as usize) {
                    entry.applied_at = applied_at;
                }
            }
            return Ok(());
        }
        let Ok(pos) = u32::try_from(self.entries.len()) else {
            interner.release(id);
            return Err(Error::InvalidTag("too many tags in one set".into()));
        };
        drop(interner);
        self.entries.push(Some(Entry {
            id,
            spelling: Box::from(spelling),
            applied_at,
        }));
        self.index.insert(id, pos);
        self.set_bit(id, true);
        Ok(())
    }

    /// The id of `tag` if some set or rule holds it (an invalid tag has none).
    fn id_of(tag: &str) -> Option<u32> {
        let key = key_of(tag)?;
        INTERNER.lock().lookup(&key)
    }

    /// True when the set holds the tag (by key). An invalid tag is never held.
    pub fn has(&self, tag: &str) -> bool {
        if self.index.is_empty() {
            return false;
        }
        // The ids this set holds are referenced by it and cannot be recycled
        // while `self` is borrowed, so an id looked up here is safe to use
        // after the lock is released.
        Self::id_of(tag).is_some_and(|id| self.contains_id(id))
    }

    /// The time the tag was applied; `None` when it is not held or its time
    /// is unknown.
    pub fn applied_at(&self, tag: &str) -> Option<i64> {
        if self.index.is_empty() {
            return None;
        }
        self.applied_at_id(Self::id_of(tag)?).flatten()
    }

    /// Removes a tag; true when it was held. The rest keep their order.
    pub fn remove(&mut self, tag: &str) -> bool {
        if self.index.is_empty() {
            return false;
        }
        let Some(key) = key_of(tag) else {
            return false;
        };
        let mut interner = INTERNER.lock();
        let Some(id) = interner.lookup(&key) else {
            return false;
        };
        let Some(pos) = self.index.remove(&id) else {
            return false;
        };
        self.set_bit(id, false);
        interner.release(id);
        drop(interner);
        if let Some(slot) = self.entries.get_mut(pos as usize) {
            *slot = None;
            self.removed += 1;
        }
        self.maybe_compact();
        true
    }

    /// Drops removed entries once they are more than half of `entries`
    /// (amortised O(1) per removal).
    fn maybe_compact(&mut self) {
        if self.index.is_empty() {
            self.entries.clear();
            self.removed = 0;
            return;
        }
        if self.removed < 8 || self.removed * 2 < self.entries.len() {
            return;
        }
        self.entries.retain(Option::is_some);
        self.removed = 0;
        for (pos, entry) in self.entries.iter().enumerate() {
            if let (Some(entry), Ok(pos)) = (entry, u32::try_from(pos)) {
                self.index.insert(entry.id, pos);
            }
        }
    }

    /// The number of tags held.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when no tag is held.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// `(first spelling, applied_at)` of each tag, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Option<i64>)> + '_ {
        self.entries
            .iter()
            .flatten()
            .map(|e| (&*e.spelling, e.applied_at))
    }

    /// True when the set holds the interned id. No lock, no allocation.
    #[inline(always)]
    pub(crate) fn contains_id(&self, id: u32) -> bool {
        self.bits
            .get((id >> 6) as usize)
            .is_some_and(|w| w & (1u64 << (id & 63)) != 0)
    }

    /// Sets or clears the membership bit of `id`.
    fn set_bit(&mut self, id: u32, on: bool) {
        let word = (id >> 6) as usize;
        let mask = 1u64 << (id & 63);
        if on {
            if self.bits.len() <= word {
                self.bits.resize(word + 1, 0);
            }
            if let Some(w) = self.bits.get_mut(word) {
                *w |= mask;
            }
        } else if let Some(w) = self.bits.get_mut(word) {
            *w &= !mask;
        }
    }

    /// `Some(applied_at)` when the set holds the interned id. No lock, no
    /// allocation.
    #[inline(always)]
    pub(crate) fn applied_at_id(&self, id: u32) -> Option<Option<i64>> {
        let pos = *self.index.get(&id)?;
        match self.entries.get(pos as usize) {
            Some(Some(e)) => Some(e.applied_at),
            _ => None,
        }
    }
}

impl Default for TagSet {
    fn default() -> Self {
        TagSet::new()
    }
}

impl Clone for TagSet {
    fn clone(&self) -> Self {
        let copy = TagSet {
            entries: self.entries.clone(),
            index: self.index.clone(),
            removed: self.removed,
            bits: self.bits.clone(),
        };
        if !copy.index.is_empty() {
            let mut interner = INTERNER.lock();
            for &id in copy.index.keys() {
                interner.add_ref(id);
            }
        }
        copy
    }
}

impl Drop for TagSet {
    fn drop(&mut self) {
        release_ids(self.index.keys().copied());
    }
}

impl fmt::Debug for TagSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_has_remove_by_key() {
        let mut s = TagSet::new();
        s.add(" VIP ", Some(5)).unwrap();
        s.add("Course  A", None).unwrap();
        assert!(s.has("vip"));
        assert!(s.has("course a"));
        assert!(s.has("  COURSE \u{2003} a "));
        assert!(!s.has(""));
        assert!(!s.has("missing"));
        assert_eq!(s.applied_at("Vip"), Some(5));
        assert_eq!(s.applied_at("course a"), None);
        assert_eq!(s.len(), 2);
        assert!(s.remove("VIP"));
        assert!(!s.remove("VIP"));
        assert!(!s.has("vip"));
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn first_spelling_kept_time_updated_only_when_given() {
        let mut s = TagSet::new();
        s.add("Café", Some(1)).unwrap();
        s.add("CAFÉ", None).unwrap();
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![("Café", Some(1))]);
        s.add("café", Some(9)).unwrap();
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![("Café", Some(9))]);
    }

    #[test]
    fn invalid_tags_rejected_and_never_held() {
        let mut s = TagSet::new();
        assert!(matches!(s.add("  ", None), Err(Error::InvalidTag(_))));
        assert!(matches!(s.add("a\nb", None), Err(Error::InvalidTag(_))));
        assert!(matches!(
            s.add(&"x".repeat(256), None),
            Err(Error::InvalidTag(_))
        ));
        assert!(s.is_empty());
        assert!(!s.has("a\nb"));
        assert_eq!(s.applied_at("a\nb"), None);
        assert!(!s.remove("a\nb"));
    }

    #[test]
    fn order_kept_through_removals_and_compaction() {
        let mut s = TagSet::with_capacity(100);
        for i in 0..100 {
            s.add(&format!("tagset-order-{i}"), Some(i)).unwrap();
        }
        for i in (0..100).filter(|i| i % 3 != 0) {
            assert!(s.remove(&format!("TAGSET-ORDER-{i}")));
        }
        let left: Vec<_> = s.iter().map(|(t, at)| (t.to_owned(), at)).collect();
        let want: Vec<_> = (0..100)
            .filter(|i| i % 3 == 0)
            .map(|i| (format!("tagset-order-{i}"), Some(i)))
            .collect();
        assert_eq!(left, want);
        for i in (0..100).filter(|i| i % 3 == 0) {
            assert_eq!(s.applied_at(&format!("tagset-order-{i}")), Some(i));
        }
        s.add("tagset-order-new", None).unwrap();
        assert_eq!(s.iter().last(), Some(("tagset-order-new", None)));
    }

    #[test]
    fn clone_and_drop_keep_references_balanced() {
        let key = "tagset-refcount-unique-key";
        let mut a = TagSet::new();
        a.add(key, Some(3)).unwrap();
        let id = TagSet::id_of(key).unwrap();
        let b = a.clone();
        drop(a);
        assert!(b.has(key));
        assert_eq!(b.applied_at(key), Some(3));
        assert_eq!(TagSet::id_of(key), Some(id));
        drop(b);
        assert_eq!(TagSet::id_of(key), None);
    }

    #[test]
    fn look_up_keys_match_tag_key() {
        for t in [
            "vip",
            " vip ",
            "VIP",
            "a  b",
            "a b",
            "course-a:1/2",
            "Café",
            "",
            "   ",
            "a\tb",
            "x\u{7f}",
            "\u{2003}vip\u{2003}",
        ] {
            assert_eq!(key_of(t).map(Cow::into_owned), tag_key(t), "{t:?}");
        }
        let long = "x".repeat(256);
        assert_eq!(key_of(&long), None);
    }

    #[test]
    fn hashers_spread() {
        use std::hash::BuildHasher;
        let s = SeededState::new();
        let a = s.hash_one("vip and course-a");
        let b = s.hash_one("vip and course-b");
        assert_ne!(a, b);
        assert_ne!(s.hash_one(""), s.hash_one("\0"));
        let ids = IdBuildHasher::default();
        assert_ne!(ids.hash_one(1u32), ids.hash_one(2u32));
    }

    #[test]
    fn send_sync() {
        fn check<T: Send + Sync + Clone + Default + fmt::Debug>() {}
        check::<TagSet>();
    }
}
