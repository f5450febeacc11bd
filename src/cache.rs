//! The per-process cache of compiled rules, keyed by exact source text
//! (SPEC §3).
//!
//! Bounded two ways, so a long-lived PHP worker cannot grow without limit
//! whatever rules it sees:
//!
//! - at most [`CAPACITY`] entries, and
//! - at most [`MAX_BYTES`] of estimated memory: source text, nodes, spellings,
//!   tag lists, each rule's share of the tag interner, and the cache's own
//!   per-entry overhead. A rule whose estimate exceeds [`MAX_ENTRY_BYTES`] is
//!   compiled but not cached.
//!
//! Eviction is CLOCK (second chance): each entry has a referenced bit, set on
//! every hit (a new entry starts clear, so rules seen once go first); the
//! hand sweeps, clearing set bits, and evicts the first entry whose bit is
//! clear. Every bit cleared was set by an earlier hit, so eviction is O(1)
//! amortised. An evicted slot is filled by `swap_remove` (the array stays
//! dense) and the hand steps past the moved entry, so a new entry always gets
//! a full sweep before it can be evicted.
//!
//! Errors are never cached. A hit is one lock, one seeded multiply-fold hash
//! of the source (see [`crate::tagset`]), one comparison and one `Arc` clone.
//! Compiling on a miss happens outside the lock.

use std::collections::HashMap;
use std::mem::size_of;
use std::sync::Arc;

use once_cell::sync::Lazy;
use parking_lot::Mutex;

use crate::error::Result;
use crate::rule::Rule;
use crate::tagset::SeededState;
use crate::tagset::TagSet;

/// Most entries the cache holds.
pub const CAPACITY: usize = 4096;
/// Most estimated bytes the cache holds.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;
/// A rule estimated above this many bytes is not cached.
pub const MAX_ENTRY_BYTES: usize = 1024 * 1024;

/// The cache's figures (`taggate_cache_stats()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Look-ups answered from the cache.
    pub hits: u64,
    /// Look-ups that had to compile (including those that failed).
    pub misses: u64,
    /// Entries held now.
    pub size: usize,
    /// Most entries the cache holds ([`CAPACITY`]).
    pub capacity: usize,
}

/// The map's value: the rule and its position in the ring.
struct Slot {
    rule: Arc<Rule>,
    at: u32,
}

/// One entry of the CLOCK ring.
struct Entry {
    source: Arc<[u8]>,
    bytes: usize,
}

/// Per-entry overhead besides the source text and the rule's own estimate:
/// the ring entry and its referenced bit, the hash-map bucket (with
/// load-factor slack), two `Arc` headers and allocator overhead.
const ENTRY_OVERHEAD: usize =
    size_of::<Entry>() + 1 + 2 * (size_of::<(Arc<[u8]>, Slot)>() + 1) + 2 * 16 + 2 * 16;

struct Cache {
    map: HashMap<Arc<[u8]>, Slot, SeededState>,
    /// The CLOCK ring, dense.
    ring: Vec<Entry>,
    /// The referenced bit of each ring entry (kept apart so a hit writes to
    /// a small, hot array).
    referenced: Vec<bool>,
    hand: usize,
    bytes: usize,
    hits: u64,
    misses: u64,
}

static CACHE: Lazy<Mutex<Cache>> = Lazy::new(|| Mutex::new(Cache::new()));

impl Cache {
    fn new() -> Cache {
        Cache {
            map: HashMap::with_hasher(SeededState::new()),
            ring: Vec::new(),
            referenced: Vec::new(),
            hand: 0,
            bytes: 0,
            hits: 0,
            misses: 0,
        }
    }

    /// The cached rule for `source`, marking it referenced.
    #[inline]
    fn get(&mut self, source: &[u8]) -> Option<&Arc<Rule>> {
        let slot = self.map.get(source)?;
        if let Some(bit) = self.referenced.get_mut(slot.at as usize) {
            *bit = true;
        }
        Some(&slot.rule)
    }

    /// Inserts unless present or too big; evicted rules go to `evicted`, to
    /// be dropped after the lock is released.
    fn insert(&mut self, source: &str, rule: &Arc<Rule>, evicted: &mut Vec<Arc<Rule>>) {
        if self.map.contains_key(source.as_bytes()) {
            return;
        }
        let bytes = ENTRY_OVERHEAD
            .saturating_add(source.len())
            .saturating_add(rule.estimated_bytes());
        if bytes > MAX_ENTRY_BYTES {
            return;
        }
        while self.ring.len() >= CAPACITY || self.bytes + bytes > MAX_BYTES {
            match self.evict_one() {
                Some(r) => evicted.push(r),
                None => break,
            }
        }
        if self.ring.len() >= CAPACITY || self.bytes + bytes > MAX_BYTES {
            return;
        }
        let Ok(at) = u32::try_from(self.ring.len()) else {
            return;
        };
        let key: Arc<[u8]> = Arc::from(source.as_bytes());
        self.map.insert(
            Arc::clone(&key),
            Slot {
                rule: Arc::clone(rule),
                at,
            },
        );
        self.ring.push(Entry { source: key, bytes });
        self.referenced.push(false);
        self.bytes += bytes;
    }

