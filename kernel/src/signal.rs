//! Signals: actions per process, pending sets and masks, delivery on the
//! way back to user mode (default actions, or a handler frame on the user
//! stack in Linux's riscv64 rt_sigframe layout), and rt_sigreturn.

use crate::error::Result;
use crate::process::{Process, Thread};
use abi::signal::{self as sig, DefaultAction, KernelSigaction};
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};
use hal::arch::user_context::reg;
use hal::sync::SpinLock;
use hal::UserContext;

pub struct ProcessSignals {
    pub actions: SpinLock<[KernelSigaction; 64]>,
    /// Signals sent to the process as a whole.
    pub pending: AtomicU64,
    /// Why each pending signal was sent (one per signal: standard signals
    /// do not queue, and goose has no real-time queueing yet).
    pub info: SpinLock<[SigInfo; 64]>,
}

impl Default for ProcessSignals {
    fn default() -> Self {
        ProcessSignals {
            actions: SpinLock::new([KernelSigaction::default(); 64]),
            pending: AtomicU64::new(0),
            info: SpinLock::new([SigInfo::default(); 64]),
        }
    }
}

/// The siginfo_t fields goose fills: si_code and the union member the
/// signal uses (sender for kill, child for SIGCHLD, address for faults).
#[derive(Clone, Copy, Debug, Default)]
pub struct SigInfo {
    pub code: i32,
    pub pid: u32,
    pub uid: u32,
    pub status: i32,
    pub address: usize,
    /// SI_TIMER: the timer's id and overrun count.
    pub timer: (i32, i32),
    /// The sender's value (sigev_value of a timer).
    pub value: u64,
}

pub const SI_USER: i32 = 0;
pub const SI_KERNEL: i32 = 0x80;
pub const SI_TKILL: i32 = -6;
pub const CLD_EXITED: i32 = 1;
pub const CLD_KILLED: i32 = 2;
pub const CLD_DUMPED: i32 = 3;
pub const CLD_STOPPED: i32 = 5;
pub const CLD_CONTINUED: i32 = 6;

impl SigInfo {
    /// Sent by the running process (kill, and the kernel on its behalf).
    pub fn from_current(code: i32) -> SigInfo {
        SigInfo { code, pid: crate::process::current().map_or(0, |p| p.pid), ..SigInfo::default() }
    }

    /// For a fault at `address`, with the fault's si_code.
    pub fn fault(code: i32, address: usize) -> SigInfo {
        SigInfo { code, address, ..SigInfo::default() }
    }

    /// What SIGCHLD (and waitid) says of a child with wait status
    /// `status`: CLD_* and the exit code or signal.
    pub fn child(pid: u32, uid: u32, status: i32) -> SigInfo {
        let (code, status) = if status == abi::wait::CONTINUED {
            (CLD_CONTINUED, sig::SIGCONT as i32)
        } else if status & 0xff == 0x7f {
            (CLD_STOPPED, (status >> 8) & 0xff)
        } else if status & 0x7f == 0 {
            (CLD_EXITED, (status >> 8) & 0xff)
        } else if status & 0x80 != 0 {
            (CLD_DUMPED, status & 0x7f)
        } else {
            (CLD_KILLED, status & 0x7f)
        };
        SigInfo { code, pid, uid, status, ..SigInfo::default() }
    }

    /// Writes siginfo_t's head for `signal` into `out` (128 bytes):
    /// si_signo, si_code, then the union at 16 (the fault address for
    /// fault signals, else pid, uid and status).
    pub fn encode(&self, signal: u32, out: &mut [u8]) {
        out[0..4].copy_from_slice(&(signal as i32).to_le_bytes());
        out[8..12].copy_from_slice(&self.code.to_le_bytes());
        match signal {
            sig::SIGSEGV | sig::SIGBUS | sig::SIGILL | sig::SIGFPE | sig::SIGTRAP if self.code > 0 => {
                out[16..24].copy_from_slice(&(self.address as u64).to_le_bytes());
            }
            _ if self.code == crate::time::posix_timer::SI_TIMER => {
                out[16..20].copy_from_slice(&self.timer.0.to_le_bytes());
                out[20..24].copy_from_slice(&self.timer.1.to_le_bytes());
                out[24..32].copy_from_slice(&self.value.to_le_bytes());
            }
            _ => {
                out[16..20].copy_from_slice(&self.pid.to_le_bytes());
                out[20..24].copy_from_slice(&self.uid.to_le_bytes());
                out[24..28].copy_from_slice(&self.status.to_le_bytes());
            }
        }
    }
}

