//! /proc/PID: one process's stat, status, cmdline, comm, fd/, exe and cwd.

use super::{file, inode_number, symlink};
use crate::error::Result;
use crate::fs::file::OpenFile;
use crate::fs::tmpfs::{DynamicDirectory, Inode};
use crate::process::Process;
use crate::return_errno;
use crate::sched::State;
use alloc::format;
use alloc::string::String;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::sync::atomic::Ordering;

/// Linux's USER_HZ: the unit of times in /proc/PID/stat.
const CLOCK_TICKS_PER_SECOND: u64 = 100;

pub fn directory(process: &Arc<Process>) -> Arc<Inode> {
    super::directory(inode_number(process.pid, 1), ProcessDirectory { process: Arc::downgrade(process) })
}

struct ProcessDirectory {
    process: Weak<Process>,
}

const ENTRIES: &[&str] = &["cmdline", "comm", "cwd", "exe", "fd", "maps", "mounts", "net", "stat", "status"];

impl DynamicDirectory for ProcessDirectory {
    fn lookup(&self, name: &[u8]) -> Result<Arc<Inode>> {
        let Some(process) = self.process.upgrade() else { return_errno!(ENOENT) };
        let pid = process.pid;
        let slot = match ENTRIES.iter().position(|e| e.as_bytes() == name) {
            Some(index) => inode_number(pid, 2 + index as u64),
            None => return_errno!(ENOENT),
        };
        let weak = self.process.clone();
        // A generated file of a process that has gone reads as empty.
        let with = move |render: fn(&Arc<Process>) -> String| {
            let weak = weak.clone();
            move || weak.upgrade().map_or_else(Vec::new, |p| render(&p).into_bytes())
        };
        Ok(match name {
            b"cmdline" => file(slot, {
                let weak = self.process.clone();
                move || weak.upgrade().map_or_else(Vec::new, |p| p.command_line.lock().clone())
            }),
            b"comm" => file(slot, with(comm)),
            b"stat" => file(slot, with(stat)),
            b"maps" => file(slot, with(maps)),
            b"status" => file(slot, with(status)),
            b"mounts" => file(slot, crate::fs::mounts::describe),
            b"exe" => symlink(slot, {
                let weak = self.process.clone();
                move || weak.upgrade().map_or_else(Vec::new, |p| p.executable.lock().clone())
            }),
            b"cwd" => symlink(slot, {
                let weak = self.process.clone();
                move || {
                    weak.upgrade().map_or_else(Vec::new, |p| {
                        let fs = p.fs.lock().clone();
                        crate::fs::path::absolute(&fs.root, &fs.cwd)
                    })
                }
            }),
            b"fd" => super::directory(slot, FdDirectory { process: self.process.clone() }),
            b"net" => super::net::net_directory(),
            _ => return_errno!(ENOENT),
        })
    }

    fn list(&self) -> Vec<(Vec<u8>, Arc<Inode>)> {
        ENTRIES
            .iter()
            .filter_map(|name| self.lookup(name.as_bytes()).ok().map(|i| (Vec::from(name.as_bytes()), i)))
            .collect()
    }
}

/// /proc/PID/fd: a symlink per descriptor to what it has open.
struct FdDirectory {
    process: Weak<Process>,
}

/// What /proc/PID/fd/N points to: the path it was opened by, or
/// `pipe:[inode]` for a pipe.
fn describe_open_file(file: &OpenFile) -> Vec<u8> {
    match file.ops.metadata() {
        Ok(metadata)
            if metadata.mode & abi::mode::S_IFMT == abi::mode::S_IFIFO
                && (file.path.is_empty() || file.path == b"pipe:") =>
        {
            format!("pipe:[{}]", metadata.inode).into_bytes()
        }
        _ if file.path.is_empty() => Vec::from(&b"anon_inode:[unknown]"[..]),
        _ => file.path.clone(),
    }
}

impl FdDirectory {
    fn link(&self, process: &Arc<Process>, fd: i32) -> Option<Arc<Inode>> {
        let file = process.files.lock().get(fd).ok()?;
        let target = describe_open_file(&file);
        let link = super::magic_link(inode_number(process.pid, 0x1000 + fd as u64), target, &file);
        link.attributes.lock().mode = abi::mode::S_IFLNK | link_permissions(&file);
        Some(link)
    }
}

