//! Everything specific to RISC-V 64 (RV64GC, Sv39).

pub mod csr;
pub mod layout;
pub mod sbi;
pub mod trap;
pub mod user_context;

core::arch::global_asm!(include_str!("switch.S"));
