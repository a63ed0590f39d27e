//! The walk over tables held in a host hash map.

use super::*;
use std::collections::HashMap;

#[derive(Default)]
struct FakeMemory {
    tables: HashMap<u64, [u64; 512]>,
    next: u64,
    limit: usize,
    freed: Vec<u64>,
}

impl FakeMemory {
    fn new(limit: usize) -> Self {
        FakeMemory { next: 0x1000_0000, limit, ..Default::default() }
    }
}

impl TableMemory for FakeMemory {
    fn alloc_table(&mut self) -> Option<u64> {
        if self.tables.len() >= self.limit {
            return None;
        }
        self.next += 0x1000;
        self.tables.insert(self.next, [0; 512]);
        Some(self.next)
    }
    fn free_table(&mut self, table_pa: u64) {
        self.tables.remove(&table_pa).expect("freeing a table that is not one");
        self.freed.push(table_pa);
    }
    fn read(&self, table_pa: u64, index: usize) -> Pte {
        Pte(self.tables[&table_pa][index])
    }
    fn write(&mut self, table_pa: u64, index: usize, pte: Pte) {
        self.tables.get_mut(&table_pa).unwrap()[index] = pte.0;
    }
}

const RW: PteFlags = PteFlags::READ.union(PteFlags::WRITE);

#[test]
fn maps_and_translates_each_size() {
    let mut mem = FakeMemory::new(16);
    let pt = PageTable::new(&mut mem).unwrap();
    pt.map(&mut mem, 0x1000, 0x8000_0000, PageSize::Size4K, RW).unwrap();
    pt.map(&mut mem, 0x4000_0000, 0x8020_0000, PageSize::Size2M, RW).unwrap();
    pt.map(&mut mem, 0xffff_ffc0_0000_0000, 0, PageSize::Size1G, RW).unwrap();
    assert_eq!(pt.translate(&mem, 0x1234), Some(0x8000_0234));
    assert_eq!(pt.translate(&mem, 0x4012_3456), Some(0x8032_3456));
    assert_eq!(pt.translate(&mem, 0xffff_ffc0_1234_5678), Some(0x1234_5678));
    assert_eq!(pt.translate(&mem, 0x2000), None);
    assert_eq!(pt.translate(&mem, 0x40_0000_0000), None);
}

#[test]
fn refuses_double_maps_and_misalignment() {
    let mut mem = FakeMemory::new(16);
    let pt = PageTable::new(&mut mem).unwrap();
    pt.map(&mut mem, 0x20_0000, 0x8000_0000, PageSize::Size2M, RW).unwrap();
    assert_eq!(pt.map(&mut mem, 0x20_0000, 0, PageSize::Size2M, RW), Err(MapError::AlreadyMapped));
    assert_eq!(pt.map(&mut mem, 0x20_1000, 0, PageSize::Size4K, RW), Err(MapError::AlreadyMapped));
    assert_eq!(pt.map(&mut mem, 0x1001, 0, PageSize::Size4K, RW), Err(MapError::BadAddress));
    assert_eq!(pt.map(&mut mem, 0x1000, 0x10, PageSize::Size4K, RW), Err(MapError::BadAddress));
    let no_perm = PteFlags::USER;
    assert_eq!(pt.map(&mut mem, 0x1000, 0, PageSize::Size4K, no_perm), Err(MapError::BadAddress));
    assert_eq!(pt.map(&mut mem, 0x40_0000_0000, 0, PageSize::Size4K, RW), Err(MapError::BadAddress));
}

#[test]
fn out_of_memory_is_reported() {
    let mut mem = FakeMemory::new(2);
    let pt = PageTable::new(&mut mem).unwrap();
    assert_eq!(pt.map(&mut mem, 0x1000, 0, PageSize::Size4K, RW), Err(MapError::OutOfMemory));
}

#[test]
fn unmap_and_replace() {
    let mut mem = FakeMemory::new(16);
    let pt = PageTable::new(&mut mem).unwrap();
    pt.map(&mut mem, 0x5000, 0x9000_0000, PageSize::Size4K, RW).unwrap();
    let old = pt.replace(&mut mem, 0x5000, Pte::new(0x9000_1000, PteFlags::READ | PteFlags::VALID));
    assert_eq!(old.unwrap().pa(), 0x9000_0000);
    assert_eq!(pt.translate(&mem, 0x5000), Some(0x9000_1000));
    assert!(pt.unmap(&mut mem, 0x5000).is_some());
    assert_eq!(pt.translate(&mem, 0x5000), None);
    assert!(pt.unmap(&mut mem, 0x5000).is_none());
    assert!(pt.unmap(&mut mem, 0x7000_0000).is_none());
}

#[test]
fn free_subtrees_visits_every_leaf_and_frees_tables() {
    let mut mem = FakeMemory::new(16);
    let pt = PageTable::new(&mut mem).unwrap();
    pt.map(&mut mem, 0x1000, 0x8000_0000, PageSize::Size4K, RW).unwrap();
    pt.map(&mut mem, 0x3f_ffff_f000, 0x8000_1000, PageSize::Size4K, RW).unwrap();
    let mut seen = Vec::new();
    pt.free_subtrees(&mut mem, 0..256, &mut |va, pte, _| seen.push((va, pte.pa())));
    seen.sort();
    assert_eq!(seen, vec![(0x1000, 0x8000_0000), (0x3f_ffff_f000, 0x8000_1000)]);
    assert_eq!(mem.tables.len(), 1, "only the root is left");
}
