//! Malformed executables: every truncation, every header field gone wrong,
//! bad segments, and random mutations. All must be errors, never panics,
//! and whatever is accepted must satisfy the plan's invariants.

mod common;

use common::*;
use elfload::{plan, plan_from, ElfError, LoadPlan, ReadError, PAGE_SIZE, TASK_SIZE};
use proptest::prelude::*;

/// A change to a valid file and the error it must cause.
type Mutation<T> = (fn(&mut T), ElfError);

fn check(elf: &ElfFile) -> Result<LoadPlan, ElfError> {
    let file = elf.write();
    let by_prefix = plan(&file);
    let by_reader = plan_from(&file[..]).map_err(|error| match error {
        ReadError::Elf(error) => error,
        ReadError::Read(never) => match never {},
    });
    // A whole file as prefix and as reader agree, except that the prefix
    // asks for bytes the reader calls missing.
    match (&by_prefix, &by_reader) {
        (Err(ElfError::NeedBytes(_)), Err(ElfError::Truncated | ElfError::NotElf)) => {}
        _ => assert_eq!(by_prefix, by_reader),
    }
    if let Ok(plan) = &by_reader {
        check_invariants(plan);
    }
    by_reader
}

/// What every accepted plan promises.
fn check_invariants(plan: &LoadPlan) {
    assert!(!plan.segments.is_empty());
    assert_eq!(plan.min_vaddr % PAGE_SIZE, 0);
    assert_eq!(plan.max_vaddr % PAGE_SIZE, 0);
    assert!(plan.min_vaddr < plan.max_vaddr && plan.max_vaddr <= TASK_SIZE);
    assert!(plan.max_align.is_power_of_two() && plan.max_align >= PAGE_SIZE);
    let mut previous_end = 0;
    for segment in &plan.segments {
        assert!(segment.memsz > 0 && segment.filesz <= segment.memsz);
        assert!(segment.vaddr >= previous_end, "sorted and disjoint");
        previous_end = segment.vaddr + segment.memsz;
        assert!(previous_end <= TASK_SIZE);
        let range = segment.file_range();
        assert_eq!(range.end - range.start, segment.filesz);
        let pages = segment.pages(0);
        assert_eq!(pages.file_pages.start, segment.vaddr & !(PAGE_SIZE - 1));
        assert_eq!(pages.file_pages.end, pages.bss_pages.start);
        assert!(pages.file_pages.start <= pages.file_pages.end);
        assert!(pages.bss_pages.start <= pages.bss_pages.end);
        assert!(pages.bss_pages.end >= segment.vaddr + segment.memsz);
        assert!(pages.bss_pages.end - (segment.vaddr + segment.memsz) < PAGE_SIZE);
        assert!(pages.zero_fill.start <= pages.zero_fill.end && pages.zero_fill.end <= pages.file_pages.end);
        if segment.filesz > 0 {
            assert_eq!(pages.file_pages_offset % PAGE_SIZE, 0);
            assert_eq!(
                pages.file_pages_offset + (segment.vaddr - pages.file_pages.start),
                segment.file_offset
            );
        }
    }
    if let elfload::Placement::Bias(bias) = plan.placement() {
        let _ = plan.check_bias(bias);
    }
}

#[test]
fn every_truncation_of_every_shape() {
    for elf in [static_exec(), static_pie(), dynamic_pie()] {
        let file = elf.write();
        let needed = match &elf.blobs[..] {
            [(offset, interp), ..] => (*offset as usize + interp.len()).max(elf.table_end() as usize),
            [] => elf.table_end() as usize,
        };
        for length in 0..file.len() {
            let by_prefix = plan(&file[..length]);
            let by_reader = plan_from(&file[..length]);
            if length < needed {
                assert!(matches!(by_prefix, Err(ElfError::NeedBytes(n)) if n as usize > length));
                let expected = if length < 64 { ElfError::NotElf } else { ElfError::Truncated };
                assert_eq!(by_reader, Err(ReadError::Elf(expected)), "length {length}");
            } else {
                assert!(by_prefix.is_ok() && by_reader.is_ok(), "length {length}");
            }
        }
    }
}

#[test]
fn wrong_identity() {
    let cases: [Mutation<ElfFile>; 7] = [
        (|elf| elf.class = 1, ElfError::WrongClass),
        (|elf| elf.data = 2, ElfError::WrongEndian),
        (|elf| elf.machine = 62, ElfError::WrongMachine),
        (|elf| elf.machine = EM_RISCV.swap_bytes(), ElfError::WrongMachine),
        (|elf| elf.kind = 1, ElfError::WrongType),
        (|elf| elf.kind = 4, ElfError::WrongType),
        (|elf| elf.entry = TASK_SIZE, ElfError::BadEntry),
    ];
    for (mutate, expected) in cases {
        let mut elf = static_exec();
        mutate(&mut elf);
        assert_eq!(check(&elf), Err(expected));
    }
    let mut file = static_exec().write();
    file[1] = b'e';
    assert_eq!(plan(&file), Err(ElfError::NotElf));
    assert_eq!(plan(b"#!/bin/sh\n"), Err(ElfError::NeedBytes(64)));
    assert_eq!(plan_from(&b"#!/bin/sh\n"[..]), Err(ReadError::Elf(ElfError::NotElf)));
    assert_eq!(ElfError::NotElf.errno(), abi::Errno::ENOEXEC);
}

