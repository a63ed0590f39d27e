//! The Linux riscv64 user ABI, as goose must reproduce it: errno values,
//! syscall numbers, the structures syscalls copy in and out (laid out as
//! on riscv64 Linux, with explicit padding so no byte is left
//! uninitialized), and the constants that go with them.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]

mod errno;
pub mod signal;
pub mod structs;
mod syscall_nr;
pub mod wait;

pub use errno::Errno;
pub use structs::*;
pub use syscall_nr::{syscall_name, SYSCALL_NAMES};

/// The current directory, for the *at syscalls.
pub const AT_FDCWD: i32 = -100;
pub const AT_SYMLINK_NOFOLLOW: u32 = 0x100;
pub const AT_REMOVEDIR: u32 = 0x200;
pub const AT_SYMLINK_FOLLOW: u32 = 0x400;
pub const AT_EMPTY_PATH: u32 = 0x1000;
pub const AT_EACCESS: u32 = 0x200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_names_and_numbers_round_trip() {
        for number in 1..=133 {
            if let Some(errno) = Errno::from_i32(number) {
                assert_eq!(errno as i32, number);
                assert!(errno.name().starts_with('E'));
            }
        }
        assert_eq!(Errno::ENOENT as i32, 2);
        assert_eq!(Errno::ENOSYS.name(), "ENOSYS");
        assert_eq!(Errno::EWOULDBLOCK, Errno::EAGAIN);
        assert_eq!(Errno::from_i32(0), None);
    }

    #[test]
    fn syscall_names() {
        assert_eq!(syscall_name(63), Some("read"));
        assert_eq!(syscall_name(221), Some("execve"));
        assert_eq!(syscall_name(80), Some("fstat"));
        assert_eq!(syscall_name(100_000), None);
        assert!(SYSCALL_NAMES.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
