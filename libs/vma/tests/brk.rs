//! brk(2): growing and shrinking the heap, and the silent refusals.

mod common;

use common::*;
use vma::{Area, AreaFlags, Heap, PAGE_SIZE};

#[test]
fn asking_below_the_start_returns_the_break() {
    let mut set = space();
    let mut heap = Heap::new(pg(100));
    let change = heap.set_brk(&mut set, 0, Back::Anon);
    assert_eq!(change.brk, pg(100));
    assert!(change.added.is_empty() && change.removed.is_empty());
    assert_eq!(heap.set_brk(&mut set, pg(99), Back::Anon).brk, pg(100));
    assert!(set.is_empty());
}

#[test]
fn grows_and_shrinks_by_pages() {
    let mut set = space();
    let mut heap = Heap::new(pg(100));
    let change = heap.set_brk(&mut set, pg(100) + 10, Back::Anon);
    assert_eq!((change.brk, change.added), (pg(100) + 10, pg(100)..pg(101)));
    let area = set.find(pg(100)).unwrap();
    assert_eq!((area.prot, area.flags), (Heap::PROT, Heap::FLAGS));
    // Within the same page: only the break moves.
    let change = heap.set_brk(&mut set, pg(100) + 20, Back::Anon);
    assert_eq!((change.brk, change.added.is_empty()), (pg(100) + 20, true));
    let change = heap.set_brk(&mut set, pg(105), Back::Anon);
    assert_eq!(change.added, pg(101)..pg(105));
    assert_eq!(spans(&set), [(100, 105, RW)]);
    assert_eq!(heap.current(), pg(105));
    let change = heap.set_brk(&mut set, pg(102) + 1, Back::Anon);
    assert_eq!(pages(&change.removed), [(103, 105)]);
    assert_eq!(spans(&set), [(100, 103, RW)]);
    let change = heap.set_brk(&mut set, pg(100), Back::Anon);
    assert_eq!((change.brk, pages(&change.removed)), (pg(100), vec![(100, 103)]));
    assert!(set.is_empty());
    assert_eq!(heap.start(), pg(100));
    check_invariants(&set);
}

#[test]
fn keeps_a_page_free_below_the_next_area() {
    let mut set = space();
    set.map(anon(110, 120, RW)).unwrap();
    let mut heap = Heap::new(pg(100));
    assert_eq!(heap.set_brk(&mut set, pg(109), Back::Anon).brk, pg(109));
    assert_eq!(heap.set_brk(&mut set, pg(109) + 1, Back::Anon).brk, pg(109));
    assert_eq!(spans(&set), [(100, 109, RW), (110, 120, RW)]);
}

#[test]
fn keeps_the_guard_gap_below_a_stack() {
    let mut set = space();
    set.set_stack_guard_gap(pg(4));
    let stack_flags = AreaFlags::ANONYMOUS | AreaFlags::GROWSDOWN;
    set.map(Area::new(pg(200), pg(210), RW, stack_flags, Back::Anon)).unwrap();
    let mut heap = Heap::new(pg(100));
    assert_eq!(heap.set_brk(&mut set, pg(196), Back::Anon).brk, pg(100));
    assert_eq!(heap.set_brk(&mut set, pg(195), Back::Anon).brk, pg(195));
}

#[test]
fn refusals() {
    let mut set = space();
    // Shrinking a heap that was unmapped.
    let mut heap = Heap::new(pg(100));
    heap.set_brk(&mut set, pg(105), Back::Anon);
    set.unmap(pg(100), pg(5)).unwrap();
    assert_eq!(heap.set_brk(&mut set, pg(100), Back::Anon).brk, pg(105));
    // Past user space, and an overflowing request.
    let mut high = Heap::new(pg(1020));
    assert_eq!(high.set_brk(&mut set, pg(1025), Back::Anon).brk, pg(1020));
    assert_eq!(high.set_brk(&mut set, usize::MAX, Back::Anon).brk, pg(1020));
    assert_eq!(high.set_brk(&mut set, pg(1024), Back::Anon).brk, pg(1024));
    // Below user space.
    let mut low = Heap::new(0);
    assert_eq!(low.set_brk(&mut set, pg(1), Back::Anon).brk, 0);
    check_invariants(&set);
}

#[test]
fn an_unaligned_start_counts_from_its_page_end() {
    let mut set = space();
    let mut heap = Heap::new(pg(100) + 0x800);
    let change = heap.set_brk(&mut set, pg(101), Back::Anon);
    assert!(change.added.is_empty());
    let change = heap.set_brk(&mut set, pg(101) + 1, Back::Anon);
    assert_eq!(change.added, pg(101)..pg(102));
    assert_eq!(heap.set_brk(&mut set, pg(100), Back::Anon).brk, pg(101) + 1);
}

#[test]
fn the_heap_does_not_merge_with_plain_anonymous_memory() {
    let mut set = space();
    set.map(anon(95, 100, RW)).unwrap();
    let mut heap = Heap::new(pg(100));
    heap.set_brk(&mut set, pg(102), Back::Anon);
    assert_eq!(spans(&set), [(95, 100, RW), (100, 102, RW)]);
    assert!(heap.names(pg(100), pg(102)));
    assert!(!heap.names(pg(95), pg(100) - PAGE_SIZE));
    assert!(heap.names(pg(95), pg(100)));
}
