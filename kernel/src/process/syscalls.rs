//! Process syscalls: ids, clone, execve, exit, wait4, process groups,
//! memory (brk, mmap, munmap, mprotect).

use super::{Process, Thread};
use crate::error::Result;
use crate::mm::user::{read_path, read_string_array, write_val};
use crate::mm::vm::{AreaKind, Protection, PAGE_SIZE};
use crate::return_errno;
use crate::syscall::{Context, UserAddr};
use alloc::sync::Arc;

pub fn current_thread() -> Option<Arc<Thread>> {
    super::thread::current()
}

pub fn getpid(context: &mut Context) -> Result<u32> {
    Ok(context.process().pid)
}
pub fn gettid(context: &mut Context) -> Result<u32> {
    Ok(context.thread.tid())
}
pub fn getppid(context: &mut Context) -> Result<u32> {
    Ok(context.process().parent_pid.load(core::sync::atomic::Ordering::Acquire))
}

/// exit: ends the calling thread (the process with its last thread).
pub fn exit(context: &mut Context, code: i32) -> Result<()> {
    super::exit_thread(context.thread, abi::wait::exited(code));
    Ok(())
}

/// exit_group: ends every thread of the process.
pub fn exit_group(context: &mut Context, code: i32) -> Result<()> {
    super::exit_process(context.thread, abi::wait::exited(code));
    Ok(())
}

pub fn set_tid_address(context: &mut Context, address: UserAddr) -> Result<u32> {
    context.thread.clear_child_tid.store(address.0, core::sync::atomic::Ordering::Relaxed);
    Ok(context.thread.tid())
}

/// clone(2); riscv64 passes (flags, stack, parent_tid, tls, child_tid).
pub fn clone(
    context: &mut Context,
    flags: u64,
    stack: usize,
    parent_tid: UserAddr,
    tls: usize,
    child_tid: UserAddr,
) -> Result<u32> {
    let arguments = super::fork::CloneArguments { flags, stack, parent_tid, child_tid, tls };
    super::fork::clone(context.thread, context.user, &arguments)
}

/// clone3: struct clone_args (at least its first version, 64 bytes) turned
/// into clone's arguments. The stack is given as base and size.
pub fn clone3(context: &mut Context, arguments: UserAddr, size: usize) -> Result<u32> {
    const CLONE_ARGS_SIZE_VER0: usize = 64;
    if !(CLONE_ARGS_SIZE_VER0..=4096).contains(&size) {
        return_errno!(EINVAL);
    }
    let mut raw = [0u8; 88];
    crate::mm::user::read_bytes(arguments, &mut raw[..size.min(88)])?;
    let field = |index: usize| u64::from_le_bytes(raw[index * 8..index * 8 + 8].try_into().unwrap_or([0; 8]));
    let (flags, _pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls) =
        (field(0), field(1), field(2), field(3), field(4), field(5), field(6), field(7));
    // Unknown flags beyond 64 bits of clone's, a signal that is not one,
    // and a stack given without its size (or the reverse) are EINVAL.
    const CSIGNAL: u64 = 0xff;
    if flags & CSIGNAL != 0 || exit_signal > u64::from(abi::signal::NSIG) || (stack == 0) != (stack_size == 0)
    {
        return_errno!(EINVAL);
    }
    let stack_pointer = if stack == 0 { 0 } else { (stack + stack_size) as usize };
    clone(
        context,
        flags | exit_signal,
        stack_pointer,
        UserAddr(parent_tid as usize),
        tls as usize,
        UserAddr(child_tid as usize),
    )
}

pub fn execve(context: &mut Context, path: UserAddr, argv: UserAddr, envp: UserAddr) -> Result<()> {
    let path = read_path(path)?;
    // ARG_MAX as Linux computes it for an 8 MiB stack: a quarter.
    let argv = read_string_array(argv, 2 << 20)?;
    let envp = read_string_array(envp, 2 << 20)?;
    super::execute(context.thread, context.user, &path, argv, envp)?;
    // a0 of the new program is 0 (the value this syscall returns).
    Ok(())
}

