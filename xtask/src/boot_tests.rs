//! The test suite: host unit tests of the pure crates, then boot tests of
//! the kernel in QEMU that read its console and exit status. Every QEMU
//! run has a timeout, so no test can hang.

use crate::qemu::{Machine, Outcome};
use anyhow::{Context, Result};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Generous for TCG on a loaded 2-core machine; a boot takes ~1 s.
const BOOT_TIMEOUT: Duration = Duration::from_secs(60);

struct BootTest {
    name: &'static str,
    memory: &'static str,
    harts: usize,
    append: &'static str,
    check: fn(&Outcome) -> Result<(), String>,
}

fn expect(outcome: &Outcome, needle: &str) -> Result<(), String> {
    if outcome.output.contains(needle) {
        Ok(())
    } else {
        Err(format!("console lacks {needle:?}"))
    }
}

fn expect_not(outcome: &Outcome, needle: &str) -> Result<(), String> {
    if outcome.output.contains(needle) {
        Err(format!("console has {needle:?}"))
    } else {
        Ok(())
    }
}

fn expect_status(outcome: &Outcome, status: i32) -> Result<(), String> {
    match outcome.status {
        Some(s) if s == status => Ok(()),
        Some(s) => Err(format!("exit status {s}, expected {status}")),
        None => Err(format!("timed out after {:?}", outcome.elapsed)),
    }
}

const BOOT_TESTS: &[BootTest] = &[
    BootTest {
        name: "banner_and_clean_shutdown",
        memory: "512M",
        harts: 4,
        append: "",
        check: |o| {
            expect(o, "goose 0.1.0 (riscv64) booting on hart ")?;
            expect(o, "console: ns16550a at 0x10000000")?;
            expect(o, "init: no initramfs, nothing to run, powering off")?;
            expect_status(o, 0)
        },
    },
    BootTest {
        name: "memory_and_harts_512m_smp4",
        memory: "512M",
        harts: 4,
        append: "",
        check: |o| {
            expect(o, "memory: 0x80000000..0xa0000000 (512 MiB)")?;
            expect(o, "memory: 512 MiB RAM")?;
            expect(o, "; 4 harts;")?;
            expect(o, "scheduler running on 4 harts")?;
            expect_status(o, 0)
        },
    },
    BootTest {
        name: "memory_and_harts_2g_smp1",
        memory: "2G",
        harts: 1,
        append: "",
        check: |o| {
            expect(o, "memory: 0x80000000..0x100000000 (2048 MiB)")?;
            expect(o, "memory: 2048 MiB RAM")?;
            expect(o, "; 1 harts;")?;
            expect(o, "scheduler running on 1 harts")?;
            expect_status(o, 0)
        },
    },
    BootTest {
        name: "threads_run_on_every_hart",
        memory: "512M",
        harts: 4,
        append: "goose.test=smp",
        check: |o| {
            expect(o, "smp test: 64 threads ran on harts [0, 1, 2, 3]")?;
            expect(o, "wake test: 4000 hand-offs between tasks")?;
            expect_status(o, 0)
        },
    },
    BootTest {
        name: "timed_sleeps_are_not_short",
        memory: "256M",
        harts: 2,
        append: "goose.test=sleep",
        check: |o| {
            expect(o, "sleep test: 1 ms asked, ok")?;
            expect(o, "sleep test: 10 ms asked, ok")?;
            expect(o, "sleep test: 50 ms asked, ok")?;
            expect_status(o, 0)
        },
    },
    BootTest {
        name: "deliberate_panic_exits_nonzero_with_backtrace",
        memory: "512M",
        harts: 2,
        append: "goose.test=panic",
        check: |o| {
            expect(o, "kernel panic on hart ")?;
            expect(o, "deliberate panic (goose.test=panic)")?;
            expect(o, "backtrace:")?;
            expect(o, "goose::selftest::deliberate_panic+")?;
            expect(o, "goose::sched::task_entry+")?;
            expect_status(o, 101)
        },
    },
    BootTest {
        name: "loglevel_error_hides_info",
        memory: "256M",
        harts: 1,
        append: "loglevel=3",
        check: |o| {
            expect_not(o, "command line:")?;
            expect_not(o, "scheduler running")?;
            expect_status(o, 0)
        },
    },
    BootTest {
        name: "loglevel_debug_shows_harts_coming_online",
        memory: "256M",
        harts: 2,
        append: "loglevel=debug",
        check: |o| {
            expect(o, " online as cpu 1")?;
            expect_status(o, 0)
        },
    },
    BootTest {
        name: "dhcp_configures_eth0",
        memory: "256M",
        harts: 2,
        append: "ip=dhcp",
        check: |o| {
            expect(o, "eth0: asking for an address by DHCP")?;
            // QEMU's user network hands out 10.0.2.15 with 10.0.2.2 as
            // the gateway (QEMU's documentation, "Network options").
            expect(o, "eth0: DHCP lease 10.0.2.15/24, gateway 10.0.2.2")?;
            expect_status(o, 0)
        },
    },
    BootTest {
        name: "unknown_parameters_are_reported",
        memory: "256M",
        harts: 1,
        append: "foo=bar some.module=1 loglevel=loud",
        check: |o| {
            expect(o, "warning: unknown parameter foo=bar, passed to init's environment")?;
            expect(o, "warning: unknown parameter some.module=1, ignored")?;
            expect(o, "warning: loglevel=loud is not a level, ignored")?;
            expect_status(o, 0)
        },
    },
];

