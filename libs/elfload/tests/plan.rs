//! Load plans of well-formed executables: static, static-PIE and dynamic,
//! their placement, the page breakdown, and reading by prefix or reader.

mod common;

use common::*;
use elfload::{
    plan, plan_from, ElfError, ElfKind, FloatAbi, Placement, Prot, ReadAt, ReadError, Segment, SegmentPages,
    ELF_ET_DYN_BASE,
};
use std::cell::Cell;

const RX: Prot = Prot { read: true, write: false, execute: true };
const RW: Prot = Prot { read: true, write: true, execute: false };

#[test]
fn static_executable() {
    let plan = plan(&static_exec().write()).unwrap();
    assert_eq!(plan.kind, ElfKind::Exec);
    assert_eq!(plan.entry, 0x10100);
    assert_eq!(
        plan.segments,
        [
            Segment { vaddr: 0x10000, memsz: 0x1234, file_offset: 0, filesz: 0x1234, prot: RX },
            Segment { vaddr: 0x12e10, memsz: 0x3000, file_offset: 0x1e10, filesz: 0x200, prot: RW },
        ]
    );
    assert_eq!(plan.interpreter, None);
    // The table at file offset 64 lies in the text segment, mapped at 0x10000.
    assert_eq!(plan.phdr_vaddr, Some(0x10040));
    assert_eq!((plan.phnum, plan.phent), (3, 56));
    assert!(!plan.stack_exec);
    assert_eq!((plan.min_vaddr, plan.max_vaddr), (0x10000, 0x16000));
    assert_eq!(plan.max_align, 0x1000);
    assert_eq!(plan.float_abi(), FloatAbi::Double);
    assert_eq!(plan.placement(), Placement::Fixed);
    assert_eq!(plan.load_bias_for(0x4000_0000), 0, "ET_EXEC cannot move");
    assert_eq!(plan.check_bias(0), Ok(()));
    assert_eq!(plan.brk_start(0), 0x16000);
    assert_eq!(plan.entry_at(0), 0x10100);
    assert_eq!(plan.phdr_at(0), 0x10040);
}

#[test]
fn static_pie_goes_anywhere() {
    let plan = plan(&static_pie().write()).unwrap();
    assert_eq!(plan.kind, ElfKind::Dyn);
    assert_eq!(plan.interpreter, None);
    assert_eq!(plan.placement(), Placement::Anywhere { span: 0x6000, align: 0x1000 });
    let bias = plan.load_bias_for(0x3f_f7ff_0000);
    assert_eq!(bias, 0x3f_f7ff_0000);
    assert_eq!(plan.check_bias(bias), Ok(()));
    assert_eq!(plan.entry_at(bias), 0x3f_f7ff_0100);
    assert_eq!(plan.phdr_at(bias), 0x3f_f7ff_0040);
    // The last page of user space still fits; one more does not.
    assert_eq!(plan.check_bias(plan.load_bias_for(elfload::TASK_SIZE - 0x6000)), Ok(()));
    assert_eq!(plan.check_bias(plan.load_bias_for(elfload::TASK_SIZE - 0x5000)), Err(ElfError::BadPlacement));
}

#[test]
fn dynamic_pie_goes_to_elf_et_dyn_base() {
    let plan = plan(&dynamic_pie().write()).unwrap();
    assert_eq!(plan.kind, ElfKind::Dyn);
    assert_eq!(plan.interpreter.as_deref(), Some(INTERP));
    assert_eq!(plan.phdr_vaddr, Some(64));
    assert_eq!(plan.phnum, 5);
    assert_eq!(ELF_ET_DYN_BASE, 0x2a_aaaa_aaaa);
    assert_eq!(plan.placement(), Placement::Bias(0x2a_aaaa_a000));
    assert_eq!(plan.check_bias(0x2a_aaaa_a000), Ok(()));
}

#[test]
fn pie_bias_follows_the_largest_alignment_and_first_vaddr() {
    let mut elf = dynamic_pie();
    elf.phdrs[2].align = 0x10000;
    elf.phdrs[3].align = 3; // not a power of two: ignored, as in Linux
    assert_eq!(plan(&elf.write()).unwrap().placement(), Placement::Bias(0x2a_aaaa_0000));
    // Linux subtracts the first p_vaddr and rounds down to a page.
    let mut elf = dynamic_pie();
    for phdr in elf.phdrs.iter_mut().filter(|phdr| phdr.kind == PT_LOAD) {
        phdr.vaddr += 0x40_0000;
    }
    assert_eq!(plan(&elf.write()).unwrap().placement(), Placement::Bias(0x2a_aaaa_a000 - 0x40_0000));
}

