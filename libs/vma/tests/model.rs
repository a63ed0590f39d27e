//! Random sequences of mmap, munmap, mprotect, placement, mremap and brk,
//! each checked against a page-granular reference model written straight
//! from the Linux rules (a map from page number to what maps it), after
//! every step: same pages, same attributes, same results and errors.

mod common;

use std::collections::BTreeMap;

use common::*;
use proptest::prelude::*;
use vma::{Area, AreaFlags, AreaSet, Backing, Error, Heap, Move, Prot, PAGE_SIZE};

/// User space is pages [1, 48); the guard gap is 2 pages.
const USER_START: usize = pg(1);
const USER_END: usize = pg(48);
const GUARD: usize = pg(2);

/// What maps one page: the backing is that of the page itself.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Page {
    prot: Prot,
    flags: AreaFlags,
    back: Back,
}

/// Page number to what maps it.
type Model = BTreeMap<usize, Page>;

/// mremap's result as pages: new start, the move, the pages unmapped.
type Remapped = (usize, Option<Move>, Vec<(usize, Page)>);

#[derive(Clone, Debug)]
enum Op {
    Map { area: Area<Back>, noreplace: bool },
    Unmap { start: usize, len: usize },
    Protect { start: usize, len: usize, prot: Prot },
    FindFree { len: usize, hint: Option<usize>, align: usize, then_map: bool },
    Remap { start: usize, old_len: usize, new_len: usize, may_move: bool },
    Brk { request: usize },
    Find { addr: usize },
}

fn address() -> impl Strategy<Value = usize> {
    prop_oneof![
        12 => (0..52usize).prop_map(pg),
        1 => (0..52usize, 1..PAGE_SIZE).prop_map(|(p, o)| pg(p) + o),
        1 => Just(usize::MAX & !(PAGE_SIZE - 1)),
    ]
}

fn length() -> impl Strategy<Value = usize> {
    prop_oneof![
        12 => (1..14usize).prop_map(pg),
        2 => 0..pg(14),
        1 => Just(0usize),
        1 => Just(usize::MAX),
    ]
}

fn prot() -> impl Strategy<Value = Prot> {
    (0..8u32).prop_map(Prot::from_bits_truncate)
}

fn area() -> impl Strategy<Value = Area<Back>> {
    (address(), length(), prot(), 0..5u8, 0..6usize).prop_map(|(start, len, prot, kind, page)| {
        let (flags, back) = match kind {
            0 => (AreaFlags::ANONYMOUS, Back::Anon),
            1 => (AreaFlags::ANONYMOUS | AreaFlags::SHARED, Back::Anon),
            2 | 3 => (AreaFlags::empty(), Back::File { id: kind.into(), offset: pg(page) }),
            _ => (AreaFlags::ANONYMOUS | AreaFlags::GROWSDOWN, Back::Anon),
        };
        Area::new(start, start.saturating_add(len), prot, flags, back)
    })
}

fn op() -> impl Strategy<Value = Op> {
    let align = prop_oneof![Just(0), Just(PAGE_SIZE), Just(pg(2)), Just(pg(4)), Just(pg(3))];
    prop_oneof![
        6 => (area(), any::<bool>()).prop_map(|(area, noreplace)| Op::Map { area, noreplace }),
        3 => (address(), length()).prop_map(|(start, len)| Op::Unmap { start, len }),
        4 => (address(), length(), prot()).prop_map(|(start, len, prot)| Op::Protect { start, len, prot }),
        3 => (length(), proptest::option::of(address()), align, any::<bool>())
            .prop_map(|(len, hint, align, then_map)| Op::FindFree { len, hint, align, then_map }),
        3 => (address(), length(), length(), any::<bool>()).prop_map(|(start, old_len, new_len, may_move)| {
            Op::Remap { start, old_len, new_len, may_move }
        }),
        2 => (0..40usize, 0..3usize).prop_map(|(p, o)| Op::Brk { request: pg(p) + o * 0x800 }),
        1 => address().prop_map(|addr| Op::Find { addr }),
    ]
}

