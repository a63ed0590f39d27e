//! The platform-level interrupt controller (RISC-V PLIC spec 1.0.0):
//! per-source priorities, and for each hart's supervisor context an
//! enable bit per source, a threshold, and the claim/complete register.

use crate::arch::layout::phys_to_virt;
use crate::cpu;
use platform::Plic;
use spin::Once;

const PRIORITY_BASE: usize = 0x0;
const ENABLE_BASE: usize = 0x2000;
const ENABLE_STRIDE: usize = 0x80;
const CONTEXT_BASE: usize = 0x20_0000;
const CONTEXT_STRIDE: usize = 0x1000;

struct State {
    base: usize,
    source_count: u32,
    /// Context index of each hart's S-mode external interrupt, by dense
    /// hart index.
    contexts: [Option<usize>; cpu::MAX_HARTS],
}

static PLIC: Once<State> = Once::new();

fn write(address: usize, value: u32) {
    // SAFETY: `address` is a PLIC register inside the region the device
    // tree gave, mapped by the direct map.
    unsafe { (address as *mut u32).write_volatile(value) }
}

fn read(address: usize) -> u32 {
    // SAFETY: as in write.
    unsafe { (address as *const u32).read_volatile() }
}

/// Takes the PLIC from the device tree. `hart_ids` maps dense hart indices
/// to hart ids.
pub fn init(plic: &Plic, hart_ids: &[usize]) {
    let mut contexts = [None; cpu::MAX_HARTS];
    for (index, hart_id) in hart_ids.iter().enumerate().take(cpu::MAX_HARTS) {
        contexts[index] = plic.supervisor_contexts.iter().find(|(h, _)| h == hart_id).map(|(_, c)| *c);
    }
    PLIC.call_once(|| State {
        base: phys_to_virt(plic.region.start as usize),
        source_count: plic.source_count,
        contexts,
    });
}

/// Lets this hart take interrupts of priority 1 and up.
pub fn init_hart() {
    let Some(state) = PLIC.get() else { return };
    if let Some(context) = state.contexts[cpu::index()] {
        write(state.base + CONTEXT_BASE + context * CONTEXT_STRIDE, 0);
    }
}

/// Enables source `irq` with priority 1, routed to hart `hart_index`.
pub fn enable(irq: u32, hart_index: usize) {
    let Some(state) = PLIC.get() else { return };
    if irq == 0 || irq > state.source_count {
        log::warn!("plic: no source {irq}");
        return;
    }
    write(state.base + PRIORITY_BASE + irq as usize * 4, 1);
    if let Some(context) = state.contexts.get(hart_index).copied().flatten() {
        let word = state.base + ENABLE_BASE + context * ENABLE_STRIDE + (irq as usize / 32) * 4;
        write(word, read(word) | 1 << (irq % 32));
    }
}

fn claim_register() -> Option<usize> {
    let state = PLIC.get()?;
    let context = state.contexts[cpu::index()]?;
    Some(state.base + CONTEXT_BASE + context * CONTEXT_STRIDE + 4)
}

/// The highest-priority pending source for this hart, if any.
pub(crate) fn claim() -> Option<u32> {
    let irq = read(claim_register()?);
    (irq != 0).then_some(irq)
}

pub(crate) fn complete(irq: u32) {
    if let Some(register) = claim_register() {
        write(register, irq);
    }
}
