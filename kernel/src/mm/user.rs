//! The kernel's one way to user memory: copies through hal's
//! fault-tolerant routines, by user address. A bad pointer is EFAULT.

use crate::error::Result;
use crate::syscall::UserAddr;
use alloc::string::String;
use alloc::vec::Vec;
use hal::pod::{bytes_of, bytes_of_mut, zeroed, Pod};
use hal::user_copy;

/// Checks up front that `[address, address + length)` lies in user space,
/// as Linux's access_ok: a kernel address is EFAULT before anything is
/// read or consumed.
pub fn check_range(address: UserAddr, length: usize) -> Result<()> {
    if user_copy::is_user_range(address.0, length) {
        Ok(())
    } else {
        Err(abi::Errno::EFAULT.into())
    }
}

/// A zeroed kernel buffer for a copy of `length` bytes: ENOMEM rather
/// than an abort when the heap cannot hold it.
pub fn kernel_buffer(length: usize) -> Result<Vec<u8>> {
    let mut buffer = Vec::new();
    buffer.try_reserve_exact(length).map_err(|_| abi::Errno::ENOMEM)?;
    buffer.resize(length, 0);
    Ok(buffer)
}

/// Reads a value of type `T` from user memory.
pub fn read_val<T: Pod>(address: UserAddr) -> Result<T> {
    let mut value = zeroed::<T>();
    user_copy::copy_from_user(bytes_of_mut(&mut value), address.0)?;
    Ok(value)
}

/// Writes a value of type `T` to user memory.
pub fn write_val<T: Pod>(address: UserAddr, value: &T) -> Result<()> {
    user_copy::copy_to_user(address.0, bytes_of(value))?;
    Ok(())
}

pub fn read_bytes(address: UserAddr, buffer: &mut [u8]) -> Result<()> {
    user_copy::copy_from_user(buffer, address.0)?;
    Ok(())
}

pub fn write_bytes(address: UserAddr, bytes: &[u8]) -> Result<()> {
    user_copy::copy_to_user(address.0, bytes)?;
    Ok(())
}

/// Reads a NUL-terminated string of at most `max` bytes; a longer one is
/// `too_long` (ENAMETOOLONG for paths, E2BIG for arguments).
pub fn read_cstring(address: UserAddr, max: usize, too_long: abi::Errno) -> Result<Vec<u8>> {
    let mut buffer = Vec::new();
    match user_copy::copy_string_from_user(address.0, max, &mut buffer)? {
        Some(_) => Ok(buffer),
        None => Err(too_long.into()),
    }
}

/// A path argument: at most PATH_MAX (4096) bytes with its NUL.
pub fn read_path(address: UserAddr) -> Result<Vec<u8>> {
    read_cstring(address, 4095, abi::Errno::ENAMETOOLONG)
}

/// A NULL-terminated array of string pointers (argv, envp), bounded by
/// `max_total` bytes in all; a null array pointer is an empty list.
pub fn read_string_array(address: UserAddr, max_total: usize) -> Result<Vec<Vec<u8>>> {
    let mut strings = Vec::new();
    if address.is_null() {
        return Ok(strings);
    }
    let mut total = 0usize;
    for index in 0.. {
        let pointer: usize = read_val(address.add(index * 8))?;
        if pointer == 0 {
            break;
        }
        let left = max_total.checked_sub(total).ok_or(abi::Errno::E2BIG)?;
        let string = read_cstring(UserAddr(pointer), left, abi::Errno::E2BIG)?;
        total += string.len() + 1 + 8;
        strings.push(string);
    }
    Ok(strings)
}

/// Lossy text of a byte string, for logs.
pub fn display(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
