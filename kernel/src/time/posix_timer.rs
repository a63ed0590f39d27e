//! POSIX per-process timers (timer_create(2) and friends) on the wall
//! and monotonic clocks: each fires from the timer interrupt and sends its
//! signal to the process, or to one of its threads (SIGEV_THREAD_ID, which
//! glibc's SIGEV_THREAD and Go use), with si_code SI_TIMER, the timer id,
//! the overrun count and the caller's value. Timers on CPU-time clocks
//! are not supported (EINVAL). A process's timers end at execve and are
//! not inherited by fork.

use crate::error::Result;
use crate::mm::user::{read_val, write_val};
use crate::process::Process;
use crate::return_errno;
use crate::signal::SigInfo;
use crate::syscall::{Context, UserAddr};
use abi::Timespec;
use alloc::collections::BTreeMap;
use alloc::sync::{Arc, Weak};

/// What a timer does when it expires (struct sigevent's sigev_notify).
#[derive(Clone, Copy)]
enum Notify {
    None,
    Process { signal: u32 },
    Thread { signal: u32, tid: u32 },
}

#[derive(Clone, Copy)]
struct Timer {
    realtime: bool,
    notify: Notify,
    value: u64,
    /// Next expiry (timer ticks, monotonic), if armed.
    deadline: Option<u64>,
    /// Period (ticks); 0 for one shot.
    interval: u64,
    /// Bumped by every timer_settime, so a superseded expiry does nothing.
    generation: u64,
    /// Expirations while its signal was still pending.
    overrun: i32,
}

/// A process's timers, by id.
#[derive(Default)]
pub struct Timers {
    timers: BTreeMap<i32, Timer>,
}

const SIGEV_SIGNAL: i32 = 0;
const SIGEV_NONE: i32 = 1;
const SIGEV_THREAD_ID: i32 = 4;
const TIMER_ABSTIME: i32 = 1;
pub const SI_TIMER: i32 = -2;

/// struct sigevent (64 bytes): the value, the signal, how to notify,
/// and the thread for SIGEV_THREAD_ID.
struct SigEvent {
    value: u64,
    signal: i32,
    notify: i32,
    thread: i32,
}

impl SigEvent {
    fn read(address: UserAddr) -> Result<SigEvent> {
        let words: [u64; 8] = read_val(address)?;
        Ok(SigEvent {
            value: words[0],
            signal: words[1] as u32 as i32,
            notify: (words[1] >> 32) as u32 as i32,
            thread: words[2] as u32 as i32,
        })
    }
}

pub fn timer_create(context: &mut Context, clock: i32, event: UserAddr, id: UserAddr) -> Result<()> {
    let realtime = match clock {
        0 | 8 => true,      // REALTIME, REALTIME_ALARM
        1 | 7 | 9 => false, // MONOTONIC, BOOTTIME, BOOTTIME_ALARM
        4..=6 => return_errno!(EOPNOTSUPP),
        2 | 3 => return_errno!(EINVAL, "CPU-time timers are not supported"),
        _ => return_errno!(EINVAL),
    };
    let process = context.process().clone();
    let event = if event.is_null() { None } else { Some(SigEvent::read(event)?) };
    let valid_signal = |signal: i32| signal > 0 && signal <= abi::signal::NSIG as i32;
    let mut timers = process.posix_timers.lock();
    let new_id = (0..).find(|i| !timers.timers.contains_key(i)).unwrap_or(0);
    let (notify, value) = match event {
        // No sigevent: SIGALRM to the process, with the id as value.
        None => (Notify::Process { signal: abi::signal::SIGALRM }, new_id as u64),
        Some(e) => {
            let notify = match e.notify {
                SIGEV_NONE => Notify::None,
                SIGEV_SIGNAL if valid_signal(e.signal) => Notify::Process { signal: e.signal as u32 },
                SIGEV_THREAD_ID if valid_signal(e.signal) => {
                    let thread = crate::process::find_thread(e.thread as u32)
                        .filter(|t| Arc::ptr_eq(&t.process, &process))
                        .ok_or(abi::Errno::EINVAL)?;
                    Notify::Thread { signal: e.signal as u32, tid: thread.tid() }
                }
                _ => return_errno!(EINVAL),
            };
            (notify, e.value)
        }
    };
    write_val(id, &new_id)?;
    let timer = Timer { realtime, notify, value, deadline: None, interval: 0, generation: 0, overrun: 0 };
    timers.timers.insert(new_id, timer);
    Ok(())
}

fn ticks_of(span: &Timespec) -> Result<u64> {
    let ns = crate::time::timespec_ns(span)?;
    Ok(if ns == 0 { 0 } else { hal::timer::ns_to_ticks(ns).max(1) })
}

/// struct itimerspec of a timer: its period, then the time left.
fn current(timer: &Timer) -> [Timespec; 2] {
    let left = timer.deadline.map_or(0, |d| d.saturating_sub(hal::timer::now()).max(1));
    [
        crate::time::timespec(hal::timer::ticks_to_ns(timer.interval)),
        crate::time::timespec(hal::timer::ticks_to_ns(left)),
    ]
}

