//! Time: the monotonic clock, wall-clock time from the RTC, and sleeping.

pub mod itimer;
pub mod posix_timer;
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

/// CLOCK_REALTIME - CLOCK_MONOTONIC in nanoseconds. The vDSO's data page
/// holds a copy: whatever changes the offset must call
/// `mm::vdso::publish_time` after.
pub fn realtime_offset_ns() -> u64 {
    EPOCH_OFFSET_NS.load(Ordering::Relaxed)
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

/// A timespec argument as nanoseconds: EINVAL for a negative one or
/// tv_nsec out of range.
pub fn timespec_ns(span: &abi::Timespec) -> crate::error::Result<u64> {
    if span.tv_sec < 0 || !(0..1_000_000_000).contains(&span.tv_nsec) {
        crate::return_errno!(EINVAL);
    }
    Ok((span.tv_sec as u64).saturating_mul(1_000_000_000).saturating_add(span.tv_nsec as u64))
}

pub fn timespec(ns: u64) -> abi::Timespec {
    abi::Timespec { tv_sec: (ns / 1_000_000_000) as i64, tv_nsec: (ns % 1_000_000_000) as i64 }
}

/// The timer deadline (ticks) `ns` from now.
pub fn deadline_after(ns: u64) -> u64 {
    hal::timer::now().saturating_add(hal::timer::ns_to_ticks(ns))
}

/// Nanoseconds left until `deadline` (ticks); 0 once it has passed.
pub fn ns_until(deadline: u64) -> u64 {
    hal::timer::ticks_to_ns(deadline.saturating_sub(hal::timer::now()))
}
