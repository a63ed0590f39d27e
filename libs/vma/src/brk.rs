//! The program break: brk(2) as Linux implements it (mm/mmap.c,
//! `SYSCALL_DEFINE1(brk)`), growing and shrinking the heap areas of an
//! [`AreaSet`] from `start_brk`.

use alloc::vec::Vec;
use core::ops::Range;

use crate::area::{Area, Backing};
use crate::flags::{AreaFlags, Prot};
use crate::set::AreaSet;
use crate::{page_ceil, PAGE_SIZE};

/// The break of one address space: Linux's `mm->start_brk` and `mm->brk`.
/// The break itself is byte granular; the heap areas end at the break
/// rounded up to a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heap {
    start: usize,
    current: usize,
}

/// What a brk call did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrkChange<B> {
    /// The break after the call: the request on success, the old break
    /// when it was refused. brk(2) returns this.
    pub brk: usize,
    /// The range newly mapped (empty unless the heap grew by pages).
    pub added: Range<usize>,
    /// The pieces unmapped by shrinking; their pages are to be freed.
    pub removed: Vec<Area<B>>,
}

impl Heap {
    /// A heap that starts, empty, at `start_brk` (the end of the program's
    /// bss, page aligned by the ELF loader as Linux's `load_elf_binary`
    /// does; an unaligned start works too).
    pub fn new(start_brk: usize) -> Self {
        Heap { start: start_brk, current: start_brk }
    }

    /// `start_brk`: the lowest break.
    pub fn start(&self) -> usize {
        self.start
    }

    /// The current break.
    pub fn current(&self) -> usize {
        self.current
    }

    /// The protection Linux gives brk memory on riscv64
    /// (`VM_DATA_DEFAULT_FLAGS` is `VM_DATA_FLAGS_NON_EXEC`).
    pub const PROT: Prot = Prot::READ.union(Prot::WRITE);

    /// The kind of area brk makes.
    pub const FLAGS: AreaFlags = AreaFlags::ANONYMOUS.union(AreaFlags::HEAP);

    /// Whether `/proc/PID/maps` names `area` `[heap]`: Linux's test, an
    /// area touching `[start_brk, brk]`.
    pub fn names(&self, start: usize, end: usize) -> bool {
        start <= self.current && end >= self.start
    }

    /// brk(2): moves the break to `requested`, mapping new heap pages
    /// (private, anonymous, read-write, backed by `backing`) or unmapping
    /// freed ones. As in Linux, the call fails silently, keeping the old
    /// break, when `requested` is below `start_brk` (so `brk(0)` asks for
    /// the current break), when growing would end past user space or
    /// within a page (plus the stack guard gap, for a stack) of the next
    /// area, and when shrinking finds nothing mapped to unmap.
    pub fn set_brk<B: Backing>(
        &mut self,
        areas: &mut AreaSet<B>,
        requested: usize,
        backing: B,
    ) -> BrkChange<B> {
        let refused = BrkChange { brk: self.current, added: 0..0, removed: Vec::new() };
        if requested < self.start {
            return refused;
        }
        let (Some(new_top), Some(old_top)) = (page_ceil(requested), page_ceil(self.current)) else {
            return refused;
        };
        let mut change = BrkChange { brk: requested, added: old_top..old_top, removed: Vec::new() };
        if new_top < old_top {
            // Linux refuses to shrink a heap that is no longer mapped.
            if !areas.overlaps(new_top, old_top) {
                return refused;
            }
            change.removed = areas.carve(new_top, old_top);
        } else if new_top > old_top {
            let grown = Area::new(old_top, new_top, Self::PROT, Self::FLAGS, backing);
            if areas.check_new(&grown).is_err() {
                return refused;
            }
            if let Some(next) = areas.find_next(old_top) {
                let clear_to = new_top.checked_add(PAGE_SIZE);
                if clear_to.is_none_or(|clear_to| clear_to > areas.start_gap(next)) {
                    return refused;
                }
            }
            areas.insert_merging(grown);
            change.added = old_top..new_top;
        }
        self.current = requested;
        change
    }
}