    /// One step of CLOCK: evicts the first entry from the hand whose
    /// referenced bit is clear, clearing set bits on the way (at most one
    /// sweep).
    fn evict_one(&mut self) -> Option<Arc<Rule>> {
        let len = self.ring.len();
        for _ in 0..=len {
            if self.hand >= self.ring.len() {
                self.hand = 0;
            }
            let bit = self.referenced.get_mut(self.hand)?;
            if *bit {
                *bit = false;
                self.hand += 1;
                continue;
            }
            let victim = self.ring.swap_remove(self.hand);
            self.referenced.swap_remove(self.hand);
            let slot = self.map.remove(&*victim.source);
            if let Some(moved) = self.ring.get(self.hand) {
                if let (Some(s), Ok(at)) =
                    (self.map.get_mut(&*moved.source), u32::try_from(self.hand))
                {
                    s.at = at;
                }
            }
            // The entry moved into the victim's place (the newest) is now
            // behind the hand: it gets a full sweep before it is considered.
            self.hand += 1;
            self.bytes = self.bytes.saturating_sub(victim.bytes);
            return slot.map(|s| s.rule);
        }
        None
    }
}

/// Compiles `source`, or returns the rule compiled earlier from exactly the
/// same text. Errors are returned as by [`Rule::compile`] and not cached.
pub fn compile_cached(source: &str) -> Result<Arc<Rule>> {
    {
        let mut c = CACHE.lock();
        if let Some(rule) = c.get(source.as_bytes()) {
            let rule = Arc::clone(rule);
            c.hits += 1;
            return Ok(rule);
        }
        c.misses += 1;
    }
    compile_and_insert(source)
}

/// Compiles `source` through the cache and evaluates it against `tags` at
/// `now`, as `compile_cached(source)?.matches(tags, now)` but cheaper on a
/// hit: one lock and no reference-count traffic (for `taggate_evaluate` and
/// `taggate_filter`).
pub fn evaluate_cached(source: &str, tags: &TagSet, now: i64) -> Result<bool> {
    {
        let mut c = CACHE.lock();
        if let Some(rule) = c.get(source.as_bytes()) {
            let passed = rule.matches(tags, now);
            c.hits += 1;
            return Ok(passed);
        }
        c.misses += 1;
    }
    Ok(compile_and_insert(source)?.matches(tags, now))
}

/// Evaluates many rules against one tag set under one lock: what
/// `taggate_filter` needs. Sources are raw bytes; UTF-8 is checked only when
/// a source is not cached yet (a cached source was valid when it was added).
///
/// Hold a batch only for the duration of one call: it keeps the cache locked.
pub struct Batch {
    guard: parking_lot::MutexGuard<'static, Cache>,
}

/// Locks the cache for a run of [`Batch::evaluate`] calls.
pub fn batch() -> Batch {
    Batch {
        guard: CACHE.lock(),
    }
}

impl Batch {
    /// As [`evaluate_cached`], for a source given as bytes. A source that is
    /// not UTF-8 is a rule syntax error at its first invalid byte.
    pub fn evaluate(&mut self, source: &[u8], tags: &TagSet, now: i64) -> Result<bool> {
        if let Some(rule) = self.guard.get(source) {
            let passed = rule.matches(tags, now);
            self.guard.hits += 1;
            return Ok(passed);
        }
        self.guard.misses += 1;
        // Compiling under the lock is fine here: PHP calls this from one
        // thread per process, and a compile is bounded (≤ 64 KiB, linear).
        let text = crate::rule::source_from_bytes(source)?;
        let rule = Arc::new(Rule::compile(text)?);
        let passed = rule.matches(tags, now);
        let mut evicted = Vec::new();
        self.guard.insert(text, &rule, &mut evicted);
        // Dropping evicted rules takes the interner's lock, never the cache's.
        drop(evicted);
        Ok(passed)
    }
}

/// The miss path: compiles outside the lock, then inserts.
fn compile_and_insert(source: &str) -> Result<Arc<Rule>> {
    let rule = Arc::new(Rule::compile(source)?);
    let mut evicted = Vec::new();
    CACHE.lock().insert(source, &rule, &mut evicted);
    drop(evicted); // releases interner references outside the cache lock
    Ok(rule)
}

/// The cache's hit and miss counters, size and capacity.
pub fn stats() -> CacheStats {
    let c = CACHE.lock();
    CacheStats {
        hits: c.hits,
        misses: c.misses,
        size: c.ring.len(),
        capacity: CAPACITY,
    }
}

