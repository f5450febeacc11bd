//! Property tests of the rule language: random rule trees round-trip through
//! their canonical form with their meaning intact; no input panics; deep
//! nesting is an error, not a stack overflow; the largest rules compile.

use std::collections::HashMap;

use proptest::prelude::*;
use taggate::error::Error;
use taggate::rule::{Rule, MAX_SOURCE_BYTES};
use taggate::tags::tag_key;
use taggate::tagset::TagSet;

// ---------------------------------------------------------------------------
// A model of the language
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Ast {
    Const(bool),
    Held(String, Option<u64>),
    Any(Vec<String>),
    All(Vec<String>),
    None(Vec<String>),
    AtLeast(u64, Vec<String>),
    Not(Box<Ast>),
    And(Vec<Ast>),
    Or(Vec<Ast>),
}

/// Spellings: bare ones, ones that need quotes, keywords, case variants of
/// one another (same key), Unicode.
const SPELLINGS: &[&str] = &[
    "a",
    "A",
    "vip",
    "VIP",
    "Vip",
    "course-a",
    "Course A",
    "course  a",
    "café",
    "CAFÉ",
    "for",
    "And",
    "NOT",
    "true",
    "it's",
    "say \"hi\"",
    "back\\slash",
    "x.y:z/1@b+c#2",
    "7d",
    "0",
    "東京",
    "a,b",
    "(p)",
    "trueish",
];

fn spelling() -> impl Strategy<Value = String> {
    prop::sample::select(SPELLINGS).prop_map(str::to_owned)
}

fn tags() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(spelling(), 1..5)
}

fn ast() -> impl Strategy<Value = Ast> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Ast::Const),
        (
            spelling(),
            prop::option::of(prop_oneof![0u64..200_000, any::<u64>()])
        )
            .prop_map(|(t, d)| Ast::Held(t, d)),
        tags().prop_map(Ast::Any),
        tags().prop_map(Ast::All),
        tags().prop_map(Ast::None),
        (prop_oneof![0u64..6, any::<u64>()], tags()).prop_map(|(n, t)| Ast::AtLeast(n, t)),
    ];
    leaf.prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|x| Ast::Not(Box::new(x))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Ast::And),
            prop::collection::vec(inner, 2..4).prop_map(Ast::Or),
        ]
    })
}

/// How to render a source text: choices drawn per node from `bits`.
struct Style<'a> {
    bits: &'a [bool],
    at: usize,
}

