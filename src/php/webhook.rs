//! `TagGate\Webhook` and the secret/headers plumbing it shares with
//! `taggate_verify()`.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use super::convert::{entries, headers, type_name, Bytes};
use super::errors::{guard, to_php, type_error, value_error};
use super::rule::now_or;
use crate::signature::Webhook;

/// Reads a `string|array` secrets argument into byte slices.
pub fn secrets_of(z: &Zval) -> PhpResult<Vec<&[u8]>> {
    let z = z.dereference();
    if let Some(s) = z.zend_str() {
        return Ok(vec![s.as_bytes()]);
    }
    if let Some(arr) = z.array() {
        let mut out = Vec::with_capacity(arr.len());
        for (i, (_, item)) in entries(arr).enumerate() {
            match item.dereference().zend_str() {
                Some(s) => out.push(s.as_bytes()),
                None => {
                    return Err(type_error(format!(
                        "secret #{} must be a string, {} given",
                        i + 1,
                        type_name(item)
                    )))
                }
            }
        }
        if out.is_empty() {
            return Err(value_error("the secret list must not be empty"));
        }
        return Ok(out);
    }
    Err(type_error(format!(
        "secrets must be of type string|array, {} given",
        type_name(z)
    )))
}

/// Builds the core verifier from PHP arguments.
pub fn build(scheme: &str, secrets: &Zval, tolerance: i64) -> PhpResult<Webhook> {
    let secrets = secrets_of(secrets)?;
    Webhook::new(scheme, &secrets, tolerance).map_err(to_php)
}

/// Verifies a delivery with PHP arguments; the core error on failure.
pub fn verify_with(
    hook: &Webhook,
    hdrs: &ZendHashTable,
    body: &[u8],
    now: Option<i64>,
    method: &str,
    url: &str,
) -> PhpResult<Result<String, crate::error::Error>> {
    let pairs = headers(hdrs)?;
    let borrowed: Vec<(&str, &[u8])> = pairs.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    Ok(hook.verify(&borrowed, body, now_or(now), method, url))
}

/// Verifies and signs webhook deliveries for one scheme (SPEC §4).
#[php_class]
#[php(name = "TagGate\\Webhook")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
pub struct PhpWebhook {
    inner: Webhook,
}

#[php_impl]
impl PhpWebhook {
    /// `$scheme`: `standard`, `stripe`, `kit`, `github`, `shopify` or
    /// `hubspot-v3`. `$secrets`: one secret, or several during a rotation (any
    /// may match; the first signs).
    ///
    /// @param string|array $secrets
    /// @throws \ValueError for an unknown scheme, an empty secret list, or a malformed secret
    #[php(defaults(tolerance_seconds = 300))]
    pub fn __construct(scheme: &str, secrets: &Zval, tolerance_seconds: i64) -> PhpResult<Self> {
        guard(|| {
            Ok(Self {
                inner: build(scheme, secrets, tolerance_seconds)?,
            })
        })
    }

    /// Verifies one delivery and returns its id ('' where the scheme and
    /// headers carry none). Header names are matched case-insensitively; a
    /// value may be a string or a list of strings.
    ///
    /// @throws \TagGate\SignatureException
    #[php(defaults(method = "\"POST\"", url = "\"\""))]
    pub fn verify(
        &self,
        headers: &ZendHashTable,
        body: Bytes<'_>,
        now: Option<i64>,
        method: String,
        url: String,
    ) -> PhpResult<String> {
        guard(|| verify_with(&self.inner, headers, body.0, now, &method, &url)?.map_err(to_php))
    }

    /// The headers (name => value) that sign `$body` with the first secret.
    /// `$timestamp` defaults to now; `$id` (for `standard`) to a fresh `msg_…`.
    #[php(defaults(method = "\"POST\"", url = "\"\""))]
    pub fn sign(
        &self,
        body: Bytes<'_>,
        id: Option<String>,
        timestamp: Option<i64>,
        method: String,
        url: String,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let pairs = self
                .inner
                .sign(body.0, id.as_deref(), now_or(timestamp), &method, &url)
                .map_err(to_php)?;
            let mut ht = ZendHashTable::with_capacity(u32::try_from(pairs.len()).unwrap_or(8));
            for (name, value) in pairs {
                ht.insert(name.as_str(), value)
                    .map_err(|e| type_error(e.to_string()))?;
            }
            Ok(ht)
        })
    }
}