/// Runs everything; prints a `N passed, N failed` line last.
pub fn run_all(filter: Option<&str>) -> Result<bool> {
    let mut passed = 0;
    let mut failed = Vec::new();
    if filter.is_none() {
        for (name, step) in [("host unit tests", host_unit_tests as fn() -> Result<bool>), ("lints", lints)] {
            if step()? {
                passed += 1;
            } else {
                failed.push(name.to_string());
            }
        }
    }
    let image = crate::kernel_build::build()?;
    let scratch_initrd = crate::build_dir().join("test-initrd.bin");
    std::fs::write(&scratch_initrd, vec![0x5a; 64 * 1024])?;
    for test in BOOT_TESTS.iter().filter(|t| filter.is_none_or(|f| t.name.contains(f))) {
        let result = run_boot_test(&image, test);
        report(&format!("qemu::{}", test.name), result, &mut passed, &mut failed);
    }
    if filter.is_none_or(|f| "initrd_is_found_in_ram".contains(f)) {
        let result = initrd_test(&image, &scratch_initrd);
        report("qemu::initrd_is_found_in_ram", result, &mut passed, &mut failed);
    }
    if filter.is_none_or(|f| "job_control_at_the_console".contains(f)) {
        let result = crate::console_test::job_control_at_the_console(&image);
        report("qemu::job_control_at_the_console", result, &mut passed, &mut failed);
    }
    if filter.is_none_or(|f| "network_through_virtio_net".contains(f)) {
        // 1 MB each way: enough to cross many windows, quick under TCG.
        let result =
            crate::net_check::run(&image, false, 1_000_000).map(|_| ()).map_err(|e| format!("{e:#}"));
        report("qemu::network_through_virtio_net", result, &mut passed, &mut failed);
    }
    for (name, verdict) in crate::corpus::check_on_goose(filter)? {
        report(&name, verdict, &mut passed, &mut failed);
    }
    for (name, verdict) in crate::net_tests::run(crate::corpus::Kernel::Goose, filter)? {
        report(&name, verdict, &mut passed, &mut failed);
    }
    println!();
    for name in &failed {
        println!("FAILED: {name}");
    }
    println!("{} passed, {} failed", passed, failed.len());
    Ok(failed.is_empty())
}

fn report(name: &str, result: Result<(), String>, passed: &mut usize, failed: &mut Vec<String>) {
    match result {
        Ok(()) => {
            println!("test {name} ... ok");
            *passed += 1;
        }
        Err(why) => {
            println!("test {name} ... FAILED\n{why}");
            failed.push(name.to_string());
        }
    }
}

fn run_boot_test(image: &Path, test: &BootTest) -> Result<(), String> {
    let mut machine = Machine::new(image);
    machine.memory = test.memory.into();
    machine.harts = test.harts;
    machine.append = test.append.into();
    let outcome = machine.run_captured(BOOT_TIMEOUT).map_err(|e| e.to_string())?;
    (test.check)(&outcome).map_err(|why| format!("  {why}\n--- console ---\n{}---", outcome.output))
}

fn initrd_test(image: &Path, initrd: &Path) -> Result<(), String> {
    let mut machine = Machine::new(image);
    machine.initrd = Some(initrd.to_path_buf());
    machine.harts = 1;
    let outcome = machine.run_captured(BOOT_TIMEOUT).map_err(|e| e.to_string())?;
    // Not an archive: like Linux, goose finds no init in it and panics.
    let check = || {
        expect(&outcome, "initrd: 0x")?;
        expect(&outcome, "(64 KiB)")?;
        expect(&outcome, "no working init found")?;
        expect_status(&outcome, 101)
    };
    check().map_err(|why| format!("  {why}\n--- console ---\n{}---", outcome.output))
}

/// `cargo test` over the host crates (the workspace's default members).
fn host_unit_tests() -> Result<bool> {
    println!("running host unit tests (cargo test)");
    let status = Command::new(env!("CARGO"))
        .current_dir(crate::workspace_root())
        .args(["test", "--quiet"])
        .status()
        .context("running cargo test")?;
    Ok(status.success())
}

/// rustfmt and clippy, warnings denied, over the host crates and the
/// kernel's target.
fn lints() -> Result<bool> {
    println!("running lints (cargo fmt --check, cargo clippy)");
    let cargo = |args: &[&str]| -> Result<bool> {
        let status = Command::new(env!("CARGO"))
            .current_dir(crate::workspace_root())
            .args(args)
            .status()
            .context("running cargo")?;
        Ok(status.success())
    };
    let target = crate::kernel_build::TARGET;
    Ok(cargo(&["fmt", "--all", "--check"])?
        & cargo(&["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"])?
        & cargo(&[
            "clippy",
            "--quiet",
            "--release",
            "-p",
            "kernel",
            "-p",
            "hal",
            "--target",
            target,
            "--",
            "-D",
            "warnings",
        ])?)
}
