//! timerfd: a timer as a file (fs/timerfd.c). Expiry counts a tick and
//! makes the file readable; read returns the ticks since the last read.
//! As in Linux, a periodic timer is not re-armed from the timer
//! interrupt: read (or timerfd_gettime) moves its expiry forward past now
//! and counts the periods that went by, so an unread timer costs nothing.
//!
//! Expiry times are kept on the monotonic clock, in signed nanoseconds (a
//! CLOCK_REALTIME deadline may lie before boot); goose's realtime clock
//! is monotonic time plus a fixed offset, so converting once is exact.

use super::file::{FileOps, Metadata, OpenFile, Readiness, O_RDWR};
use crate::error::Result;
use crate::mm::user::{read_val, write_val};
use crate::return_errno;
use crate::sync::WaitQueue;
use crate::syscall::{Context, UserAddr};
use abi::open_flags::{O_CLOEXEC, O_NONBLOCK};
use abi::Timespec;
use alloc::sync::{Arc, Weak};
use hal::sync::SpinLock;

const CLOCK_REALTIME: i32 = 0;
const CLOCK_MONOTONIC: i32 = 1;
const CLOCK_BOOTTIME: i32 = 7;
const CLOCK_REALTIME_ALARM: i32 = 8;
const CLOCK_BOOTTIME_ALARM: i32 = 9;

const TFD_TIMER_ABSTIME: i32 = 1;
/// Cancels the timer when the realtime clock is set; goose's never is.
const TFD_TIMER_CANCEL_ON_SET: i32 = 2;

#[derive(Default)]
struct State {
    /// The next expiry (monotonic ns), while armed; kept after a one-shot
    /// expiry so the time left reads 0.
    expiry_ns: Option<i64>,
    interval_ns: i64,
    /// Expirations not read yet.
    ticks: u64,
    /// Fired and not re-armed yet (Linux's ctx->expired).
    is_expired: bool,
    /// Bumped by every settime, so a superseded callback does nothing.
    generation: u64,
}

pub struct TimerFd {
    is_realtime: bool,
    state: SpinLock<State>,
    queue: WaitQueue,
    me: Weak<TimerFd>,
}

fn now_ns() -> i64 {
    crate::time::monotonic_ns() as i64
}

/// A timespec as nanoseconds (Linux clamps to KTIME_MAX); EINVAL when it
/// is not a valid time.
fn span_ns(span: &Timespec) -> Result<i64> {
    Ok(crate::time::timespec_ns(span)?.min(i64::MAX as u64) as i64)
}

/// Moves an expired periodic timer's expiry to the first period after
/// now; returns how many periods that passed (Linux's hrtimer_forward).
fn forward(expiry: &mut i64, interval: i64, now: i64) -> u64 {
    let behind = now.saturating_sub(*expiry);
    if behind < 0 || interval <= 0 {
        return 0;
    }
    let mut periods = behind / interval;
    *expiry = expiry.saturating_add(periods.saturating_mul(interval));
    if *expiry <= now {
        *expiry = expiry.saturating_add(interval);
        periods += 1;
    }
    periods as u64
}

impl TimerFd {
    /// Arms the callback for the current expiry.
    fn arm(&self, state: &State) {
        let Some(expiry) = state.expiry_ns else { return };
        let expiry = expiry.max(0) as u64;
        // Round up: the callback must not run before the expiry.
        let mut deadline = hal::timer::ns_to_ticks(expiry);
        if hal::timer::ticks_to_ns(deadline) < expiry {
            deadline += 1;
        }
        let (me, generation) = (self.me.clone(), state.generation);
        crate::time::timer::arm_callback(deadline, move || {
            if let Some(timer) = me.upgrade() {
                timer.expire(generation);
            }
        });
    }

    /// From the timer interrupt: one more tick, and wake the readers.
    fn expire(&self, generation: u64) {
        {
            let mut state = self.state.lock();
            if state.generation != generation || state.expiry_ns.is_none() || state.is_expired {
                return;
            }
            state.is_expired = true;
            state.ticks += 1;
        }
        self.queue.wake_all();
    }

    /// Re-arms an expired periodic timer past now, adding the periods
    /// missed to the ticks (Linux does this on read and gettime).
    fn catch_up(&self, state: &mut State) {
        if state.is_expired && state.interval_ns > 0 {
            if let Some(mut expiry) = state.expiry_ns {
                let periods = forward(&mut expiry, state.interval_ns, now_ns());
                state.ticks += periods.saturating_sub(1);
                state.expiry_ns = Some(expiry);
                state.is_expired = false;
                self.arm(state);
            }
        }
    }

    /// The time left and the interval, as struct itimerspec holds them.
    fn current(state: &State) -> [Timespec; 2] {
        let left = state.expiry_ns.map_or(0, |e| e.saturating_sub(now_ns()).max(0));
        [crate::time::timespec(state.interval_ns as u64), crate::time::timespec(left as u64)]
    }
}

