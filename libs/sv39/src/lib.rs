//! Sv39 page-table entries and the walk over a three-level table, kept free
//! of hardware access so it can be tested on the host. The memory holding
//! the tables is reached through [`TableMemory`], which the hal implements
//! over the kernel's direct map.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]

mod entry;
mod table;

pub use entry::{PageSize, Pte, PteFlags};
pub use table::{MapError, PageTable, TableMemory};

pub const PAGE_SIZE: usize = 4096;
pub const PAGE_SHIFT: usize = 12;
/// Entries in one table page.
pub const ENTRIES: usize = 512;
/// The `MODE` field of `satp` for Sv39.
pub const SATP_MODE_SV39: u64 = 8 << 60;

/// Index into the table at `level` (2 is the root) for virtual address `va`.
pub const fn vpn(va: u64, level: usize) -> usize {
    ((va >> (PAGE_SHIFT + 9 * level)) & 0x1ff) as usize
}

/// Sv39 addresses are 39 bits sign-extended to 64: bits 63..39 must equal
/// bit 38.
pub const fn is_canonical(va: u64) -> bool {
    let top = (va as i64) >> 38;
    top == 0 || top == -1
}

pub const fn page_floor(addr: u64) -> u64 {
    addr & !(PAGE_SIZE as u64 - 1)
}

/// Rounds up to a page boundary; `None` when that overflows.
pub const fn page_ceil(addr: u64) -> Option<u64> {
    match addr.checked_add(PAGE_SIZE as u64 - 1) {
        Some(v) => Some(page_floor(v)),
        None => None,
    }
}

/// The `satp` value selecting the Sv39 table rooted at `root_pa`.
pub const fn satp(root_pa: u64, asid: u16) -> u64 {
    SATP_MODE_SV39 | ((asid as u64) << 44) | (root_pa >> PAGE_SHIFT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vpn_splits_addresses() {
        let va = 0xffff_ffff_8020_1000u64;
        assert_eq!(vpn(va, 2), 510);
        assert_eq!(vpn(va, 1), 1);
        assert_eq!(vpn(va, 0), 1);
        assert_eq!(vpn(0xffff_ffc0_0000_0000, 2), 256);
    }

    #[test]
    fn canonical_addresses() {
        assert!(is_canonical(0));
        assert!(is_canonical(0x3f_ffff_ffff));
        assert!(!is_canonical(0x40_0000_0000));
        assert!(is_canonical(0xffff_ffc0_0000_0000));
        assert!(!is_canonical(0xffff_ff80_0000_0000));
    }

    #[test]
    fn rounding() {
        assert_eq!(page_floor(0x1fff), 0x1000);
        assert_eq!(page_ceil(0x1001), Some(0x2000));
        assert_eq!(page_ceil(0x1000), Some(0x1000));
        assert_eq!(page_ceil(u64::MAX), None);
    }

    #[test]
    fn satp_encoding() {
        assert_eq!(satp(0x8020_0000, 0), 0x8000_0000_0008_0200);
        assert_eq!(satp(0x8020_0000, 5) >> 44 & 0xffff, 5);
    }
}
