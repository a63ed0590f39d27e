//! Backtraces by frame pointer (the kernel is built with frame pointers),
//! symbolized from the table the xtask writes into the `.ksyms` section.
//!
//! On RISC-V a function with a frame record keeps its return address at
//! `fp - 8` and the caller's frame pointer at `fp - 16`.

use crate::arch::layout::{DIRECT_MAP_BASE, DIRECT_MAP_SIZE};
use core::fmt;

const MAX_FRAMES: usize = 32;
const MAGIC: &[u8; 4] = b"GSYM";

/// An address that prints as `0x… name+0xoff`.
pub struct Symbolized(pub usize);

impl fmt::Display for Symbolized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match lookup(self.0) {
            Some((name, offset)) => write!(f, "{:#x} {}+{:#x}", self.0, name, offset),
            None => write!(f, "{:#x} ?", self.0),
        }
    }
}

fn symbol_table() -> &'static [u8] {
    extern "C" {
        static __ksyms_start: u8;
        static __ksyms_end: u8;
    }
    let start = core::ptr::addr_of!(__ksyms_start);
    let end = core::ptr::addr_of!(__ksyms_end);
    // SAFETY: the linker script brackets the .ksyms section (read-only
    // data, filled in by the xtask after linking) with these symbols.
    unsafe { core::slice::from_raw_parts(start, end as usize - start as usize) }
}

fn u32_at(bytes: &[u8], offset: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(offset..offset + 4)?.try_into().ok()?))
}

/// The function containing `address` and the offset into it.
///
/// Table layout: "GSYM", count, then `count` entries of (offset from the
/// image start, size, name offset, name length) as little-endian u32s,
/// sorted by address, then the names.
pub fn lookup(address: usize) -> Option<(&'static str, usize)> {
    let table = symbol_table();
    if table.get(..4)? != MAGIC {
        return None;
    }
    let base = crate::memory::image_layout().start;
    let offset = u32::try_from(address.checked_sub(base)?).ok()?;
    let count = u32_at(table, 4)? as usize;
    let entry = |i: usize| -> Option<(u32, u32, u32, u32)> {
        let at = 8 + i * 16;
        Some((u32_at(table, at)?, u32_at(table, at + 4)?, u32_at(table, at + 8)?, u32_at(table, at + 12)?))
    };
    let (mut low, mut high) = (0usize, count);
    while low < high {
        let middle = (low + high) / 2;
        if entry(middle)?.0 <= offset {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    let (start, size, name_offset, name_length) = entry(low.checked_sub(1)?)?;
    if offset - start >= size.max(1) {
        return None;
    }
    let name = table.get(name_offset as usize..(name_offset + name_length) as usize)?;
    Some((core::str::from_utf8(name).ok()?, (offset - start) as usize))
}

/// Whether a frame record at `fp` can be read without faulting.
fn is_readable_frame(fp: usize) -> bool {
    let image = crate::memory::image_layout();
    fp.is_multiple_of(8)
        && fp >= 16
        && ((fp - 16 >= image.start && fp <= image.end)
            || (fp - 16 >= DIRECT_MAP_BASE && fp <= DIRECT_MAP_BASE + DIRECT_MAP_SIZE))
}

/// Prints the call chain starting at frame pointer `fp`.
pub fn print_from_frame(mut fp: usize) {
    for depth in 0..MAX_FRAMES {
        if !is_readable_frame(fp) {
            break;
        }
        // SAFETY: is_readable_frame checked that both words lie in the
        // kernel image or the direct map, which are always mapped.
        let (return_address, caller_fp) =
            unsafe { (((fp - 8) as *const usize).read(), ((fp - 16) as *const usize).read()) };
        if return_address == 0 {
            break;
        }
        crate::console::write_fmt_unlocked(format_args!(
            "  #{depth:<2} {}\n",
            Symbolized(return_address.saturating_sub(4))
        ));
        if caller_fp <= fp {
            break;
        }
        fp = caller_fp;
    }
}

/// Prints the call chain of the caller.
#[inline(always)]
pub fn print() {
    let fp: usize;
    // SAFETY: reading the frame pointer register has no side effects.
    unsafe { core::arch::asm!("mv {}, fp", out(reg) fp, options(nomem, nostack)) };
    print_from_frame(fp);
}

/// Room for the symbol table; the xtask overwrites it in the image.
const SYMBOL_SPACE_SIZE: usize = 1 << 20;
#[link_section = ".ksyms"]
#[used]
static SYMBOL_SPACE: [u8; SYMBOL_SPACE_SIZE] = [0; SYMBOL_SPACE_SIZE];
