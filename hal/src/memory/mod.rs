//! Physical memory and the kernel's own address space: the page allocator,
//! the heap, and the kernel page table (a direct map of RAM plus the kernel
//! image mapped section by section, W^X).

pub mod frame;
pub mod heap;
mod kernel_space;
pub mod page;
pub mod page_table;
pub mod user_space;

pub(crate) use kernel_space::activate as activate_kernel_table;
pub use kernel_space::{kernel_root, kernel_satp};

use crate::arch::layout::{phys_to_virt, DIRECT_MAP_SIZE, KERNEL_BASE};
use core::sync::atomic::{AtomicUsize, Ordering};
use platform::{BootInfo, Region};

/// Where the initrd is (kept out of the page allocator).
static INITRD: spin::Once<(usize, usize)> = spin::Once::new();

/// The initrd the firmware loaded, if any.
pub fn initrd() -> Option<&'static [u8]> {
    let &(start, size) = INITRD.get()?;
    // SAFETY: memory::init kept the initrd out of the page allocator, so
    // nothing else writes it, and the direct map covers it (it lies in
    // RAM, checked by the platform crate).
    Some(unsafe { core::slice::from_raw_parts(phys_to_virt(start) as *const u8, size) })
}

/// Physical address the kernel image was loaded at.
static KERNEL_PHYS_BASE: AtomicUsize = AtomicUsize::new(0);

extern "C" {
    static __kernel_start: u8;
    static __text_end: u8;
    static __rodata_end: u8;
    static __kernel_end: u8;
}

/// Virtual addresses of the image's section boundaries.
pub(crate) struct ImageLayout {
    pub start: usize,
    pub text_end: usize,
    pub rodata_end: usize,
    pub end: usize,
}

pub(crate) fn image_layout() -> ImageLayout {
    ImageLayout {
        start: core::ptr::addr_of!(__kernel_start) as usize,
        text_end: core::ptr::addr_of!(__text_end) as usize,
        rodata_end: core::ptr::addr_of!(__rodata_end) as usize,
        end: core::ptr::addr_of!(__kernel_end) as usize,
    }
}

/// Physical address of a kernel-image virtual address.
pub fn kernel_image_phys(va: usize) -> usize {
    va - KERNEL_BASE + KERNEL_PHYS_BASE.load(Ordering::Relaxed)
}

/// Zeroes the page at physical address `pa`.
pub fn zero_page(pa: usize) {
    let page = phys_to_virt(pa) as *mut u64;
    for i in 0..frame::PAGE_SIZE / 8 {
        // SAFETY: `pa` is a page the caller owns, mapped by the direct map.
        unsafe { page.add(i).write(0) };
    }
}

/// Sets up the page allocator from the machine description and switches
/// the boot hart to the kernel page table. `device_tree` is where the
/// firmware put the tree, which stays reserved.
pub(crate) fn init(info: &BootInfo, kernel_phys: usize, device_tree: Region) {
    KERNEL_PHYS_BASE.store(kernel_phys, Ordering::Relaxed);
    if let Some(initrd) = info.initrd {
        if initrd.end() <= DIRECT_MAP_SIZE as u64 {
            INITRD.call_once(|| (initrd.start as usize, initrd.size as usize));
        }
    }
    let layout = image_layout();
    let image = Region::new(kernel_phys as u64, (layout.end - layout.start) as u64);
    let mut taken: alloc::vec::Vec<Region> = info.reserved.clone();
    taken.push(image);
    taken.push(device_tree);
    taken.extend(info.initrd);
    taken.sort();
    for ram in &info.memory {
        let end = ram.end().min(DIRECT_MAP_SIZE as u64);
        let mut cursor = ram.start;
        for hole in taken.iter().filter(|r| r.overlaps(ram)) {
            add_pages(cursor, hole.start.min(end));
            cursor = cursor.max(hole.end());
        }
        add_pages(cursor, end);
    }
    let ram_start = info.memory.iter().map(|r| r.start).min().unwrap_or(0) as usize;
    let ram_top = info.memory.iter().map(|r| r.end()).max().unwrap_or(0).min(DIRECT_MAP_SIZE as u64) as usize;
    page::init(ram_start & !(frame::PAGE_SIZE - 1), ram_top.div_ceil(frame::PAGE_SIZE) * frame::PAGE_SIZE);
    // The heap gets a sixteenth of RAM, between 8 and 256 MiB.
    let heap_pages = (frame::total_pages() / 16).clamp(2048, 65536).next_power_of_two();
    if !heap::add_pages(heap_pages) && !heap::add_pages(heap_pages / 4) {
        panic!("not enough memory for the kernel heap");
    }
    let ram_end = info.memory.iter().map(|r| r.end()).max().unwrap_or(0);
    kernel_space::build(ram_end.min(DIRECT_MAP_SIZE as u64) as usize);
    kernel_space::activate();
}

/// Adds the whole pages inside `[start, end)`.
fn add_pages(start: u64, end: u64) {
    let page = frame::PAGE_SIZE as u64;
    let first = start.div_ceil(page) * page;
    let last = end / page * page;
    if last > first {
        frame::add_range(first as usize, last as usize);
    }
}

/// Switches this hart to the kernel page table (before a user table it
/// had in satp is freed).
pub fn use_kernel_table() {
    kernel_space::activate();
}
