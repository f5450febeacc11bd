//! The global `taggate_*` functions (SPEC §3).

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ArrayKey, ZendHashTable, Zval};

use super::convert::{entries, key_label, type_name, with_tags, Bytes};
use super::errors::{guard, to_php, type_error};
use super::rule::now_or;
use super::webhook::{build, verify_with};
use crate::cache;
use crate::error::Error;

/// Compiles `$rule` (through the cache) and evaluates it against `$tags`.
///
/// @param \TagGate\TagSet|array $tags
/// @throws \TagGate\RuleSyntaxException
#[php_function]
pub fn taggate_evaluate(rule: Bytes<'_>, tags: &Zval, now: Option<i64>) -> PhpResult<bool> {
    guard(|| {
        let source = crate::rule::source_from_bytes(rule.0).map_err(to_php)?;
        let now = now_or(now);
        // One cache lock and no Arc traffic on a hit.
        with_tags(tags, "taggate_evaluate(): Argument #2 ($tags)", |set| {
            cache::evaluate_cached(source, set, now).map_err(to_php)
        })?
    })
}

/// Evaluates many rules against one tag set. Keys are kept; values become
/// bools. An invalid rule throws a `RuleSyntaxException` whose message
/// starts with its key.
///
/// @param array<array-key, string> $rules
/// @param \TagGate\TagSet|array $tags
/// @return array<array-key, bool>
#[php_function]
pub fn taggate_filter(
    rules: &ZendHashTable,
    tags: &Zval,
    now: Option<i64>,
) -> PhpResult<ZBox<ZendHashTable>> {
    guard(|| {
        let now = now_or(now);
        with_tags(tags, "taggate_filter(): Argument #2 ($tags)", |set| {
            let mut out = ZendHashTable::with_capacity(u32::try_from(rules.len()).unwrap_or(0));
            let mut batch = cache::batch();
            for (key, value) in entries(rules) {
                let Some(source) = value.dereference().zend_str() else {
                    return Err(type_error(format!(
                        "taggate_filter(): rule {} must be a string, {} given",
                        key_label(&key),
                        type_name(value)
                    )));
                };
                let passed = batch
                    .evaluate(source.as_bytes(), set, now)
                    .map_err(|e| match e {
                        Error::RuleSyntax {
                            message,
                            line,
                            column,
                        } => to_php(Error::RuleSyntax {
                            message: format!("{}: {message}", key_label(&key)),
                            line,
                            column,
                        }),
                        other => to_php(other),
                    })?;
                // Keys are kept as they are: an int stays an int, and a string
                // key is reused as the same zend_string (no copy, no re-hash).
                match (key.long(), key.zend_str()) {
                    (Some(i), _) => out.insert_at_index(i, passed),
                    (None, Some(s)) => out.insert(ArrayKey::ZendString(s), passed),
                    (None, None) => Ok(()),
                }
                .map_err(|e| type_error(e.to_string()))?;
            }
            Ok(out)
        })?
    })
}

/// Like `Webhook::verify`, but answers false instead of throwing a
/// `SignatureException`. A bad scheme or secret still throws `\ValueError`.
///
/// @param string|array $secrets
#[php_function]
#[php(defaults(tolerance_seconds = 300))]
pub fn taggate_verify(
    scheme: &str,
    secrets: &Zval,
    headers: &ZendHashTable,
    body: Bytes<'_>,
    tolerance_seconds: i64,
    now: Option<i64>,
) -> PhpResult<bool> {
    guard(|| {
        let hook = build(scheme, secrets, tolerance_seconds)?;
        Ok(verify_with(&hook, headers, body.0, now, "POST", "")?.is_ok())
    })
}

/// The key of a tag (SPEC §1): what decides whether two spellings are the
/// same tag. Not in SPEC §3: the plugin stores tags by key and uses this so
/// its keys are exactly the extension's.
///
/// @throws \ValueError on a tag that breaks SPEC §1
#[php_function]
pub fn taggate_tag_key(tag: Bytes<'_>) -> PhpResult<String> {
    guard(|| {
        let text = std::str::from_utf8(tag.0)
            .map_err(|_| super::errors::value_error("a tag must be valid UTF-8"))?;
        Ok(crate::tags::parse_tag(text).map_err(to_php)?.key)
    })
}

/// The extension's version.
#[php_function]
pub fn taggate_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// `['hits' => int, 'misses' => int, 'size' => int, 'capacity' => int]` of
/// this process's compiled-rule cache.
#[php_function]
pub fn taggate_cache_stats() -> PhpResult<ZBox<ZendHashTable>> {
    let s = cache::stats();
    let mut ht = ZendHashTable::with_capacity(4);
    let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    for (k, v) in [
        ("hits", as_i64(s.hits)),
        ("misses", as_i64(s.misses)),
        ("size", as_i64(s.size as u64)),
        ("capacity", as_i64(s.capacity as u64)),
    ] {
        ht.insert(k, v).map_err(|e| type_error(e.to_string()))?;
    }
    Ok(ht)
}

/// Test builds only (`--features panic-test`): panics inside an exported
/// function, to prove the panic reaches PHP as a `TagGate\Exception`.
#[cfg(feature = "panic-test")]
#[php_function]
pub fn taggate_panic_for_tests(message: &str) -> PhpResult<bool> {
    guard(|| panic!("{message}"))
}

/// Adds every global function to the module (the generated entry types are
/// private to this module, so registration lives here).
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    let module = module
        .function(wrap_function!(taggate_evaluate))
        .function(wrap_function!(taggate_filter))
        .function(wrap_function!(taggate_verify))
        .function(wrap_function!(taggate_version))
        .function(wrap_function!(taggate_tag_key))
        .function(wrap_function!(taggate_cache_stats));
    #[cfg(feature = "panic-test")]
    let module = module.function(wrap_function!(taggate_panic_for_tests));
    module
}