#[test]
fn page_breakdown() {
    let plan = plan(&static_exec().write()).unwrap();
    // Text: file pages only; the 0x234 bytes after it in its last page are
    // file bytes in Linux too (memsz == filesz), so nothing to zero.
    assert_eq!(
        plan.segments[0].pages(0),
        SegmentPages {
            file_pages: 0x10000..0x12000,
            file_pages_offset: 0,
            zero_fill: 0x12000..0x12000,
            bss_pages: 0x12000..0x12000,
        }
    );
    // Data: 0x200 file bytes from 0x12e10 end inside page 0x13000; the rest
    // of that page is zeroed and two pure bss pages follow.
    assert_eq!(
        plan.segments[1].pages(0),
        SegmentPages {
            file_pages: 0x12000..0x14000,
            file_pages_offset: 0x1000,
            zero_fill: 0x13010..0x14000,
            bss_pages: 0x14000..0x16000,
        }
    );
    // With a bias everything moves together.
    let biased = plan.segments[1].pages(0x1000_0000);
    assert_eq!(biased.file_pages, 0x1001_2000..0x1001_4000);
    assert_eq!(biased.file_pages_offset, 0x1000);
}

#[test]
fn page_breakdown_edge_cases() {
    let segment =
        |vaddr, filesz, memsz| Segment { vaddr, memsz, file_offset: vaddr % 0x1000, filesz, prot: RW };
    // bss ending inside the last file page: zero to the segment's end only.
    let pages = segment(0x1100, 0x100, 0x200).pages(0);
    assert_eq!(
        (pages.file_pages, pages.zero_fill, pages.bss_pages),
        (0x1000..0x2000, 0x1200..0x1300, 0x2000..0x2000)
    );
    // File data ending on a page boundary: no partial page.
    let pages = segment(0x1800, 0x800, 0x1800).pages(0);
    assert_eq!(
        (pages.file_pages, pages.zero_fill, pages.bss_pages),
        (0x1000..0x2000, 0x2000..0x2000, 0x2000..0x3000)
    );
    // No file bytes at all: the page holding vaddr is bss.
    let pages = segment(0x1800, 0, 0x10).pages(0);
    assert_eq!((pages.file_pages.clone(), pages.bss_pages), (0x1000..0x1000, 0x1000..0x2000));
    assert!(pages.zero_fill.is_empty());
}

#[test]
fn segment_rules_that_are_not_errors() {
    let mut elf = static_exec();
    // A bss-only segment needs no offset congruence; an empty one is dropped.
    elf.phdrs.push(Phdr::load(PF_R | PF_W, 0x123, 0x20008, 0, 0x100));
    elf.phdrs.push(Phdr::load(PF_R, 0x555, 0x30000, 0, 0));
    // Segments may share a page as long as their bytes do not overlap.
    elf.phdrs.push(Phdr::load(PF_R, 0x108, 0x20108, 0x10, 0x10));
    elf.phdrs.push(Phdr::other(PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0));
    let plan = plan(&elf.write()).unwrap();
    assert_eq!(plan.segments.len(), 4);
    assert_eq!(plan.max_vaddr, 0x21000);
    assert!(plan.stack_exec, "the last PT_GNU_STACK counts");
}

#[test]
fn phdr_address_falls_back_to_pt_phdr() {
    // Program headers at the end of the file, outside every segment.
    let mut elf = static_exec();
    elf.phoff = 0x3000;
    elf.phdrs.push(Phdr::other(PT_PHDR, PF_R, 0x3000, 0x40_0000, 4 * 56));
    assert_eq!(plan(&elf.write()).unwrap().phdr_vaddr, Some(0x40_0000));
    elf.phdrs.pop();
    let plan = plan(&elf.write()).unwrap();
    assert_eq!((plan.phdr_vaddr, plan.phdr_at(0x5000)), (None, 0x5000));
}

