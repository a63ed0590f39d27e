//! mmap with `MAP_FIXED` and `MAP_FIXED_NOREPLACE`, and munmap: splitting
//! at every edge, merging with neighbours, and the errors Linux gives.

mod common;

use common::*;
use vma::{Area, AreaFlags, Error, Prot, PAGE_SIZE};

/// A range of pages, the pieces it removes, and the areas left.
type Case = ((usize, usize), &'static [(usize, usize)], &'static [(usize, usize, Prot)]);
/// The same, with the areas left given without their protection.
type UnmapCase = ((usize, usize), &'static [(usize, usize)], &'static [(usize, usize)]);

#[test]
fn map_into_an_empty_space() {
    let mut set = space();
    assert!(set.is_empty());
    assert_eq!(set.map(anon(10, 12, RW)), Ok(vec![]));
    assert_eq!(spans(&set), [(10, 12, RW)]);
    assert_eq!(set.find(pg(10)).map(|a| a.start), Some(pg(10)));
    assert_eq!(set.find(pg(12) - 1).map(|a| a.end), Some(pg(12)));
    assert_eq!(set.find(pg(12)), None);
    assert_eq!(set.find(pg(10) - 1), None);
    assert_eq!(set.find_next(pg(2)).map(|a| a.start), Some(pg(10)));
    assert_eq!(set.find_next(pg(12)), None);
    check_invariants(&set);
}

#[test]
fn compatible_neighbours_merge_on_either_side() {
    let mut set = space();
    set.map(anon(10, 12, RW)).unwrap();
    set.map(anon(14, 16, RW)).unwrap();
    set.map(anon(12, 13, RW)).unwrap(); // touches the left one
    assert_eq!(spans(&set), [(10, 13, RW), (14, 16, RW)]);
    set.map(anon(13, 14, RW)).unwrap(); // fills the hole
    assert_eq!(spans(&set), [(10, 16, RW)]);
    set.map(anon(8, 10, RW)).unwrap(); // touches the right one
    assert_eq!(spans(&set), [(8, 16, RW)]);
    check_invariants(&set);
}

#[test]
fn incompatible_neighbours_stay_apart() {
    let mut set = space();
    set.map(anon(10, 12, RW)).unwrap();
    set.map(anon(12, 13, R)).unwrap();
    let mut shared = anon(13, 14, R);
    shared.flags = AreaFlags::ANONYMOUS | AreaFlags::SHARED;
    set.map(shared).unwrap();
    set.map(file(14, 15, R, 1, 0)).unwrap();
    assert_eq!(set.len(), 4);
    check_invariants(&set);
}

#[test]
fn file_areas_merge_only_with_contiguous_offsets() {
    let mut set = space();
    set.map(file(10, 12, R, 1, 5)).unwrap();
    set.map(file(12, 13, R, 1, 7)).unwrap(); // continues the file
    assert_eq!(spans(&set), [(10, 13, R)]);
    set.map(file(13, 14, R, 1, 9)).unwrap(); // skips a page of it
    set.map(file(14, 15, R, 2, 10)).unwrap(); // another file
    assert_eq!(spans(&set), [(10, 13, R), (13, 14, R), (14, 15, R)]);
    check_invariants(&set);
}

#[test]
fn map_fixed_over_the_middle_splits_in_three() {
    let mut set = space();
    set.map(file(10, 20, R, 1, 0)).unwrap();
    let replaced = set.map(anon(13, 15, RW)).unwrap();
    assert_eq!(pages(&replaced), [(13, 15)]);
    assert_eq!(replaced[0].backing, Back::File { id: 1, offset: pg(3) });
    assert_eq!(spans(&set), [(10, 13, R), (13, 15, RW), (15, 20, R)]);
    let right = set.find(pg(15)).unwrap();
    assert_eq!(right.backing, Back::File { id: 1, offset: pg(5) });
    check_invariants(&set);
}

