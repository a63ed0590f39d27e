//! A user thread: a kernel task that runs user code in a loop and handles
//! what brings it back to the kernel (syscalls, faults, interrupts), then
//! delivers signals before it returns to user mode.

use super::{Pid, Process};
use crate::error::Result;
use crate::mm::space::{activate, AddressSpace};
use crate::sched::{self, Task};
use crate::signal::SigInfo;
use alloc::collections::BTreeMap;
use alloc::sync::{Arc, Weak};
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use hal::sync::SpinLock;
use hal::{UserContext, UserEvent};

/// An alternate signal stack (sigaltstack).
#[derive(Clone, Copy, Debug)]
pub struct AltStack {
    pub base: usize,
    pub size: usize,
    /// SS_AUTODISARM: cleared while a handler runs on it.
    pub auto_disarm: bool,
}

impl AltStack {
    pub fn contains(&self, sp: usize) -> bool {
        sp > self.base && sp - self.base <= self.size
    }
}

/// Every live thread by tid (tgkill, sched_setaffinity, /proc).
static THREADS: SpinLock<BTreeMap<Pid, Weak<Thread>>> = SpinLock::new(BTreeMap::new());

/// The live thread with this tid.
pub fn find_thread(tid: Pid) -> Option<Arc<Thread>> {
    THREADS.lock().get(&tid).and_then(Weak::upgrade)
}

pub struct Thread {
    /// The thread id; a thread that execs takes its process's id.
    tid: AtomicU32,
    pub process: Arc<Process>,
    /// Blocked signals.
    pub mask: AtomicU64,
    /// Signals sent to this thread alone (tgkill, faults, group kill).
    pub pending: AtomicU64,
    /// Why each of them was sent.
    pub pending_info: SpinLock<[SigInfo; 64]>,
    /// set_tid_address / CLONE_CHILD_CLEARTID: zeroed and woken at exit.
    pub clear_child_tid: AtomicUsize,
    /// set_robust_list: the head of the thread's robust futex list.
    pub robust_list: AtomicUsize,
    /// sched_setaffinity's mask (bit i: hart i).
    pub affinity: AtomicU64,
    /// Timer ticks spent in user mode, sampled at the scheduler tick (the
    /// rest of its task's time on a hart is system time).
    pub user_ticks: AtomicU64,
    /// The thread's name (comm): the program's base name, or PR_SET_NAME.
    pub name: SpinLock<[u8; 16]>,
    /// Set once the thread has exited (exit_process): its run loop ends.
    pub exited: AtomicBool,
    /// The mask to restore once a signal has been handled, set by calls
    /// that wait with a temporary mask (rt_sigsuspend).
    ///
    /// These per-thread fields are touched only by the thread itself, never
    /// from an interrupt, so a plain spin lock serves (no interrupt
    /// masking: they sit on the path of every syscall).
    pub saved_mask: spin::Mutex<Option<u64>>,
    /// Set when a restart or a saved mask waits for the way back to user
    /// mode, so that `signal::deliver` can return at once otherwise (no
    /// locks on the path of every syscall). Touched only by the thread.
    pub slow_return: AtomicBool,
    /// The syscall just made asks to be restarted if a signal interrupts
    /// it, with its first argument (a0 is overwritten by the result).
    restart: spin::Mutex<Option<(crate::signal::Restart, usize)>>,
    /// What restart_syscall continues: the deadline of an interrupted
    /// relative sleep (in timer ticks) and where to write the time left.
    pub restart_block: spin::Mutex<Option<(u64, crate::syscall::UserAddr)>>,
    /// sigaltstack: the alternate signal stack, if one is set.
    pub alt_stack: spin::Mutex<Option<AltStack>>,
    task: spin::Once<Weak<Task>>,
}

impl Thread {
    pub fn new(tid: Pid, process: Arc<Process>, mask: u64) -> Arc<Thread> {
        let thread = Arc::new(Thread {
            tid: AtomicU32::new(tid),
            process: process.clone(),
            mask: AtomicU64::new(mask),
            pending: AtomicU64::new(0),
            pending_info: SpinLock::new([SigInfo::default(); 64]),
            clear_child_tid: AtomicUsize::new(0),
            robust_list: AtomicUsize::new(0),
            affinity: AtomicU64::new(u64::MAX),
            user_ticks: AtomicU64::new(0),
            name: SpinLock::new([0; 16]),
            exited: AtomicBool::new(false),
            saved_mask: spin::Mutex::new(None),
            slow_return: AtomicBool::new(false),
            restart: spin::Mutex::new(None),
            restart_block: spin::Mutex::new(None),
            alt_stack: spin::Mutex::new(None),
            task: spin::Once::new(),
        });
        process.threads.lock().push(Arc::downgrade(&thread));
        process.live_threads.fetch_add(1, Ordering::AcqRel);
        THREADS.lock().insert(tid, Arc::downgrade(&thread));
        thread
    }