fn matches(child: &Process, pid: i32, caller_group: u32) -> bool {
    match pid {
        -1 => true,
        0 => child.process_group() == caller_group,
        p if p > 0 => child.pid == p as u32,
        p => child.process_group() == p.unsigned_abs(),
    }
}

/// Which changes a wait reports, and how.
#[derive(Clone, Copy)]
struct WaitFor {
    exited: bool,
    stopped: bool,
    continued: bool,
    no_hang: bool,
    /// WNOWAIT: report but leave the child (or its report) in place.
    keep: bool,
}

impl WaitFor {
    fn reports(&self, report: i32) -> bool {
        if report == abi::wait::CONTINUED {
            self.continued
        } else {
            self.stopped
        }
    }
}

/// What a wait found: the child and its wait status (exit, stop or
/// continue), and whether it was an exit.
struct Found {
    pid: u32,
    status: i32,
    exited: bool,
    uid: u32,
}

/// The heart of wait4 and waitid: Ok(None) for WNOHANG with nothing to
/// report, ECHILD without a matching child, ERESTARTSYS when a signal
/// comes first.
fn wait_for_child(
    process: &Arc<Process>,
    selects: impl Fn(&Process) -> bool,
    how: WaitFor,
) -> Result<Option<Found>> {
    loop {
        let mut found_any = false;
        let mut found = None;
        {
            let mut family = process.family.lock();
            let children = &mut family.children;
            let mut reaped = None;
            for (index, child) in children.iter().enumerate() {
                if !selects(child) {
                    continue;
                }
                found_any = true;
                let uid = child.credentials.lock().uid;
                let mut child_family = child.family.lock();
                if let Some(exit) = child_family.exit_status.filter(|_| how.exited) {
                    found = Some(Found { pid: child.pid, status: exit, exited: true, uid });
                    reaped = Some(index);
                    break;
                }
                if let Some(report) = child_family.stop_report.filter(|r| how.reports(*r)) {
                    if !how.keep {
                        child_family.stop_report = None;
                    }
                    found = Some(Found { pid: child.pid, status: report, exited: false, uid });
                    break;
                }
            }
            if let (Some(index), false) = (reaped, how.keep) {
                let child = children.remove(index);
                let (user, system) = child.cpu_ticks();
                let (children_user, children_system) = *child.reaped_children_ticks.lock();
                let mut ticks = process.reaped_children_ticks.lock();
                ticks.0 += user + children_user;
                ticks.1 += system + children_system;
            }
        }
        if let Some(found) = found {
            if found.exited && !how.keep {
                super::forget(found.pid);
            }
            return Ok(Some(found));
        }
        if !found_any {
            return_errno!(ECHILD);
        }
        if how.no_hang {
            return Ok(None);
        }
        let woke = process.child_event.wait_until_or(
            || {
                process.family.lock().children.iter().any(|c| {
                    if !selects(c) {
                        return false;
                    }
                    let family = c.family.lock();
                    (how.exited && family.exit_status.is_some())
                        || family.stop_report.is_some_and(|r| how.reports(r))
                })
            },
            crate::signal::current_has_pending,
        );
        if !woke {
            return_errno!(ERESTARTSYS);
        }
    }
}

pub fn wait4(
    context: &mut Context,
    pid: i32,
    status: UserAddr,
    options: u32,
    usage: UserAddr,
) -> Result<u32> {
    let process = context.process().clone();
    let group = process.process_group();
    // __WNOTHREAD, __WALL, __WCLONE are accepted.
    if options
        & !(abi::wait::WNOHANG
            | abi::wait::WUNTRACED
            | abi::wait::WCONTINUED
            | 0x2000_0000
            | 0x4000_0000
            | 0x8000_0000)
        != 0
    {
        return_errno!(EINVAL);
    }
    let how = WaitFor {
        exited: true,
        stopped: options & abi::wait::WUNTRACED != 0,
        continued: options & abi::wait::WCONTINUED != 0,
        no_hang: options & abi::wait::WNOHANG != 0,
        keep: false,
    };
    let Some(found) = wait_for_child(&process, |c| matches(c, pid, group), how)? else { return Ok(0) };
    if !status.is_null() {
        write_val(status, &found.status)?;
    }
    if !usage.is_null() {
        write_val(usage, &abi::Rusage::default())?;
    }
    Ok(found.pid)
}

