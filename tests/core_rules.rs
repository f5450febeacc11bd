//! The rule language against every case of the shared conformance vectors
//! (`../shared/vectors/rules.json`, read in place), plus cases of our own for
//! each construct, limit and error.

use std::path::PathBuf;

use serde_json::Value;
use taggate::error::Error;
use taggate::rule::{Rule, MAX_DEPTH, MAX_SOURCE_BYTES};
use taggate::tagset::TagSet;

fn vectors() -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/rules.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    match serde_json::from_str(&text).expect("rules.json is JSON") {
        Value::Array(cases) => cases,
        other => panic!("rules.json is not a list: {other}"),
    }
}

fn tag_set(tags: &Value) -> TagSet {
    let mut set = TagSet::new();
    for pair in tags.as_array().expect("tags is a list") {
        let tag = pair[0].as_str().expect("tag is a string");
        let at = pair[1].as_i64();
        set.add(tag, at).expect("vector tags are valid");
    }
    set
}

fn syntax_error(src: &str) -> (String, usize, usize) {
    match Rule::compile(src) {
        Err(e @ Error::RuleSyntax { .. }) => {
            let shown = e.to_string();
            let Error::RuleSyntax {
                message,
                line,
                column,
            } = e
            else {
                unreachable!()
            };
            assert!(
                shown.ends_with(&format!(" at line {line}, column {column}")),
                "{shown}"
            );
            (message, line, column)
        }
        other => panic!("{src:?} should fail to compile, got {other:?}"),
    }
}

fn assert_canonical(src: &str, want: &str) {
    let rule = Rule::compile(src).unwrap_or_else(|e| panic!("{src:?}: {e}"));
    assert_eq!(rule.canonical(), want, "canonical form of {src:?}");
    assert_eq!(rule.to_string(), want, "Display of {src:?}");
    let again = Rule::compile(want).unwrap_or_else(|e| panic!("re-compiling {want:?}: {e}"));
    assert_eq!(again.canonical(), want, "canonical form is not stable");
}

#[test]
fn every_rules_vector() {
    let cases = vectors();
    assert!(!cases.is_empty());
    let (mut matched, mut canonical, mut errors, mut tag_lists) = (0, 0, 0, 0);
    for case in &cases {
        let rule = case["rule"].as_str().expect("rule is a string");
        if let Some(expect) = case.get("expect") {
            let set = tag_set(&case["tags"]);
            let now = case["now"].as_i64().expect("now is an int");
            let compiled = Rule::compile(rule).unwrap_or_else(|e| panic!("{rule:?}: {e}"));
            assert_eq!(
                compiled.matches(&set, now),
                expect.as_bool().expect("expect is a bool"),
                "{rule:?} against {set:?} at {now}"
            );
            // The canonical form means the same.
            let canon = Rule::compile(&compiled.canonical()).unwrap();
            assert_eq!(canon.matches(&set, now), compiled.matches(&set, now));
            matched += 1;
        } else if let Some(want) = case.get("canonical") {
            assert_canonical(rule, want.as_str().expect("canonical is a string"));
            canonical += 1;
        } else if let Some(err) = case.get("error") {
            match err {
                Value::Bool(true) => {
                    assert!(
                        matches!(Rule::compile(rule), Err(Error::RuleSyntax { .. })),
                        "{rule:?}"
                    );
                }
                Value::Object(pos) => {
                    let (message, line, column) = syntax_error(rule);
                    let want = (
                        pos["line"].as_u64().unwrap() as usize,
                        pos["column"].as_u64().unwrap() as usize,
                    );
                    assert_eq!((line, column), want, "{rule:?}: {message}");
                    assert!(
                        message.starts_with("expected ") && message.contains(" but found "),
                        "{rule:?}: {message}"
                    );
                }
                other => panic!("unknown error form {other}"),
            }
            errors += 1;
        } else if let Some(want) = case.get("tags_of_rule") {
            let want: Vec<String> = serde_json::from_value(want.clone()).unwrap();
            let compiled = Rule::compile(rule).unwrap();
            assert_eq!(compiled.tags(), want.as_slice(), "{rule:?}");
            tag_lists += 1;
        } else {
            panic!("unknown case {case}");
        }
    }
    assert_eq!(matched + canonical + errors + tag_lists, cases.len());
    assert!(matched > 0 && canonical > 0 && errors > 0 && tag_lists > 0);
}

