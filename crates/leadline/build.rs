//! Build-time facts for `leadline --version`, and the release binary's
//! debug info compressed.
//!
//! `LEADLINE_GIT_COMMIT` (the commit the binary is built from) comes from,
//! in order: the variable itself when set at build time (a Docker build,
//! where `.git` is not in the context, passes it as a build argument),
//! `git rev-parse HEAD` when this is a git checkout with git installed, else
//! `unknown`.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=LEADLINE_GIT_COMMIT");
    let commit = std::env::var("LEADLINE_GIT_COMMIT")
        .ok()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=LEADLINE_GIT_COMMIT={commit}");

    // Release builds keep line tables, so a panic's backtrace names file and
    // line; compressed (zlib, which the standard library's symbolizer
    // reads), they take about a third of the room. Debug builds skip it:
    // compressing their full debug info would slow every link.
    if std::env::var("PROFILE").as_deref() == Ok("release")
        && std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
    {
        println!("cargo:rustc-link-arg-bins=-Wl,--compress-debug-sections=zlib");
    }
}

/// HEAD's commit, and the files to watch so a new commit rebuilds.
fn git_commit() -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git").args(args).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"])?;
    // HEAD itself (a checkout of another branch), the branch it points to
    // (a new commit), and packed refs (where a branch may live instead).
    let mut watch = vec![git(&["rev-parse", "--git-path", "HEAD"])];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch.push(git(&["rev-parse", "--git-path", &branch]));
    }
    watch.push(git(&["rev-parse", "--git-path", "packed-refs"]));
    for path in watch.into_iter().flatten() {
        if Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    Some(commit)
}
