//! Reading and checking an executable's ELF header, program header table and
//! PT_INTERP path into a [`LoadPlan`], with the checks of Linux's
//! `load_elf_binary`, `load_elf_phdrs` and `elf_map`.
//!
//! The on-disk structures and constants come from the `object` crate (its
//! `read_core` + `elf` parts, no_std): it is what the Rust toolchain itself
//! uses to read ELF, the xtask already depends on it, and its
//! `pod::from_bytes` views return an error on a short buffer instead of
//! panicking. xmas-elf was the other candidate; it reads structures through
//! the `zero` crate, which asserts on lengths, so a malformed file could
//! panic the kernel. Only the plain structure views are used here: every
//! offset, count and size is checked in this file.

use crate::load_plan::maximum_alignment;
use crate::{
    page_end, page_offset, page_start, ElfError, ElfKind, LoadPlan, Prot, Segment, PAGE_SIZE, TASK_SIZE,
};
use alloc::vec::Vec;
use core::mem::size_of;
use object::elf::{self, FileHeader64, ProgramHeader64};
use object::{pod, LittleEndian as LE};

/// `sizeof(Elf64_Ehdr)`.
const HEADER_SIZE: usize = size_of::<FileHeader64<LE>>();
/// `sizeof(Elf64_Phdr)`: the only `e_phentsize` Linux accepts.
const PROGRAM_HEADER_SIZE: usize = size_of::<ProgramHeader64<LE>>();
/// Linux reads at most one page of program headers (`load_elf_phdrs`:
/// `size > ELF_MIN_ALIGN` fails), so at most 73 entries.
const MAX_PROGRAM_HEADER_TABLE: usize = PAGE_SIZE as usize;
/// PATH_MAX: the longest PT_INTERP Linux reads, NUL included.
const PATH_MAX: u64 = 4096;

/// A file that can be read at an offset, like `kernel_read`.
pub trait ReadAt {
    type Error;
    /// Reads up to `buf.len()` bytes at `offset` into `buf`; returns how
    /// many, 0 at the end of the file.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, Self::Error>;
}

/// A whole file held in memory.
impl ReadAt for [u8] {
    type Error = core::convert::Infallible;
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(self.len());
        let available = &self[start..];
        let count = available.len().min(buf.len());
        buf[..count].copy_from_slice(&available[..count]);
        Ok(count)
    }
}

/// Why [`plan_from`] failed: the file is not a loadable executable, or
/// reading it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadError<E> {
    Elf(ElfError),
    Read(E),
}

impl<E> From<ElfError> for ReadError<E> {
    fn from(error: ElfError) -> Self {
        ReadError::Elf(error)
    }
}

/// Plans the loading of an executable from the first bytes of its file.
///
/// Returns [`ElfError::NeedBytes`] when the program header table or the
/// interpreter path lies beyond `file_prefix`: read that many bytes from
/// the start of the file and call again (reading the first 4 KiB covers
/// every ordinary executable). When the prefix is already the whole file,
/// use [`plan_from`] instead, which reports a short file as such.
pub fn plan(file_prefix: &[u8]) -> Result<LoadPlan, ElfError> {
    plan_source(&mut Prefix(file_prefix))
}

/// Plans the loading of an executable, reading exactly the headers it
/// needs from `file`.
pub fn plan_from<R: ReadAt + ?Sized>(file: &R) -> Result<LoadPlan, ReadError<R::Error>> {
    let mut source = Reader { file, error: None };
    let result = plan_source(&mut source);
    match source.error {
        Some(error) => Err(ReadError::Read(error)),
        None => result.map_err(ReadError::Elf),
    }
}

/// Where the parser gets `len` bytes at `offset` of the file.
trait Source {
    fn fetch(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, ElfError>;
}

struct Prefix<'a>(&'a [u8]);

