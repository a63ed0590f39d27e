//! Time: the monotonic clock, wall-clock time from the RTC, and sleeping.

pub mod itimer;
pub mod timer;

use core::sync::atomic::{AtomicU64, Ordering};

/// Wall-clock nanoseconds at monotonic zero (read from the RTC at boot).
static EPOCH_OFFSET_NS: AtomicU64 = AtomicU64::new(0);

/// Reads the RTC once, at boot.
pub fn init() {
    if let Some(now) = hal::rtc::now_ns() {
        EPOCH_OFFSET_NS.store(now.saturating_sub(monotonic_ns()), Ordering::Relaxed);
    }
}

/// Nanoseconds since boot (CLOCK_MONOTONIC).
pub fn monotonic_ns() -> u64 {
    hal::timer::now_ns()
}

/// Nanoseconds since the epoch (CLOCK_REALTIME).
pub fn realtime_ns() -> u64 {
    EPOCH_OFFSET_NS.load(Ordering::Relaxed) + monotonic_ns()
}

/// (seconds, nanoseconds) since the epoch, for file times.
pub fn realtime() -> (i64, u32) {
    let ns = realtime_ns();
    ((ns / 1_000_000_000) as i64, (ns % 1_000_000_000) as u32)
}