impl Style<'_> {
    fn pick(&mut self) -> bool {
        let b = self
            .bits
            .get(self.at % self.bits.len().max(1))
            .copied()
            .unwrap_or(false);
        self.at += 1;
        b
    }

    fn kw(&mut self, kw: &str) -> String {
        if self.pick() {
            kw.to_uppercase()
        } else {
            kw.to_owned()
        }
    }

    fn tag(&mut self, t: &str) -> String {
        let bare = t
            .chars()
            .all(|c| c.is_alphanumeric() || "_-.:/@+#".contains(c))
            && ![
                "and", "or", "not", "any", "all", "none", "atleast", "for", "true", "false",
            ]
            .contains(&t.to_ascii_lowercase().as_str());
        if bare && self.pick() {
            return t.to_owned();
        }
        let q = if self.pick() { '\'' } else { '"' };
        let mut out = String::from(q);
        for c in t.chars() {
            if c == q || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push(q);
        out
    }

    fn duration(&mut self, secs: u64) -> String {
        if self.pick() {
            format!("{secs}s")
        } else {
            // Split into weeks and seconds, the other way round from canonical.
            let w = secs / 604_800;
            let s = secs % 604_800;
            if w == 0 {
                format!("{s}S")
            } else {
                format!("{w}W{s}s")
            }
        }
    }

    fn list(&mut self, ts: &[String]) -> String {
        let parts: Vec<String> = ts.iter().map(|t| self.tag(t)).collect();
        let mut s = parts.join(if self.pick() { "," } else { " ,  " });
        if self.pick() {
            s.push(',');
        }
        s
    }

    fn render(&mut self, a: &Ast) -> String {
        match a {
            Ast::Const(b) => self.kw(if *b { "true" } else { "false" }),
            Ast::Held(t, None) => self.tag(t),
            Ast::Held(t, Some(d)) => {
                let tag = self.tag(t);
                let kw = self.kw("for");
                let d = self.duration(*d);
                format!("{tag} {kw} {d}")
            }
            Ast::Any(ts) => format!("{}({})", self.kw("any"), self.list(ts)),
            Ast::All(ts) => format!("{}({})", self.kw("all"), self.list(ts)),
            Ast::None(ts) => format!("{}( {} )", self.kw("none"), self.list(ts)),
            Ast::AtLeast(n, ts) => format!("{}({n},{})", self.kw("atleast"), self.list(ts)),
            Ast::Not(x) => {
                let op = if self.pick() {
                    "!".to_owned()
                } else {
                    format!("{} ", self.kw("not"))
                };
                format!("{op}({})", self.render(x))
            }
            Ast::And(xs) | Ast::Or(xs) => {
                let and = matches!(a, Ast::And(_));
                let parts: Vec<String> =
                    xs.iter().map(|x| format!("({})", self.render(x))).collect();
                let op = match (and, self.pick()) {
                    (true, true) => " && ".to_owned(),
                    (false, true) => "||".to_owned(),
                    (true, false) => format!(" {} ", self.kw("and")),
                    (false, false) => format!("\n{} ", self.kw("or")),
                };
                parts.join(&op)
            }
        }
    }
}

type Model = HashMap<String, Option<i64>>;

fn held(m: &Model, t: &str) -> Option<Option<i64>> {
    m.get(&tag_key(t).expect("model tags are valid")).copied()
}

fn eval(a: &Ast, m: &Model, now: i64) -> bool {
    let distinct = |ts: &[String]| {
        let mut keys: Vec<String> = ts.iter().filter_map(|t| tag_key(t)).collect();
        keys.sort();
        keys.dedup();
        keys
    };
    match a {
        Ast::Const(b) => *b,
        Ast::Held(t, None) => held(m, t).is_some(),
        Ast::Held(t, Some(d)) => held(m, t)
            .is_some_and(|at| i128::from(now) - i128::from(at.unwrap_or(0)) >= i128::from(*d)),
        Ast::Any(ts) => ts.iter().any(|t| held(m, t).is_some()),
        Ast::All(ts) => ts.iter().all(|t| held(m, t).is_some()),
        Ast::None(ts) => !ts.iter().any(|t| held(m, t).is_some()),
        Ast::AtLeast(n, ts) => {
            let count = distinct(ts).iter().filter(|k| m.contains_key(*k)).count() as u64;
            count >= *n
        }
        Ast::Not(x) => !eval(x, m, now),
        Ast::And(xs) => xs.iter().all(|x| eval(x, m, now)),
        Ast::Or(xs) => xs.iter().any(|x| eval(x, m, now)),
    }
}

fn tag_set_and_model() -> impl Strategy<Value = (TagSet, Model)> {
    prop::collection::vec(
        (
            spelling(),
            prop::option::of(prop_oneof![-10i64..400_000, any::<i64>()]),
        ),
        0..8,
    )
    .prop_map(|pairs| {
        let mut set = TagSet::new();
        let mut model = Model::new();
        for (t, at) in pairs {
            set.add(&t, at).unwrap();
            let entry = model.entry(tag_key(&t).unwrap()).or_insert(None);
            if at.is_some() {
                *entry = at;
            }
        }
        (set, model)
    })
}