/// The model and the real thing, side by side.
struct Pair {
    set: AreaSet<Back>,
    heap: Heap,
    model: Model,
    model_brk: usize,
}

fn expand<'a>(areas: impl IntoIterator<Item = &'a Area<Back>>) -> Vec<(usize, Page)> {
    let mut pages = Vec::new();
    for a in areas {
        for p in a.start / PAGE_SIZE..a.end / PAGE_SIZE {
            let back = a.backing.offset_by(pg(p) - a.start);
            pages.push((p, Page { prot: a.prot, flags: a.flags, back }));
        }
    }
    pages
}

fn page_ceil(addr: usize) -> Option<usize> {
    addr.checked_add(PAGE_SIZE - 1).map(|a| a & !(PAGE_SIZE - 1))
}

impl Pair {
    fn is_free(&self, start: usize, end: usize) -> bool {
        self.model.range(start / PAGE_SIZE..end.div_ceil(PAGE_SIZE)).next().is_none()
    }

    fn take(&mut self, start: usize, end: usize) -> Vec<(usize, Page)> {
        let pages: Vec<usize> =
            self.model.range(start / PAGE_SIZE..end / PAGE_SIZE).map(|(&p, _)| p).collect();
        pages.into_iter().filter_map(|p| self.model.remove(&p).map(|page| (p, page))).collect()
    }

    fn put(&mut self, start: usize, end: usize, first: Page) {
        for p in start / PAGE_SIZE..end / PAGE_SIZE {
            let back = first.back.offset_by(pg(p) - start);
            self.model.insert(p, Page { back, ..first });
        }
    }

    /// Whether `[a, a + len)` may hold a new mapping (Linux's checks in
    /// `arch_get_unmapped_area_topdown` and `vm_unmapped_area`).
    fn fits(&self, a: usize, len: usize) -> bool {
        let end = a + len;
        if a < USER_START || end > USER_END || !self.is_free(a, end) {
            return false;
        }
        match self.model.range(end / PAGE_SIZE..).next() {
            Some((&p, page)) if page.flags.contains(AreaFlags::GROWSDOWN) => {
                pg(p).saturating_sub(GUARD) >= end
            }
            _ => true,
        }
    }

    fn find_free(&self, len: usize, hint: Option<usize>, align: usize) -> Option<usize> {
        let len = page_ceil(len).filter(|&l| l > 0)?;
        let align = align.max(PAGE_SIZE);
        if !align.is_power_of_two() || len > USER_END - USER_START {
            return None;
        }
        if let Some(h) = hint.and_then(page_ceil).filter(|&h| h != 0 && h % align == 0) {
            if h <= USER_END && self.fits(h, len) {
                return Some(h);
            }
        }
        let base = self.set.mmap_base();
        let top_down = (USER_START..=base.saturating_sub(len)).rev().step_by(PAGE_SIZE);
        let mut found = top_down.filter(|a| a % align == 0).find(|&a| self.fits(a, len));
        if found.is_none() {
            let low = page_ceil(USER_END / 3).unwrap().max(USER_START);
            found =
                (low..USER_END).step_by(PAGE_SIZE).filter(|a| a % align == 0).find(|&a| self.fits(a, len));
        }
        found
    }

    /// munmap's checks and removal.
    fn unmap(&mut self, start: usize, len: usize) -> Result<Vec<(usize, Page)>, Error> {
        if !start.is_multiple_of(PAGE_SIZE) || start > USER_END || len > USER_END - start {
            return Err(Error::Invalid);
        }
        let end = page_ceil(start + len).unwrap();
        if end == start {
            return Err(Error::Invalid);
        }
        Ok(self.take(start, end))
    }

