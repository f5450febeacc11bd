//! Tags (SPEC §1): validation and the key that decides when two spellings are
//! the same tag. The interned tag set lives in `crate::tagset`.

use crate::error::{Error, Result};

/// Longest tag, in bytes of UTF-8, after trimming.
pub const MAX_TAG_BYTES: usize = 255;

/// A validated tag: its display spelling (trimmed) and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The spelling, trimmed of surrounding white space.
    pub spelling: String,
    /// The key: white space trimmed, inner runs folded to one ASCII space,
    /// Unicode default lower-casing.
    pub key: String,
}

/// Checks a tag against SPEC §1 and returns its trimmed spelling and key.
pub fn parse_tag(tag: &str) -> Result<Tag> {
    let trimmed = tag.trim();
    if trimmed.is_empty() {
        return Err(Error::InvalidTag("a tag must not be empty".into()));
    }
    if trimmed.len() > MAX_TAG_BYTES {
        return Err(Error::InvalidTag(format!(
            "a tag must be at most {MAX_TAG_BYTES} bytes, got {}",
            trimmed.len()
        )));
    }
    if let Some(c) = trimmed.chars().find(|c| is_control(*c)) {
        return Err(Error::InvalidTag(format!(
            "a tag must not contain the control character U+{:04X}",
            c as u32
        )));
    }
    Ok(Tag {
        spelling: trimmed.to_owned(),
        key: key_of_valid(trimmed),
    })
}

/// The key of a tag, or `None` when the tag breaks SPEC §1 (an invalid tag
/// can never be held, so look-ups treat it as absent).
pub fn tag_key(tag: &str) -> Option<String> {
    let trimmed = tag.trim();
    if trimmed.is_empty() || trimmed.len() > MAX_TAG_BYTES || trimmed.chars().any(is_control) {
        return None;
    }
    Some(key_of_valid(trimmed))
}

/// True for the characters SPEC §1 forbids: U+0000–U+001F and U+007F.
pub fn is_control(c: char) -> bool {
    (c as u32) < 0x20 || c as u32 == 0x7F
}

fn key_of_valid(trimmed: &str) -> String {
    if trimmed.bytes().all(|b| b.is_ascii_graphic() || b == b' ') && !trimmed.contains("  ") {
        return trimmed.to_ascii_lowercase();
    }
    let mut folded = String::with_capacity(trimmed.len());
    for (i, word) in trimmed.split_whitespace().enumerate() {
        if i > 0 {
            folded.push(' ');
        }
        folded.push_str(word);
    }
    // `str::to_lowercase`, not per-char lower-casing: SPEC §1 names it, and
    // it handles context such as a word-final capital sigma.
    folded.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_case_and_space() {
        assert_eq!(tag_key(" VIP ").as_deref(), Some("vip"));
        assert_eq!(tag_key("Course \u{3000} A").as_deref(), Some("course a"));
        assert_eq!(tag_key("Course \t A"), None, "a tab is a control character");
        assert_eq!(tag_key("CAFÉ"), tag_key("Café"));
    }

    #[test]
    fn rejects_bad_tags() {
        assert!(parse_tag("   ").is_err());
        assert!(parse_tag("a\u{7f}b").is_err());
        assert!(parse_tag(&"x".repeat(256)).is_err());
        assert!(parse_tag(&format!("  {}  ", "x".repeat(255))).is_ok());
    }
}
