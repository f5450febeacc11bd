//! Webhook signatures (SPEC §4): six schemes, verified and produced in pure
//! Rust with no PHP types.
//!
//! # Design
//!
//! * Each secret is turned into a keyed HMAC-SHA256 state once, at
//!   construction ([`Webhook::new`]); a verification clones that state, so
//!   the key is never hashed again, and feeds the signed pieces (`id`, `.`,
//!   `timestamp`, `.`, body, …) into it one after the other: the body is
//!   never copied.
//! * The MAC is computed once per secret, however many signatures the
//!   headers carry; each candidate signature is decoded to its 32 bytes and
//!   compared with the MAC in constant time (no string comparison, no early
//!   exit on the first differing byte).
//! * Header names are matched ASCII-case-insensitively; header values are
//!   bytes (non-UTF-8 values never panic: they are malformed or match
//!   nothing). Surrounding spaces and tabs of a value (HTTP's optional white
//!   space) are ignored.
//! * No error message and no `Debug` output contains a secret or an expected
//!   signature.
//!
//! # Decisions where SPEC §4 is silent
//!
//! * A header sent several times (several `(name, value)` pairs) offers every
//!   signature of every value. A header that carries one datum (an id, a
//!   timestamp) must have the same value each time it appears, otherwise it
//!   is `MALFORMED_HEADER`.
//! * `standard`: the `webhook-*` names win over the `svix-*` names, header by
//!   header. An empty `webhook-id` counts as missing (as in the reference
//!   libraries); a non-UTF-8 id is malformed. A token of the signature header
//!   may end in a `,` (a proxy that joined two header lines with `", "`).
//!   Signatures are standard base64, padding optional.
//! * `stripe` / `kit`: the header's values are read as one comma-separated
//!   list; exactly one `t=` across all of them. Items without `=` and
//!   versions other than `v1` are ignored.
//! * `github`, `shopify`, `hubspot-v3`: each value of the signature header
//!   is one signature (several values, several candidates). The `sha256=`
//!   prefix of `github` is matched case-insensitively.
//! * Hex signatures are accepted in lower and upper case (senders use lower
//!   case; accepting upper case cannot help a forger, the bytes still have to
//!   match). Base64 signatures must be canonical.
//! * Timestamps are ASCII digits only (no sign, no spaces inside, no
//!   exponent); leading zeros are allowed; a value above `i64::MAX` is
//!   malformed. The window test `|now − ts| ≤ tolerance` is done in `i128`,
//!   so no input overflows.
//! * `hubspot-v3`: the millisecond timestamp is converted to seconds by floor
//!   division (`ms / 1000`), then the window is tested in whole seconds, like
//!   `now` itself (which is a whole second too). The signed bytes use the
//!   timestamp exactly as sent. `method` and `url` are used exactly as given
//!   (no upper-casing, no URL decoding): pass the method in upper case and the
//!   full URL HubSpot called.
//! * `github` and `shopify` return the delivery id header when present and
//!   `""` otherwise; those ids are not covered by the MAC.
//! * Checks run in this order: missing headers, malformed headers, the
//!   timestamp window, then the signatures; the first failure is reported.
//! * [`Webhook::sign`] rejects a negative timestamp and, for `standard`, an id
//!   that is empty or holds anything but visible ASCII (it becomes a header
//!   value). `sign` ignores the id for the other schemes and the timestamp
//!   for `github` and `shopify`.
//! * Scheme names are matched ASCII-case-insensitively.
//! * A `standard` secret must carry the `whsec_` prefix (bare base64 is
//!   refused); its base64 may omit padding and may have non-zero trailing
//!   bits (lenient decoders produce such secrets). Secrets are never
//!   trimmed. A raw secret of the other schemes may be any non-empty bytes.
//! * The tolerance may be 0 (the very second only); only a negative one is
//!   refused.

use std::fmt;
use std::str::FromStr;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Error, Result, SignatureFailure};

type HmacSha256 = Hmac<Sha256>;

/// Length of an HMAC-SHA256 tag in bytes.
const MAC_LEN: usize = 32;

/// A decoded signature or a computed MAC.
type MacBytes = [u8; MAC_LEN];