// ---------------------------------------------------------------------------
// Meaning
// ---------------------------------------------------------------------------

fn sample() -> TagSet {
    let mut s = TagSet::new();
    s.add("VIP", None).unwrap();
    s.add("Course A", Some(1_000)).unwrap();
    s.add("say \"hi\"", Some(2_000)).unwrap();
    s.add("back\\slash", None).unwrap();
    s.add("Café Members", Some(-50)).unwrap();
    s.add("for", None).unwrap();
    s
}

fn eval(rule: &str, now: i64) -> bool {
    Rule::compile(rule)
        .unwrap_or_else(|e| panic!("{rule:?}: {e}"))
        .matches(&sample(), now)
}

#[test]
fn held_tags_by_key() {
    assert!(eval("vip", 0));
    assert!(eval("Vip", 0));
    assert!(eval("\"  course   A \"", 0));
    assert!(eval("'say \"hi\"'", 0));
    assert!(eval("\"say \\\"hi\\\"\"", 0));
    assert!(eval("\"back\\\\slash\"", 0));
    assert!(eval("'CAFÉ MEMBERS'", 0));
    assert!(eval("\"for\"", 0));
    assert!(eval("'FOR'", 0));
    assert!(!eval("course-a", 0));
    assert!(!eval("\"Course  B\"", 0));
}

#[test]
fn keywords_and_operators() {
    assert!(eval("TRUE", 0));
    assert!(!eval("False", 0));
    assert!(eval("vip AND NOT missing", 0));
    assert!(eval("vip && !missing", 0));
    assert!(eval("missing Or vip", 0));
    assert!(eval("missing || vip", 0));
    // not binds tighter than and, and tighter than or.
    assert!(!eval("not vip and missing", 0));
    assert!(eval("not missing and vip", 0));
    assert!(eval("vip or missing and false", 0));
    assert!(!eval("(vip or missing) and false", 0));
    assert!(eval("not not vip", 0));
    assert!(eval("!!!missing", 0));
    // `trueish`, `anyone`, `forever` are ordinary tags.
    assert!(!eval("trueish or anyone or forever", 0));
}

#[test]
fn groups() {
    assert!(eval("any(missing, VIP)", 0));
    assert!(!eval("any(missing, nope)", 0));
    assert!(eval("all(vip, 'course a', \"for\",)", 0));
    assert!(!eval("all(vip, missing)", 0));
    assert!(eval("none(missing, nope)", 0));
    assert!(!eval("none(missing, vip)", 0));
    assert!(eval("atleast(0, missing)", 0));
    assert!(eval("atleast(2, vip, missing, 'course a')", 0));
    assert!(!eval("atleast(3, vip, missing, 'course a')", 0));
    assert!(!eval("atleast(2, vip, VIP, ' vip ')", 0));
    assert!(!eval("atleast(99999999999999999999999999999, vip)", 0));
    assert!(eval(
        "ANY(vip) and ALL(vip) and NONE(x) and ATLEAST(1, vip)",
        0
    ));
}

