//! Calls into the SBI firmware (OpenSBI): console, timer, harts, IPIs,
//! reset. Thin wrappers over `sbi-rt` that return plain results.

use sbi_rt::HartMask;

/// Writes one byte to the firmware console; used until the UART is set up
/// and by the panic path.
pub fn console_putchar(byte: u8) {
    #[allow(deprecated)]
    sbi_rt::legacy::console_putchar(byte as usize);
}

/// Programs the next timer interrupt of this hart (SBI TIME extension).
pub fn set_timer(deadline: u64) {
    sbi_rt::set_timer(deadline);
}

/// Starts hart `hart_id` at physical address `start` with `opaque` in a1.
pub fn hart_start(hart_id: usize, start: usize, opaque: usize) -> Result<(), usize> {
    let ret = sbi_rt::hart_start(hart_id, start, opaque);
    if ret.is_ok() {
        Ok(())
    } else {
        Err(ret.error)
    }
}

/// Whether the firmware reports the hart stopped (HSM status 1).
pub fn hart_is_stopped(hart_id: usize) -> bool {
    let ret = sbi_rt::hart_get_status(hart_id);
    ret.is_ok() && ret.value == 1
}

/// Sends a supervisor software interrupt to one hart.
pub fn send_ipi(hart_id: usize) {
    sbi_rt::send_ipi(HartMask::from_mask_base(1, hart_id));
}

/// Flushes the whole TLB of the harts in `mask` (bit i is hart id
/// `base + i`), returning once they have (SBI RFENCE, remote_sfence_vma
/// over the whole address space: size 2^XLEN - 1).
pub fn remote_flush_tlb(mask: usize, base: usize) {
    sbi_rt::remote_sfence_vma(HartMask::from_mask_base(mask, base), 0, usize::MAX);
}

/// Asks the firmware to power off (`failure` selects the system-failure
/// reason) or reboot. Returns only if the firmware refused.
pub fn system_reset(reboot: bool, failure: bool) {
    use sbi_rt::{ColdReboot, NoReason, Shutdown, SystemFailure};
    match (reboot, failure) {
        (true, _) => sbi_rt::system_reset(ColdReboot, NoReason),
        (false, false) => sbi_rt::system_reset(Shutdown, NoReason),
        (false, true) => sbi_rt::system_reset(Shutdown, SystemFailure),
    };
}
