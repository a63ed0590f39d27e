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
    Ok(context.thread.tid)
}
pub fn getppid(context: &mut Context) -> Result<u32> {
    Ok(context.process().parent_pid.load(core::sync::atomic::Ordering::Acquire))
}

pub fn exit(context: &mut Context, code: i32) -> Result<()> {
    super::exit_process(context.thread, abi::wait::exited(code));
    Ok(())
}

pub fn set_tid_address(context: &mut Context, address: UserAddr) -> Result<u32> {
    context.thread.clear_child_tid.store(address.0, core::sync::atomic::Ordering::Relaxed);
    Ok(context.thread.tid)
}

pub fn clone(
    context: &mut Context,
    flags: u64,
    stack: usize,
    parent_tid: UserAddr,
    _tls: usize,
    child_tid: UserAddr,
) -> Result<u32> {
    super::fork::clone_process(context.thread, context.user, flags, stack, parent_tid, child_tid)
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

/// Whether wait4 with `options` reports a stop or continue status.
fn reportable(report: i32, options: u32) -> bool {
    if report == abi::wait::CONTINUED {
        options & abi::wait::WCONTINUED != 0
    } else {
        options & abi::wait::WUNTRACED != 0
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
    if options
        & !(abi::wait::WNOHANG | abi::wait::WUNTRACED | abi::wait::WCONTINUED | 0x4000_0000 | 0x8000_0000)
        != 0
    {
        return_errno!(EINVAL);
    }
    loop {
        let mut found_any = false;
        let mut reaped = None;
        let mut reported = None;
        {
            let mut family = process.family.lock();
            let children = &mut family.children;
            for (index, child) in children.iter().enumerate() {
                if !matches(child, pid, group) {
                    continue;
                }
                found_any = true;
                let mut child_family = child.family.lock();
                if let Some(exit) = child_family.exit_status {
                    reaped = Some((index, child.pid, exit));
                    break;
                }
                if let Some(report) = child_family.stop_report.filter(|r| reportable(*r, options)) {
                    child_family.stop_report = None;
                    reported = Some((child.pid, report));
                    break;
                }
            }
            if let Some((index, _, _)) = reaped {
                children.remove(index);
            }
        }
        if let Some((child_pid, report)) = reported {
            if !status.is_null() {
                write_val(status, &report)?;
            }
            if !usage.is_null() {
                write_val(usage, &abi::Rusage::default())?;
            }
            return Ok(child_pid);
        }
        if let Some((_, child_pid, exit)) = reaped {
            super::forget(child_pid);
            if !status.is_null() {
                write_val(status, &exit)?;
            }
            if !usage.is_null() {
                write_val(usage, &abi::Rusage::default())?;
            }
            return Ok(child_pid);
        }
        if !found_any {
            return_errno!(ECHILD);
        }
        if options & abi::wait::WNOHANG != 0 {
            return Ok(0);
        }
        let woke = process.child_event.wait_until_or(
            || {
                process.family.lock().children.iter().any(|c| {
                    if !matches(c, pid, group) {
                        return false;
                    }
                    let family = c.family.lock();
                    family.exit_status.is_some() || family.stop_report.is_some_and(|r| reportable(r, options))
                })
            },
            crate::signal::current_has_pending,
        );
        if !woke {
            return_errno!(ERESTARTSYS);
        }
    }
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
    if flags & MAP_ANONYMOUS == 0 {
        // The descriptor is checked first (EBADF), as Linux does.
        context.process().files.lock().get(fd)?;
        return_errno!(ENODEV, "file mappings are not supported yet");
    }
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
    vm.map(start, start + length, Protection::from_prot(prot), kind == MAP_SHARED, AreaKind::Anonymous);
    Ok(start)
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
