//! The `rootfs` and `linux` subcommands: build the initramfs, fetch
//! Debian's kernel, and check that Linux boots the initramfs in QEMU and
//! drives virtio-blk, virtio-net and ext4 from it.

use crate::linux::{self, LinuxKernel};
use crate::qemu::Machine;
use crate::rootfs::{self, RootfsOptions};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const ROOTFS_USAGE: &str = "usage: rootfs [--pkg NAME]... [--file HOST_PATH=IMAGE_PATH]... [--linux-modules]";
const LINUX_USAGE: &str =
    "usage: linux [--boot [--run COMMAND] [--append KERNEL_ARGS] [--pkg NAME]... [--timeout SECONDS]]";

/// What the boot check runs after /init's setup; the marker line times the
/// start of the command.
const CHECK_COMMAND: &str = "echo goose-check: command started; uname -a; head -n 8 /proc/cpuinfo; \
     cat /proc/modules; mount -t ext4 /dev/vda /mnt && cat /mnt/hello; ip -o link show eth0";

/// Parses `--pkg`, `--file` and `--linux-modules`; returns the options and
/// the arguments it did not know.
fn parse_rootfs_options(args: &[String]) -> Result<(RootfsOptions, Vec<String>)> {
    let mut options = RootfsOptions::default();
    let mut rest = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--pkg" => options.extra_packages.push(args.next().context("--pkg needs a name")?.clone()),
            "--file" => {
                let value = args.next().context("--file needs HOST_PATH=IMAGE_PATH")?;
                let (host, dest) = value.split_once('=').context("--file needs HOST_PATH=IMAGE_PATH")?;
                options.extra_files.push((PathBuf::from(host), dest.to_string()));
            }
            "--linux-modules" => options.include_linux_modules = true,
            _ => rest.push(arg.clone()),
        }
    }
    Ok((options, rest))
}

/// `rootfs`: builds the initramfs and prints its path as the last line.
pub fn rootfs_cmd(args: &[String]) -> Result<()> {
    let (options, rest) = parse_rootfs_options(args)?;
    if !rest.is_empty() {
        bail!("unknown arguments {rest:?}\n{ROOTFS_USAGE}");
    }
    let path = rootfs::build(&options)?;
    println!("{}", path.display());
    Ok(())
}

/// `linux`: fetches Debian's kernel and prints what it is; with `--boot`,
/// boots it on the initramfs and checks the console.
pub fn linux_cmd(args: &[String]) -> Result<()> {
    let (mut options, rest) = parse_rootfs_options(args)?;
    let mut is_boot = false;
    let mut command = CHECK_COMMAND.to_string();
    let mut timeout = Duration::from_secs(180);
    let mut append = String::new();
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--boot" => is_boot = true,
            "--run" => command = rest.next().context("--run needs a command")?.clone(),
            "--append" => append = rest.next().context("--append needs kernel arguments")?.clone(),
            "--timeout" => {
                let seconds: u64 = rest.next().context("--timeout needs seconds")?.parse()?;
                timeout = Duration::from_secs(seconds);
            }
            other => bail!("unknown argument {other:?}\n{LINUX_USAGE}"),
        }
    }
    let kernel = linux::fetch()?;
    let format = linux::image_format(&std::fs::read(&kernel.image)?).unwrap_or("unknown");
    println!("package: {}", kernel.package);
    println!("version: {}", kernel.version);
    println!("image:   {} ({format})", kernel.image.display());
    for module in &kernel.modules {
        println!("module:  {} ({}) after [{}]", module.name, module.relative_path, module.depends.join(" "));
    }
    if !is_boot {
        return Ok(());
    }
    options.include_linux_modules = true;
    let initrd = rootfs::build(&options)?;
    let is_default_check = command == CHECK_COMMAND;
    let check = BootCheck { append, command, is_default_check, timeout };
    boot_check(&kernel, &initrd, &check)
}

