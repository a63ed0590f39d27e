//! Ending a process: its status, its resources, its children given to
//! init, and its parent told (SIGCHLD and the wait queue).

use super::{Process, Thread};
use alloc::sync::Arc;
use core::sync::atomic::Ordering;

/// Ends the whole process of `thread` with wait status `status`. The
/// calling thread is marked as exited: it goes back up to its run loop,
/// which ends (dropping what it holds) instead of returning to user mode.
pub fn exit_process(thread: &Arc<Thread>, status: i32) {
    thread.exited.store(true, Ordering::Release);
    let process = thread.process.clone();
    let first = {
        let mut family = process.family.lock();
        let first = family.exit_status.is_none();
        if first {
            family.exit_status = Some(status);
        }
        first
    };
    if first {
        release(&process, thread);
    }
}

fn release(process: &Arc<Process>, thread: &Arc<Thread>) {
    log::debug!("pid {} exits, status {:#x}", process.pid, process.family.lock().exit_status.unwrap_or(0));
    let clear = thread.clear_child_tid.load(Ordering::Relaxed);
    if clear != 0 {
        let _ = crate::mm::user::write_val(crate::syscall::UserAddr(clear), &0u32);
    }
    // Drop the address space with this hart off it.
    super::thread::deactivate();
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
        let uid = process.credentials.lock().uid;
        let info = crate::signal::SigInfo::child(process.pid, uid, status);
        crate::signal::send_info(&parent, abi::signal::SIGCHLD, info);
        parent.child_event.wake_all();
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
