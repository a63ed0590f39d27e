//! Lays the vDSO out as an ELF64 shared object (System V gABI, "Object
//! Files" and "Dynamic Linking"; the GNU symbol versioning extension), the
//! way a dynamic linker or Go's runtime reads Linux's: one PT_LOAD of the
//! whole image at virtual address 0 (so file offset = address), a
//! PT_DYNAMIC pointing at DT_HASH, DT_SYMTAB, DT_STRTAB, DT_VERSYM and
//! DT_VERDEF, and every function versioned LINUX_4.15. Section headers
//! are included too, so readelf and objdump show the usual sections.
//!
//! Order in the file: ELF header, program headers, .hash, .dynsym,
//! .dynstr, .gnu.version, .gnu.version_d, .dynamic, .text, .shstrtab,
//! section headers.

use crate::functions::{self, Function};
use alloc::vec::Vec;

/// The shared object's name (DT_SONAME), as Linux's.
pub const SONAME: &str = "linux-vdso.so.1";
/// The version every symbol carries, as on Linux riscv64.
pub const VERSION: &str = "LINUX_4.15";

const EM_RISCV: u16 = 243;
const ET_DYN: u16 = 3;
/// EF_RISCV_FLOAT_ABI_DOUBLE: the lp64d ABI of Debian's riscv64.
const EF_RISCV_FLOAT_ABI_DOUBLE: u32 = 4;
const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PF_X: u32 = 1;
const PF_R: u32 = 4;
const SHT_PROGBITS: u32 = 1;
const SHT_STRTAB: u32 = 3;
const SHT_HASH: u32 = 5;
const SHT_DYNAMIC: u32 = 6;
const SHT_DYNSYM: u32 = 11;
const SHT_GNU_VERDEF: u32 = 0x6fff_fffd;
const SHT_GNU_VERSYM: u32 = 0x6fff_ffff;
const SHF_ALLOC: u64 = 2;
const SHF_EXECINSTR: u64 = 4;
const DT_NULL: u64 = 0;
const DT_HASH: u64 = 4;
const DT_STRTAB: u64 = 5;
const DT_SYMTAB: u64 = 6;
const DT_STRSZ: u64 = 10;
const DT_SYMENT: u64 = 11;
const DT_SONAME: u64 = 14;
const DT_VERSYM: u64 = 0x6fff_fff0;
const DT_VERDEF: u64 = 0x6fff_fffc;
const DT_VERDEFNUM: u64 = 0x6fff_fffd;
const STB_GLOBAL: u8 = 1;
const STT_FUNC: u8 = 2;
const VER_FLG_BASE: u16 = 1;
/// The version index of LINUX_4.15 (1 is the object itself).
const VERSION_INDEX: u16 = 2;
const HEADER_SIZE: usize = 64;
const PROGRAM_HEADER_SIZE: usize = 56;
const SECTION_HEADER_SIZE: usize = 64;
const SYMBOL_SIZE: usize = 24;
const VERDEF_SIZE: usize = 20;
const VERDAUX_SIZE: usize = 8;

/// The System V ELF hash (gABI "Hash Table"), used by DT_HASH and by the
/// version definitions.
pub fn elf_hash(name: &[u8]) -> u32 {
    let mut hash: u32 = 0;
    for &byte in name {
        hash = (hash << 4).wrapping_add(u32::from(byte));
        let high = hash & 0xf000_0000;
        if high != 0 {
            hash ^= high >> 24;
        }
        hash &= !high;
    }
    hash
}

/// A growing little-endian byte buffer.
#[derive(Default)]
struct Buffer(Vec<u8>);

