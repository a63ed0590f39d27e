//! goose's host tool. `cargo xtask run` boots goose in QEMU; `cargo xtask
//! test` runs the whole test suite; see `--help` for the rest.

mod bench;
mod boot_tests;
mod image;
mod kernel_build;
mod qemu;
mod setup;

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
    /// Benchmarks (not tests): `boot`, or nothing for all.
    Bench {
        what: Option<String>,
        /// Repetitions per measurement.
        #[arg(long, default_value_t = 7)]
        runs: usize,
    },
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
            let image = kernel_build::build()?;
            let mut machine = qemu::Machine::new(&image);
            machine.memory = args.memory;
            machine.harts = args.smp;
            machine.append = args.append;
            machine.initrd = args.initrd;
            let status = machine.run_interactive()?;
            std::process::exit(status);
        }
        Command::Test { filter } => {
            setup::ensure_build_tools()?;
            setup::ensure_qemu()?;
            let ok = boot_tests::run_all(filter.as_deref())?;
            if !ok {
                std::process::exit(1);
            }
        }
        Command::Bench { what, runs } => {
            setup::ensure_build_tools()?;
            setup::ensure_qemu()?;
            bench::run(what.as_deref(), runs)?;
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
