//! Conversions between PHP values and the core's types.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::FromZval;
use ext_php_rs::exception::PhpResult;
use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ArrayKey, ZendClassObject, ZendHashTable, Zval};
use std::borrow::Cow;

use super::errors::{to_php, type_error, value_error};
use super::tagset::PhpTagSet;
use crate::tagset::TagSet;

/// A PHP string taken as raw bytes (PHP strings need not be UTF-8).
pub struct Bytes<'a>(pub &'a [u8]);

impl<'a> FromZval<'a> for Bytes<'a> {
    const TYPE: DataType = DataType::String;

    fn from_zval(zval: &'a Zval) -> Option<Self> {
        zval.zend_str().map(|s| Bytes(s.as_bytes()))
    }
}

/// The entries of a PHP array as (key, value), the key as a zval (an int or
/// a string, possibly not UTF-8). Unlike `ZendHashTable::iter`, this neither
/// copies keys into Rust strings nor panics on a key that is not UTF-8.
pub fn entries(arr: &ZendHashTable) -> impl Iterator<Item = (Zval, &Zval)> {
    let mut it = arr.iter();
    std::iter::from_fn(move || it.next_zval())
}

/// A key for messages: its decimal form, or its text (lossy for non-UTF-8).
pub fn key_label(key: &Zval) -> String {
    match (key.long(), key.zend_str()) {
        (Some(i), _) => i.to_string(),
        (None, Some(s)) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
        (None, None) => String::new(),
    }
}

/// The tag text of an array key: an int key reads back as its decimal form;
/// a string key must be UTF-8 (and is borrowed, not copied).
fn key_tag<'a>(key: &'a Zval, what: &str) -> PhpResult<Cow<'a, str>> {
    if let Some(i) = key.long() {
        return Ok(Cow::Owned(i.to_string()));
    }
    let bytes = key.zend_str().map_or(&[][..], |s| s.as_bytes());
    std::str::from_utf8(bytes)
        .map(Cow::Borrowed)
        .map_err(|_| value_error(format!("{what}: a tag must be valid UTF-8")))
}

/// Adds the entries of a PHP tag array (SPEC §3) to `set`: a string value is
/// a tag with no known time; an int or null value is keyed by its tag.
pub fn add_array(set: &mut TagSet, arr: &ZendHashTable, what: &str) -> PhpResult<()> {
    for (key, value) in entries(arr) {
        let value = value.dereference();
        if let Some(s) = value.zend_str() {
            let tag = std::str::from_utf8(s.as_bytes())
                .map_err(|_| value_error(format!("{what}: a tag must be valid UTF-8")))?;
            set.add(tag, None).map_err(to_php)?;
        } else if value.is_long() || value.is_null() {
            let tag = key_tag(&key, what)?;
            set.add(&tag, value.long()).map_err(to_php)?;
        } else {
            return Err(type_error(format!(
                "{what}: entry {} must be a tag string, or an int or null time keyed by its tag, {} given",
                quote_key(&key),
                type_name(value)
            )));
        }
    }
    Ok(())
}

fn quote_key(key: &Zval) -> String {
    match key.long() {
        Some(i) => format!("[{i}]"),
        None => format!("[{:?}]", key_label(key)),
    }
}

/// PHP's name for a value's type, as `get_debug_type()` prints it.
pub fn type_name(z: &Zval) -> String {
    let z = z.dereference();
    if z.is_null() {
        "null".into()
    } else if z.is_bool() {
        "bool".into()
    } else if z.is_long() {
        "int".into()
    } else if z.is_double() {
        "float".into()
    } else if z.is_string() {
        "string".into()
    } else if z.is_array() {
        "array".into()
    } else if let Some(obj) = z.object() {
        obj.get_class_name().unwrap_or_else(|_| "object".into())
    } else {
        "resource".into()
    }
}

