//! mremap(2): shrinking, growing in place, moving, and the errors.

mod common;

use common::*;
use vma::{Error, Move, Remap, PAGE_SIZE};

#[test]
fn same_length_does_nothing() {
    let mut set = space();
    set.map(anon(10, 20, RW)).unwrap();
    let done = set.remap(pg(12), pg(2), pg(2) - 5, false).unwrap();
    assert_eq!(done, Remap { start: pg(12), moved: None, removed: vec![] });
    assert_eq!(spans(&set), [(10, 20, RW)]);
}

#[test]
fn shrinking_unmaps_the_tail() {
    let mut set = space();
    set.map(anon(10, 20, RW)).unwrap();
    let done = set.remap(pg(10), pg(10), pg(4), false).unwrap();
    assert_eq!((done.start, pages(&done.removed)), (pg(10), vec![(14, 20)]));
    assert_eq!(spans(&set), [(10, 14, RW)]);
    // The tail may span areas and holes, as munmap does.
    set.map(anon(16, 18, R)).unwrap();
    let done = set.remap(pg(10), pg(10), pg(1), false).unwrap();
    assert_eq!(pages(&done.removed), [(11, 14), (16, 18)]);
}

#[test]
fn growing_in_place_when_the_room_is_free() {
    let mut set = space();
    set.map(file(10, 20, R, 1, 0)).unwrap();
    set.map(file(25, 30, R, 1, 15)).unwrap();
    let done = set.remap(pg(15), pg(5), pg(8), false).unwrap();
    assert_eq!(done, Remap { start: pg(15), moved: None, removed: vec![] });
    assert_eq!(spans(&set), [(10, 23, R), (25, 30, R)]);
    // Filling the hole exactly joins the file area above.
    set.remap(pg(10), pg(13), pg(15), false).unwrap();
    assert_eq!(spans(&set), [(10, 30, R)]);
    check_invariants(&set);
}

#[test]
fn growing_blocked_without_may_move() {
    let mut set = space();
    set.map(anon(10, 20, RW)).unwrap();
    set.map(anon(20, 30, R)).unwrap();
    assert_eq!(set.remap(pg(10), pg(10), pg(11), false), Err(Error::NoMemory));
    // Not at the end of its area: cannot grow in place.
    assert_eq!(set.remap(pg(10), pg(5), pg(6), false), Err(Error::NoMemory));
    // Nor past the top of user space.
    set.map(anon(1020, 1024, RW)).unwrap();
    assert_eq!(set.remap(pg(1020), pg(4), pg(5), false), Err(Error::NoMemory));
    assert_eq!(spans(&set), [(10, 20, RW), (20, 30, R), (1020, 1024, RW)]);
}

#[test]
fn moving_keeps_the_backing_and_reports_the_pages() {
    let mut set = space();
    set.map(file(10, 20, R, 4, 50)).unwrap();
    set.map(anon(20, 30, RW)).unwrap();
    let done = set.remap(pg(12), pg(3), pg(6), true).unwrap();
    let moved = Move { from: pg(12), to: pg(994), len: pg(3) };
    assert_eq!(done, Remap { start: pg(994), moved: Some(moved), removed: vec![] });
    assert_eq!(spans(&set), [(10, 12, R), (15, 20, R), (20, 30, RW), (994, 1000, R)]);
    let new = set.find(pg(994)).unwrap();
    assert_eq!(new.backing, Back::File { id: 4, offset: pg(52) });
    check_invariants(&set);
}

#[test]
fn moving_fails_when_nothing_fits() {
    let mut set = space();
    set.map(anon(1, 1000, RW)).unwrap();
    set.map(anon(1000, 1024, R)).unwrap();
    assert_eq!(set.remap(pg(1), pg(1), pg(2), true), Err(Error::NoMemory));
    assert_eq!(set.len(), 2);
}

#[test]
fn errors() {
    let mut set = space();
    set.map(anon(10, 20, RW)).unwrap();
    set.map(anon(20, 30, R)).unwrap();
    assert_eq!(set.remap(pg(10) + 1, pg(1), pg(2), true), Err(Error::Invalid));
    assert_eq!(set.remap(pg(10), pg(1), 0, true), Err(Error::Invalid));
    assert_eq!(set.remap(pg(10), usize::MAX, pg(2), true), Err(Error::Invalid));
    assert_eq!(set.remap(pg(10), pg(1), usize::MAX, true), Err(Error::Invalid));
    assert_eq!(set.remap(pg(40), pg(1), pg(2), true), Err(Error::Fault));
    assert_eq!(set.remap(pg(10), 0, pg(2), true), Err(Error::Invalid));
    // Growing a range that runs past its area.
    assert_eq!(set.remap(pg(15), pg(10), pg(12), true), Err(Error::Fault));
    // Shrinking a range that runs past user space fails like munmap.
    let mut top = space();
    top.map(anon(1020, 1024, RW)).unwrap();
    assert_eq!(top.remap(pg(1020), pg(10), pg(1), true), Err(Error::Invalid));
    assert_eq!(set.remap(pg(10), pg(1), pg(1024), true), Err(Error::NoMemory));
    assert_eq!(spans(&set), [(10, 20, RW), (20, 30, R)]);
    assert_eq!(PAGE_SIZE, pg(1));
}
