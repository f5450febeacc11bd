//! The tag-rule language (SPEC §2): compiling, evaluating and printing rules
//! in canonical form.
//!
//! A [`Rule`] keeps two forms of the parsed rule, both naming tags by their
//! interned ids (see [`crate::tagset`]): a tree of `Node`s, which keeps the
//! spellings and prints the canonical form, and a flat `Program` (16-byte ops
//! in prefix order plus one id arena), which evaluation runs, looking ids up
//! in the [`TagSet`]'s integer hash map: no lock, no allocation, no string
//! compare. Each `Rule` holds one interner reference per distinct tag it
//! names and gives them back, under one lock, when dropped.
//!
//! Submodules: `lexer` (tokens) and `parser` (grammar, limits, errors).

use std::fmt;
use std::mem::size_of;

use crate::error::{Error, Result};
use crate::tagset::{self, TagSet};

mod lexer;
mod parser;

pub use parser::{MAX_DEPTH, MAX_SOURCE_BYTES};

/// Which group a [`Node::Group`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupKind {
    Any,
    All,
    None,
    /// `atleast(n, …)`; `n` saturates at `u64::MAX` (never reachable).
    AtLeast(u64),
}

/// One node of a compiled rule.
#[derive(Debug)]
pub(crate) enum Node {
    /// `true` / `false`.
    Const(bool),
    /// `t` or `t for D`.
    Held {
        /// Interned id (rule-local index while parsing).
        id: u32,
        /// `D` in seconds, when `for` is given.
        min_age: Option<u64>,
        /// The tag as written (trimmed), for printing.
        spelling: Box<str>,
    },
    /// `any`/`all`/`none`/`atleast` over a tag list.
    Group {
        kind: GroupKind,
        /// The distinct ids of the list (a tag listed twice counts once).
        ids: Box<[u32]>,
        /// Every tag as written, duplicates included, for printing.
        spellings: Box<[Box<str>]>,
    },
    /// `not x`.
    Not(Box<Node>),
    /// `a and b and …` (at least two, none of them an `And`).
    And(Box<[Node]>),
    /// `a or b or …` (at least two, none of them an `Or`).
    Or(Box<[Node]>),
}

impl Node {
    /// Rewrites rule-local ids to interned ids.
    fn remap(&mut self, global: &[u32]) {
        // Local ids are always in range; u32::MAX (never an interned id)
        // would simply never be held.
        let map = |id: &mut u32| *id = global.get(*id as usize).copied().unwrap_or(u32::MAX);
        match self {
            Node::Const(_) => {}
            Node::Held { id, .. } => map(id),
            Node::Group { ids, .. } => ids.iter_mut().for_each(map),
            Node::Not(x) => x.remap(global),
            Node::And(xs) | Node::Or(xs) => xs.iter_mut().for_each(|x| x.remap(global)),
        }
    }

    /// Estimated heap bytes below this node (allocator overhead included).
    fn heap_bytes(&self) -> usize {
        match self {
            Node::Const(_) => 0,
            Node::Held { spelling, .. } => spelling.len() + ALLOC_OVERHEAD,
            Node::Group { ids, spellings, .. } => {
                ids.len() * size_of::<u32>()
                    + spellings.len() * size_of::<Box<str>>()
                    + 2 * ALLOC_OVERHEAD
                    + spellings
                        .iter()
                        .map(|s| s.len() + ALLOC_OVERHEAD)
                        .sum::<usize>()
            }
            Node::Not(x) => size_of::<Node>() + ALLOC_OVERHEAD + x.heap_bytes(),
            Node::And(xs) | Node::Or(xs) => {
                xs.len() * size_of::<Node>()
                    + ALLOC_OVERHEAD
                    + xs.iter().map(Node::heap_bytes).sum::<usize>()
            }
        }
    }

    /// Appends the canonical form (SPEC §2).
    fn write(&self, out: &mut String) {
        match self {
            Node::Const(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Held {
                min_age, spelling, ..
            } => {
                write_tag(out, spelling);
                if let Some(d) = min_age {
                    out.push_str(" for ");
                    write_duration(out, *d);
                }
            }
            Node::Group {
                kind, spellings, ..
            } => {
                out.push_str(match kind {
                    GroupKind::Any => "any(",
                    GroupKind::All => "all(",
                    GroupKind::None => "none(",
                    GroupKind::AtLeast(_) => "atleast(",
                });
                if let GroupKind::AtLeast(n) = kind {
                    out.push_str(&n.to_string());
                    out.push_str(", ");
                }
                for (i, s) in spellings.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_tag(out, s);
                }
                out.push(')');
            }
            Node::Not(x) => {
                out.push_str("not ");
                x.write_operand(out, matches!(**x, Node::And(_) | Node::Or(_)));
            }
            Node::And(xs) => {
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" and ");
                    }
                    x.write_operand(out, matches!(x, Node::Or(_)));
                }
            }
            Node::Or(xs) => {
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" or ");
                    }
                    x.write(out);
                }
            }
        }
    }

    fn write_operand(&self, out: &mut String, parens: bool) {
        if parens {
            out.push('(');
            self.write(out);
            out.push(')');
        } else {
            self.write(out);
        }
    }
}

