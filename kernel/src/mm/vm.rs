//! A process's user address space: its areas (ranges with permissions) and
//! the page table behind them. Pages come on demand: a fault in an area
//! maps a zeroed page, a write to a copy-on-write page copies it (or takes
//! it over when nobody else shares it).

use crate::error::Result;
use crate::return_errno;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};
use hal::memory::page::Page;
use hal::memory::user_space::{UserFlags, UserPageTable};
use hal::trap::Access;

pub const PAGE_SIZE: usize = 4096;
/// The top of user space; the stack ends just below.
pub const USER_END: usize = 0x40_0000_0000;
pub const STACK_TOP: usize = USER_END - PAGE_SIZE;
/// Linux's default RLIMIT_STACK.
pub const STACK_SIZE: usize = 8 << 20;
/// Where mmap looks for room, top down, below the stack.
pub const MMAP_BASE: usize = STACK_TOP - STACK_SIZE - (16 << 20);
/// Lowest address a mapping may take (vm.mmap_min_addr).
pub const MMAP_MIN: usize = 0x10000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Protection {
    pub read: bool,
    pub write: bool,
    pub execute: bool,
}

impl Protection {
    pub fn from_prot(prot: u32) -> Protection {
        Protection { read: prot & 1 != 0, write: prot & 2 != 0, execute: prot & 4 != 0 }
    }
    fn allows(&self, access: Access) -> bool {
        match access {
            Access::Read => self.read || self.write || self.execute,
            Access::Write => self.write,
            Access::Execute => self.execute,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Area {
    pub end: usize,
    pub protection: Protection,
    /// MAP_SHARED anonymous memory stays shared across fork.
    pub shared: bool,
    pub kind: AreaKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AreaKind {
    /// Pages of a file (a program, its dynamic linker, an mmap'd file):
    /// the file's inode number and the file offset of the area's start.
    File {
        inode: u64,
        offset: usize,
    },
    Heap,
    Stack,
    Anonymous,
    /// The vDSO's data pages.
    Vvar,
    /// The vDSO's code.
    Vdso,
}

impl Area {
    /// The part of this area (which starts at `start`) from `at` on.
    fn from(self, start: usize, at: usize) -> Area {
        match self.kind {
            AreaKind::File { inode, offset } => {
                Area { kind: AreaKind::File { inode, offset: offset + (at - start) }, ..self }
            }
            _ => self,
        }
    }
}

pub struct Vm {
    pub table: UserPageTable,
    /// Areas by start address; they never overlap.
    areas: BTreeMap<usize, Area>,
    /// Pages of PROT_NONE ranges, out of the page table (a leaf PTE
    /// without R, W or X would be read as a pointer to a next-level
    /// table) until mprotect gives access back; with whether they are
    /// copy-on-write.
    parked: BTreeMap<usize, (Page, bool)>,
    /// Paths of the files mapped here, by inode number (/proc/PID/maps).
    file_names: BTreeMap<u64, alloc::vec::Vec<u8>>,
    pub heap_start: usize,
    pub heap_end: usize,
    /// Where exec mapped the vDSO's code ([vdso]), if it did.
    pub vdso_base: Option<usize>,
    /// Bumped whenever an entry changes in a way another hart's TLB may
    /// still hold (unmap, protect, copy-on-write): a hart that finds the
    /// generation moved since it last ran this address space flushes its
    /// TLB (process::thread::activate). Shared with the
    /// [`AddressSpace`](super::space::AddressSpace) so a hart can check it
    /// without taking the lock.
    generation: Arc<AtomicU64>,
    /// Run by several threads at once (CLONE_VM): a change must also
    /// flush the other harts' TLBs before it is complete.
    shared_by_threads: bool,
}

fn flags_for(protection: Protection, copy_on_write: bool) -> UserFlags {
    UserFlags { read: protection.read, write: protection.write, execute: protection.execute, copy_on_write }
}

impl Vm {
    pub fn new() -> Result<Vm> {
        let table = UserPageTable::new().ok_or(abi::Errno::ENOMEM)?;
        Ok(Vm {
            table,
            areas: BTreeMap::new(),
            parked: BTreeMap::new(),
            file_names: BTreeMap::new(),
            heap_start: 0,
            heap_end: 0,
            vdso_base: None,
            generation: Arc::new(AtomicU64::new(0)),
            shared_by_threads: false,
        })
    }

    /// Entries other harts may hold in their TLBs changed: called after
    /// the change, and before pages taken out of the table are freed.
    fn tlb_stale(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if self.shared_by_threads {
            super::space::shootdown(super::space::generation_key(&self.generation));
        }
    }

    /// A second thread (or a CLONE_VM child) runs this address space from
    /// now on.
    pub fn mark_shared_by_threads(&mut self) {
        self.shared_by_threads = true;
    }

    pub(super) fn generation(&self) -> Arc<AtomicU64> {
        self.generation.clone()
    }

    /// Bytes covered by areas (VmSize).
    pub fn mapped_bytes(&self) -> usize {
        self.areas.iter().map(|(start, area)| area.end - start).sum()
    }

    /// Pages present in the page table (VmRSS).
    pub fn resident_pages(&self) -> usize {
        self.areas
            .iter()
            .map(|(&start, area)| {
                (start..area.end).step_by(PAGE_SIZE).filter(|&a| self.table.get(a).is_some()).count()
            })
            .sum()
    }

    /// Every area, in address order, for /proc/PID/maps.
    pub fn areas(&self) -> impl Iterator<Item = (usize, &Area)> {
        self.areas.iter().map(|(&start, area)| (start, area))
    }

    /// The path a file area shows in /proc/PID/maps, by inode number.
    pub fn file_name(&self, inode: u64) -> Option<&[u8]> {
        self.file_names.get(&inode).map(alloc::vec::Vec::as_slice)
    }

    /// Records the path of a file mapped into this address space.
    pub fn name_file(&mut self, inode: u64, path: &[u8]) {
        self.file_names.insert(inode, path.to_vec());
    }

    /// The physical address behind `address`, if its page is present.
    pub fn physical_address(&self, address: usize) -> Option<usize> {
        self.table.get(address).map(|(page, _)| page.pa() + address % PAGE_SIZE)
    }

    /// The area containing `address`.
    pub fn area_at(&self, address: usize) -> Option<(usize, Area)> {
        let (&start, area) = self.areas.range(..=address).next_back()?;
        (address < area.end).then_some((start, *area))
    }

    /// Adds an area over `[start, end)`, removing whatever was there.
    pub fn map(
        &mut self,
        start: usize,
        end: usize,
        area_protection: Protection,
        shared: bool,
        kind: AreaKind,
    ) {
        self.unmap(start, end);
        self.areas.insert(start, Area { end, protection: area_protection, shared, kind });
    }

    /// Removes `[start, end)` from the areas and frees its pages.
    pub fn unmap(&mut self, start: usize, end: usize) {
        // Pages are freed only once no TLB can reach them any more.
        let mut removed = alloc::vec::Vec::new();
        let parked: alloc::vec::Vec<usize> = self.parked.range(start..end).map(|(&a, _)| a).collect();
        for address in parked {
            removed.extend(self.parked.remove(&address).map(|(page, _)| page));
        }
        let overlapping: alloc::vec::Vec<(usize, Area)> =
            self.areas.range(..end).filter(|(_, a)| a.end > start).map(|(&s, a)| (s, *a)).collect();
        for (area_start, area) in overlapping {
            self.areas.remove(&area_start);
            if area_start < start {
                self.areas.insert(area_start, Area { end: start, ..area });
            }
            if area.end > end {
                self.areas.insert(end, area.from(area_start, end));
            }
            for page in (area_start.max(start)..area.end.min(end)).step_by(PAGE_SIZE) {
                removed.extend(self.table.unmap(page));
            }
        }
        if !removed.is_empty() {
            self.tlb_stale();
        }
        drop(removed);
    }

    /// Changes the protection of `[start, end)`; ENOMEM if part of it is
    /// not mapped.
    pub fn protect(&mut self, start: usize, end: usize, protection: Protection) -> Result<()> {
        let result = self.protect_areas(start, end, protection);
        self.tlb_stale();
        result
    }

    fn protect_areas(&mut self, start: usize, end: usize, protection: Protection) -> Result<()> {
        // As Linux: the areas from `start` up to the first hole change,
        // then the hole is ENOMEM.
        let reached = self.mapped_until(start, end);
        if reached < end {
            if reached > start {
                self.protect_areas(start, reached, protection)?;
            }
            return_errno!(ENOMEM);
        }
        let pieces: alloc::vec::Vec<(usize, Area)> =
            self.areas.range(..end).filter(|(_, a)| a.end > start).map(|(&s, a)| (s, *a)).collect();
        for (area_start, area) in pieces {
            self.areas.remove(&area_start);
            if area_start < start {
                self.areas.insert(area_start, Area { end: start, ..area });
            }
            if area.end > end {
                self.areas.insert(end, area.from(area_start, end));
            }
            let from = area_start.max(start);
            let to = area.end.min(end);
            self.areas.insert(from, Area { end: to, protection, ..area.from(area_start, from) });
            let no_access = !protection.read && !protection.write && !protection.execute;
            for page in (from..to).step_by(PAGE_SIZE) {
                if no_access {
                    if let Some(parked) = self.table.unmap(page) {
                        self.parked.insert(page, (parked, !area.shared));
                    }
                    continue;
                }
                if let Some((parked, copy_on_write)) = self.parked.remove(&page) {
                    let flags = flags_for(protection, copy_on_write && protection.write);
                    self.table.map(page, parked, flags).map_err(|_| abi::Errno::ENOMEM)?;
                    continue;
                }
                if let Some((_, flags)) = self.table.get(page) {
                    let copy_on_write =
                        flags.copy_on_write || (!area.shared && flags.write != protection.write);
                    let keep_cow = copy_on_write && protection.write;
                    self.table.set_flags(page, flags_for(protection, keep_cow));
                }
            }
        }
        Ok(())
    }

    /// Finds `length` bytes of free space, top down from MMAP_BASE.
    pub fn find_free(&self, length: usize) -> Option<usize> {
        let mut top = MMAP_BASE;
        for (&start, area) in self.areas.range(..MMAP_BASE).rev() {
            if area.end <= top && top - area.end >= length {
                return Some(top - length);
            }
            top = top.min(start);
        }
        MMAP_MIN.checked_add(length).filter(|&lowest| top >= lowest).map(|_| top - length)
    }

    pub fn is_free(&self, start: usize, end: usize) -> bool {
        self.areas.range(..end).all(|(_, a)| a.end <= start)
    }

    /// Resolves a fault at `address`: returns Ok if the page is now mapped
    /// as the access needs, Err(EFAULT) for SIGSEGV, Err(ENOMEM) when out
    /// of memory.
    pub fn handle_fault(&mut self, address: usize, access: Access) -> Result<()> {
        let Some((_, area)) = self.area_at(address) else { return_errno!(EFAULT) };
        if !area.protection.allows(access) {
            return_errno!(EFAULT);
        }
        let page_address = address & !(PAGE_SIZE - 1);
        match self.table.get(page_address) {
            None => {
                let page = Page::alloc_zeroed().ok_or(abi::Errno::ENOMEM)?;
                self.table
                    .map(page_address, page, flags_for(area.protection, false))
                    .map_err(|_| abi::Errno::ENOMEM)?;
            }
            Some((page, flags)) if access == Access::Write && flags.copy_on_write => {
                // The page table holds one reference and `page` another.
                let page = if page.ref_count() == 2 {
                    page
                } else {
                    Page::alloc_copy(&page).ok_or(abi::Errno::ENOMEM)?
                };
                let old = self.table.replace(page_address, page, flags_for(area.protection, false));
                self.tlb_stale();
                drop(old);
            }
            // Mapped and allowed: this hart's TLB held an older entry
            // (the table changed since); drop it and retry.
            Some(_) => hal::arch::csr::flush_tlb_page(page_address),
        }
        Ok(())
    }

    /// A copy for fork: shared areas share pages, private ones become
    /// copy-on-write in both.
    pub fn fork(&mut self) -> Result<Vm> {
        let mut child = Vm::new()?;
        child.heap_start = self.heap_start;
        child.heap_end = self.heap_end;
        child.vdso_base = self.vdso_base;
        child.file_names = self.file_names.clone();
        for (&start, area) in &self.areas {
            child.areas.insert(start, *area);
            for address in (start..area.end).step_by(PAGE_SIZE) {
                let Some((page, flags)) = self.table.get(address) else { continue };
                let flags = if !area.shared && flags.write {
                    let cow = UserFlags { copy_on_write: true, ..flags };
                    self.table.set_flags(address, cow);
                    cow
                } else {
                    flags
                };
                child.table.map(address, page, flags).map_err(|_| abi::Errno::ENOMEM)?;
            }
        }
        for (&address, (page, copy_on_write)) in self.parked.iter_mut() {
            let shared = self.areas.range(..=address).next_back().is_some_and(|(_, a)| a.shared);
            *copy_on_write |= !shared;
            child.parked.insert(address, (page.clone(), *copy_on_write));
        }
        self.tlb_stale();
        Ok(child)
    }

    /// mremap growing in place: the area that ends at `old_end` (and holds
    /// `start`) extends to `new_end`, which must be free. Whether it could.
    pub fn grow_in_place(&mut self, start: usize, old_end: usize, new_end: usize) -> bool {
        let Some((area_start, area)) = self.area_at(start) else { return false };
        if area.end != old_end || !self.is_free(old_end, new_end) {
            return false;
        }
        self.areas.insert(area_start, Area { end: new_end, ..area });
        true
    }

    /// mremap moving: `[old, old + length)`, inside one area, becomes
    /// `[new, new + length)` (free), with its pages (moved, not copied)
    /// and its attributes.
    pub fn move_range(&mut self, old: usize, length: usize, new: usize) -> Result<()> {
        let Some((area_start, area)) = self.area_at(old) else { return_errno!(EFAULT) };
        self.areas.insert(new, Area { end: new + length, ..area.from(area_start, old) });
        for offset in (0..length).step_by(PAGE_SIZE) {
            if let Some((_, flags)) = self.table.get(old + offset) {
                if let Some(page) = self.table.unmap(old + offset) {
                    self.table.map(new + offset, page, flags).map_err(|_| abi::Errno::ENOMEM)?;
                }
            } else if let Some(parked) = self.parked.remove(&(old + offset)) {
                self.parked.insert(new + offset, parked);
            }
        }
        // Nothing is left mapped in the old range: this only drops areas.
        self.unmap(old, old + length);
        self.tlb_stale();
        Ok(())
    }

    /// MADV_DONTNEED: private pages in `[start, end)` are dropped, so the
    /// next touch finds zeros; shared ones keep their contents.
    pub fn discard(&mut self, start: usize, end: usize) {
        let mut removed = alloc::vec::Vec::new();
        for address in (start..end).step_by(PAGE_SIZE) {
            if self.area_at(address).is_some_and(|(_, area)| !area.shared) {
                removed.extend(self.table.unmap(address));
                removed.extend(self.parked.remove(&address).map(|(page, _)| page));
            }
        }
        self.tlb_stale();
        drop(removed);
    }

    /// Whether every page of `[start, end)` lies in some area.
    pub fn is_fully_mapped(&self, start: usize, end: usize) -> bool {
        self.mapped_until(start, end) == end
    }

    /// Where the areas that cover `[start, end)` without a gap from
    /// `start` stop (`end` if nothing is missing, `start` if `start` is
    /// unmapped).
    fn mapped_until(&self, start: usize, end: usize) -> usize {
        let mut cursor = start;
        while cursor < end {
            match self.area_at(cursor) {
                Some((_, area)) => cursor = area.end,
                None => return cursor,
            }
        }
        end
    }

    /// Maps `page` (a file's, shared) at `address` inside an area: read
    /// only, and copy-on-write if the area is writable, so the file never
    /// sees the process's writes.
    pub fn map_file_page(&mut self, address: usize, page: Page) -> Result<()> {
        let Some((_, area)) = self.area_at(address) else { return_errno!(EFAULT) };
        // Shared areas write into the file's page; private ones copy it
        // first. PROT_NONE areas keep the page parked, out of the table.
        let copy_on_write = area.protection.write && !area.shared;
        if !area.protection.read && !area.protection.write && !area.protection.execute {
            self.parked.insert(address, (page, !area.shared));
            return Ok(());
        }
        self.table
            .map(address, page, flags_for(area.protection, copy_on_write))
            .map_err(|_| abi::Errno::ENOMEM.into())
    }

    /// Writes `bytes` at `address` through the page table (for building a
    /// new program image that is not active yet), mapping pages as needed.
    pub fn write_direct(&mut self, address: usize, bytes: &[u8]) -> Result<()> {
        let mut done = 0;
        while done < bytes.len() {
            let at = address + done;
            let page_address = at & !(PAGE_SIZE - 1);
            let offset = at - page_address;
            let count = (PAGE_SIZE - offset).min(bytes.len() - done);
            let page = match self.table.get(page_address) {
                Some((page, _)) => page,
                None => {
                    let Some((_, area)) = self.area_at(page_address) else { return_errno!(EFAULT) };
                    let page = Page::alloc_zeroed().ok_or(abi::Errno::ENOMEM)?;
                    self.table
                        .map(page_address, page.clone(), flags_for(area.protection, false))
                        .map_err(|_| abi::Errno::ENOMEM)?;
                    page
                }
            };
            page.write(offset, &bytes[done..done + count]);
            done += count;
        }
        Ok(())
    }
}

impl Vm {
    /// Writes into this (possibly not active) address space as a user
    /// write would: copy-on-write pages are copied first.
    pub fn write_user(&mut self, address: usize, bytes: &[u8]) -> Result<()> {
        let end = address.checked_add(bytes.len()).ok_or(abi::Errno::EFAULT)?;
        let mut page = address & !(PAGE_SIZE - 1);
        while page < end {
            self.handle_fault(page, Access::Write)?;
            page += PAGE_SIZE;
        }
        self.write_direct(address, bytes)
    }
}
