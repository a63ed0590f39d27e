//! procfs: what programs read about the system and its processes, in
//! Linux's formats (/proc/PID/{stat,status,cmdline,comm,fd,exe,cwd},
//! /proc/self, meminfo, uptime, loadavg, mounts, cpuinfo, version,
//! filesystems, stat). Every file is generated when read; directories are
//! computed when looked up.

mod net;
mod process;

use super::tmpfs::{Content, DynamicDirectory, Inode};
use crate::error::Result;
use crate::return_errno;
use abi::mode::{S_IFDIR, S_IFLNK};
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

/// Inode numbers of generated entries: fixed per name and pid, far above
/// tmpfs's counter, so a path's inode stays the same between lookups.
fn inode_number(pid: u32, slot: u64) -> u64 {
    0x1000_0000_0000 | ((pid as u64) << 16) | slot
}

/// Whether an inode number is one of procfs's.
pub fn is_procfs_inode(number: u64) -> bool {
    number & 0x1000_0000_0000 != 0
}

/// A directory inode with generated entries.
fn directory(number: u64, entries: impl DynamicDirectory + 'static) -> Arc<Inode> {
    Inode::with_number(number, S_IFDIR | 0o555, Content::Dynamic(Arc::new(entries)), 0)
}

fn symlink(number: u64, target: impl Fn() -> Vec<u8> + Send + Sync + 'static) -> Arc<Inode> {
    Inode::with_number(number, S_IFLNK | 0o777, Content::DynamicSymlink(Arc::new(target)), 0)
}

/// /proc/PID/fd/N: `target` when read, the open file when followed.
fn magic_link(number: u64, target: alloc::vec::Vec<u8>, file: &Arc<crate::fs::file::OpenFile>) -> Arc<Inode> {
    let content = Content::MagicLink { target: Arc::new(move || target.clone()), file: Arc::downgrade(file) };
    Inode::with_number(number, S_IFLNK | 0o777, content, 0)
}

fn file(number: u64, generate: impl Fn() -> Vec<u8> + Send + Sync + 'static) -> Arc<Inode> {
    Inode::with_number(number, abi::mode::S_IFREG | 0o444, Content::Generated(Arc::new(generate)), 0)
}

/// A new procfs instance's root (each mount gets one; they show the same).
pub fn new_root() -> Arc<Inode> {
    directory(inode_number(0, 1), Root)
}

struct Root;

/// The files at the top of /proc, in the order of their slots.
type Render = fn() -> String;

const SYSTEM_FILES: &[(&str, Render)] = &[
    ("cpuinfo", cpuinfo),
    ("filesystems", filesystems),
    ("loadavg", loadavg),
    ("meminfo", meminfo),
    ("mounts", mounts),
    ("stat", stat),
    ("uptime", uptime),
    ("version", version),
];

impl DynamicDirectory for Root {
    fn lookup(&self, name: &[u8]) -> Result<Arc<Inode>> {
        if name == b"self" {
            return Ok(symlink(inode_number(0, 2), || {
                let pid = crate::process::current().map_or(0, |p| p.pid);
                format!("{pid}").into_bytes()
            }));
        }
        if name == b"net" {
            return Ok(symlink(inode_number(0, 4), || b"self/net".to_vec()));
        }
        if let Some(index) = SYSTEM_FILES.iter().position(|(n, _)| n.as_bytes() == name) {
            let generate = SYSTEM_FILES[index].1;
            return Ok(file(inode_number(0, 16 + index as u64), move || generate().into_bytes()));
        }
        let pid = core::str::from_utf8(name).ok().and_then(|n| n.parse::<u32>().ok());
        match pid.and_then(crate::process::find) {
            Some(process) if !name.starts_with(b"0") => Ok(process::directory(&process)),
            _ => return_errno!(ENOENT),
        }
    }

    fn list(&self) -> Vec<(Vec<u8>, Arc<Inode>)> {
        let mut entries = Vec::new();
        for (name, _) in SYSTEM_FILES {
            if let Ok(inode) = self.lookup(name.as_bytes()) {
                entries.push((Vec::from(name.as_bytes()), inode));
            }
        }
        for name in [&b"net"[..], b"self"] {
            if let Ok(inode) = self.lookup(name) {
                entries.push((Vec::from(name), inode));
            }
        }
        let mut processes = crate::process::all();
        processes.sort_by_key(|p| p.pid);
        for process in processes {
            entries.push((format!("{}", process.pid).into_bytes(), process::directory(&process)));
        }
        entries
    }
}

/// /proc/net: the network's state (Linux's is a link to self/net, the
/// same for every process of one network namespace).
const PAGE_KB: u64 = 4;

fn meminfo() -> String {
    let total = hal::memory::frame::total_pages() as u64 * PAGE_KB;
    let free = hal::memory::frame::free_pages() as u64 * PAGE_KB;
    let mut text = String::new();
    for (name, kb) in [
        ("MemTotal", total),
        ("MemFree", free),
        ("MemAvailable", free),
        ("Buffers", 0),
        ("Cached", 0),
        ("SwapCached", 0),
        ("Active", 0),
        ("Inactive", 0),
        ("SwapTotal", 0),
        ("SwapFree", 0),
        ("Dirty", 0),
        ("Writeback", 0),
        ("AnonPages", total - free),
        ("Mapped", 0),
        ("Shmem", 0),
    ] {
        text.push_str(&format!("{:<16}{:>8} kB\n", format!("{name}:"), kb));
    }
    text
}

/// Seconds and hundredths, as /proc/uptime prints them.
fn seconds(ns: u64) -> String {
    format!("{}.{:02}", ns / 1_000_000_000, ns % 1_000_000_000 / 10_000_000)
}

fn uptime() -> String {
    let up = crate::time::monotonic_ns();
    // Idle time is summed over harts on Linux; goose does not account it.
    format!("{} {}\n", seconds(up), seconds(0))
}

fn loadavg() -> String {
    let processes = crate::process::all();
    let last = processes.iter().map(|p| p.pid).max().unwrap_or(0);
    format!("0.00 0.00 0.00 1/{} {last}\n", processes.len())
}

fn mounts() -> String {
    String::from_utf8_lossy(&super::mounts::describe()).into_owned()
}

fn cpuinfo() -> String {
    let mut text = String::new();
    for (index, hart_id) in hal::cpu::online_harts() {
        text.push_str(&format!(
            "processor\t: {index}\nhart\t\t: {hart_id}\nisa\t\t: rv64imafdc\nmmu\t\t: sv39\n\n"
        ));
    }
    text
}

fn version() -> String {
    format!("Linux version {} (goose) #1 SMP goose {}\n", crate::syscall::RELEASE, env!("CARGO_PKG_VERSION"))
}

fn filesystems() -> String {
    String::from("nodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n")
}

fn stat() -> String {
    let harts = hal::cpu::online_harts().count();
    let mut text = String::from("cpu  0 0 0 0 0 0 0 0 0 0\n");
    for index in 0..harts {
        text.push_str(&format!("cpu{index} 0 0 0 0 0 0 0 0 0 0\n"));
    }
    let boot = (crate::time::realtime_ns() - crate::time::monotonic_ns()) / 1_000_000_000;
    text.push_str(&format!(
        "intr {}\nctxt {}\nbtime {boot}\nprocesses {}\nprocs_running 1\nprocs_blocked 0\n",
        hal::interrupts::taken(),
        crate::sched::context_switches(),
        crate::process::all().len()
    ));
    text
}
