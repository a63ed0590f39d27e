//! The one way the kernel touches user memory. User addresses are plain
//! integers; these functions check the range, enable sstatus.SUM for the
//! copy, and turn a fault into an error instead of a kernel crash
//! (user_copy.S lists its loads and stores in the exception table).

use crate::arch::layout::USER_END;

core::arch::global_asm!(include_str!("arch/riscv64/user_copy.S"));

extern "C" {
    fn hal_copy_user(destination: *mut u8, source: *const u8, length: usize) -> usize;
    fn hal_fill_user(destination: *mut u8, byte: usize, length: usize) -> usize;
}

/// A user address that is not mapped or not accessible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault;

/// Whether `[address, address + length)` lies in user space.
pub fn is_user_range(address: usize, length: usize) -> bool {
    address.checked_add(length).is_some_and(|end| end <= USER_END)
}

/// Copies user memory at `source` into `destination`.
pub fn copy_from_user(destination: &mut [u8], source: usize) -> Result<(), Fault> {
    if !is_user_range(source, destination.len()) {
        return Err(Fault);
    }
    if destination.is_empty() {
        return Ok(());
    }
    // SAFETY: the destination is a kernel buffer of this length; the
    // source range is in user space and a fault there is caught by the
    // exception table and reported as the count left.
    let left = unsafe { hal_copy_user(destination.as_mut_ptr(), source as *const u8, destination.len()) };
    if left == 0 {
        Ok(())
    } else {
        Err(Fault)
    }
}

/// Copies `source` into user memory at `destination`.
pub fn copy_to_user(destination: usize, source: &[u8]) -> Result<(), Fault> {
    if !is_user_range(destination, source.len()) {
        return Err(Fault);
    }
    if source.is_empty() {
        return Ok(());
    }
    // SAFETY: as in copy_from_user, with the roles swapped.
    let left = unsafe { hal_copy_user(destination as *mut u8, source.as_ptr(), source.len()) };
    if left == 0 {
        Ok(())
    } else {
        Err(Fault)
    }
}

/// Fills user memory with zeros.
pub fn zero_user(destination: usize, length: usize) -> Result<(), Fault> {
    if !is_user_range(destination, length) {
        return Err(Fault);
    }
    // SAFETY: as in copy_to_user.
    let left = unsafe { hal_fill_user(destination as *mut u8, 0, length) };
    if left == 0 {
        Ok(())
    } else {
        Err(Fault)
    }
}

/// Copies a NUL-terminated string of at most `max` bytes (NUL excluded)
/// into `buffer`, page by page so that no read crosses into a page that is
/// not needed. Returns the length, or `None` if no NUL came within `max`.
pub fn copy_string_from_user(
    source: usize,
    max: usize,
    buffer: &mut alloc::vec::Vec<u8>,
) -> Result<Option<usize>, Fault> {
    buffer.clear();
    let mut address = source;
    while buffer.len() <= max {
        let to_page_end = 4096 - (address & 4095);
        let chunk = to_page_end.min(max + 1 - buffer.len());
        let start = buffer.len();
        buffer.resize(start + chunk, 0);
        copy_from_user(&mut buffer[start..], address)?;
        if let Some(nul) = buffer[start..].iter().position(|&b| b == 0) {
            buffer.truncate(start + nul);
            return Ok(Some(start + nul));
        }
        address += chunk;
    }
    Ok(None)
}
