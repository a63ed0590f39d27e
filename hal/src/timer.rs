//! This hart's timer: the `time` CSR and the next interrupt, through Sstc's
//! `stimecmp` when the hart has it (no firmware call) and SBI otherwise.

use crate::arch::{csr, sbi};
use crate::cpu::this_hart;
use core::sync::atomic::{AtomicU64, Ordering};

static TIMEBASE_HZ: AtomicU64 = AtomicU64::new(10_000_000);

pub(crate) fn set_frequency(hz: u64) {
    TIMEBASE_HZ.store(hz.max(1), Ordering::Relaxed);
}

/// Ticks per second of [`now`].
pub fn frequency() -> u64 {
    TIMEBASE_HZ.load(Ordering::Relaxed)
}

/// Ticks since an arbitrary point before boot; monotonic.
#[inline]
pub fn now() -> u64 {
    csr::time()
}

/// Nanoseconds since the same origin as [`now`].
pub fn now_ns() -> u64 {
    ticks_to_ns(now())
}

pub fn ticks_to_ns(ticks: u64) -> u64 {
    (ticks as u128 * 1_000_000_000 / frequency() as u128) as u64
}

pub fn ns_to_ticks(ns: u64) -> u64 {
    (ns as u128 * frequency() as u128 / 1_000_000_000) as u64
}

/// Asks for a timer interrupt on this hart once `now() >= deadline`.
pub fn set_deadline(deadline: u64) {
    if this_hart().has_sstc.get() {
        csr::set_stimecmp(deadline);
    } else {
        sbi::set_timer(deadline);
    }
}

/// Stops the pending timer interrupt (the deadline moves to the far
/// future).
pub(crate) fn disarm() {
    set_deadline(u64::MAX);
}