/// Standard base64 that accepts input with or without `=` padding.
const BASE64_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Like [`BASE64_ANY_PADDING`], but also accepts non-zero trailing bits, for
/// secrets produced by lenient encoders.
const BASE64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The prefix of a `standard` secret.
const STANDARD_SECRET_PREFIX: &str = "whsec_";

/// Shortest decoded `standard` key, in bytes.
const MIN_STANDARD_KEY_BYTES: usize = 16;

/// A webhook signature scheme (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Standard Webhooks (and Svix): `webhook-id`, `webhook-timestamp`,
    /// `webhook-signature: v1,<base64>`; secret `whsec_<base64>`.
    Standard,
    /// Stripe: `Stripe-Signature: t=<ts>,v1=<hex>`.
    Stripe,
    /// Kit (ConvertKit): `X-Kit-Signature`, same format as Stripe.
    Kit,
    /// GitHub: `X-Hub-Signature-256: sha256=<hex>` over the body.
    Github,
    /// Shopify: `X-Shopify-Hmac-Sha256: <base64>` over the body.
    Shopify,
    /// HubSpot signature v3: base64 over `method + url + body + timestamp`.
    HubspotV3,
}

impl Scheme {
    /// Every scheme, in the order SPEC §4 lists them.
    pub const ALL: [Scheme; 6] = [
        Scheme::Standard,
        Scheme::Stripe,
        Scheme::Kit,
        Scheme::Github,
        Scheme::Shopify,
        Scheme::HubspotV3,
    ];

    /// The scheme's name as PHP spells it (`"standard"`, `"hubspot-v3"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Standard => "standard",
            Scheme::Stripe => "stripe",
            Scheme::Kit => "kit",
            Scheme::Github => "github",
            Scheme::Shopify => "shopify",
            Scheme::HubspotV3 => "hubspot-v3",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scheme {
    type Err = Error;

    /// Parses a scheme name, ignoring ASCII case. An unknown name is
    /// [`Error::InvalidArgument`] naming the allowed ones (the given name is
    /// echoed only when it is short and plainly a name, so that a secret
    /// passed by mistake never lands in a log).
    fn from_str(s: &str) -> Result<Scheme> {
        if let Some(scheme) = Scheme::ALL
            .iter()
            .copied()
            .find(|scheme| scheme.as_str().eq_ignore_ascii_case(s))
        {
            return Ok(scheme);
        }
        let allowed = Scheme::ALL.map(Scheme::as_str).join(", ");
        let shown = if !s.is_empty()
            && s.len() <= 20
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            format!(" \"{s}\"")
        } else {
            String::new()
        };
        Err(Error::InvalidArgument(format!(
            "unknown signature scheme{shown}; expected one of {allowed}"
        )))
    }
}

/// A configured verifier and signer for one scheme and one or more secrets.
///
/// Holds each secret only as a keyed HMAC state; `Debug` prints
/// `secrets: [redacted; N]`.
#[derive(Clone)]
pub struct Webhook {
    scheme: Scheme,
    /// One keyed HMAC-SHA256 state per secret; the first one signs.
    keys: Vec<HmacSha256>,
    tolerance: i64,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Redacted(usize);
        impl fmt::Debug for Redacted {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "[redacted; {}]", self.0)
            }
        }
        f.debug_struct("Webhook")
            .field("scheme", &self.scheme)
            .field("secrets", &Redacted(self.keys.len()))
            .field("tolerance_seconds", &self.tolerance)
            .finish()
    }
}

impl Webhook {
    /// Builds a webhook for `scheme` (see [`Scheme`]) with one or more
    /// secrets (several during a rotation: any may match; the first signs).
    ///
    /// A `standard` secret is `whsec_` followed by standard base64 (padding
    /// optional) that decodes to at least 16 bytes; the other schemes use the
    /// secret's raw bytes, which must not be empty.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an unknown scheme, an empty secret list,
    /// a malformed secret or a negative tolerance. The message names the
    /// secret by its 1-based position, never by its value.
    pub fn new(scheme: &str, secrets: &[&[u8]], tolerance_seconds: i64) -> Result<Webhook> {
        let scheme: Scheme = scheme.parse()?;
        if secrets.is_empty() {
            return Err(Error::InvalidArgument(
                "at least one secret is required".into(),
            ));
        }
        if tolerance_seconds < 0 {
            return Err(Error::InvalidArgument(format!(
                "the tolerance must be 0 or more seconds, got {tolerance_seconds}"
            )));
        }
        let mut keys = Vec::with_capacity(secrets.len());
        for (index, secret) in secrets.iter().enumerate() {
            let number = index + 1;
            let key = match scheme {
                Scheme::Standard => decode_standard_secret(secret, number)?,
                _ => {
                    if secret.is_empty() {
                        return Err(Error::InvalidArgument(format!("secret {number} is empty")));
                    }
                    secret.to_vec()
                }
            };
            let mac = HmacSha256::new_from_slice(&key).map_err(|_| {
                Error::InvalidArgument(format!("secret {number} cannot be used as an HMAC key"))
            })?;
            keys.push(mac);
        }
        Ok(Webhook {
            scheme,
            keys,
            tolerance: tolerance_seconds,
        })
    }

