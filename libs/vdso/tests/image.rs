//! The vDSO image read back two ways: with the `object` crate (sections,
//! dynamic symbols, as a general ELF reader sees it) and by walking the
//! dynamic segment, its hash table and version tables the way glibc's
//! dl_vdso_vsym and Go's runtime/vdso_linux.go do.

use object::read::elf::{ElfFile64, FileHeader, ProgramHeader};
use object::{elf, Endianness, Object, ObjectSection, ObjectSymbol};

const EXPORTED: [&str; 7] = [
    "__vdso_rt_sigreturn",
    "__vdso_clock_gettime",
    "__vdso_gettimeofday",
    "__vdso_clock_getres",
    "__vdso_getcpu",
    "__vdso_flush_icache",
    "__vdso_riscv_hwprobe",
];

fn image() -> Vec<u8> {
    let bytes = vdso::build().bytes;
    // GOOSE_VDSO_DUMP=path writes the image out for readelf/objdump.
    if let Ok(path) = std::env::var("GOOSE_VDSO_DUMP") {
        std::fs::write(path, &bytes).unwrap();
    }
    bytes
}

fn u16_at(data: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(data[at..at + 2].try_into().unwrap())
}
fn u32_at(data: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(data[at..at + 4].try_into().unwrap())
}
fn u64_at(data: &[u8], at: usize) -> usize {
    u64::from_le_bytes(data[at..at + 8].try_into().unwrap()) as usize
}
fn c_string(data: &[u8], at: usize) -> &str {
    let end = data[at..].iter().position(|&b| b == 0).unwrap();
    std::str::from_utf8(&data[at..at + end]).unwrap()
}

#[test]
fn fits_in_one_page() {
    assert!(image().len() <= vdso::PAGE_SIZE, "{} bytes", image().len());
}

#[test]
fn an_elf_reader_sees_a_riscv_shared_object_with_the_functions() {
    let data = image();
    let file = ElfFile64::<Endianness>::parse(&*data).expect("parses as ELF64");
    let header = file.elf_header();
    assert_eq!(header.e_type(Endianness::Little), elf::ET_DYN);
    assert_eq!(header.e_machine(Endianness::Little), elf::EM_RISCV);
    let text = file.section_by_name(".text").expect(".text");
    for name in EXPORTED {
        let symbol =
            file.dynamic_symbols().find(|s| s.name() == Ok(name)).unwrap_or_else(|| panic!("{name}"));
        assert!(symbol.is_global() && symbol.is_definition(), "{name}");
        assert_eq!(symbol.kind(), object::SymbolKind::Text, "{name}");
        assert!(symbol.address() >= text.address(), "{name}");
        assert!(symbol.address() + symbol.size() <= text.address() + text.size(), "{name}");
        assert_eq!(symbol.address() % 4, 0);
    }
    // One loadable segment from offset 0, read and execute, covering it all.
    let segments = header.program_headers(Endianness::Little, &*data).unwrap();
    let load: Vec<_> = segments.iter().filter(|p| p.p_type(Endianness::Little) == elf::PT_LOAD).collect();
    assert_eq!(load.len(), 1);
    assert_eq!(load[0].p_offset(Endianness::Little), 0);
    assert_eq!(load[0].p_vaddr(Endianness::Little), 0);
    assert_eq!(load[0].p_flags(Endianness::Little), elf::PF_R | elf::PF_X);
    assert_eq!(load[0].p_filesz(Endianness::Little) as usize, data.len());
}

/// The dynamic tags, as (tag, value).
fn dynamic_tags(data: &[u8]) -> Vec<(u64, usize)> {
    let phoff = u64_at(data, 32);
    let phnum = u16_at(data, 56) as usize;
    let dynamic = (0..phnum)
        .map(|i| phoff + i * 56)
        .find(|&at| u32_at(data, at) == elf::PT_DYNAMIC)
        .expect("PT_DYNAMIC");
    let mut at = u64_at(data, dynamic + 8);
    let mut tags = Vec::new();
    loop {
        let tag = u64_at(data, at) as u64;
        if tag == 0 {
            return tags;
        }
        tags.push((tag, u64_at(data, at + 8)));
        at += 16;
    }
}

fn tag(tags: &[(u64, usize)], wanted: u32) -> usize {
    tags.iter()
        .find(|(t, _)| *t == u64::from(wanted))
        .map(|&(_, v)| v)
        .unwrap_or_else(|| panic!("tag {wanted:#x}"))
}