/// waitid(2): P_ALL, P_PID, P_PGID; WEXITED, WSTOPPED, WCONTINUED,
/// WNOHANG, WNOWAIT; the result as a siginfo_t (SIGCHLD, CLD_*, pid, uid,
/// status).
pub fn waitid(
    context: &mut Context,
    kind: u32,
    id: u32,
    info: UserAddr,
    options: u32,
    usage: UserAddr,
) -> Result<()> {
    const P_ALL: u32 = 0;
    const P_PID: u32 = 1;
    const P_PGID: u32 = 2;
    let wanted = abi::wait::WEXITED | abi::wait::WUNTRACED | abi::wait::WCONTINUED;
    let known = wanted | abi::wait::WNOHANG | abi::wait::WNOWAIT | 0x2000_0000 | 0x4000_0000 | 0x8000_0000;
    if options & !known != 0 || options & wanted == 0 {
        return_errno!(EINVAL);
    }
    let process = context.process().clone();
    // Read before the wait locks the family (the selector runs under it).
    let group = if id == 0 { process.process_group() } else { id };
    let selects = |child: &Process| match kind {
        P_ALL => true,
        P_PID => child.pid == id,
        P_PGID => child.process_group() == group,
        _ => false,
    };
    if !matches!(kind, P_ALL | P_PID | P_PGID) || (kind == P_PID && id == 0) {
        return_errno!(EINVAL);
    }
    let how = WaitFor {
        exited: options & abi::wait::WEXITED != 0,
        stopped: options & abi::wait::WUNTRACED != 0,
        continued: options & abi::wait::WCONTINUED != 0,
        no_hang: options & abi::wait::WNOHANG != 0,
        keep: options & abi::wait::WNOWAIT != 0,
    };
    let result = wait_for_child(&process, selects, how);
    // Linux writes infop even when the wait failed (zeros), so a bad
    // pointer is EFAULT before ECHILD.
    let found = match result {
        Err(error) if error.errno == abi::Errno::ERESTARTSYS => return Err(error),
        Err(error) => {
            if !info.is_null() {
                crate::mm::user::write_bytes(info, &[0u8; 128])?;
            }
            return Err(error);
        }
        Ok(found) => found,
    };
    let mut bytes = [0u8; 128];
    if let Some(found) = found {
        crate::signal::SigInfo::child(found.pid, found.uid, found.status)
            .encode(abi::signal::SIGCHLD, &mut bytes);
    }
    if !info.is_null() {
        crate::mm::user::write_bytes(info, &bytes)?;
    }
    if !usage.is_null() {
        write_val(usage, &abi::Rusage::default())?;
    }
    Ok(())
}

/// setpgid(2) with Linux's rules: the caller or one of its children that
/// has not exec'd (ESRCH, EACCES), in the caller's session (EPERM), not a
/// session leader (EPERM), into a group of that session (EPERM).
pub fn setpgid(context: &mut Context, pid: i32, group: i32) -> Result<()> {
    if pid < 0 || group < 0 {
        return_errno!(EINVAL);
    }
    let caller = context.process().clone();
    let target = if pid == 0 || pid as u32 == caller.pid {
        caller.clone()
    } else {
        let child = caller.family.lock().children.iter().find(|c| c.pid == pid as u32).cloned();
        let child = child.ok_or(abi::Errno::ESRCH)?;
        if child.family.lock().session != caller.family.lock().session {
            return_errno!(EPERM);
        }
        if child.did_exec.load(core::sync::atomic::Ordering::Acquire) {
            return_errno!(EACCES);
        }
        child
    };
    let group = if group == 0 { target.pid } else { group as u32 };
    let session = target.family.lock().session;
    if session == target.pid {
        return_errno!(EPERM);
    }
    if group != target.pid {
        let exists = super::all().iter().any(|p| {
            let family = p.family.lock();
            family.process_group == group && family.session == session
        });
        if !exists {
            return_errno!(EPERM);
        }
    }
    target.family.lock().process_group = group;
    Ok(())
}

