//! The virtual memory areas of one user address space, kept as Linux keeps
//! them (mm/mmap.c, mm/mprotect.c, mm/mremap.c): which ranges are mapped,
//! with what protection and backing, where a new mapping goes, and how
//! `mmap`, `munmap`, `mprotect`, `brk` and `mremap` split and merge them.
//!
//! Nothing here touches a page table. Every call reports what the kernel
//! must do to the pages: [`AreaSet::map`] and [`AreaSet::unmap`] return the
//! pieces they removed (their pages are to be freed), [`AreaSet::protect`]
//! the range whose protection changed, [`AreaSet::remap`] the pages to move.
//!
//! Addresses are plain `usize` user addresses; lengths are rounded up to
//! whole pages the way the system calls round them, and bad arguments come
//! back as the [`Error`] Linux gives, never as a panic.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]

extern crate alloc;

mod area;
mod brk;
mod flags;
mod layout;
mod maps_line;
mod remap;
mod set;

pub use area::{Area, Backing};
pub use brk::{BrkChange, Heap};
pub use flags::{AreaFlags, Prot};
pub use maps_line::MapsLine;
pub use remap::{Move, Remap};
pub use set::{AreaSet, ProtectError};

/// The page size areas are measured in (Sv39 base pages).
pub const PAGE_SIZE: usize = 4096;

/// Linux's default `stack_guard_gap` (mm/mmap.c): 256 pages kept free below
/// an area that grows down.
pub const DEFAULT_STACK_GUARD_GAP: usize = 256 * PAGE_SIZE;

/// Why an area operation was refused, named after the errno Linux returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// `ENOMEM`: no room for the mapping, it would end past user space, or
    /// (mprotect, mremap) part of the range is not mapped.
    NoMemory,
    /// `EINVAL`: an unaligned address, a zero or overflowing length, a range
    /// reaching past user space (munmap).
    Invalid,
    /// `EEXIST`: `MAP_FIXED_NOREPLACE` over an existing mapping.
    Exists,
    /// `EPERM`: a fixed mapping below the lowest mappable address (Linux's
    /// `mmap_min_addr` check, security/commoncap.c `cap_mmap_addr`).
    Permission,
    /// `EFAULT`: mremap of an address that is not mapped, or of a range
    /// that runs past the end of the area holding its start.
    Fault,
}

impl Error {
    /// The positive Linux errno value.
    pub const fn errno(self) -> i32 {
        match self {
            Error::Permission => 1,
            Error::NoMemory => 12,
            Error::Fault => 14,
            Error::Exists => 17,
            Error::Invalid => 22,
        }
    }
}

/// Whether `addr` is on a page boundary.
pub const fn is_page_aligned(addr: usize) -> bool {
    addr.is_multiple_of(PAGE_SIZE)
}

/// Rounds down to a page boundary.
pub const fn page_floor(addr: usize) -> usize {
    addr & !(PAGE_SIZE - 1)
}

/// Rounds up to a page boundary; `None` when that overflows (Linux's
/// `PAGE_ALIGN` would wrap to 0 there).
pub const fn page_ceil(addr: usize) -> Option<usize> {
    match addr.checked_add(PAGE_SIZE - 1) {
        Some(v) => Some(page_floor(v)),
        None => None,
    }
}
