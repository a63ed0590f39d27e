//! Where things live in goose's virtual address space (Sv39).
//!
//! ```text
//! 0x0000_0000_0000_0000 .. 0x0000_0040_0000_0000  user space (256 GiB, root slots 0..256)
//! 0xffff_ffc0_0000_0000 .. 0xffff_ffd0_0000_0000  direct map of physical 0..64 GiB
//! 0xffff_ffff_8020_0000 ..                         the kernel image (32 MiB window)
//! ```

/// Where the direct map starts: physical address `p` is at `DIRECT_MAP_BASE + p`.
pub const DIRECT_MAP_BASE: usize = 0xffff_ffc0_0000_0000;
/// How much physical address space the direct map covers.
pub const DIRECT_MAP_SIZE: usize = 64 << 30;
/// Virtual address the kernel image is linked at (kernel/linker.ld).
pub const KERNEL_BASE: usize = 0xffff_ffff_8020_0000;
/// The boot page table maps this much of the image with 2 MiB pages.
pub const KERNEL_WINDOW: usize = 32 << 20;
/// One past the highest user address.
pub const USER_END: usize = 0x40_0000_0000;
/// Root-table slots that belong to user space.
pub const USER_ROOT_SLOTS: core::ops::Range<usize> = 0..256;
/// Root-table slots that belong to the kernel and are shared by every
/// address space.
pub const KERNEL_ROOT_SLOTS: core::ops::Range<usize> = 256..512;

/// The direct-map address of physical address `pa`.
#[inline]
pub const fn phys_to_virt(pa: usize) -> usize {
    DIRECT_MAP_BASE + pa
}

/// The physical address behind a direct-map address.
#[inline]
pub const fn virt_to_phys(va: usize) -> usize {
    va - DIRECT_MAP_BASE
}