/// Runs `f` with the tag set a `TagSet|array` argument names: a `TagSet`
/// object is used in place; an array is turned into a temporary set.
pub fn with_tags<R>(z: &Zval, what: &str, f: impl FnOnce(&TagSet) -> R) -> PhpResult<R> {
    let z = z.dereference();
    if let Some(obj) = z.object() {
        return match ZendClassObject::<PhpTagSet>::from_zend_obj(obj) {
            Some(ts) => Ok(f(&ts.inner)),
            None => Err(type_error(format!(
                "{what} must be of type TagGate\\TagSet|array, {} given",
                type_name(z)
            ))),
        };
    }
    if let Some(arr) = z.array() {
        let mut set = TagSet::with_capacity(arr.len());
        add_array(&mut set, arr, what)?;
        return Ok(f(&set));
    }
    Err(type_error(format!(
        "{what} must be of type TagGate\\TagSet|array, {} given",
        type_name(z)
    )))
}

/// The array key PHP itself would use for `s` (`'555'` becomes int 555), so
/// arrays built here read back as PHP users expect.
pub fn php_key(s: &str) -> ArrayKey<'_> {
    let b = s.as_bytes();
    let numeric = !b.is_empty()
        && b.len() <= 20
        && match b {
            [b'0'] => true,
            [b'-', rest @ ..] => {
                !rest.is_empty() && rest[0] != b'0' && rest.iter().all(u8::is_ascii_digit)
            }
            [first, ..] => *first != b'0' && b.iter().all(u8::is_ascii_digit),
            [] => false,
        };
    if numeric {
        if let Ok(i) = s.parse::<i64>() {
            return ArrayKey::Long(i);
        }
    }
    ArrayKey::Str(s)
}

/// A new PHP array from a JSON value's object or array (used for
/// `Command::parse`'s result). Scalars map to their PHP equivalents.
pub fn json_to_zval(v: &serde_json::Value) -> PhpResult<Zval> {
    use serde_json::Value;
    let mut z = Zval::new();
    match v {
        Value::Null => z.set_null(),
        Value::Bool(b) => z.set_bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                z.set_long(i);
            } else {
                z.set_double(n.as_f64().unwrap_or(0.0));
            }
        }
        Value::String(s) => z
            .set_string(s, false)
            .map_err(|e| type_error(e.to_string()))?,
        Value::Array(items) => {
            let mut ht =
                ZendHashTable::with_capacity(u32::try_from(items.len()).unwrap_or(u32::MAX));
            for item in items {
                ht.push(json_to_zval(item)?)
                    .map_err(|e| type_error(e.to_string()))?;
            }
            z.set_hashtable(ht);
        }
        Value::Object(map) => {
            let mut ht: ZBox<ZendHashTable> =
                ZendHashTable::with_capacity(u32::try_from(map.len()).unwrap_or(u32::MAX));
            for (k, item) in map {
                ht.insert(php_key(k), json_to_zval(item)?)
                    .map_err(|e| type_error(e.to_string()))?;
            }
            z.set_hashtable(ht);
        }
    }
    Ok(z)
}

/// Flattens a PHP headers array (`name => string|list<string>`) into
/// (name, value) pairs, one pair per value.
pub fn headers(arr: &ZendHashTable) -> PhpResult<Vec<(String, &[u8])>> {
    let mut out = Vec::with_capacity(arr.len());
    for (key, value) in entries(arr) {
        let name = key_label(&key);
        let value = value.dereference();
        if let Some(s) = value.zend_str() {
            out.push((name, s.as_bytes()));
        } else if let Some(list) = value.array() {
            for (_, item) in entries(list) {
                match item.dereference().zend_str() {
                    Some(s) => out.push((name.clone(), s.as_bytes())),
                    None => {
                        return Err(type_error(format!(
                            "header {name:?} must be a string or a list of strings, a list holding {} given",
                            type_name(item)
                        )))
                    }
                }
            }
        } else {
            return Err(type_error(format!(
                "header {name:?} must be a string or a list of strings, {} given",
                type_name(value)
            )));
        }
    }
    Ok(out)
}
