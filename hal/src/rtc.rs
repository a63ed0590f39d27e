//! The goldfish RTC of QEMU's virt machine: nanoseconds since the Unix
//! epoch in two 32-bit registers (reading the low half latches the high).

use crate::arch::layout::phys_to_virt;
use core::sync::atomic::{AtomicUsize, Ordering};

static BASE: AtomicUsize = AtomicUsize::new(0);

pub fn init(physical_base: usize) {
    BASE.store(phys_to_virt(physical_base), Ordering::Relaxed);
}

/// Wall-clock nanoseconds since the epoch, if there is an RTC.
pub fn now_ns() -> Option<u64> {
    let base = BASE.load(Ordering::Relaxed);
    if base == 0 {
        return None;
    }
    // SAFETY: the registers lie in the RTC's MMIO region from the device
    // tree, mapped by the direct map.
    let (low, high) =
        unsafe { ((base as *const u32).read_volatile(), ((base + 4) as *const u32).read_volatile()) };
    Some((u64::from(high) << 32) | u64::from(low))
}