/// Compiles; when it works, checks the canonical form is a fixed point and
/// means the same on a few sets; when it fails, checks the error is a
/// well-formed syntax error inside the text.
fn check_any_text(src: &str) {
    match Rule::compile(src) {
        Ok(rule) => {
            let canon = rule.canonical();
            if canon.len() <= MAX_SOURCE_BYTES {
                let again = Rule::compile(&canon)
                    .unwrap_or_else(|e| panic!("canonical {canon:?} of {src:?}: {e}"));
                assert_eq!(again.canonical(), canon);
                let mut set = TagSet::new();
                for (i, t) in rule.tags().iter().enumerate() {
                    if i % 2 == 0 {
                        set.add(t, Some(i as i64)).unwrap();
                    }
                }
                for now in [i64::MIN, 0, 1_000_000, i64::MAX] {
                    assert_eq!(rule.matches(&set, now), again.matches(&set, now));
                    let _ = rule.matches(&TagSet::new(), now);
                }
            }
        }
        Err(Error::RuleSyntax {
            message,
            line,
            column,
        }) => {
            assert!(!message.is_empty());
            let lines: Vec<&str> = src.split('\n').collect();
            assert!(line >= 1 && line <= lines.len(), "{src:?} line {line}");
            let width = lines[line - 1].chars().count();
            assert!(
                column >= 1 && column <= width + 1,
                "{src:?} column {column}"
            );
        }
        Err(other) => panic!("{src:?}: not a syntax error: {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_rules_round_trip(
        a in ast(),
        bits in prop::collection::vec(any::<bool>(), 1..64),
        (set, model) in tag_set_and_model(),
        now in prop_oneof![0i64..500_000, any::<i64>()],
    ) {
        let src = Style { bits: &bits, at: 0 }.render(&a);
        let rule = Rule::compile(&src).map_err(|e| TestCaseError::fail(format!("{src:?}: {e}")))?;
        let want = eval(&a, &model, now);
        prop_assert_eq!(rule.matches(&set, now), want, "{:?}", src);
        let canon = rule.canonical();
        let again = Rule::compile(&canon).map_err(|e| TestCaseError::fail(format!("{canon:?}: {e}")))?;
        prop_assert_eq!(again.canonical(), canon.clone());
        prop_assert_eq!(again.matches(&set, now), want, "{:?}", canon);
        prop_assert_eq!(again.tags(), rule.tags());
        // The canonical form never keeps the symbol operators.
        prop_assert!(!canon.contains("&&") && !canon.contains("||"));
    }

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        check_any_text(&s);
    }

    #[test]
    fn grammar_like_strings_never_panic(
        parts in prop::collection::vec(prop::sample::select(&[
            "a", "B", "vip", "(", ")", ",", "!", "&&", "||", "&", "|", "and", "OR", "not", "any",
            "all(", "none", "atleast(", "2", "99999999999999999999999", "for", "7d", "1w2d", "36H",
            "true", "false", "\"", "'", "\\", "\"x y\"", "'it\\'s'", " ", "\n", "\t", "é", "$",
            "0s", "x", "\r\n",
        ][..]), 0..40),
    ) {
        check_any_text(&parts.concat());
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..200)) {
        check_any_text(&String::from_utf8_lossy(&b));
    }

    #[test]
    fn printable_ascii_never_panics(s in "[ -~\n\t]{0,80}") {
        check_any_text(&s);
    }
}

// ---------------------------------------------------------------------------
// Deep nesting and the largest rules
// ---------------------------------------------------------------------------

/// Runs `f` on a thread with a small stack, so unbounded recursion would
/// show as a crash here.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    on_small_stack(|| {
        let n = 10_000;
        for src in [
            format!("{}a{}", "(".repeat(n), ")".repeat(n)),
            "(".repeat(n),
            format!("{}a", "not ".repeat(n)),
            format!("{}a", "!".repeat(n)),
            format!("{}a", "(!".repeat(n)),
            format!("{}a", "not (".repeat(n)),
            format!("{}any(a)", "(not ".repeat(n)),
        ] {
            assert!(src.len() <= MAX_SOURCE_BYTES, "{}", src.len());
            match Rule::compile(&src) {
                Err(Error::RuleSyntax { message, .. }) => {
                    assert!(message.contains("nested"), "{message}")
                }
                other => panic!("expected a nesting error, got {other:?}"),
            }
        }
    });
}

