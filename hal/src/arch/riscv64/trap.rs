//! What happens on a trap: the Rust side of trap.S. Interrupts go to the
//! kernel's handlers; a page fault inside a user-memory copy goes to the
//! kernel's fault handler and, if it cannot map the page, to the copy's
//! fixup; anything else in kernel mode is a kernel bug and panics.

use super::csr::{self, sstatus_bits};
use crate::interrupts;

core::arch::global_asm!(include_str!("trap.S"));

extern "C" {
    fn hal_trap_entry();
}

/// Registers of kernel code interrupted by a trap (layout fixed by trap.S).
#[repr(C)]
pub struct TrapFrame {
    pub regs: [usize; 32],
    pub sepc: usize,
    pub sstatus: usize,
    pub scause: usize,
    pub stval: usize,
    _padding: [usize; 2],
}

const _: () = assert!(core::mem::size_of::<TrapFrame>() == 304);

/// Exception codes (scause with the interrupt bit clear).
pub mod cause {
    pub const INSTRUCTION_MISALIGNED: usize = 0;
    pub const INSTRUCTION_ACCESS: usize = 1;
    pub const ILLEGAL_INSTRUCTION: usize = 2;
    pub const BREAKPOINT: usize = 3;
    pub const LOAD_MISALIGNED: usize = 4;
    pub const LOAD_ACCESS: usize = 5;
    pub const STORE_MISALIGNED: usize = 6;
    pub const STORE_ACCESS: usize = 7;
    pub const USER_ECALL: usize = 8;
    pub const INSTRUCTION_PAGE_FAULT: usize = 12;
    pub const LOAD_PAGE_FAULT: usize = 13;
    pub const STORE_PAGE_FAULT: usize = 15;
}

pub const INTERRUPT_BIT: usize = 1 << 63;

/// Installs the trap vector on this hart.
pub fn init() {
    // SAFETY: hal_trap_entry is the handler in trap.S, aligned to 4.
    unsafe { csr::set_trap_vector(hal_trap_entry as *const () as usize) };
}

/// The kind of memory access that faulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    Execute,
}

impl Access {
    pub(crate) fn from_page_fault(code: usize) -> Option<Access> {
        match code {
            cause::LOAD_PAGE_FAULT => Some(Access::Read),
            cause::STORE_PAGE_FAULT => Some(Access::Write),
            cause::INSTRUCTION_PAGE_FAULT => Some(Access::Execute),
            _ => None,
        }
    }
}

/// Where to resume if the instruction at `pc` faults: the user-copy
/// routines list theirs in the `.ex_table` section.
fn fixup_for(pc: usize) -> Option<usize> {
    extern "C" {
        static __ex_table_start: [usize; 2];
        static __ex_table_end: [usize; 2];
    }
    let start = core::ptr::addr_of!(__ex_table_start);
    let end = core::ptr::addr_of!(__ex_table_end);
    // SAFETY: the linker script brackets the .ex_table section with these
    // symbols, and the section holds (pc, fixup) pairs of usizes.
    let table = unsafe { core::slice::from_raw_parts(start, end.offset_from(start) as usize) };
    table.iter().find(|entry| entry[0] == pc).map(|entry| entry[1])
}

#[no_mangle]
extern "C" fn hal_kernel_trap(frame: &mut TrapFrame) {
    let interrupted_with_interrupts_on = frame.sstatus & sstatus_bits::SPIE != 0;
    if frame.scause & INTERRUPT_BIT != 0 {
        interrupts::dispatch(frame.scause & !INTERRUPT_BIT);
        if interrupted_with_interrupts_on {
            interrupts::preempt_point();
        }
        return;
    }
    let code = frame.scause;
    if let (Some(access), Some(fixup)) = (Access::from_page_fault(code), fixup_for(frame.sepc)) {
        if frame.stval < super::layout::USER_END {
            if interrupted_with_interrupts_on {
                csr::interrupts_enable();
            }
            let resolved = interrupts::user_fault_in_kernel(frame.stval, access);
            csr::interrupts_disable();
            if !resolved {
                frame.sepc = fixup;
            }
            return;
        }
        frame.sepc = fixup;
        return;
    }
    panic!(
        "kernel trap: {} (scause {:#x}) at {}, stval {:#x}",
        describe(code),
        code,
        crate::backtrace::Symbolized(frame.sepc),
        frame.stval
    );
}

/// A name for an exception code.
pub fn describe(code: usize) -> &'static str {
    match code {
        cause::INSTRUCTION_MISALIGNED => "instruction address misaligned",
        cause::INSTRUCTION_ACCESS => "instruction access fault",
        cause::ILLEGAL_INSTRUCTION => "illegal instruction",
        cause::BREAKPOINT => "breakpoint",
        cause::LOAD_MISALIGNED => "load address misaligned",
        cause::LOAD_ACCESS => "load access fault",
        cause::STORE_MISALIGNED => "store address misaligned",
        cause::STORE_ACCESS => "store access fault",
        cause::USER_ECALL => "environment call from U-mode",
        cause::INSTRUCTION_PAGE_FAULT => "instruction page fault",
        cause::LOAD_PAGE_FAULT => "load page fault",
        cause::STORE_PAGE_FAULT => "store page fault",
        _ => "unknown",
    }
}
