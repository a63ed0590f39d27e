//! One-shot kernel timers: a task sleeps until a deadline, or a callback
//! runs from the timer interrupt. Each hart keeps its timers in a heap and
//! programs its timer for the earliest deadline or the next scheduler
//! tick, whichever comes first.

use crate::sched::{self, Task};
use alloc::boxed::Box;
use alloc::collections::BinaryHeap;
use alloc::sync::Arc;
use core::cmp::Reverse;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use hal::cpu::MAX_HARTS;
use hal::sync::SpinLock;

/// What a timer does when it fires.
enum Action {
    /// Sets the flag and wakes the task (a sleep).
    Wake { task: Arc<Task>, fired: Arc<AtomicBool> },
    /// Runs from the timer interrupt (interval timers): it must only take
    /// interrupt-safe locks.
    Call(Box<dyn FnOnce() + Send>),
}

/// A pending timer: acts at `deadline` (in timer ticks).
struct Pending {
    deadline: u64,
    sequence: u64,
    action: Action,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.deadline, self.sequence) == (other.deadline, other.sequence)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        (self.deadline, self.sequence).cmp(&(other.deadline, other.sequence))
    }
}

static TIMERS: [SpinLock<BinaryHeap<Reverse<Pending>>>; MAX_HARTS] =
    [const { SpinLock::new(BinaryHeap::new()) }; MAX_HARTS];
static SEQUENCE: AtomicU64 = AtomicU64::new(0);
/// When each hart's next tick is due.
static NEXT_TICK: [AtomicU64; MAX_HARTS] = [const { AtomicU64::new(0) }; MAX_HARTS];

/// An armed timer, for `cancel`.
struct Armed {
    hart: usize,
    sequence: u64,
}

/// Arms a timer that wakes the running task at `deadline` ticks; the
/// returned flag turns true when it has fired.
fn arm_for_current(deadline: u64) -> (Arc<AtomicBool>, Armed) {
    let fired = Arc::new(AtomicBool::new(false));
    let action = Action::Wake { task: sched::current(), fired: fired.clone() };
    (fired, arm(deadline, action))
}

/// Takes a timer that has not fired out of its hart's heap: a wait that
/// ended early leaves nothing behind (a loop of short waits under a far
/// deadline would otherwise pile up timers until it passed).
fn cancel(armed: &Armed) {
    TIMERS[armed.hart].lock().retain(|pending| pending.0.sequence != armed.sequence);
}

/// Runs `callback` from the timer interrupt at `deadline` (ticks).
pub fn arm_callback(deadline: u64, callback: impl FnOnce() + Send + 'static) {
    arm(deadline, Action::Call(Box::new(callback)));
}

fn arm(deadline: u64, action: Action) -> Armed {
    let hart = hal::cpu::index();
    let sequence = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    let pending = Pending { deadline, sequence, action };
    let mut timers = TIMERS[hart].lock();
    timers.push(Reverse(pending));
    program(hart, &timers);
    Armed { hart, sequence }
}

/// Sleeps until `deadline` (ticks), or until `interrupted` says stop.
/// Returns true if the deadline passed.
pub fn sleep_until(deadline: u64, interrupted: impl Fn() -> bool) -> bool {
    if hal::timer::now() >= deadline {
        return true;
    }
    wait_until_or_deadline(Some(deadline), interrupted) || hal::timer::now() >= deadline
}

/// Blocks until `condition` holds or `deadline` (ticks), if any, passes.
/// Returns whether the deadline passed.
pub fn wait_until_or_deadline(deadline: Option<u64>, mut condition: impl FnMut() -> bool) -> bool {
    let armed = deadline.map(arm_for_current);
    let timed_out = || armed.as_ref().is_some_and(|(fired, _)| fired.load(Ordering::Acquire));
    sched::wait_until(|| timed_out() || condition());
    let is_timed_out = timed_out();
    if let (Some((_, armed)), false) = (&armed, is_timed_out) {
        cancel(armed);
    }
    is_timed_out
}

/// Sets the hardware deadline to the earliest timer or the next tick.
fn program(hart: usize, timers: &BinaryHeap<Reverse<Pending>>) {
    let tick = NEXT_TICK[hart].load(Ordering::Relaxed);
    let first = timers.peek().map_or(u64::MAX, |p| p.0.deadline);
    hal::timer::set_deadline(tick.min(first));
}

/// The timer interrupt: fire what is due, advance the tick, re-program.
/// Returns true when a scheduler tick was due.
pub fn on_interrupt(tick_interval: u64) -> bool {
    let hart = hal::cpu::index();
    let now = hal::timer::now();
    let mut timers = TIMERS[hart].lock();
    let mut calls = alloc::vec::Vec::new();
    while timers.peek().is_some_and(|p| p.0.deadline <= now) {
        if let Some(Reverse(pending)) = timers.pop() {
            match pending.action {
                Action::Wake { task, fired } => {
                    fired.store(true, Ordering::Release);
                    sched::wake(&task);
                }
                Action::Call(callback) => calls.push(callback),
            }
        }
    }
    let tick_due = NEXT_TICK[hart].load(Ordering::Relaxed) <= now;
    if tick_due {
        NEXT_TICK[hart].store(now + tick_interval, Ordering::Relaxed);
    }
    program(hart, &timers);
    drop(timers);
    // Callbacks may arm timers again: run them with the heap unlocked.
    for callback in calls {
        callback();
    }
    tick_due
}

/// Starts this hart's tick.
pub fn start(tick_interval: u64) {
    let hart = hal::cpu::index();
    NEXT_TICK[hart].store(hal::timer::now() + tick_interval, Ordering::Relaxed);
    program(hart, &TIMERS[hart].lock());
}
