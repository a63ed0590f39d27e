//! Architecture-specific code; goose runs on RISC-V 64 only.

pub mod riscv64;

pub use riscv64::{csr, layout, sbi, trap, user_context};
