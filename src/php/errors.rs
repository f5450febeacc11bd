//! The one place where core errors become PHP exceptions.
//!
//! | core error                | PHP exception                                   |
//! |---------------------------|-------------------------------------------------|
//! | `Error::RuleSyntax`       | `TagGate\RuleSyntaxException`                   |
//! | `Error::Command`          | `TagGate\CommandException`                      |
//! | `Error::Signature`        | `TagGate\SignatureException` (code 1–4)         |
//! | `Error::InvalidTag`       | `\ValueError`                                   |
//! | `Error::InvalidArgument`  | `\ValueError`                                   |
//! | `Error::Internal`         | `TagGate\Exception` (a caught panic)            |
//!
//! Wrong PHP types are `\TypeError`s, raised through [`type_error`].

use std::panic::{catch_unwind, AssertUnwindSafe};

use ext_php_rs::class::RegisteredClass;
use ext_php_rs::exception::PhpException;
use ext_php_rs::prelude::*;
use ext_php_rs::zend::ce;

use crate::error::Error;

/// `TagGate\Exception`: the base of every exception the extension throws
/// of its own (wrong types and values are PHP's `\TypeError`/`\ValueError`).
#[php_class]
#[php(name = "TagGate\\Exception")]
#[php(extends(ce = ce::exception, stub = "\\Exception"))]
#[derive(Default)]
pub struct TagGateException;

#[php_impl]
impl TagGateException {}

/// `TagGate\RuleSyntaxException`: a rule failed to compile. The message ends
/// with `at line L, column C`.
#[php_class]
#[php(name = "TagGate\\RuleSyntaxException")]
#[php(extends(TagGateException))]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
#[derive(Default)]
pub struct RuleSyntaxException;

#[php_impl]
impl RuleSyntaxException {}

/// `TagGate\CommandException`: a webhook command is invalid. The message is
/// `<JSON pointer>: <problem>`.
#[php_class]
#[php(name = "TagGate\\CommandException")]
#[php(extends(TagGateException))]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
#[derive(Default)]
pub struct CommandException;

#[php_impl]
impl CommandException {}

/// `TagGate\SignatureException`: a delivery's signature did not verify;
/// `getCode()` is one of the constants.
#[php_class]
#[php(name = "TagGate\\SignatureException")]
#[php(extends(TagGateException))]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
#[derive(Default)]
pub struct SignatureException;

#[php_impl]
impl SignatureException {
    /// A header the scheme needs is missing.
    pub const MISSING_HEADER: i64 = 1;
    /// A header is present but malformed (bad timestamp, bad `t=` list).
    pub const MALFORMED_HEADER: i64 = 2;
    /// The timestamp is outside the tolerance window.
    pub const TIMESTAMP_OUT_OF_TOLERANCE: i64 = 3;
    /// No signature matches any secret.
    pub const NO_MATCHING_SIGNATURE: i64 = 4;
}

/// Maps a core error to its PHP exception (see the table above).
pub fn to_php(err: Error) -> PhpException {
    let message = err.to_string();
    match err {
        Error::RuleSyntax { .. } => PhpException::from_class::<RuleSyntaxException>(message),
        Error::Command { .. } => PhpException::from_class::<CommandException>(message),
        Error::Signature { kind, .. } => PhpException::new(
            message,
            kind.code(),
            SignatureException::get_metadata().ce(),
        ),
        Error::InvalidTag(_) | Error::InvalidArgument(_) => {
            PhpException::new(message, 0, ce::value_error())
        }
        Error::Internal(_) => PhpException::from_class::<TagGateException>(message),
    }
}

/// A `\TypeError` with the given message.
pub fn type_error(message: impl Into<String>) -> PhpException {
    PhpException::new(message.into(), 0, ce::type_error())
}

/// A `\ValueError` with the given message.
pub fn value_error(message: impl Into<String>) -> PhpException {
    PhpException::new(message.into(), 0, ce::value_error())
}

/// Runs an exported function's body so that a panic becomes a
/// `TagGate\Exception` instead of reaching PHP as an engine `Error`. The panic
/// payload is not shown: it could quote input.
pub fn guard<T>(f: impl FnOnce() -> PhpResult<T>) -> PhpResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(_) => Err(to_php(Error::Internal(
            "internal error in the taggate extension (a bug: please report it)".into(),
        ))),
    }
}