/// How `linux --boot` boots.
struct BootCheck {
    /// Kernel arguments before `--`.
    append: String,
    /// Run by /init.
    command: String,
    /// Whether `command` is [`CHECK_COMMAND`], whose output is checked.
    is_default_check: bool,
    timeout: Duration,
}

/// A small ext4 disk holding `/hello`, for the virtio-blk and ext4 check.
fn make_disk() -> Result<PathBuf> {
    crate::debian::ensure_host_tools(&[("mkfs.ext4", "e2fsprogs")])?;
    let dir = crate::build_dir().join("linux-check");
    let content = dir.join("content");
    std::fs::create_dir_all(&content)?;
    std::fs::write(content.join("hello"), "hello from ext4\n")?;
    let disk = dir.join("disk.ext4");
    let _ = std::fs::remove_file(&disk);
    let status = Command::new("mkfs.ext4")
        .args(["-q", "-F", "-d"])
        .arg(&content)
        .arg(&disk)
        .arg("8M")
        .status()
        .context("running mkfs.ext4")?;
    if !status.success() {
        bail!("mkfs.ext4 failed");
    }
    Ok(disk)
}

/// Boots Linux with the initramfs, one virtio-blk disk and one virtio-net
/// device on the MMIO bus, runs `command` from /init and waits for QEMU to
/// exit (`poweroff -f`), reporting how long each stage took.
fn boot_check(kernel: &LinuxKernel, initrd: &Path, check: &BootCheck) -> Result<()> {
    let disk = make_disk()?;
    let mut machine = Machine::new(&kernel.image);
    machine.harts = 2;
    machine.memory = "512M".into();
    machine.initrd = Some(initrd.to_path_buf());
    machine.append = format!("{} -- {}", check.append, check.command);
    // restrict=on: the guest's network reaches nothing, not even the host
    // (so this netdev replaces the default one).
    machine.network = None;
    let drive = format!("file={},if=none,format=raw,id=disk0", disk.display());
    machine.extra = ["-drive", &drive, "-device", "virtio-blk-device,drive=disk0"]
        .into_iter()
        .chain(["-netdev", "user,id=net0,restrict=on", "-device", "virtio-net-device,netdev=net0"])
        .map(str::to_string)
        .collect();
    eprintln!("xtask: booting Linux {} (timeout {} s)", kernel.version, check.timeout.as_secs());
    let outcome = machine.run_until(check.timeout, |_| false)?;
    print!("{}", outcome.output);
    // Whole-line matches: the kernel echoes its command line early on.
    let time_of = |needle: &str| {
        let matches = |line: &str| line.starts_with(needle) || line.ends_with(needle);
        outcome.line_times.iter().find(|(_, line)| matches(line)).map(|(at, _)| at.as_secs_f64())
    };
    let show = |time: Option<f64>| time.map_or("never".to_string(), |t| format!("{t:.2} s"));
    println!("--- boot check");
    println!("kernel starts /init:     {}", show(time_of("Run /init as init process")));
    println!("command starts (rcS ok): {}", show(time_of("goose-check: command started")));
    println!("init reports its exit:   {}", show(time_of("goose-init: exit")));
    println!("QEMU exits:              {:.2} s, status {:?}", outcome.elapsed.as_secs_f64(), outcome.status);
    let mut failures = Vec::new();
    if outcome.status != Some(0) {
        failures.push("QEMU did not exit by itself with status 0 (poweroff -f)".to_string());
    }
    if !outcome.output.contains("goose-init: exit 0") {
        failures.push("the command did not exit with status 0".to_string());
    }
    if outcome.output.contains("rcS: insmod") {
        failures.push("a module failed to load".to_string());
    }
    if check.is_default_check {
        for needle in ["riscv64 GNU/Linux", "hello from ext4", "eth0:", "isa"] {
            if !outcome.output.contains(needle) {
                failures.push(format!("console lacks {needle:?}"));
            }
        }
    }
    if !failures.is_empty() {
        bail!("Linux boot check failed: {}", failures.join("; "));
    }
    println!("Linux boot check passed");
    Ok(())
}
