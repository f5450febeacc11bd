//! Webhook signatures (SPEC §4): every case of the shared conformance vectors,
//! read in place, plus round trips and the failure modes of every scheme.

use std::collections::BTreeMap;
use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;
use taggate::error::{Error, SignatureFailure};
use taggate::signature::{fresh_message_id, sha_acceleration, Scheme, Webhook};

const NOW: i64 = 1_764_000_000;

fn vectors() -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/signatures.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str::<Vec<Value>>(&text).expect("signatures.json is a JSON array")
}

fn str_list(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().expect("string").to_owned())
            .collect(),
        other => panic!("expected a string or a list, got {other}"),
    }
}

fn case_body(case: &Value) -> Vec<u8> {
    if let Some(body) = case.get("body_base64") {
        STANDARD
            .decode(body.as_str().expect("body_base64 is a string"))
            .expect("body_base64 decodes")
    } else {
        case["body"].as_str().expect("body").as_bytes().to_vec()
    }
}

fn kind_of(err: &Error) -> SignatureFailure {
    match err {
        Error::Signature { kind, .. } => *kind,
        other => panic!("expected a signature error, got {other:?}"),
    }
}

fn webhook(scheme: &str, secrets: &[&str], tolerance: i64) -> Webhook {
    let secrets: Vec<&[u8]> = secrets.iter().map(|s| s.as_bytes()).collect();
    Webhook::new(scheme, &secrets, tolerance).expect("valid webhook")
}

fn headers_of(pairs: &[(String, String)]) -> Vec<(&str, &[u8])> {
    pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

fn expect_kind(result: taggate::error::Result<String>, kind: SignatureFailure) {
    match result {
        Ok(id) => panic!("expected {kind:?}, got Ok({id:?})"),
        Err(err) => assert_eq!(kind_of(&err), kind, "{err}"),
    }
}

// ---------------------------------------------------------------------------
// The shared vectors

#[test]
fn every_vector_case() {
    let cases = vectors();
    assert!(!cases.is_empty());
    let (mut verify, mut sign, mut construct) = (0, 0, 0);
    for case in &cases {
        let name = case
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("(unnamed)");
        let scheme = case["scheme"].as_str().expect("scheme");
        if case.get("construct").and_then(Value::as_bool) == Some(true) {
            construct += 1;
            let secrets = str_list(&case["secrets"]);
            let refs: Vec<&[u8]> = secrets.iter().map(|s| s.as_bytes()).collect();
            let tolerance = case.get("tolerance").and_then(Value::as_i64).unwrap_or(300);
            match Webhook::new(scheme, &refs, tolerance) {
                Err(Error::InvalidArgument(message)) => {
                    for secret in secrets.iter().filter(|s| s.len() >= 8) {
                        assert!(!message.contains(secret.as_str()), "{name}: {message}");
                    }
                }
                other => panic!("{name}: expected InvalidArgument, got {other:?}"),
            }
        } else if case.get("sign").and_then(Value::as_bool) == Some(true) {
            sign += 1;
            let secret = case["secret"].as_str().expect("secret");
            let hook = webhook(scheme, &[secret], 300);
            let id = case.get("id").and_then(Value::as_str);
            let got = hook
                .sign(
                    &case_body(case),
                    id,
                    case["timestamp"].as_i64().expect("timestamp"),
                    case.get("method").and_then(Value::as_str).unwrap_or("POST"),
                    case.get("url").and_then(Value::as_str).unwrap_or(""),
                )
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let got: BTreeMap<String, String> = got
                .into_iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v))
                .collect();
            let want: BTreeMap<String, String> = case["headers"]
                .as_object()
                .expect("headers")
                .iter()
                .map(|(n, v)| {
                    (
                        n.to_ascii_lowercase(),
                        v.as_str().expect("value").to_owned(),
                    )
                })
                .collect();
            assert_eq!(got, want, "{name}");
        } else {
            verify += 1;
            let secrets = str_list(&case["secrets"]);
            let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
            let hook = webhook(
                scheme,
                &refs,
                case["tolerance"].as_i64().expect("tolerance"),
            );
            let mut header_pairs = Vec::new();
            for (n, v) in case["headers"].as_object().expect("headers") {
                for value in str_list(v) {
                    header_pairs.push((n.clone(), value));
                }
            }
            let result = hook.verify(
                &headers_of(&header_pairs),
                &case_body(case),
                case["now"].as_i64().expect("now"),
                case.get("method").and_then(Value::as_str).unwrap_or("POST"),
                case.get("url").and_then(Value::as_str).unwrap_or(""),
            );
            let expect = case["expect"].as_str().expect("expect");
            match (expect, result) {
                ("ok", Ok(id)) => {
                    if let Some(want) = case.get("id").and_then(Value::as_str) {
                        assert_eq!(id, want, "{name}");
                    }
                }
                ("ok", Err(e)) => panic!("{name}: expected ok, got {e:?}"),
                (want, Ok(id)) => panic!("{name}: expected {want}, got Ok({id:?})"),
                (want, Err(e)) => {
                    assert_eq!(kind_of(&e).name(), want, "{name}: {e}");
                    for secret in &secrets {
                        assert!(!e.to_string().contains(secret.as_str()), "{name}");
                    }
                }
            }
        }
    }
    assert!(verify > 0 && sign > 0 && construct > 0);
    assert_eq!(verify + sign + construct, cases.len());
}

// ---------------------------------------------------------------------------
// Schemes and construction

