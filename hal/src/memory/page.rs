//! Reference-counted pages of user memory. A [`Page`] value is one counted
//! reference; a page table entry that maps the page holds another. The
//! page returns to the allocator when the last reference goes.

use super::frame::{self, PAGE_SIZE};
use crate::arch::layout::phys_to_virt;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use spin::Once;

/// One counter per page of RAM, from the lowest to the highest RAM address.
struct Counts {
    first_pfn: usize,
    counts: &'static [AtomicU32],
}

static COUNTS: Once<Counts> = Once::new();

/// Sets up the counters for RAM spanning `[start, end)`, taking their
/// storage from the page allocator.
pub(crate) fn init(start: usize, end: usize) {
    let pages = (end - start) / PAGE_SIZE;
    let bytes = pages * core::mem::size_of::<AtomicU32>();
    let table_pages = bytes.div_ceil(PAGE_SIZE);
    let pa = frame::alloc_contiguous(table_pages).expect("no memory for page reference counts");
    let base = phys_to_virt(pa) as *mut AtomicU32;
    for i in 0..pages {
        // SAFETY: the pages were just allocated for this table and are
        // large enough for `pages` counters; AtomicU32 needs 4-byte
        // alignment and the block is page aligned.
        unsafe { base.add(i).write(AtomicU32::new(0)) };
    }
    // SAFETY: initialized above, never freed, and only reached through
    // atomics afterwards.
    let counts = unsafe { core::slice::from_raw_parts(base as *const AtomicU32, pages) };
    COUNTS.call_once(|| Counts { first_pfn: start / PAGE_SIZE, counts });
}

fn count(pa: usize) -> &'static AtomicU32 {
    let table = COUNTS.get().expect("page counts used before memory init");
    &table.counts[pa / PAGE_SIZE - table.first_pfn]
}

/// One reference to a page of RAM.
pub struct Page {
    pa: usize,
}

impl Page {
    /// A new zeroed page with one reference.
    pub fn alloc_zeroed() -> Option<Page> {
        let pa = frame::alloc_zeroed()?;
        count(pa).store(1, Ordering::Relaxed);
        Some(Page { pa })
    }

    /// A new page holding a copy of `source`.
    pub fn alloc_copy(source: &Page) -> Option<Page> {
        let pa = frame::alloc_contiguous(1)?;
        count(pa).store(1, Ordering::Relaxed);
        let page = Page { pa };
        // SAFETY: both are whole pages of RAM reached by the direct map;
        // the new one is not shared with anyone yet.
        unsafe {
            core::ptr::copy_nonoverlapping(
                phys_to_virt(source.pa) as *const u8,
                phys_to_virt(pa) as *mut u8,
                PAGE_SIZE,
            )
        };
        Some(page)
    }

    pub fn pa(&self) -> usize {
        self.pa
    }

    /// How many references exist (page tables included).
    pub fn ref_count(&self) -> u32 {
        count(self.pa).load(Ordering::Acquire)
    }

    /// Copies `bytes` into the page at `offset`.
    pub fn write(&self, offset: usize, bytes: &[u8]) {
        assert!(offset.checked_add(bytes.len()).is_some_and(|end| end <= PAGE_SIZE));
        // SAFETY: the range lies inside this page (checked), which is RAM
        // mapped by the direct map; user code may write the page at the
        // same time, which only mixes the bytes, as on Linux.
        unsafe {
            core::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                (phys_to_virt(self.pa) + offset) as *mut u8,
                bytes.len(),
            )
        };
    }

    /// Stores `value` at `offset` (8-byte aligned) with one atomic 64-bit
    /// store of the given ordering, for a word user code reads while the
    /// kernel changes it (the vDSO's data page: a torn store could pass
    /// its sequence check).
    pub fn store_u64(&self, offset: usize, value: u64, ordering: Ordering) {
        assert!(offset.is_multiple_of(8) && offset + 8 <= PAGE_SIZE);
        let word = (phys_to_virt(self.pa) + offset) as *mut u64;
        // SAFETY: the word is 8-byte aligned (checked) and inside this
        // page, which is RAM mapped by the direct map for as long as this
        // reference lives. Other accesses are user loads or, like
        // `write`, plain copies that at worst mix bytes, as on Linux.
        let atomic = unsafe { AtomicU64::from_ptr(word) };
        atomic.store(value, ordering);
    }

    /// Copies bytes of the page from `offset` into `buffer`.
    pub fn read(&self, offset: usize, buffer: &mut [u8]) {
        assert!(offset.checked_add(buffer.len()).is_some_and(|end| end <= PAGE_SIZE));
        // SAFETY: as in write.
        unsafe {
            core::ptr::copy_nonoverlapping(
                (phys_to_virt(self.pa) + offset) as *const u8,
                buffer.as_mut_ptr(),
                buffer.len(),
            )
        };
    }

    /// Zeroes `length` bytes from `offset`.
    pub fn zero(&self, offset: usize, length: usize) {
        assert!(offset.checked_add(length).is_some_and(|end| end <= PAGE_SIZE));
        // SAFETY: as in write.
        unsafe { core::ptr::write_bytes((phys_to_virt(self.pa) + offset) as *mut u8, 0, length) };
    }

    /// Gives the reference to a page table entry.
    pub(crate) fn into_raw(self) -> usize {
        let pa = self.pa;
        core::mem::forget(self);
        pa
    }

    /// Takes back a reference that [`into_raw`](Self::into_raw) gave away.
    ///
    /// # Safety
    /// `pa` must come from `into_raw`, and that reference must not be used
    /// again.
    pub(crate) unsafe fn from_raw(pa: usize) -> Page {
        Page { pa }
    }
}

impl Clone for Page {
    fn clone(&self) -> Page {
        count(self.pa).fetch_add(1, Ordering::Relaxed);
        Page { pa: self.pa }
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        if count(self.pa).fetch_sub(1, Ordering::AcqRel) == 1 {
            frame::free(self.pa);
        }
    }
}
