//! The keys of the auxiliary vector (`AT_*`, include/uapi/linux/auxvec.h
//! and arch/riscv/include/uapi/asm/auxvec.h), in the order riscv64 Linux's
//! `create_elf_tables` writes them.

/// Ends the vector.
pub const AT_NULL: u64 = 0;
/// An entry to skip.
pub const AT_IGNORE: u64 = 1;
/// A file descriptor of the program (binfmt_misc).
pub const AT_EXECFD: u64 = 2;
/// The address of the program headers.
pub const AT_PHDR: u64 = 3;
/// The size of one program header (56).
pub const AT_PHENT: u64 = 4;
/// The number of program headers.
pub const AT_PHNUM: u64 = 5;
/// The page size.
pub const AT_PAGESZ: u64 = 6;
/// The interpreter's load bias (0 without one).
pub const AT_BASE: u64 = 7;
/// Flags (always 0).
pub const AT_FLAGS: u64 = 8;
/// The program's entry point (after its bias).
pub const AT_ENTRY: u64 = 9;
/// The program is not ELF.
pub const AT_NOTELF: u64 = 10;
pub const AT_UID: u64 = 11;
pub const AT_EUID: u64 = 12;
pub const AT_GID: u64 = 13;
pub const AT_EGID: u64 = 14;
/// The address of the platform string.
pub const AT_PLATFORM: u64 = 15;
/// Hardware capabilities: on riscv64, bit `letter - 'a'` per extension.
pub const AT_HWCAP: u64 = 16;
/// The frequency of `times()` (100).
pub const AT_CLKTCK: u64 = 17;
/// Whether the program runs with elevated privileges (setuid...).
pub const AT_SECURE: u64 = 23;
/// The address of the base platform string.
pub const AT_BASE_PLATFORM: u64 = 24;
/// The address of 16 random bytes.
pub const AT_RANDOM: u64 = 25;
pub const AT_HWCAP2: u64 = 26;
pub const AT_RSEQ_FEATURE_SIZE: u64 = 27;
pub const AT_RSEQ_ALIGN: u64 = 28;
pub const AT_HWCAP3: u64 = 29;
pub const AT_HWCAP4: u64 = 30;
/// The address of the file name given to execve.
pub const AT_EXECFN: u64 = 31;
/// The address of the vDSO's ELF header.
pub const AT_SYSINFO_EHDR: u64 = 33;
/// riscv64 cache geometry (`ARCH_DLINFO`).
pub const AT_L1I_CACHESIZE: u64 = 40;
pub const AT_L1I_CACHEGEOMETRY: u64 = 41;
pub const AT_L1D_CACHESIZE: u64 = 42;
pub const AT_L1D_CACHEGEOMETRY: u64 = 43;
pub const AT_L2_CACHESIZE: u64 = 44;
pub const AT_L2_CACHEGEOMETRY: u64 = 45;
pub const AT_L3_CACHESIZE: u64 = 46;
pub const AT_L3_CACHEGEOMETRY: u64 = 47;
/// The minimal signal stack size the kernel needs.
pub const AT_MINSIGSTKSZ: u64 = 51;
