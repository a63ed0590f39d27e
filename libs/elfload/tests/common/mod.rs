//! Shared by the integration tests: a small ELF64 writer that builds the
//! executables under test, the three usual shapes of executable, and
//! helpers to find host tools and scratch directories.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub const PT_LOAD: u32 = 1;
pub const PT_INTERP: u32 = 3;
pub const PT_PHDR: u32 = 6;
pub const PT_GNU_STACK: u32 = 0x6474_e551;
pub const PF_X: u32 = 1;
pub const PF_W: u32 = 2;
pub const PF_R: u32 = 4;
pub const ET_EXEC: u16 = 2;
pub const ET_DYN: u16 = 3;
pub const EM_RISCV: u16 = 243;
/// RVC + double-float ABI, what Debian's gcc writes.
pub const RISCV_FLAGS: u32 = 0x5;
pub const INTERP: &[u8] = b"/lib/ld-linux-riscv64-lp64d.so.1";

/// One program header.
#[derive(Clone, Copy, Debug)]
pub struct Phdr {
    pub kind: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
    pub align: u64,
}

impl Phdr {
    pub fn load(flags: u32, offset: u64, vaddr: u64, filesz: u64, memsz: u64) -> Self {
        Phdr { kind: PT_LOAD, flags, offset, vaddr, filesz, memsz, align: 0x1000 }
    }
    pub fn other(kind: u32, flags: u32, offset: u64, vaddr: u64, size: u64) -> Self {
        Phdr { kind, flags, offset, vaddr, filesz: size, memsz: size, align: 8 }
    }
}

/// An ELF64 file to write: header fields, program headers at `phoff`, and
/// raw bytes placed at file offsets.
#[derive(Clone, Debug)]
pub struct ElfFile {
    pub class: u8,
    pub data: u8,
    pub kind: u16,
    pub machine: u16,
    pub entry: u64,
    pub phoff: u64,
    pub flags: u32,
    pub phentsize: u16,
    /// Written as `e_phnum` instead of `phdrs.len()` when set.
    pub phnum: Option<u16>,
    pub phdrs: Vec<Phdr>,
    pub blobs: Vec<(u64, Vec<u8>)>,
    /// The file is at least this long (zero-padded).
    pub min_len: u64,
}

impl ElfFile {
    pub fn new(kind: u16) -> Self {
        ElfFile {
            class: 2,
            data: 1,
            kind,
            machine: EM_RISCV,
            entry: 0,
            phoff: 64,
            flags: RISCV_FLAGS,
            phentsize: 56,
            phnum: None,
            phdrs: Vec::new(),
            blobs: Vec::new(),
            min_len: 0,
        }
    }

    /// The file offset just past the program header table.
    pub fn table_end(&self) -> u64 {
        self.phoff + 56 * self.phdrs.len() as u64
    }

