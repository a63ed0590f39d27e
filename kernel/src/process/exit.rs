//! Ending a process: its status, its resources, its children given to
//! init, and its parent told (SIGCHLD and the wait queue).

use super::{Process, Thread};
use alloc::sync::Arc;
use core::sync::atomic::Ordering;

/// Ends the whole process of `thread` with wait status `status`
/// (exit_group, a fatal signal): the other threads are killed, and the
/// process ends with this status when the last of them is gone. The
/// calling thread is marked as exited: it goes back up to its run loop,
/// which ends (dropping what it holds) instead of returning to user mode.
pub fn exit_process(thread: &Arc<Thread>, status: i32) {
    let process = &thread.process;
    // Killed by another thread's execve: this thread leaves alone.
    let exec = process.exec_thread.load(Ordering::Acquire);
    if exec == 0 || exec == thread.tid() {
        let first = {
            let mut family = process.family.lock();
            let first = family.group_exit.is_none();
            if first {
                family.group_exit = Some(status);
            }
            first
        };
        if first {
            kill_other_threads(thread);
        }
    }
    exit_thread(thread, status);
}

/// Sends SIGKILL to every other thread of the process (group exit,
/// execve).
pub(super) fn kill_other_threads(thread: &Arc<Thread>) {
    let others: alloc::vec::Vec<Arc<Thread>> = thread
        .process
        .threads
        .lock()
        .iter()
        .filter_map(alloc::sync::Weak::upgrade)
        .filter(|t| !Arc::ptr_eq(t, thread))
        .collect();
    for other in others {
        other.send(
            abi::signal::SIGKILL,
            crate::signal::SigInfo { code: crate::signal::SI_KERNEL, ..Default::default() },
        );
    }
}

/// Ends one thread (exit, or its part in the end of its process): its
/// clear_child_tid word is zeroed and woken, its robust futexes released;
/// the last thread ends the process, with the group's status if one was
/// set and `status` otherwise.
pub fn exit_thread(thread: &Arc<Thread>, status: i32) {
    if thread.exited.swap(true, Ordering::AcqRel) {
        return;
    }
    let process = thread.process.clone();
    super::futex::release_robust_list(thread);
    let clear = thread.clear_child_tid.load(Ordering::Relaxed);
    if clear != 0 {
        let address = crate::syscall::UserAddr(clear);
        if crate::mm::user::write_val(address, &0u32).is_ok() {
            super::futex::wake_address(&process, clear, 1);
        }
    }
    {
        let (user, system) = thread.cpu_ticks();
        let mut ticks = process.exited_threads_ticks.lock();
        ticks.0 += user;
        ticks.1 += system;
    }
    thread.forget();
    if process.live_threads.fetch_sub(1, Ordering::AcqRel) == 1 {
        {
            let mut family = process.family.lock();
            family.exit_status = Some(family.group_exit.unwrap_or(status));
        }
        release(&process);
    } else {
        process.thread_exited.wake_all();
    }
}

fn release(process: &Arc<Process>) {
    log::debug!("pid {} exits, status {:#x}", process.pid, process.family.lock().exit_status.unwrap_or(0));
    release_vfork_parent(process);
    // Drop the address space with this hart off it.
    crate::mm::space::deactivate();
    let vm = process.set_vm(None);
    drop(vm);
    let files = core::mem::take(&mut *process.files.lock());
    drop(files);
    crate::fs::record_locks::release_all(process.pid);
    let status = process.family.lock().exit_status.unwrap_or(0);
    if process.pid == 1 {
        init_exited(status);
    }
    // Children go to init.
    let children = core::mem::take(&mut process.family.lock().children);
    if let Some(init) = super::find(1) {
        for child in children {
            child.family.lock().parent = Arc::downgrade(&init);
            child.parent_pid.store(init.pid, Ordering::Release);
            let zombie = child.family.lock().exit_status.is_some();
            init.family.lock().children.push(child);
            if zombie {
                init.child_event.wake_all();
            }
        }
    }
    if let Some(parent) = process.parent() {
        let signal = process.exit_signal.load(Ordering::Relaxed);
        if signal != 0 {
            let uid = process.credentials.lock().uid;
            let info = crate::signal::SigInfo::child(process.pid, uid, status);
            crate::signal::send_info(&parent, signal, info);
        }
        parent.child_event.wake_all();
    }
}

/// A vfork child that execs or exits lets its parent go on.
pub(super) fn release_vfork_parent(process: &Process) {
    if !process.vfork_released.swap(true, Ordering::AcqRel) {
        process.vfork_done.wake_all();
    }
}

/// The wait status as a shell reports it: the exit code, or 128 + signal.
fn exited_status(status: i32) -> u16 {
    if status & 0x7f == 0 {
        ((status >> 8) & 0xff) as u16
    } else {
        128 + (status & 0x7f) as u16
    }
}

/// When init ends, so does the machine, with init's status as QEMU's.
fn init_exited(status: i32) -> ! {
    let code = exited_status(status);
    log::info!("init exited with status {code}; powering off");
    hal::power::shutdown(code)
}
