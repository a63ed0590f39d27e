//! Bringing up the other harts, and their order.

use alloc::vec::Vec;
use hal::BootInfo;

/// Dense hart indices in boot order: the boot hart is index 0, the others
/// follow in device-tree order.
pub fn boot_order(hart_ids: &[usize]) -> Vec<usize> {
    let boot = hal::cpu::hart_id();
    core::iter::once(boot).chain(hart_ids.iter().copied().filter(|&id| id != boot)).collect()
}

/// Starts every hart of the device tree other than this one; each is
/// online when this returns, or reported.
pub fn start_secondaries(info: &BootInfo) {
    let ids: Vec<usize> = info.harts.iter().map(|h| h.id).collect();
    let order = boot_order(&ids);
    for (index, &hart_id) in order.iter().enumerate().skip(1) {
        let has_sstc = info.harts.iter().any(|h| h.id == hart_id && h.has_sstc);
        if let Err(why) = hal::boot::start_secondary(index, hart_id, has_sstc) {
            log::warn!("hart {hart_id} not started: {why}");
        }
    }
}

/// Drains the UART receiver into the console terminal.
pub fn uart_input() {
    if let Some(uart) = hal::console::uart() {
        while let Some(byte) = uart.read_byte() {
            crate::tty::receive(byte);
        }
    }
}