/// lrwx for read-write descriptors, lr-x for read-only, l-wx for
/// write-only, as Linux shows them.
fn link_permissions(file: &OpenFile) -> u32 {
    let mut permissions = 0;
    if file.can_read() {
        permissions |= 0o500;
    }
    if file.can_write() {
        permissions |= 0o300;
    }
    permissions
}

impl DynamicDirectory for FdDirectory {
    fn lookup(&self, name: &[u8]) -> Result<Arc<Inode>> {
        let Some(process) = self.process.upgrade() else { return_errno!(ENOENT) };
        let fd = core::str::from_utf8(name).ok().and_then(|n| n.parse::<i32>().ok());
        match fd.filter(|_| !name.starts_with(b"0") || name == b"0").and_then(|fd| self.link(&process, fd)) {
            Some(link) => Ok(link),
            None => return_errno!(ENOENT),
        }
    }

    fn list(&self) -> Vec<(Vec<u8>, Arc<Inode>)> {
        let Some(process) = self.process.upgrade() else { return Vec::new() };
        let fds = process.files.lock().open_fds();
        fds.into_iter()
            .filter_map(|fd| self.link(&process, fd).map(|link| (format!("{fd}").into_bytes(), link)))
            .collect()
    }
}

fn comm(process: &Arc<Process>) -> String {
    format!("{}\n", name(process))
}

fn name(process: &Arc<Process>) -> String {
    let thread = process.threads.lock().iter().find_map(Weak::upgrade);
    let name = thread.map(|t| *t.name.lock()).unwrap_or_default();
    let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
    String::from_utf8_lossy(&name[..end]).into_owned()
}

/// The one-letter state: R running or ready, S sleeping, Z zombie.
fn state(process: &Arc<Process>) -> (char, &'static str) {
    {
        let family = process.family.lock();
        if family.exit_status.is_some() {
            return ('Z', "zombie");
        }
        if family.stopped {
            return ('T', "stopped");
        }
    }
    let thread = process.threads.lock().iter().find_map(Weak::upgrade);
    match thread.and_then(|t| t.task_state()) {
        Some(State::Blocked) => ('S', "sleeping"),
        _ => ('R', "running"),
    }
}

/// Virtual size and resident pages of the address space.
fn memory(process: &Arc<Process>) -> (u64, u64) {
    match process.vm() {
        Some(space) => {
            let vm = space.lock();
            (vm.mapped_bytes() as u64, vm.resident_pages() as u64)
        }
        None => (0, 0),
    }
}

fn signal_sets(process: &Arc<Process>) -> (u64, u64, u64, u64) {
    let thread = process.threads.lock().iter().find_map(Weak::upgrade);
    let (pending, blocked) =
        thread.map_or((0, 0), |t| (t.pending.load(Ordering::Acquire), t.mask.load(Ordering::Acquire)));
    let shared = process.signals.pending.load(Ordering::Acquire);
    let actions = process.signals.actions.lock();
    let mut ignored = 0;
    let mut caught = 0;
    for (index, action) in actions.iter().enumerate() {
        match action.handler {
            abi::signal::SIG_DFL => {}
            abi::signal::SIG_IGN => ignored |= 1 << index,
            _ => caught |= 1 << index,
        }
    }
    (pending | shared, blocked, ignored, caught)
}

fn stat(process: &Arc<Process>) -> String {
    let (letter, _) = state(process);
    let (parent, group, session) = {
        let family = process.family.lock();
        (family.parent.upgrade().map_or(0, |p| p.pid), family.process_group, family.session)
    };
    let (virtual_size, resident) = memory(process);
    let (pending, blocked, ignored, caught) = signal_sets(process);
    let start = process.started_ns / (1_000_000_000 / CLOCK_TICKS_PER_SECOND);
    let threads = process.threads.lock().iter().filter(|t| t.strong_count() > 0).count().max(1);
    let exit_code = process.family.lock().exit_status.unwrap_or(0);
    let clock_ticks =
        |timer_ticks: u64| hal::timer::ticks_to_ns(timer_ticks) / (1_000_000_000 / CLOCK_TICKS_PER_SECOND);
    let (user, system) = process.cpu_ticks();
    let (user, system) = (clock_ticks(user), clock_ticks(system));
    let (children_user, children_system) = *process.reaped_children_ticks.lock();
    let (children_user, children_system) = (clock_ticks(children_user), clock_ticks(children_system));
    // Fields 1-52 of proc_pid_stat(5).
    format!(
        "{pid} ({name}) {letter} {parent} {group} {session} 0 -1 4194304 0 0 0 0 {user} {system} \
         {children_user} {children_system} 20 0 {threads} 0 \
         {start} {virtual_size} {resident} 18446744073709551615 0 0 0 0 0 {pending} {blocked} {ignored} \
         {caught} 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 {exit_code}\n",
        pid = process.pid,
        name = name(process),
    )
}