pub fn getpgid(context: &mut Context, pid: u32) -> Result<u32> {
    let target =
        if pid == 0 { context.process().clone() } else { super::find(pid).ok_or(abi::Errno::ESRCH)? };
    Ok(target.process_group())
}

pub fn getsid(context: &mut Context, pid: u32) -> Result<u32> {
    let target =
        if pid == 0 { context.process().clone() } else { super::find(pid).ok_or(abi::Errno::ESRCH)? };
    let session = target.family.lock().session;
    Ok(session)
}

pub fn setsid(context: &mut Context) -> Result<u32> {
    let process = context.process();
    let mut family = process.family.lock();
    if family.process_group == process.pid {
        return_errno!(EPERM);
    }
    family.session = process.pid;
    family.process_group = process.pid;
    Ok(process.pid)
}

pub fn brk(context: &mut Context, address: usize) -> Result<usize> {
    let vm = context.process().vm().ok_or(abi::Errno::ENOMEM)?;
    let mut vm = vm.lock();
    let start = vm.heap_start;
    let old_end = vm.heap_end.div_ceil(PAGE_SIZE) * PAGE_SIZE;
    if address < start {
        return Ok(vm.heap_end);
    }
    let new_end = address.div_ceil(PAGE_SIZE) * PAGE_SIZE;
    if new_end > old_end && !vm.is_free(old_end, new_end) {
        return Ok(vm.heap_end);
    }
    if new_end > old_end && exceeds_address_space_limit(context, &vm, new_end - old_end) {
        return Ok(vm.heap_end);
    }
    let read_write = Protection { read: true, write: true, execute: false };
    if new_end > old_end {
        // Only the new part: mapping over the old heap would drop it.
        vm.map(old_end.max(start), new_end, read_write, false, AreaKind::Heap);
    }
    if new_end < old_end {
        vm.unmap(new_end, old_end);
    }
    vm.heap_end = address;
    Ok(address)
}

/// RLIMIT_AS: whether `more` bytes would take the address space past it.
fn exceeds_address_space_limit(context: &Context, vm: &crate::mm::vm::Vm, more: usize) -> bool {
    let limit = context.process().limits.lock().current(super::limits::RLIMIT_AS);
    (vm.mapped_bytes() as u64).saturating_add(more as u64) > limit
}

const MAP_SHARED: u32 = 1;
const MAP_PRIVATE: u32 = 2;
const MAP_FIXED: u32 = 0x10;
const MAP_ANONYMOUS: u32 = 0x20;
const MAP_FIXED_NOREPLACE: u32 = 0x100000;