#[test]
fn durations_and_time() {
    // Course A at 1000.
    assert!(eval("'course a' for 0s", 1_000));
    assert!(!eval("'course a' for 0s", 999));
    assert!(eval("'course a' for 1m40s", 1_100));
    assert!(!eval("'course a' for 1m41s", 1_100));
    // VIP has no known time: applied at 0.
    assert!(eval("vip for 1w", 604_800));
    assert!(!eval("vip for 1w", 604_799));
    assert!(eval("vip for 0s", 0));
    assert!(!eval("vip for 1s", -5));
    // Negative times and extremes: signed, no overflow.
    assert!(eval("'café members' for 50s", 0));
    assert!(!eval("'café members' for 51s", 0));
    assert!(!eval("'café members' for 1s", i64::MIN));
    assert!(!eval("vip for 18446744073709551615s", i64::MAX));
    let mut extreme = TagSet::new();
    extreme.add("x", Some(i64::MIN)).unwrap();
    let r = Rule::compile("x for 18446744073709551615s").unwrap();
    assert!(r.matches(&extreme, i64::MAX));
    assert!(!r.matches(&extreme, i64::MAX - 1));
    // `for` on an absent tag is false whatever the time.
    assert!(!eval("missing for 0s", i64::MAX));
    // Units are read case-insensitively, summed, and repeat.
    assert!(eval("vip for 1D1d", 172_800));
    assert!(!eval("vip for 1D1d", 172_799));
}

#[test]
fn empty_set() {
    let empty = TagSet::new();
    let m = |r: &str| Rule::compile(r).unwrap().matches(&empty, 0);
    assert!(!m("vip"));
    assert!(m("not vip"));
    assert!(m("none(a, b)"));
    assert!(!m("all(a)"));
    assert!(m("atleast(0, a)"));
}

// ---------------------------------------------------------------------------
// tags() and canonical form
// ---------------------------------------------------------------------------

#[test]
fn tag_lists() {
    let r = Rule::compile("b and (B or 'a') and any(A, c, ' c ') and c for 1d").unwrap();
    assert_eq!(r.tags(), ["b", "a", "c"]);
    let r = Rule::compile("true or not false").unwrap();
    assert!(r.tags().is_empty());
    let r = Rule::compile("'Course  A' or \"course a\"").unwrap();
    assert_eq!(r.tags(), ["Course  A"]);
}