impl Source for Prefix<'_> {
    fn fetch(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, ElfError> {
        let end = offset.checked_add(len as u64).ok_or(ElfError::Truncated)?;
        let range = usize::try_from(offset).ok().zip(usize::try_from(end).ok());
        match range.and_then(|(start, end)| self.0.get(start..end)) {
            Some(bytes) => Ok(bytes.to_vec()),
            None => Err(ElfError::NeedBytes(end)),
        }
    }
}

struct Reader<'a, R: ReadAt + ?Sized> {
    file: &'a R,
    /// The first read error, which [`plan_from`] reports instead of the
    /// parse result.
    error: Option<R::Error>,
}

impl<R: ReadAt + ?Sized> Source for Reader<'_, R> {
    fn fetch(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, ElfError> {
        offset.checked_add(len as u64).ok_or(ElfError::Truncated)?;
        let mut bytes = alloc::vec![0; len];
        let mut done = 0;
        while done < len {
            match self.file.read_at(offset + done as u64, &mut bytes[done..]) {
                Ok(0) => return Err(ElfError::Truncated),
                Ok(count) => done += count.min(len - done),
                Err(error) => {
                    self.error = Some(error);
                    return Err(ElfError::Truncated);
                }
            }
        }
        Ok(bytes)
    }
}

fn plan_source(source: &mut impl Source) -> Result<LoadPlan, ElfError> {
    let header_bytes = match source.fetch(0, HEADER_SIZE) {
        // Linux reads the first 256 bytes zero-padded, so a file shorter
        // than a header fails its checks with ENOEXEC.
        Err(ElfError::Truncated) => return Err(ElfError::NotElf),
        other => other?,
    };
    let (header, _) = pod::from_bytes::<FileHeader64<LE>>(&header_bytes).map_err(|()| ElfError::NotElf)?;
    check_identity(header)?;
    let kind = match header.e_type.get(LE) {
        elf::ET_EXEC => ElfKind::Exec,
        elf::ET_DYN => ElfKind::Dyn,
        _ => return Err(ElfError::WrongType),
    };
    if header.e_machine.get(LE) != elf::EM_RISCV {
        return Err(ElfError::WrongMachine);
    }
    let phent = header.e_phentsize.get(LE);
    let phnum = header.e_phnum.get(LE);
    let table_size = usize::from(phnum) * PROGRAM_HEADER_SIZE;
    if usize::from(phent) != PROGRAM_HEADER_SIZE || table_size == 0 || table_size > MAX_PROGRAM_HEADER_TABLE {
        return Err(ElfError::BadProgramHeaderTable);
    }
    let phoff = header.e_phoff.get(LE);
    let table_bytes = source.fetch(phoff, table_size)?;
    let (table, _) = pod::slice_from_bytes::<ProgramHeader64<LE>>(&table_bytes, usize::from(phnum))
        .map_err(|()| ElfError::Truncated)?;

    let mut segments: Vec<Segment> = Vec::new();
    let mut interpreter_at = None;
    let mut pt_phdr = None;
    let mut phdr_from_load = None;
    let mut stack_exec = false;
    for (index, entry) in table.iter().enumerate() {
        let flags = entry.p_flags.get(LE);
        match entry.p_type.get(LE) {
            elf::PT_LOAD => {
                let segment = check_load(index, entry)?;
                // Linux points AT_PHDR into the (last) segment whose file
                // bytes hold the table (`load_elf_binary`).
                if segment.file_range().contains(&phoff) {
                    phdr_from_load = Some(segment.vaddr + (phoff - segment.file_offset));
                }
                if segment.memsz == 0 {
                    continue;
                }
                if let Some(previous) = segments.last() {
                    if segment.vaddr < previous.vaddr + previous.memsz {
                        return Err(ElfError::Overlap { index });
                    }
                }
                segments.push(segment);
            }
            elf::PT_INTERP if interpreter_at.is_none() => {
                interpreter_at = Some((entry.p_offset.get(LE), entry.p_filesz.get(LE)));
            }
            elf::PT_PHDR => pt_phdr = Some(entry.p_vaddr.get(LE)),
            elf::PT_GNU_STACK => stack_exec = flags & elf::PF_X != 0,
            _ => {}
        }
    }
    let (first, last) = match (segments.first(), segments.last()) {
        (Some(first), Some(last)) => (first, last),
        _ => return Err(ElfError::NoLoadSegment),
    };
    let min_vaddr = page_start(first.vaddr);
    // Checked below TASK_SIZE, so rounding up cannot overflow.
    let max_vaddr =
        page_end(last.vaddr + last.memsz).ok_or(ElfError::OutOfRange { index: segments.len() - 1 })?;
    let entry = header.e_entry.get(LE);
    if kind == ElfKind::Exec && entry >= TASK_SIZE {
        return Err(ElfError::BadEntry);
    }
    let interpreter = match interpreter_at {
        Some((offset, size)) => Some(read_interpreter(source, offset, size)?),
        None => None,
    };
    let max_align = maximum_alignment(
        table.iter().filter(|entry| entry.p_type.get(LE) == elf::PT_LOAD).map(|entry| entry.p_align.get(LE)),
    );
    Ok(LoadPlan {
        kind,
        entry,
        segments,
        interpreter,
        phdr_vaddr: phdr_from_load.or(pt_phdr),
        phnum,
        phent,
        stack_exec,
        min_vaddr,
        max_vaddr,
        max_align,
        flags: header.e_flags.get(LE),
    })
}