pub fn mmap(
    context: &mut Context,
    address: usize,
    length: usize,
    prot: u32,
    flags: u32,
    fd: i32,
    offset: usize,
) -> Result<usize> {
    if length == 0 || !address.is_multiple_of(PAGE_SIZE) || !offset.is_multiple_of(PAGE_SIZE) {
        return_errno!(EINVAL);
    }
    let length = length.checked_add(PAGE_SIZE - 1).ok_or(abi::Errno::ENOMEM)? & !(PAGE_SIZE - 1);
    if length > crate::mm::vm::USER_END {
        return_errno!(ENOMEM);
    }
    // MAP_SHARED_VALIDATE (both bits) is shared with every flag checked.
    const MAP_SHARED_VALIDATE: u32 = MAP_SHARED | MAP_PRIVATE;
    const KNOWN: u32 = 0x3
        | MAP_FIXED
        | MAP_ANONYMOUS
        | 0x100
        | 0x800
        | 0x1000
        | 0x2000
        | 0x4000
        | 0x8000
        | 0x10000
        | 0x20000
        | 0x40000
        | MAP_FIXED_NOREPLACE;
    let kind = match flags & MAP_SHARED_VALIDATE {
        0 => return_errno!(EINVAL),
        // Anonymous memory knows only MAP_SHARED and MAP_PRIVATE.
        MAP_SHARED_VALIDATE if flags & MAP_ANONYMOUS != 0 => return_errno!(EINVAL),
        MAP_SHARED_VALIDATE if flags & !KNOWN != 0 => return_errno!(EINVAL),
        MAP_SHARED_VALIDATE => MAP_SHARED,
        kind => kind,
    };
    // A file mapping: the descriptor first (EBADF), then what it is
    // (ENODEV unless a regular tmpfs file), then its access mode (EACCES).
    let mut file_name = None;
    let file = if flags & MAP_ANONYMOUS == 0 {
        let file = context.process().files.lock().get(fd)?;
        let inode = crate::fs::syscalls::inode_of(&file)
            .filter(|i| i.mode() & abi::mode::S_IFMT == abi::mode::S_IFREG)
            .ok_or(abi::Errno::ENODEV)?;
        if !file.can_read() || (kind == MAP_SHARED && prot & 2 != 0 && !file.can_write()) {
            return_errno!(EACCES);
        }
        // Named as Linux's d_path would: absolute, symlinks resolved.
        let fs = context.process().fs.lock().clone();
        let start = crate::fs::path::Start { root: &fs.root, directory: &fs.cwd };
        file_name =
            Some(crate::fs::path::canonical(&start, &file.path).unwrap_or_else(|_| file.path.clone()));
        Some(inode)
    } else {
        None
    };
    let vm = context.process().vm().ok_or(abi::Errno::ENOMEM)?;
    let mut vm = vm.lock();
    if exceeds_address_space_limit(context, &vm, length) {
        return_errno!(ENOMEM);
    }
    let in_user = |start: usize| {
        start >= crate::mm::vm::MMAP_MIN
            && start.checked_add(length).is_some_and(|e| e <= crate::mm::vm::STACK_TOP)
    };
    let start = if flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0 {
        if !in_user(address) {
            return Err(if flags & MAP_FIXED != 0 { abi::Errno::EPERM } else { abi::Errno::ENOMEM }.into());
        }
        if flags & MAP_FIXED_NOREPLACE != 0 && !vm.is_free(address, address + length) {
            return_errno!(EEXIST);
        }
        address
    } else if address != 0 && in_user(address) && vm.is_free(address, address + length) {
        address
    } else {
        vm.find_free(length).ok_or(abi::Errno::ENOMEM)?
    };
    let area_kind = match &file {
        Some(inode) => AreaKind::File { inode: inode.number, offset },
        None => AreaKind::Anonymous,
    };
    vm.map(start, start + length, Protection::from_prot(prot), kind == MAP_SHARED, area_kind);
    if let (Some(inode), Some(name)) = (&file, &file_name) {
        vm.name_file(inode.number, name);
    }
    if let Some(inode) = file {
        map_file(&mut vm, &inode, start, length, offset, kind == MAP_SHARED)?;
    }
    Ok(start)
}