#[test]
fn map_fixed_at_every_edge() {
    // (new area, replaced pieces, result) over [10, 20) R and [20, 30) RX.
    let cases: &[Case] = &[
        ((10, 20), &[(10, 20)], &[(10, 20, RW), (20, 30, RX)]),
        ((10, 15), &[(10, 15)], &[(10, 15, RW), (15, 20, R), (20, 30, RX)]),
        ((15, 20), &[(15, 20)], &[(10, 15, R), (15, 20, RW), (20, 30, RX)]),
        ((15, 25), &[(15, 20), (20, 25)], &[(10, 15, R), (15, 25, RW), (25, 30, RX)]),
        ((5, 35), &[(10, 20), (20, 30)], &[(5, 35, RW)]),
        ((5, 12), &[(10, 12)], &[(5, 12, RW), (12, 20, R), (20, 30, RX)]),
        ((28, 35), &[(28, 30)], &[(10, 20, R), (20, 28, RX), (28, 35, RW)]),
        ((10, 30), &[(10, 20), (20, 30)], &[(10, 30, RW)]),
        ((30, 31), &[], &[(10, 20, R), (20, 30, RX), (30, 31, RW)]),
        ((5, 10), &[], &[(5, 10, RW), (10, 20, R), (20, 30, RX)]),
    ];
    for &((from, to), replaced, result) in cases {
        let mut set = space();
        set.map(anon(10, 20, R)).unwrap();
        set.map(anon(20, 30, RX)).unwrap();
        let got = set.map(anon(from, to, RW)).unwrap();
        assert_eq!(pages(&got), replaced, "mapping [{from}, {to})");
        assert_eq!(spans(&set), result, "mapping [{from}, {to})");
        check_invariants(&set);
    }
}

#[test]
fn map_fixed_with_the_same_attributes_merges_back() {
    let mut set = space();
    set.map(anon(10, 20, RW)).unwrap();
    let replaced = set.map(anon(12, 14, RW)).unwrap();
    assert_eq!(pages(&replaced), [(12, 14)]);
    assert_eq!(spans(&set), [(10, 20, RW)]);
}

#[test]
fn map_fixed_noreplace_refuses_overlap() {
    let mut set = space();
    set.map(anon(10, 20, RW)).unwrap();
    assert_eq!(set.map_fixed_noreplace(anon(19, 21, RW)), Err(Error::Exists));
    assert_eq!(set.map_fixed_noreplace(anon(5, 11, RW)), Err(Error::Exists));
    assert_eq!(set.map_fixed_noreplace(anon(12, 13, R)), Err(Error::Exists));
    assert_eq!(spans(&set), [(10, 20, RW)]);
    assert_eq!(set.map_fixed_noreplace(anon(20, 21, RW)), Ok(()));
    assert_eq!(set.map_fixed_noreplace(anon(5, 10, R)), Ok(()));
    assert_eq!(spans(&set), [(5, 10, R), (10, 21, RW)]);
    assert_eq!(set.map_fixed_noreplace(anon(0, 1, R)), Err(Error::Permission));
}

#[test]
fn map_rejects_bad_ranges() {
    let mut set = space();
    let bad = |start, end| Area::new(start, end, RW, ANON, Back::Anon);
    assert_eq!(set.map(bad(pg(10) + 1, pg(11))), Err(Error::Invalid));
    assert_eq!(set.map(bad(pg(10), pg(11) - 1)), Err(Error::Invalid));
    assert_eq!(set.map(bad(pg(10), pg(10))), Err(Error::Invalid));
    assert_eq!(set.map(bad(pg(11), pg(10))), Err(Error::Invalid));
    assert_eq!(set.map(bad(pg(1020), pg(1025))), Err(Error::NoMemory));
    assert_eq!(set.map(bad(pg(0), pg(2))), Err(Error::Permission));
    let top = usize::MAX & !(PAGE_SIZE - 1);
    assert_eq!(set.map(bad(top - PAGE_SIZE, top)), Err(Error::NoMemory));
    assert_eq!(set.map(bad(usize::MAX, 0)), Err(Error::Invalid));
    assert!(set.is_empty());
    // The edges of user space are fine.
    assert_eq!(set.map(bad(pg(1), pg(2))), Ok(vec![]));
    assert_eq!(set.map(bad(pg(1023), pg(1024))), Ok(vec![]));
    check_invariants(&set);
}

