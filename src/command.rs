//! Webhook commands (SPEC §5): validation and normalisation, in pure Rust.
//!
//! [`parse`] turns a request body into a normalised JSON object or an
//! [`Error::Command`] that names the JSON pointer of the first fault (`/` for
//! the whole body) and says what is wrong there.
//!
//! # The normalised form
//!
//! * `ping`: `{"command": "ping"}`.
//! * `contact.upsert`, `tags.add`, `tags.remove`, `tags.set`,
//!   `access.revoke`, `login.link`, `password.reset`:
//!   `{"command", "contact": {"email", "crm_id", "first_name", "last_name"},
//!   "tags", "create"}` — `crm_id`, `first_name` and `last_name` are a string
//!   or `null`; `tags` is an array of distinct tags (first spelling, trimmed),
//!   or `null` where no list was given (`contact.upsert` without `tags`, which
//!   leaves the user's tags alone) or the command takes none
//!   (`access.revoke`, `login.link`, `password.reset`); `create` is a boolean.
//! * `batch`: `{"command": "batch", "items": [<normalised commands>]}`.
//!
//! # Decisions where SPEC §5 is silent
//!
//! * A JSON `null` in an optional field (`crm_id`, `first_name`,
//!   `last_name`, `create`, the `tags` of `contact.upsert`) counts as absent;
//!   in a required field (`command`, `contact`, `email`, the `tags` of
//!   `tags.*`, `items`) it is "is required".
//! * Unknown fields are dropped, at every level; so are fields the command
//!   does not use (`tags` on `access.revoke`, `contact` on `ping`, …), which
//!   are not validated either. `create` is validated and returned for every
//!   command that has a contact.
//! * The e-mail is trimmed of Unicode white space, then must be 1 to 254
//!   bytes with exactly one `@`, a non-empty part on each side, and no white
//!   space or control character. Its case is kept.
//! * `crm_id`: a string or a JSON integer (a number with a fraction or an
//!   exponent, such as `12.0`, is refused), returned as a string, trimmed; an
//!   empty string counts as absent; at most 64 characters, no control
//!   characters.
//! * `first_name` / `last_name`: trimmed; empty counts as absent; at most 100
//!   characters (Unicode scalar values), no control characters.
//! * Length limits apply after trimming. The 1,000-tag limit applies to the
//!   array as sent, before de-duplication.
//! * A batch is valid only when every item is: one invalid item fails the
//!   whole parse, with a pointer such as `/items/4/contact/email` (each item
//!   of a valid batch still succeeds or fails on its own when it runs).
//! * A leading UTF-8 byte-order mark is skipped. When an object repeats a
//!   key, the last value wins (as in PHP's `json_decode`).
//! * Nesting deeper than serde_json's limit of 128 levels is invalid JSON
//!   (it can never overflow the stack).

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::tags::parse_tag;

/// Largest body, in bytes.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// Most tags in one `tags` array (before de-duplication).
pub const MAX_TAGS: usize = 1000;
/// Fewest items of a `batch`.
pub const MIN_BATCH_ITEMS: usize = 1;
/// Most items of a `batch`.
pub const MAX_BATCH_ITEMS: usize = 500;
/// Longest e-mail address, in bytes, after trimming.
pub const MAX_EMAIL_BYTES: usize = 254;
/// Longest `crm_id`, in characters.
pub const MAX_CRM_ID_CHARS: usize = 64;
/// Longest first or last name, in characters, after trimming.
pub const MAX_NAME_CHARS: usize = 100;

/// Every command name, in the order of SPEC §5.
pub const COMMANDS: [&str; 9] = [
    "ping",
    "contact.upsert",
    "tags.add",
    "tags.remove",
    "tags.set",
    "access.revoke",
    "login.link",
    "password.reset",
    "batch",
];

/// How a command uses `tags`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TagsUse {
    Required,
    Optional,
    Unused,
}

