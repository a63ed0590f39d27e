//! Building the kernel: cargo for the riscv64 target, then the ELF turned
//! into a Linux-style `Image` with the symbol table filled in.

use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::process::Command;

pub const TARGET: &str = "riscv64gc-unknown-none-elf";

/// Builds the kernel and returns the path of the Image.
pub fn build() -> Result<PathBuf> {
    let root = crate::workspace_root();
    let status = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["build", "--quiet", "--release", "-p", "kernel", "--target", TARGET])
        .status()
        .context("running cargo build for the kernel")?;
    if !status.success() {
        bail!("building the kernel failed");
    }
    let elf = root.join("target").join(TARGET).join("release").join("goose");
    let image = crate::build_dir().join("goose.Image");
    crate::image::write_image(&elf, &image)?;
    Ok(image)
}
