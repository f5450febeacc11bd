//! TagGate: CRM-tag access rules for PHP.
//!
//! The core modules are plain Rust with no PHP types; `php` is the one
//! binding layer that exposes them to PHP through `ext-php-rs`.
#![cfg_attr(not(feature = "php"), forbid(unsafe_code))]

pub mod cache;
pub mod command;
pub mod error;
pub mod rule;
pub mod signature;
pub mod tags;
pub mod tagset;

#[cfg(feature = "php")]
mod php;
