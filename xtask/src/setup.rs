//! Installs what the build and the tests need on a fresh machine: the
//! Rust targets (through rustup; the toolchain itself is pinned by
//! rust-toolchain.toml) and Debian packages such as qemu-system-misc and
//! golang-go.

use anyhow::{bail, Context, Result};
use std::process::Command;
use std::sync::Once;

static APT_UPDATE: Once = Once::new();

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null 2>&1")])
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs Debian packages with apt-get (the project's machines run as
/// root), after one `apt-get update` per xtask run.
pub fn apt_install(packages: &[&str]) -> Result<()> {
    APT_UPDATE.call_once(|| {
        eprintln!("xtask: apt-get update");
        let _ = Command::new("apt-get").args(["update", "-qq"]).status();
    });
    eprintln!("xtask: installing {}", packages.join(" "));
    let status = Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .context("running apt-get")?;
    if !status.success() {
        bail!("apt-get install {} failed", packages.join(" "));
    }
    Ok(())
}

/// The riscv64 bare-metal target for the pinned toolchain.
pub fn ensure_build_tools() -> Result<()> {
    ensure_rust_target("riscv64gc-unknown-none-elf")
}

/// `target`'s standard library for the pinned toolchain (rustup, run in
/// the workspace, reads rust-toolchain.toml).
pub fn ensure_rust_target(target: &str) -> Result<()> {
    let root = crate::workspace_root();
    let installed = Command::new("rustup")
        .current_dir(&root)
        .args(["target", "list", "--installed"])
        .output()
        .context("running rustup")?;
    if !String::from_utf8_lossy(&installed.stdout).lines().any(|line| line.trim() == target) {
        let status = Command::new("rustup").current_dir(&root).args(["target", "add", target]).status()?;
        if !status.success() {
            bail!("rustup could not add {target}");
        }
    }
    Ok(())
}

/// QEMU for riscv64 with its OpenSBI firmware.
pub fn ensure_qemu() -> Result<()> {
    if !have("qemu-system-riscv64") {
        apt_install(&["qemu-system-misc", "opensbi"])?;
    }
    Ok(())
}

/// The riscv64 Linux cross compiler, for the conformance programs.
pub fn ensure_cross_compiler() -> Result<()> {
    if !have("riscv64-linux-gnu-gcc") {
        apt_install(&["gcc-riscv64-linux-gnu", "libc6-dev-riscv64-cross"])?;
    }
    Ok(())
}

/// Debian's Go toolchain, which cross-builds the corpus's Go programs.
pub fn ensure_go() -> Result<()> {
    if !have("go") {
        apt_install(&["golang-go"])?;
    }
    Ok(())
}
