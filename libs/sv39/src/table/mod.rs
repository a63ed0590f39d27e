//! Mapping, unmapping and translating over a three-level Sv39 table.

use crate::entry::{PageSize, Pte, PteFlags};
use crate::{is_canonical, vpn};

/// Access to the physical memory that holds page tables.
pub trait TableMemory {
    /// A zeroed page for a new table, by physical address.
    fn alloc_table(&mut self) -> Option<u64>;
    /// Gives back a table page that holds no valid entry any more.
    fn free_table(&mut self, table_pa: u64);
    fn read(&self, table_pa: u64, index: usize) -> Pte;
    fn write(&mut self, table_pa: u64, index: usize, pte: Pte);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapError {
    /// No memory for an intermediate table.
    OutOfMemory,
    /// Something is mapped there already (a leaf where a table would go,
    /// or a valid entry in the slot).
    AlreadyMapped,
    /// The address is not aligned to the page size or not canonical.
    BadAddress,
}

/// A table by the physical address of its root page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageTable {
    pub root: u64,
}

impl PageTable {
    pub fn new(mem: &mut impl TableMemory) -> Option<Self> {
        mem.alloc_table().map(|root| PageTable { root })
    }

    /// Maps one page of `size` at `va` to `pa`. `flags` must make a leaf.
    pub fn map(
        &self,
        mem: &mut impl TableMemory,
        va: u64,
        pa: u64,
        size: PageSize,
        flags: PteFlags,
    ) -> Result<(), MapError> {
        let align = size.bytes() - 1;
        if va & align != 0 || pa & align != 0 || !is_canonical(va) || !flags.is_leaf() {
            return Err(MapError::BadAddress);
        }
        let (table, index) = self.leaf_slot(mem, va, size.level(), true)?;
        if mem.read(table, index).is_valid() {
            return Err(MapError::AlreadyMapped);
        }
        mem.write(table, index, Pte::new(pa, flags | PteFlags::VALID));
        Ok(())
    }

    /// The table and index holding the entry for `va` at `level`, creating
    /// intermediate tables if `create`.
    fn leaf_slot(
        &self,
        mem: &mut impl TableMemory,
        va: u64,
        level: usize,
        create: bool,
    ) -> Result<(u64, usize), MapError> {
        let mut table = self.root;
        for current in (level + 1..=2).rev() {
            let index = vpn(va, current);
            let pte = mem.read(table, index);
            table = if !pte.is_valid() {
                if !create {
                    return Err(MapError::BadAddress);
                }
                let next = mem.alloc_table().ok_or(MapError::OutOfMemory)?;
                mem.write(table, index, Pte::table(next));
                next
            } else if pte.is_leaf() {
                return Err(MapError::AlreadyMapped);
            } else {
                pte.pa()
            };
        }
        Ok((table, vpn(va, level)))
    }

    /// The leaf entry mapping `va` and its size, if any.
    pub fn lookup(&self, mem: &impl TableMemory, va: u64) -> Option<(Pte, PageSize)> {
        if !is_canonical(va) {
            return None;
        }
        let mut table = self.root;
        for level in (0..=2).rev() {
            let pte = mem.read(table, vpn(va, level));
            if !pte.is_valid() {
                return None;
            }
            if pte.is_leaf() {
                return Some((pte, PageSize::from_level(level)?));
            }
            table = pte.pa();
        }
        None
    }

    /// Physical address that `va` translates to.
    pub fn translate(&self, mem: &impl TableMemory, va: u64) -> Option<u64> {
        let (pte, size) = self.lookup(mem, va)?;
        Some(pte.pa() + (va & (size.bytes() - 1)))
    }

    /// Replaces the 4 KiB leaf entry for `va` (which must exist) and returns
    /// the old one.
    pub fn replace(&self, mem: &mut impl TableMemory, va: u64, pte: Pte) -> Option<Pte> {
        let (table, index) = self.leaf_slot(mem, va, 0, false).ok()?;
        let old = mem.read(table, index);
        if !old.is_valid() {
            return None;
        }
        mem.write(table, index, pte);
        Some(old)
    }

    /// Removes the 4 KiB mapping of `va` and returns its entry.
    pub fn unmap(&self, mem: &mut impl TableMemory, va: u64) -> Option<Pte> {
        self.replace(mem, va, Pte::INVALID)
    }

    /// Frees every table page below the root in the index range
    /// `root_indices` of the root, calling `leaf` for each valid leaf
    /// first. Used to tear down a user address space.
    pub fn free_subtrees(
        &self,
        mem: &mut impl TableMemory,
        root_indices: core::ops::Range<usize>,
        leaf: &mut impl FnMut(u64, Pte, PageSize),
    ) {
        for index in root_indices {
            let pte = mem.read(self.root, index);
            if !pte.is_valid() {
                continue;
            }
            let va = (index as u64) << 30;
            if pte.is_leaf() {
                leaf(va, pte, PageSize::Size1G);
            } else {
                free_table(mem, pte.pa(), 1, va, leaf);
            }
            mem.write(self.root, index, Pte::INVALID);
        }
    }
}

fn free_table(
    mem: &mut impl TableMemory,
    table: u64,
    level: usize,
    base_va: u64,
    leaf: &mut impl FnMut(u64, Pte, PageSize),
) {
    for index in 0..crate::ENTRIES {
        let pte = mem.read(table, index);
        if !pte.is_valid() {
            continue;
        }
        let va = base_va + ((index as u64) << (12 + 9 * level));
        if pte.is_leaf() {
            if let Some(size) = PageSize::from_level(level) {
                leaf(va, pte, size);
            }
        } else if level > 0 {
            free_table(mem, pte.pa(), level - 1, va, leaf);
        }
    }
    mem.free_table(table);
}

#[cfg(test)]
mod tests;