#[test]
fn bad_program_header_tables() {
    for (phentsize, phnum) in [(56, Some(0)), (32, None), (64, None), (56, Some(74)), (56, Some(0xffff))] {
        let mut elf = static_exec();
        elf.phentsize = phentsize;
        elf.phnum = phnum;
        assert_eq!(check(&elf), Err(ElfError::BadProgramHeaderTable), "{phentsize} {phnum:?}");
    }
    // 73 entries is one page: the most Linux reads.
    let mut elf = static_exec();
    elf.phdrs.resize(73, Phdr::other(0x7000_0000, 0, 0, 0, 0));
    assert!(check(&elf).is_ok());
    for phoff in [u64::MAX - 100, u64::MAX, 1 << 40] {
        let mut file = static_exec().write();
        file[32..40].copy_from_slice(&phoff.to_le_bytes());
        assert_eq!(plan_from(&file[..]), Err(ReadError::Elf(ElfError::Truncated)));
        assert!(plan(&file).is_err());
    }
    let mut elf = static_exec();
    elf.phdrs.retain(|phdr| phdr.kind != PT_LOAD);
    assert_eq!(check(&elf), Err(ElfError::NoLoadSegment));
    let mut elf = static_exec();
    elf.phdrs.iter_mut().for_each(|phdr| phdr.memsz = 0);
    elf.phdrs.iter_mut().for_each(|phdr| phdr.filesz = 0);
    assert_eq!(check(&elf), Err(ElfError::NoLoadSegment));
}

#[test]
fn bad_segments() {
    let cases: [Mutation<Phdr>; 8] = [
        (|data| data.offset += 8, ElfError::Misaligned { index: 1 }),
        (|data| data.filesz = data.memsz + 1, ElfError::FileSizeExceedsMemSize { index: 1 }),
        (|data| data.vaddr = TASK_SIZE, ElfError::OutOfRange { index: 1 }),
        (|data| data.memsz = TASK_SIZE - data.vaddr + 1, ElfError::OutOfRange { index: 1 }),
        (|data| data.memsz = u64::MAX, ElfError::OutOfRange { index: 1 }),
        (|data| (data.offset, data.filesz) = (u64::MAX - 0xff, 0x200), ElfError::OutOfRange { index: 1 }),
        (|data| data.vaddr = 0x10e10, ElfError::Overlap { index: 1 }),
        (|data| data.vaddr = 0x1e10, ElfError::Overlap { index: 1 }),
    ];
    for (mutate, expected) in cases {
        let mut elf = static_exec();
        mutate(&mut elf.phdrs[1]);
        assert_eq!(check(&elf), Err(expected));
        assert_ne!(expected.errno(), abi::Errno::E2BIG);
    }
    assert_eq!(ElfError::Misaligned { index: 0 }.errno(), abi::Errno::EINVAL);
}

#[test]
fn bad_interpreters() {
    let cases: [Mutation<ElfFile>; 5] = [
        (|elf| elf.phdrs[1].filesz = 1, ElfError::BadInterpreter),
        (|elf| elf.phdrs[1].filesz = 4097, ElfError::BadInterpreter),
        (|elf| elf.phdrs[1].filesz -= 1, ElfError::BadInterpreter),
        (|elf| elf.phdrs[1].filesz = u64::MAX, ElfError::BadInterpreter),
        (|elf| elf.phdrs[1].offset = 0x10_0000, ElfError::Truncated),
    ];
    for (mutate, expected) in cases {
        let mut elf = dynamic_pie();
        mutate(&mut elf);
        assert_eq!(check(&elf), Err(expected));
    }
    let mut elf = dynamic_pie();
    elf.phdrs[1].offset = u64::MAX - 10;
    assert_eq!(check(&elf), Err(ElfError::Truncated));
}

fn shapes() -> impl Strategy<Value = ElfFile> {
    prop_oneof![Just(static_exec()), Just(static_pie()), Just(dynamic_pie())]
}

/// Bytes a mutation writes: boundary values more often than noise.
fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![Just(0u8), Just(1), Just(0x7f), Just(0x80), Just(0xff), any::<u8>()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Overwrite bytes of the header, the program header table and the
    /// interpreter path with random values.
    #[test]
    fn mutated_headers_never_panic(
        elf in shapes(),
        mutations in prop::collection::vec((0usize..400, interesting_byte()), 1..8),
    ) {
        let mut file = elf.write();
        for (offset, byte) in mutations {
            let offset = offset % file.len();
            file[offset] = byte;
        }
        if let Ok(plan) = plan_from(&file[..]) {
            check_invariants(&plan);
        }
        for length in [16, 64, 100, 344, file.len()] {
            if let Ok(plan) = plan(&file[..length.min(file.len())]) {
                check_invariants(&plan);
            }
        }
    }

    /// Random program header fields, whole 64-bit values.
    #[test]
    fn random_segments_never_panic(
        fields in prop::collection::vec((any::<u32>(), any::<u64>(), any::<u64>(), any::<u64>(), any::<u64>()), 1..6),
        kind in prop_oneof![Just(ET_EXEC), Just(ET_DYN)],
    ) {
        let mut elf = ElfFile::new(kind);
        for (flags, offset, vaddr, filesz, memsz) in fields {
            let mut phdr = Phdr::load(flags, offset, vaddr, filesz, memsz);
            // Keep some segments small enough to be accepted.
            if flags % 2 == 0 {
                phdr = Phdr::load(flags, offset % 0x10000, vaddr % 0x100_0000, filesz % 0x3000, memsz % 0x5000);
            }
            elf.phdrs.push(phdr);
        }
        let _ = check(&elf);
    }
}
