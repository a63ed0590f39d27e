//! fork (clone without shared memory): a new process with a copy-on-write
//! copy of the address space, the file descriptors, and the caller's
//! registers, returning 0 in the child.

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

pub const CLONE_VM: u64 = 0x100;
pub const CLONE_VFORK: u64 = 0x4000;
pub const CLONE_THREAD: u64 = 0x10000;
pub const CLONE_PARENT_SETTID: u64 = 0x100000;
pub const CLONE_CHILD_CLEARTID: u64 = 0x200000;
pub const CLONE_CHILD_SETTID: u64 = 0x1000000;

/// clone(2) for new processes. Threads (CLONE_THREAD) come later.
pub fn clone_process(
    thread: &Arc<Thread>,
    user: &UserContext,
    flags: u64,
    stack: usize,
    parent_tid: UserAddr,
    child_tid: UserAddr,
) -> Result<u32> {
    if flags & CLONE_THREAD != 0 || (flags & CLONE_VM != 0 && flags & CLONE_VFORK == 0) {
        return_errno!(ENOSYS, "threads are not supported yet");
    }
    // The kernel heap has a fixed size: refuse a new process while there is
    // still room for the ones that exist to go on (fork's ENOMEM, "memory
    // is tight"), instead of failing an allocation later, where the
    // kernel could only stop.
    if !crate::mm::heap_has_room_for_a_process() {
        return_errno!(ENOMEM, "kernel heap nearly full");
    }
    let parent = &thread.process;
    let vm = parent.vm().ok_or(abi::Errno::ENOMEM)?;
    // vfork's shared memory is served by a copy-on-write copy: the child
    // only execs or exits, and the parent runs on meanwhile.
    let child_vm = vm.lock().fork()?;
    let pid = allocate_pid();
    let files = parent.files.lock().clone();
    let fs = parent.fs.lock().clone();
    let child = Process::new(pid, Some(parent), files, fs);
    *child.signals.actions.lock() = *parent.signals.actions.lock();
    *child.command_line.lock() = parent.command_line.lock().clone();
    *child.executable.lock() = parent.executable.lock().clone();
    let mut child_vm = child_vm;
    if flags & CLONE_CHILD_SETTID != 0 {
        child_vm.write_user(child_tid.0, &pid.to_le_bytes())?;
    }
    child.set_vm(Some(AddressSpace::new(child_vm)));
    let child_thread = Thread::new(pid, child.clone(), thread.mask.load(Ordering::Acquire));
    *child_thread.alt_stack.lock() = *thread.alt_stack.lock();
    *child_thread.name.lock() = *thread.name.lock();
    if flags & CLONE_CHILD_CLEARTID != 0 {
        child_thread.clear_child_tid.store(child_tid.0, Ordering::Relaxed);
    }
    if flags & CLONE_PARENT_SETTID != 0 {
        write_val(parent_tid, &pid)?;
    }
    let mut child_user = user.duplicate();
    child_user.regs[reg::A0] = 0;
    if stack != 0 {
        child_user.regs[reg::SP] = stack;
    }
    super::spawn_user_thread(child_thread, child_user)?;
    Ok(pid)
}
