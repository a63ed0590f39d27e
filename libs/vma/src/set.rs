//! [`AreaSet`]: the areas of one address space, ordered by start address,
//! never overlapping, and merged whenever two neighbours are compatible.
//! Here are the operations that change them in place: mmap with
//! `MAP_FIXED` or `MAP_FIXED_NOREPLACE`, munmap and mprotect. Placement of
//! new mappings is in `layout.rs`, brk in `brk.rs`, mremap in `remap.rs`.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::ops::Range;

use crate::area::{Area, Backing};
use crate::flags::Prot;
use crate::{is_page_aligned, page_ceil, page_floor, Error, DEFAULT_STACK_GUARD_GAP};

/// The areas of one user address space.
///
/// Invariants: areas are keyed by their start, page aligned, non-empty,
/// inside `[user_start, user_end)`, never overlap, and no two neighbours
/// could merge ([`Area::can_merge_with`]); every change merges what it made
/// adjacent, as Linux's `vma_merge` does on mmap, mprotect, brk and mremap.
#[derive(Clone, Debug)]
pub struct AreaSet<B> {
    pub(crate) areas: BTreeMap<usize, Area<B>>,
    pub(crate) user_start: usize,
    pub(crate) user_end: usize,
    pub(crate) mmap_base: usize,
    pub(crate) stack_guard_gap: usize,
}

/// mprotect failed part way: like Linux, the areas before the first hole
/// in the range did change, and `changed` says which (it may be empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtectError {
    pub error: Error,
    pub changed: Range<usize>,
}

impl<B: Backing> AreaSet<B> {
    /// An empty address space whose user part is `[user_start, user_end)`
    /// (goose: `[0x1000, 0x40_0000_0000)`). Both are rounded down to pages;
    /// an end below the start makes an empty space rather than a panic.
    /// The mmap base starts at `user_end`; the kernel lowers it below the
    /// stack with [`AreaSet::set_mmap_base`].
    pub fn new(user_start: usize, user_end: usize) -> Self {
        let user_start = page_floor(user_start);
        let user_end = page_floor(user_end).max(user_start);
        AreaSet {
            areas: BTreeMap::new(),
            user_start,
            user_end,
            mmap_base: user_end,
            stack_guard_gap: DEFAULT_STACK_GUARD_GAP,
        }
    }

    /// The lowest mappable address (Linux's `mmap_min_addr`).
    pub fn user_start(&self) -> usize {
        self.user_start
    }

    /// One past the highest user address (Linux's `TASK_SIZE`).
    pub fn user_end(&self) -> usize {
        self.user_end
    }

    /// Where the top-down search for free space starts (Linux's
    /// `mm->mmap_base`, set by `arch_pick_mmap_layout` below the stack).
    pub fn mmap_base(&self) -> usize {
        self.mmap_base
    }

    /// Sets the mmap base, rounded down to a page and kept inside user
    /// space.
    pub fn set_mmap_base(&mut self, base: usize) {
        self.mmap_base = page_floor(base).clamp(self.user_start, self.user_end);
    }

    /// The room kept free below a [`GROWSDOWN`](crate::AreaFlags::GROWSDOWN)
    /// area when placing mappings or growing the heap.
    pub fn stack_guard_gap(&self) -> usize {
        self.stack_guard_gap
    }

    /// Sets the guard gap (Linux's `stack_guard_gap=` boot option), rounded
    /// down to pages.
    pub fn set_stack_guard_gap(&mut self, bytes: usize) {
        self.stack_guard_gap = page_floor(bytes);
    }

    /// The area holding `addr`.
    pub fn find(&self, addr: usize) -> Option<&Area<B>> {
        let (_, area) = self.areas.range(..=addr).next_back()?;
        area.contains(addr).then_some(area)
    }

