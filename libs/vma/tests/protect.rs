//! mprotect: splitting at the edges, merging what becomes compatible, and
//! Linux's partial change when the range has a hole.

mod common;

use common::*;
use vma::{Error, Prot, ProtectError, PAGE_SIZE};

/// A range of pages and the areas it leaves.
type Case = ((usize, usize), &'static [(usize, usize, Prot)]);

#[test]
fn protect_at_every_edge() {
    // (range, result) over [10, 20) R and [20, 30) RX, protecting to RW.
    let cases: &[Case] = &[
        ((10, 20), &[(10, 20, RW), (20, 30, RX)]),
        ((10, 15), &[(10, 15, RW), (15, 20, R), (20, 30, RX)]),
        ((15, 20), &[(10, 15, R), (15, 20, RW), (20, 30, RX)]),
        ((12, 14), &[(10, 12, R), (12, 14, RW), (14, 20, R), (20, 30, RX)]),
        ((15, 25), &[(10, 15, R), (15, 25, RW), (25, 30, RX)]),
        ((10, 30), &[(10, 30, RW)]),
        ((29, 30), &[(10, 20, R), (20, 29, RX), (29, 30, RW)]),
    ];
    for &((from, to), result) in cases {
        let mut set = space();
        set.map(anon(10, 20, R)).unwrap();
        set.map(anon(20, 30, RX)).unwrap();
        let changed = set.protect(pg(from), pg(to - from), RW);
        assert_eq!(changed, Ok(pg(from)..pg(to)), "protecting [{from}, {to})");
        assert_eq!(spans(&set), result, "protecting [{from}, {to})");
        check_invariants(&set);
    }
}

#[test]
fn protect_to_a_neighbours_prot_merges() {
    let mut set = space();
    set.map(anon(10, 20, R)).unwrap();
    set.map(anon(20, 30, RX)).unwrap();
    set.protect(pg(20), pg(10), R).unwrap();
    assert_eq!(spans(&set), [(10, 30, R)]);
    // Split, then undo: one area again.
    set.protect(pg(14), pg(2), Prot::NONE).unwrap();
    assert_eq!(spans(&set), [(10, 14, R), (14, 16, Prot::NONE), (16, 30, R)]);
    set.protect(pg(14), pg(2), R).unwrap();
    assert_eq!(spans(&set), [(10, 30, R)]);
}

#[test]
fn protect_to_the_same_prot_splits_nothing() {
    let mut set = space();
    set.map(anon(10, 20, RW)).unwrap();
    assert_eq!(set.protect(pg(12), pg(3), RW), Ok(pg(12)..pg(15)));
    assert_eq!(spans(&set), [(10, 20, RW)]);
}

#[test]
fn protect_keeps_file_offsets() {
    let mut set = space();
    set.map(file(10, 20, R, 7, 0)).unwrap();
    set.protect(pg(13), pg(2), RX).unwrap();
    let backs: Vec<_> = set.iter().map(|a| a.backing).collect();
    assert_eq!(
        backs,
        [
            Back::File { id: 7, offset: 0 },
            Back::File { id: 7, offset: pg(3) },
            Back::File { id: 7, offset: pg(5) },
        ]
    );
    set.protect(pg(13), pg(2), R).unwrap();
    assert_eq!(spans(&set), [(10, 20, R)]);
}

#[test]
fn unmapped_start_changes_nothing() {
    let mut set = space();
    set.map(anon(10, 20, R)).unwrap();
    let error = ProtectError { error: Error::NoMemory, changed: pg(9)..pg(9) };
    assert_eq!(set.protect(pg(9), pg(3), RW), Err(error));
    assert_eq!(set.protect(pg(30), PAGE_SIZE, RW).unwrap_err().error, Error::NoMemory);
    assert_eq!(spans(&set), [(10, 20, R)]);
}

#[test]
fn a_hole_stops_the_change_like_linux() {
    let mut set = space();
    set.map(anon(10, 20, R)).unwrap();
    set.map(anon(20, 25, RX)).unwrap();
    set.map(anon(30, 40, R)).unwrap();
    let error = ProtectError { error: Error::NoMemory, changed: pg(15)..pg(25) };
    assert_eq!(set.protect(pg(15), pg(20), RW), Err(error));
    assert_eq!(spans(&set), [(10, 15, R), (15, 25, RW), (30, 40, R)]);
    // Running off the last area changes up to its end.
    let off_the_end = set.protect(pg(35), pg(10), RW).unwrap_err();
    assert_eq!(off_the_end.changed, pg(35)..pg(40));
    assert_eq!(spans(&set)[3], (35, 40, RW));
    check_invariants(&set);
}

#[test]
fn bad_arguments_follow_mprotect() {
    let mut set = space();
    set.map(anon(10, 20, R)).unwrap();
    assert_eq!(set.protect(pg(10) + 1, PAGE_SIZE, RW).unwrap_err().error, Error::Invalid);
    // A zero length succeeds even where nothing is mapped.
    assert_eq!(set.protect(pg(500), 0, RW), Ok(pg(500)..pg(500)));
    assert_eq!(set.protect(pg(10), usize::MAX, RW).unwrap_err().error, Error::NoMemory);
    assert_eq!(set.protect(pg(10), usize::MAX - pg(10) - 5, RW).unwrap_err().error, Error::NoMemory);
    // A length that is not a page multiple covers the last page.
    assert_eq!(set.protect(pg(10), 1, RW), Ok(pg(10)..pg(11)));
    assert_eq!(spans(&set), [(10, 11, RW), (11, 20, R)]);
}
