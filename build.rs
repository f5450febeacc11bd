//! Build-time work the crate needs:
//! - on macOS, a PHP extension must leave PHP's symbols undefined until PHP
//!   loads it (`-undefined dynamic_lookup`);
//! - `TAGGATE_BUILD_INFO` for `phpinfo()`: the profile, the target and the git
//!   revision the extension was built from, so a site owner can tell which
//!   build is loaded.
use std::process::Command;

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.contains("apple") {
        println!("cargo:rustc-cdylib-link-arg=-undefined");
        println!("cargo:rustc-cdylib-link-arg=dynamic_lookup");
    }
    let profile = std::env::var("PROFILE").unwrap_or_default();
    let rev = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=TAGGATE_BUILD_INFO={profile} {target} git {rev}");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs");
    println!("cargo:rerun-if-env-changed=PROFILE");
}
