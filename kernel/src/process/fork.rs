//! clone: a new thread of the calling process (CLONE_THREAD), or a new
//! process with a copy-on-write copy of the address space (fork) or the
//! very same one (CLONE_VM, vfork), starting from the caller's registers
//! with 0 in a0.

use super::{allocate_pid, Process, Thread};
use crate::error::Result;
use crate::mm::space::AddressSpace;
use crate::mm::user::write_val;
use crate::return_errno;
use crate::syscall::UserAddr;
use alloc::sync::Arc;
use core::sync::atomic::Ordering;
use hal::arch::user_context::reg;
use hal::UserContext;

pub const CSIGNAL: u64 = 0xff;
pub const CLONE_VM: u64 = 0x100;
pub const CLONE_FS: u64 = 0x200;
pub const CLONE_SIGHAND: u64 = 0x800;
pub const CLONE_PIDFD: u64 = 0x1000;
pub const CLONE_VFORK: u64 = 0x4000;
pub const CLONE_PARENT: u64 = 0x8000;
pub const CLONE_THREAD: u64 = 0x10000;
pub const CLONE_NEWNS: u64 = 0x20000;
pub const CLONE_SETTLS: u64 = 0x80000;
pub const CLONE_PARENT_SETTID: u64 = 0x100000;
pub const CLONE_CHILD_CLEARTID: u64 = 0x200000;
pub const CLONE_CHILD_SETTID: u64 = 0x1000000;

/// The arguments of clone and clone3.
pub struct CloneArguments {
    pub flags: u64,
    pub stack: usize,
    pub parent_tid: UserAddr,
    pub child_tid: UserAddr,
    pub tls: usize,
}

/// clone(2): returns the new thread's or process's id.
pub fn clone(thread: &Arc<Thread>, user: &UserContext, arguments: &CloneArguments) -> Result<u32> {
    let flags = arguments.flags;
    // Linux's flag rules (copy_process): threads share signal handlers,
    // which need a shared address space.
    if flags & (CLONE_NEWNS | CLONE_FS) == CLONE_NEWNS | CLONE_FS
        || (flags & CLONE_THREAD != 0 && flags & CLONE_SIGHAND == 0)
        || (flags & CLONE_SIGHAND != 0 && flags & CLONE_VM == 0)
    {
        return_errno!(EINVAL);
    }
    if flags & CLONE_PIDFD != 0 {
        return_errno!(EINVAL, "pidfds are not supported");
    }
    if super::limits::too_many_tasks(&thread.process) {
        return_errno!(EAGAIN, "RLIMIT_NPROC");
    }
    // The kernel heap has a fixed size: refuse a new task while there is
    // still room for the ones that exist to go on (fork's ENOMEM, "memory
    // is tight"), instead of failing an allocation later, where the
    // kernel could only stop.
    if !crate::mm::heap_has_room_for_a_process() {
        return_errno!(ENOMEM, "kernel heap nearly full");
    }
    if flags & CLONE_THREAD != 0 {
        clone_thread(thread, user, arguments)
    } else {
        clone_process(thread, user, arguments)
    }
}

/// The registers the new task starts with.
fn child_registers(user: &UserContext, arguments: &CloneArguments) -> UserContext {
    let mut child_user = user.duplicate();
    child_user.regs[reg::A0] = 0;
    if arguments.stack != 0 {
        child_user.regs[reg::SP] = arguments.stack;
    }
    if arguments.flags & CLONE_SETTLS != 0 {
        child_user.regs[reg::TP] = arguments.tls;
    }
    child_user
}

