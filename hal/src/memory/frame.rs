//! The physical page allocator: a buddy allocator over the RAM the device
//! tree lists, minus the firmware, the kernel image, the initrd and the
//! device tree itself.

use crate::sync::SpinLock;
use buddy_system_allocator::FrameAllocator;
use core::sync::atomic::{AtomicUsize, Ordering};

pub const PAGE_SIZE: usize = 4096;

/// Orders up to 2^31 pages, more than any machine goose runs on.
static FRAMES: SpinLock<FrameAllocator<32>> = SpinLock::new(FrameAllocator::new());
static TOTAL_PAGES: AtomicUsize = AtomicUsize::new(0);
static FREE_PAGES: AtomicUsize = AtomicUsize::new(0);

/// Hands the pages in `[start, end)` (physical, page aligned) to the
/// allocator.
pub(crate) fn add_range(start: usize, end: usize) {
    if end <= start {
        return;
    }
    let pages = (end - start) / PAGE_SIZE;
    FRAMES.lock().add_frame(start / PAGE_SIZE, end / PAGE_SIZE);
    TOTAL_PAGES.fetch_add(pages, Ordering::Relaxed);
    FREE_PAGES.fetch_add(pages, Ordering::Relaxed);
}

/// Allocates `count` physically contiguous pages (aligned to the next
/// power of two of `count`) and returns the physical address of the first.
/// The memory is not zeroed.
pub fn alloc_contiguous(count: usize) -> Option<usize> {
    let first = FRAMES.lock().alloc(count)?;
    FREE_PAGES.fetch_sub(count.next_power_of_two(), Ordering::Relaxed);
    Some(first * PAGE_SIZE)
}

/// Frees what [`alloc_contiguous`] returned; `count` must be the same.
pub fn free_contiguous(pa: usize, count: usize) {
    FRAMES.lock().dealloc(pa / PAGE_SIZE, count);
    FREE_PAGES.fetch_add(count.next_power_of_two(), Ordering::Relaxed);
}

/// One page, zeroed.
pub fn alloc_zeroed() -> Option<usize> {
    let pa = alloc_contiguous(1)?;
    super::zero_page(pa);
    Some(pa)
}

pub fn free(pa: usize) {
    free_contiguous(pa, 1);
}

/// Pages handed to the allocator at boot.
pub fn total_pages() -> usize {
    TOTAL_PAGES.load(Ordering::Relaxed)
}

/// Pages free right now.
pub fn free_pages() -> usize {
    FREE_PAGES.load(Ordering::Relaxed)
}
