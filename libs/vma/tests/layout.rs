//! Placement of new mappings (top-down from the mmap base, hints, alignment,
//! the guard gap, the bottom-up fallback) and stack growth.

mod common;

use common::*;
use vma::{Area, AreaFlags, Error, Prot, PAGE_SIZE};

const STACK: AreaFlags = AreaFlags::ANONYMOUS.union(AreaFlags::GROWSDOWN);

fn stack(from: usize, to: usize) -> Area<Back> {
    Area::new(pg(from), pg(to), RW, STACK, Back::Anon)
}

#[test]
fn empty_space_places_just_below_the_mmap_base() {
    let set = space();
    assert_eq!(set.find_free(pg(3), None, PAGE_SIZE), Some(pg(997)));
    // Lengths round up to pages.
    assert_eq!(set.find_free(pg(3) - 100, None, PAGE_SIZE), Some(pg(997)));
    assert_eq!(set.find_free(1, None, 0), Some(pg(999)));
}

#[test]
fn takes_the_highest_gap_that_fits() {
    let mut set = space();
    set.map(anon(990, 1000, RW)).unwrap();
    set.map(anon(900, 985, RW)).unwrap();
    assert_eq!(set.find_free(pg(3), None, PAGE_SIZE), Some(pg(987)));
    assert_eq!(set.find_free(pg(5), None, PAGE_SIZE), Some(pg(985)));
    assert_eq!(set.find_free(pg(6), None, PAGE_SIZE), Some(pg(894)));
}

#[test]
fn an_area_across_the_mmap_base_pushes_below_it() {
    let mut set = space();
    set.map(anon(995, 1010, RW)).unwrap();
    assert_eq!(set.find_free(pg(2), None, PAGE_SIZE), Some(pg(993)));
}

#[test]
fn alignment() {
    let mut set = space();
    assert_eq!(set.find_free(pg(3), None, pg(8)), Some(pg(992)));
    assert_eq!(set.find_free(pg(3), None, pg(3)), None);
    set.map(anon(990, 1000, RW)).unwrap();
    assert_eq!(set.find_free(pg(3), None, pg(8)), Some(pg(984)));
    assert_eq!(set.find_free(pg(8), None, pg(16)), Some(pg(976)));
}

#[test]
fn hints() {
    let mut set = space();
    set.map(anon(100, 110, RW)).unwrap();
    assert_eq!(set.find_free(pg(2), Some(pg(50)), PAGE_SIZE), Some(pg(50)));
    assert_eq!(set.find_free(pg(2), Some(pg(50) + 1), PAGE_SIZE), Some(pg(51)));
    assert_eq!(set.find_free(pg(2), Some(pg(98)), PAGE_SIZE), Some(pg(98)));
    // Overlapping, zero, past the top or misaligned: searched instead.
    assert_eq!(set.find_free(pg(2), Some(pg(99)), PAGE_SIZE), Some(pg(998)));
    assert_eq!(set.find_free(pg(2), Some(pg(105)), PAGE_SIZE), Some(pg(998)));
    assert_eq!(set.find_free(pg(2), Some(0), PAGE_SIZE), Some(pg(998)));
    assert_eq!(set.find_free(pg(2), Some(pg(1023)), PAGE_SIZE), Some(pg(998)));
    assert_eq!(set.find_free(pg(2), Some(usize::MAX), PAGE_SIZE), Some(pg(998)));
    assert_eq!(set.find_free(pg(2), Some(pg(52)), pg(8)), Some(pg(992)));
    // Above the mmap base is fine for a hint.
    assert_eq!(set.find_free(pg(2), Some(pg(1010)), PAGE_SIZE), Some(pg(1010)));
    assert_eq!(set.find_free(pg(2), Some(pg(1022)), PAGE_SIZE), Some(pg(1022)));
    // Rounded up to the first user page.
    assert_eq!(set.find_free(pg(2), Some(1), PAGE_SIZE), Some(pg(1)));
}

#[test]
fn the_guard_gap_below_a_stack_stays_free() {
    let mut set = space();
    set.set_stack_guard_gap(pg(4) + 5);
    assert_eq!(set.stack_guard_gap(), pg(4));
    set.map(stack(990, 1000)).unwrap();
    assert_eq!(set.find_free(pg(2), None, PAGE_SIZE), Some(pg(984)));
    assert_eq!(set.find_free(pg(2), Some(pg(987)), PAGE_SIZE), Some(pg(984)));
    assert_eq!(set.find_free(pg(2), Some(pg(984)), PAGE_SIZE), Some(pg(984)));
    // A plain area keeps no gap.
    let mut plain = space();
    plain.map(anon(990, 1000, RW)).unwrap();
    assert_eq!(plain.find_free(pg(2), None, PAGE_SIZE), Some(pg(988)));
}

