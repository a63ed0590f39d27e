//! The kernel heap: talc (boundary-tag coalescing, binned free lists)
//! that starts on a small static arena (so the device tree can be read
//! before the page allocator exists) and is given one large block of pages
//! once the page allocator is up.
//!
//! It replaced a buddy allocator whose free had to search a free list
//! linearly for the buddy: once the heap fragmented, a 1-byte kernel
//! buffer for write(2) took 60 us to give back (measured with cargo xtask
//! bench; talc frees in constant time).
//!
//! It does not grow on demand: the page allocator keeps its own
//! bookkeeping on this heap, so growing from inside an allocation could
//! re-enter it. Allocations of 64 KiB and more go to the page allocator
//! instead (see `LARGE`).

use super::frame;
use crate::arch::layout::{phys_to_virt, virt_to_phys};
use crate::sync::SpinLock;
use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};
use talc::{ErrOnOom, Span, Talc};

const BOOT_ARENA_SIZE: usize = 1 << 20;

#[repr(C, align(4096))]
struct Arena(UnsafeCell<[u8; BOOT_ARENA_SIZE]>);

// SAFETY: the arena is only ever reached through HEAP's lock (it is handed
// to the heap once, in init).
unsafe impl Sync for Arena {}

static BOOT_ARENA: Arena = Arena(UnsafeCell::new([0; BOOT_ARENA_SIZE]));

struct KernelHeap(SpinLock<Talc<ErrOnOom>>);

#[global_allocator]
static HEAP: KernelHeap = KernelHeap(SpinLock::new(Talc::new(ErrOnOom)));

/// Gives the boot arena to the heap. Called once, first thing at boot.
pub(crate) fn init() {
    let start = BOOT_ARENA.0.get() as usize;
    // SAFETY: the arena is static, unused by anything else, and handed over
    // exactly once (init runs once on the boot hart).
    let claimed = unsafe { HEAP.0.lock().claim(Span::from_base_size(start as *mut u8, BOOT_ARENA_SIZE)) };
    assert!(claimed.is_ok(), "the boot arena is too small for the heap");
    record_span(start, BOOT_ARENA_SIZE);
}

/// Heap statistics: (bytes in use, bytes the heap holds in all).
pub fn usage() -> (usize, usize) {
    let heap = HEAP.0.lock();
    let counters = heap.get_counters();
    (counters.allocated_bytes, counters.claimed_bytes)
}

/// Adds `pages` pages from the page allocator to the heap.
pub(crate) fn add_pages(pages: usize) -> bool {
    let Some(pa) = frame::alloc_contiguous(pages) else {
        return false;
    };
    let start = phys_to_virt(pa);
    // SAFETY: the pages were just taken from the page allocator, so
    // nothing else uses them, and the direct map keeps them mapped.
    let claimed =
        unsafe { HEAP.0.lock().claim(Span::from_base_size(start as *mut u8, pages * frame::PAGE_SIZE)) }
            .is_ok();
    if claimed {
        record_span(start, pages * frame::PAGE_SIZE);
    }
    claimed
}

/// Allocations this large (socket buffers, big kernel buffers) come from
/// the page allocator, as Linux's kmalloc_large: the heap is a fixed part
/// of RAM (a sixteenth), and hundreds of 64 KiB TCP buffers would fill it
/// while most of RAM stays free.
const LARGE: usize = 64 << 10;

/// The spans the heap was given (the boot arena, then pages), as (start,
/// end) addresses: a large block inside one came from the heap itself.
static SPANS: [(AtomicUsize, AtomicUsize); 3] = [const { (AtomicUsize::new(0), AtomicUsize::new(0)) }; 3];

fn record_span(start: usize, size: usize) {
    for (span_start, span_end) in &SPANS {
        if span_end.load(Ordering::Acquire) == 0 {
            span_start.store(start, Ordering::Relaxed);
            span_end.store(start + size, Ordering::Release);
            return;
        }
    }
}

fn is_in_heap(address: usize) -> bool {
    SPANS.iter().any(|(start, end)| {
        let end = end.load(Ordering::Acquire);
        end != 0 && (start.load(Ordering::Relaxed)..end).contains(&address)
    })
}

fn large_pages(layout: Layout) -> Option<usize> {
    (layout.size() >= LARGE && layout.align() <= LARGE).then(|| layout.size().div_ceil(frame::PAGE_SIZE))
}

// SAFETY: allocations come from a talc heap behind a lock, or (large
// ones) from the page allocator; each block is handed out once until it
// is given back, and `dealloc` tells the two apart by the layout (the
// same as at allocation, by GlobalAlloc's contract) and, for a large one,
// by whether it lies in the heap's spans.
unsafe impl GlobalAlloc for KernelHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if let Some(pages) = large_pages(layout) {
            // Without the heap's lock: the page allocator's bookkeeping
            // allocates (small blocks) from the heap. Its blocks are
            // aligned to the next power of two of `pages`, at least
            // `LARGE` here.
            // Before the page allocator has memory (early boot), or when
            // it has none left, the heap serves it.
            if let Some(pa) = frame::alloc_contiguous(pages) {
                return phys_to_virt(pa) as *mut u8;
            }
        }
        // SAFETY: GlobalAlloc's contract gives a layout of non-zero size.
        match unsafe { self.0.lock().malloc(layout) } {
            Ok(block) => block.as_ptr(),
            Err(()) => core::ptr::null_mut(),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(pages) = large_pages(layout) {
            if !is_in_heap(ptr as usize) {
                frame::free_contiguous(virt_to_phys(ptr as usize), pages);
                return;
            }
        }
        if let Some(block) = NonNull::new(ptr) {
            // SAFETY: the caller gives back a block this heap handed out
            // with this layout (GlobalAlloc's contract).
            unsafe { self.0.lock().free(block, layout) };
        }
    }
}