    pub fn tid(&self) -> Pid {
        self.tid.load(Ordering::Relaxed)
    }

    /// execve by a thread other than the first: it takes the process's id
    /// (the other threads are gone by then).
    pub(super) fn become_leader(self: &Arc<Self>) {
        let old = self.tid.swap(self.process.pid, Ordering::Relaxed);
        let mut threads = THREADS.lock();
        threads.remove(&old);
        threads.insert(self.process.pid, Arc::downgrade(self));
    }

    /// Takes the thread out of the tables once it has exited.
    pub(super) fn forget(self: &Arc<Self>) {
        let tid = self.tid();
        let mut threads = THREADS.lock();
        if threads.get(&tid).is_some_and(|t| core::ptr::eq(t.as_ptr(), Arc::as_ptr(self))) {
            threads.remove(&tid);
        }
        drop(threads);
        self.process
            .threads
            .lock()
            .retain(|t| t.strong_count() > 0 && !core::ptr::eq(t.as_ptr(), Arc::as_ptr(self)));
    }

    /// Sends `signal` to this thread alone.
    pub fn send(&self, signal: u32, info: SigInfo) {
        let bit = abi::signal::bit(signal);
        {
            let mut infos = self.pending_info.lock();
            if self.pending.load(Ordering::Acquire) & bit == 0 {
                infos[signal as usize - 1] = info;
            }
            self.pending.fetch_or(bit, Ordering::AcqRel);
        }
        self.wake_for_signal();
    }

    pub fn set_restart(&self, kind: crate::signal::Restart, first_argument: usize) {
        *self.restart.lock() = Some((kind, first_argument));
        self.slow_return.store(true, Ordering::Relaxed);
    }

    pub fn take_restart(&self) -> Option<(crate::signal::Restart, usize)> {
        self.restart.lock().take()
    }

    /// Where the thread's task is (None before it starts or after it ends).
    pub fn task_state(&self) -> Option<crate::sched::State> {
        self.task.get().and_then(Weak::upgrade).map(|t| t.state())
    }

    /// (user, system) CPU time so far, in timer ticks.
    pub fn cpu_ticks(&self) -> (u64, u64) {
        let total = self.task.get().and_then(Weak::upgrade).map_or(0, |t| t.cpu_ticks());
        let user = self.user_ticks.load(Ordering::Relaxed).min(total);
        (user, total - user)
    }

    /// Wakes the thread if it sleeps, or brings it back to the kernel if
    /// it runs user code on another hart, so it sees a new signal.
    pub fn wake_for_signal(&self) {
        if let Some(task) = self.task.get().and_then(Weak::upgrade) {
            if !sched::wake(&task) {
                sched::kick(&task);
            }
        }
    }
}

/// The user thread the running task runs.
pub fn current() -> Option<Arc<Thread>> {
    let task = sched::current();
    let user = task.user.get()?.clone();
    user.downcast::<Thread>().ok()
}

/// Starts a task running `thread` from `user`.
pub fn spawn_user_thread(thread: Arc<Thread>, user: UserContext) -> Result<()> {
    let body_thread = thread.clone();
    // The thread knows its task before the task can run: a signal sent
    // to it from then on (even by the thread it starts) must find it.
    let prepare = |task: &Arc<Task>| {
        thread.task.call_once(|| Arc::downgrade(task));
    };
    sched::spawn_with("user", Some(thread.clone()), prepare, move || run(body_thread, user))
        .map_err(|_| abi::Errno::ENOMEM)?;
    Ok(())
}

/// After a switch, on whichever hart the task resumed: a user thread's
/// kernel code (a syscall that slept) must see its own address space.
pub fn after_switch() {
    let Some(thread) = current() else { return };
    if let Some(space) = thread.process.vm() {
        activate(&space);
    }
}