#[test]
fn scheme_names_round_trip() {
    for scheme in Scheme::ALL {
        assert_eq!(scheme.as_str().parse::<Scheme>().unwrap(), scheme);
        assert_eq!(
            scheme.as_str().to_uppercase().parse::<Scheme>().unwrap(),
            scheme
        );
    }
    assert_eq!("hubspot-v3".parse::<Scheme>().unwrap(), Scheme::HubspotV3);
    match "md5".parse::<Scheme>() {
        Err(Error::InvalidArgument(m)) => {
            assert!(m.contains("\"md5\""), "{m}");
            for scheme in Scheme::ALL {
                assert!(m.contains(scheme.as_str()), "{m}");
            }
        }
        other => panic!("{other:?}"),
    }
    // A long value (perhaps a secret passed in the wrong place) is not echoed.
    match "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse::<Scheme>() {
        Err(Error::InvalidArgument(m)) => assert!(!m.contains("whsec_"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!("".parse::<Scheme>().is_err());
    assert!(" standard".parse::<Scheme>().is_err());
}

#[test]
fn construction_errors_are_value_errors_without_secrets() {
    let bad: Vec<(&str, Vec<&str>, i64)> = vec![
        ("standard", vec![], 300),
        ("standard", vec!["whsec_AAAA"], 300),
        ("standard", vec!["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], 300),
        ("standard", vec!["whsec_not*base64*at*all*!!!!!!!!!"], 300),
        ("standard", vec!["whsec_"], 300),
        (
            "standard",
            vec!["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_short"],
            300,
        ),
        (
            "standard",
            vec!["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
            -1,
        ),
        ("stripe", vec![""], 300),
        ("github", vec![], 300),
        ("shopify", vec!["ok", ""], 300),
        ("hubspot-v3", vec!["x"], i64::MIN),
        ("sha1", vec!["It's a Secret to Everybody"], 300),
    ];
    for (scheme, secrets, tolerance) in bad {
        let refs: Vec<&[u8]> = secrets.iter().map(|s| s.as_bytes()).collect();
        match Webhook::new(scheme, &refs, tolerance) {
            Err(Error::InvalidArgument(m)) => {
                for secret in &secrets {
                    if secret.len() > 6 {
                        assert!(!m.contains(secret), "{m}");
                    }
                }
            }
            other => panic!("{scheme} {secrets:?}: {other:?}"),
        }
    }
}

#[test]
fn standard_secret_forms() {
    let unpadded = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    // 16 bytes exactly: 22 characters unpadded, 24 padded.
    let key16 = STANDARD.encode([7u8; 16]);
    let key15 = STANDARD.encode([7u8; 15]);
    for ok in [
        unpadded.to_owned(),
        format!("whsec_{key16}"),
        format!("whsec_{}", key16.trim_end_matches('=')),
    ] {
        assert!(
            Webhook::new("standard", &[ok.as_bytes()], 300).is_ok(),
            "{ok}"
        );
    }
    assert!(Webhook::new("standard", &[format!("whsec_{key15}").as_bytes()], 300).is_err());
    // Padded and unpadded spellings of one key sign alike.
    let a = Webhook::new("standard", &[format!("whsec_{key16}").as_bytes()], 300).unwrap();
    let b = Webhook::new(
        "standard",
        &[format!("whsec_{}", key16.trim_end_matches('=')).as_bytes()],
        300,
    )
    .unwrap();
    assert_eq!(
        a.sign(b"x", Some("msg_1"), NOW, "POST", "").unwrap(),
        b.sign(b"x", Some("msg_1"), NOW, "POST", "").unwrap()
    );
    // Non-standard schemes take any non-empty bytes, even non-UTF-8.
    assert!(Webhook::new("github", &[&[0xff, 0x00, 0xfe][..]], 300).is_ok());
}

#[test]
fn debug_redacts_secrets() {
    let secrets = [
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
    ];
    let hook = webhook("standard", &secrets, 300);
    let debug = format!("{hook:?}");
    assert!(debug.contains("secrets: [redacted; 2]"), "{debug}");
    for secret in secrets {
        assert!(!debug.contains(secret), "{debug}");
        assert!(!debug.contains(&secret[6..]), "{debug}");
    }
    let pretty = format!("{hook:#?}");
    assert!(!pretty.contains("MfKQ9r8"), "{pretty}");
    let raw = webhook("github", &["It's a Secret to Everybody"], 300);
    let debug = format!("{raw:?}");
    assert!(!debug.contains("Secret"), "{debug}");
    assert!(debug.contains("[redacted; 1]"), "{debug}");
}

#[test]
fn webhook_is_send_sync_clone() {
    fn assert_traits<T: Send + Sync + Clone + 'static>() {}
    assert_traits::<Webhook>();
    let hook = webhook("github", &["s3cret"], 0);
    let copy = hook.clone();
    assert_eq!(copy.scheme(), Scheme::Github);
    assert_eq!(copy.tolerance_seconds(), 0);
    std::thread::spawn(move || copy.sign(b"x", None, 0, "POST", "").unwrap())
        .join()
        .unwrap();
}

// ---------------------------------------------------------------------------
// Round trips

fn secret_for(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::Standard => "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        _ => "a raw shared secret",
    }
}

#[test]
fn sign_then_verify_every_scheme() {
    let bodies: [&[u8]; 4] = [
        b"",
        b"{\"command\":\"ping\"}",
        &[0xff, 0x00, 0x80],
        &[b'x'; 70_000],
    ];
    for scheme in Scheme::ALL {
        let hook = webhook(scheme.as_str(), &[secret_for(scheme)], 300);
        for body in bodies {
            let url = "https://example.com/wp-json/taggate/v1/webhook?x=1";
            let signed = hook.sign(body, Some("msg_abc"), NOW, "POST", url).unwrap();
            let headers = headers_of(&signed);
            let id = hook
                .verify(&headers, body, NOW + 10, "POST", url)
                .unwrap_or_else(|e| panic!("{scheme}: {e}"));
            let want = if scheme == Scheme::Standard {
                "msg_abc"
            } else {
                ""
            };
            assert_eq!(id, want, "{scheme}");
            // Tampering with the body breaks every scheme.
            let mut other = body.to_vec();
            other.push(b'!');
            expect_kind(
                hook.verify(&headers, &other, NOW, "POST", url),
                SignatureFailure::NoMatchingSignature,
            );
            // Another secret does not verify it.
            let stranger = webhook(
                scheme.as_str(),
                &[match scheme {
                    Scheme::Standard => "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
                    _ => "another secret",
                }],
                300,
            );
            expect_kind(
                stranger.verify(&headers, body, NOW, "POST", url),
                SignatureFailure::NoMatchingSignature,
            );
        }
    }
}

#[test]
fn sign_header_names_and_shapes() {
    let names = |scheme: &str| -> Vec<String> {
        webhook(scheme, &[secret_for(Scheme::Stripe)], 300)
            .sign(b"{}", Some("ignored"), NOW, "POST", "https://x")
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    };
    assert_eq!(names("stripe"), ["Stripe-Signature"]);
    assert_eq!(names("kit"), ["X-Kit-Signature"]);
    assert_eq!(names("github"), ["X-Hub-Signature-256"]);
    assert_eq!(names("shopify"), ["X-Shopify-Hmac-Sha256"]);
    assert_eq!(
        names("hubspot-v3"),
        ["X-HubSpot-Signature-v3", "X-HubSpot-Request-Timestamp"]
    );
    let std_hook = webhook("standard", &[secret_for(Scheme::Standard)], 300);
    let signed = std_hook
        .sign(b"{}", Some("msg_1"), NOW, "POST", "")
        .unwrap();
    assert_eq!(signed[0], ("webhook-id".into(), "msg_1".into()));
    assert_eq!(signed[1], ("webhook-timestamp".into(), NOW.to_string()));
    assert!(signed[2].1.starts_with("v1,"));

    let stripe = webhook("stripe", &["s"], 300)
        .sign(b"{}", None, NOW, "POST", "")
        .unwrap();
    let value = &stripe[0].1;
    assert!(value.starts_with(&format!("t={NOW},v1=")), "{value}");
    let hex = &value[value.find("v1=").unwrap() + 3..];
    assert_eq!(hex.len(), 64);
    assert!(hex
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));

    let github = webhook("github", &["It's a Secret to Everybody"], 300)
        .sign(b"Hello, World!", None, 0, "POST", "")
        .unwrap();
    assert_eq!(
        github[0].1,
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    );
    let shopify = webhook("shopify", &["steffi"], 300)
        .sign(b"{\"foo\":\"bar\"}", None, 0, "POST", "")
        .unwrap();
    assert_eq!(shopify[0].1, "/Redz4YXHLnSmmSN8grr5/Jl/Ua3d7yX3iWbjb8R8wo=");

    let hubspot = webhook("hubspot-v3", &["s"], 300)
        .sign(b"{}", None, NOW, "POST", "https://x")
        .unwrap();
    assert_eq!(hubspot[1].1, format!("{NOW}000"));
}

#[test]
fn sign_uses_the_first_secret_and_fresh_ids() {
    let first = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let second = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    let both = webhook("standard", &[first, second], 300);
    let only_first = webhook("standard", &[first], 300);
    let only_second = webhook("standard", &[second], 300);
    let signed = both.sign(b"body", None, NOW, "POST", "").unwrap();
    let id = &signed[0].1;
    assert!(id.starts_with("msg_") && id.len() >= 28, "{id}");
    assert_eq!(
        only_first
            .verify(&headers_of(&signed), b"body", NOW, "POST", "")
            .unwrap(),
        *id
    );
    expect_kind(
        only_second.verify(&headers_of(&signed), b"body", NOW, "POST", ""),
        SignatureFailure::NoMatchingSignature,
    );
    let again = both.sign(b"body", None, NOW, "POST", "").unwrap();
    assert_ne!(again[0].1, *id, "fresh ids differ");
}

#[test]
fn sign_rejects_bad_arguments() {
    let std_hook = webhook("standard", &[secret_for(Scheme::Standard)], 300);
    for id in ["", "msg 1", "msg\r\nX-Evil: 1", "msg_é"] {
        assert!(
            matches!(
                std_hook.sign(b"", Some(id), NOW, "POST", ""),
                Err(Error::InvalidArgument(_))
            ),
            "{id:?}"
        );
    }
    for scheme in ["standard", "stripe", "kit", "hubspot-v3"] {
        let hook = webhook(scheme, &[secret_for(Scheme::Standard)], 300);
        assert!(matches!(
            hook.sign(b"", Some("msg_1"), -1, "POST", ""),
            Err(Error::InvalidArgument(_))
        ));
    }
    let hubspot = webhook("hubspot-v3", &["s"], 300);
    assert!(matches!(
        hubspot.sign(b"", None, i64::MAX, "POST", ""),
        Err(Error::InvalidArgument(_))
    ));
    // Schemes without a timestamp ignore it.
    for scheme in ["github", "shopify"] {
        assert!(webhook(scheme, &["s"], 300)
            .sign(b"", None, -1, "POST", "")
            .is_ok());
    }
}

#[test]
fn fresh_ids_are_random_and_well_formed() {
    let mut seen = std::collections::HashSet::new();
    for _ in 0..200 {
        let id = fresh_message_id().unwrap();
        assert!(id.starts_with("msg_"));
        assert!(id.len() >= 28);
        assert!(id[4..].bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
        assert!(seen.insert(id));
    }
}

#[test]
fn sha_acceleration_is_reported() {
    let what = sha_acceleration();
    assert!(what == "SHA-NI" || what == "none (portable)", "{what}");
}

// ---------------------------------------------------------------------------
// Standard

const STD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const STD_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const STD_TS: &str = "1614265330";
const STD_NOW: i64 = 1_614_265_330;
const STD_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const STD_BODY: &[u8] = b"{\"test\": 2432232314}";

fn std_verify(headers: &[(&str, &str)]) -> taggate::error::Result<String> {
    let hook = webhook("standard", &[STD_SECRET], 300);
    let owned = pairs(headers);
    hook.verify(&headers_of(&owned), STD_BODY, STD_NOW, "POST", "")
}

#[test]
fn standard_missing_headers() {
    expect_kind(
        std_verify(&[
            ("webhook-timestamp", STD_TS),
            ("webhook-signature", STD_SIG),
        ]),
        SignatureFailure::MissingHeader,
    );
    expect_kind(
        std_verify(&[("webhook-id", STD_ID), ("webhook-signature", STD_SIG)]),
        SignatureFailure::MissingHeader,
    );
    expect_kind(
        std_verify(&[("webhook-id", STD_ID), ("webhook-timestamp", STD_TS)]),
        SignatureFailure::MissingHeader,
    );
    expect_kind(std_verify(&[]), SignatureFailure::MissingHeader);
    // An empty id is as good as none.
    expect_kind(
        std_verify(&[
            ("webhook-id", ""),
            ("webhook-timestamp", STD_TS),
            ("webhook-signature", STD_SIG),
        ]),
        SignatureFailure::MissingHeader,
    );
    // Missing wins over malformed.
    expect_kind(
        std_verify(&[("webhook-id", STD_ID), ("webhook-timestamp", "x")]),
        SignatureFailure::MissingHeader,
    );
}

#[test]
fn standard_mixed_svix_and_webhook_names() {
    assert_eq!(
        std_verify(&[
            ("svix-id", STD_ID),
            ("Webhook-Timestamp", STD_TS),
            ("SVIX-SIGNATURE", STD_SIG),
        ])
        .unwrap(),
        STD_ID
    );
    // webhook-* wins over svix-*.
    expect_kind(
        std_verify(&[
            ("webhook-id", STD_ID),
            ("webhook-timestamp", STD_TS),
            ("webhook-signature", "v1,AAAA"),
            ("svix-signature", STD_SIG),
        ]),
        SignatureFailure::NoMatchingSignature,
    );
}

#[test]
fn standard_malformed_timestamps() {
    for ts in [
        "",
        "-1614265330",
        "+1614265330",
        "1614265330.0",
        "1.6e9",
        "abc",
        "1614 265330",
        "99999999999999999999999",
        "9223372036854775808",
    ] {
        expect_kind(
            std_verify(&[
                ("webhook-id", STD_ID),
                ("webhook-timestamp", ts),
                ("webhook-signature", STD_SIG),
            ]),
            SignatureFailure::MalformedHeader,
        );
    }
    // Largest representable: well formed, far in the future.
    expect_kind(
        std_verify(&[
            ("webhook-id", STD_ID),
            ("webhook-timestamp", "9223372036854775807"),
            ("webhook-signature", STD_SIG),
        ]),
        SignatureFailure::TimestampOutOfTolerance,
    );
    // Surrounding spaces are optional white space, not part of the value.
    assert!(std_verify(&[
        ("webhook-id", STD_ID),
        ("webhook-timestamp", " 1614265330 "),
        ("webhook-signature", STD_SIG),
    ])
    .is_ok());
}

#[test]
fn standard_no_match_cases() {
    for sig in [
        "",
        " ",
        "v1,",
        "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O",
        "v1,!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!=",
        "v1 g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "V1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=x",
    ] {
        expect_kind(
            std_verify(&[
                ("webhook-id", STD_ID),
                ("webhook-timestamp", STD_TS),
                ("webhook-signature", sig),
            ]),
            SignatureFailure::NoMatchingSignature,
        );
    }
}

#[test]
fn standard_signature_lists() {
    // Unpadded, and a token list joined by a proxy with ", ".
    for sig in [
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE",
        "v1,AAAA, v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "v1a,x\tv1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=  v2,zz",
    ] {
        assert_eq!(
            std_verify(&[
                ("webhook-id", STD_ID),
                ("webhook-timestamp", STD_TS),
                ("webhook-signature", sig),
            ])
            .unwrap(),
            STD_ID,
            "{sig}"
        );
    }
    // The signature header sent twice: every value counts.
    assert!(std_verify(&[
        ("webhook-id", STD_ID),
        ("webhook-timestamp", STD_TS),
        ("webhook-signature", "v1,AAAA"),
        ("webhook-signature", STD_SIG),
    ])
    .is_ok());
}

#[test]
fn standard_repeated_single_value_headers() {
    assert!(std_verify(&[
        ("webhook-id", STD_ID),
        ("Webhook-Id", STD_ID),
        ("webhook-timestamp", STD_TS),
        ("webhook-signature", STD_SIG),
    ])
    .is_ok());
    expect_kind(
        std_verify(&[
            ("webhook-id", STD_ID),
            ("webhook-id", "msg_other"),
            ("webhook-timestamp", STD_TS),
            ("webhook-signature", STD_SIG),
        ]),
        SignatureFailure::MalformedHeader,
    );
    expect_kind(
        std_verify(&[
            ("webhook-id", STD_ID),
            ("webhook-timestamp", STD_TS),
            ("webhook-timestamp", "1614265331"),
            ("webhook-signature", STD_SIG),
        ]),
        SignatureFailure::MalformedHeader,
    );
}

#[test]
fn rotation_any_secret_matches() {
    let other = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    for secrets in [[STD_SECRET, other], [other, STD_SECRET]] {
        let hook = webhook("standard", &secrets, 300);
        let owned = pairs(&[
            ("webhook-id", STD_ID),
            ("webhook-timestamp", STD_TS),
            ("webhook-signature", STD_SIG),
        ]);
        assert_eq!(
            hook.verify(&headers_of(&owned), STD_BODY, STD_NOW, "POST", "")
                .unwrap(),
            STD_ID
        );
    }
    // Several secrets and several signatures, for every scheme.
    for scheme in Scheme::ALL {
        let (a, b, c) = match scheme {
            Scheme::Standard => (STD_SECRET, other, "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3"),
            _ => ("alpha", "beta", "gamma"),
        };
        let signer = webhook(scheme.as_str(), &[b], 300);
        let signed = signer
            .sign(b"payload", Some("msg_r"), NOW, "POST", "https://h/")
            .unwrap();
        let rotating = webhook(scheme.as_str(), &[a, c, b], 300);
        assert!(rotating
            .verify(&headers_of(&signed), b"payload", NOW, "POST", "https://h/")
            .is_ok());
        let stale = webhook(scheme.as_str(), &[a, c], 300);
        expect_kind(
            stale.verify(&headers_of(&signed), b"payload", NOW, "POST", "https://h/"),
            SignatureFailure::NoMatchingSignature,
        );
    }
}

// ---------------------------------------------------------------------------
// Timestamps

#[test]
fn tolerance_window_both_ways_for_timestamped_schemes() {
    for scheme in [
        Scheme::Standard,
        Scheme::Stripe,
        Scheme::Kit,
        Scheme::HubspotV3,
    ] {
        let hook = webhook(scheme.as_str(), &[secret_for(scheme)], 300);
        let signed = hook.sign(b"b", Some("msg_t"), NOW, "POST", "u").unwrap();
        let headers = headers_of(&signed);
        for now in [NOW - 300, NOW, NOW + 300] {
            assert!(
                hook.verify(&headers, b"b", now, "POST", "u").is_ok(),
                "{scheme} {now}"
            );
        }
        for now in [NOW - 301, NOW + 301, i64::MIN, i64::MAX, 0] {
            expect_kind(
                hook.verify(&headers, b"b", now, "POST", "u"),
                SignatureFailure::TimestampOutOfTolerance,
            );
        }
        // Tolerance 0: only the very second.
        let strict = webhook(scheme.as_str(), &[secret_for(scheme)], 0);
        assert!(strict.verify(&headers, b"b", NOW, "POST", "u").is_ok());
        expect_kind(
            strict.verify(&headers, b"b", NOW + 1, "POST", "u"),
            SignatureFailure::TimestampOutOfTolerance,
        );
        // A huge tolerance does not overflow.
        let lax = webhook(scheme.as_str(), &[secret_for(scheme)], i64::MAX);
        assert!(lax.verify(&headers, b"b", 0, "POST", "u").is_ok());
        assert!(lax.verify(&headers, b"b", i64::MAX, "POST", "u").is_ok());
        // |i64::MIN − NOW| exceeds even i64::MAX: out of the window, no overflow.
        expect_kind(
            lax.verify(&headers, b"b", i64::MIN, "POST", "u"),
            SignatureFailure::TimestampOutOfTolerance,
        );
    }
}

#[test]
fn timestamp_zero_and_extremes_sign_and_verify() {
    for scheme in [Scheme::Standard, Scheme::Stripe, Scheme::Kit] {
        let hook = webhook(scheme.as_str(), &[secret_for(scheme)], 0);
        for ts in [0, i64::MAX] {
            let signed = hook.sign(b"b", Some("msg_z"), ts, "POST", "").unwrap();
            assert!(hook
                .verify(&headers_of(&signed), b"b", ts, "POST", "")
                .is_ok());
        }
    }
}

#[test]
fn schemes_without_timestamps_have_no_window() {
    for scheme in [Scheme::Github, Scheme::Shopify] {
        let hook = webhook(scheme.as_str(), &["s"], 0);
        let signed = hook.sign(b"b", None, 0, "POST", "").unwrap();
        for now in [i64::MIN, 0, NOW, i64::MAX] {
            assert!(hook
                .verify(&headers_of(&signed), b"b", now, "POST", "")
                .is_ok());
        }
    }
}

// ---------------------------------------------------------------------------
// Stripe and Kit

const STRIPE_SECRET: &str = "whsec_test_secret";
const STRIPE_BODY: &[u8] = b"{\"id\":\"evt_1\",\"object\":\"event\"}\n";
const STRIPE_V1: &str = "e23a44a771e09747610b17278dd562045f32e0ba20e53751fa27bebfb047f992";

fn stripe_verify(name: &str, values: &[&str]) -> taggate::error::Result<String> {
    let scheme = if name.eq_ignore_ascii_case("X-Kit-Signature") {
        "kit"
    } else {
        "stripe"
    };
    let hook = webhook(scheme, &[STRIPE_SECRET], 300);
    let owned: Vec<(String, String)> = values
        .iter()
        .map(|v| (name.to_owned(), (*v).to_owned()))
        .collect();
    hook.verify(&headers_of(&owned), STRIPE_BODY, NOW, "POST", "")
}

#[test]
fn stripe_and_kit_formats() {
    for name in [
        "Stripe-Signature",
        "stripe-signature",
        "X-Kit-Signature",
        "x-kit-signature",
    ] {
        let good = format!("t=1763999995,v1={STRIPE_V1}");
        assert_eq!(stripe_verify(name, &[&good]).unwrap(), "");
        // Upper-case hex, spaces around items, v1 before t, decoys.
        for value in [
            format!("t=1763999995,v1={}", STRIPE_V1.to_uppercase()),
            format!(" v1={STRIPE_V1} , t=1763999995 "),
            format!("t=1763999995,v1=00,v0={STRIPE_V1},v1={STRIPE_V1},junk,x=y"),
        ] {
            assert!(stripe_verify(name, &[&value]).is_ok(), "{value}");
        }
        // Items split over two header lines.
        assert!(stripe_verify(name, &["t=1763999995", &format!("v1={STRIPE_V1}")]).is_ok());

        for value in [
            format!("v1={STRIPE_V1}"),
            format!("t=1763999995,t=1763999995,v1={STRIPE_V1}"),
            format!("t=,v1={STRIPE_V1}"),
            format!("t=-1763999995,v1={STRIPE_V1}"),
            format!("t=abc,v1={STRIPE_V1}"),
            format!("t=99999999999999999999,v1={STRIPE_V1}"),
            "".to_owned(),
            "garbage".to_owned(),
        ] {
            expect_kind(
                stripe_verify(name, &[&value]),
                SignatureFailure::MalformedHeader,
            );
        }
        // `t=` on two header lines is two `t=`.
        expect_kind(
            stripe_verify(
                name,
                &[&format!("t=1763999995,v1={STRIPE_V1}"), "t=1763999995"],
            ),
            SignatureFailure::MalformedHeader,
        );
        for value in [
            "t=1763999995".to_owned(),
            "t=1763999995,v1=".to_owned(),
            format!("t=1763999995,v0={STRIPE_V1}"),
            format!("t=1763999995,v1={}", &STRIPE_V1[..62]),
            format!("t=1763999995,v1={}zz", &STRIPE_V1[..62]),
            format!("t=1763999996,v1={STRIPE_V1}"),
        ] {
            expect_kind(
                stripe_verify(name, &[&value]),
                SignatureFailure::NoMatchingSignature,
            );
        }
    }
    expect_kind(
        stripe_verify("Stripe-Signature", &[]),
        SignatureFailure::MissingHeader,
    );
    // Stripe does not read Kit's header either.
    let hook = webhook("stripe", &[STRIPE_SECRET], 300);
    let owned = pairs(&[("X-Kit-Signature", "t=1763999995")]);
    expect_kind(
        hook.verify(&headers_of(&owned), STRIPE_BODY, NOW, "POST", ""),
        SignatureFailure::MissingHeader,
    );
}

// ---------------------------------------------------------------------------
// GitHub

const GH_SECRET: &str = "It's a Secret to Everybody";
const GH_SIG: &str = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

fn gh_verify(headers: &[(&str, &str)]) -> taggate::error::Result<String> {
    let owned = pairs(headers);
    webhook("github", &[GH_SECRET], 300).verify(
        &headers_of(&owned),
        b"Hello, World!",
        NOW,
        "POST",
        "",
    )
}

#[test]
fn github_cases() {
    assert_eq!(gh_verify(&[("x-hub-signature-256", GH_SIG)]).unwrap(), "");
    assert_eq!(
        gh_verify(&[
            ("X-Hub-Signature-256", GH_SIG),
            ("x-github-delivery", "d-1")
        ])
        .unwrap(),
        "d-1"
    );
    assert!(gh_verify(&[("X-Hub-Signature-256", &GH_SIG.to_uppercase())]).is_ok());
    expect_kind(
        gh_verify(&[("X-Hub-Signature-256", &format!("sha256=00, {GH_SIG}"))]),
        SignatureFailure::NoMatchingSignature,
    );
    assert!(gh_verify(&[
        ("X-Hub-Signature-256", "sha256=00"),
        ("X-Hub-Signature-256", GH_SIG)
    ])
    .is_ok());
    expect_kind(
        gh_verify(&[(
            "X-Hub-Signature",
            "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59",
        )]),
        SignatureFailure::MissingHeader,
    );
    for value in [
        "",
        "sha256=",
        "sha1=757107ea",
        "sha256=xyz",
        &GH_SIG[7..],
        "sha256= 757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1",
    ] {
        expect_kind(
            gh_verify(&[("X-Hub-Signature-256", value)]),
            SignatureFailure::NoMatchingSignature,
        );
    }
    expect_kind(
        gh_verify(&[
            ("X-Hub-Signature-256", GH_SIG),
            ("X-GitHub-Delivery", "a"),
            ("X-GitHub-Delivery", "b"),
        ]),
        SignatureFailure::MalformedHeader,
    );
}

// ---------------------------------------------------------------------------
// Shopify

#[test]
fn shopify_cases() {
    let hook = webhook("shopify", &["steffi"], 300);
    let body = b"{\"foo\":\"bar\"}";
    let sig = "/Redz4YXHLnSmmSN8grr5/Jl/Ua3d7yX3iWbjb8R8wo=";
    let run = |h: &[(&str, &str)]| {
        let owned = pairs(h);
        hook.verify(&headers_of(&owned), body, NOW, "POST", "")
    };
    assert_eq!(run(&[("x-shopify-hmac-sha256", sig)]).unwrap(), "");
    assert_eq!(
        run(&[
            ("X-Shopify-Hmac-SHA256", sig),
            ("X-Shopify-Webhook-Id", "w-9")
        ])
        .unwrap(),
        "w-9"
    );
    assert!(run(&[("X-Shopify-Hmac-Sha256", sig.trim_end_matches('='))]).is_ok());
    expect_kind(run(&[]), SignatureFailure::MissingHeader);
    expect_kind(
        run(&[("X-Shopify-Webhook-Id", "w-9")]),
        SignatureFailure::MissingHeader,
    );
    for value in [
        "",
        "v1,/Redz4YXHLnSmmSN8grr5/Jl/Ua3d7yX3iWbjb8R8wo=",
        "/Redz4YXHLnSmmSN8grr5/Jl/Ua3d7yX3iWbjb8R8wp=",
        "%%%",
    ] {
        expect_kind(
            run(&[("X-Shopify-Hmac-Sha256", value)]),
            SignatureFailure::NoMatchingSignature,
        );
    }
}

// ---------------------------------------------------------------------------
// HubSpot v3

const HS_SECRET: &str = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
const HS_SIG: &str = "MtHfYTJvv9hWrMCGpDISV7Z8paPuVJMH8Fqzfs7cNGc=";
const HS_URL: &str = "https://www.example.com/webhook_uri";
const HS_BODY: &[u8] = b"{\"example_field\":\"example_value\"}";

fn hs_verify(
    headers: &[(&str, &str)],
    now: i64,
    method: &str,
    url: &str,
) -> taggate::error::Result<String> {
    let owned = pairs(headers);
    webhook("hubspot-v3", &[HS_SECRET], 300).verify(&headers_of(&owned), HS_BODY, now, method, url)
}

#[test]
fn hubspot_cases() {
    let good = [
        ("X-HubSpot-Signature-v3", HS_SIG),
        ("X-HubSpot-Request-Timestamp", "1763999998500"),
    ];
    assert_eq!(hs_verify(&good, NOW, "POST", HS_URL).unwrap(), "");
    expect_kind(
        hs_verify(&good, NOW, "GET", HS_URL),
        SignatureFailure::NoMatchingSignature,
    );
    expect_kind(
        hs_verify(&good, NOW, "post", HS_URL),
        SignatureFailure::NoMatchingSignature,
    );
    expect_kind(
        hs_verify(&[("X-HubSpot-Signature-v3", HS_SIG)], NOW, "POST", HS_URL),
        SignatureFailure::MissingHeader,
    );
    expect_kind(
        hs_verify(
            &[("X-HubSpot-Request-Timestamp", "1763999998500")],
            NOW,
            "POST",
            HS_URL,
        ),
        SignatureFailure::MissingHeader,
    );
    // v1/v2 headers are not read.
    expect_kind(
        hs_verify(
            &[
                ("X-HubSpot-Signature", HS_SIG),
                ("X-HubSpot-Request-Timestamp", "1763999998500"),
            ],
            NOW,
            "POST",
            HS_URL,
        ),
        SignatureFailure::MissingHeader,
    );
    for ts in [
        "",
        "abc",
        "-1763999998500",
        "1763999998.5",
        "99999999999999999999",
    ] {
        expect_kind(
            hs_verify(
                &[
                    ("X-HubSpot-Signature-v3", HS_SIG),
                    ("X-HubSpot-Request-Timestamp", ts),
                ],
                NOW,
                "POST",
                HS_URL,
            ),
            SignatureFailure::MalformedHeader,
        );
    }
    // Seconds where milliseconds are expected: 1970, far out of the window.
    expect_kind(
        hs_verify(
            &[
                ("X-HubSpot-Signature-v3", HS_SIG),
                ("X-HubSpot-Request-Timestamp", "1763999998"),
            ],
            NOW,
            "POST",
            HS_URL,
        ),
        SignatureFailure::TimestampOutOfTolerance,
    );
}

#[test]
fn hubspot_millisecond_window_floors_to_seconds() {
    // ts = 1763999998500 ms → 1763999998 s (floor).
    let good = [
        ("X-HubSpot-Signature-v3", HS_SIG),
        ("X-HubSpot-Request-Timestamp", "1763999998500"),
    ];
    let floor = 1_763_999_998;
    assert!(hs_verify(&good, floor + 300, "POST", HS_URL).is_ok());
    expect_kind(
        hs_verify(&good, floor + 301, "POST", HS_URL),
        SignatureFailure::TimestampOutOfTolerance,
    );
    assert!(hs_verify(&good, floor - 300, "POST", HS_URL).is_ok());
    expect_kind(
        hs_verify(&good, floor - 301, "POST", HS_URL),
        SignatureFailure::TimestampOutOfTolerance,
    );
    // Round trip at the millisecond edge.
    let hook = webhook("hubspot-v3", &["s"], 300);
    let signed = hook.sign(b"", None, 0, "POST", "").unwrap();
    assert_eq!(signed[1].1, "0");
    assert!(hook
        .verify(&headers_of(&signed), b"", 300, "POST", "")
        .is_ok());
}

// ---------------------------------------------------------------------------
// Bytes that are not UTF-8, and secrets in messages

#[test]
fn non_utf8_header_values_never_panic() {
    let junk: &[u8] = &[0xff, 0xfe, b'v', b'1', b',', 0xc3, 0x28, b'=', b'\t'];
    for scheme in Scheme::ALL {
        let hook = webhook(scheme.as_str(), &[secret_for(scheme)], 300);
        let names = [
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature",
            "Stripe-Signature",
            "X-Kit-Signature",
            "X-Hub-Signature-256",
            "X-GitHub-Delivery",
            "X-Shopify-Hmac-Sha256",
            "X-Shopify-Webhook-Id",
            "X-HubSpot-Signature-v3",
            "X-HubSpot-Request-Timestamp",
        ];
        let headers: Vec<(&str, &[u8])> = names.iter().map(|n| (*n, junk)).collect();
        let err = hook.verify(&headers, junk, NOW, "POST", "").unwrap_err();
        assert!(matches!(err, Error::Signature { .. }), "{scheme}: {err:?}");
    }
    // A non-UTF-8 id with a valid signature over it is malformed, not a panic.
    let hook = webhook("standard", &[STD_SECRET], 300);
    let mut signed = hook.sign(b"b", Some("msg_ok"), NOW, "POST", "").unwrap();
    signed.retain(|(n, _)| n != "webhook-id");
    let mut headers = headers_of(&signed);
    let bad_id: &[u8] = &[b'm', 0xff];
    headers.push(("webhook-id", bad_id));
    expect_kind(
        hook.verify(&headers, b"b", NOW, "POST", ""),
        SignatureFailure::MalformedHeader,
    );
    // GitHub delivery id that is not UTF-8.
    let gh = webhook("github", &[GH_SECRET], 300);
    let headers: Vec<(&str, &[u8])> = vec![
        ("X-Hub-Signature-256", GH_SIG.as_bytes()),
        ("X-GitHub-Delivery", bad_id),
    ];
    expect_kind(
        gh.verify(&headers, b"Hello, World!", NOW, "POST", ""),
        SignatureFailure::MalformedHeader,
    );
}

#[test]
fn messages_never_hold_secrets_or_expected_signatures() {
    let secrets = [
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "a raw shared secret",
    ];
    for scheme in Scheme::ALL {
        let secret = secret_for(scheme);
        let hook = webhook(scheme.as_str(), &[secret], 300);
        let body = b"the body";
        let signed = hook.sign(body, Some("msg_s"), NOW, "POST", "u").unwrap();
        let expected_values: Vec<String> = signed.iter().map(|(_, v)| v.clone()).collect();
        let mut messages = Vec::new();
        // Tampered body: the expected MAC is known to verify, never said.
        let headers = headers_of(&signed);
        for (b, now) in [
            (&b"other"[..], NOW),
            (&body[..], NOW + 10_000),
            (&body[..], NOW),
        ] {
            if let Err(e) = hook.verify(&headers, b, now, "POST", "u") {
                messages.push(e.to_string());
                messages.push(format!("{e:?}"));
            }
        }
        let wrong = [
            ("webhook-signature", "v1,AAAA"),
            ("Stripe-Signature", "t=1"),
        ];
        let owned = pairs(&wrong);
        if let Err(e) = hook.verify(&headers_of(&owned), body, NOW, "POST", "u") {
            messages.push(e.to_string());
        }
        assert!(messages.len() >= 2, "{scheme}");
        for m in &messages {
            for s in secrets {
                assert!(!m.contains(s), "{scheme}: {m}");
            }
            for v in &expected_values {
                let sig_part = v.rsplit(['=', ',']).find(|p| p.len() >= 40);
                if let Some(sig) = sig_part {
                    assert!(!m.contains(sig), "{scheme}: {m}");
                }
            }
            // No 64-char hex or 43-char base64 run at all.
            let longest = m
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/'))
                .map(str::len)
                .max()
                .unwrap_or(0);
            assert!(longest < 40, "{scheme}: {m}");
        }
    }
}

#[test]
fn header_name_matching_is_exact_but_case_insensitive() {
    let owned = pairs(&[
        ("X-Hub-Signature-2566", GH_SIG),
        ("X-Hub-Signature", GH_SIG),
        ("Hub-Signature-256", GH_SIG),
    ]);
    expect_kind(
        webhook("github", &[GH_SECRET], 300).verify(
            &headers_of(&owned),
            b"Hello, World!",
            NOW,
            "POST",
            "",
        ),
        SignatureFailure::MissingHeader,
    );
}

#[test]
fn many_signatures_and_many_secrets() {
    let mut secrets: Vec<String> = (0..20).map(|i| format!("secret-{i}")).collect();
    let signer = webhook("github", &["secret-19"], 300);
    let signed = signer.sign(b"body", None, 0, "POST", "").unwrap();
    let mut owned: Vec<(String, String)> = (0..1000)
        .map(|i| ("X-Hub-Signature-256".to_owned(), format!("sha256={i:064x}")))
        .collect();
    owned.push(("X-Hub-Signature-256".to_owned(), signed[0].1.clone()));
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let hook = webhook("github", &refs, 300);
    assert!(hook
        .verify(&headers_of(&owned), b"body", 0, "POST", "")
        .is_ok());
    secrets.pop();
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let hook = webhook("github", &refs, 300);
    expect_kind(
        hook.verify(&headers_of(&owned), b"body", 0, "POST", ""),
        SignatureFailure::NoMatchingSignature,
    );
}