/// Makes `signal` pending for `process` as sent by the running process
/// (SI_USER) and wakes its threads.
pub fn send(process: &Arc<Process>, signal: u32) {
    send_info(process, signal, SigInfo::from_current(SI_USER));
}

/// Makes `signal` pending for `process`, with `info`, and wakes one of
/// its threads that does not block it (any thread may take a signal sent
/// to the process).
pub fn send_info(process: &Arc<Process>, signal: u32, info: SigInfo) {
    if !accepts(process, signal) {
        return;
    }
    let bit = sig::bit(signal);
    {
        // A signal already pending keeps its first info (no queueing).
        let mut infos = process.signals.info.lock();
        if process.signals.pending.load(Ordering::Acquire) & bit == 0 {
            infos[signal as usize - 1] = info;
        }
        process.signals.pending.fetch_or(bit, Ordering::AcqRel);
    }
    let threads: alloc::vec::Vec<Arc<Thread>> =
        process.threads.lock().iter().filter_map(|t| t.upgrade()).collect();
    let unblocked = |t: &&Arc<Thread>| t.mask.load(Ordering::Acquire) & bit == 0 || bit & UNBLOCKABLE != 0;
    if let Some(thread) = threads.iter().find(unblocked) {
        thread.wake_for_signal();
    }
}

/// Makes `signal` pending for `thread` alone (tgkill), with `info`.
pub fn send_to_thread(thread: &Arc<Thread>, signal: u32, info: SigInfo) {
    if accepts(&thread.process, signal) {
        thread.send(signal, info);
    }
}

/// What sending does before the signal is queued: nothing for a process
/// that is ending; job control's immediate effects; and an ignored
/// signal is dropped. Whether to queue it.
fn accepts(process: &Arc<Process>, signal: u32) -> bool {
    if signal == 0 || signal > sig::NSIG {
        return false;
    }
    {
        let family = process.family.lock();
        if family.exit_status.is_some() || family.group_exit.is_some() {
            return false;
        }
    }
    job_control_on_send(process, signal);
    let action = process.signals.actions.lock()[signal as usize - 1];
    let ignored = action.handler == sig::SIG_IGN
        || (action.handler == sig::SIG_DFL && sig::default_action(signal) == DefaultAction::Ignore);
    !ignored || signal == sig::SIGKILL
}

const STOP_SIGNALS: u64 =
    sig::bit(sig::SIGSTOP) | sig::bit(sig::SIGTSTP) | sig::bit(sig::SIGTTIN) | sig::bit(sig::SIGTTOU);

/// What sending does at once, whatever the signal's action: SIGCONT
/// resumes a stopped process and discards pending stops; a stop signal
/// discards a pending SIGCONT; SIGKILL wakes a stopped process to die.
fn job_control_on_send(process: &Arc<Process>, signal: u32) {
    if signal == sig::SIGCONT {
        process.signals.pending.fetch_and(!STOP_SIGNALS, Ordering::AcqRel);
        for thread in process.threads.lock().iter().filter_map(|t| t.upgrade()) {
            thread.pending.fetch_and(!STOP_SIGNALS, Ordering::AcqRel);
        }
        let was_stopped = {
            let mut family = process.family.lock();
            let was = family.stopped;
            if was {
                family.stopped = false;
                process.stopped.store(false, Ordering::Release);
                family.stop_report = Some(abi::wait::CONTINUED);
            }
            was
        };
        if was_stopped {
            process.resumed.wake_all();
            notify_parent(process, abi::wait::CONTINUED);
        }
    } else if sig::bit(signal) & STOP_SIGNALS != 0 {
        process.signals.pending.fetch_and(!sig::bit(sig::SIGCONT), Ordering::AcqRel);
    } else if signal == sig::SIGKILL {
        process.resumed.wake_all();
    }
}

