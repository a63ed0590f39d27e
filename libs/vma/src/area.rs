//! One virtual memory area (Linux's `vm_area_struct`): a page-aligned range
//! with one protection, one kind and one backing, and the [`Backing`] trait
//! through which the kernel tells how its backing objects split and merge.

use crate::flags::{AreaFlags, Prot};

/// What an area maps, as far as splitting and merging need to know. The
/// kernel supplies the type: typically "anonymous" or "this file, at the
/// file offset of the area's first byte".
pub trait Backing: Clone {
    /// The backing of the part of an area that starts `bytes` after this
    /// one: a file-backed area's offset advances by `bytes`, an anonymous
    /// one is unchanged. Called when an area is split or trimmed at its
    /// start.
    fn offset_by(&self, bytes: usize) -> Self;

    /// Whether an area backed by `self` and `bytes_between` long can be
    /// followed by one backed by `other` as one area: for a file, the same
    /// file with `other`'s offset equal to `self`'s plus `bytes_between`.
    /// Linux's `vma_merge` also declines when the two hold different
    /// anonymous-page bookkeeping (`anon_vma`); a kernel that wants its
    /// `/proc/PID/maps` to match Linux's merges exactly can decide that here.
    fn can_merge(&self, other: &Self, bytes_between: usize) -> bool;
}

/// The simplest backing: every area is anonymous and mergeable.
impl Backing for () {
    fn offset_by(&self, _bytes: usize) -> Self {}

    fn can_merge(&self, _other: &Self, _bytes_between: usize) -> bool {
        true
    }
}

/// A mapped range `[start, end)` of user addresses, both page aligned and
/// `start < end` while it is in an [`AreaSet`](crate::AreaSet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Area<B> {
    pub start: usize,
    pub end: usize,
    pub prot: Prot,
    pub flags: AreaFlags,
    /// The backing of the byte at `start`.
    pub backing: B,
}

impl<B: Backing> Area<B> {
    pub fn new(start: usize, end: usize, prot: Prot, flags: AreaFlags, backing: B) -> Self {
        Area { start, end, prot, flags, backing }
    }

    /// Length in bytes (0 for a malformed area whose end is not past its
    /// start).
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    pub fn contains(&self, addr: usize) -> bool {
        self.start <= addr && addr < self.end
    }

    /// The part of this area inside `[start, end)`, with its backing
    /// advanced to match; `None` when they do not overlap.
    pub fn clip(&self, start: usize, end: usize) -> Option<Self> {
        let from = self.start.max(start);
        let to = self.end.min(end);
        (from < to).then(|| Area {
            start: from,
            end: to,
            prot: self.prot,
            flags: self.flags,
            backing: self.backing.offset_by(from - self.start),
        })
    }

    /// Whether `next` can be folded into this area: it starts where this
    /// one ends, with the same protection and kind, and a backing that
    /// continues this one's.
    pub fn can_merge_with(&self, next: &Self) -> bool {
        self.end == next.start
            && self.prot == next.prot
            && self.flags == next.flags
            && self.backing.can_merge(&next.backing, self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file backing: file id and the offset of the area's first byte.
    #[derive(Clone, Debug, PartialEq)]
    struct File(u32, usize);

    impl Backing for File {
        fn offset_by(&self, bytes: usize) -> Self {
            File(self.0, self.1 + bytes)
        }
        fn can_merge(&self, other: &Self, bytes_between: usize) -> bool {
            self.0 == other.0 && self.1 + bytes_between == other.1
        }
    }

    fn area(start: usize, end: usize, file: File) -> Area<File> {
        Area::new(start, end, Prot::READ, AreaFlags::empty(), file)
    }

    #[test]
    fn clip_advances_the_file_offset() {
        let a = area(0x1000, 0x5000, File(1, 0x10000));
        let mid = a.clip(0x2000, 0x3000).unwrap();
        assert_eq!((mid.start, mid.end), (0x2000, 0x3000));
        assert_eq!(mid.backing, File(1, 0x11000));
        assert_eq!(a.clip(0x5000, 0x6000), None);
        assert_eq!(a.clip(0, 0x9000), Some(a.clone()));
    }

    #[test]
    fn merge_needs_contiguous_offsets() {
        let a = area(0x1000, 0x3000, File(1, 0));
        assert!(a.can_merge_with(&area(0x3000, 0x4000, File(1, 0x2000))));
        assert!(!a.can_merge_with(&area(0x3000, 0x4000, File(1, 0x3000))));
        assert!(!a.can_merge_with(&area(0x3000, 0x4000, File(2, 0x2000))));
        assert!(!a.can_merge_with(&area(0x4000, 0x5000, File(1, 0x3000))));
        let mut w = area(0x3000, 0x4000, File(1, 0x2000));
        w.prot = Prot::WRITE;
        assert!(!a.can_merge_with(&w));
    }
}