    pub fn write(&self) -> Vec<u8> {
        let mut header = Vec::with_capacity(64);
        header.extend_from_slice(b"\x7fELF");
        header.extend_from_slice(&[self.class, self.data, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        header.extend_from_slice(&self.kind.to_le_bytes());
        header.extend_from_slice(&self.machine.to_le_bytes());
        header.extend_from_slice(&1u32.to_le_bytes());
        header.extend_from_slice(&self.entry.to_le_bytes());
        header.extend_from_slice(&self.phoff.to_le_bytes());
        header.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
        header.extend_from_slice(&self.flags.to_le_bytes());
        header.extend_from_slice(&64u16.to_le_bytes());
        header.extend_from_slice(&self.phentsize.to_le_bytes());
        let phnum = self.phnum.unwrap_or(self.phdrs.len() as u16);
        header.extend_from_slice(&phnum.to_le_bytes());
        header.extend_from_slice(&[64, 0, 0, 0, 0, 0]); // shentsize, shnum, shstrndx
        assert_eq!(header.len(), 64);
        let mut table = Vec::new();
        for phdr in &self.phdrs {
            table.extend_from_slice(&phdr.kind.to_le_bytes());
            table.extend_from_slice(&phdr.flags.to_le_bytes());
            for field in [phdr.offset, phdr.vaddr, phdr.vaddr, phdr.filesz, phdr.memsz, phdr.align] {
                table.extend_from_slice(&field.to_le_bytes());
            }
        }
        let mut file = vec![0u8; self.min_len as usize];
        place(&mut file, 0, &header);
        place(&mut file, self.phoff, &table);
        for (offset, bytes) in &self.blobs {
            place(&mut file, *offset, bytes);
        }
        file
    }
}

fn place(file: &mut Vec<u8>, offset: u64, bytes: &[u8]) {
    let start = offset as usize;
    if file.len() < start + bytes.len() {
        file.resize(start + bytes.len(), 0);
    }
    file[start..start + bytes.len()].copy_from_slice(bytes);
}

/// A static executable like `gcc -static -no-pie` makes: text at 0x10000
/// holding the headers, data with bss, and a non-executable stack.
pub fn static_exec() -> ElfFile {
    let mut elf = ElfFile::new(ET_EXEC);
    elf.entry = 0x10100;
    elf.phdrs = vec![
        Phdr::load(PF_R | PF_X, 0, 0x10000, 0x1234, 0x1234),
        Phdr::load(PF_R | PF_W, 0x1e10, 0x12e10, 0x200, 0x3000),
        Phdr::other(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0),
    ];
    elf.min_len = 0x2010;
    elf
}

/// A static PIE: the same at addresses from 0, ET_DYN, no interpreter.
pub fn static_pie() -> ElfFile {
    let mut elf = static_exec();
    elf.kind = ET_DYN;
    elf.entry = 0x100;
    for phdr in &mut elf.phdrs {
        if phdr.kind == PT_LOAD {
            phdr.vaddr -= 0x10000;
        }
    }
    elf
}

/// A dynamically linked PIE: PT_PHDR, PT_INTERP right after the table, loads.
pub fn dynamic_pie() -> ElfFile {
    let mut elf = static_pie();
    let table_size = 56 * 5;
    let interp_offset = 64 + table_size;
    let mut interp = INTERP.to_vec();
    interp.push(0);
    let interp_len = interp.len() as u64;
    elf.phdrs.insert(0, Phdr::other(PT_PHDR, PF_R, 64, 64, table_size));
    elf.phdrs.insert(1, Phdr::other(PT_INTERP, PF_R, interp_offset, interp_offset, interp_len));
    elf.blobs.push((interp_offset, interp));
    elf
}

/// A program on the host, if installed.
pub fn tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| candidate.is_file())
}

/// A fresh scratch directory for one test.
pub fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("elfload-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating a scratch directory");
    dir
}

/// Compiles C `source` with `compiler` and `flags` into `dir/name`;
/// `None` (with the compiler's complaint printed) if it fails.
pub fn compile(compiler: &Path, dir: &Path, name: &str, source: &str, flags: &[&str]) -> Option<PathBuf> {
    let source_path = dir.join(format!("{name}.c"));
    std::fs::write(&source_path, source).ok()?;
    let output_path = dir.join(name);
    let output = std::process::Command::new(compiler)
        .args(flags)
        .arg("-o")
        .arg(&output_path)
        .arg(&source_path)
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "note: {} {flags:?} failed: {}",
            compiler.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    Some(output_path)
}

/// The host oracle (tests/common/dump.c) compiled into `dir`, or `None`
/// (with a note) when there is no C compiler or this is not Linux.
pub fn host_dumper(dir: &Path) -> Option<PathBuf> {
    if !cfg!(target_os = "linux") {
        eprintln!("note: not on Linux: skipping the host-kernel comparison");
        return None;
    }
    let Some(compiler) = tool("cc") else {
        eprintln!("note: no cc on the host: skipping the host-kernel comparison");
        return None;
    };
    compile(&compiler, dir, "dump", include_str!("dump.c"), &["-O1"])
}
