//! Where new mappings go: Linux's top-down mmap layout
//! (`arch_get_unmapped_area_topdown` and `vm_unmapped_area` in mm/mmap.c)
//! with its bottom-up fallback, the stack guard gap below areas that grow
//! down, and the growth of those areas on a fault below them.
//!
//! The gaps are found by walking the areas, O(areas) per search; Linux
//! keeps the largest gap of each subtree to do it in O(log areas). Address
//! spaces here hold tens of areas, so the walk is kept until a measurement
//! says otherwise.

use crate::area::{Area, Backing};
use crate::flags::AreaFlags;
use crate::set::AreaSet;
use crate::{page_ceil, page_floor, Error, PAGE_SIZE};

impl<B: Backing> AreaSet<B> {
    /// Where an area's gap begins: its start, less the stack guard gap when
    /// it grows down (Linux's `vm_start_gap`).
    pub(crate) fn start_gap(&self, area: &Area<B>) -> usize {
        if area.flags.contains(AreaFlags::GROWSDOWN) {
            area.start.saturating_sub(self.stack_guard_gap)
        } else {
            area.start
        }
    }

    /// Finds room for a new mapping of `len` bytes (rounded up to pages)
    /// without a fixed address, as mmap(2) does, and returns its start.
    ///
    /// A non-zero `hint`, rounded up to a page, is taken if it is a
    /// multiple of `align` and `[hint, hint + len)` is free, guard gaps
    /// included, anywhere in user space. Otherwise the highest free range
    /// below the mmap base wins, its start a multiple of `align` (a power
    /// of two; anything under a page means a page). If nothing fits there,
    /// Linux falls back to the lowest fit between `TASK_UNMAPPED_BASE`
    /// (a third of user space) and the top, and so does this. `None`
    /// (`ENOMEM`) when nothing fits or `len` is 0 or overflows.
    pub fn find_free(&self, len: usize, hint: Option<usize>, align: usize) -> Option<usize> {
        let len = page_ceil(len).filter(|&len| len > 0)?;
        let align = align.max(PAGE_SIZE);
        if !align.is_power_of_two() || len > self.user_end - self.user_start {
            return None;
        }
        if let Some(hint) = hint.and_then(page_ceil).filter(|&hint| hint != 0) {
            if hint.is_multiple_of(align) && self.fits_at(hint, len) {
                return Some(hint);
            }
        }
        let unmapped_base = page_ceil(self.user_end / 3).unwrap_or(self.user_end);
        self.search_top_down(len, align, self.user_start, self.mmap_base).or_else(|| {
            let low = unmapped_base.max(self.user_start);
            self.search_bottom_up(len, align, low, self.user_end)
        })
    }

    /// Whether `[addr, addr + len)` lies in user space, overlaps no area and
    /// keeps clear of the guard gap of the area above it.
    pub(crate) fn fits_at(&self, addr: usize, len: usize) -> bool {
        let Some(end) = addr.checked_add(len) else {
            return false;
        };
        if addr < self.user_start || end > self.user_end {
            return false;
        }
        match self.find_next(addr) {
            Some(next) => end <= self.start_gap(next),
            None => true,
        }
    }

    /// The highest aligned start in `[low, high)` where `len` fits.
    fn search_top_down(&self, len: usize, align: usize, low: usize, high: usize) -> Option<usize> {
        let fit = |gap_start: usize, gap_end: usize| {
            let top = gap_end.min(high);
            let bottom = gap_start.max(low);
            let addr = top.checked_sub(len)? & !(align - 1);
            (addr >= bottom).then_some(addr)
        };
        let mut upper = self.user_end;
        for area in self.areas.values().rev() {
            if area.end < high {
                if let Some(addr) = fit(area.end, upper) {
                    return Some(addr);
                }
            }
            upper = self.start_gap(area);
            // Every gap still to come lies below this area's start (not
            // its guard gap, which may reach below the areas under it).
            if area.start <= low {
                return None;
            }
        }
        fit(0, upper)
    }

    /// The lowest aligned start in `[low, high)` where `len` fits.
    fn search_bottom_up(&self, len: usize, align: usize, low: usize, high: usize) -> Option<usize> {
        let fit = |gap_start: usize, gap_end: usize| {
            let addr = gap_start.max(low).checked_add(align - 1)? & !(align - 1);
            let end = addr.checked_add(len)?;
            (end <= gap_end.min(high)).then_some(addr)
        };
        let mut lower = 0;
        for area in self.areas.values() {
            if self.start_gap(area) > low {
                if let Some(addr) = fit(lower, self.start_gap(area)) {
                    return Some(addr);
                }
            }
            lower = area.end;
            if lower >= high {
                return None;
            }
        }
        fit(lower, self.user_end)
    }

    /// A fault at `addr` just below an area that grows down: extends that
    /// area down to `addr`'s page, as Linux's `expand_stack` does, and
    /// returns its new start. The grown area may be at most `max_len`
    /// bytes (the stack rlimit).
    ///
    /// [`Error::Fault`] when the first area above `addr` does not grow down
    /// (the fault is a plain segfault); [`Error::Permission`] below user
    /// space; [`Error::NoMemory`] when the area would exceed `max_len` or
    /// come within the stack guard gap of an accessible area below it.
    /// The backing is not shifted: areas that grow down are anonymous.
    pub fn expand_stack(&mut self, addr: usize, max_len: usize) -> Result<usize, Error> {
        let addr = page_floor(addr);
        let Some(area) = self.find_next(addr) else {
            return Err(Error::Fault);
        };
        if area.start <= addr {
            return Ok(area.start);
        }
        if !area.flags.contains(AreaFlags::GROWSDOWN) {
            return Err(Error::Fault);
        }
        if addr < self.user_start {
            return Err(Error::Permission);
        }
        if area.end - addr > max_len {
            return Err(Error::NoMemory);
        }
        let old_start = area.start;
        if let Some((_, below)) = self.areas.range(..old_start).next_back() {
            let accessible = !below.prot.is_empty();
            if !below.flags.contains(AreaFlags::GROWSDOWN)
                && accessible
                && addr - below.end < self.stack_guard_gap
            {
                return Err(Error::NoMemory);
            }
        }
        if let Some(mut grown) = self.areas.remove(&old_start) {
            grown.start = addr;
            self.insert_merging(grown);
        }
        Ok(addr)
    }
}
