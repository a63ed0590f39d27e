//! goose's vDSO (virtual dynamic shared object): the small ELF shared
//! library the kernel maps into every process and announces with
//! AT_SYSINFO_EHDR, as Linux riscv64 does. glibc and Go's runtime look up
//! `__vdso_clock_gettime`, `__vdso_gettimeofday`, `__vdso_clock_getres`
//! (and glibc `__vdso_getcpu`, `__vdso_riscv_hwprobe`) by name and version
//! LINUX_4.15 and call them instead of the system call; signal handlers
//! return through `__vdso_rt_sigreturn`.
//!
//! Why the image is built here, in Rust, rather than assembled and linked
//! from source at build time: a fresh machine has the Rust toolchain but
//! not necessarily a riscv64 assembler and linker for user code, and the
//! object is tiny (seven functions, a few hundred bytes of code), so a
//! ~100-line instruction encoder and an ELF writer are simpler and more
//! robust than driving rust-lld with a custom linker script from build.rs.
//! Host tests parse the result back with the `object` crate and check the
//! instruction encodings against GNU as.
//!
//! The kernel calls [`build`] once at boot, copies [`Vdso::bytes`] into a
//! page it maps read-execute ([vdso]) just above the [`data_page`] it
//! keeps up to date ([vvar]).
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]

extern crate alloc;

pub mod data_page;
mod elf_writer;
mod functions;
mod riscv_asm;

pub use elf_writer::{elf_hash, SONAME, VERSION};

pub const PAGE_SIZE: usize = 4096;

/// The built image and the offsets the kernel needs.
pub struct Vdso {
    /// The ELF file, to be mapped at a page boundary (fits in one page).
    pub bytes: alloc::vec::Vec<u8>,
    symbols: alloc::vec::Vec<(&'static str, usize)>,
}

impl Vdso {
    /// The offset of exported function `name` from the image start.
    pub fn symbol(&self, name: &str) -> Option<usize> {
        self.symbols.iter().find(|(n, _)| *n == name).map(|&(_, offset)| offset)
    }

    /// Where signal handlers return to (the `ra` a handler starts with).
    pub fn sigreturn_offset(&self) -> usize {
        self.symbol("__vdso_rt_sigreturn").unwrap_or(0)
    }
}

/// Builds the vDSO for a [vvar] of [`data_page::VVAR_SIZE`] bytes mapped
/// immediately below it (Linux riscv64's layout), data page first.
pub fn build() -> Vdso {
    let built = elf_writer::build(-(data_page::VVAR_SIZE as isize));
    let symbols = built.functions.iter().map(|f| (f.name, f.offset)).collect();
    Vdso { bytes: built.bytes, symbols }
}