impl FileOps for TimerFd {
    fn read(&self, file: &OpenFile, _offset: u64, buffer: &mut [u8]) -> Result<usize> {
        if buffer.len() < 8 {
            return_errno!(EINVAL);
        }
        loop {
            {
                let mut state = self.state.lock();
                if state.ticks > 0 {
                    self.catch_up(&mut state);
                    let ticks = core::mem::take(&mut state.ticks);
                    state.is_expired = false;
                    buffer[..8].copy_from_slice(&ticks.to_ne_bytes());
                    return Ok(8);
                }
            }
            if file.is_nonblocking() {
                return_errno!(EAGAIN);
            }
            let has_ticks =
                self.queue.wait_until_or(|| self.state.lock().ticks > 0, crate::signal::current_has_pending);
            if !has_ticks {
                return_errno!(ERESTARTSYS);
            }
        }
    }

    fn metadata(&self) -> Result<Metadata> {
        Ok(super::anonymous_metadata())
    }

    fn is_seekable(&self) -> bool {
        false
    }

    /// Readable once expired; never writable (timerfd has no write).
    fn readiness(&self) -> Readiness {
        Readiness { readable: self.state.lock().ticks > 0, ..Readiness::default() }
    }

    fn wait_queues(&self) -> [Option<&WaitQueue>; 2] {
        [Some(&self.queue), None]
    }
}

pub fn timerfd_create(context: &mut Context, clock: i32, flags: i32) -> Result<i32> {
    let flags = flags as u32;
    if flags & !(O_CLOEXEC | O_NONBLOCK) != 0 {
        return_errno!(EINVAL);
    }
    let is_realtime = match clock {
        CLOCK_REALTIME | CLOCK_REALTIME_ALARM => true,
        CLOCK_MONOTONIC | CLOCK_BOOTTIME | CLOCK_BOOTTIME_ALARM => false,
        _ => return_errno!(EINVAL),
    };
    let timer = Arc::new_cyclic(|me| TimerFd {
        is_realtime,
        state: SpinLock::new(State::default()),
        queue: WaitQueue::new(),
        me: me.clone(),
    });
    let file = OpenFile::new(timer, O_RDWR | (flags & O_NONBLOCK), b"anon_inode:[timerfd]".to_vec());
    context.process().files.lock().insert(file, flags & O_CLOEXEC != 0)
}

/// The timerfd behind `fd`: EBADF for no file, EINVAL for another kind.
fn timer_of(context: &Context, fd: i32) -> Result<Arc<OpenFile>> {
    let file = context.process().files.lock().get(fd)?;
    let ops: &dyn core::any::Any = &*file.ops;
    if !ops.is::<TimerFd>() {
        return_errno!(EINVAL);
    }
    Ok(file)
}

fn with_timer<T>(file: &OpenFile, f: impl FnOnce(&TimerFd) -> T) -> Result<T> {
    let ops: &dyn core::any::Any = &*file.ops;
    match ops.downcast_ref::<TimerFd>() {
        Some(timer) => Ok(f(timer)),
        None => return_errno!(EINVAL),
    }
}

pub fn timerfd_settime(
    context: &mut Context,
    fd: i32,
    flags: i32,
    new: UserAddr,
    old: UserAddr,
) -> Result<()> {
    let [interval, value]: [Timespec; 2] = read_val(new)?;
    if flags & !(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET) != 0 {
        return_errno!(EINVAL);
    }
    let (interval, value) = (span_ns(&interval)?, span_ns(&value)?);
    let file = timer_of(context, fd)?;
    let previous = with_timer(&file, |timer| {
        let mut state = timer.state.lock();
        // The old value is as gettime would see it, without the ticks.
        let interval_ns = state.interval_ns;
        if let (true, Some(expiry)) = (state.is_expired && interval_ns > 0, state.expiry_ns.as_mut()) {
            forward(expiry, interval_ns, now_ns());
        }
        let previous = TimerFd::current(&state);
        state.generation += 1;
        state.is_expired = false;
        state.ticks = 0;
        state.interval_ns = interval;
        state.expiry_ns = (value != 0).then(|| {
            if flags & TFD_TIMER_ABSTIME == 0 {
                now_ns().saturating_add(value)
            } else if timer.is_realtime {
                let offset = (crate::time::realtime_ns() - crate::time::monotonic_ns()) as i64;
                value.saturating_sub(offset)
            } else {
                value
            }
        });
        timer.arm(&state);
        previous
    })?;
    if !old.is_null() {
        write_val(old, &previous)?;
    }
    Ok(())
}

pub fn timerfd_gettime(context: &mut Context, fd: i32, current: UserAddr) -> Result<()> {
    let file = timer_of(context, fd)?;
    let value = with_timer(&file, |timer| {
        let mut state = timer.state.lock();
        timer.catch_up(&mut state);
        TimerFd::current(&state)
    })?;
    write_val(current, &value)
}
