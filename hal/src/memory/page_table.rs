//! Page tables kept in RAM reached through the direct map: the
//! [`sv39::TableMemory`] that the kernel's and the user address spaces use.

use super::frame;
use crate::arch::layout::phys_to_virt;
use sv39::{Pte, TableMemory};

/// Table pages come from the page allocator and are read and written
/// through the direct map.
pub struct DirectMapTables;

impl TableMemory for DirectMapTables {
    fn alloc_table(&mut self) -> Option<u64> {
        frame::alloc_zeroed().map(|pa| pa as u64)
    }

    fn free_table(&mut self, table_pa: u64) {
        frame::free(table_pa as usize);
    }

    #[inline]
    fn read(&self, table_pa: u64, index: usize) -> Pte {
        assert!(index < sv39::ENTRIES);
        let entry = (phys_to_virt(table_pa as usize) as *const u64).wrapping_add(index);
        // SAFETY: table_pa is a table page (from alloc_table or the boot
        // tables) mapped by the direct map, and index is within it. The
        // hardware walker updates A/D bits concurrently, so the read is
        // volatile.
        Pte(unsafe { entry.read_volatile() })
    }

    #[inline]
    fn write(&mut self, table_pa: u64, index: usize, pte: Pte) {
        assert!(index < sv39::ENTRIES);
        let entry = (phys_to_virt(table_pa as usize) as *mut u64).wrapping_add(index);
        // SAFETY: as in read; entries are naturally aligned u64s, so the
        // hardware walker sees either the old or the new value.
        unsafe { entry.write_volatile(pte.0) };
    }
}
