//! Powering the machine off or resetting it: QEMU's `sifive,test` device
//! when the device tree has one (its exit code reaches the host), SBI SRST
//! otherwise.

use crate::arch::{csr, layout::phys_to_virt, sbi};
use core::sync::atomic::{AtomicUsize, Ordering};

static TEST_DEVICE: AtomicUsize = AtomicUsize::new(0);

const FINISHER_PASS: u32 = 0x5555;
const FINISHER_FAIL: u32 = 0x3333;
const FINISHER_RESET: u32 = 0x7777;

pub(crate) fn set_test_device(physical: usize) {
    TEST_DEVICE.store(phys_to_virt(physical), Ordering::Relaxed);
}

fn finish(value: u32) {
    let device = TEST_DEVICE.load(Ordering::Relaxed);
    if device != 0 {
        // SAFETY: the address is the test device's register from the
        // device tree, mapped by the direct map.
        unsafe { (device as *mut u32).write_volatile(value) };
    }
}

/// Powers off. `exit_code` 0 is a clean shutdown; anything else reaches
/// QEMU's exit status through the test device.
pub fn shutdown(exit_code: u16) -> ! {
    if exit_code == 0 {
        finish(FINISHER_PASS);
    } else {
        finish((u32::from(exit_code) << 16) | FINISHER_FAIL);
    }
    sbi::system_reset(false, exit_code != 0);
    halt()
}

/// Resets the machine.
pub fn reboot() -> ! {
    finish(FINISHER_RESET);
    sbi::system_reset(true, false);
    halt()
}

/// Stops this hart for good.
pub fn halt() -> ! {
    csr::interrupts_disable();
    loop {
        csr::wait_for_interrupt();
    }
}