/// The `e_ident` checks: magic, 64-bit class, little endian. (Linux checks
/// the magic and, through `elf_check_arch`, the class; a big-endian file
/// fails its machine check.)
fn check_identity(header: &FileHeader64<LE>) -> Result<(), ElfError> {
    let ident = &header.e_ident;
    if ident.magic != elf::ELFMAG {
        return Err(ElfError::NotElf);
    }
    if ident.class != elf::ELFCLASS64 {
        return Err(ElfError::WrongClass);
    }
    if ident.data != elf::ELFDATA2LSB {
        return Err(ElfError::WrongEndian);
    }
    Ok(())
}

/// The checks `load_elf_binary` and `elf_map` make of one PT_LOAD.
fn check_load(index: usize, entry: &ProgramHeader64<LE>) -> Result<Segment, ElfError> {
    let vaddr = entry.p_vaddr.get(LE);
    let memsz = entry.p_memsz.get(LE);
    let file_offset = entry.p_offset.get(LE);
    let filesz = entry.p_filesz.get(LE);
    if filesz > memsz {
        return Err(ElfError::FileSizeExceedsMemSize { index });
    }
    if vaddr >= TASK_SIZE || memsz > TASK_SIZE - vaddr || file_offset.checked_add(filesz).is_none() {
        return Err(ElfError::OutOfRange { index });
    }
    // mmap needs a page-aligned file offset for the page holding `vaddr`;
    // a segment without file bytes is mapped anonymously and needs none.
    if filesz > 0 && page_offset(file_offset) != page_offset(vaddr) {
        return Err(ElfError::Misaligned { index });
    }
    let flags = entry.p_flags.get(LE);
    let prot =
        Prot { read: flags & elf::PF_R != 0, write: flags & elf::PF_W != 0, execute: flags & elf::PF_X != 0 };
    Ok(Segment { vaddr, memsz, file_offset, filesz, prot })
}

/// Reads the PT_INTERP path: 2 to PATH_MAX bytes ending in NUL; the path is
/// the C string before the first NUL.
fn read_interpreter(source: &mut impl Source, offset: u64, size: u64) -> Result<Vec<u8>, ElfError> {
    if !(2..=PATH_MAX).contains(&size) {
        return Err(ElfError::BadInterpreter);
    }
    // At most PATH_MAX: fits in usize.
    let mut bytes = source.fetch(offset, size as usize)?;
    if bytes.last() != Some(&0) {
        return Err(ElfError::BadInterpreter);
    }
    let length = bytes.iter().position(|&byte| byte == 0).unwrap_or(bytes.len());
    bytes.truncate(length);
    Ok(bytes)
}
