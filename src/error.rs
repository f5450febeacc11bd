//! The one error type of the core. Every failure that can reach PHP is a
//! variant here; `crate::php::errors` maps each variant to its PHP exception
//! class in one place.

use std::fmt;

/// Why a signature check failed (SPEC §4). The numeric codes are the
/// `TagGate\SignatureException` constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureFailure {
    /// A header the scheme needs is absent.
    MissingHeader = 1,
    /// A header is present but cannot be read (bad timestamp, bad `t=` list).
    MalformedHeader = 2,
    /// The timestamp lies outside the tolerance window, in either direction.
    TimestampOutOfTolerance = 3,
    /// No signature in the header matches any secret.
    NoMatchingSignature = 4,
}

impl SignatureFailure {
    /// The `SignatureException` code.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The snake-case name used by the conformance vectors and the plugin's
    /// `error.code` (`missing_header`, …).
    pub fn name(self) -> &'static str {
        match self {
            SignatureFailure::MissingHeader => "missing_header",
            SignatureFailure::MalformedHeader => "malformed_header",
            SignatureFailure::TimestampOutOfTolerance => "timestamp_out_of_tolerance",
            SignatureFailure::NoMatchingSignature => "no_matching_signature",
        }
    }
}

/// Every error the core reports. Messages never contain a secret or an
/// expected signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A rule failed to compile. `message` says what was expected and what was
    /// found; `line` and `column` are 1-based (columns in Unicode characters).
    RuleSyntax {
        /// What was expected and found, without the position suffix.
        message: String,
        /// 1-based line of the offending token (or of the end of the rule).
        line: usize,
        /// 1-based column, in characters.
        column: usize,
    },
    /// A tag breaks SPEC §1 (maps to `\ValueError`).
    InvalidTag(String),
    /// A bad argument, such as an unknown scheme or a malformed secret (maps
    /// to `\ValueError`).
    InvalidArgument(String),
    /// A webhook command breaks SPEC §5. `pointer` is a JSON pointer (`/` for
    /// the whole body).
    Command {
        /// JSON pointer of the fault.
        pointer: String,
        /// What is wrong there.
        problem: String,
    },
    /// A signature check failed.
    Signature {
        /// Which of the four failures.
        kind: SignatureFailure,
        /// A human-readable detail (never a secret or an expected MAC).
        message: String,
    },
    /// A bug inside the extension (a caught panic); never expected.
    Internal(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::RuleSyntax {
                message,
                line,
                column,
            } => write!(f, "{message} at line {line}, column {column}"),
            Error::InvalidTag(m) | Error::InvalidArgument(m) | Error::Internal(m) => f.write_str(m),
            Error::Command { pointer, problem } => write!(f, "{pointer}: {problem}"),
            Error::Signature { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for results of the core.
pub type Result<T> = std::result::Result<T, Error>;
