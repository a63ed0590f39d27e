//! Why an executable, a script line or an argument list was refused, and
//! the errno Linux's execve returns for each reason.

use abi::Errno;
use core::fmt;

/// A reason `execve` fails. [`ElfError::errno`] gives Linux's error number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfError {
    /// The prefix given to [`crate::plan`] ends too early: call again with
    /// at least this many bytes from the start of the file. Not a verdict
    /// on the file; [`crate::plan_from`] never returns it.
    NeedBytes(u64),
    /// The file ended before a program header table or interpreter path it
    /// points at (Linux's short `kernel_read`: EIO).
    Truncated,
    /// No `\x7fELF` magic, or shorter than an ELF header.
    NotElf,
    /// Not ELFCLASS64.
    WrongClass,
    /// Not little endian (ELFDATA2LSB).
    WrongEndian,
    /// Not EM_RISCV.
    WrongMachine,
    /// Neither ET_EXEC nor ET_DYN (a relocatable object, a core file...).
    WrongType,
    /// `e_phentsize` is not 56, or `e_phnum` is 0 or the table is larger
    /// than a page (Linux's `load_elf_phdrs`).
    BadProgramHeaderTable,
    /// No PT_LOAD segment with any memory.
    NoLoadSegment,
    /// The PT_INTERP path is shorter than 2 or longer than PATH_MAX bytes,
    /// or does not end in NUL.
    BadInterpreter,
    /// Segment `index` (in program header order) has `p_filesz > p_memsz`.
    FileSizeExceedsMemSize { index: usize },
    /// Segment `index` has `p_offset` and `p_vaddr` at different offsets
    /// within a page, so its file pages cannot be mapped.
    Misaligned { index: usize },
    /// Segment `index` reaches past the end of user space, or its file
    /// range overflows.
    OutOfRange { index: usize },
    /// Segment `index` starts below the end of the previous PT_LOAD: the
    /// ELF specification requires them sorted and they must not overlap.
    Overlap { index: usize },
    /// The entry point lies outside user space.
    BadEntry,
    /// The chosen load bias moves the image outside user space.
    BadPlacement,
    /// A `#!` line names no interpreter, or the interpreter path was cut
    /// off by the 256-byte buffer.
    BadScript,
    /// One argument, environment string or the file name is longer than
    /// `MAX_ARG_STRLEN`.
    ArgTooLong,
    /// The arguments and environment together exceed the stack's share.
    ArgListTooBig,
    /// A string for the stack contains a NUL byte (user strings cannot).
    InteriorNul,
    /// The caller's auxiliary vector contains an AT_NULL entry.
    BadAuxv,
}

impl ElfError {
    /// The errno Linux returns for this failure.
    pub fn errno(self) -> Errno {
        match self {
            // A short read of headers the ELF header points at is EIO in
            // Linux (`elf_read`).
            ElfError::NeedBytes(_) | ElfError::Truncated => Errno::EIO,
            ElfError::NotElf
            | ElfError::WrongClass
            | ElfError::WrongEndian
            | ElfError::WrongMachine
            | ElfError::WrongType
            | ElfError::BadProgramHeaderTable
            | ElfError::NoLoadSegment
            | ElfError::BadInterpreter
            | ElfError::Overlap { .. }
            | ElfError::BadScript => Errno::ENOEXEC,
            // load_elf_binary returns EINVAL for segments that cannot be
            // placed, and a misaligned file offset fails mmap with EINVAL.
            ElfError::FileSizeExceedsMemSize { .. }
            | ElfError::Misaligned { .. }
            | ElfError::OutOfRange { .. }
            | ElfError::BadEntry
            | ElfError::BadPlacement
            | ElfError::InteriorNul
            | ElfError::BadAuxv => Errno::EINVAL,
            ElfError::ArgTooLong | ElfError::ArgListTooBig => Errno::E2BIG,
        }
    }
}

impl fmt::Display for ElfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElfError::NeedBytes(n) => write!(f, "need the first {n} bytes of the file"),
            ElfError::Truncated => f.write_str("file ends inside its headers"),
            ElfError::NotElf => f.write_str("not an ELF file"),
            ElfError::WrongClass => f.write_str("not a 64-bit ELF file"),
            ElfError::WrongEndian => f.write_str("not a little-endian ELF file"),
            ElfError::WrongMachine => f.write_str("not a RISC-V ELF file"),
            ElfError::WrongType => f.write_str("ELF file is not an executable"),
            ElfError::BadProgramHeaderTable => f.write_str("bad program header table"),
            ElfError::NoLoadSegment => f.write_str("no loadable segment"),
            ElfError::BadInterpreter => f.write_str("bad PT_INTERP path"),
            ElfError::FileSizeExceedsMemSize { index } => write!(f, "segment {index}: p_filesz > p_memsz"),
            ElfError::Misaligned { index } => {
                write!(f, "segment {index}: p_offset and p_vaddr disagree modulo page")
            }
            ElfError::OutOfRange { index } => write!(f, "segment {index}: outside user space"),
            ElfError::Overlap { index } => {
                write!(f, "segment {index}: overlaps or precedes the previous one")
            }
            ElfError::BadEntry => f.write_str("entry point outside user space"),
            ElfError::BadPlacement => f.write_str("load bias puts the image outside user space"),
            ElfError::BadScript => f.write_str("bad #! line"),
            ElfError::ArgTooLong => f.write_str("argument longer than MAX_ARG_STRLEN"),
            ElfError::ArgListTooBig => f.write_str("argument list too long"),
            ElfError::InteriorNul => f.write_str("string contains NUL"),
            ElfError::BadAuxv => f.write_str("auxiliary vector contains AT_NULL"),
        }
    }
}
