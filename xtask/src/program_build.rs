//! Cross-builds the corpus's compiled programs for riscv64 Linux, each
//! statically linked so that it depends on no library in the image: C with
//! Debian's riscv64 gcc, Go with Debian's Go toolchain (CGO_ENABLED=0), and
//! Rust with the pinned toolchain's riscv64gc-unknown-linux-gnu standard
//! library (+crt-static, linked by the riscv64 gcc). A program is rebuilt
//! only when its source is newer than the binary.

use crate::corpus::{CorpusTest, Kind};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Rust's target for riscv64 Linux programs (glibc; linked statically).
pub const RUST_LINUX_TARGET: &str = "riscv64gc-unknown-linux-gnu";

/// Builds `test` into `out_dir` (unless the binary there is newer than its
/// source) and returns the binary's path.
pub fn build(test: &CorpusTest, out_dir: &Path) -> Result<PathBuf> {
    let output = out_dir.join(&test.name);
    let fresh = std::fs::metadata(&output)
        .and_then(|o| Ok(o.modified()? >= std::fs::metadata(&test.source)?.modified()?))
        .unwrap_or(false);
    if fresh {
        return Ok(output);
    }
    // Built under another name first: an interrupted build never leaves
    // a binary that looks fresh.
    let partial = output.with_extension("partial");
    let mut command = match test.kind {
        Kind::C => c_command(&test.source, &partial)?,
        Kind::Go => go_command(&test.source, &partial)?,
        Kind::Rust => rust_command(&test.source, &partial)?,
        Kind::Shell => bail!("{} is a script, not a program to build", test.source.display()),
    };
    let started = std::time::Instant::now();
    let status = command.status().with_context(|| format!("running {:?}", command.get_program()))?;
    if !status.success() {
        bail!("building {} failed", test.source.display());
    }
    std::fs::rename(&partial, &output)?;
    if started.elapsed().as_secs() >= 2 {
        eprintln!("xtask: built {} in {:.1} s", test.name, started.elapsed().as_secs_f64());
    }
    Ok(output)
}

fn c_command(source: &Path, output: &Path) -> Result<Command> {
    crate::setup::ensure_cross_compiler()?;
    let mut command = Command::new("riscv64-linux-gnu-gcc");
    command.args(["-static", "-O2", "-Wall", "-pthread", "-I"]).arg(crate::corpus::corpus_dir());
    command.arg("-o").arg(output).arg(source);
    Ok(command)
}

fn go_command(source: &Path, output: &Path) -> Result<Command> {
    crate::setup::ensure_go()?;
    let mut command = Command::new("go");
    // One file, no module: `go build FILE` needs no go.mod.
    command.args(["build", "-trimpath", "-o"]).arg(output).arg(source);
    command.env("GOOS", "linux").env("GOARCH", "riscv64").env("CGO_ENABLED", "0");
    command.env("GO111MODULE", "off").env("GOFLAGS", "");
    Ok(command)
}

fn rust_command(source: &Path, output: &Path) -> Result<Command> {
    crate::setup::ensure_cross_compiler()?;
    crate::setup::ensure_rust_target(RUST_LINUX_TARGET)?;
    // rustup's rustc, run from the workspace, is rust-toolchain.toml's.
    let mut command = Command::new("rustc");
    command.current_dir(crate::workspace_root()).env_remove("RUSTC").env_remove("RUSTFLAGS");
    command.args(["--edition", "2021", "-O", "--target", RUST_LINUX_TARGET]);
    command.args(["-C", "linker=riscv64-linux-gnu-gcc", "-C", "target-feature=+crt-static"]);
    command.arg("-o").arg(output).arg(source);
    Ok(command)
}
