//! A user thread: a kernel task that runs user code in a loop and handles
//! what brings it back to the kernel (syscalls, faults, interrupts), then
//! delivers signals before it returns to user mode.

use super::{Pid, Process};
use crate::error::Result;
use crate::mm::space::AddressSpace;
use crate::sched::{self, Task};
use crate::signal::SigInfo;
use alloc::sync::{Arc, Weak};
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use hal::cpu::MAX_HARTS;
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

pub struct Thread {
    pub tid: Pid,
    pub process: Arc<Process>,
    /// Blocked signals.
    pub mask: AtomicU64,
    /// Signals sent to this thread alone.
    pub pending: AtomicU64,
    /// set_tid_address / CLONE_CHILD_CLEARTID: zeroed at exit.
    pub clear_child_tid: AtomicUsize,
    /// The thread's name (comm): the program's base name, or PR_SET_NAME.
    pub name: SpinLock<[u8; 16]>,
    /// Set once the thread has exited (exit_process): its run loop ends.
    pub exited: core::sync::atomic::AtomicBool,
    /// The mask to restore once a signal has been handled, set by calls
    /// that wait with a temporary mask (rt_sigsuspend).
    ///
    /// These per-thread fields are touched only by the thread itself, never
    /// from an interrupt, so a plain spin lock serves (no interrupt
    /// masking: they sit on the path of every syscall).
    pub saved_mask: spin::Mutex<Option<u64>>,
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
            tid,
            process: process.clone(),
            mask: AtomicU64::new(mask),
            pending: AtomicU64::new(0),
            clear_child_tid: AtomicUsize::new(0),
            name: SpinLock::new([0; 16]),
            exited: core::sync::atomic::AtomicBool::new(false),
            saved_mask: spin::Mutex::new(None),
            restart: spin::Mutex::new(None),
            restart_block: spin::Mutex::new(None),
            alt_stack: spin::Mutex::new(None),
            task: spin::Once::new(),
        });
        process.threads.lock().push(Arc::downgrade(&thread));
        thread
    }

    pub fn set_restart(&self, kind: crate::signal::Restart, first_argument: usize) {
        *self.restart.lock() = Some((kind, first_argument));
    }

    pub fn take_restart(&self) -> Option<(crate::signal::Restart, usize)> {
        self.restart.lock().take()
    }

    /// Where the thread's task is (None before it starts or after it ends).
    pub fn task_state(&self) -> Option<crate::sched::State> {
        self.task.get().and_then(Weak::upgrade).map(|t| t.state())
    }

    /// Wakes the thread if it sleeps, so it sees a new signal.
    pub fn wake_for_signal(&self) {
        if let Some(task) = self.task.get().and_then(Weak::upgrade) {
            sched::wake(&task);
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
    let task = sched::spawn_with("user", Some(thread.clone()), move || run(body_thread, user))
        .map_err(|_| abi::Errno::ENOMEM)?;
    thread.task.call_once(|| Arc::downgrade(&task));
    Ok(())
}

/// The address space each hart has in satp, kept alive while it is there.
static ACTIVE: [SpinLock<Option<Arc<AddressSpace>>>; MAX_HARTS] = [const { SpinLock::new(None) }; MAX_HARTS];
/// For the fast check on every return to user mode, without a lock: the
/// address of the active space (0 for none) and its TLB generation when
/// this hart last flushed. Only the hart itself touches its slots, with
/// interrupts off.
static ACTIVE_KEY: [AtomicUsize; MAX_HARTS] = [const { AtomicUsize::new(0) }; MAX_HARTS];
static ACTIVE_GENERATION: [AtomicU64; MAX_HARTS] = [const { AtomicU64::new(0) }; MAX_HARTS];

/// Puts `space` in this hart's satp, with a TLB flush, unless it is there
/// already and unchanged since. Takes no lock on the way that costs
/// nothing (the usual case), so it is safe inside the scheduler whoever
/// holds the address space.
fn activate(space: &Arc<AddressSpace>) {
    // Interrupts off first: the hart must not change under us.
    let was_on = hal::arch::csr::interrupts_disable();
    let hart = hal::cpu::index();
    let generation = space.generation();
    let key = Arc::as_ptr(space) as usize;
    if ACTIVE_KEY[hart].load(Ordering::Relaxed) != key
        || ACTIVE_GENERATION[hart].load(Ordering::Relaxed) != generation
    {
        space.root().activate();
        ACTIVE_KEY[hart].store(key, Ordering::Relaxed);
        ACTIVE_GENERATION[hart].store(generation, Ordering::Relaxed);
        // The slot keeps the space alive (so its address cannot be reused
        // while it is the key); the previous one may be freed here.
        let previous = ACTIVE[hart].lock().replace(space.clone());
        drop(previous);
    }
    hal::arch::csr::interrupts_restore(was_on);
}

/// After a switch, on whichever hart the task resumed: a user thread's
/// kernel code (a syscall that slept) must see its own address space.
pub fn after_switch() {
    let Some(thread) = current() else { return };
    if let Some(space) = thread.process.vm() {
        activate(&space);
    }
}

/// Switches this hart to the kernel's own table and lets go of the user
/// one (before an address space is destroyed).
pub fn deactivate() {
    let was_on = hal::arch::csr::interrupts_disable();
    let hart = hal::cpu::index();
    hal::memory::use_kernel_table();
    ACTIVE_KEY[hart].store(0, Ordering::Relaxed);
    let previous = ACTIVE[hart].lock().take();
    drop(previous);
    hal::arch::csr::interrupts_restore(was_on);
}

fn run(thread: Arc<Thread>, mut user: UserContext) {
    // This thread's own reference to its address space, refreshed only
    // when exec (or exit) replaces it: no lock on the way to user mode.
    let mut space: Option<(Arc<AddressSpace>, u64)> = None;
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
        match user.run() {
            UserEvent::Syscall => crate::syscall::handle(&thread, &mut user),
            UserEvent::Interrupt => {}
            UserEvent::PageFault { address, access } => {
                log::trace!(
                    "pid {}: fault at {address:#x} ({access:?}), pc {:#x}",
                    thread.process.pid,
                    user.pc
                );
                let resolved = space.as_ref().map(|(vm, _)| vm.lock().handle_fault(address, access));
                match resolved {
                    Some(Ok(())) => {}
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
    thread.process.signals.info.lock()[signal as usize - 1] = info;
    let bit = abi::signal::bit(signal);
    let action = thread.process.signals.actions.lock()[signal as usize - 1];
    let blocked = thread.mask.load(Ordering::Acquire) & bit != 0;
    if blocked || action.handler == abi::signal::SIG_IGN {
        thread.process.signals.actions.lock()[signal as usize - 1] = abi::signal::KernelSigaction::default();
        thread.mask.fetch_and(!bit, Ordering::AcqRel);
    }
    thread.pending.fetch_or(bit, Ordering::AcqRel);
}
