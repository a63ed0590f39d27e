//! A user thread's registers and the switch into user mode and back.
//!
//! [`UserContext::run`] enters user mode and returns the next time the
//! thread traps, saying why. The kernel's thread loop is a plain loop
//! around it.
//!
//! Floating-point state is switched lazily: the kernel never uses the FP
//! registers (sstatus.FS is Off in the kernel, so any use would trap), a
//! context's FP registers are saved only when user code dirtied them, and
//! loaded only when this hart's registers hold someone else's.

use super::csr::{self, sstatus_bits};
use super::trap::{cause, Access, INTERRUPT_BIT};
use crate::cpu::this_hart;

extern "C" {
    fn hal_run_user(context: *mut UserContext);
    fn hal_fp_save(registers: *mut FpRegisters);
    fn hal_fp_load(registers: *const FpRegisters);
}

core::arch::global_asm!(include_str!("fp.S"));

/// f0..f31 and fcsr, as Linux's `__riscv_d_ext_state`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct FpRegisters {
    pub f: [u64; 32],
    pub fcsr: u32,
    _padding: u32,
}

const NO_HART: usize = usize::MAX;

/// Layout fixed by trap.S up to `kernel_sp`.
#[repr(C)]
#[derive(Clone, Debug)]
pub struct UserContext {
    /// x0..x31; x0 is unused.
    pub regs: [usize; 32],
    pub pc: usize,
    sstatus: usize,
    scause: usize,
    stval: usize,
    kernel_sp: usize,
    fp: FpRegisters,
    /// Index of the hart whose FP registers hold this context's current FP
    /// state, or NO_HART.
    fp_hart: usize,
}

const _: () = assert!(core::mem::offset_of!(UserContext, pc) == 256);
const _: () = assert!(core::mem::offset_of!(UserContext, kernel_sp) == 288);

/// Why user code stopped running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserEvent {
    /// An `ecall`; `pc` already points past it.
    Syscall,
    /// An interrupt, already handled by the kernel's handlers.
    Interrupt,
    PageFault {
        address: usize,
        access: Access,
    },
    /// Access fault (no memory there at all) or misaligned access.
    AccessFault {
        address: usize,
        misaligned: bool,
    },
    IllegalInstruction {
        instruction: usize,
    },
    Breakpoint,
}

/// Register numbers of the ABI names the kernel needs.
pub mod reg {
    pub const RA: usize = 1;
    pub const SP: usize = 2;
    pub const GP: usize = 3;
    pub const TP: usize = 4;
    pub const A0: usize = 10;
    pub const A1: usize = 11;
    pub const A2: usize = 12;
    pub const A3: usize = 13;
    pub const A4: usize = 14;
    pub const A5: usize = 15;
    pub const A7: usize = 17;
}

impl Default for UserContext {
    fn default() -> Self {
        UserContext {
            regs: [0; 32],
            pc: 0,
            sstatus: 0,
            scause: 0,
            stval: 0,
            kernel_sp: 0,
            fp: FpRegisters::default(),
            fp_hart: NO_HART,
        }
    }
}

impl UserContext {
    /// Runs user code until its next trap. Interrupts are on again when
    /// this returns.
    pub fn run(&mut self) -> UserEvent {
        csr::interrupts_disable();
        let hart = this_hart();
        let me = self as *const UserContext as usize;
        if hart.fp_owner.get() != me || self.fp_hart != hart.index() {
            csr::set_fp_state(sstatus_bits::FS_INITIAL);
            // SAFETY: FS is on, and `self.fp` is a valid FpRegisters.
            unsafe { hal_fp_load(&self.fp) };
            hart.fp_owner.set(me);
            self.fp_hart = hart.index();
        }
        // SUM stays as the kernel keeps it (set, see csr::allow_user_access):
        // it means nothing in user mode, and changing it would make QEMU
        // flush its TLB on every return to user mode.
        let kept = csr::sstatus() & !(sstatus_bits::SPP | sstatus_bits::SIE | sstatus_bits::FS_MASK);
        self.sstatus = kept | sstatus_bits::SPIE | sstatus_bits::FS_CLEAN;
        // SAFETY: interrupts are off; the context's sstatus returns to user
        // mode (SPP = 0) with interrupts on; trap.S saves every user
        // register back into `self` and returns here on the next trap.
        unsafe { hal_run_user(self) };
        if self.sstatus & sstatus_bits::FS_MASK == sstatus_bits::FS_DIRTY {
            // SAFETY: FS is Dirty, hence on; the registers are this
            // context's (loaded above or left by its own earlier run).
            unsafe { hal_fp_save(&mut self.fp) };
        }
        csr::set_fp_state(sstatus_bits::FS_OFF);
        let event = self.decode();
        csr::interrupts_enable();
        event
    }

    fn decode(&mut self) -> UserEvent {
        if self.scause & INTERRUPT_BIT != 0 {
            crate::interrupts::dispatch(self.scause & !INTERRUPT_BIT);
            return UserEvent::Interrupt;
        }
        let address = self.stval;
        match self.scause {
            cause::USER_ECALL => {
                self.pc += 4;
                UserEvent::Syscall
            }
            code @ (cause::LOAD_PAGE_FAULT | cause::STORE_PAGE_FAULT | cause::INSTRUCTION_PAGE_FAULT) => {
                let access = Access::from_page_fault(code).unwrap_or(Access::Read);
                UserEvent::PageFault { address, access }
            }
            cause::LOAD_MISALIGNED | cause::STORE_MISALIGNED | cause::INSTRUCTION_MISALIGNED => {
                UserEvent::AccessFault { address, misaligned: true }
            }
            cause::LOAD_ACCESS | cause::STORE_ACCESS | cause::INSTRUCTION_ACCESS => {
                UserEvent::AccessFault { address, misaligned: false }
            }
            cause::BREAKPOINT => UserEvent::Breakpoint,
            _ => UserEvent::IllegalInstruction { instruction: address },
        }
    }

    /// The saved FP registers (valid whenever the thread is not running).
    pub fn fp_registers(&self) -> &FpRegisters {
        &self.fp
    }

    /// Replaces the FP registers (signal return, exec).
    pub fn set_fp_registers(&mut self, registers: FpRegisters) {
        self.fp = registers;
        self.fp_hart = NO_HART;
    }

    /// A copy for a new thread or process: FP state included, but it is
    /// not in any hart's registers.
    pub fn duplicate(&self) -> UserContext {
        let mut copy = self.clone();
        copy.fp_hart = NO_HART;
        copy
    }
}
