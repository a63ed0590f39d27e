//! The kernel page table: every address space shares its upper half.

use super::page_table::DirectMapTables;
use super::{image_layout, kernel_image_phys};
use crate::arch::csr;
use crate::arch::layout::DIRECT_MAP_BASE;
use core::sync::atomic::{AtomicUsize, Ordering};
use sv39::{PageSize, PageTable, PteFlags};

static KERNEL_ROOT: AtomicUsize = AtomicUsize::new(0);

/// Physical address of the kernel root table.
pub fn kernel_root() -> usize {
    KERNEL_ROOT.load(Ordering::Acquire)
}

/// The satp value that selects the kernel page table.
pub fn kernel_satp() -> usize {
    sv39::satp(kernel_root() as u64, 0) as usize
}

const GLOBAL_RW: PteFlags = PteFlags::READ
    .union(PteFlags::WRITE)
    .union(PteFlags::GLOBAL)
    .union(PteFlags::ACCESSED)
    .union(PteFlags::DIRTY);

/// Builds the table: a direct map of physical `[0, ram_end)` in gigapages
/// (read/write, never executable) and the image in 4 KiB pages with text
/// read/execute, read-only data read-only, and data and bss read/write.
pub(crate) fn build(ram_end: usize) {
    let mut tables = DirectMapTables;
    let root = PageTable::new(&mut tables).expect("no memory for the kernel page table");
    let gib = 1usize << 30;
    for offset in (0..ram_end.div_ceil(gib) * gib).step_by(gib) {
        let va = (DIRECT_MAP_BASE + offset) as u64;
        root.map(&mut tables, va, offset as u64, PageSize::Size1G, GLOBAL_RW)
            .expect("kernel page table: direct map");
    }
    let layout = image_layout();
    let global = PteFlags::GLOBAL | PteFlags::ACCESSED;
    let sections = [
        (layout.start, layout.text_end, global | PteFlags::READ | PteFlags::EXECUTE),
        (layout.text_end, layout.rodata_end, global | PteFlags::READ),
        (layout.rodata_end, layout.end, GLOBAL_RW),
    ];
    for (start, end, flags) in sections {
        for va in (start..end).step_by(super::frame::PAGE_SIZE) {
            let pa = kernel_image_phys(va) as u64;
            root.map(&mut tables, va as u64, pa, PageSize::Size4K, flags).expect("kernel page table: image");
        }
    }
    KERNEL_ROOT.store(root.root as usize, Ordering::Release);
}

/// Switches this hart to the kernel page table.
pub(crate) fn activate() {
    // SAFETY: the kernel table maps the image at the addresses it is linked
    // at and the direct map at the same place as the boot table, so the
    // running code, its stack (in the image's bss or in the direct map) and
    // all kernel data stay where they are.
    unsafe { csr::set_satp(kernel_satp()) };
}
