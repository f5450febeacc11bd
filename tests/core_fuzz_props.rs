//! Property tests: no input makes signature verification or command parsing
//! panic, and signing always verifies.

use proptest::prelude::*;
use serde_json::Value;
use taggate::command;
use taggate::error::Error;
use taggate::signature::{Scheme, Webhook};

const HEADER_NAMES: [&str; 14] = [
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "svix-id",
    "svix-timestamp",
    "svix-signature",
    "Stripe-Signature",
    "X-Kit-Signature",
    "X-Hub-Signature-256",
    "X-GitHub-Delivery",
    "X-Shopify-Hmac-Sha256",
    "X-Shopify-Webhook-Id",
    "X-HubSpot-Signature-v3",
    "X-HubSpot-Request-Timestamp",
];

fn hook(scheme: Scheme) -> Webhook {
    let secret: &[u8] = match scheme {
        Scheme::Standard => b"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        _ => b"fuzz secret",
    };
    Webhook::new(
        scheme.as_str(),
        &[secret, b"whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"],
        300,
    )
    .expect("valid webhook")
}

fn scheme_strategy() -> impl Strategy<Value = Scheme> {
    prop::sample::select(Scheme::ALL.to_vec())
}

/// Header values that look almost right: fragments of real syntax mixed
/// with random bytes.
fn value_strategy() -> impl Strategy<Value = Vec<u8>> {
    let fragment = prop_oneof![
        Just(b"v1,".to_vec()),
        Just(b"t=".to_vec()),
        Just(b"v1=".to_vec()),
        Just(b"sha256=".to_vec()),
        Just(b",".to_vec()),
        Just(b" ".to_vec()),
        Just(b"=".to_vec()),
        Just(b"1614265330".to_vec()),
        Just(b"99999999999999999999999".to_vec()),
        Just(b"g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".to_vec()),
        Just(b"e23a44a771e09747610b17278dd562045f32e0ba20e53751fa27bebfb047f992".to_vec()),
        prop::collection::vec(any::<u8>(), 0..8),
        "[a-zA-Z0-9+/=]{0,50}".prop_map(String::into_bytes),
    ];
    prop::collection::vec(fragment, 0..8).prop_map(|parts| parts.concat())
}

fn headers_strategy() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    let name = prop_oneof![
        4 => prop::sample::select(HEADER_NAMES.to_vec()).prop_map(str::to_owned),
        1 => prop::sample::select(HEADER_NAMES.to_vec()).prop_map(|n| n.to_uppercase()),
        1 => "\\PC{0,12}",
    ];
    prop::collection::vec((name, value_strategy()), 0..10)
}

fn json_strategy() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::String),
        prop::sample::select(command::COMMANDS.to_vec()).prop_map(Value::from),
        Just(Value::from("a@b.c")),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        let key = prop_oneof![
            prop::sample::select(vec![
                "command",
                "contact",
                "email",
                "crm_id",
                "first_name",
                "last_name",
                "tags",
                "create",
                "items",
            ])
            .prop_map(str::to_owned),
            "[a-z]{1,6}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key, inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn verify_never_panics(
        scheme in scheme_strategy(),
        headers in headers_strategy(),
        body in prop::collection::vec(any::<u8>(), 0..64),
        now in prop_oneof![any::<i64>(), Just(1_614_265_330i64), Just(1_764_000_000i64)],
        method in "\\PC{0,6}",
        url in "\\PC{0,20}",
    ) {
        let refs: Vec<(&str, &[u8])> =
            headers.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
        match hook(scheme).verify(&refs, &body, now, &method, &url) {
            Ok(_) | Err(Error::Signature { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    #[test]
    fn sign_then_verify_round_trips(
        scheme in scheme_strategy(),
        body in prop::collection::vec(any::<u8>(), 0..256),
        timestamp in 0i64..=i64::MAX / 1000,
        id in "[A-Za-z0-9_]{1,30}",
        method in "[A-Z]{1,7}",
        url in "\\PC{0,40}",
    ) {
        let hook = hook(scheme);
        let signed = hook.sign(&body, Some(&id), timestamp, &method, &url).unwrap();
        let refs: Vec<(&str, &[u8])> =
            signed.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
        let got = hook.verify(&refs, &body, timestamp, &method, &url);
        prop_assert!(got.is_ok(), "{:?}", got);
        // Flipping one body byte never verifies.
        if !body.is_empty() {
            let mut tampered = body.clone();
            tampered[0] ^= 1;
            prop_assert!(hook.verify(&refs, &tampered, timestamp, &method, &url).is_err());
        }
    }

    #[test]
    fn construct_never_panics(
        scheme in prop_oneof![
            scheme_strategy().prop_map(|s| s.as_str().to_owned()),
            "\\PC{0,12}",
        ],
        secrets in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..4),
        standard_like in prop::collection::vec("whsec_[A-Za-z0-9+/=]{0,40}", 0..3),
        tolerance in any::<i64>(),
    ) {
        let mut all: Vec<&[u8]> = secrets.iter().map(Vec::as_slice).collect();
        all.extend(standard_like.iter().map(|s| s.as_bytes()));
        match Webhook::new(&scheme, &all, tolerance) {
            Ok(hook) => {
                let debug = format!("{hook:?}");
                prop_assert!(debug.contains("redacted"));
            }
            Err(Error::InvalidArgument(_)) => {}
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    #[test]
    fn parse_never_panics_on_bytes(body in prop::collection::vec(any::<u8>(), 0..256)) {
        match command::parse(&body) {
            Ok(v) => prop_assert!(v.is_object()),
            Err(Error::Command { pointer, .. }) => prop_assert!(pointer.starts_with('/')),
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    #[test]
    fn parse_never_panics_on_json(value in json_strategy()) {
        let text = value.to_string();
        match command::parse(text.as_bytes()) {
            Ok(v) => {
                prop_assert!(v.is_object());
                // The normal form is a fixed point.
                let again = command::parse(v.to_string().as_bytes());
                prop_assert_eq!(again.ok(), Some(v));
            }
            Err(Error::Command { pointer, .. }) => prop_assert!(pointer.starts_with('/')),
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    #[test]
    fn parse_valid_commands_normalise_idempotently(
        command_name in prop::sample::select(vec!["tags.add", "tags.remove", "tags.set", "contact.upsert"]),
        email in "[a-z]{1,10}@[a-z]{1,10}\\.[a-z]{2,4}",
        tags in prop::collection::vec("[ a-zA-Z0-9ÉéΣσς]{1,12}", 0..20),
        create in any::<bool>(),
        crm in prop_oneof![Just(Value::Null), any::<i64>().prop_map(Value::from), "[a-z0-9]{0,10}".prop_map(Value::from)],
    ) {
        let body = serde_json::json!({
            "command": command_name,
            "contact": {"email": format!(" {email} "), "crm_id": crm},
            "tags": tags,
            "create": create,
        });
        match command::parse(body.to_string().as_bytes()) {
            Ok(v) => {
                prop_assert_eq!(&v["contact"]["email"], &Value::from(email));
                prop_assert_eq!(&v["create"], &Value::Bool(create));
                let out = v["tags"].as_array().unwrap();
                prop_assert!(out.len() <= tags.len());
                let again = command::parse(v.to_string().as_bytes()).unwrap();
                prop_assert_eq!(again, v);
            }
            Err(Error::Command { pointer, .. }) => {
                // Only a tag of white space alone can be refused here.
                prop_assert!(pointer.starts_with("/tags/"), "{}", pointer);
            }
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }
}