#[test]
fn interpreter_path_is_the_c_string() {
    let mut elf = dynamic_pie();
    let offset = elf.blobs[0].0;
    elf.blobs[0].1 = b"/lib/ld.so\0junk\0".to_vec();
    elf.phdrs[1].filesz = 16;
    assert_eq!(plan(&elf.write()).unwrap().interpreter.as_deref(), Some(&b"/lib/ld.so"[..]));
    // Only the first PT_INTERP counts.
    elf.phdrs.push(Phdr::other(PT_INTERP, PF_R, offset + 5, 0, 11));
    assert_eq!(plan(&elf.write()).unwrap().interpreter.as_deref(), Some(&b"/lib/ld.so"[..]));
}

#[test]
fn float_abi_is_recorded_not_enforced() {
    for (flags, abi) in
        [(0, FloatAbi::Soft), (2, FloatAbi::Single), (5, FloatAbi::Double), (7, FloatAbi::Quad)]
    {
        let mut elf = static_exec();
        elf.flags = flags;
        assert_eq!(plan(&elf.write()).unwrap().float_abi(), abi);
    }
}

/// Feeds `plan` a growing prefix the way a kernel would: start small and
/// read what `NeedBytes` asks for.
fn plan_by_prefix(file: &[u8], first_read: usize) -> (Result<elfload::LoadPlan, ElfError>, usize) {
    let mut have = first_read.min(file.len());
    let mut rounds = 0;
    loop {
        rounds += 1;
        match plan(&file[..have]) {
            Err(ElfError::NeedBytes(needed)) if (needed as usize) <= file.len() => {
                assert!(needed as usize > have, "NeedBytes must ask for more");
                have = needed as usize;
            }
            other => return (other, rounds),
        }
    }
}

#[test]
fn prefix_protocol() {
    let mut elf = dynamic_pie();
    // Move the interpreter path far away, beyond a first 4 KiB read.
    let far = 0x1_0000u64;
    elf.blobs[0].0 = far;
    elf.phdrs[1].offset = far;
    let file = elf.write();
    assert_eq!(plan(&file[..10]), Err(ElfError::NeedBytes(64)));
    assert_eq!(plan(&file[..64]), Err(ElfError::NeedBytes(64 + 5 * 56)));
    assert_eq!(plan(&file[..4096]), Err(ElfError::NeedBytes(far + INTERP.len() as u64 + 1)));
    let expected = plan_from(&file[..]).unwrap();
    assert_eq!(expected.interpreter.as_deref(), Some(INTERP));
    assert_eq!(plan_by_prefix(&file, 0), (Ok(expected.clone()), 4));
    assert_eq!(plan_by_prefix(&file, 4096), (Ok(expected), 2));
}

/// A file that hands out at most `chunk` bytes per read and fails reads
/// past `fail_after`.
struct Dribble<'a> {
    data: &'a [u8],
    chunk: usize,
    fail_after: u64,
    reads: Cell<usize>,
}

impl ReadAt for Dribble<'_> {
    type Error = &'static str;
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.reads.set(self.reads.get() + 1);
        if offset >= self.fail_after {
            return Err("disk on fire");
        }
        let limited = buf.len().min(self.chunk);
        self.data.read_at(offset, &mut buf[..limited]).map_err(|never| match never {})
    }
}

#[test]
fn reader_short_reads_and_errors() {
    let file = dynamic_pie().write();
    let expected = plan(&file).unwrap();
    let dribble = Dribble { data: &file, chunk: 7, fail_after: u64::MAX, reads: Cell::new(0) };
    assert_eq!(plan_from(&dribble), Ok(expected));
    assert!(dribble.reads.get() > 10);
    // The interpreter path comes after the table: a failing read there is
    // reported as the reader's error, not as a parse result.
    let failing = Dribble { data: &file, chunk: 4096, fail_after: 64 + 5 * 56, reads: Cell::new(0) };
    assert_eq!(plan_from(&failing), Err(ReadError::Read("disk on fire")));
    // A file that ends early is Truncated (EIO), or NotElf inside the header.
    assert_eq!(plan_from(&file[..200]), Err(ReadError::Elf(ElfError::Truncated)));
    assert_eq!(plan_from(&file[..40]), Err(ReadError::Elf(ElfError::NotElf)));
    assert_eq!(ElfError::Truncated.errno(), abi::Errno::EIO);
}
