//! Webhook commands (SPEC §5): every command shape, every limit at its edge
//! and one beyond, every wrong type, and the normalised output.

use serde_json::{json, Value};
use taggate::command::{parse, MAX_BODY_BYTES};
use taggate::error::Error;

fn ok(body: &Value) -> Value {
    parse(body.to_string().as_bytes()).unwrap_or_else(|e| panic!("{body}: {e}"))
}

fn fails(body: &[u8]) -> (String, String) {
    match parse(body) {
        Err(Error::Command { pointer, problem }) => (pointer, problem),
        other => panic!(
            "{}: expected a command error, got {other:?}",
            String::from_utf8_lossy(body)
        ),
    }
}

fn fails_json(body: &Value) -> (String, String) {
    fails(body.to_string().as_bytes())
}

/// Asserts the pointer and that the problem contains `needle`.
fn assert_fault(body: &Value, pointer: &str, needle: &str) {
    let (p, problem) = fails_json(body);
    assert_eq!(p, pointer, "{body}: {problem}");
    assert!(problem.contains(needle), "{body}: {p}: {problem}");
}

fn contact() -> Value {
    json!({"email": "ana@example.com"})
}

fn with(command: &str, extra: Value) -> Value {
    let mut body = json!({"command": command, "contact": contact()});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

// ---------------------------------------------------------------------------
// Whole-body faults

#[test]
fn body_size_limit() {
    // Exactly 1 MiB is allowed: pad a valid ping with white space.
    let mut body = br#"{"command":"ping"}"#.to_vec();
    body.resize(MAX_BODY_BYTES, b' ');
    assert_eq!(parse(&body).unwrap(), json!({"command": "ping"}));
    body.push(b' ');
    let (p, problem) = fails(&body);
    assert_eq!(p, "/");
    assert_eq!(problem, "body is larger than 1 MiB");
    assert_eq!(
        parse(&body).unwrap_err().to_string(),
        "/: body is larger than 1 MiB"
    );
}

#[test]
fn invalid_utf8_and_json() {
    let (p, problem) = fails(b"{\"command\":\"ping\xff\"}");
    assert_eq!(p, "/");
    assert!(problem.contains("UTF-8"), "{problem}");

    for (body, needle) in [
        (&b""[..], "line 1"),
        (b"{", "line 1"),
        (b"{\"command\":\"ping\",}", "line 1 column 19"),
        (b"{\n  \"command\": ping\n}", "line 2 column"),
        (b"{\"command\":\"ping\"} x", "trailing"),
        (b"{\"command\":\"ping\"}{}", "trailing"),
        (b"NaN", "line 1"),
        (b"{\"a\":1e99999}", "out of range"),
    ] {
        let (p, problem) = fails(body);
        assert_eq!(p, "/", "{problem}");
        assert!(problem.starts_with("invalid JSON: "), "{problem}");
        assert!(problem.contains(needle), "{problem}");
    }
}

#[test]
fn root_must_be_an_object() {
    for (body, got) in [
        ("[]", "an array"),
        ("\"ping\"", "a string"),
        ("1", "a number"),
        ("null", "null"),
        ("true", "a boolean"),
    ] {
        let (p, problem) = fails(body.as_bytes());
        assert_eq!(p, "/");
        assert_eq!(problem, format!("expected a JSON object, got {got}"));
    }
}

#[test]
fn deep_nesting_is_a_clean_error() {
    let depth = 100_000;
    let mut body = String::with_capacity(2 * depth);
    body.push_str(&"[".repeat(depth));
    body.push_str(&"]".repeat(depth));
    let (p, problem) = fails(body.as_bytes());
    assert_eq!(p, "/");
    assert!(problem.contains("recursion limit"), "{problem}");

    let mut nested = String::from(r#"{"command":"ping","x":"#);
    nested.push_str(&"{\"a\":".repeat(depth));
    nested.push('1');
    nested.push_str(&"}".repeat(depth));
    nested.push('}');
    let (p, _) = fails(nested.as_bytes());
    assert_eq!(p, "/");

    // Moderate nesting inside an unknown field is fine and dropped.
    let mut fine = String::from(r#"{"command":"ping","x":"#);
    fine.push_str(&"[".repeat(100));
    fine.push_str(&"]".repeat(100));
    fine.push('}');
    assert_eq!(parse(fine.as_bytes()).unwrap(), json!({"command": "ping"}));
}

#[test]
fn byte_order_mark_is_skipped() {
    let mut body = "\u{feff}".as_bytes().to_vec();
    body.extend_from_slice(br#"{"command":"ping"}"#);
    assert_eq!(parse(&body).unwrap(), json!({"command": "ping"}));
}

// ---------------------------------------------------------------------------
// The command field

#[test]
fn command_field() {
    assert_fault(&json!({}), "/command", "is required");
    assert_fault(&json!({"command": null}), "/command", "is required");
    for wrong in [json!(1), json!(true), json!([]), json!({}), json!(["ping"])] {
        let (p, problem) = fails_json(&json!({"command": wrong}));
        assert_eq!(
            (p.as_str(), problem.as_str()),
            ("/command", "expected a string")
        );
    }
    let (p, problem) = fails_json(&json!({"command": "x"}));
    assert_eq!(p, "/command");
    assert_eq!(
        problem,
        "unknown command \"x\"; expected one of ping, contact.upsert, tags.add, tags.remove, \
         tags.set, access.revoke, login.link, password.reset, batch"
    );
    // Exact spelling only.
    for near in ["PING", " ping", "ping ", "tags_add", "Tags.Add", ""] {
        assert_fault(&json!({"command": near}), "/command", "unknown command");
    }
    // A huge or hostile command name is cut and escaped in the message.
    let long = "y".repeat(10_000) + "\n";
    let (_, problem) = fails_json(&json!({"command": long}));
    assert!(problem.len() < 400, "{}", problem.len());
    assert!(!problem.contains('\n'));
}

#[test]
fn ping() {
    assert_eq!(ok(&json!({"command": "ping"})), json!({"command": "ping"}));
    // Everything else is ignored, even of a wrong type.
    assert_eq!(
        ok(&json!({"command": "ping", "contact": 5, "tags": "x", "create": "no", "extra": {}})),
        json!({"command": "ping"})
    );
}

// ---------------------------------------------------------------------------
// Contact commands

#[test]
fn every_contact_command_shape() {
    for command in [
        "contact.upsert",
        "tags.add",
        "tags.remove",
        "tags.set",
        "access.revoke",
        "login.link",
        "password.reset",
    ] {
        let tags_needed = command.starts_with("tags.");
        let body = if tags_needed {
            with(command, json!({"tags": ["A"]}))
        } else {
            with(command, json!({}))
        };
        let out = ok(&body);
        assert_eq!(
            out,
            json!({
                "command": command,
                "contact": {"email": "ana@example.com", "crm_id": null, "first_name": null, "last_name": null},
                "tags": if tags_needed { json!(["A"]) } else { Value::Null },
                "create": false,
            }),
            "{command}"
        );
        // Contact required.
        let mut missing = body.clone();
        missing.as_object_mut().unwrap().remove("contact");
        assert_fault(&missing, "/contact", "is required");
        missing["contact"] = Value::Null;
        assert_fault(&missing, "/contact", "is required");
        for wrong in [json!("ana@example.com"), json!([]), json!(1)] {
            missing["contact"] = wrong;
            assert_fault(&missing, "/contact", "expected an object");
        }
        // Tags required for tags.*.
        if tags_needed {
            assert_fault(&with(command, json!({})), "/tags", "is required");
            assert_fault(
                &with(command, json!({"tags": null})),
                "/tags",
                "is required",
            );
            assert_eq!(ok(&with(command, json!({"tags": []})))["tags"], json!([]));
        }
        // create, everywhere a contact is.
        assert_eq!(
            ok(&with(command, json!({"tags": ["A"], "create": true})))["create"],
            json!(true)
        );
        assert_eq!(
            ok(&with(command, json!({"tags": ["A"], "create": null})))["create"],
            json!(false)
        );
        for wrong in [json!(1), json!("true"), json!([]), json!(0)] {
            assert_fault(
                &with(command, json!({"tags": ["A"], "create": wrong})),
                "/create",
                "expected a boolean",
            );
        }
    }
}

#[test]
fn full_example_from_the_spec() {
    let body = json!({
        "command": "tags.add",
        "contact": {"email": "ana@example.com", "crm_id": "8812", "first_name": "Ana", "last_name": "Lee"},
        "tags": ["Course A", "VIP"],
        "create": true
    });
    assert_eq!(
        ok(&body),
        json!({
            "command": "tags.add",
            "contact": {"email": "ana@example.com", "crm_id": "8812", "first_name": "Ana", "last_name": "Lee"},
            "tags": ["Course A", "VIP"],
            "create": true
        })
    );
}

#[test]
fn contact_upsert_tags_are_optional() {
    assert_eq!(ok(&with("contact.upsert", json!({})))["tags"], Value::Null);
    assert_eq!(
        ok(&with("contact.upsert", json!({"tags": null})))["tags"],
        Value::Null
    );
    assert_eq!(
        ok(&with("contact.upsert", json!({"tags": []})))["tags"],
        json!([])
    );
    assert_eq!(
        ok(&with("contact.upsert", json!({"tags": ["x", "X"]})))["tags"],
        json!(["x"])
    );
    assert_fault(
        &with("contact.upsert", json!({"tags": "x"})),
        "/tags",
        "expected an array",
    );
}

#[test]
fn tags_on_commands_without_tags_are_ignored() {
    for command in ["access.revoke", "login.link", "password.reset"] {
        let out = ok(&with(command, json!({"tags": "not even an array"})));
        assert_eq!(out["tags"], Value::Null);
    }
}

#[test]
fn unknown_fields_are_dropped() {
    let body = json!({
        "command": "tags.set",
        "contact": {"email": "a@b", "phone": "123", "nested": {"x": [1, 2]}},
        "tags": ["t"],
        "extra": true,
        "items": [1]
    });
    assert_eq!(
        ok(&body),
        json!({
            "command": "tags.set",
            "contact": {"email": "a@b", "crm_id": null, "first_name": null, "last_name": null},
            "tags": ["t"],
            "create": false
        })
    );
}

// ---------------------------------------------------------------------------
// E-mail

fn email_fault(email: Value, needle: &str) {
    assert_fault(
        &json!({"command": "access.revoke", "contact": {"email": email}}),
        "/contact/email",
        needle,
    );
}

fn email_ok(email: &str) -> Value {
    ok(&json!({"command": "access.revoke", "contact": {"email": email}}))["contact"]["email"]
        .clone()
}

#[test]
fn email_rules() {
    assert_fault(
        &json!({"command": "access.revoke", "contact": {}}),
        "/contact/email",
        "is required",
    );
    assert_fault(
        &json!({"command": "access.revoke", "contact": {"email": null}}),
        "/contact/email",
        "is required",
    );
    for wrong in [json!(1), json!(["a@b"]), json!({}), json!(true)] {
        let (p, problem) =
            fails_json(&json!({"command": "login.link", "contact": {"email": wrong}}));
        assert_eq!(
            (p.as_str(), problem.as_str()),
            ("/contact/email", "expected a string")
        );
    }
    // Trimmed, case kept.
    assert_eq!(email_ok("  Ana@Example.COM \n"), json!("Ana@Example.COM"));
    assert_eq!(email_ok("\u{3000}a@b\u{a0}"), json!("a@b"));
    email_fault(json!(""), "must not be empty");
    email_fault(json!("   "), "must not be empty");
    email_fault(json!("ana"), "exactly one @, found 0");
    email_fault(json!("a@b@c"), "exactly one @, found 2");
    email_fault(json!("@example.com"), "before the @");
    email_fault(json!("ana@"), "after the @");
    email_fault(json!("@"), "before the @");
    email_fault(json!("a na@example.com"), "white space");
    email_fault(json!("ana@exa\tmple.com"), "white space");
    email_fault(json!("ana@exam\u{2003}ple.com"), "white space");
    email_fault(json!("ana@exam\u{0}ple.com"), "control");
    email_fault(json!("ana@exam\u{7f}ple.com"), "control");
    email_fault(json!("ana@exam\u{85}ple.com"), "white space");
}

#[test]
fn email_length_edge() {
    // 254 bytes exactly, after trimming.
    let local = "a".repeat(64);
    let domain = "d".repeat(254 - 65);
    let email = format!("{local}@{domain}");
    assert_eq!(email.len(), 254);
    assert_eq!(email_ok(&format!("  {email}  ")), json!(email));
    let longer = format!("{local}@{domain}d");
    email_fault(json!(longer), "must be at most 254 bytes, got 255");
    // Bytes, not characters: 127 two-byte characters are 254 bytes.
    let wide = format!("{}@{}", "é".repeat(63), "é".repeat(63));
    assert_eq!(wide.len(), 253);
    assert!(email_ok(&wide).is_string());
    let wider = format!("{}@{}", "é".repeat(63), "é".repeat(64));
    email_fault(json!(wider), "must be at most 254 bytes, got 255");
}

// ---------------------------------------------------------------------------
// crm_id and names

fn contact_out(contact: Value) -> Value {
    ok(&json!({"command": "contact.upsert", "contact": contact}))["contact"].clone()
}

fn contact_fault(contact: Value, pointer: &str, needle: &str) {
    assert_fault(
        &json!({"command": "contact.upsert", "contact": contact}),
        pointer,
        needle,
    );
}

#[test]
fn crm_id_rules() {
    let id = |v: Value| contact_out(json!({"email": "a@b", "crm_id": v}))["crm_id"].clone();
    assert_eq!(id(json!("8812")), json!("8812"));
    assert_eq!(id(json!(8812)), json!("8812"));
    assert_eq!(id(json!(0)), json!("0"));
    assert_eq!(id(json!(-7)), json!("-7"));
    assert_eq!(id(json!(u64::MAX)), json!(u64::MAX.to_string()));
    assert_eq!(id(json!(i64::MIN)), json!(i64::MIN.to_string()));
    assert_eq!(id(json!(" abc ")), json!("abc"));
    assert_eq!(id(json!("")), Value::Null);
    assert_eq!(id(json!("  ")), Value::Null);
    assert_eq!(id(Value::Null), Value::Null);
    assert_eq!(id(json!("x".repeat(64))), json!("x".repeat(64)));
    assert_eq!(id(json!("é".repeat(64))), json!("é".repeat(64)));
    contact_fault(
        json!({"email": "a@b", "crm_id": "x".repeat(65)}),
        "/contact/crm_id",
        "must be at most 64 characters, got 65",
    );
    for wrong in [
        json!(1.5),
        json!(12.0),
        json!(1e3),
        json!(true),
        json!([1]),
        json!({}),
    ] {
        let (p, problem) = fails_json(
            &json!({"command": "contact.upsert", "contact": {"email": "a@b", "crm_id": wrong}}),
        );
        assert_eq!(p, "/contact/crm_id");
        assert_eq!(problem, "expected a string or an integer");
    }
    contact_fault(
        json!({"email": "a@b", "crm_id": "a\u{1}b"}),
        "/contact/crm_id",
        "control",
    );
}

#[test]
fn name_rules() {
    for field in ["first_name", "last_name"] {
        let pointer = format!("/contact/{field}");
        let out = |v: Value| {
            let mut c = json!({"email": "a@b"});
            c[field] = v;
            contact_out(c)[field].clone()
        };
        assert_eq!(out(json!("Ana")), json!("Ana"));
        assert_eq!(out(json!("  Ana Maria ")), json!("Ana Maria"));
        assert_eq!(out(json!("")), Value::Null);
        assert_eq!(out(Value::Null), Value::Null);
        assert_eq!(out(json!("ß".repeat(100))), json!("ß".repeat(100)));
        assert_eq!(
            out(json!(format!(" {} ", "n".repeat(100)))),
            json!("n".repeat(100))
        );
        let mut c = json!({"email": "a@b"});
        c[field] = json!("n".repeat(101));
        contact_fault(
            c.clone(),
            &pointer,
            "must be at most 100 characters, got 101",
        );
        c[field] = json!("ß".repeat(101));
        contact_fault(
            c.clone(),
            &pointer,
            "must be at most 100 characters, got 101",
        );
        c[field] = json!("A\nB");
        contact_fault(c.clone(), &pointer, "control");
        for wrong in [json!(1), json!(false), json!(["Ana"]), json!({})] {
            c[field] = wrong;
            let (p, problem) = fails_json(&json!({"command": "contact.upsert", "contact": c}));
            assert_eq!(
                (p.as_str(), problem.as_str()),
                (pointer.as_str(), "expected a string")
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Tags

#[test]
fn tags_rules() {
    let t = |tags: Value| ok(&with("tags.add", json!({"tags": tags})))["tags"].clone();
    assert_eq!(
        t(json!([
            " VIP ",
            "vip",
            "Course  A",
            "course a",
            "Café",
            "CAFÉ",
            "x"
        ])),
        json!(["VIP", "Course  A", "Café", "x"])
    );
    assert_fault(
        &with("tags.add", json!({"tags": "VIP"})),
        "/tags",
        "expected an array",
    );
    assert_fault(
        &with("tags.add", json!({"tags": {"0": "VIP"}})),
        "/tags",
        "expected an array",
    );
    for wrong in [json!(1), json!(null), json!(["x"]), json!({})] {
        let (p, problem) = fails_json(&with(
            "tags.remove",
            json!({"tags": ["a", "b", "c", wrong]}),
        ));
        assert_eq!(
            (p.as_str(), problem.as_str()),
            ("/tags/3", "expected a string")
        );
    }
    let (p, problem) = fails_json(&with("tags.set", json!({"tags": ["a", "  "]})));
    assert_eq!(p, "/tags/1");
    assert!(problem.contains("empty"), "{problem}");
    assert_fault(
        &with("tags.set", json!({"tags": ["a\u{1}"]})),
        "/tags/0",
        "control",
    );
    assert_fault(
        &with("tags.set", json!({"tags": ["x".repeat(256)]})),
        "/tags/0",
        "255 bytes",
    );
    assert_eq!(t(json!(["x".repeat(255)])), json!(["x".repeat(255)]));
}

#[test]
fn tags_count_edge() {
    let thousand: Vec<String> = (0..1000).map(|i| format!("tag-{i}")).collect();
    assert_eq!(
        ok(&with("tags.add", json!({"tags": thousand})))["tags"]
            .as_array()
            .unwrap()
            .len(),
        1000
    );
    let mut over = thousand.clone();
    over.push("one more".into());
    let (p, problem) = fails_json(&with("tags.add", json!({"tags": over})));
    assert_eq!(p, "/tags");
    assert_eq!(problem, "expected at most 1000 tags, got 1001");
    // The limit counts the array as sent, duplicates included.
    let dupes: Vec<&str> = vec!["same"; 1001];
    assert_fault(
        &with("tags.add", json!({"tags": dupes})),
        "/tags",
        "at most 1000",
    );
    let dupes: Vec<&str> = vec!["same"; 1000];
    assert_eq!(
        ok(&with("tags.add", json!({"tags": dupes})))["tags"],
        json!(["same"])
    );
}

// ---------------------------------------------------------------------------
// Batch

#[test]
fn batch_shapes() {
    let out = ok(&json!({
        "command": "batch",
        "items": [
            {"command": "ping"},
            {"command": "tags.add", "contact": {"email": " a@b ", "crm_id": 5}, "tags": ["x", "X"], "create": true},
            {"command": "access.revoke", "contact": {"email": "c@d"}}
        ],
        "contact": "ignored"
    }));
    assert_eq!(
        out,
        json!({
            "command": "batch",
            "items": [
                {"command": "ping"},
                {"command": "tags.add", "contact": {"email": "a@b", "crm_id": "5", "first_name": null, "last_name": null}, "tags": ["x"], "create": true},
                {"command": "access.revoke", "contact": {"email": "c@d", "crm_id": null, "first_name": null, "last_name": null}, "tags": null, "create": false}
            ]
        })
    );
}

#[test]
fn batch_limits_and_faults() {
    assert_fault(&json!({"command": "batch"}), "/items", "is required");
    assert_fault(
        &json!({"command": "batch", "items": null}),
        "/items",
        "is required",
    );
    assert_fault(
        &json!({"command": "batch", "items": {}}),
        "/items",
        "expected an array",
    );
    let (p, problem) = fails_json(&json!({"command": "batch", "items": []}));
    assert_eq!(
        (p.as_str(), problem.as_str()),
        ("/items", "expected 1 to 500 items, got 0")
    );

    let ping = json!({"command": "ping"});
    assert_eq!(
        ok(&json!({"command": "batch", "items": vec![ping.clone(); 500]}))["items"]
            .as_array()
            .unwrap()
            .len(),
        500
    );
    let (p, problem) = fails_json(&json!({"command": "batch", "items": vec![ping.clone(); 501]}));
    assert_eq!(
        (p.as_str(), problem.as_str()),
        ("/items", "expected 1 to 500 items, got 501")
    );
    assert_eq!(
        ok(&json!({"command": "batch", "items": [ping.clone()]}))["items"],
        json!([ping])
    );

    assert_fault(
        &json!({"command": "batch", "items": [ping.clone(), "ping"]}),
        "/items/1",
        "expected an object",
    );
    let (p, problem) = fails_json(
        &json!({"command": "batch", "items": [ping.clone(), {"command": "batch", "items": [ping.clone()]}]}),
    );
    assert_eq!(
        (p.as_str(), problem.as_str()),
        ("/items/1/command", "a batch cannot contain another batch")
    );
    assert_fault(
        &json!({"command": "batch", "items": [{}]}),
        "/items/0/command",
        "is required",
    );
    assert_fault(
        &json!({"command": "batch", "items": [{"command": "nope"}]}),
        "/items/0/command",
        "unknown command \"nope\"",
    );

    // Deep pointers, and one bad item fails the whole batch.
    let mut items = vec![ping.clone(); 4];
    items.push(json!({"command": "tags.add", "contact": {"email": "bad"}, "tags": []}));
    let (p, problem) = fails_json(&json!({"command": "batch", "items": items}));
    assert_eq!(p, "/items/4/contact/email");
    assert!(problem.contains("exactly one @"));
    assert_eq!(
        parse(
            json!({"command": "batch", "items": items})
                .to_string()
                .as_bytes()
        )
        .unwrap_err()
        .to_string(),
        "/items/4/contact/email: must contain exactly one @, found 0"
    );
    let items = json!([{"command": "tags.set", "contact": {"email": "a@b"}, "tags": ["ok", 7]}]);
    assert_fault(
        &json!({"command": "batch", "items": items}),
        "/items/0/tags/1",
        "expected a string",
    );
    let items = json!([{"command": "tags.set", "contact": {"email": "a@b"}}]);
    assert_fault(
        &json!({"command": "batch", "items": items}),
        "/items/0/tags",
        "is required",
    );
    let items = json!([{"command": "login.link", "contact": {"email": "a@b", "crm_id": 1.5}}]);
    assert_fault(
        &json!({"command": "batch", "items": items}),
        "/items/0/contact/crm_id",
        "integer",
    );
    let items = json!([{"command": "login.link", "contact": {"email": "a@b"}, "create": "y"}]);
    assert_fault(
        &json!({"command": "batch", "items": items}),
        "/items/0/create",
        "boolean",
    );
}

#[test]
fn duplicate_keys_last_wins() {
    let body = br#"{"command":"x","command":"ping"}"#;
    assert_eq!(parse(body).unwrap(), json!({"command": "ping"}));
}

#[test]
fn display_is_pointer_colon_problem() {
    let err = parse(br#"{"command":"tags.add","contact":{"email":"a@b"},"tags":["a","b","c",1]}"#)
        .unwrap_err();
    assert_eq!(err.to_string(), "/tags/3: expected a string");
}