/// The estimated bytes the cache holds now (at most [`MAX_BYTES`]).
pub fn estimated_bytes() -> usize {
    CACHE.lock().bytes
}

/// Empties the cache and resets its counters (for tests).
pub fn clear() {
    let old = std::mem::replace(&mut *CACHE.lock(), Cache::new());
    drop(old); // releases interner references outside the cache lock
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tagset::interner_len;

    /// The cache is process-global: its tests run one at a time.
    static SERIAL: Mutex<()> = Mutex::new(());

    #[test]
    fn hits_misses_and_errors() {
        let _g = SERIAL.lock();
        clear();
        let a = compile_cached("cache-hit-a or b").unwrap();
        let b = compile_cached("cache-hit-a or b").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let c = compile_cached("cache-hit-a  or b").unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
        assert!(compile_cached("(x").is_err());
        assert!(compile_cached("(x").is_err());
        assert_eq!(
            stats(),
            CacheStats {
                hits: 1,
                misses: 4,
                size: 2,
                capacity: CAPACITY
            }
        );
        assert!(estimated_bytes() > 0);
        let mut set = TagSet::new();
        set.add("B", None).unwrap();
        assert_eq!(evaluate_cached("cache-hit-a or b", &set, 0), Ok(true));
        assert_eq!(evaluate_cached("cache-eval-new and b", &set, 0), Ok(false));
        assert_eq!(evaluate_cached("cache-eval-new and b", &set, 0), Ok(false));
        assert!(evaluate_cached("b c", &set, 0).is_err());
        let s = stats();
        assert_eq!((s.hits, s.misses, s.size), (3, 6, 3));
        clear();
        assert_eq!(stats().size, 0);
        assert_eq!(estimated_bytes(), 0);
    }

    #[test]
    fn bounded_after_300k_distinct_rules() {
        let _g = SERIAL.lock();
        clear();
        let before = interner_len();
        let mut set = TagSet::new();
        set.add("t7", None).unwrap();
        for i in 0..300_000u32 {
            let r = compile_cached(&format!("t{i} or \"u {i}\" for 1d")).unwrap();
            if i == 7 {
                assert!(r.matches(&set, 0));
            }
            if i % 10_000 == 0 {
                let s = stats();
                assert!(s.size <= CAPACITY);
                assert!(estimated_bytes() <= MAX_BYTES);
            }
        }
        let s = stats();
        assert_eq!(s.misses, 300_000);
        assert!(s.size <= CAPACITY && s.size > 0);
        assert!(estimated_bytes() <= MAX_BYTES);
        // Two tags per rule: the interner holds the cached rules' tags
        // plus whatever other tests hold right now, not 600,000 keys.
        let live = interner_len();
        assert!(live <= before + 2 * CAPACITY + 10_000, "{live}");
        clear();
        assert!(interner_len() <= before + 10_000);
    }

    #[test]
    fn byte_budget_and_oversized_rules() {
        let _g = SERIAL.lock();
        clear();
        // About 40 KiB of source each: the byte budget binds before the count.
        for i in 0..600 {
            let tags: Vec<String> = (0..2000).map(|j| format!("big{i}x{j:05}")).collect();
            let src = format!("any({})", tags.join(","));
            compile_cached(&src).unwrap();
            assert!(estimated_bytes() <= MAX_BYTES);
        }
        let s = stats();
        assert!(s.size < 600, "{s:?}");
        assert!(s.size > 0);
        // A rule above MAX_ENTRY_BYTES is compiled but not cached.
        let tags: Vec<String> = (0..10_000).map(|j| format!("h{j}")).collect();
        let src = format!("any({})", tags.join(","));
        assert!(src.len() <= crate::rule::MAX_SOURCE_BYTES);
        let r = compile_cached(&src).unwrap();
        assert!(
            r.estimated_bytes() > MAX_ENTRY_BYTES,
            "{}",
            r.estimated_bytes()
        );
        let size = stats().size;
        let r2 = compile_cached(&src).unwrap();
        assert!(!Arc::ptr_eq(&r, &r2));
        assert_eq!(stats().size, size);
        clear();
    }

    #[test]
    fn clock_keeps_hot_rules() {
        let _g = SERIAL.lock();
        clear();
        let hot = "hot-rule and not cold";
        let first = compile_cached(hot).unwrap();
        for i in 0..3 * CAPACITY {
            compile_cached(&format!("clock-cold-{i}")).unwrap();
            if i % 64 == 0 {
                let again = compile_cached(hot).unwrap();
                assert!(Arc::ptr_eq(&first, &again), "evicted at {i}");
            }
        }
        assert_eq!(stats().size, CAPACITY);
        clear();
    }
}