    /// The scheme this webhook uses.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The timestamp tolerance, in seconds.
    pub fn tolerance_seconds(&self) -> i64 {
        self.tolerance
    }

    /// Verifies one delivery.
    ///
    /// `headers` are flattened `(name, value)` pairs: a header sent with
    /// several values appears several times; names are matched ignoring
    /// ASCII case. `now` is the current Unix time in seconds; `method` and
    /// `url` are used by `hubspot-v3` only.
    ///
    /// Returns the delivery id (`webhook-id`, `X-GitHub-Delivery`,
    /// `X-Shopify-Webhook-Id`), or `""` where the scheme or the headers carry
    /// none.
    ///
    /// # Errors
    ///
    /// [`Error::Signature`] with the [`SignatureFailure`] that applies.
    pub fn verify(
        &self,
        headers: &[(&str, &[u8])],
        body: &[u8],
        now: i64,
        method: &str,
        url: &str,
    ) -> Result<String> {
        match self.scheme {
            Scheme::Standard => self.verify_standard(headers, body, now),
            Scheme::Stripe => self.verify_stripe_like(headers, body, now, "Stripe-Signature"),
            Scheme::Kit => self.verify_stripe_like(headers, body, now, "X-Kit-Signature"),
            Scheme::Github => self.verify_github(headers, body),
            Scheme::Shopify => self.verify_shopify(headers, body),
            Scheme::HubspotV3 => self.verify_hubspot(headers, body, now, method, url),
        }
    }

