//! goose's hardware abstraction layer: the only crate with `unsafe` code.
//! It boots the harts, owns the page tables' memory, the trap path, the
//! thread switch, the user-memory copies and the MMIO of the console UART,
//! the PLIC and the power-off device, and gives the kernel safe interfaces
//! to all of them.
#![no_std]

extern crate alloc;

pub mod arch;
pub mod backtrace;
pub mod boot;
pub mod console;
pub mod cpu;
pub mod interrupts;
pub mod memory;
pub mod plic;
pub mod pod;
pub mod power;
pub mod rtc;
pub mod sync;
pub mod task;
pub mod timer;
pub mod uart;
pub mod user_copy;
pub mod virtio;
pub mod virtio_net;

pub use arch::trap;
pub use arch::user_context::{FpRegisters, UserContext, UserEvent};
pub use platform::BootInfo;