/// mremap: shrinks a mapping in place, grows it in place when the pages
/// after it are free, or moves it (MREMAP_MAYMOVE, MREMAP_FIXED) with its
/// pages. The old range must lie in one mapping.
pub fn mremap(
    context: &mut Context,
    old: usize,
    old_size: usize,
    new_size: usize,
    flags: u32,
    new_address: usize,
) -> Result<usize> {
    const MREMAP_MAYMOVE: u32 = 1;
    const MREMAP_FIXED: u32 = 2;
    const MREMAP_DONTUNMAP: u32 = 4;
    let page_up = |size: usize| size.checked_add(PAGE_SIZE - 1).map(|s| s & !(PAGE_SIZE - 1));
    if flags & !(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP) != 0
        || (flags & MREMAP_FIXED != 0 && flags & MREMAP_MAYMOVE == 0)
        || !old.is_multiple_of(PAGE_SIZE)
    {
        return_errno!(EINVAL);
    }
    if flags & MREMAP_DONTUNMAP != 0 {
        return_errno!(EINVAL, "MREMAP_DONTUNMAP is not supported");
    }
    let (Some(old_size), Some(new_size)) = (page_up(old_size), page_up(new_size)) else {
        return_errno!(EINVAL);
    };
    // A zero old size duplicates a shared mapping on Linux; goose does
    // not.
    if new_size == 0 || old_size == 0 {
        return_errno!(EINVAL);
    }
    let old_end = old.checked_add(old_size).ok_or(abi::Errno::EINVAL)?;
    let space = context.process().vm().ok_or(abi::Errno::ENOMEM)?;
    let mut vm = space.lock();
    let Some((_, area)) = vm.area_at(old) else { return_errno!(EFAULT) };
    if old_end > area.end {
        return_errno!(EFAULT);
    }
    let in_user = |start: usize, length: usize| {
        start >= crate::mm::vm::MMAP_MIN
            && start.checked_add(length).is_some_and(|e| e <= crate::mm::vm::STACK_TOP)
    };
    if flags & MREMAP_FIXED != 0 {
        let overlaps = new_address < old_end && old < new_address.saturating_add(new_size);
        if !new_address.is_multiple_of(PAGE_SIZE) || overlaps || !in_user(new_address, new_size) {
            return_errno!(EINVAL);
        }
        if new_size > old_size && exceeds_address_space_limit(context, &vm, new_size - old_size) {
            return_errno!(ENOMEM);
        }
        vm.unmap(new_address, new_address + new_size);
        let moved = old_size.min(new_size);
        vm.move_range(old, moved, new_address)?;
        if new_size > moved {
            vm.grow_in_place(new_address, new_address + moved, new_address + new_size);
        }
        if old_size > moved {
            vm.unmap(old + moved, old_end);
        }
        return Ok(new_address);
    }
    if new_size <= old_size {
        vm.unmap(old + new_size, old_end);
        return Ok(old);
    }
    if exceeds_address_space_limit(context, &vm, new_size - old_size) {
        return_errno!(ENOMEM);
    }
    if in_user(old, new_size) && vm.grow_in_place(old, old_end, old + new_size) {
        return Ok(old);
    }
    if flags & MREMAP_MAYMOVE == 0 {
        return_errno!(ENOMEM);
    }
    let new = vm.find_free(new_size).ok_or(abi::Errno::ENOMEM)?;
    vm.move_range(old, old_size, new)?;
    vm.grow_in_place(new, new + old_size, new + new_size);
    Ok(new)
}

/// msync: nothing to write back (tmpfs pages are the file), but the
/// flags and the range are checked as Linux does.
pub fn msync(context: &mut Context, address: usize, length: usize, flags: u32) -> Result<()> {
    const MS_ASYNC: u32 = 1;
    const MS_INVALIDATE: u32 = 2;
    const MS_SYNC: u32 = 4;
    if !address.is_multiple_of(PAGE_SIZE)
        || flags & !(MS_ASYNC | MS_INVALIDATE | MS_SYNC) != 0
        || flags & (MS_ASYNC | MS_SYNC) == MS_ASYNC | MS_SYNC
    {
        return_errno!(EINVAL);
    }
    let end = address.checked_add(length.div_ceil(PAGE_SIZE) * PAGE_SIZE).ok_or(abi::Errno::ENOMEM)?;
    let vm = context.process().vm().ok_or(abi::Errno::ENOMEM)?;
    if end > address && !vm.lock().is_fully_mapped(address, end) {
        return_errno!(ENOMEM);
    }
    Ok(())
}

