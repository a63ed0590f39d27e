//! The machine description goose boots with, read from the flattened device
//! tree that the firmware hands over (nothing about the board is hard-coded).
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]

extern crate alloc;

mod devicetree;
mod region;

pub use devicetree::{parse, ParseError};
pub use region::Region;

use alloc::string::String;
use alloc::vec::Vec;

/// One hart (hardware thread) listed under `/cpus`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hart {
    /// The hart id, as SBI and `mhartid` know it.
    pub id: usize,
    /// The phandle of its local interrupt controller, which the PLIC's
    /// `interrupts-extended` refers to.
    pub intc_phandle: Option<u32>,
    /// The ISA supports the Sstc extension (`stimecmp`).
    pub has_sstc: bool,
}

/// A memory-mapped device with an optional interrupt line on the PLIC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MmioDevice {
    pub region: Region,
    pub irq: Option<u32>,
}

/// An ns16550-compatible UART.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Uart {
    pub device: MmioDevice,
    /// Registers are `1 << reg_shift` bytes apart.
    pub reg_shift: u32,
}

/// The platform-level interrupt controller and which of its contexts is the
/// supervisor-mode external interrupt of each hart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plic {
    pub region: Region,
    /// Number of interrupt sources (`riscv,ndev`).
    pub source_count: u32,
    /// `(hart id, context index)` for each hart's S-mode external interrupt.
    pub supervisor_contexts: Vec<(usize, usize)>,
}

/// Everything goose needs to know about the machine it booted on.
#[derive(Clone, Debug, Default)]
pub struct BootInfo {
    /// Usable RAM from `/memory` nodes, sorted and merged.
    pub memory: Vec<Region>,
    /// RAM that must not be handed out: the memory reservation block and
    /// `/reserved-memory` children (the firmware's own region lives there).
    pub reserved: Vec<Region>,
    /// Harts whose `status` is okay (or absent), in device-tree order.
    pub harts: Vec<Hart>,
    /// Frequency of the `time` CSR, from `/cpus/timebase-frequency`.
    pub timebase_hz: u64,
    pub uart: Option<Uart>,
    pub plic: Option<Plic>,
    pub clint: Option<Region>,
    /// The goldfish RTC (wall-clock time).
    pub rtc: Option<MmioDevice>,
    /// The `sifive,test` device: writing to it powers the machine off.
    pub test_device: Option<Region>,
    /// virtio-mmio transport slots, sorted by address.
    pub virtio_mmio: Vec<MmioDevice>,
    /// `/chosen/bootargs`, or empty.
    pub bootargs: String,
    /// The initrd from `/chosen/linux,initrd-start` and `-end`, if it is
    /// inside RAM.
    pub initrd: Option<Region>,
    /// Problems found while reading the tree: each was worked around with a
    /// safe default and should be logged.
    pub warnings: Vec<String>,
}
