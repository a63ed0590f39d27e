//! Interval timers (setitimer, getitimer; glibc's alarm is setitimer):
//! ITIMER_REAL counts wall-clock time and sends SIGALRM, re-arming itself
//! every interval. Each process has one; fork does not pass it on, execve
//! keeps it. ITIMER_VIRTUAL and ITIMER_PROF need per-process CPU time,
//! which goose does not account yet: they are EINVAL for now (listed as
//! partial in docs/syscalls.md).

use crate::error::Result;
use crate::mm::user::{read_val, write_val};
use crate::process::Process;
use crate::return_errno;
use crate::syscall::{Context, UserAddr};
use abi::Timeval;
use alloc::sync::{Arc, Weak};

const ITIMER_REAL: i32 = 0;
const ITIMER_VIRTUAL: i32 = 1;
const ITIMER_PROF: i32 = 2;

/// A process's real-time interval timer.
#[derive(Clone, Copy, Default)]
pub struct RealTimer {
    /// When it fires next (timer ticks), if armed.
    deadline: Option<u64>,
    /// Re-arm period (ticks); 0 for one shot.
    interval: u64,
    /// Bumped by every setitimer, so a superseded timer does nothing.
    generation: u64,
}

fn ticks(value: &Timeval) -> Result<u64> {
    if value.tv_sec < 0 || !(0..1_000_000).contains(&value.tv_usec) {
        return_errno!(EINVAL);
    }
    let ns = (value.tv_sec as u64).saturating_mul(1_000_000_000).saturating_add(value.tv_usec as u64 * 1000);
    // A non-zero value shorter than a tick still fires.
    Ok(if ns == 0 { 0 } else { hal::timer::ns_to_ticks(ns).max(1) })
}

fn timeval(ticks: u64) -> Timeval {
    let ns = hal::timer::ticks_to_ns(ticks);
    // Round up, as Linux never reports 0 for an armed timer.
    let us = ns.div_ceil(1000);
    Timeval { tv_sec: (us / 1_000_000) as i64, tv_usec: (us % 1_000_000) as i64 }
}

/// The timer as struct itimerval holds it: interval, then time left.
fn current(timer: &RealTimer) -> [Timeval; 2] {
    let left = timer.deadline.map_or(0, |d| d.saturating_sub(hal::timer::now()).max(1));
    [timeval(timer.interval), timeval(left)]
}

/// Arms the timer callback for `generation` at `deadline`.
fn schedule(process: Weak<Process>, deadline: u64, generation: u64) {
    crate::time::timer::arm_callback(deadline, move || fire(process, generation));
}

/// From the timer interrupt: SIGALRM, and the next period if any.
fn fire(process: Weak<Process>, generation: u64) {
    let Some(target) = process.upgrade() else { return };
    let next = {
        let mut timer = target.real_timer.lock();
        if timer.generation != generation || timer.deadline.is_none() {
            return;
        }
        let next = (timer.interval > 0).then(|| hal::timer::now() + timer.interval);
        timer.deadline = next;
        next
    };
    crate::signal::send_info(
        &target,
        abi::signal::SIGALRM,
        crate::signal::SigInfo { code: crate::signal::SI_KERNEL, ..Default::default() },
    );
    if let Some(deadline) = next {
        schedule(Arc::downgrade(&target), deadline, generation);
    }
}

fn check_which(which: i32) -> Result<()> {
    match which {
        ITIMER_REAL => Ok(()),
        ITIMER_VIRTUAL | ITIMER_PROF => {
            return_errno!(EINVAL, "CPU-time interval timers are not supported yet")
        }
        _ => return_errno!(EINVAL),
    }
}

pub fn getitimer(context: &mut Context, which: i32, value: UserAddr) -> Result<()> {
    check_which(which)?;
    let timer = *context.process().real_timer.lock();
    write_val(value, &current(&timer))
}

pub fn setitimer(context: &mut Context, which: i32, new: UserAddr, old: UserAddr) -> Result<()> {
    check_which(which)?;
    // A null new value disarms, as Linux still accepts.
    let [interval, value]: [Timeval; 2] = if new.is_null() { Default::default() } else { read_val(new)? };
    let (interval, value) = (ticks(&interval)?, ticks(&value)?);
    let process = context.process().clone();
    let (previous, generation, deadline) = {
        let mut timer = process.real_timer.lock();
        let previous = current(&timer);
        timer.generation += 1;
        timer.interval = if value == 0 { 0 } else { interval };
        timer.deadline = (value > 0).then(|| hal::timer::now() + value);
        (previous, timer.generation, timer.deadline)
    };
    if let Some(deadline) = deadline {
        schedule(Arc::downgrade(&process), deadline, generation);
    }
    if !old.is_null() {
        write_val(old, &previous)?;
    }
    Ok(())
}
