//! A kernel panic: the message, the hart, a symbolized backtrace, then the
//! machine powers off with a failing exit status.

use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

/// QEMU's exit status after a kernel panic (Rust's own panic status).
pub const PANIC_EXIT_STATUS: u16 = 101;

static PANICKING: AtomicBool = AtomicBool::new(false);

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    hal::arch::csr::interrupts_disable();
    if PANICKING.swap(true, Ordering::SeqCst) {
        // A panic while panicking (or on a second hart): stop here, the
        // first one is already reporting.
        hal::power::halt();
    }
    hal::console::write_fmt_unlocked(format_args!(
        "\nkernel panic on hart {}: {}\nbacktrace:\n",
        hal::cpu::hart_id(),
        info
    ));
    hal::backtrace::print();
    hal::power::shutdown(PANIC_EXIT_STATUS)
}
