//! The kernel's answers to interrupts: the scheduler tick, device
//! interrupts by PLIC source, IPIs, and faults on user memory during
//! kernel copies.

use core::sync::atomic::{AtomicU32, Ordering};
use hal::trap::Access;

/// The scheduler tick: 100 Hz, like a Linux HZ=100 build.
pub const TICK_HZ: u64 = 100;

static UART_IRQ: AtomicU32 = AtomicU32::new(0);
static NETWORK_IRQ: AtomicU32 = AtomicU32::new(0);

struct KernelHandlers;

static HANDLERS: KernelHandlers = KernelHandlers;

impl hal::interrupts::Handlers for KernelHandlers {
    fn timer(&self) {
        if crate::time::timer::on_interrupt(tick_interval()) {
            crate::sched::tick();
        }
    }

    fn external(&self, irq: u32) {
        if irq == UART_IRQ.load(Ordering::Relaxed) {
            crate::smp::uart_input();
        } else if irq == NETWORK_IRQ.load(Ordering::Relaxed) {
            crate::net::on_card_interrupt();
        }
    }

    fn software(&self) {
        // An IPI only wakes the hart; the idle loop looks at its queue.
    }

    fn preempt(&self) {
        crate::sched::preempt_if_needed();
    }

    fn user_fault(&self, address: usize, access: Access) -> bool {
        let Some(process) = crate::process::current() else { return false };
        let Some(vm) = process.vm() else { return false };
        let resolved = vm.lock().handle_fault(address, access).is_ok();
        resolved
    }
}

pub fn init() {
    hal::interrupts::set_handlers(&HANDLERS);
    init_hart();
}

/// Unmasks this hart's interrupt sources.
pub fn init_hart() {
    hal::interrupts::enable_sources();
}

pub fn set_uart_irq(irq: u32) {
    UART_IRQ.store(irq, Ordering::Relaxed);
}

/// The network card's PLIC source.
pub fn set_network_irq(irq: u32) {
    NETWORK_IRQ.store(irq, Ordering::Relaxed);
}

/// Timer ticks between two scheduler ticks.
pub fn tick_interval() -> u64 {
    hal::timer::frequency() / TICK_HZ
}

/// Starts this hart's tick.
pub fn start_tick() {
    crate::time::timer::start(tick_interval());
}