    fn map(&mut self, area: &Area<Back>, noreplace: bool) -> Result<Vec<(usize, Page)>, Error> {
        let (start, end) = (area.start, area.end);
        if !start.is_multiple_of(PAGE_SIZE) || !end.is_multiple_of(PAGE_SIZE) || start >= end {
            return Err(Error::Invalid);
        }
        if end > USER_END {
            return Err(Error::NoMemory);
        }
        if start < USER_START {
            return Err(Error::Permission);
        }
        if noreplace && !self.is_free(start, end) {
            return Err(Error::Exists);
        }
        let removed = self.take(start, end);
        self.put(start, end, Page { prot: area.prot, flags: area.flags, back: area.backing });
        Ok(removed)
    }

    fn protect(
        &mut self,
        start: usize,
        len: usize,
        prot: Prot,
    ) -> Result<std::ops::Range<usize>, vma::ProtectError> {
        let fail = |error, changed| Err(vma::ProtectError { error, changed });
        if !start.is_multiple_of(PAGE_SIZE) {
            return fail(Error::Invalid, start..start);
        }
        if len == 0 {
            return Ok(start..start);
        }
        let Some(end) = start.checked_add(len).and_then(page_ceil) else {
            return fail(Error::NoMemory, start..start);
        };
        let mut cursor = start;
        while cursor < end {
            match self.model.get_mut(&(cursor / PAGE_SIZE)) {
                Some(page) => page.prot = prot,
                None => break,
            }
            cursor += PAGE_SIZE;
        }
        if cursor < end {
            return fail(Error::NoMemory, start..cursor);
        }
        Ok(start..end)
    }

    /// The end of the area holding page `p`: pages merge while they could.
    fn area_end(&self, p: usize) -> usize {
        let mut p = p;
        while let (Some(a), Some(b)) = (self.model.get(&p), self.model.get(&(p + 1))) {
            if a.prot != b.prot || a.flags != b.flags || !a.back.can_merge(&b.back, PAGE_SIZE) {
                break;
            }
            p += 1;
        }
        pg(p + 1)
    }

    fn remap(
        &mut self,
        start: usize,
        old_len: usize,
        new_len: usize,
        may_move: bool,
    ) -> Result<Remapped, Error> {
        let unmoved = |start, removed: Vec<(usize, Page)>| (start, None, removed);
        if !start.is_multiple_of(PAGE_SIZE) {
            return Err(Error::Invalid);
        }
        let (Some(old_len), Some(new_len)) = (page_ceil(old_len), page_ceil(new_len)) else {
            return Err(Error::Invalid);
        };
        if new_len == 0 {
            return Err(Error::Invalid);
        }
        let Some(&first) = self.model.get(&(start / PAGE_SIZE)) else {
            return Err(Error::Fault);
        };
        if old_len == 0 {
            return Err(Error::Invalid);
        }
        Ok(if new_len <= old_len {
            let removed =
                if new_len < old_len { self.unmap(start + new_len, old_len - new_len)? } else { vec![] };
            unmoved(start, removed)
        } else {
            let area_end = self.area_end(start / PAGE_SIZE);
            if old_len > area_end - start {
                return Err(Error::Fault);
            }
            let grow = new_len - old_len;
            let last = self.model[&(area_end / PAGE_SIZE - 1)];
            if start + old_len == area_end
                && area_end.checked_add(grow).is_some_and(|end| end <= USER_END)
                && self.is_free(area_end, area_end + grow)
            {
                self.put(area_end, area_end + grow, Page { back: last.back.offset_by(PAGE_SIZE), ..last });
                unmoved(start, vec![])
            } else if !may_move {
                return Err(Error::NoMemory);
            } else {
                let to = self.find_free(new_len, None, PAGE_SIZE).ok_or(Error::NoMemory)?;
                self.take(start, start + old_len);
                self.put(to, to + new_len, first);
                (to, Some(Move { from: start, to, len: old_len }), vec![])
            }
        })
    }

