//! Interrupt dispatch: the hal decodes the cause and calls the kernel's
//! handlers, registered once at boot through [`set_handlers`].

use crate::arch::csr;
use crate::trap::Access;
use spin::Once;

/// What the kernel does on interrupts and on faults it may resolve.
pub trait Handlers: Sync {
    /// This hart's timer fired (the next deadline is not programmed).
    fn timer(&self);
    /// A device interrupt arrived on PLIC source `irq`; it is completed
    /// when this returns.
    fn external(&self, irq: u32);
    /// Another hart sent an IPI.
    fn software(&self);
    /// Called after an interrupt of kernel code that ran with interrupts
    /// on: the kernel may switch threads here.
    fn preempt(&self);
    /// A user address faulted while kernel code copied to or from it.
    /// Returns true if the page is now mapped and the copy may retry.
    fn user_fault(&self, address: usize, access: Access) -> bool;
}

static HANDLERS: Once<&'static dyn Handlers> = Once::new();

pub fn set_handlers(handlers: &'static dyn Handlers) {
    HANDLERS.call_once(|| handlers);
}

const SUPERVISOR_SOFTWARE: usize = 1;
const SUPERVISOR_TIMER: usize = 5;
const SUPERVISOR_EXTERNAL: usize = 9;

/// Handles interrupt `code` (scause without the interrupt bit).
/// Interrupts taken, per hart (/proc/stat's intr).
static TAKEN: [core::sync::atomic::AtomicU64; crate::cpu::MAX_HARTS] =
    [const { core::sync::atomic::AtomicU64::new(0) }; crate::cpu::MAX_HARTS];

/// Interrupts taken on every hart since boot.
pub fn taken() -> u64 {
    TAKEN.iter().map(|t| t.load(core::sync::atomic::Ordering::Relaxed)).sum()
}

pub(crate) fn dispatch(code: usize) {
    TAKEN[crate::cpu::index()].fetch_add(1, core::sync::atomic::Ordering::Relaxed);
    let Some(handlers) = HANDLERS.get() else {
        // Nothing is enabled before the handlers exist; a stray interrupt
        // is masked so it cannot storm.
        crate::timer::disarm();
        csr::clear_software_interrupt();
        return;
    };
    match code {
        SUPERVISOR_TIMER => {
            crate::timer::disarm();
            handlers.timer();
        }
        SUPERVISOR_SOFTWARE => {
            csr::clear_software_interrupt();
            handlers.software();
        }
        SUPERVISOR_EXTERNAL => {
            while let Some(irq) = crate::plic::claim() {
                handlers.external(irq);
                crate::plic::complete(irq);
            }
        }
        _ => log::warn!("unexpected interrupt {code}"),
    }
}

pub(crate) fn preempt_point() {
    if let Some(handlers) = HANDLERS.get() {
        handlers.preempt();
    }
}

pub(crate) fn user_fault_in_kernel(address: usize, access: Access) -> bool {
    HANDLERS.get().is_some_and(|h| h.user_fault(address, access))
}

/// Unmasks timer, software and external interrupts on this hart.
pub fn enable_sources() {
    csr::enable_interrupt_sources(csr::SIE_SSIE | csr::SIE_STIE | csr::SIE_SEIE);
}
