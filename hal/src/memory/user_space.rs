//! A user address space's page table. The user half holds pages of user
//! memory, each entry owning one reference to its [`Page`]; the kernel half
//! is copied from the kernel table (whose root entries never change after
//! boot), so switching to the table keeps the kernel mapped.

use super::page::Page;
use super::page_table::DirectMapTables;
use crate::arch::csr;
use crate::arch::layout::{KERNEL_ROOT_SLOTS, USER_END, USER_ROOT_SLOTS};
use sv39::{PageSize, PageTable, Pte, PteFlags, TableMemory};

/// What user code may do with a page, plus goose's own marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserFlags {
    pub read: bool,
    pub write: bool,
    pub execute: bool,
    /// Copy on write: mapped read-only, copied on the first write.
    pub copy_on_write: bool,
}

const COW_BIT: PteFlags = PteFlags::SOFTWARE_0;

impl UserFlags {
    fn to_pte(self) -> PteFlags {
        let mut flags = PteFlags::VALID | PteFlags::USER | PteFlags::ACCESSED;
        if self.read {
            flags |= PteFlags::READ;
        }
        if self.write && !self.copy_on_write {
            flags |= PteFlags::WRITE | PteFlags::DIRTY;
        }
        if self.execute {
            flags |= PteFlags::EXECUTE;
        }
        if self.copy_on_write {
            flags |= COW_BIT;
        }
        // A page with no permission still needs a leaf: R is what marks
        // it; PROT_NONE pages are simply not mapped by the kernel.
        if !flags.intersects(PteFlags::READ | PteFlags::WRITE | PteFlags::EXECUTE) {
            flags |= PteFlags::READ;
        }
        flags
    }

    fn from_pte(flags: PteFlags) -> UserFlags {
        let copy_on_write = flags.contains(COW_BIT);
        UserFlags {
            read: flags.contains(PteFlags::READ),
            write: flags.contains(PteFlags::WRITE) || copy_on_write,
            execute: flags.contains(PteFlags::EXECUTE),
            copy_on_write,
        }
    }
}

/// Why a mapping was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapError {
    NoMemory,
    /// Not a page-aligned user address, or already mapped.
    BadAddress,
}

/// The root of a [`UserPageTable`], as satp takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableRoot {
    satp: usize,
}

impl TableRoot {
    /// Makes this the hart's address space and flushes its TLB.
    pub fn activate(self) {
        // SAFETY: the kernel half of every user table is the kernel
        // table's, so the kernel stays mapped at the same addresses.
        unsafe { csr::set_satp(self.satp) };
    }
}

pub struct UserPageTable {
    table: PageTable,
}

fn check(va: usize) -> Result<(), MapError> {
    if !va.is_multiple_of(4096) || va >= USER_END {
        return Err(MapError::BadAddress);
    }
    Ok(())
}

impl UserPageTable {
    /// An empty user half over the kernel half.
    pub fn new() -> Option<UserPageTable> {
        let mut tables = DirectMapTables;
        let table = PageTable::new(&mut tables)?;
        let kernel = super::kernel_root() as u64;
        for slot in KERNEL_ROOT_SLOTS {
            tables.write(table.root, slot, tables.read(kernel, slot));
        }
        Some(UserPageTable { table })
    }

    /// Makes this the hart's address space and flushes its TLB.
    pub fn activate(&self) {
        self.root().activate();
    }

    /// A handle that activates this table without borrowing it, for
    /// switching address spaces without taking the lock that guards the
    /// table. Whoever activates it keeps the table alive while a hart
    /// uses it.
    pub fn root(&self) -> TableRoot {
        TableRoot { satp: sv39::satp(self.table.root, 0) as usize }
    }

    /// Maps `page` at `va`.
    pub fn map(&mut self, va: usize, page: Page, flags: UserFlags) -> Result<(), MapError> {
        check(va)?;
        let pa = page.pa() as u64;
        match self.table.map(&mut DirectMapTables, va as u64, pa, PageSize::Size4K, flags.to_pte()) {
            Ok(()) => {
                page.into_raw();
                Ok(())
            }
            Err(sv39::MapError::OutOfMemory) => Err(MapError::NoMemory),
            Err(_) => Err(MapError::BadAddress),
        }
    }

    /// Removes the mapping at `va` and returns its page.
    pub fn unmap(&mut self, va: usize) -> Option<Page> {
        check(va).ok()?;
        let old = self.table.unmap(&mut DirectMapTables, va as u64)?;
        csr::flush_tlb_page(va);
        // SAFETY: the entry owned one reference (given by map or replace),
        // and it is gone from the table now.
        Some(unsafe { Page::from_raw(old.pa() as usize) })
    }

    /// Replaces the page at `va` (which must be mapped) and returns the old
    /// one.
    pub fn replace(&mut self, va: usize, page: Page, flags: UserFlags) -> Option<Page> {
        check(va).ok()?;
        let new = Pte::new(page.pa() as u64, flags.to_pte());
        let old = self.table.replace(&mut DirectMapTables, va as u64, new)?;
        page.into_raw();
        csr::flush_tlb_page(va);
        // SAFETY: as in unmap.
        Some(unsafe { Page::from_raw(old.pa() as usize) })
    }

    /// The page mapped at `va` (a new reference) and its flags.
    pub fn get(&self, va: usize) -> Option<(Page, UserFlags)> {
        let (pte, size) = self.table.lookup(&DirectMapTables, (va & !4095) as u64)?;
        if size != PageSize::Size4K || !pte.flags().contains(PteFlags::USER) {
            return None;
        }
        // SAFETY: the entry owns a reference, so the page is alive;
        // cloning adds one for the caller and the borrowed one is forgotten.
        let borrowed = unsafe { Page::from_raw(pte.pa() as usize) };
        let page = borrowed.clone();
        borrowed.into_raw();
        Some((page, UserFlags::from_pte(pte.flags())))
    }

    /// Changes the flags of the page at `va`.
    pub fn set_flags(&mut self, va: usize, flags: UserFlags) -> bool {
        let Some((pte, PageSize::Size4K)) = self.table.lookup(&DirectMapTables, (va & !4095) as u64) else {
            return false;
        };
        let changed =
            self.table.replace(&mut DirectMapTables, (va & !4095) as u64, pte.with_flags(flags.to_pte()));
        csr::flush_tlb_page(va);
        changed.is_some()
    }
}

impl Drop for UserPageTable {
    fn drop(&mut self) {
        self.table.free_subtrees(&mut DirectMapTables, USER_ROOT_SLOTS, &mut |_, pte, _| {
            // SAFETY: every user leaf owns one page reference.
            drop(unsafe { Page::from_raw(pte.pa() as usize) });
        });
        DirectMapTables.free_table(self.table.root);
    }
}
