//! The load plan of an executable: its segments, where the image goes, and
//! the page-level work each segment needs, the way Linux's `load_elf_binary`
//! and `elf_load` map it.

use crate::{page_end, page_offset, page_start, ElfError, ELF_ET_DYN_BASE, PAGE_SIZE, TASK_SIZE};
use alloc::vec::Vec;
use core::ops::Range;

/// `e_type`: an executable at fixed addresses or a position-independent one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfKind {
    /// ET_EXEC: every address is absolute; the load bias is 0.
    Exec,
    /// ET_DYN: a PIE program, a static PIE, or a dynamic loader; the kernel
    /// chooses a load bias added to every address.
    Dyn,
}

/// The floating-point calling convention in `e_flags` (RISC-V ELF psABI).
/// Linux records nothing and refuses nothing by it; Debian's riscv64 port is
/// `Double` (lp64d).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatAbi {
    Soft,
    Single,
    Double,
    Quad,
}

/// Memory protection from `p_flags` (PF_R, PF_W, PF_X), as `make_prot` maps it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Prot {
    pub read: bool,
    pub write: bool,
    pub execute: bool,
}

/// One PT_LOAD segment, validated: `filesz <= memsz`, `memsz > 0`, the whole
/// range below [`TASK_SIZE`], the file range without overflow, and (when it
/// has file bytes) `offset` and `vaddr` congruent modulo the page size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// `p_vaddr`, before the load bias.
    pub vaddr: u64,
    /// `p_memsz`.
    pub memsz: u64,
    /// `p_offset`.
    pub file_offset: u64,
    /// `p_filesz`.
    pub filesz: u64,
    pub prot: Prot,
}

/// What one segment needs at page granularity once placed (every address
/// here includes the load bias). The three parts never overlap and, in this
/// order, cover `page_start(vaddr)..page_end(vaddr + memsz)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentPages {
    /// Whole pages whose contents come from the file: the page holding
    /// `vaddr` up to the page holding the last file byte. Empty when
    /// `filesz` is 0. Linux maps them privately from the file, so the bytes
    /// before `vaddr` in the first page and after the segment in the last one
    /// are file bytes too; a kernel that copies may leave those zero.
    pub file_pages: Range<u64>,
    /// The file offset of `file_pages.start` (page aligned).
    pub file_pages_offset: u64,
    /// The bytes of the last file page from the end of the file data to the
    /// end of the segment or the page, whichever comes first: they hold file
    /// junk in a mapped page and must be cleared (Linux's `padzero`). Empty
    /// unless `memsz > filesz` and the file data ends inside a page.
    pub zero_fill: Range<u64>,
    /// Whole pages of pure bss after the file pages: anonymous, zero-filled
    /// (Linux's `vm_brk_flags`).
    pub bss_pages: Range<u64>,
}

/// Where the kernel should put an image, following `load_elf_binary` with
/// address-space randomization off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// ET_EXEC: at its own addresses; the bias is 0.
    Fixed,
    /// ET_DYN with PT_INTERP (a PIE program): at this bias, which puts the
    /// first segment's page at [`ELF_ET_DYN_BASE`] rounded down to the
    /// largest segment alignment, away from the mmap area where its loader
    /// goes.
    Bias(u64),
    /// ET_DYN without PT_INTERP (a static PIE, `ld.so` run directly, or the
    /// interpreter itself): wherever the kernel's mmap finds `span` free
    /// bytes aligned to `align`; then [`LoadPlan::load_bias_for`] gives the
    /// bias.
    Anywhere { span: u64, align: u64 },
}

/// Everything execve needs from an executable's headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadPlan {
    pub kind: ElfKind,
    /// `e_entry`, before the load bias.
    pub entry: u64,
    /// The PT_LOAD segments with memory, sorted by address and disjoint.
    pub segments: Vec<Segment>,
    /// The PT_INTERP path without its NUL terminator (bytes: a Linux path
    /// need not be UTF-8). The first PT_INTERP counts, as in Linux.
    pub interpreter: Option<Vec<u8>>,
    /// Where the program headers are in memory, before the load bias: from
    /// the segment whose file bytes hold `e_phoff` (what Linux passes as
    /// AT_PHDR since 5.18), else PT_PHDR's `p_vaddr`. With `None`, Linux
    /// passes the bare bias.
    pub phdr_vaddr: Option<u64>,
    /// `e_phnum`, for AT_PHNUM.
    pub phnum: u16,
    /// `e_phentsize` (always 56), for AT_PHENT.
    pub phent: u16,
    /// PT_GNU_STACK asks for an executable stack (PF_X). Without PT_GNU_STACK
    /// riscv64 Linux gives a non-executable stack too.
    pub stack_exec: bool,
    /// The first segment's page (before the bias).
    pub min_vaddr: u64,
    /// The end of the last segment rounded up to a page (before the bias).
    pub max_vaddr: u64,
    /// The largest power-of-two `p_align` of the PT_LOAD segments, at least
    /// a page (Linux's `maximum_alignment`).
    pub max_align: u64,
    /// `e_flags`: see [`LoadPlan::float_abi`].
    pub flags: u32,
}