fn run(thread: Arc<Thread>, mut user: UserContext) {
    // This thread's own reference to its address space, refreshed only
    // when exec (or exit) replaces it: no lock on the way to user mode.
    let mut space: Option<(Arc<AddressSpace>, u64)> = None;
    // Killed (or signalled) before it ever ran: handled before its first
    // user instruction, as on the way back from any syscall.
    if thread.deliverable() != 0 {
        if let Some(vm) = thread.process.vm() {
            activate(&vm);
            crate::signal::deliver(&thread, &mut user);
        }
        if thread.exited.load(Ordering::Acquire) {
            return;
        }
    }
    loop {
        let epoch = thread.process.vm_epoch();
        if space.as_ref().is_none_or(|(_, seen)| *seen != epoch) {
            space = thread.process.vm().map(|vm| (vm, epoch));
        }
        let Some((vm, _)) = space.as_ref() else {
            super::exit_process(&thread, abi::wait::signaled(abi::signal::SIGKILL, false));
            break;
        };
        activate(vm);
        let (hart, ticks) = sched::tick_count();
        let event = user.run();
        // User time is sampled, as Linux does without precise accounting:
        // a tick that interrupts user code charges its whole interval to
        // user time (reading the clock around every entry would cost two
        // CSR reads per syscall).
        if matches!(event, UserEvent::Interrupt) && sched::tick_count() != (hart, ticks) {
            thread.user_ticks.fetch_add(crate::irq::tick_interval(), Ordering::Relaxed);
        }
        match event {
            UserEvent::Syscall => crate::syscall::handle(&thread, &mut user),
            UserEvent::Interrupt => {}
            UserEvent::PageFault { address, access } => {
                log::trace!(
                    "pid {}: fault at {address:#x} ({access:?}), pc {:#x}",
                    thread.process.pid,
                    user.pc
                );
                let fault = || space.as_ref().map(|(vm, _)| vm.lock().handle_fault(address, access));
                let mut resolved = fault();
                // Out of memory: the largest process is killed, and once
                // its memory is back the fault is tried again.
                let mut outcome = super::oom::Outcome::Freed;
                while matches!(&resolved, Some(Err(e)) if e.errno == abi::Errno::ENOMEM) {
                    outcome = super::oom::kill_largest_other(&thread.process);
                    if outcome != super::oom::Outcome::Freed {
                        break;
                    }
                    resolved = fault();
                }
                match resolved {
                    Some(Ok(())) => {}
                    // The signal is delivered on the way out; the faulting
                    // instruction then runs again.
                    Some(Err(_)) if outcome == super::oom::Outcome::Interrupted => {}
                    Some(Err(error)) if error.errno == abi::Errno::ENOMEM => {
                        log::warn!("pid {}: out of memory at {address:#x}", thread.process.pid);
                        super::exit_process(&thread, abi::wait::signaled(abi::signal::SIGKILL, false));
                    }
                    _ => {
                        log::debug!(
                            "pid {}: segfault at {address:#x} ({access:?}), pc {:#x}",
                            thread.process.pid,
                            user.pc
                        );
                        // SEGV_ACCERR where an area is mapped but forbids
                        // the access, SEGV_MAPERR where nothing is.
                        let mapped =
                            space.as_ref().is_some_and(|(vm, _)| vm.lock().area_at(address).is_some());
                        let code = if mapped { SEGV_ACCERR } else { SEGV_MAPERR };
                        fault_signal(&thread, abi::signal::SIGSEGV, SigInfo::fault(code, address))
                    }
                }
            }
            UserEvent::AccessFault { misaligned, address } => {
                if misaligned {
                    fault_signal(&thread, abi::signal::SIGBUS, SigInfo::fault(BUS_ADRALN, address))
                } else {
                    fault_signal(&thread, abi::signal::SIGSEGV, SigInfo::fault(SEGV_ACCERR, address))
                }
            }
            UserEvent::IllegalInstruction { .. } => {
                fault_signal(&thread, abi::signal::SIGILL, SigInfo::fault(ILL_ILLOPC, user.pc))
            }
            UserEvent::Breakpoint => {
                fault_signal(&thread, abi::signal::SIGTRAP, SigInfo::fault(TRAP_BRKPT, user.pc))
            }
        }
        if thread.exited.load(Ordering::Acquire) {
            break;
        }
        crate::signal::deliver(&thread, &mut user);
        if thread.exited.load(Ordering::Acquire) {
            break;
        }
        sched::preempt_if_needed();
    }
    // Back to the task's entry, which ends the task; what this loop held
    // (the address space, the thread) is dropped on the way.
}

// si_code values of fault signals (asm-generic/siginfo.h).
const SEGV_MAPERR: i32 = 1;
const SEGV_ACCERR: i32 = 2;
const BUS_ADRALN: i32 = 1;
const ILL_ILLOPC: i32 = 1;
const TRAP_BRKPT: i32 = 1;

/// A synchronous fault: the signal cannot be blocked or ignored away (as
/// Linux's force_sig), so a blocked one kills the process.
fn fault_signal(thread: &Arc<Thread>, signal: u32, info: SigInfo) {
    thread.pending_info.lock()[signal as usize - 1] = info;
    let bit = abi::signal::bit(signal);
    let action = thread.process.signals.actions.lock()[signal as usize - 1];
    let blocked = thread.mask.load(Ordering::Acquire) & bit != 0;
    if blocked || action.handler == abi::signal::SIG_IGN {
        thread.process.signals.actions.lock()[signal as usize - 1] = abi::signal::KernelSigaction::default();
        thread.mask.fetch_and(!bit, Ordering::AcqRel);
    }
    thread.pending.fetch_or(bit, Ordering::AcqRel);
}
