//! mremap(2) without `MREMAP_FIXED` or `MREMAP_DONTUNMAP`, following
//! Linux's mm/mremap.c: shrink in place, grow in place when the room above
//! is free, or (with `MREMAP_MAYMOVE`) move to a new place found the way
//! mmap finds one.

use alloc::vec::Vec;

use crate::area::{Area, Backing};
use crate::set::AreaSet;
use crate::{is_page_aligned, page_ceil, Error, PAGE_SIZE};

/// Page-table entries the kernel must move: those of `[from, from + len)`
/// go to `[to, to + len)`, keeping their pages. The source range is no
/// longer mapped afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Move {
    pub from: usize,
    pub to: usize,
    pub len: usize,
}

/// What a successful mremap did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remap<B> {
    /// Where the mapping starts now; mremap(2) returns it.
    pub start: usize,
    /// Set when the mapping moved.
    pub moved: Option<Move>,
    /// Pieces unmapped by shrinking; their pages are to be freed.
    pub removed: Vec<Area<B>>,
}

impl<B: Backing> AreaSet<B> {
    /// mremap(2) of `[old_start, old_start + old_len)` to `new_len` bytes
    /// (both lengths rounded up to pages).
    ///
    /// Shrinking unmaps the tail, whatever is mapped there; an unchanged
    /// length does nothing. Growing needs the old range inside one area
    /// ([`Error::Fault`] otherwise); it extends that area in place when the
    /// range ends where the area does and the room above is free, and
    /// otherwise, if `may_move`, moves it to a range found by
    /// [`Self::find_free`] (without a hint), else fails with
    /// [`Error::NoMemory`]. Pages that come into being by growing are
    /// fresh, as after mmap.
    ///
    /// Errors as Linux's: an unaligned `old_start`, a zero `new_len` or an
    /// overflowing length is [`Error::Invalid`]; an unmapped `old_start` is
    /// [`Error::Fault`]; `old_len == 0` (which Linux accepts only to
    /// duplicate a shared mapping) is [`Error::Invalid`].
    pub fn remap(
        &mut self,
        old_start: usize,
        old_len: usize,
        new_len: usize,
        may_move: bool,
    ) -> Result<Remap<B>, Error> {
        if !is_page_aligned(old_start) {
            return Err(Error::Invalid);
        }
        let old_len = page_ceil(old_len).ok_or(Error::Invalid)?;
        let new_len = page_ceil(new_len).ok_or(Error::Invalid)?;
        if new_len == 0 {
            return Err(Error::Invalid);
        }
        let area = self.find(old_start).ok_or(Error::Fault)?;
        let (area_start, area_end) = (area.start, area.end);
        if old_len == 0 {
            return Err(Error::Invalid);
        }
        let unmoved = |removed| Remap { start: old_start, moved: None, removed };
        if new_len <= old_len {
            if new_len == old_len {
                return Ok(unmoved(Vec::new()));
            }
            let tail = old_start.checked_add(new_len).ok_or(Error::Invalid)?;
            let removed = self.unmap(tail, old_len - new_len)?;
            return Ok(unmoved(removed));
        }
        if old_len > area_end - old_start {
            return Err(Error::Fault);
        }
        let old_end = old_start + old_len;
        let grow_by = new_len - old_len;
        if old_end == area_end {
            let room = area_end
                .checked_add(grow_by)
                .filter(|&end| end <= self.user_end && !self.overlaps(area_end, end));
            if let Some(new_end) = room {
                if let Some(area) = self.areas.get_mut(&area_start) {
                    area.end = new_end;
                }
                self.merge_between(area_start, new_end);
                return Ok(unmoved(Vec::new()));
            }
        }
        if !may_move {
            return Err(Error::NoMemory);
        }
        let to = self.find_free(new_len, None, PAGE_SIZE).ok_or(Error::NoMemory)?;
        // The pages of the old range move with it rather than being freed.
        let mut pieces = self.carve(old_start, old_end);
        let Some(mut moved) = pieces.pop() else {
            return Err(Error::Fault);
        };
        moved.start = to;
        moved.end = to + new_len;
        self.insert_merging(moved);
        Ok(Remap { start: to, moved: Some(Move { from: old_start, to, len: old_len }), removed: Vec::new() })
    }
}