/// Tells the parent a child stopped or continued: SIGCHLD unless the
/// parent asked for none (SA_NOCLDSTOP), and a wake-up of its wait.
fn notify_parent(process: &Arc<Process>, status: i32) {
    let Some(parent) = process.parent() else { return };
    let action = parent.signals.actions.lock()[sig::SIGCHLD as usize - 1];
    if action.flags & sig::SA_NOCLDSTOP == 0 {
        let uid = process.credentials.lock().uid;
        send_info(&parent, sig::SIGCHLD, SigInfo::child(process.pid, uid, status));
    }
    parent.child_event.wake_all();
}

/// The default action of a stop signal: the process stops until SIGCONT
/// (or dies by SIGKILL); its parent learns of it. Its other threads stop
/// on their next way to user mode (`deliver`).
fn stop(thread: &Arc<Thread>, signal: u32) {
    let process = &thread.process;
    {
        let mut family = process.family.lock();
        family.stopped = true;
        process.stopped.store(true, Ordering::Release);
        family.stop_report = Some(abi::wait::stopped(signal));
    }
    notify_parent(process, abi::wait::stopped(signal));
    for other in process.threads.lock().iter().filter_map(|t| t.upgrade()) {
        if !Arc::ptr_eq(&other, thread) {
            other.wake_for_signal();
        }
    }
    wait_while_stopped(thread);
}

/// Sleeps while the process is stopped (until SIGCONT or SIGKILL).
fn wait_while_stopped(thread: &Arc<Thread>) {
    let process = &thread.process;
    let killed = || thread.deliverable() & sig::bit(sig::SIGKILL) != 0;
    process.resumed.wait_until(|| !process.stopped.load(Ordering::Acquire) || killed());
}

/// Sends from the kernel (the terminal's ^C, ^Z, ^\) to a process group.
pub fn send_to_group(group: u32, signal: u32) -> usize {
    let members: alloc::vec::Vec<_> =
        crate::process::all().into_iter().filter(|p| p.process_group() == group).collect();
    for process in &members {
        send_info(process, signal, SigInfo { code: SI_KERNEL, ..SigInfo::default() });
    }
    members.len()
}

pub fn send_to_current(signal: u32) {
    if let Some(process) = crate::process::current() {
        send(&process, signal);
    }
}

/// Whether the running thread has a signal it does not block (blocking
/// calls give up with EINTR then).
pub fn current_has_pending() -> bool {
    crate::process::syscalls::current_thread().is_some_and(|t| t.deliverable() != 0)
}

/// Signals no mask can block.
pub const UNBLOCKABLE: u64 = sig::bit(sig::SIGKILL) | sig::bit(sig::SIGSTOP);

impl Thread {
    /// Waits that take a mask for their duration (rt_sigsuspend, ppoll,
    /// pselect6) install it here; the mask before comes back once a
    /// signal has been handled, or on the way out (`deliver`). A
    /// restarted call keeps the mask of the first.
    pub fn set_temporary_mask(&self, mask: u64) {
        let old = self.mask.swap(mask & !UNBLOCKABLE, Ordering::AcqRel);
        self.saved_mask.lock().get_or_insert(old);
        self.slow_return.store(true, Ordering::Relaxed);
    }

    /// Pending signals not blocked by the mask.
    pub fn deliverable(&self) -> u64 {
        let pending =
            self.process.signals.pending.load(Ordering::Acquire) | self.pending.load(Ordering::Acquire);
        let mask = self.mask.load(Ordering::Acquire) & !UNBLOCKABLE;
        pending & !mask
    }
}

