//! `cargo xtask run`: boots goose (or, with --linux, Debian's kernel) on
//! the initramfs, interactively or running one command.

use crate::file_tree::{FileTree, Node, FIXED_MTIME};
use crate::qemu::Machine;
use crate::rootfs::RootfsOptions;
use crate::RunArgs;
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::time::Duration;

/// How long a `--cmd` run may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(600);
/// The line /init prints after the command (xtask/rootfs/init).
const EXIT_MARKER: &str = "goose-init: exit ";

/// Returns the exit status for the xtask itself.
pub fn run(args: RunArgs) -> Result<i32> {
    let kernel = if args.linux { crate::linux::fetch()?.image } else { crate::kernel_build::build()? };
    let base = match &args.initrd {
        Some(path) => path.clone(),
        None => crate::rootfs::build(&RootfsOptions {
            extra_packages: args.packages.clone(),
            include_linux_modules: args.linux,
            ..RootfsOptions::default()
        })?,
    };
    let mut machine = Machine::new(&kernel);
    machine.memory = args.memory.clone();
    machine.harts = args.smp;
    machine.append = args.append.clone();
    machine.network = (!args.no_network)
        .then(|| crate::qemu::Network { port_forwards: args.forwards.clone(), is_restricted: false });
    let Some(command) = &args.cmd else {
        machine.initrd = Some(base);
        return machine.run_interactive();
    };
    // The command travels as a file in a second archive appended to the
    // initramfs, so no quoting survives the kernel command line.
    let mut overlay = FileTree::default();
    overlay.insert(
        "goose-cmd",
        Node::File { permissions: 0o755, data: command.clone().into_bytes() },
        FIXED_MTIME,
    );
    machine.initrd = Some(concatenate(&base, &overlay.to_cpio()?)?);
    machine.append = format!("quiet {} -- sh /goose-cmd", args.append);
    let outcome = machine.run_until(COMMAND_TIMEOUT, |line| {
        println!("{line}");
        false
    })?;
    let status = outcome
        .output
        .lines()
        .find_map(|l| l.trim().strip_prefix(EXIT_MARKER).and_then(|s| s.trim().parse().ok()))
        .context("the command did not finish (no exit status on the console)")?;
    Ok(status)
}

/// The base initramfs with `extra` appended (Linux and goose both read
/// concatenated archives).
pub fn concatenate(base: &std::path::Path, extra: &[u8]) -> Result<PathBuf> {
    let mut data = std::fs::read(base).with_context(|| format!("reading {}", base.display()))?;
    while data.len() % 4 != 0 {
        data.push(0);
    }
    data.extend_from_slice(extra);
    let path = crate::build_dir().join("initrd-with-overlay.cpio");
    std::fs::write(&path, data)?;
    Ok(path)
}