#[test]
fn unmap_at_every_edge() {
    // (unmapped range, removed pieces, result) over [10, 20) R, [20, 30) RX.
    let cases: &[UnmapCase] = &[
        ((10, 20), &[(10, 20)], &[(20, 30)]),
        ((10, 15), &[(10, 15)], &[(15, 20), (20, 30)]),
        ((15, 20), &[(15, 20)], &[(10, 15), (20, 30)]),
        ((12, 14), &[(12, 14)], &[(10, 12), (14, 20), (20, 30)]),
        ((15, 25), &[(15, 20), (20, 25)], &[(10, 15), (25, 30)]),
        ((5, 35), &[(10, 20), (20, 30)], &[]),
        ((1, 10), &[], &[(10, 20), (20, 30)]),
        ((30, 40), &[], &[(10, 20), (20, 30)]),
        ((29, 30), &[(29, 30)], &[(10, 20), (20, 29)]),
    ];
    for &((from, to), removed, result) in cases {
        let mut set = space();
        set.map(anon(10, 20, R)).unwrap();
        set.map(anon(20, 30, RX)).unwrap();
        let got = set.unmap(pg(from), pg(to - from)).unwrap();
        assert_eq!(pages(&got), removed, "unmapping [{from}, {to})");
        let left: Vec<_> = spans(&set).iter().map(|&(a, b, _)| (a, b)).collect();
        assert_eq!(left, result, "unmapping [{from}, {to})");
        check_invariants(&set);
    }
}

#[test]
fn unmap_splits_file_offsets() {
    let mut set = space();
    set.map(file(10, 20, R, 3, 100)).unwrap();
    let removed = set.unmap(pg(12), pg(3)).unwrap();
    assert_eq!(removed[0].backing, Back::File { id: 3, offset: pg(102) });
    assert_eq!(set.find(pg(10)).unwrap().backing, Back::File { id: 3, offset: pg(100) });
    assert_eq!(set.find(pg(15)).unwrap().backing, Back::File { id: 3, offset: pg(105) });
    // Mapping the same file pages back makes one area again.
    set.map(file(12, 15, R, 3, 102)).unwrap();
    assert_eq!(spans(&set), [(10, 20, R)]);
}

#[test]
fn unmap_rounds_the_length_up_and_checks_like_munmap() {
    let mut set = space();
    set.map(anon(10, 20, RW)).unwrap();
    assert_eq!(pages(&set.unmap(pg(10), 1).unwrap()), [(10, 11)]);
    assert_eq!(set.unmap(pg(12) + 8, PAGE_SIZE), Err(Error::Invalid));
    assert_eq!(set.unmap(pg(12), 0), Err(Error::Invalid));
    assert_eq!(set.unmap(pg(12), usize::MAX), Err(Error::Invalid));
    assert_eq!(set.unmap(pg(1020), pg(5)), Err(Error::Invalid));
    assert_eq!(set.unmap(pg(2000), PAGE_SIZE), Err(Error::Invalid));
    assert_eq!(set.unmap(usize::MAX & !(PAGE_SIZE - 1), 1), Err(Error::Invalid));
    assert_eq!(spans(&set), [(11, 20, RW)]);
    // Below user_start and up to its very end is allowed, as in Linux.
    assert_eq!(set.unmap(0, PAGE_SIZE), Ok(vec![]));
    assert_eq!(pages(&set.unmap(0, pg(1024)).unwrap()), [(11, 20)]);
    assert!(set.is_empty());
}

#[test]
fn clear_returns_everything() {
    let mut set = space();
    set.map(anon(10, 20, RW)).unwrap();
    set.map(anon(30, 40, R)).unwrap();
    assert_eq!(pages(&set.clear()), [(10, 20), (30, 40)]);
    assert!(set.is_empty());
}

#[test]
fn overlaps_and_a_degenerate_space() {
    let mut set = space();
    set.map(anon(10, 20, RW)).unwrap();
    assert!(set.overlaps(pg(19), pg(21)));
    assert!(set.overlaps(pg(5), pg(11)));
    assert!(!set.overlaps(pg(20), pg(30)));
    assert!(!set.overlaps(pg(5), pg(10)));
    // An end below the start gives an empty space, not a panic.
    let mut empty = vma::AreaSet::<Back>::new(pg(10), pg(5));
    assert_eq!(empty.user_end(), empty.user_start());
    assert_eq!(empty.map(anon(10, 11, RW)), Err(Error::NoMemory));
    assert_eq!(empty.find_free(PAGE_SIZE, None, 0), None);
}