/// `atleast(n, ids)`: n = 0 is always true, n above the list always false.
#[inline]
fn at_least(n: u32, ids: &[u32], set: &TagSet) -> bool {
    let need = n as usize;
    if need == 0 {
        return true;
    }
    if need > ids.len() {
        return false;
    }
    let mut have = 0usize;
    for (i, &id) in ids.iter().enumerate() {
        if set.contains_id(id) {
            have += 1;
            if have >= need {
                return true;
            }
        } else if have + (ids.len() - i - 1) < need {
            return false;
        }
    }
    false
}

/// One instruction of the evaluation program: the rule tree laid out flat,
/// in prefix order, 16 bytes per op, with every group's ids in one shared
/// arena. Compound ops store the index just past their subtree, so
/// short-circuiting skips a subtree in O(1). Two allocations per rule keep
/// evaluation within a few cache lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Const(bool),
    Held(u32),
    /// `t for D`: id and `D` in seconds.
    HeldFor(u32, u64),
    /// Start and length in the id arena.
    Any(u32, u32),
    All(u32, u32),
    None(u32, u32),
    /// Start, length, and `n` clamped to `u32::MAX` (a list is always far
    /// shorter, so the meaning is unchanged).
    AtLeast(u32, u32, u32),
    /// The index past the subtree; the operand follows.
    Not(u32),
    /// The index past the subtree; the operands follow.
    And(u32),
    Or(u32),
}

/// The flat evaluation program of a rule.
#[derive(Debug, Default)]
struct Program {
    ops: Box<[Op]>,
    ids: Box<[u32]>,
}

impl Program {
    /// Lays out a tree (with interned ids). Indices fit in `u32`: a rule of
    /// at most 64 KiB has far fewer ops and ids.
    fn build(root: &Node) -> Program {
        let mut ops = Vec::new();
        let mut ids = Vec::new();
        emit(root, &mut ops, &mut ids);
        Program {
            ops: ops.into_boxed_slice(),
            ids: ids.into_boxed_slice(),
        }
    }

    #[inline]
    fn ids(&self, start: u32, len: u32) -> &[u32] {
        let start = start as usize;
        self.ids.get(start..start + len as usize).unwrap_or(&[])
    }

    /// The index just past the subtree at `i`.
    #[inline]
    fn end_of(&self, i: usize) -> usize {
        match self.ops.get(i) {
            Some(Op::Not(end) | Op::And(end) | Op::Or(end)) => *end as usize,
            _ => i + 1,
        }
    }

    /// The value of the subtree at `i`. Recursion depth is bounded by the
    /// nesting limit.
    fn eval(&self, i: usize, set: &TagSet, now: i64) -> bool {
        let Some(&op) = self.ops.get(i) else {
            return false;
        };
        match op {
            Op::Const(b) => b,
            Op::Held(id) => set.contains_id(id),
            // Unknown time counts as applied at 0; i128 cannot overflow.
            Op::HeldFor(id, d) => set
                .applied_at_id(id)
                .is_some_and(|at| i128::from(now) - i128::from(at.unwrap_or(0)) >= i128::from(d)),
            Op::Any(s, l) => self.ids(s, l).iter().any(|&id| set.contains_id(id)),
            Op::All(s, l) => self.ids(s, l).iter().all(|&id| set.contains_id(id)),
            Op::None(s, l) => !self.ids(s, l).iter().any(|&id| set.contains_id(id)),
            Op::AtLeast(s, l, n) => at_least(n, self.ids(s, l), set),
            Op::Not(_) => !self.eval(i + 1, set, now),
            Op::And(end) => {
                let mut j = i + 1;
                while j < end as usize {
                    if !self.eval(j, set, now) {
                        return false;
                    }
                    j = self.end_of(j);
                }
                true
            }
            Op::Or(end) => {
                let mut j = i + 1;
                while j < end as usize {
                    if self.eval(j, set, now) {
                        return true;
                    }
                    j = self.end_of(j);
                }
                false
            }
        }
    }