/// What a dynamic linker does: DT_HASH lookup, then the version check
/// through DT_VERSYM and DT_VERDEF. Returns the symbol's value.
fn look_up(data: &[u8], name: &str, version: &str) -> Option<usize> {
    let tags = dynamic_tags(data);
    let (hash, symtab, strtab) =
        (tag(&tags, elf::DT_HASH), tag(&tags, elf::DT_SYMTAB), tag(&tags, elf::DT_STRTAB));
    let (versym, verdef) = (tag(&tags, elf::DT_VERSYM), tag(&tags, elf::DT_VERDEF));
    assert_eq!(tag(&tags, elf::DT_SYMENT), 24);
    // The version index of `version` among the definitions (Go's
    // vdsoFindVersion: skip the base definition, compare hash and name).
    let mut version_index = None;
    let mut at = verdef;
    loop {
        assert_eq!(u16_at(data, at), 1, "vd_version");
        let flags = u16_at(data, at + 2);
        let aux = at + u32_at(data, at + 12) as usize;
        let definition_name = c_string(data, strtab + u32_at(data, aux) as usize);
        if flags & elf::VER_FLG_BASE == 0
            && u32_at(data, at + 8) == vdso::elf_hash(version.as_bytes())
            && definition_name == version
        {
            version_index = Some(u16_at(data, at + 4) & 0x7fff);
        }
        let next = u32_at(data, at + 16) as usize;
        if next == 0 {
            break;
        }
        at += next;
    }
    let version_index = version_index?;
    let bucket_count = u32_at(data, hash) as usize;
    let chains = hash + 8 + bucket_count * 4;
    let mut index =
        u32_at(data, hash + 8 + (vdso::elf_hash(name.as_bytes()) as usize % bucket_count) * 4) as usize;
    while index != 0 {
        let symbol = symtab + index * 24;
        let info = data[symbol + 4];
        let section = u16_at(data, symbol + 6);
        if c_string(data, strtab + u32_at(data, symbol) as usize) == name
            && info >> 4 == elf::STB_GLOBAL
            && info & 0xf == elf::STT_FUNC
            && section != elf::SHN_UNDEF
            && u16_at(data, versym + index * 2) & 0x7fff == version_index
        {
            return Some(u64_at(data, symbol + 8));
        }
        index = u32_at(data, chains + index * 4) as usize;
    }
    None
}

#[test]
fn the_dynamic_linker_path_finds_every_function_at_version_linux_4_15() {
    let data = image();
    let built = vdso::build();
    for name in EXPORTED {
        assert_eq!(look_up(&data, name, "LINUX_4.15"), built.symbol(name), "{name}");
        assert!(built.symbol(name).is_some(), "{name}");
    }
    assert_eq!(look_up(&data, "__vdso_time", "LINUX_4.15"), None);
    assert_eq!(look_up(&data, "__vdso_clock_gettime", "LINUX_2.6"), None);
}

#[test]
fn soname_and_version_hash_are_linuxs() {
    let data = image();
    let tags = dynamic_tags(&data);
    let soname = tag(&tags, elf::DT_SONAME);
    assert_eq!(c_string(&data, tag(&tags, elf::DT_STRTAB) + soname), "linux-vdso.so.1");
    // Go's runtime (vdso_linux_riscv64.go) hard-codes this hash.
    assert_eq!(vdso::elf_hash(b"LINUX_4.15"), 0xae77f75);
    assert_eq!(tag(&tags, elf::DT_VERDEFNUM), 2);
}

#[test]
fn sigreturn_is_li_a7_139_ecall() {
    let data = image();
    let built = vdso::build();
    let at = built.sigreturn_offset();
    assert_eq!(u32_at(&data, at), 0x08b00893);
    assert_eq!(u32_at(&data, at + 4), 0x00000073);
}

#[test]
fn every_pc_relative_address_is_the_data_page_below_the_image() {
    let data = image();
    let file = ElfFile64::<Endianness>::parse(&*data).unwrap();
    let text = file.section_by_name(".text").unwrap();
    let start = text.address() as usize;
    let words: Vec<u32> =
        text.data().unwrap().chunks(4).map(|w| u32::from_le_bytes(w.try_into().unwrap())).collect();
    let mut found = 0;
    for (index, pair) in words.windows(2).enumerate() {
        const AUIPC: u32 = 0x17;
        if pair[0] & 0x7f != AUIPC {
            continue;
        }
        let pc = (start + index * 4) as i64;
        let upper = i64::from((pair[0] & 0xffff_f000) as i32);
        let lower = i64::from((pair[1] as i32) >> 20);
        assert_eq!(pair[1] & 0x707f, 0x13, "auipc followed by addi");
        assert_eq!(pc + upper + lower, -(vdso::data_page::VVAR_SIZE as i64), "at {pc:#x}");
        found += 1;
    }
    assert_eq!(found, 3, "clock_gettime, gettimeofday and clock_getres read the data page");
}