/// Takes the lowest signal of `set` pending for `thread` (its own first,
/// then its process's), with its info, without running any action
/// (delivery, rt_sigtimedwait).
pub fn take_pending(thread: &Thread, set: u64) -> Option<(u32, SigInfo)> {
    let own = thread.pending.load(Ordering::Acquire) & set;
    if own != 0 {
        let signal = own.trailing_zeros() + 1;
        let infos = thread.pending_info.lock();
        thread.pending.fetch_and(!sig::bit(signal), Ordering::AcqRel);
        return Some((signal, taken(thread, infos[signal as usize - 1])));
    }
    let shared = thread.process.signals.pending.load(Ordering::Acquire) & set;
    if shared != 0 {
        let signal = shared.trailing_zeros() + 1;
        let infos = thread.process.signals.info.lock();
        // Another thread may have taken it meanwhile.
        let previous = thread.process.signals.pending.fetch_and(!sig::bit(signal), Ordering::AcqRel);
        if previous & sig::bit(signal) != 0 {
            return Some((signal, taken(thread, infos[signal as usize - 1])));
        }
    }
    None
}

/// The info of a signal as it is taken: a timer's carries the overruns
/// counted until now.
fn taken(thread: &Thread, mut info: SigInfo) -> SigInfo {
    if info.code == crate::time::posix_timer::SI_TIMER {
        info.timer.1 = crate::time::posix_timer::take_overrun(&thread.process, info.timer.0);
    }
    info
}

/// Offsets in the rt_sigframe (checked against riscv64 glibc's layout:
/// siginfo 128 bytes, ucontext 960, uc_sigmask at 40, uc_mcontext at 176).
const FRAME_SIZE: usize = 1088;
const UCONTEXT: usize = 128;
const SIGMASK: usize = UCONTEXT + 40;
const MCONTEXT: usize = UCONTEXT + 176;
const FP_STATE: usize = MCONTEXT + 256;

/// How a syscall cut short by a signal continues (Linux's -ERESTART*
/// codes, which never reach user space).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restart {
    /// Restarted unless a handler without SA_RESTART runs (EINTR then).
    Sys,
    /// Always restarted.
    NoIntr,
    /// Restarted unless a handler runs (EINTR then).
    NoHand,
    /// Continued through restart_syscall unless a handler runs (EINTR
    /// then), with what the thread's restart block remembers.
    Block,
}

impl Restart {
    pub fn from_return(value: isize) -> Option<Restart> {
        match value.checked_neg()? as i32 {
            v if v == abi::Errno::ERESTARTSYS as i32 => Some(Restart::Sys),
            v if v == abi::Errno::ERESTARTNOINTR as i32 => Some(Restart::NoIntr),
            v if v == abi::Errno::ERESTARTNOHAND as i32 => Some(Restart::NoHand),
            v if v == abi::Errno::ERESTART_RESTARTBLOCK as i32 => Some(Restart::Block),
            _ => None,
        }
    }

    fn restarts_for_handler(self, action: &KernelSigaction) -> bool {
        match self {
            Restart::Sys => action.flags & sig::SA_RESTART != 0,
            Restart::NoIntr => true,
            Restart::NoHand | Restart::Block => false,
        }
    }
}

/// Makes the interrupted syscall run again: back to its ecall with its
/// first argument restored, or as restart_syscall for a restart block.
fn restart_syscall(user: &mut UserContext, kind: Restart, first_argument: usize) {
    const RESTART_SYSCALL: usize = 128;
    if kind == Restart::Block {
        user.regs[reg::A7] = RESTART_SYSCALL;
    }
    user.regs[reg::A0] = first_argument;
    user.pc -= 4;
}