#[test]
fn deepest_allowed_rules_work_on_a_small_stack() {
    on_small_stack(|| {
        let d = taggate::rule::MAX_DEPTH;
        let half = d / 2;
        for src in [
            format!("{}a{}", "(".repeat(d), ")".repeat(d)),
            format!("{}a", "not ".repeat(d)),
            format!("{}a{}", "(not ".repeat(half), ")".repeat(half)),
            format!("{}a or b{}", "(x and (".repeat(half), "))".repeat(half)),
        ] {
            let rule = Rule::compile(&src).unwrap_or_else(|e| panic!("{e}"));
            let canon = rule.canonical();
            let again = Rule::compile(&canon).unwrap();
            assert_eq!(again.canonical(), canon);
            let mut set = TagSet::new();
            set.add("a", None).unwrap();
            assert_eq!(rule.matches(&set, 0), again.matches(&set, 0));
            drop(rule);
        }
    });
}

#[test]
fn largest_rules_compile() {
    let fill = |unit: &str, sep: &str| {
        let mut s = String::from(unit);
        while s.len() + sep.len() + unit.len() <= MAX_SOURCE_BYTES {
            s.push_str(sep);
            s.push_str(unit);
        }
        s
    };
    let mut sources = vec![
        fill("a", " or "),
        fill("a", "&&"),
        fill("t", " and not "),
        fill("(a or b)", " and "),
        fill("any(a,b,c)", "||"),
        fill("x for 1w2d3h4m5s", " or "),
    ];
    // One group naming thousands of distinct tags.
    let mut group = String::from("atleast(3, t0");
    let mut i = 1;
    while group.len() + 12 < MAX_SOURCE_BYTES {
        group.push_str(&format!(",t{i}"));
        i += 1;
    }
    group.push(')');
    sources.push(group);
    // Long chains behind deep parentheses, nested both ways (flattening
    // moves each node once).
    let d = taggate::rule::MAX_DEPTH - 1;
    let chain = fill("a", " and ");
    let chain = chain.get(..MAX_SOURCE_BYTES - 12 * d - 8).unwrap();
    let chain = chain.trim_end_matches(|c| c != 'a');
    sources.push(format!("{}{chain}{}", "x and (".repeat(d), ")".repeat(d)));
    sources.push(format!("{}{chain}{}", "(".repeat(d), ") and x".repeat(d)));
    // Many long quoted tags.
    let q = format!("'{}'", "q".repeat(250));
    sources.push(fill(&q, " or "));
    for src in &sources {
        assert!(src.len() <= MAX_SOURCE_BYTES);
        let rule = Rule::compile(src).unwrap_or_else(|e| panic!("{e}"));
        let _ = rule.matches(&TagSet::new(), 0);
        let canon = rule.canonical();
        // The canonical form of a rule written with `&&`/`!` is longer than
        // the source and may exceed the limit; otherwise it compiles again.
        if canon.len() <= MAX_SOURCE_BYTES {
            assert_eq!(Rule::compile(&canon).unwrap().canonical(), canon);
        }
    }
    // Pathological texts of the largest size fail quickly.
    for src in [
        "\"".repeat(MAX_SOURCE_BYTES),
        format!("'{}", "\\\\".repeat(MAX_SOURCE_BYTES / 2 - 1)),
        "a ".repeat(MAX_SOURCE_BYTES / 2),
        ",".repeat(MAX_SOURCE_BYTES),
        format!("any({}", "a,".repeat(MAX_SOURCE_BYTES / 2 - 2)),
        "é".repeat(MAX_SOURCE_BYTES / 2),
    ] {
        assert!(src.len() <= MAX_SOURCE_BYTES, "{}", src.len());
        assert!(Rule::compile(&src).is_err());
    }
}