    fn heap_bytes(&self) -> usize {
        self.ops.len() * size_of::<Op>() + self.ids.len() * size_of::<u32>() + 32
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Appends a compound op, its operands, and then patches in its end.
fn emit_compound<'n>(
    make: fn(u32) -> Op,
    children: impl Iterator<Item = &'n Node>,
    ops: &mut Vec<Op>,
    ids: &mut Vec<u32>,
) {
    let at = ops.len();
    ops.push(make(0));
    for c in children {
        emit(c, ops, ids);
    }
    let end = to_u32(ops.len());
    if let Some(slot) = ops.get_mut(at) {
        *slot = make(end);
    }
}

/// Appends the ops of `node` (prefix order).
fn emit(node: &Node, ops: &mut Vec<Op>, ids: &mut Vec<u32>) {
    match node {
        Node::Const(b) => ops.push(Op::Const(*b)),
        Node::Held {
            id, min_age: None, ..
        } => ops.push(Op::Held(*id)),
        Node::Held {
            id,
            min_age: Some(d),
            ..
        } => ops.push(Op::HeldFor(*id, *d)),
        Node::Group { kind, ids: g, .. } => {
            let start = to_u32(ids.len());
            let len = to_u32(g.len());
            ids.extend_from_slice(g);
            ops.push(match kind {
                GroupKind::Any => Op::Any(start, len),
                GroupKind::All => Op::All(start, len),
                GroupKind::None => Op::None(start, len),
                GroupKind::AtLeast(n) => {
                    Op::AtLeast(start, len, u32::try_from(*n).unwrap_or(u32::MAX))
                }
            });
        }
        Node::Not(x) => emit_compound(Op::Not, std::iter::once(&**x), ops, ids),
        Node::And(xs) => emit_compound(Op::And, xs.iter(), ops, ids),
        Node::Or(xs) => emit_compound(Op::Or, xs.iter(), ops, ids),
    }
}

/// A tag bare when it lexes back as the same BARE tag, else double-quoted
/// with `"` and `\` escaped.
fn write_tag(out: &mut String, spelling: &str) {
    if lexer::is_bare_tag(spelling) {
        out.push_str(spelling);
        return;
    }
    out.push('"');
    for c in spelling.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// Seconds greedily in weeks, days, hours, minutes, seconds; `0s` for 0.
fn write_duration(out: &mut String, mut secs: u64) {
    if secs == 0 {
        out.push_str("0s");
        return;
    }
    for (unit, size) in [
        ('w', 7 * 86_400),
        ('d', 86_400),
        ('h', 3_600),
        ('m', 60),
        ('s', 1),
    ] {
        let q = secs / size;
        if q > 0 {
            out.push_str(&q.to_string());
            out.push(unit);
            secs %= size;
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(src: &str, pos: usize) -> (usize, usize) {
    let before = src.get(..pos.min(src.len())).unwrap_or(src);
    let line = 1 + before.bytes().filter(|&b| b == b'\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = 1 + before.get(line_start..).map_or(0, |s| s.chars().count());
    (line, column)
}

/// Rough heap cost of one interned key, charged to each rule that names it.
const INTERNED_KEY_BYTES: usize = 96;

/// Rough per-allocation overhead of the allocator, for byte estimates.
const ALLOC_OVERHEAD: usize = 16;

/// A compiled rule (SPEC §2). Compile with [`Rule::compile`], evaluate with
/// [`Rule::matches`], print the canonical form with [`Rule::canonical`] or
/// `Display`.
pub struct Rule {
    /// The tree, for printing.
    root: Node,
    /// The flat program, for evaluation.
    program: Program,
    /// Distinct tags by key, first spelling, in order of first appearance.
    tags: Vec<String>,
    /// The interned id of each of `tags` (one interner reference each).
    ids: Box<[u32]>,
    /// Estimated bytes held by this rule (for the cache's budget).
    bytes: usize,
}

impl Rule {
    /// Compiles a rule. Any text the grammar does not accept, a rule over
    /// [`MAX_SOURCE_BYTES`] bytes, nesting over [`MAX_DEPTH`] levels or a tag
    /// breaking SPEC §1 is an [`Error::RuleSyntax`] naming what was expected,
    /// what was found, and where. Linear in the length of the source.
    pub fn compile(source: &str) -> Result<Rule> {
        let parsed = parser::parse(source).map_err(|e| {
            let (line, column) = line_col(source, e.pos);
            Error::RuleSyntax {
                message: e.message,
                line,
                column,
            }
        })?;
        let ids = tagset::acquire_keys(parsed.keys.iter().map(String::as_str)).map_err(|e| {
            Error::RuleSyntax {
                message: format!("expected a rule the process can hold but found: {e}"),
                line: 1,
                column: 1,
            }
        })?;
        let mut root = parsed.root;
        root.remap(&ids);
        let program = Program::build(&root);
        let tag_bytes: usize = parsed
            .spellings
            .iter()
            .map(|s| {
                s.len()
                    + size_of::<String>()
                    + ALLOC_OVERHEAD
                    + size_of::<u32>()
                    + INTERNED_KEY_BYTES
            })
            .sum();
        let key_bytes: usize = parsed.keys.iter().map(String::len).sum();
        let bytes = size_of::<Rule>()
            + root.heap_bytes()
            + program.heap_bytes()
            + tag_bytes
            + key_bytes
            + 32;
        Ok(Rule {
            root,
            program,
            tags: parsed.spellings,
            ids: ids.into_boxed_slice(),
            bytes,
        })
    }

    /// True when `tags` passes the rule at time `now` (Unix seconds). Takes
    /// no lock and allocates nothing.
    #[inline]
    pub fn matches(&self, tags: &TagSet, now: i64) -> bool {
        self.program.eval(0, tags, now)
    }

    /// The distinct tags the rule names (by key), in the first spelling
    /// written in the rule, in order of first appearance.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// The canonical form (SPEC §2). Compiling it gives a rule with the same
    /// meaning and the same canonical form. (The one exception is size: a
    /// rule near [`MAX_SOURCE_BYTES`] written with `&&`, `||` or `!` prints
    /// longer than its source, and the limit applies to any text compiled.)
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        self.root.write(&mut out);
        out
    }

    /// Estimated heap bytes this rule holds (nodes, spellings, tag list and
    /// its share of the interner), for the cache's memory budget.
    pub fn estimated_bytes(&self) -> usize {
        self.bytes
    }
}

impl Drop for Rule {
    fn drop(&mut self) {
        tagset::release_ids(self.ids.iter().copied());
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("canonical", &self.canonical())
            .field("tags", &self.tags)
            .finish()
    }
}

/// A rule source given as bytes (PHP strings need not be UTF-8): the text,
/// or a syntax error at the first byte that is not UTF-8.
pub fn source_from_bytes(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = bytes
            .get(..e.valid_up_to())
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("");
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Error::RuleSyntax {
            message: "expected UTF-8 text but found an invalid byte".into(),
            line,
            column,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(tags: &[(&str, Option<i64>)]) -> TagSet {
        let mut s = TagSet::new();
        for (t, at) in tags {
            s.add(t, *at).unwrap();
        }
        s
    }

    fn err(src: &str) -> (String, usize, usize) {
        match Rule::compile(src) {
            Err(Error::RuleSyntax {
                message,
                line,
                column,
            }) => (message, line, column),
            other => panic!("{src:?} gave {other:?}"),
        }
    }

    fn canon(src: &str) -> String {
        Rule::compile(src).unwrap().canonical()
    }

    #[test]
    fn evaluates() {
        let s = set(&[("VIP", None), ("Course A", Some(100)), ("late", Some(200))]);
        let m = |r: &str, now| Rule::compile(r).unwrap().matches(&s, now);
        assert!(m("vip", 0));
        assert!(m("\"course a\" for 100s", 200));
        assert!(!m("\"course a\" for 101s", 200));
        assert!(m("vip for 3m", 180));
        assert!(!m("vip for 3m", 179));
        assert!(!m("late for 0s", 199));
        assert!(m("atleast(2, vip, late, nope)", 0));
        assert!(!m("atleast(3, vip, late, nope)", 0));
        assert!(!m("atleast(2, vip, VIP, Vip)", 0));
        assert!(m("atleast(0, nope)", 0));
        assert!(!m("atleast(99999999999999999999999, vip)", 0));
        assert!(m("none(nope, nada) and not nope", 0));
        assert!(m("!(nope || false) && TRUE", 0));
        assert!(m("vip for 1w", i64::MAX));
        assert!(!m("\"course a\" for 1s", i64::MIN));
        assert!(!m("vip for 18446744073709551615s", i64::MAX));
    }

    #[test]
    fn at_least_counts_distinct_with_early_exits() {
        let s = set(&[("a", None), ("c", None)]);
        let m = |r: &str| Rule::compile(r).unwrap().matches(&s, 0);
        assert!(m("atleast(1, x, y, a)"));
        assert!(m("atleast(2, a, b, c)"));
        assert!(!m("atleast(2, a, b, d)"));
        assert!(!m("atleast(2, b, d, a)"));
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canon("a AND (b OR c)"), "a and (b or c)");
        assert_eq!(canon("(a or b) or (c or d)"), "a or b or c or d");
        assert_eq!(canon("(a and b) or (c and d)"), "a and b or c and d");
        assert_eq!(canon("not (not a)"), "not not a");
        assert_eq!(canon("not (a or b)"), "not (a or b)");
        assert_eq!(canon("not any(a)"), "not any(a)");
        assert_eq!(canon("ALL( a ,'b c', )"), "all(a, \"b c\")");
        assert_eq!(canon("atleast(007, a)"), "atleast(7, a)");
        assert_eq!(canon("x for 30d"), "x for 4w2d");
        assert_eq!(canon("x for 1W1D1H1M1S"), "x for 1w1d1h1m1s");
        assert_eq!(canon("x for 86399s"), "x for 23h59m59s");
        assert_eq!(canon("' padded '"), "padded");
        assert_eq!(canon("\"NOT\""), "\"NOT\"");
        assert_eq!(canon("'\"'"), "\"\\\"\"");
    }

    #[test]
    fn tags_distinct_first_spelling() {
        let r = Rule::compile("b or B or any(a, 'A ', c) or c for 1d").unwrap();
        assert_eq!(r.tags(), ["b", "a", "c"]);
    }

    #[test]
    fn errors_have_positions() {
        assert_eq!(
            err("(a or b"),
            ("expected ')' but found end of rule".into(), 1, 8)
        );
        assert_eq!(err("é $").2, 3);
        assert_eq!(err("a\n\n  (b c)").2, 3);
        assert_eq!(err("a and\n\n  (b c)").1, 3);
        assert_eq!(err("a and\n\n  (b c)").2, 6);
        let (m, _, c) = err("x for 99999999999999999999w");
        assert!(m.contains("at most"), "{m}");
        assert_eq!(c, 7);
        let (m, _, c) = err("a or \"\"");
        assert!(m.contains("empty"), "{m}");
        assert_eq!(c, 6);
        let (m, _, _) = err(&"x".repeat(256));
        assert!(m.contains("255"), "{m}");
        let (_, _, c) = err("a or 'x\ty'");
        assert_eq!(c, 6);
    }

    #[test]
    fn limits() {
        let deep = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(Rule::compile(&deep).is_ok());
        let deeper = format!(
            "{}a{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        let (m, _, c) = err(&deeper);
        assert!(m.contains("nested"), "{m}");
        assert_eq!(c, MAX_DEPTH + 1);
        assert!(Rule::compile(&format!("{}a", "not ".repeat(MAX_DEPTH))).is_ok());
        assert!(Rule::compile(&format!("{}a", "!".repeat(MAX_DEPTH + 1))).is_err());
        let groups = format!(
            "{}any(a){}",
            "(".repeat(MAX_DEPTH - 1),
            ")".repeat(MAX_DEPTH - 1)
        );
        assert!(Rule::compile(&groups).is_ok());
        let groups = format!("{}any(a){}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(Rule::compile(&groups).is_err());
        let big = format!("a{}", " ".repeat(MAX_SOURCE_BYTES - 1));
        assert!(Rule::compile(&big).is_ok());
        let (m, l, c) = err(&format!("a{}", " ".repeat(MAX_SOURCE_BYTES)));
        assert!(m.contains("65536"), "{m}");
        assert_eq!((l, c), (1, 1));
    }

    #[test]
    fn program_is_compact_and_skips_subtrees() {
        assert_eq!(size_of::<Op>(), 16);
        let r = Rule::compile("(a or not (b and c)) and (d or e) and not f").unwrap();
        assert_eq!(r.program.ops.len(), 12);
        let s = set(&[("c", None), ("e", None)]);
        assert!(r.matches(&s, 0));
        let s = set(&[("b", None), ("c", None), ("e", None)]);
        assert!(!r.matches(&s, 0));
        let s = set(&[("a", None), ("d", None), ("f", None)]);
        assert!(!r.matches(&s, 0));
    }

    #[test]
    fn send_sync() {
        fn check<T: Send + Sync + fmt::Debug + fmt::Display>() {}
        check::<Rule>();
    }
}
