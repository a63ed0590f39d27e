//! What `execve` needs before it can replace a program, as pure logic: the
//! load plan of a RISC-V ELF64 executable (Linux's fs/binfmt_elf.c), the
//! `#!` line of a script (fs/binfmt_script.c), and the bytes of the initial
//! user stack with argv, envp and the auxiliary vector (fs/exec.c and
//! `create_elf_tables`).
//!
//! Nothing here touches memory or files: [`plan`] / [`plan_from`] read the
//! headers from a byte prefix or through [`ReadAt`], [`LoadPlan`] says which
//! pages to map from the file, which bytes to zero and which pages are pure
//! bss, and [`build_stack`] returns the image to copy below the stack top.
//! Malformed input of any kind is an [`ElfError`] (with the errno Linux
//! gives), never a panic.
//!
//! Addresses and sizes are `u64`: they are riscv64 user addresses whatever
//! the host running the tests.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]

extern crate alloc;

pub mod auxv;
mod error;
mod header;
mod load_plan;
mod script;
mod stack;

pub use error::ElfError;
pub use header::{plan, plan_from, ReadAt, ReadError};
pub use load_plan::{ElfKind, FloatAbi, LoadPlan, Placement, Prot, Segment, SegmentPages};
pub use script::{is_script, Script, BINPRM_BUF_SIZE};
pub use stack::{
    arg_space_limit, build_stack, check_arg_limits, InitialStack, StackImage, ARG_MAX, DEFAULT_STACK_RLIMIT,
    MAX_ARG_STRLEN,
};

/// The page size of riscv64 Linux (`ELF_MIN_ALIGN`, `ELF_EXEC_PAGESIZE`).
pub const PAGE_SIZE: u64 = 4096;

/// The end of user space under Sv39: 256 GiB (`TASK_SIZE` on riscv64 with a
/// three-level page table, arch/riscv/include/asm/pgtable.h). Every segment
/// must end at or below it.
pub const TASK_SIZE: u64 = 1 << 38;

/// Where Linux puts a position-independent main program when address-space
/// randomization is off: two thirds of the default mmap window
/// (`ELF_ET_DYN_BASE` = `(DEFAULT_MAP_WINDOW / 3) * 2`, arch/riscv/include/asm/elf.h;
/// the window is `TASK_SIZE` under Sv39), later rounded down to the largest
/// segment alignment. For 4 KiB alignment that is 0x2a_aaaa_a000: where a
/// PIE program starts on riscv64 Linux with randomization off.
pub const ELF_ET_DYN_BASE: u64 = TASK_SIZE / 3 * 2;

/// Rounds `address` down to its page.
pub const fn page_start(address: u64) -> u64 {
    address & !(PAGE_SIZE - 1)
}

/// The offset of `address` within its page.
pub const fn page_offset(address: u64) -> u64 {
    address & (PAGE_SIZE - 1)
}

/// Rounds `address` up to a page boundary, or `None` past the end of the
/// address space.
pub const fn page_end(address: u64) -> Option<u64> {
    match address.checked_add(PAGE_SIZE - 1) {
        Some(end) => Some(page_start(end)),
        None => None,
    }
}
