//! Control and status registers of the supervisor: interrupt enables,
//! the trap vector, address translation, the clock.

use core::arch::asm;

/// sstatus bits goose uses (privileged spec, "Supervisor Status Register").
pub mod sstatus_bits {
    pub const SIE: usize = 1 << 1;
    pub const SPIE: usize = 1 << 5;
    pub const SPP: usize = 1 << 8;
    pub const FS_MASK: usize = 3 << 13;
    pub const FS_OFF: usize = 0;
    pub const FS_INITIAL: usize = 1 << 13;
    pub const FS_CLEAN: usize = 2 << 13;
    pub const FS_DIRTY: usize = 3 << 13;
    pub const SUM: usize = 1 << 18;
}

/// sie/sip bits: supervisor software, timer and external interrupts.
pub const SIE_SSIE: usize = 1 << 1;
pub const SIE_STIE: usize = 1 << 5;
pub const SIE_SEIE: usize = 1 << 9;

macro_rules! csr_read {
    ($name:literal) => {{
        let value: usize;
        // SAFETY: reading a supervisor CSR has no side effects.
        unsafe { asm!(concat!("csrr {}, ", $name), out(reg) value, options(nomem, nostack)) };
        value
    }};
}

pub fn sstatus() -> usize {
    csr_read!("sstatus")
}
pub fn scause() -> usize {
    csr_read!("scause")
}
pub fn stval() -> usize {
    csr_read!("stval")
}
pub fn sepc() -> usize {
    csr_read!("sepc")
}
pub fn satp() -> usize {
    csr_read!("satp")
}

/// The `time` CSR: ticks of the timebase since an arbitrary origin.
#[inline]
pub fn time() -> u64 {
    riscv::register::time::read() as u64
}

/// Turns supervisor interrupts off and says whether they were on.
#[inline]
pub fn interrupts_disable() -> bool {
    let previous: usize;
    // SAFETY: clearing SIE only masks interrupts; any code may do it.
    unsafe {
        asm!("csrrci {}, sstatus, 2", out(reg) previous, options(nostack));
    }
    previous & sstatus_bits::SIE != 0
}

/// Turns supervisor interrupts on.
#[inline]
pub fn interrupts_enable() {
    // SAFETY: goose's interrupt handlers are installed before interrupts
    // are first enabled (trap::init), so taking one here is safe.
    unsafe { asm!("csrsi sstatus, 2", options(nostack)) };
}

/// Restores the state [`interrupts_disable`] returned.
#[inline]
pub fn interrupts_restore(was_enabled: bool) {
    if was_enabled {
        interrupts_enable();
    }
}

pub fn interrupts_enabled() -> bool {
    sstatus() & sstatus_bits::SIE != 0
}

/// Sets bits in `sie`.
pub fn enable_interrupt_sources(bits: usize) {
    // SAFETY: unmasking interrupt sources; handlers are installed.
    unsafe { asm!("csrs sie, {}", in(reg) bits, options(nostack)) };
}

/// Clears the pending supervisor software interrupt (an IPI).
pub fn clear_software_interrupt() {
    // SAFETY: clearing SSIP acknowledges an IPI and has no other effect.
    unsafe { asm!("csrc sip, {}", in(reg) SIE_SSIE, options(nostack)) };
}

/// Lets supervisor code touch user pages (sstatus.SUM), for good: set once
/// per hart at start-up rather than around each user copy.
///
/// Why: QEMU flushes its whole software TLB whenever SUM changes, and the
/// refill made a SUM on/off pair cost about 9 us here (`goose.test=costs`),
/// more than the rest of a small read or write. Linux pays it on every
/// copy. The protection SUM=0 gives (a stray kernel access to a user
/// address faults) is kept by construction instead: the kernel crate has
/// no unsafe code, so user memory is reached only through hal's user-copy
/// routines, which check ranges and recover from faults.
#[inline]
pub fn allow_user_access() {
    // SAFETY: see above: only the user-copy routines dereference user
    // addresses, and they handle faults through the exception table.
    unsafe { asm!("csrs sstatus, {}", in(reg) sstatus_bits::SUM, options(nostack)) };
}

/// scounteren.TM: user mode may read the `time` CSR.
const SCOUNTEREN_TM: usize = 1 << 1;

/// Lets user mode read the `time` CSR (`rdtime`), as Linux does: the
/// vDSO's clock_gettime reads it instead of trapping into the kernel.
/// The cycle and instret counters stay closed, as on Linux by default.
#[inline]
pub fn allow_user_time_reads() {
    // SAFETY: the time counter is read-only and tells user code nothing
    // clock_gettime(CLOCK_MONOTONIC) does not.
    unsafe { asm!("csrs scounteren, {}", in(reg) SCOUNTEREN_TM, options(nostack)) };
}

/// Sets the FS field of sstatus (floating-point unit state).
#[inline]
pub fn set_fp_state(fs: usize) {
    // SAFETY: FS only gates access to the FP registers; the kernel never
    // uses them, and the user FP state is saved by user_context.rs.
    unsafe {
        asm!("csrc sstatus, {}", in(reg) sstatus_bits::FS_MASK, options(nostack));
        asm!("csrs sstatus, {}", in(reg) fs & sstatus_bits::FS_MASK, options(nostack));
    }
}

/// Sets the Sstc timer compare register.
pub fn set_stimecmp(deadline: u64) {
    // SAFETY: writing stimecmp only schedules the next timer interrupt.
    unsafe { asm!("csrw stimecmp, {}", in(reg) deadline, options(nostack)) };
}

/// Points traps at `entry` (direct mode).
///
/// # Safety
/// `entry` must be a 4-byte aligned trap handler that saves and restores
/// all state it touches.
pub unsafe fn set_trap_vector(entry: usize) {
    // SAFETY: the caller guarantees `entry` is a correct handler.
    unsafe { asm!("csrw stvec, {}", in(reg) entry, options(nostack)) };
}

/// Switches address translation to the table in `satp_value` and flushes
/// the TLB.
///
/// # Safety
/// The new table must map the running code, stack and all kernel data at
/// the same addresses as the current one.
pub unsafe fn set_satp(satp_value: usize) {
    // SAFETY: the caller guarantees the new table keeps the kernel mapped.
    unsafe {
        asm!("csrw satp, {}", "sfence.vma", in(reg) satp_value, options(nostack));
    }
}

/// Flushes this hart's TLB entries for `va` in all address spaces.
#[inline]
pub fn flush_tlb_page(va: usize) {
    // SAFETY: a TLB flush has no effect other than slower translations.
    unsafe { asm!("sfence.vma {}, zero", in(reg) va, options(nostack)) };
}

/// Flushes this hart's whole TLB.
#[inline]
pub fn flush_tlb_all() {
    riscv::asm::sfence_vma_all();
}

/// Waits for an interrupt (it may also return spuriously).
#[inline]
pub fn wait_for_interrupt() {
    riscv::asm::wfi();
}

/// Makes earlier stores to instruction memory visible to this hart's
/// instruction fetches.
#[inline]
pub fn fence_i() {
    // SAFETY: fence.i only orders instruction fetches after stores.
    unsafe { asm!("fence.i", options(nostack)) };
}