    /// The headers (name, value) that sign `body` with the first secret.
    ///
    /// One `timestamp` (Unix seconds) is used for both the header and the
    /// MAC. For `standard`, `id` is the `webhook-id` (a fresh
    /// [`fresh_message_id`] when `None`); the other schemes ignore `id`, and
    /// `github` and `shopify` ignore `timestamp`. `method` and `url` are used
    /// by `hubspot-v3` only.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a negative timestamp (or one whose
    /// milliseconds overflow, for `hubspot-v3`) and for a `standard` id that
    /// is empty or holds anything but visible ASCII; [`Error::Internal`] when
    /// no random id can be drawn.
    pub fn sign(
        &self,
        body: &[u8],
        id: Option<&str>,
        timestamp: i64,
        method: &str,
        url: &str,
    ) -> Result<Vec<(String, String)>> {
        let uses_timestamp = !matches!(self.scheme, Scheme::Github | Scheme::Shopify);
        if uses_timestamp && timestamp < 0 {
            return Err(Error::InvalidArgument(format!(
                "the timestamp must be 0 or more, got {timestamp}"
            )));
        }
        let key = &self.keys[0];
        let ts = timestamp.to_string();
        Ok(match self.scheme {
            Scheme::Standard => {
                let id = match id {
                    Some(id) => {
                        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_graphic()) {
                            return Err(Error::InvalidArgument(
                                "the message id must be 1 or more visible ASCII characters".into(),
                            ));
                        }
                        id.to_owned()
                    }
                    None => fresh_message_id()?,
                };
                let mac = compute(key, &[id.as_bytes(), b".", ts.as_bytes(), b".", body]);
                vec![
                    ("webhook-id".to_owned(), id),
                    ("webhook-timestamp".to_owned(), ts),
                    (
                        "webhook-signature".to_owned(),
                        format!("v1,{}", STANDARD.encode(mac)),
                    ),
                ]
            }
            Scheme::Stripe | Scheme::Kit => {
                let name = if self.scheme == Scheme::Stripe {
                    "Stripe-Signature"
                } else {
                    "X-Kit-Signature"
                };
                let mac = compute(key, &[ts.as_bytes(), b".", body]);
                vec![(name.to_owned(), format!("t={ts},v1={}", to_hex(&mac)))]
            }
            Scheme::Github => {
                let mac = compute(key, &[body]);
                vec![(
                    "X-Hub-Signature-256".to_owned(),
                    format!("sha256={}", to_hex(&mac)),
                )]
            }
            Scheme::Shopify => {
                let mac = compute(key, &[body]);
                vec![("X-Shopify-Hmac-Sha256".to_owned(), STANDARD.encode(mac))]
            }
            Scheme::HubspotV3 => {
                let ms = timestamp.checked_mul(1000).ok_or_else(|| {
                    Error::InvalidArgument(format!(
                        "the timestamp {timestamp} is too large to express in milliseconds"
                    ))
                })?;
                let ms = ms.to_string();
                let mac = compute(
                    key,
                    &[method.as_bytes(), url.as_bytes(), body, ms.as_bytes()],
                );
                vec![
                    ("X-HubSpot-Signature-v3".to_owned(), STANDARD.encode(mac)),
                    ("X-HubSpot-Request-Timestamp".to_owned(), ms),
                ]
            }
        })
    }

    fn verify_standard(&self, headers: &[(&str, &[u8])], body: &[u8], now: i64) -> Result<String> {
        let id_name = prefer(headers, "webhook-id", "svix-id");
        let ts_name = prefer(headers, "webhook-timestamp", "svix-timestamp");
        let sig_name = prefer(headers, "webhook-signature", "svix-signature");
        for (name, shown) in [
            (id_name, "webhook-id"),
            (ts_name, "webhook-timestamp"),
            (sig_name, "webhook-signature"),
        ] {
            if !has(headers, name) {
                return Err(missing(&format!("missing the {shown} header")));
            }
        }
        let id = single(headers, id_name)?.unwrap_or_default();
        if id.is_empty() {
            return Err(missing("the webhook-id header is empty"));
        }
        let ts = single(headers, ts_name)?.unwrap_or_default();
        let id_text = std::str::from_utf8(id)
            .map_err(|_| malformed("the webhook-id header is not valid UTF-8"))?;
        let seconds = parse_timestamp(ts)
            .ok_or_else(|| malformed("the webhook-timestamp header is not a valid Unix time"))?;
        self.check_window(now, seconds, "webhook-timestamp")?;

        let candidates = values(headers, sig_name)
            .flat_map(|value| value.split(|b| b.is_ascii_whitespace()))
            .filter_map(|token| {
                let token = token.strip_suffix(b",").unwrap_or(token);
                let sig = token.strip_prefix(b"v1,")?;
                decode_base64_mac(sig)
            });
        if self.any_matches(&[id, b".", ts, b".", body], candidates) {
            Ok(id_text.to_owned())
        } else {
            Err(no_match(
                "no signature in the webhook-signature header matches",
            ))
        }
    }

    fn verify_stripe_like(
        &self,
        headers: &[(&str, &[u8])],
        body: &[u8],
        now: i64,
        name: &str,
    ) -> Result<String> {
        if !has(headers, name) {
            return Err(missing(&format!("missing the {name} header")));
        }
        let items = || {
            values(headers, name)
                .flat_map(|value| value.split(|&b| b == b','))
                .map(trim_ows)
                .filter_map(|item| {
                    let eq = item.iter().position(|&b| b == b'=')?;
                    Some((trim_ows(&item[..eq]), trim_ows(&item[eq + 1..])))
                })
        };
        let mut ts = None;
        let mut count = 0usize;
        for (key, value) in items() {
            if key == b"t" {
                count += 1;
                ts = Some(value);
            }
        }
        let ts = match (count, ts) {
            (1, Some(ts)) => ts,
            _ => {
                return Err(malformed(&format!(
                    "the {name} header must hold exactly one t= item, found {count}"
                )))
            }
        };
        let seconds = parse_timestamp(ts).ok_or_else(|| {
            malformed(&format!(
                "the t= of the {name} header is not a valid Unix time"
            ))
        })?;
        self.check_window(now, seconds, name)?;
        let candidates = items()
            .filter(|(key, _)| *key == b"v1")
            .filter_map(|(_, value)| decode_hex_mac(value));
        if self.any_matches(&[ts, b".", body], candidates) {
            Ok(String::new())
        } else {
            Err(no_match(&format!(
                "no v1 signature in the {name} header matches"
            )))
        }
    }

    fn verify_github(&self, headers: &[(&str, &[u8])], body: &[u8]) -> Result<String> {
        const NAME: &str = "X-Hub-Signature-256";
        if !has(headers, NAME) {
            return Err(missing("missing the X-Hub-Signature-256 header"));
        }
        let id = delivery_id(headers, "X-GitHub-Delivery")?;
        let candidates = values(headers, NAME).filter_map(|item| {
            if item.len() < 7 || !item[..7].eq_ignore_ascii_case(b"sha256=") {
                return None;
            }
            decode_hex_mac(&item[7..])
        });
        if self.any_matches(&[body], candidates) {
            Ok(id)
        } else {
            Err(no_match(
                "no signature in the X-Hub-Signature-256 header matches",
            ))
        }
    }

    fn verify_shopify(&self, headers: &[(&str, &[u8])], body: &[u8]) -> Result<String> {
        const NAME: &str = "X-Shopify-Hmac-Sha256";
        if !has(headers, NAME) {
            return Err(missing("missing the X-Shopify-Hmac-Sha256 header"));
        }
        let id = delivery_id(headers, "X-Shopify-Webhook-Id")?;
        let candidates = values(headers, NAME).filter_map(decode_base64_mac);
        if self.any_matches(&[body], candidates) {
            Ok(id)
        } else {
            Err(no_match(
                "no signature in the X-Shopify-Hmac-Sha256 header matches",
            ))
        }
    }

    fn verify_hubspot(
        &self,
        headers: &[(&str, &[u8])],
        body: &[u8],
        now: i64,
        method: &str,
        url: &str,
    ) -> Result<String> {
        const SIG: &str = "X-HubSpot-Signature-v3";
        const TS: &str = "X-HubSpot-Request-Timestamp";
        if !has(headers, SIG) {
            return Err(missing("missing the X-HubSpot-Signature-v3 header"));
        }
        let Some(ts) = single(headers, TS)? else {
            return Err(missing("missing the X-HubSpot-Request-Timestamp header"));
        };
        let millis = parse_timestamp(ts).ok_or_else(|| {
            malformed(
                "the X-HubSpot-Request-Timestamp header is not a valid Unix time in milliseconds",
            )
        })?;
        // Floor division: milliseconds to whole seconds, like `now`.
        self.check_window(now, millis / 1000, TS)?;
        let candidates = values(headers, SIG).filter_map(decode_base64_mac);
        if self.any_matches(&[method.as_bytes(), url.as_bytes(), body, ts], candidates) {
            Ok(String::new())
        } else {
            Err(no_match(
                "no signature in the X-HubSpot-Signature-v3 header matches",
            ))
        }
    }

    /// `|now − ts| ≤ tolerance`, in `i128` so that nothing overflows.
    fn check_window(&self, now: i64, ts: i64, header: &str) -> Result<()> {
        let age = i128::from(now) - i128::from(ts);
        if age.abs() <= i128::from(self.tolerance) {
            return Ok(());
        }
        let (amount, direction) = if age > 0 {
            (age, "in the past")
        } else {
            (-age, "in the future")
        };
        Err(Error::Signature {
            kind: SignatureFailure::TimestampOutOfTolerance,
            message: format!(
                "the {header} timestamp is {amount} seconds {direction}; the tolerance is {} seconds",
                self.tolerance
            ),
        })
    }

    /// True when any candidate equals the MAC of `parts` under any secret.
    /// Each MAC is computed once per secret; every comparison is
    /// constant-time. With no decodable candidate no MAC is computed.
    fn any_matches<I>(&self, parts: &[&[u8]], candidates: I) -> bool
    where
        I: Iterator<Item = MacBytes> + Clone,
    {
        if candidates.clone().next().is_none() {
            return false;
        }
        for key in &self.keys {
            let expected = compute(key, parts);
            let mut matched = false;
            for candidate in candidates.clone() {
                matched |= constant_time_eq(&expected, &candidate);
            }
            if matched {
                return true;
            }
        }
        false
    }
}

