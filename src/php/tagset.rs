//! `TagGate\TagSet`.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;
use ext_php_rs::zend::ce;

use super::convert::{add_array, php_key};
use super::errors::{guard, to_php};
use crate::tagset::TagSet;

/// A set of tags, each with the time it was applied (Unix seconds) when
/// known. Tags are compared by key (SPEC §1): `VIP`, ` vip ` and `Vip` are one
/// tag; the first spelling is kept.
#[php_class]
#[php(name = "TagGate\\TagSet")]
#[php(implements(ce = ce::countable, stub = "\\Countable"))]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
#[derive(Default)]
pub struct PhpTagSet {
    pub(crate) inner: TagSet,
}

#[php_impl]
impl PhpTagSet {
    /// Builds a set from `['vip', 'Course A']` (no known times) and/or
    /// `['vip' => 1764000000, 'trial' => null]`.
    ///
    /// @throws \ValueError on a tag that breaks SPEC §1
    /// @throws \TypeError on an entry of another type
    pub fn __construct(tags: Option<&ZendHashTable>) -> PhpResult<Self> {
        guard(|| {
            let mut inner = TagSet::with_capacity(tags.map_or(0, ZendHashTable::len));
            if let Some(arr) = tags {
                add_array(
                    &mut inner,
                    arr,
                    "TagSet::__construct(): Argument #1 ($tags)",
                )?;
            }
            Ok(Self { inner })
        })
    }

    /// True when the set holds the tag (by key). An invalid tag is never held.
    pub fn has(&self, tag: &str) -> bool {
        self.inner.has(tag)
    }

    /// The time the tag was applied; null when it is not held or its time is
    /// unknown.
    pub fn applied_at(&self, tag: &str) -> Option<i64> {
        self.inner.applied_at(tag)
    }

    /// Adds a tag. Re-adding keeps the first spelling and updates the time
    /// when one is given.
    ///
    /// @throws \ValueError on a tag that breaks SPEC §1
    pub fn add(&mut self, tag: &str, applied_at: Option<i64>) -> PhpResult<()> {
        guard(|| self.inner.add(tag, applied_at).map_err(to_php))
    }

    /// Removes a tag; true when it was held.
    pub fn remove(&mut self, tag: &str) -> bool {
        self.inner.remove(tag)
    }

    /// The number of distinct tags.
    pub fn count(&self) -> i64 {
        i64::try_from(self.inner.len()).unwrap_or(i64::MAX)
    }

    /// `array<string, ?int>`: first spellings => applied time, in insertion
    /// order. (A tag such as `"555"` becomes the int key 555, as in any PHP
    /// array.)
    pub fn to_array(&self) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let mut ht =
                ZendHashTable::with_capacity(u32::try_from(self.inner.len()).unwrap_or(u32::MAX));
            for (spelling, at) in self.inner.iter() {
                ht.insert(php_key(spelling), at)
                    .map_err(|e| super::errors::type_error(e.to_string()))?;
            }
            Ok(ht)
        })
    }
}