/// Validates a webhook command (SPEC §5) and returns it normalised as a JSON
/// object (see the module documentation for its shape).
///
/// # Errors
///
/// [`Error::Command`] with the JSON pointer of the first fault (`/` for the
/// whole body: too large, not UTF-8, not JSON, not an object) and a precise
/// problem, e.g. `/tags/3: expected a string`.
pub fn parse(json: &[u8]) -> Result<Value> {
    if json.len() > MAX_BODY_BYTES {
        return Err(fault("/", "body is larger than 1 MiB"));
    }
    let text = std::str::from_utf8(json).map_err(|e| {
        fault(
            "/",
            format!(
                "body is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value =
        serde_json::from_str(text).map_err(|e| fault("/", format!("invalid JSON: {e}")))?;
    match &value {
        Value::Object(object) => command(object, "", true),
        other => Err(fault(
            "/",
            format!("expected a JSON object, got {}", type_name(other)),
        )),
    }
}

fn command(object: &Map<String, Value>, base: &str, top_level: bool) -> Result<Value> {
    let pointer = format!("{base}/command");
    let name = match present(object, "command") {
        None => return Err(fault(&pointer, "is required")),
        Some(Value::String(name)) => name.as_str(),
        Some(_) => return Err(fault(&pointer, "expected a string")),
    };
    let tags_use = match name {
        "ping" => {
            let mut out = Map::new();
            out.insert("command".into(), Value::from("ping"));
            return Ok(Value::Object(out));
        }
        "batch" if top_level => return batch(object),
        "batch" => return Err(fault(&pointer, "a batch cannot contain another batch")),
        "contact.upsert" => TagsUse::Optional,
        "tags.add" | "tags.remove" | "tags.set" => TagsUse::Required,
        "access.revoke" | "login.link" | "password.reset" => TagsUse::Unused,
        other => {
            return Err(fault(
                &pointer,
                format!(
                    "unknown command {}; expected one of {}",
                    quote_excerpt(other),
                    COMMANDS.join(", ")
                ),
            ))
        }
    };

    let contact = contact(object, base)?;
    let tags = match (tags_use, present(object, "tags")) {
        (TagsUse::Unused, _) | (TagsUse::Optional, None) => Value::Null,
        (TagsUse::Required, None) => return Err(fault(&format!("{base}/tags"), "is required")),
        (_, Some(value)) => tags(value, &format!("{base}/tags"))?,
    };
    let create = match present(object, "create") {
        None => false,
        Some(Value::Bool(create)) => *create,
        Some(_) => return Err(fault(&format!("{base}/create"), "expected a boolean")),
    };

    let mut out = Map::new();
    out.insert("command".into(), Value::from(name));
    out.insert("contact".into(), contact);
    out.insert("tags".into(), tags);
    out.insert("create".into(), Value::Bool(create));
    Ok(Value::Object(out))
}

fn batch(object: &Map<String, Value>) -> Result<Value> {
    let items = match present(object, "items") {
        None => return Err(fault("/items", "is required")),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(fault("/items", "expected an array")),
    };
    if items.len() < MIN_BATCH_ITEMS || items.len() > MAX_BATCH_ITEMS {
        return Err(fault(
            "/items",
            format!(
                "expected {MIN_BATCH_ITEMS} to {MAX_BATCH_ITEMS} items, got {}",
                items.len()
            ),
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let base = format!("/items/{index}");
        match item {
            Value::Object(item) => out.push(command(item, &base, false)?),
            _ => return Err(fault(&base, "expected an object")),
        }
    }
    let mut result = Map::new();
    result.insert("command".into(), Value::from("batch"));
    result.insert("items".into(), Value::Array(out));
    Ok(Value::Object(result))
}

fn contact(object: &Map<String, Value>, base: &str) -> Result<Value> {
    let base = format!("{base}/contact");
    let contact = match present(object, "contact") {
        None => return Err(fault(&base, "is required")),
        Some(Value::Object(contact)) => contact,
        Some(_) => return Err(fault(&base, "expected an object")),
    };

    let email_pointer = format!("{base}/email");
    let email = match present(contact, "email") {
        None => return Err(fault(&email_pointer, "is required")),
        Some(Value::String(email)) => email_value(email).map_err(|p| fault(&email_pointer, p))?,
        Some(_) => return Err(fault(&email_pointer, "expected a string")),
    };

    let crm_pointer = format!("{base}/crm_id");
    let crm_id = match present(contact, "crm_id") {
        None => None,
        Some(Value::String(id)) => {
            text_field(id, MAX_CRM_ID_CHARS).map_err(|p| fault(&crm_pointer, p))?
        }
        Some(Value::Number(n)) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Some(i.to_string()),
            (None, Some(u)) => Some(u.to_string()),
            (None, None) => return Err(fault(&crm_pointer, "expected a string or an integer")),
        },
        Some(_) => return Err(fault(&crm_pointer, "expected a string or an integer")),
    };

    let mut out = Map::new();
    out.insert("email".into(), Value::String(email));
    out.insert("crm_id".into(), crm_id.map_or(Value::Null, Value::String));
    for field in ["first_name", "last_name"] {
        let pointer = format!("{base}/{field}");
        let name = match present(contact, field) {
            None => None,
            Some(Value::String(name)) => {
                text_field(name, MAX_NAME_CHARS).map_err(|p| fault(&pointer, p))?
            }
            Some(_) => return Err(fault(&pointer, "expected a string")),
        };
        out.insert(field.into(), name.map_or(Value::Null, Value::String));
    }
    Ok(Value::Object(out))
}

/// Checks an e-mail address; returns it trimmed, or the problem.
fn email_value(email: &str) -> std::result::Result<String, String> {
    let email = email.trim();
    if email.is_empty() {
        return Err("must not be empty".into());
    }
    if email.len() > MAX_EMAIL_BYTES {
        return Err(format!(
            "must be at most {MAX_EMAIL_BYTES} bytes, got {}",
            email.len()
        ));
    }
    if email.chars().any(char::is_whitespace) {
        return Err("must not contain white space".into());
    }
    if email.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    let ats = email.matches('@').count();
    if ats != 1 {
        return Err(format!("must contain exactly one @, found {ats}"));
    }
    let (local, domain) = email.split_once('@').unwrap_or_default();
    if local.is_empty() {
        return Err("must have a non-empty part before the @".into());
    }
    if domain.is_empty() {
        return Err("must have a non-empty part after the @".into());
    }
    Ok(email.to_owned())
}

/// Checks an optional text field (`crm_id`, names): trimmed, empty means
/// absent, at most `max_chars` characters, no control characters.
fn text_field(text: &str, max_chars: usize) -> std::result::Result<Option<String>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    let chars = text.chars().count();
    if chars > max_chars {
        return Err(format!(
            "must be at most {max_chars} characters, got {chars}"
        ));
    }
    Ok(Some(text.to_owned()))
}

fn tags(value: &Value, pointer: &str) -> Result<Value> {
    let Value::Array(list) = value else {
        return Err(fault(pointer, "expected an array"));
    };
    if list.len() > MAX_TAGS {
        return Err(fault(
            pointer,
            format!("expected at most {MAX_TAGS} tags, got {}", list.len()),
        ));
    }
    let mut seen = HashSet::with_capacity(list.len());
    let mut out = Vec::with_capacity(list.len());
    for (index, tag) in list.iter().enumerate() {
        let Value::String(tag) = tag else {
            return Err(fault(&format!("{pointer}/{index}"), "expected a string"));
        };
        let tag =
            parse_tag(tag).map_err(|e| fault(&format!("{pointer}/{index}"), e.to_string()))?;
        if seen.insert(tag.key) {
            out.push(Value::String(tag.spelling));
        }
    }
    Ok(Value::Array(out))
}

/// The member `key`, treating JSON `null` as absent.
fn present<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|value| !value.is_null())
}

fn fault(pointer: &str, problem: impl Into<String>) -> Error {
    Error::Command {
        pointer: pointer.to_owned(),
        problem: problem.into(),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON-quoted excerpt of untrusted text, cut to 64 characters, for
/// messages.
fn quote_excerpt(text: &str) -> String {
    const MAX: usize = 64;
    let mut excerpt: String = text.chars().take(MAX).collect();
    if text.chars().nth(MAX).is_some() {
        excerpt.push('…');
    }
    serde_json::to_string(&excerpt).unwrap_or_else(|_| "\"?\"".into())
}