/// A fresh random delivery id: `msg_` followed by 24 base62 characters
/// (about 143 bits) drawn from the operating system's CSPRNG.
///
/// # Errors
///
/// [`Error::Internal`] when the operating system's random source cannot be
/// read.
pub fn fresh_message_id() -> Result<String> {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    const CHARS: usize = 24;
    let mut id = String::with_capacity(4 + CHARS);
    id.push_str("msg_");
    let mut produced = 0;
    while produced < CHARS {
        let mut buf = [0u8; 32];
        os_random(&mut buf)?;
        for byte in buf {
            // Rejection sampling: 248 = 4 × 62, so the kept bytes are uniform
            // modulo 62.
            if byte < 248 && produced < CHARS {
                id.push(char::from(ALPHABET[usize::from(byte % 62)]));
                produced += 1;
            }
        }
    }
    Ok(id)
}

#[cfg(unix)]
fn os_random(buf: &mut [u8]) -> Result<()> {
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut file| file.read_exact(buf))
        .map_err(|e| {
            Error::Internal(format!(
                "cannot read the operating system's random source /dev/urandom: {e}"
            ))
        })
}

#[cfg(not(unix))]
fn os_random(_buf: &mut [u8]) -> Result<()> {
    Err(Error::Internal(
        "no operating-system random source is available on this platform".into(),
    ))
}