    /// The first area ending after `addr`: the one holding it, or else the
    /// next one up (Linux's `find_vma`).
    pub fn find_next(&self, addr: usize) -> Option<&Area<B>> {
        self.find(addr).or_else(|| self.areas.range(addr..).next().map(|(_, area)| area))
    }

    /// All areas in address order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Area<B>> + '_ {
        self.areas.values()
    }

    /// How many areas there are (Linux's `map_count`).
    pub fn len(&self) -> usize {
        self.areas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    /// Whether any area overlaps `[start, end)`.
    pub fn overlaps(&self, start: usize, end: usize) -> bool {
        start < end && self.find_next(start).is_some_and(|area| area.start < end)
    }

    /// Removes every area (exec, exit) and returns them in order.
    pub fn clear(&mut self) -> Vec<Area<B>> {
        core::mem::take(&mut self.areas).into_values().collect()
    }

    /// Maps `area`, replacing whatever overlapped it (`MAP_FIXED`), and
    /// returns the replaced pieces, clipped to `area`, in address order:
    /// their pages are to be freed. The area must be page aligned and
    /// non-empty (else [`Error::Invalid`]), end inside user space (else
    /// [`Error::NoMemory`]) and start at or above `user_start` (else
    /// [`Error::Permission`]). Nothing changes on error.
    pub fn map(&mut self, area: Area<B>) -> Result<Vec<Area<B>>, Error> {
        self.check_new(&area)?;
        let (start, end) = (area.start, area.end);
        let replaced = self.carve(start, end);
        self.insert_merging(area);
        Ok(replaced)
    }

    /// Maps `area` only if nothing overlaps it (`MAP_FIXED_NOREPLACE`):
    /// [`Error::Exists`] otherwise, with the same checks as [`Self::map`].
    pub fn map_fixed_noreplace(&mut self, area: Area<B>) -> Result<(), Error> {
        self.check_new(&area)?;
        if self.overlaps(area.start, area.end) {
            return Err(Error::Exists);
        }
        self.insert_merging(area);
        Ok(())
    }

    /// munmap(2): removes `[start, start + len)`, `len` rounded up to
    /// pages, splitting areas that stick out of it, and returns the removed
    /// pieces in address order. Unmapping a hole is fine. Like Linux,
    /// [`Error::Invalid`] when `start` is unaligned, `len` is 0 or the
    /// range reaches past user space.
    pub fn unmap(&mut self, start: usize, len: usize) -> Result<Vec<Area<B>>, Error> {
        if !is_page_aligned(start) || start > self.user_end || len > self.user_end - start {
            return Err(Error::Invalid);
        }
        // Cannot overflow: start + len <= user_end, which is page aligned.
        let end = page_ceil(start + len).ok_or(Error::Invalid)?;
        if end == start {
            return Err(Error::Invalid);
        }
        Ok(self.carve(start, end))
    }

    /// mprotect(2): sets the protection of `[start, start + len)`, `len`
    /// rounded up to pages, splitting areas at the edges and merging what
    /// becomes compatible. Returns the range whose protection now is
    /// `prot`, which the kernel applies to the page table.
    ///
    /// As in Linux (mm/mprotect.c): an unaligned `start` is
    /// [`Error::Invalid`]; `len == 0` succeeds doing nothing; an
    /// overflowing range is [`Error::NoMemory`]; and if part of the range
    /// is not mapped the result is [`Error::NoMemory`], but the mapped run
    /// from `start` up to the first hole has been changed all the same
    /// (nothing, when `start` itself is not mapped).
    pub fn protect(&mut self, start: usize, len: usize, prot: Prot) -> Result<Range<usize>, ProtectError> {
        let fail = |error| ProtectError { error, changed: start..start };
        if !is_page_aligned(start) {
            return Err(fail(Error::Invalid));
        }
        if len == 0 {
            return Ok(start..start);
        }
        let end = start.checked_add(len).and_then(page_ceil).ok_or(fail(Error::NoMemory))?;
        let mapped_end = self.mapped_until(start, end);
        if mapped_end > start {
            for mut piece in self.carve(start, mapped_end) {
                piece.prot = prot;
                self.areas.insert(piece.start, piece);
            }
            self.merge_between(start, mapped_end);
        }
        if mapped_end < end {
            return Err(ProtectError { error: Error::NoMemory, changed: start..mapped_end });
        }
        Ok(start..end)
    }

    /// The end of the run of areas that maps `start` onwards without a
    /// hole, capped at `end`; `start` itself when `start` is not mapped.
    pub(crate) fn mapped_until(&self, start: usize, end: usize) -> usize {
        let Some(first) = self.find(start) else {
            return start;
        };
        let mut cursor = first.end;
        while cursor < end {
            match self.areas.get(&cursor) {
                Some(next) => cursor = next.end,
                None => break,
            }
        }
        cursor.min(end)
    }

    /// The checks mmap makes on a fixed range.
    pub(crate) fn check_new(&self, area: &Area<B>) -> Result<(), Error> {
        if !is_page_aligned(area.start) || !is_page_aligned(area.end) || area.start >= area.end {
            return Err(Error::Invalid);
        }
        if area.end > self.user_end {
            return Err(Error::NoMemory);
        }
        if area.start < self.user_start {
            return Err(Error::Permission);
        }
        Ok(())
    }

    /// Inserts an area over a range known to be free and merges it with its
    /// neighbours.
    pub(crate) fn insert_merging(&mut self, area: Area<B>) {
        let (start, end) = (area.start, area.end);
        self.areas.insert(start, area);
        self.merge_between(start, end);
    }

    /// Removes everything inside `[start, end)`, splitting the areas that
    /// cross either edge, and returns the removed pieces in order.
    pub(crate) fn carve(&mut self, start: usize, end: usize) -> Vec<Area<B>> {
        let mut removed = Vec::new();
        if start >= end {
            return removed;
        }
        // An area that starts below the range but reaches into it.
        let below = self.areas.range(..start).next_back();
        if let Some((&key, _)) = below.filter(|(_, area)| area.end > start) {
            if let Some(area) = self.areas.remove(&key) {
                self.keep_outside(&area, start, end);
                removed.extend(area.clip(start, end));
            }
        }
        let inside: Vec<usize> = self.areas.range(start..end).map(|(&key, _)| key).collect();
        for key in inside {
            if let Some(area) = self.areas.remove(&key) {
                self.keep_outside(&area, start, end);
                removed.extend(area.clip(start, end));
            }
        }
        removed
    }

    /// Reinserts the parts of a removed `area` below `start` and from `end`.
    fn keep_outside(&mut self, area: &Area<B>, start: usize, end: usize) {
        if let Some(left) = area.clip(area.start, start) {
            self.areas.insert(left.start, left);
        }
        if let Some(right) = area.clip(end, area.end) {
            self.areas.insert(right.start, right);
        }
    }

    /// Merges every compatible pair of neighbours among the areas touching
    /// `[start, end]`: the one just below `start`, those inside, and the one
    /// starting at `end`.
    pub(crate) fn merge_between(&mut self, start: usize, end: usize) {
        let first = match self.areas.range(..start).next_back() {
            Some((&key, _)) => key,
            None => start,
        };
        let keys: Vec<usize> = self.areas.range(first..=end).map(|(&key, _)| key).collect();
        let mut keys = keys.into_iter();
        let Some(mut current) = keys.next() else {
            return;
        };
        for key in keys {
            let mergeable = match (self.areas.get(&current), self.areas.get(&key)) {
                (Some(left), Some(right)) => left.can_merge_with(right),
                _ => false,
            };
            if !mergeable {
                current = key;
                continue;
            }
            if let Some(right) = self.areas.remove(&key) {
                if let Some(left) = self.areas.get_mut(&current) {
                    left.end = right.end;
                }
            }
        }
    }
}