fn status(process: &Arc<Process>) -> String {
    let (letter, word) = state(process);
    let parent = process.parent().map_or(0, |p| p.pid);
    let umask = process.fs.lock().umask;
    let (virtual_size, resident) = memory(process);
    let (pending, blocked, ignored, caught) = signal_sets(process);
    let threads = process.threads.lock().iter().filter(|t| t.strong_count() > 0).count().max(1);
    let fd_size = process.files.lock().capacity();
    let credentials = *process.credentials.lock();
    let pid = process.pid;
    format!(
        "Name:\t{name}\nUmask:\t{umask:04o}\nState:\t{letter} ({word})\nTgid:\t{pid}\nNgid:\t0\nPid:\t{pid}\n\
         PPid:\t{parent}\nTracerPid:\t0\nUid:\t{uid}\t{euid}\t{suid}\t{euid}\nGid:\t{gid}\t{egid}\t{sgid}\t{egid}\n\
         FDSize:\t{fd_size}\nGroups:\t\n\
         VmPeak:\t{vm:>8} kB\nVmSize:\t{vm:>8} kB\nVmRSS:\t{rss:>8} kB\nThreads:\t{threads}\n\
         SigPnd:\t{thread_pending:016x}\nShdPnd:\t{pending:016x}\nSigBlk:\t{blocked:016x}\n\
         SigIgn:\t{ignored:016x}\nSigCgt:\t{caught:016x}\n",
        name = name(process),
        uid = credentials.uid,
        euid = credentials.euid,
        suid = credentials.suid,
        gid = credentials.gid,
        egid = credentials.egid,
        sgid = credentials.sgid,
        vm = virtual_size / 1024,
        rss = resident * 4,
        thread_pending = 0,
    )
}

/// /proc/PID/maps in Linux's format: one line per area (adjacent areas
/// that Linux would hold as one are merged), `start-end perms offset
/// major:minor inode`, then the path, [heap], [stack], [vvar] or [vdso].
fn maps(process: &Arc<Process>) -> String {
    use crate::mm::vm::{Area, AreaKind};
    let Some(space) = process.vm() else { return String::new() };
    let vm = space.lock();
    let mut merged: Vec<(usize, Area)> = Vec::new();
    for (start, area) in vm.areas() {
        if let Some((last_start, last)) = merged.last_mut() {
            let continues = match (last.kind, area.kind) {
                (AreaKind::File { inode: a, offset: o }, AreaKind::File { inode: b, offset: p }) => {
                    a == b && o + (last.end - *last_start) == p
                }
                (a, b) => a == b,
            };
            if last.end == start
                && continues
                && last.protection == area.protection
                && last.shared == area.shared
            {
                last.end = area.end;
                continue;
            }
        }
        merged.push((start, *area));
    }
    let mut text = String::new();
    for (start, area) in merged {
        let p = &area.protection;
        let perms = [
            if p.read { 'r' } else { '-' },
            if p.write { 'w' } else { '-' },
            if p.execute { 'x' } else { '-' },
            if area.shared { 's' } else { 'p' },
        ];
        let (offset, device, inode, name): (usize, u64, u64, String) = match area.kind {
            AreaKind::File { inode, offset } => {
                let name =
                    vm.file_name(inode).map(|n| String::from_utf8_lossy(n).into_owned()).unwrap_or_default();
                (offset, crate::fs::tmpfs::DEVICE, inode, name)
            }
            AreaKind::Heap => (0, 0, 0, String::from("[heap]")),
            AreaKind::Stack => (0, 0, 0, String::from("[stack]")),
            AreaKind::Vvar => (0, 0, 0, String::from("[vvar]")),
            AreaKind::Vdso => (0, 0, 0, String::from("[vdso]")),
            AreaKind::Anonymous => (0, 0, 0, String::new()),
        };
        let mut line = format!(
            "{start:08x}-{:08x} {} {offset:08x} {:02x}:{:02x} {inode} ",
            area.end,
            perms.iter().collect::<String>(),
            device >> 8,
            device & 0xff
        );
        if !name.is_empty() {
            // Linux pads the path to column 73.
            while line.len() < 73 {
                line.push(' ');
            }
            line.push_str(&name);
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}
