//! `TagGate\Rule` and `TagGate\Command`.

use std::sync::Arc;

use ext_php_rs::prelude::*;
use ext_php_rs::types::Zval;

use super::convert::{json_to_zval, with_tags, Bytes};
use super::errors::{guard, to_php};
use crate::cache;
use crate::rule::Rule;

/// The current time in Unix seconds (`time()`).
pub fn now_or(now: Option<i64>) -> i64 {
    now.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    })
}

/// A compiled tag rule (SPEC §2). Obtain one with `Rule::compile()`.
#[php_class]
#[php(name = "TagGate\\Rule")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
pub struct PhpRule {
    rule: Arc<Rule>,
}

#[php_impl]
impl PhpRule {
    /// Compiles (and caches, by exact source text) a rule.
    ///
    /// @throws \TagGate\RuleSyntaxException
    pub fn compile(source: Bytes<'_>) -> PhpResult<Self> {
        guard(|| {
            let rule = crate::rule::source_from_bytes(source.0)
                .and_then(cache::compile_cached)
                .map_err(to_php)?;
            Ok(Self { rule })
        })
    }

    /// True when the tags pass the rule at `$now` (default `time()`).
    /// `$tags` is a `TagSet` or an array: `['vip', 'Course A']` or
    /// `['vip' => 1764000000, 'trial' => null]`.
    ///
    /// @param \TagGate\TagSet|array $tags
    /// @throws \TypeError on a value that is neither
    pub fn matches(&self, tags: &Zval, now: Option<i64>) -> PhpResult<bool> {
        guard(|| {
            let now = now_or(now);
            with_tags(tags, "Rule::matches(): Argument #1 ($tags)", |set| {
                self.rule.matches(set, now)
            })
        })
    }

    /// The distinct tags the rule names (by key), first spelling, in order of
    /// first appearance.
    pub fn tags(&self) -> Vec<String> {
        self.rule.tags().to_vec()
    }

    /// The rule in canonical form (SPEC §2).
    #[php(name = "__toString")]
    pub fn to_php_string(&self) -> String {
        self.rule.canonical()
    }
}

/// Validation of webhook commands (SPEC §5).
#[php_class]
#[php(name = "TagGate\\Command")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
pub struct PhpCommand;

#[php_impl]
impl PhpCommand {
    /// Validates a webhook command and returns it normalised: defaults filled
    /// in, the e-mail trimmed, `crm_id` as a string, `tags` de-duplicated by
    /// key in first spelling.
    ///
    /// @throws \TagGate\CommandException "<JSON pointer>: <problem>"
    pub fn parse(json: Bytes<'_>) -> PhpResult<Zval> {
        guard(|| {
            let value = crate::command::parse(json.0).map_err(to_php)?;
            json_to_zval(&value)
        })
    }
}
