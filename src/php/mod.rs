//! The PHP binding layer: registers the classes and functions of SPEC §3 and
//! the `phpinfo()` section. Everything here only converts between PHP and the
//! core modules; no rule, tag or signature logic lives in this layer.

mod convert;
mod errors;
mod functions;
mod rule;
mod tagset;
mod webhook;

use ext_php_rs::prelude::*;
use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

/// `phpinfo()`'s `taggate` section: version, cache figures, SHA acceleration.
extern "C" fn module_info(_module: *mut ModuleEntry) {
    // A panic must not cross this `extern "C"` frame.
    let _ = std::panic::catch_unwind(|| {
        let stats = crate::cache::stats();
        info_table_start!();
        info_table_row!("taggate support", "enabled");
        info_table_row!("version", env!("CARGO_PKG_VERSION"));
        info_table_row!("build", env!("TAGGATE_BUILD_INFO"));
        info_table_row!(
            "rule cache (entries / capacity)",
            format!("{} / {}", stats.size, stats.capacity)
        );
        info_table_row!(
            "rule cache (hits / misses)",
            format!("{} / {}", stats.hits, stats.misses)
        );
        info_table_row!("SHA-256 acceleration", crate::signature::sha_acceleration());
        info_table_end!();
    });
}

/// Keeps panic payloads (which could quote input) out of PHP's logs: the
/// hook prints only where the panic happened. Installed once, at load.
fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let place = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            eprintln!("taggate: internal panic at {place} (caught; reported to PHP as TagGate\\Exception)");
        }));
    });
}

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    quiet_panics();
    let module = module
        .name("taggate")
        .version(env!("CARGO_PKG_VERSION"))
        .class::<errors::TagGateException>()
        .class::<errors::RuleSyntaxException>()
        .class::<errors::CommandException>()
        .class::<errors::SignatureException>()
        .class::<tagset::PhpTagSet>()
        .class::<rule::PhpRule>()
        .class::<rule::PhpCommand>()
        .class::<webhook::PhpWebhook>()
        .info_function(module_info);
    functions::register(module)
}