#[test]
fn a_guard_gap_reaching_below_the_area_under_the_stack_hides_no_gap() {
    // The stack's gap covers the plain area right under it and more; the
    // room below that plain area is still free (found by the model test).
    let mut set = space();
    set.set_stack_guard_gap(pg(4));
    set.map(anon(3, 4, RW)).unwrap();
    set.map(stack(4, 5)).unwrap();
    set.map(anon(5, 1024, RW)).unwrap();
    assert_eq!(set.find_free(PAGE_SIZE, None, PAGE_SIZE), Some(pg(2)));
}

#[test]
fn falls_back_bottom_up_above_a_third_of_user_space() {
    let mut set = space();
    set.map(anon(1, 1000, RW)).unwrap();
    set.map(anon(1005, 1010, R)).unwrap();
    assert_eq!(set.find_free(pg(5), None, PAGE_SIZE), Some(pg(1000)));
    assert_eq!(set.find_free(pg(6), None, PAGE_SIZE), Some(pg(1010)));
    assert_eq!(set.find_free(pg(15), None, PAGE_SIZE), None);
    // A hole below a third of the space (page 342) is not for the fallback
    // but the top-down search finds it.
    set.unmap(pg(100), pg(10)).unwrap();
    assert_eq!(set.find_free(pg(6), None, PAGE_SIZE), Some(pg(104)));
    set.map(anon(100, 110, RW)).unwrap();
    // Bottom-up alignment.
    assert_eq!(set.find_free(pg(4), None, pg(4)), Some(pg(1000)));
    assert_eq!(set.find_free(pg(8), None, pg(8)), Some(pg(1016)));
}

#[test]
fn nothing_fits() {
    let mut set = space();
    assert_eq!(set.find_free(0, None, PAGE_SIZE), None);
    assert_eq!(set.find_free(usize::MAX, None, PAGE_SIZE), None);
    assert_eq!(set.find_free(pg(1024), None, PAGE_SIZE), None);
    assert_eq!(set.find_free(pg(999), None, PAGE_SIZE), Some(pg(1)));
    // Too big for below the base and for the fallback's [342, 1024).
    assert_eq!(set.find_free(pg(1000), None, PAGE_SIZE), None);
    set.map(anon(1, 1024, Prot::NONE)).unwrap();
    assert_eq!(set.find_free(pg(1), None, PAGE_SIZE), None);
    assert_eq!(set.find_free(pg(1), Some(pg(5)), PAGE_SIZE), None);
}

#[test]
fn mmap_base_is_clamped() {
    let mut set = space();
    set.set_mmap_base(usize::MAX);
    assert_eq!(set.mmap_base(), pg(1024));
    set.set_mmap_base(3);
    assert_eq!(set.mmap_base(), pg(1));
    // Nothing below the base: the fallback still finds room.
    assert_eq!(set.find_free(pg(2), None, PAGE_SIZE), Some(pg(342)));
}

#[test]
fn stack_grows_down_on_a_fault_below() {
    let mut set = space();
    set.map(stack(990, 1000)).unwrap();
    assert_eq!(set.expand_stack(pg(985) + 5, pg(100)), Ok(pg(985)));
    assert_eq!(spans(&set), [(985, 1000, RW)]);
    assert_eq!(set.expand_stack(pg(987), pg(100)), Ok(pg(985)));
    assert_eq!(set.expand_stack(pg(900), pg(100)), Ok(pg(900)));
    assert_eq!(set.expand_stack(pg(899), pg(100)), Err(Error::NoMemory));
    assert_eq!(spans(&set), [(900, 1000, RW)]);
    check_invariants(&set);
}

#[test]
fn stack_growth_refusals() {
    let mut set = space();
    set.set_stack_guard_gap(pg(4));
    set.map(anon(960, 970, R)).unwrap();
    set.map(stack(990, 1000)).unwrap();
    set.map(anon(1010, 1020, R)).unwrap();
    assert_eq!(set.expand_stack(pg(1005), pg(100)), Err(Error::Fault));
    assert_eq!(set.expand_stack(pg(1022), pg(100)), Err(Error::Fault));
    assert_eq!(set.expand_stack(pg(973), pg(100)), Err(Error::NoMemory));
    assert_eq!(set.expand_stack(pg(974), pg(100)), Ok(pg(974)));
    // An inaccessible area below does not need the gap.
    set.protect(pg(960), pg(10), Prot::NONE).unwrap();
    assert_eq!(set.expand_stack(pg(970), pg(100)), Ok(pg(970)));
    let mut low = space();
    low.map(stack(2, 10)).unwrap();
    assert_eq!(low.expand_stack(0x10, pg(100)), Err(Error::Permission));
    check_invariants(&set);
}