pub fn timer_settime(context: &mut Context, id: i32, flags: i32, new: UserAddr, old: UserAddr) -> Result<()> {
    let process = context.process().clone();
    if !process.posix_timers.lock().timers.contains_key(&id) {
        return_errno!(EINVAL);
    }
    if new.is_null() {
        return_errno!(EINVAL);
    }
    let [interval, value]: [Timespec; 2] = read_val(new)?;
    let interval = ticks_of(&interval)?;
    let value_ns = crate::time::timespec_ns(&value)?;
    let (previous, armed) = {
        let mut timers = process.posix_timers.lock();
        let timer = timers.timers.get_mut(&id).ok_or(abi::Errno::EINVAL)?;
        let previous = current(timer);
        timer.generation += 1;
        timer.overrun = 0;
        timer.deadline = if value_ns == 0 {
            None
        } else if flags & TIMER_ABSTIME != 0 {
            let now = if timer.realtime { crate::time::realtime_ns() } else { crate::time::monotonic_ns() };
            Some(crate::time::deadline_after(value_ns.saturating_sub(now)))
        } else {
            Some(crate::time::deadline_after(value_ns).max(hal::timer::now() + 1))
        };
        timer.interval = if timer.deadline.is_some() { interval } else { 0 };
        (previous, timer.deadline.map(|d| (d, timer.generation)))
    };
    if let Some((deadline, generation)) = armed {
        schedule(Arc::downgrade(&process), id, deadline, generation);
    }
    if !old.is_null() {
        write_val(old, &previous)?;
    }
    Ok(())
}

pub fn timer_gettime(context: &mut Context, id: i32, value: UserAddr) -> Result<()> {
    let timer = *context.process().posix_timers.lock().timers.get(&id).ok_or(abi::Errno::EINVAL)?;
    write_val(value, &current(&timer))
}

pub fn timer_getoverrun(context: &mut Context, id: i32) -> Result<i32> {
    let timers = context.process().posix_timers.lock();
    Ok(timers.timers.get(&id).ok_or(abi::Errno::EINVAL)?.overrun)
}

pub fn timer_delete(context: &mut Context, id: i32) -> Result<()> {
    match context.process().posix_timers.lock().timers.remove(&id) {
        Some(_) => Ok(()),
        None => return_errno!(EINVAL),
    }
}

/// When a timer's signal is taken: its si_overrun is the expirations
/// counted since it was sent, and the count starts again.
pub fn take_overrun(process: &Process, id: i32) -> i32 {
    let mut timers = process.posix_timers.lock();
    timers.timers.get_mut(&id).map_or(0, |timer| core::mem::take(&mut timer.overrun))
}

/// Ends every timer of the process (execve).
pub fn delete_all(process: &Process) {
    process.posix_timers.lock().timers.clear();
}

fn schedule(process: Weak<Process>, id: i32, deadline: u64, generation: u64) {
    crate::time::timer::arm_callback(deadline, move || fire(process, id, generation));
}

/// From the timer interrupt: the signal (or an overrun if the last one is
/// still pending), and the next period if any.
fn fire(process: Weak<Process>, id: i32, generation: u64) {
    let Some(target) = process.upgrade() else { return };
    let (timer, next) = {
        let mut timers = target.posix_timers.lock();
        let Some(timer) = timers.timers.get_mut(&id) else { return };
        if timer.generation != generation || timer.deadline.is_none() {
            return;
        }
        let next = (timer.interval > 0).then(|| hal::timer::now() + timer.interval);
        timer.deadline = next;
        (*timer, next)
    };
    let info = SigInfo { code: SI_TIMER, timer: (id, 0), value: timer.value, ..SigInfo::default() };
    let still_pending = |signal: u32, pending: u64| pending & abi::signal::bit(signal) != 0;
    let overran = match timer.notify {
        Notify::None => false,
        Notify::Process { signal } => {
            if still_pending(signal, target.signals.pending.load(core::sync::atomic::Ordering::Acquire)) {
                true
            } else {
                crate::signal::send_info(&target, signal, info);
                false
            }
        }
        Notify::Thread { signal, tid } => match crate::process::find_thread(tid) {
            Some(thread)
                if still_pending(signal, thread.pending.load(core::sync::atomic::Ordering::Acquire)) =>
            {
                true
            }
            Some(thread) => {
                crate::signal::send_to_thread(&thread, signal, info);
                false
            }
            None => false,
        },
    };
    if overran {
        let mut timers = target.posix_timers.lock();
        if let Some(timer) = timers.timers.get_mut(&id).filter(|t| t.generation == generation) {
            // Saturating at i32::MAX, Linux's DELAYTIMER_MAX.
            timer.overrun = timer.overrun.saturating_add(1);
        }
    }
    if let Some(deadline) = next {
        schedule(Arc::downgrade(&target), id, deadline, generation);
    }
}