    fn brk(&mut self, request: usize) -> (usize, Vec<(usize, Page)>) {
        let start = self.heap.start();
        let (Some(new_top), Some(old_top)) = (page_ceil(request), page_ceil(self.model_brk)) else {
            return (self.model_brk, vec![]);
        };
        if request < start {
            return (self.model_brk, vec![]);
        }
        let mut removed = vec![];
        if new_top < old_top {
            if self.is_free(new_top, old_top) {
                return (self.model_brk, vec![]);
            }
            removed = self.take(new_top, old_top);
        } else if new_top > old_top {
            let next = self.model.range(old_top / PAGE_SIZE..).next();
            let blocked = next.is_some_and(|(&p, page)| {
                let gap = if page.flags.contains(AreaFlags::GROWSDOWN) { GUARD } else { 0 };
                new_top + PAGE_SIZE > pg(p).saturating_sub(gap)
            });
            if old_top < USER_START || new_top > USER_END || blocked {
                return (self.model_brk, vec![]);
            }
            self.put(old_top, new_top, Page { prot: Heap::PROT, flags: Heap::FLAGS, back: Back::Anon });
        }
        self.model_brk = request;
        (request, removed)
    }

    fn step(&mut self, op: &Op) {
        match op {
            Op::Map { area, noreplace } => {
                let expected = self.map(area, *noreplace);
                if *noreplace {
                    let got = self.set.map_fixed_noreplace(area.clone());
                    assert_eq!(got, expected.map(|_| ()));
                } else {
                    let got = self.set.map(area.clone());
                    assert_eq!(got.map(|r| expand(&r)), expected);
                }
            }
            Op::Unmap { start, len } => {
                let expected = self.unmap(*start, *len);
                assert_eq!(self.set.unmap(*start, *len).map(|r| expand(&r)), expected);
            }
            Op::Protect { start, len, prot } => {
                let expected = self.protect(*start, *len, *prot);
                assert_eq!(self.set.protect(*start, *len, *prot), expected);
            }
            Op::FindFree { len, hint, align, then_map } => {
                let expected = self.find_free(*len, *hint, *align);
                let got = self.set.find_free(*len, *hint, *align);
                assert_eq!(got, expected);
                if let (Some(start), true) = (got, *then_map) {
                    let end = start + page_ceil(*len).unwrap();
                    let area = Area::new(start, end, RW, ANON, Back::Anon);
                    self.map(&area, true).unwrap();
                    self.set.map_fixed_noreplace(area).unwrap();
                }
            }
            Op::Remap { start, old_len, new_len, may_move } => {
                let expected = self.remap(*start, *old_len, *new_len, *may_move);
                let got = self.set.remap(*start, *old_len, *new_len, *may_move);
                assert_eq!(got.map(|r| (r.start, r.moved, expand(&r.removed))), expected);
            }
            Op::Brk { request } => {
                let (brk, removed) = self.brk(*request);
                let change = self.heap.set_brk(&mut self.set, *request, Back::Anon);
                assert_eq!((change.brk, expand(&change.removed)), (brk, removed));
            }
            Op::Find { addr } => {
                let expected = self.model.get(&(addr / PAGE_SIZE)).map(|page| page.prot);
                assert_eq!(self.set.find(*addr).map(|a| a.prot), expected);
            }
        }
        check_invariants(&self.set);
        assert_eq!(
            expand(self.set.iter()),
            self.model.iter().map(|(&p, &page)| (p, page)).collect::<Vec<_>>()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn matches_the_page_model(
        base in 1..=48usize,
        heap_start in (4..30usize, 0..2usize).prop_map(|(p, o)| pg(p) + o * 0x800),
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        let mut set = AreaSet::new(USER_START, USER_END);
        set.set_mmap_base(pg(base));
        set.set_stack_guard_gap(GUARD);
        let mut pair = Pair { set, heap: Heap::new(heap_start), model: Model::new(), model_brk: heap_start };
        for op in &ops {
            pair.step(op);
        }
    }
}