impl Segment {
    /// The bytes of the file this segment copies: `file_offset..+filesz`.
    pub fn file_range(&self) -> Range<u64> {
        // Validated at parse time: the sum does not overflow.
        self.file_offset..self.file_offset.saturating_add(self.filesz)
    }

    /// The page-level breakdown of this segment placed at `bias`, which
    /// [`LoadPlan::check_bias`] should have accepted (with any other bias
    /// the ranges are meaningless, but nothing panics).
    pub fn pages(&self, bias: u64) -> SegmentPages {
        let start = self.vaddr.wrapping_add(bias);
        let file_end = start.wrapping_add(self.filesz);
        let memory_end = start.wrapping_add(self.memsz);
        let first_page = page_start(start);
        let file_pages_end =
            if self.filesz == 0 { first_page } else { page_end(file_end).unwrap_or(file_end) };
        let zero_fill = if self.memsz > self.filesz && self.filesz > 0 && page_offset(file_end) != 0 {
            file_end..memory_end.min(file_pages_end)
        } else {
            file_pages_end..file_pages_end
        };
        let memory_pages_end = page_end(memory_end).unwrap_or(memory_end);
        SegmentPages {
            file_pages: first_page..file_pages_end,
            // Equal to `file_offset - page_offset(vaddr)`: the two are
            // congruent whenever there are file bytes.
            file_pages_offset: page_start(self.file_offset),
            zero_fill,
            bss_pages: file_pages_end..memory_pages_end.max(file_pages_end),
        }
    }
}

impl LoadPlan {
    /// The floating-point ABI recorded in `e_flags`.
    pub fn float_abi(&self) -> FloatAbi {
        use object::elf::{EF_RISCV_FLOAT_ABI, EF_RISCV_FLOAT_ABI_DOUBLE, EF_RISCV_FLOAT_ABI_SINGLE};
        match self.flags & EF_RISCV_FLOAT_ABI {
            0 => FloatAbi::Soft,
            EF_RISCV_FLOAT_ABI_SINGLE => FloatAbi::Single,
            EF_RISCV_FLOAT_ABI_DOUBLE => FloatAbi::Double,
            _ => FloatAbi::Quad,
        }
    }

    /// Bytes from the first segment's page to the end of the last page.
    pub fn span(&self) -> u64 {
        self.max_vaddr.saturating_sub(self.min_vaddr)
    }

    /// Where this image goes, as Linux decides without randomization.
    /// When loading an interpreter, plan it on its own: it has no PT_INTERP,
    /// so an ET_DYN loader comes out [`Placement::Anywhere`], as in Linux.
    pub fn placement(&self) -> Placement {
        match (self.kind, &self.interpreter) {
            (ElfKind::Exec, _) => Placement::Fixed,
            (ElfKind::Dyn, Some(_)) => {
                let base = ELF_ET_DYN_BASE & !(self.max_align.max(PAGE_SIZE) - 1);
                Placement::Bias(page_start(base.wrapping_sub(self.first_vaddr())))
            }
            (ElfKind::Dyn, None) => Placement::Anywhere { span: self.span(), align: self.max_align },
        }
    }

    /// The bias that puts the first segment's page at `base` (page aligned),
    /// for an ET_DYN image; 0 for ET_EXEC, which cannot move.
    pub fn load_bias_for(&self, base: u64) -> u64 {
        match self.kind {
            ElfKind::Exec => 0,
            ElfKind::Dyn => page_start(base).wrapping_sub(self.min_vaddr),
        }
    }

    /// Checks that with `bias` every segment and the entry point stay inside
    /// user space.
    pub fn check_bias(&self, bias: u64) -> Result<(), ElfError> {
        let start = self.min_vaddr.wrapping_add(bias);
        let fits = start.checked_add(self.span()).is_some_and(|end| end <= TASK_SIZE);
        if !fits {
            return Err(ElfError::BadPlacement);
        }
        if self.entry.wrapping_add(bias) >= TASK_SIZE {
            return Err(ElfError::BadEntry);
        }
        Ok(())
    }

    /// The entry point once placed at `bias`.
    pub fn entry_at(&self, bias: u64) -> u64 {
        self.entry.wrapping_add(bias)
    }

    /// AT_PHDR once placed at `bias` (Linux passes the bias itself when no
    /// segment holds the program headers).
    pub fn phdr_at(&self, bias: u64) -> u64 {
        self.phdr_vaddr.unwrap_or(0).wrapping_add(bias)
    }

    /// The start of the heap once placed at `bias`: the page after the
    /// highest segment (`mm->start_brk` without randomization).
    pub fn brk_start(&self, bias: u64) -> u64 {
        self.max_vaddr.wrapping_add(bias)
    }

    /// The unbiased `p_vaddr` Linux subtracts when it computes a PIE bias:
    /// that of the first PT_LOAD.
    fn first_vaddr(&self) -> u64 {
        self.segments.first().map_or(0, |segment| segment.vaddr)
    }
}

/// The largest power-of-two alignment among `aligns`, at least a page.
pub(crate) fn maximum_alignment(aligns: impl Iterator<Item = u64>) -> u64 {
    aligns.filter(|align| align.is_power_of_two()).fold(PAGE_SIZE, u64::max)
}