#[test]
fn canonical_forms() {
    for (src, want) in [
        ("a", "a"),
        ("a&&b&&c", "a and b and c"),
        ("a||b||c", "a or b or c"),
        ("(a or b) and (c or d)", "(a or b) and (c or d)"),
        ("(a and b) or (c and d)", "a and b or c and d"),
        ("a and (b and (c and d))", "a and b and c and d"),
        ("a or (b or (c or d))", "a or b or c or d"),
        ("((a or b)) or c", "a or b or c"),
        ("not (not (a))", "not not a"),
        ("!(a || b)", "not (a or b)"),
        ("not (a and b) or c", "not (a and b) or c"),
        ("not any(a,b)", "not any(a, b)"),
        ("NONE( a , b , )", "none(a, b)"),
        ("AtLeast(02,a,b)", "atleast(2, a, b)"),
        ("atleast(0, a)", "atleast(0, a)"),
        ("ALL('x y', \"z\")", "all(\"x y\", z)"),
        ("x for 604800s", "x for 1w"),
        ("x for 1w7d", "x for 2w"),
        ("x for 25h", "x for 1d1h"),
        ("x for 3601s", "x for 1h1s"),
        ("x for 0w0d", "x for 0s"),
        ("x FOR 2D", "x for 2d"),
        ("'x' for 1h", "x for 1h"),
        ("not x for 1h", "not x for 1h"),
        ("'and' or 'Any' or 'TRUE'", "\"and\" or \"Any\" or \"TRUE\""),
        ("'a\\\\b'", "\"a\\\\b\""),
        ("'\"'", "\"\\\"\""),
        ("\"it's\"", "\"it's\""),
        ("' spaced  out '", "\"spaced  out\""),
        ("Café or 東京 or ünïcödé", "Café or 東京 or ünïcödé"),
        ("'a,b' or 'a(b)' or 'a!b'", "\"a,b\" or \"a(b)\" or \"a!b\""),
        ("true and false", "true and false"),
        ("a\n and\tb", "a and b"),
    ] {
        assert_canonical(src, want);
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

#[test]
fn error_positions() {
    for (src, line, column) in [
        ("a && ", 1, 6),
        ("a | b", 1, 3),
        ("a || || b", 1, 6),
        ("a & b", 1, 3),
        ("atleast(2)", 1, 10),
        ("atleast(2,)", 1, 11),
        ("atleast(,a)", 1, 9),
        ("atleast(-1, a)", 1, 9),
        ("atleast(1.5, a)", 1, 9),
        ("atleast 2, a", 1, 9),
        ("any(a,,b)", 1, 7),
        ("any(,a)", 1, 5),
        ("any a", 1, 5),
        ("any(a", 1, 6),
        ("any(a for 1d)", 1, 7),
        ("any(any(a))", 1, 5),
        ("any((a))", 1, 5),
        ("not", 1, 4),
        ("!", 1, 2),
        ("()", 1, 2),
        ("a)", 1, 2),
        ("(a))", 1, 4),
        ("for", 1, 1),
        ("a for 7d for 1d", 1, 10),
        ("a for \"7d\"", 1, 7),
        ("a for 1d2", 1, 7),
        ("a for d", 1, 7),
        ("a for -1d", 1, 7),
        ("a for 99999999999999999999s", 1, 7),
        ("any(a) for 1d", 1, 8),
        ("true for 1d", 1, 6),
        ("\"it\\'s\"", 1, 4),
        ("'say \\\"hi\\\"'", 1, 6),
        ("'abc\\", 1, 1),
        ("x or 'abc", 1, 6),
        ("\"line\nbreak\"", 1, 1),
        ("'tab\there'", 1, 1),
        ("\"\"", 1, 1),
        ("a or '   '", 1, 6),
        ("a\r\nb", 2, 1),
        ("é and ∧", 1, 7),
        ("a \u{0}", 1, 3),
        ("a\n\n   $", 3, 4),
        ("vip and\n  (a or\n   b", 3, 5),
        ("a ¬ b", 1, 3),
        ("a = b", 1, 3),
        ("[a]", 1, 1),
    ] {
        let (message, l, c) = syntax_error(src);
        assert_eq!((l, c), (line, column), "{src:?}: {message}");
        assert!(
            message.starts_with("expected ") && message.contains(" but found "),
            "{src:?}: {message}"
        );
    }
}

#[test]
fn error_messages() {
    let msg = |src: &str| syntax_error(src).0;
    assert_eq!(msg("(a or b"), "expected ')' but found end of rule");
    assert_eq!(
        msg("a b"),
        "expected 'and', 'or' or end of rule but found 'b'"
    );
    assert_eq!(msg("any()"), "expected a tag but found ')'");
    assert_eq!(msg("any(a b)"), "expected ',' or ')' but found 'b'");
    assert_eq!(msg("any"), "expected '(' after 'any' but found end of rule");
    assert_eq!(
        msg("atleast(x, a)"),
        "expected a whole number but found 'x'"
    );
    assert_eq!(msg("a &  b"), "expected '&&' but found '&'");
    assert_eq!(msg("\"abc"), "expected a closing \" but found end of rule");
    assert!(msg("a for 7x").contains("duration"));
    assert!(msg("a for 7x").ends_with("found '7x'"));
    assert!(msg("\"bad \\n escape\"").contains("'\\n'"));
    assert!(msg("\"\"").contains("must not be empty"));
    assert!(msg("'a\u{7f}'").contains("U+007F"));
    assert!(msg(&"y".repeat(256)).contains("at most 255 bytes"));
    assert!(msg(&format!("'{}'", "é".repeat(128))).contains("256"));
    assert!(msg("a $ b").contains("'$'"));
    assert!(msg("a \u{1} b").contains("U+0001"));
    // Long text is shortened in messages.
    let long = format!("a {}", "b".repeat(200));
    assert!(msg(&long).chars().count() < 120, "{}", msg(&long));
}

#[test]
fn tag_length_limits() {
    let ok = "x".repeat(255);
    assert_eq!(
        Rule::compile(&ok).unwrap().tags(),
        std::slice::from_ref(&ok)
    );
    assert!(Rule::compile(&format!("'  {ok}  '")).is_ok());
    assert_eq!(syntax_error(&format!("a or {}", "x".repeat(256))).2, 6);
    assert!(Rule::compile(&format!("'{}'", "é".repeat(127))).is_ok());
    assert!(Rule::compile(&format!("'{}'", "é".repeat(128))).is_err());
}

#[test]
fn nesting_limit() {
    let nest = |n: usize| format!("{}a{}", "(".repeat(n), ")".repeat(n));
    assert!(Rule::compile(&nest(MAX_DEPTH)).is_ok());
    let (m, _, c) = syntax_error(&nest(MAX_DEPTH + 1));
    assert!(m.contains("100"), "{m}");
    assert_eq!(c, MAX_DEPTH + 1);
    let nots = |n: usize| format!("{}a", "not ".repeat(n));
    assert!(Rule::compile(&nots(MAX_DEPTH)).is_ok());
    assert_eq!(syntax_error(&nots(MAX_DEPTH + 1)).2, 4 * MAX_DEPTH + 1);
    // Parentheses, not and groups all count.
    let mixed = format!(
        "{}not any(a){}",
        "(".repeat(MAX_DEPTH - 2),
        ")".repeat(MAX_DEPTH - 2)
    );
    assert!(Rule::compile(&mixed).is_ok());
    let mixed = format!(
        "{}not any(a){}",
        "(".repeat(MAX_DEPTH - 1),
        ")".repeat(MAX_DEPTH - 1)
    );
    let (_, _, c) = syntax_error(&mixed);
    assert_eq!(c, MAX_DEPTH - 1 + 5); // the `any`
                                      // Sequential (not nested) parentheses are not depth.
    let wide = vec!["(a)"; 5_000].join(" or ");
    assert!(Rule::compile(&wide).is_ok());
}

#[test]
fn source_size_limit() {
    let exact = format!("a{}", " ".repeat(MAX_SOURCE_BYTES - 1));
    assert_eq!(exact.len(), MAX_SOURCE_BYTES);
    assert!(Rule::compile(&exact).is_ok());
    let over = format!("{exact} ");
    let (m, l, c) = syntax_error(&over);
    assert!(m.contains("65536"), "{m}");
    assert_eq!((l, c), (1, 1));
    // Even when the text would also have other errors.
    assert_eq!(syntax_error(&"(".repeat(MAX_SOURCE_BYTES + 1)).2, 1);
}

#[test]
fn tagset_api() {
    let mut s = TagSet::with_capacity(4);
    assert!(s.is_empty());
    s.add("b", Some(2)).unwrap();
    s.add("A", None).unwrap();
    s.add("c", None).unwrap();
    s.add("a", Some(7)).unwrap();
    assert_eq!(
        s.iter().collect::<Vec<_>>(),
        [("b", Some(2)), ("A", Some(7)), ("c", None)]
    );
    let copy = s.clone();
    assert!(s.remove(" B "));
    assert_eq!(s.len(), 2);
    assert_eq!(copy.len(), 3);
    assert!(copy.has("b"));
    assert_eq!(copy.applied_at("B"), Some(2));
    assert_eq!(s.applied_at("b"), None);
    let rule = Rule::compile("b and a for 5s").unwrap();
    assert!(rule.matches(&copy, 12));
    assert!(!rule.matches(&copy, 11));
    assert!(!rule.matches(&s, 12));
    assert!(matches!(s.add("", None), Err(Error::InvalidTag(_))));
    assert_eq!(format!("{s:?}"), "{\"A\": Some(7), \"c\": None}");
}