/// Delivers what is deliverable before returning to user mode, and
/// settles a syscall that asked to be restarted: restarted, or EINTR if a
/// handler runs that calls for it.
pub fn deliver(thread: &Arc<Thread>, user: &mut UserContext) {
    // The common case: nothing to deliver, restart or restore.
    if !thread.slow_return.load(Ordering::Relaxed)
        && thread.deliverable() == 0
        && !thread.process.stopped.load(Ordering::Acquire)
    {
        return;
    }
    // This call consumes the restart and the saved mask, whichever way
    // it ends.
    thread.slow_return.store(false, Ordering::Relaxed);
    let mut restart = thread.take_restart();
    if thread.process.stopped.load(Ordering::Acquire) {
        wait_while_stopped(thread);
    }
    loop {
        let deliverable = thread.deliverable();
        if deliverable == 0 {
            break;
        }
        // Signals sent to the thread itself come first, then the
        // process's; each with the info it was sent with. Another thread
        // may take a process signal first: look again then.
        let Some((signal, info)) = take_pending(thread, deliverable) else { continue };
        let action = thread.process.signals.actions.lock()[signal as usize - 1];
        match action.handler {
            sig::SIG_IGN if signal != sig::SIGKILL => continue,
            sig::SIG_DFL => match sig::default_action(signal) {
                DefaultAction::Ignore | DefaultAction::Continue => continue,
                DefaultAction::Stop => {
                    stop(thread, signal);
                    continue;
                }
                DefaultAction::Terminate | DefaultAction::CoreDump => {
                    crate::process::exit_process(thread, abi::wait::signaled(signal, false));
                    return;
                }
            },
            _ if signal == sig::SIGKILL => {
                crate::process::exit_process(thread, abi::wait::signaled(signal, false));
                return;
            }
            handler => {
                if let Some((kind, first_argument)) = restart.take() {
                    if kind.restarts_for_handler(&action) {
                        restart_syscall(user, kind, first_argument);
                    } else {
                        user.regs[reg::A0] = (-(abi::Errno::EINTR as i32 as isize)) as usize;
                    }
                }
                // The frame records the mask to return to: the one a
                // temporary-mask wait (sigsuspend) replaced, if any.
                let return_mask = thread.saved_mask.lock().take();
                if push_frame(thread, user, signal, &info, handler, &action, return_mask).is_err() {
                    crate::process::exit_process(thread, abi::wait::signaled(sig::SIGSEGV, false));
                    return;
                }
                if action.flags & sig::SA_RESETHAND != 0 {
                    thread.process.signals.actions.lock()[signal as usize - 1] = KernelSigaction::default();
                }
                return;
            }
        }
    }
    if let Some((kind, first_argument)) = restart {
        restart_syscall(user, kind, first_argument);
    }
    if let Some(mask) = thread.saved_mask.lock().take() {
        thread.mask.store(mask, Ordering::Release);
    }
}