/// Maps the pages of `inode` from `offset` into `[start, start + length)`
/// at once (tmpfs pages are in RAM already). MAP_SHARED maps the file's
/// own pages (holes inside the file get a page of the file); MAP_PRIVATE
/// maps them copy-on-write and gives holes private zero pages on demand.
/// Pages past the end of the file read as zeros (Linux sends SIGBUS
/// there; programs do not rely on it).
fn map_file(
    vm: &mut crate::mm::vm::Vm,
    inode: &crate::fs::tmpfs::Inode,
    start: usize,
    length: usize,
    offset: usize,
    shared: bool,
) -> Result<()> {
    let file_pages = (inode.size() as usize).div_ceil(PAGE_SIZE);
    for index in 0..length / PAGE_SIZE {
        let file_index = offset / PAGE_SIZE + index;
        if file_index >= file_pages {
            break;
        }
        let page = if shared { inode.file_page_for_sharing(file_index) } else { inode.file_page(file_index) };
        match page {
            Some(page) => vm.map_file_page(start + index * PAGE_SIZE, page)?,
            None if shared => return_errno!(ENOMEM),
            None => {}
        }
    }
    Ok(())
}

pub fn munmap(context: &mut Context, address: usize, length: usize) -> Result<()> {
    if !address.is_multiple_of(PAGE_SIZE) || length == 0 {
        return_errno!(EINVAL);
    }
    let end = address.checked_add(length.div_ceil(PAGE_SIZE) * PAGE_SIZE).ok_or(abi::Errno::EINVAL)?;
    if end > crate::mm::vm::USER_END {
        return_errno!(EINVAL);
    }
    let vm = context.process().vm().ok_or(abi::Errno::ENOMEM)?;
    vm.lock().unmap(address, end);
    Ok(())
}

pub fn mprotect(context: &mut Context, address: usize, length: usize, prot: u32) -> Result<()> {
    const PROT_GROWSDOWN: u32 = 0x0100_0000;
    const PROT_GROWSUP: u32 = 0x0200_0000;
    if !address.is_multiple_of(PAGE_SIZE) || prot & !(7 | PROT_GROWSDOWN | PROT_GROWSUP) != 0 {
        return_errno!(EINVAL);
    }
    let end = address.checked_add(length.div_ceil(PAGE_SIZE) * PAGE_SIZE).ok_or(abi::Errno::ENOMEM)?;
    let vm = context.process().vm().ok_or(abi::Errno::ENOMEM)?;
    let result = vm.lock().protect(address, end, Protection::from_prot(prot));
    result
}

/// madvise: MADV_DONTNEED (and FREE, REMOVE) drop private pages; every
/// other advice Linux knows is a hint goose may ignore; unknown advice is
/// EINVAL and a range with unmapped parts ENOMEM.
pub fn madvise(context: &mut Context, address: usize, length: usize, advice: i32) -> Result<()> {
    const MADV_DONTNEED: i32 = 4;
    const MADV_FREE: i32 = 8;
    const MADV_REMOVE: i32 = 9;
    let known = matches!(advice, 0..=4 | 8..=23 | 25);
    if !address.is_multiple_of(PAGE_SIZE) || !known {
        return_errno!(EINVAL);
    }
    let end = address.checked_add(length.div_ceil(PAGE_SIZE) * PAGE_SIZE).ok_or(abi::Errno::EINVAL)?;
    if end == address {
        return Ok(());
    }
    let vm = context.process().vm().ok_or(abi::Errno::ENOMEM)?;
    let mut vm = vm.lock();
    if matches!(advice, MADV_DONTNEED | MADV_FREE | MADV_REMOVE) {
        vm.discard(address, end);
    }
    if !vm.is_fully_mapped(address, end) {
        return_errno!(ENOMEM);
    }
    Ok(())
}
