//! goose's host tool. `cargo xtask run` boots goose in QEMU; `cargo xtask
//! test` runs the whole test suite; see `--help` for the rest.

mod bench;
mod boot_tests;
mod cmd_rootfs;
mod console_test;
mod corpus;
mod debian;
mod file_tree;
mod host_clients;
mod image;
mod kernel_build;
mod linux;
mod linux_modules;
mod net_check;
mod net_guest;
mod net_tests;
mod program_build;
mod qemu;
mod rootfs;
mod run;
mod setup;
mod syscall_table;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Build, run, test and benchmark goose")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the kernel image; prints its path as the last line.
    Build,
    /// Boot goose in QEMU with the console on this terminal.
    Run(RunArgs),
    /// Run the whole test suite: host unit tests, then QEMU tests.
    Test {
        /// Only run QEMU tests whose name contains this.
        #[arg(long)]
        filter: Option<String>,
    },
    /// Build the initramfs (busybox-static and a small /etc); prints its
    /// path. Options: --pkg NAME, --file HOST=DEST, --linux-modules.
    Rootfs {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Record Linux's output of the conformance corpus as the expected
    /// output (tests/golden).
    Golden {
        #[arg(long)]
        filter: Option<String>,
    },
    /// Fetch Debian's riscv64 Linux kernel (the oracle); `--boot` boots it.
    Linux {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Benchmarks (not tests), Linux and goose side by side: `boot`,
    /// `micro`, or nothing for all, which also writes docs/benchmarks.md
    /// and docs/benchmarks.png.
    Bench {
        what: Option<String>,
        /// Boots per kernel and part, alternating goose and Linux.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// One kernel only (`goose` or `linux`), for quick looks while
        /// optimizing; ratios need both, so nothing is written then.
        #[arg(long)]
        only: Option<String>,
    },
    /// Boot with a virtio-net card on QEMU's user network, check UDP and
    /// TCP to the host and a server reached through a 127.0.0.1 hostfwd,
    /// and print the TCP throughput both ways.
    NetCheck {
        /// Boot Debian's Linux instead of goose.
        #[arg(long)]
        linux: bool,
        /// Bytes to move each way, in MB.
        #[arg(long, default_value_t = 10)]
        megabytes: usize,
    },
    /// The network acceptance tests alone (redis, nginx, Go net/http
    /// driven from the host through port forwards), on goose, or on
    /// Debian's Linux with --linux.
    NetTest {
        /// Only tests whose name contains this.
        #[arg(long)]
        filter: Option<String>,
        /// Run them on Debian's Linux kernel (the oracle) instead of goose.
        #[arg(long)]
        linux: bool,
    },
    /// Regenerate docs/syscalls.md: each syscall's status and the corpus tests that make it.
    SyscallTable,
}

#[derive(clap::Args, Clone)]
pub struct RunArgs {
    /// Memory size, as QEMU's -m takes it.
    #[arg(long, default_value = "512M")]
    memory: String,
    /// Number of harts.
    #[arg(long, default_value_t = 4)]
    smp: usize,
    /// Extra kernel command-line words.
    #[arg(long, default_value = "")]
    append: String,
    /// An initramfs to pass instead of the default one.
    #[arg(long)]
    initrd: Option<PathBuf>,
    /// Add a Debian package (with its dependencies) to the initramfs.
    #[arg(long = "pkg")]
    packages: Vec<String>,
    /// Run this shell command instead of an interactive shell, print its
    /// output, power off, and exit with its status.
    #[arg(long)]
    cmd: Option<String>,
    /// Boot Debian's Linux kernel instead of goose (same QEMU flags and
    /// initramfs).
    #[arg(long)]
    linux: bool,
    /// Forward TCP port HOST on 127.0.0.1 to the guest's port GUEST
    /// (`HOST:GUEST`, or one port for both); repeatable.
    #[arg(long = "forward")]
    forwards: Vec<qemu::PortForward>,
    /// Boot without a network card.
    #[arg(long)]
    no_network: bool,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Build => {
            setup::ensure_build_tools()?;
            let image = kernel_build::build()?;
            println!("{}", image.display());
        }
        Command::Run(args) => {
            setup::ensure_build_tools()?;
            setup::ensure_qemu()?;
            std::process::exit(run::run(args)?);
        }
        Command::Golden { filter } => {
            setup::ensure_qemu()?;
            corpus::record_golden(filter.as_deref())?
        }
        Command::Rootfs { args } => cmd_rootfs::rootfs_cmd(&args)?,
        Command::Linux { args } => {
            setup::ensure_qemu()?;
            cmd_rootfs::linux_cmd(&args)?
        }
        Command::Test { filter } => {
            setup::ensure_build_tools()?;
            setup::ensure_qemu()?;
            let ok = boot_tests::run_all(filter.as_deref())?;
            if !ok {
                std::process::exit(1);
            }
        }
        Command::NetTest { filter, linux } => {
            setup::ensure_build_tools()?;
            setup::ensure_qemu()?;
            let kernel = if linux { corpus::Kernel::Linux } else { corpus::Kernel::Goose };
            if !net_tests::run_command(kernel, filter.as_deref())? {
                std::process::exit(1);
            }
        }
        Command::SyscallTable => syscall_table::run()?,
        Command::NetCheck { linux, megabytes } => {
            setup::ensure_build_tools()?;
            setup::ensure_qemu()?;
            net_check::command(linux, megabytes)?;
        }
        Command::Bench { what, runs, only } => {
            setup::ensure_build_tools()?;
            setup::ensure_qemu()?;
            bench::run(what.as_deref(), runs, only.as_deref())?;
        }
    }
    Ok(())
}

/// The workspace root (the xtask lives one level below it).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().expect("xtask is inside the workspace").to_path_buf()
}

/// `<workspace>/build`, where generated artifacts go (ignored by git).
pub fn build_dir() -> PathBuf {
    let dir = workspace_root().join("build");
    let _ = std::fs::create_dir_all(&dir);
    dir
}