/// What SHA-256 acceleration the `sha2` crate uses on this CPU, for
/// `phpinfo()`: `"SHA-NI"` or `"none (portable)"`.
///
/// `sha2` 0.10 picks its x86 SHA-NI backend at run time when the CPU has
/// SHA, SSE2, SSSE3 and SSE4.1; on other architectures (including aarch64,
/// whose backend needs the crate's `asm` feature, not enabled here) it runs
/// the portable code.
pub fn sha_acceleration() -> &'static str {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        if std::is_x86_feature_detected!("sha")
            && std::is_x86_feature_detected!("sse2")
            && std::is_x86_feature_detected!("ssse3")
            && std::is_x86_feature_detected!("sse4.1")
        {
            return "SHA-NI";
        }
    }
    "none (portable)"
}

// ---------------------------------------------------------------------------
// Helpers

fn missing(message: &str) -> Error {
    signature_error(SignatureFailure::MissingHeader, message)
}

fn malformed(message: &str) -> Error {
    signature_error(SignatureFailure::MalformedHeader, message)
}

fn no_match(message: &str) -> Error {
    signature_error(SignatureFailure::NoMatchingSignature, message)
}

fn signature_error(kind: SignatureFailure, message: &str) -> Error {
    Error::Signature {
        kind,
        message: message.to_owned(),
    }
}

/// Every value of the header `name` (ASCII-case-insensitive), trimmed of
/// spaces and tabs.
fn values<'a>(
    headers: &'a [(&'a str, &'a [u8])],
    name: &'a str,
) -> impl Iterator<Item = &'a [u8]> + Clone + 'a {
    headers
        .iter()
        .filter(move |(n, _)| n.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| trim_ows(v))
}

fn has(headers: &[(&str, &[u8])], name: &str) -> bool {
    values(headers, name).next().is_some()
}

/// The one value of a single-valued header: `None` when absent; an error
/// when it appears several times with different values.
fn single<'a>(headers: &'a [(&'a str, &'a [u8])], name: &'a str) -> Result<Option<&'a [u8]>> {
    let mut found: Option<&[u8]> = None;
    for value in values(headers, name) {
        match found {
            None => found = Some(value),
            Some(first) if first == value => {}
            Some(_) => {
                return Err(malformed(&format!(
                    "the {name} header was sent several times with different values"
                )))
            }
        }
    }
    Ok(found)
}

/// `name` when that header is present, otherwise `fallback`.
fn prefer<'a>(headers: &[(&str, &[u8])], name: &'a str, fallback: &'a str) -> &'a str {
    if has(headers, name) {
        name
    } else {
        fallback
    }
}

/// An optional delivery-id header: `""` when absent, malformed when not
/// UTF-8 or inconsistent.
fn delivery_id(headers: &[(&str, &[u8])], name: &str) -> Result<String> {
    match single(headers, name)? {
        None => Ok(String::new()),
        Some(value) => std::str::from_utf8(value)
            .map(str::to_owned)
            .map_err(|_| malformed(&format!("the {name} header is not valid UTF-8"))),
    }
}