/// A new thread in the caller's process: same memory, files, handlers.
fn clone_thread(thread: &Arc<Thread>, user: &UserContext, arguments: &CloneArguments) -> Result<u32> {
    let process = &thread.process;
    if process.family.lock().group_exit.is_some() {
        return_errno!(EAGAIN);
    }
    let space = process.vm().ok_or(abi::Errno::ENOMEM)?;
    space.lock().mark_shared_by_threads();
    let tid = allocate_pid();
    let flags = arguments.flags;
    if flags & CLONE_PARENT_SETTID != 0 {
        write_val(arguments.parent_tid, &tid)?;
    }
    if flags & CLONE_CHILD_SETTID != 0 {
        write_val(arguments.child_tid, &tid)?;
    }
    let child = Thread::new(tid, process.clone(), thread.mask.load(Ordering::Acquire));
    // The new thread has no alternate stack (Linux clears it for
    // CLONE_VM children) and its creator's name.
    *child.name.lock() = *thread.name.lock();
    child.affinity.store(thread.affinity.load(Ordering::Relaxed), Ordering::Relaxed);
    if flags & CLONE_CHILD_CLEARTID != 0 {
        child.clear_child_tid.store(arguments.child_tid.0, Ordering::Relaxed);
    }
    // A group exit or an execve that began while this thread was being
    // made may have missed it (it takes the list of threads after setting
    // its flag; the thread joined the list before this check): the new
    // thread is killed before it runs.
    if process.family.lock().group_exit.is_some() || process.exec_thread.load(Ordering::Acquire) != 0 {
        child.send(abi::signal::SIGKILL, crate::signal::SigInfo::default());
    }
    if let Err(error) = super::spawn_user_thread(child.clone(), child_registers(user, arguments)) {
        child.exited.store(true, Ordering::Release);
        child.forget();
        process.live_threads.fetch_sub(1, Ordering::AcqRel);
        return Err(error);
    }
    Ok(tid)
}

/// A new process: a copy-on-write copy of the memory (or the same memory
/// with CLONE_VM), a copy of the file table and of the signal actions.
fn clone_process(thread: &Arc<Thread>, user: &UserContext, arguments: &CloneArguments) -> Result<u32> {
    let flags = arguments.flags;
    let parent = &thread.process;
    let vm = parent.vm().ok_or(abi::Errno::ENOMEM)?;
    let child_space = if flags & CLONE_VM != 0 {
        vm.lock().mark_shared_by_threads();
        vm.clone()
    } else {
        let child_vm = vm.lock().fork()?;
        AddressSpace::new(child_vm)
    };
    let pid = allocate_pid();
    // CLONE_FILES and CLONE_FS without CLONE_THREAD get copies (goose
    // does not share file tables between processes).
    let files = parent.files.lock().clone();
    let fs = parent.fs.lock().clone();
    let parent_of_child = if flags & CLONE_PARENT != 0 { parent.parent() } else { Some(parent.clone()) };
    let child = Process::new(pid, parent_of_child.as_ref().or(Some(parent)), files, fs);
    child.exit_signal.store((flags & CSIGNAL) as u32, Ordering::Relaxed);
    *child.signals.actions.lock() = *parent.signals.actions.lock();
    *child.command_line.lock() = parent.command_line.lock().clone();
    *child.executable.lock() = parent.executable.lock().clone();
    if flags & CLONE_CHILD_SETTID != 0 {
        if flags & CLONE_VM != 0 {
            write_val(arguments.child_tid, &pid)?;
        } else {
            child_space.lock().write_user(arguments.child_tid.0, &pid.to_le_bytes())?;
        }
    }
    child.set_vm(Some(child_space));
    let child_thread = Thread::new(pid, child.clone(), thread.mask.load(Ordering::Acquire));
    if flags & CLONE_VM == 0 {
        *child_thread.alt_stack.lock() = *thread.alt_stack.lock();
    }
    *child_thread.name.lock() = *thread.name.lock();
    child_thread.affinity.store(thread.affinity.load(Ordering::Relaxed), Ordering::Relaxed);
    if flags & CLONE_CHILD_CLEARTID != 0 {
        child_thread.clear_child_tid.store(arguments.child_tid.0, Ordering::Relaxed);
    }
    if flags & CLONE_PARENT_SETTID != 0 {
        write_val(arguments.parent_tid, &pid)?;
    }
    let vfork = flags & CLONE_VFORK != 0;
    if vfork {
        child.vfork_released.store(false, Ordering::Release);
    }
    super::spawn_user_thread(child_thread, child_registers(user, arguments))?;
    if vfork {
        // The parent waits until the child execs or exits (killable only,
        // as Linux's wait_for_vfork_done).
        let killed = || thread.deliverable() & abi::signal::bit(abi::signal::SIGKILL) != 0;
        child.vfork_done.wait_until(|| child.vfork_released.load(Ordering::Acquire) || killed());
    }
    Ok(pid)
}