fn push_frame(
    thread: &Thread,
    user: &mut UserContext,
    signal: u32,
    info: &SigInfo,
    handler: u64,
    action: &KernelSigaction,
    return_mask: Option<u64>,
) -> Result<()> {
    use crate::mm::user::write_bytes;
    use crate::syscall::UserAddr;
    // SA_ONSTACK: the frame goes on the alternate stack, unless the thread
    // is on it already (a nested signal stays where it is).
    let alt_stack = *thread.alt_stack.lock();
    let current_sp = user.regs[reg::SP];
    let on_alt_stack = alt_stack.is_some_and(|s| s.contains(current_sp));
    let top = match alt_stack {
        Some(stack) if action.flags & sig::SA_ONSTACK != 0 && !on_alt_stack => stack.base + stack.size,
        _ => current_sp,
    };
    let sp = (top.wrapping_sub(FRAME_SIZE)) & !15;
    let mut frame = alloc::vec![0u8; FRAME_SIZE];
    info.encode(signal, &mut frame);
    let old_mask = return_mask.unwrap_or_else(|| thread.mask.load(Ordering::Acquire));
    frame[SIGMASK..SIGMASK + 8].copy_from_slice(&old_mask.to_le_bytes());
    // uc_stack: the alternate stack as it was (sigaltstack's view);
    // rt_sigreturn puts it back. SS_AUTODISARM takes it away meanwhile.
    let using_alt_stack = top != current_sp;
    if let Some(stack) = alt_stack {
        let flags: u64 = if on_alt_stack { 1 } else { 0 } | if stack.auto_disarm { 1 << 31 } else { 0 };
        if using_alt_stack && stack.auto_disarm {
            *thread.alt_stack.lock() = None;
        }
        frame[UCONTEXT + 16..UCONTEXT + 24].copy_from_slice(&(stack.base as u64).to_le_bytes());
        frame[UCONTEXT + 24..UCONTEXT + 32].copy_from_slice(&flags.to_le_bytes());
        frame[UCONTEXT + 32..UCONTEXT + 40].copy_from_slice(&(stack.size as u64).to_le_bytes());
    } else {
        frame[UCONTEXT + 24..UCONTEXT + 32].copy_from_slice(&2u64.to_le_bytes());
    }
    frame[MCONTEXT..MCONTEXT + 8].copy_from_slice(&(user.pc as u64).to_le_bytes());
    for register in 1..32 {
        let at = MCONTEXT + register * 8;
        frame[at..at + 8].copy_from_slice(&(user.regs[register] as u64).to_le_bytes());
    }
    let fp = user.fp_registers();
    for (i, value) in fp.f.iter().enumerate() {
        frame[FP_STATE + i * 8..FP_STATE + i * 8 + 8].copy_from_slice(&value.to_le_bytes());
    }
    frame[FP_STATE + 256..FP_STATE + 260].copy_from_slice(&fp.fcsr.to_le_bytes());
    write_bytes(UserAddr(sp), &frame)?;
    let mut new_mask = thread.mask.load(Ordering::Acquire) | action.mask;
    if action.flags & sig::SA_NODEFER == 0 {
        new_mask |= sig::bit(signal);
    }
    thread.mask.store(new_mask, Ordering::Release);
    user.regs[reg::SP] = sp;
    user.regs[reg::A0] = signal as usize;
    user.regs[reg::A1] = sp;
    user.regs[reg::A2] = sp + UCONTEXT;
    // Handlers return into the vDSO's __vdso_rt_sigreturn, as on Linux.
    user.regs[reg::RA] = thread.process.vm().map_or(0, |space| space.sigreturn_address());
    user.pc = handler as usize;
    Ok(())
}

/// rt_sigreturn: restores the registers and mask saved by push_frame.
pub fn restore_frame(thread: &Thread, user: &mut UserContext) -> Result<()> {
    use crate::mm::user::read_bytes;
    use crate::syscall::UserAddr;
    let sp = user.regs[reg::SP];
    let mut frame = alloc::vec![0u8; FRAME_SIZE];
    read_bytes(UserAddr(sp), &mut frame)?;
    let word = |at: usize| u64::from_le_bytes(frame[at..at + 8].try_into().unwrap_or([0; 8]));
    user.pc = word(MCONTEXT) as usize;
    for register in 1..32 {
        user.regs[register] = word(MCONTEXT + register * 8) as usize;
    }
    let mut fp = *user.fp_registers();
    for (i, value) in fp.f.iter_mut().enumerate() {
        *value = word(FP_STATE + i * 8);
    }
    fp.fcsr = u32::from_le_bytes(frame[FP_STATE + 256..FP_STATE + 260].try_into().unwrap_or([0; 4]));
    user.set_fp_registers(fp);
    let mask = word(SIGMASK) & !UNBLOCKABLE;
    thread.mask.store(mask, Ordering::Release);
    // The alternate stack as uc_stack says (Linux's restore_altstack),
    // unless the thread is running on the current one.
    let (base, flags, size) = (word(UCONTEXT + 16), word(UCONTEXT + 24), word(UCONTEXT + 32));
    let on_current = thread.alt_stack.lock().is_some_and(|s| s.contains(user.regs[reg::SP]));
    if !on_current {
        *thread.alt_stack.lock() = if flags & 2 != 0 || size < 2048 {
            None
        } else {
            Some(crate::process::AltStack {
                base: base as usize,
                size: size as usize,
                auto_disarm: flags & (1 << 31) != 0,
            })
        };
    }
    Ok(())
}