impl Buffer {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn align(&mut self, alignment: usize) {
        while !self.0.len().is_multiple_of(alignment) {
            self.0.push(0);
        }
    }
    fn u8(&mut self, value: u8) {
        self.0.push(value);
    }
    fn u16(&mut self, value: u16) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }
    fn u32(&mut self, value: u32) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }
    fn u64(&mut self, value: u64) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }
    fn usize(&mut self, value: usize) {
        self.u64(value as u64);
    }
    fn bytes(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

/// A string table under construction: offsets of what was added.
struct StringTable(Vec<u8>);

impl StringTable {
    fn new() -> StringTable {
        StringTable(alloc::vec![0])
    }
    fn add(&mut self, text: &str) -> u32 {
        let offset = self.0.len() as u32;
        self.0.extend_from_slice(text.as_bytes());
        self.0.push(0);
        offset
    }
}

/// Where each part of the image goes: (offset, size) in bytes.
#[derive(Clone, Copy, Default)]
struct Part {
    offset: usize,
    size: usize,
}

/// One section header's fields beyond its part of the file.
struct Section {
    name: u32,
    kind: u32,
    flags: u64,
    part: Part,
    link: u32,
    info: u32,
    alignment: u64,
    entry_size: u64,
}

/// The section indexes (index 0 is the null section).
const DYNSYM_SECTION: u32 = 2;
const DYNSTR_SECTION: u32 = 3;
const TEXT_SECTION: u16 = 7;

/// The finished image and where its functions are.
pub struct Built {
    pub bytes: Vec<u8>,
    pub functions: Vec<Function>,
}

/// Builds the image for a data page `data_page_offset` bytes from the
/// image start (negative: below it).
pub fn build(data_page_offset: isize) -> Built {
    // A first assembly only to learn the functions' names.
    let names: Vec<&str> = functions::assemble(0, 0).1.iter().map(|f| f.name).collect();
    let symbol_count = names.len() + 1;
    let mut strings = StringTable::new();
    let soname = strings.add(SONAME);
    let version = strings.add(VERSION);
    let symbol_names: Vec<u32> = names.iter().map(|name| strings.add(name)).collect();

    // Sizes first: the code's place follows from them.
    let bucket_count = symbol_count.div_ceil(2);
    let layout = |offset: &mut usize, alignment: usize, size: usize| {
        *offset = offset.div_ceil(alignment) * alignment;
        let part = Part { offset: *offset, size };
        *offset += size;
        part
    };
    let dynamic_tags = 10;
    let mut cursor = HEADER_SIZE + 2 * PROGRAM_HEADER_SIZE;
    let hash = layout(&mut cursor, 8, (2 + bucket_count + symbol_count) * 4);
    let dynsym = layout(&mut cursor, 8, symbol_count * SYMBOL_SIZE);
    let dynstr = layout(&mut cursor, 1, strings.0.len());
    let versym = layout(&mut cursor, 2, symbol_count * 2);
    let verdef = layout(&mut cursor, 4, 2 * (VERDEF_SIZE + VERDAUX_SIZE));
    let dynamic = layout(&mut cursor, 8, dynamic_tags * 16);
    let text_offset = cursor.div_ceil(16) * 16;
    let (words, functions) = functions::assemble(text_offset, data_page_offset);
    let text = layout(&mut cursor, 16, words.len() * 4);

    let mut section_names = StringTable::new();
    let mut sections = Vec::new();
    let mut section = |name: &str, kind, flags, part, link, info, alignment, entry_size| {
        sections.push(Section {
            name: section_names.add(name),
            kind,
            flags,
            part,
            link,
            info,
            alignment,
            entry_size,
        });
    };
    section(".hash", SHT_HASH, SHF_ALLOC, hash, DYNSYM_SECTION, 0, 8, 4);
    section(".dynsym", SHT_DYNSYM, SHF_ALLOC, dynsym, DYNSTR_SECTION, 1, 8, SYMBOL_SIZE as u64);
    section(".dynstr", SHT_STRTAB, SHF_ALLOC, dynstr, 0, 0, 1, 0);
    section(".gnu.version", SHT_GNU_VERSYM, SHF_ALLOC, versym, DYNSYM_SECTION, 0, 2, 2);
    section(".gnu.version_d", SHT_GNU_VERDEF, SHF_ALLOC, verdef, DYNSTR_SECTION, 2, 4, 0);
    section(".dynamic", SHT_DYNAMIC, SHF_ALLOC, dynamic, DYNSTR_SECTION, 0, 8, 16);
    section(".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, text, 0, 0, 16, 0);
    let shstrtab_name = section_names.add(".shstrtab");
    let shstrtab = layout(&mut cursor, 1, section_names.0.len());
    sections.push(Section {
        name: shstrtab_name,
        kind: SHT_STRTAB,
        flags: 0,
        part: shstrtab,
        link: 0,
        info: 0,
        alignment: 1,
        entry_size: 0,
    });
    let section_headers = layout(&mut cursor, 8, (sections.len() + 1) * SECTION_HEADER_SIZE);

    let mut out = Buffer::default();
    // ELF header.
    out.bytes(b"\x7fELF");
    out.bytes(&[2, 1, 1, 0]); // ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_NONE
    out.bytes(&[0; 8]);
    out.u16(ET_DYN);
    out.u16(EM_RISCV);
    out.u32(1); // e_version
    out.u64(0); // e_entry
    out.usize(HEADER_SIZE); // e_phoff
    out.usize(section_headers.offset);
    out.u32(EF_RISCV_FLOAT_ABI_DOUBLE);
    out.u16(HEADER_SIZE as u16);
    out.u16(PROGRAM_HEADER_SIZE as u16);
    out.u16(2);
    out.u16(SECTION_HEADER_SIZE as u16);
    out.u16(sections.len() as u16 + 1);
    out.u16(sections.len() as u16); // .shstrtab is the last
                                    // Program headers: everything in one read-execute segment.
    let image_size = section_headers.offset + section_headers.size;
    for (kind, flags, part, alignment) in
        [(PT_LOAD, PF_R | PF_X, Part { offset: 0, size: image_size }, 4096), (PT_DYNAMIC, PF_R, dynamic, 8)]
    {
        out.u32(kind);
        out.u32(flags);
        out.usize(part.offset); // p_offset
        out.usize(part.offset); // p_vaddr
        out.usize(part.offset); // p_paddr
        out.usize(part.size); // p_filesz
        out.usize(part.size); // p_memsz
        out.u64(alignment);
    }
    // .hash: buckets and chains over the symbol indexes.
    out.align(8);
    debug_assert_eq!(out.len(), hash.offset);
    let mut buckets = alloc::vec![0u32; bucket_count];
    let mut chains = alloc::vec![0u32; symbol_count];
    for (index, name) in names.iter().enumerate() {
        let symbol = index as u32 + 1;
        let bucket = elf_hash(name.as_bytes()) as usize % bucket_count;
        // Append to the bucket's chain (order within a chain is free).
        chains[symbol as usize] = buckets[bucket];
        buckets[bucket] = symbol;
    }
    out.u32(bucket_count as u32);
    out.u32(symbol_count as u32);
    buckets.iter().chain(&chains).for_each(|&word| out.u32(word));
    // .dynsym: the null symbol, then each function.
    out.align(8);
    out.bytes(&[0; SYMBOL_SIZE]);
    for (function, &name) in functions.iter().zip(&symbol_names) {
        out.u32(name);
        out.u8(STB_GLOBAL << 4 | STT_FUNC);
        out.u8(0); // STV_DEFAULT
        out.u16(TEXT_SECTION);
        out.usize(function.offset);
        out.usize(function.size);
    }
    out.bytes(&strings.0);
    // .gnu.version: local for the null symbol, LINUX_4.15 for the rest.
    out.align(2);
    out.u16(0);
    (1..symbol_count).for_each(|_| out.u16(VERSION_INDEX));
    // .gnu.version_d: the object itself (base), then LINUX_4.15.
    out.align(4);
    debug_assert_eq!(out.len(), verdef.offset);
    for (flags, index, name, text, is_last) in
        [(VER_FLG_BASE, 1, soname, SONAME, false), (0, VERSION_INDEX, version, VERSION, true)]
    {
        out.u16(1); // vd_version
        out.u16(flags);
        out.u16(index);
        out.u16(1); // vd_cnt
        out.u32(elf_hash(text.as_bytes()));
        out.u32(VERDEF_SIZE as u32); // vd_aux
        out.u32(if is_last { 0 } else { (VERDEF_SIZE + VERDAUX_SIZE) as u32 });
        out.u32(name); // vda_name
        out.u32(0); // vda_next
    }
    // .dynamic
    out.align(8);
    debug_assert_eq!(out.len(), dynamic.offset);
    let tags = [
        (DT_SONAME, u64::from(soname)),
        (DT_HASH, hash.offset as u64),
        (DT_STRTAB, dynstr.offset as u64),
        (DT_SYMTAB, dynsym.offset as u64),
        (DT_STRSZ, dynstr.size as u64),
        (DT_SYMENT, SYMBOL_SIZE as u64),
        (DT_VERSYM, versym.offset as u64),
        (DT_VERDEF, verdef.offset as u64),
        (DT_VERDEFNUM, 2),
        (DT_NULL, 0),
    ];
    debug_assert_eq!(tags.len(), dynamic_tags);
    for (tag, value) in tags {
        out.u64(tag);
        out.u64(value);
    }
    out.align(16);
    debug_assert_eq!(out.len(), text.offset);
    words.iter().for_each(|&word| out.u32(word));
    out.bytes(&section_names.0);
    out.align(8);
    debug_assert_eq!(out.len(), section_headers.offset);
    out.bytes(&[0; SECTION_HEADER_SIZE]);
    for section in &sections {
        out.u32(section.name);
        out.u32(section.kind);
        out.u64(section.flags);
        let is_loaded = section.flags & SHF_ALLOC != 0;
        out.usize(if is_loaded { section.part.offset } else { 0 }); // sh_addr
        out.usize(section.part.offset);
        out.usize(section.part.size);
        out.u32(section.link);
        out.u32(section.info);
        out.u64(section.alignment);
        out.u64(section.entry_size);
    }
    debug_assert_eq!(out.len(), image_size);
    Built { bytes: out.0, functions }
}
