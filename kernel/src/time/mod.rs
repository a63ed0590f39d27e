//! Time: the monotonic clock, wall-clock time from the RTC, and sleeping.

pub mod timer;

/// Nanoseconds since boot (CLOCK_MONOTONIC).
pub fn monotonic_ns() -> u64 {
    hal::timer::now_ns()
}
