//! Shared by the integration tests: a backing with file offsets, shorthands
//! for areas measured in pages, and the invariant check every test runs.
#![allow(dead_code)]

use vma::{Area, AreaFlags, AreaSet, Backing, Prot, PAGE_SIZE};

/// Anonymous memory, or a file (by id) at the offset of the area's start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Back {
    Anon,
    File { id: u32, offset: usize },
}

impl Backing for Back {
    fn offset_by(&self, bytes: usize) -> Self {
        match *self {
            Back::Anon => Back::Anon,
            Back::File { id, offset } => Back::File { id, offset: offset.wrapping_add(bytes) },
        }
    }

    fn can_merge(&self, other: &Self, bytes_between: usize) -> bool {
        match (*self, *other) {
            (Back::Anon, Back::Anon) => true,
            (Back::File { id: a, offset: x }, Back::File { id: b, offset: y }) => {
                a == b && x.wrapping_add(bytes_between) == y
            }
            _ => false,
        }
    }
}

pub const RW: Prot = Prot::READ.union(Prot::WRITE);
pub const R: Prot = Prot::READ;
pub const RX: Prot = Prot::READ.union(Prot::EXEC);
pub const ANON: AreaFlags = AreaFlags::ANONYMOUS;

/// Page `n`'s address.
pub const fn pg(n: usize) -> usize {
    n * PAGE_SIZE
}

/// An address space of pages `[1, 1024)` with the mmap base at page 1000.
pub fn space() -> AreaSet<Back> {
    let mut set = AreaSet::new(pg(1), pg(1024));
    set.set_mmap_base(pg(1000));
    set
}

/// Private anonymous pages `[from, to)`.
pub fn anon(from: usize, to: usize, prot: Prot) -> Area<Back> {
    Area::new(pg(from), pg(to), prot, ANON, Back::Anon)
}

/// Private pages `[from, to)` of file `id`, starting at page `offset` of it.
pub fn file(from: usize, to: usize, prot: Prot, id: u32, offset: usize) -> Area<Back> {
    let back = Back::File { id, offset: pg(offset) };
    Area::new(pg(from), pg(to), prot, AreaFlags::empty(), back)
}

/// The areas as `(first page, end page, prot)`.
pub fn spans(set: &AreaSet<Back>) -> Vec<(usize, usize, Prot)> {
    set.iter().map(|a| (a.start / PAGE_SIZE, a.end / PAGE_SIZE, a.prot)).collect()
}

/// Pieces as `(first page, end page)`.
pub fn pages(pieces: &[Area<Back>]) -> Vec<(usize, usize)> {
    pieces.iter().map(|a| (a.start / PAGE_SIZE, a.end / PAGE_SIZE)).collect()
}

/// Checks what `AreaSet` promises: sorted, aligned, non-empty, inside user
/// space, disjoint, merged as far as possible, and found by `find`.
pub fn check_invariants<B: Backing + std::fmt::Debug + PartialEq>(set: &AreaSet<B>) {
    let mut previous: Option<&Area<B>> = None;
    for area in set.iter() {
        assert!(area.start % PAGE_SIZE == 0 && area.end % PAGE_SIZE == 0, "{area:?}");
        assert!(area.start < area.end, "{area:?}");
        assert!(area.start >= set.user_start() && area.end <= set.user_end(), "{area:?}");
        if let Some(previous) = previous {
            assert!(previous.end <= area.start, "{previous:?} overlaps {area:?}");
            assert!(!previous.can_merge_with(area), "{previous:?} unmerged with {area:?}");
        }
        assert_eq!(set.find(area.start), Some(area));
        assert_eq!(set.find(area.end - 1), Some(area));
        previous = Some(area);
    }
    assert_eq!(set.iter().count(), set.len());
}