fn trim_ows(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// A non-negative decimal integer of ASCII digits that fits in `i64`.
fn parse_timestamp(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    Some(n)
}

fn decode_base64_mac(text: &[u8]) -> Option<MacBytes> {
    // 32 bytes are 43 characters without padding, 44 with.
    if text.len() != 43 && text.len() != 44 {
        return None;
    }
    let mut buf = [0u8; 48];
    match BASE64_ANY_PADDING.decode_slice(text, &mut buf) {
        Ok(MAC_LEN) => {
            let mut mac = [0u8; MAC_LEN];
            mac.copy_from_slice(&buf[..MAC_LEN]);
            Some(mac)
        }
        _ => None,
    }
}

fn decode_hex_mac(text: &[u8]) -> Option<MacBytes> {
    if text.len() != 2 * MAC_LEN {
        return None;
    }
    let mut mac = [0u8; MAC_LEN];
    for (out, pair) in mac.iter_mut().zip(text.chunks_exact(2)) {
        *out = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
    }
    Some(mac)
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// HMAC of the concatenation of `parts`, from a pre-keyed state.
fn compute(key: &HmacSha256, parts: &[&[u8]]) -> MacBytes {
    let mut mac = key.clone();
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Compares two MACs in constant time: every byte is examined, and
/// `black_box` keeps the optimiser from turning the fold into an early exit.
fn constant_time_eq(a: &MacBytes, b: &MacBytes) -> bool {
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b.iter()) {
        diff = std::hint::black_box(diff | (x ^ y));
    }
    diff == 0
}

fn decode_standard_secret(secret: &[u8], number: usize) -> Result<Vec<u8>> {
    let Some(encoded) = secret.strip_prefix(STANDARD_SECRET_PREFIX.as_bytes()) else {
        return Err(Error::InvalidArgument(format!(
            "secret {number} must start with \"{STANDARD_SECRET_PREFIX}\" followed by base64"
        )));
    };
    let key = BASE64_LENIENT.decode(encoded).map_err(|_| {
        Error::InvalidArgument(format!(
            "secret {number} is not valid base64 after \"{STANDARD_SECRET_PREFIX}\""
        ))
    })?;
    if key.len() < MIN_STANDARD_KEY_BYTES {
        return Err(Error::InvalidArgument(format!(
            "secret {number} decodes to {} bytes; at least {MIN_STANDARD_KEY_BYTES} are required",
            key.len()
        )));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_works() {
        let a = [7u8; MAC_LEN];
        let mut b = a;
        assert!(constant_time_eq(&a, &b));
        b[31] ^= 1;
        assert!(!constant_time_eq(&a, &b));
        b = a;
        b[0] ^= 0x80;
        assert!(!constant_time_eq(&a, &b));
    }

    #[test]
    fn timestamps_parse_strictly() {
        assert_eq!(parse_timestamp(b"0"), Some(0));
        assert_eq!(parse_timestamp(b"0001"), Some(1));
        assert_eq!(parse_timestamp(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_timestamp(b"9223372036854775808"), None);
        assert_eq!(parse_timestamp(b""), None);
        assert_eq!(parse_timestamp(b"-1"), None);
        assert_eq!(parse_timestamp(b"+1"), None);
        assert_eq!(parse_timestamp(b"1e3"), None);
        assert_eq!(parse_timestamp(b"1 2"), None);
    }

    #[test]
    fn hex_and_base64_decode() {
        let mac = [0xabu8; MAC_LEN];
        assert_eq!(decode_hex_mac(to_hex(&mac).as_bytes()), Some(mac));
        assert_eq!(
            decode_hex_mac(to_hex(&mac).to_uppercase().as_bytes()),
            Some(mac)
        );
        assert_eq!(decode_hex_mac(b"zz"), None);
        let b64 = STANDARD.encode(mac);
        assert_eq!(decode_base64_mac(b64.as_bytes()), Some(mac));
        assert_eq!(
            decode_base64_mac(b64.trim_end_matches('=').as_bytes()),
            Some(mac)
        );
        assert_eq!(decode_base64_mac(b"AAAA"), None);
    }

    #[test]
    fn trims_only_spaces_and_tabs() {
        assert_eq!(trim_ows(b" \t x \t "), b"x");
        assert_eq!(trim_ows(b"\nx"), b"\nx");
        assert_eq!(trim_ows(b"   "), b"");
    }
}
