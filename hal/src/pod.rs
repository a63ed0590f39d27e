//! Plain old data: types whose every bit pattern is valid and which have no
//! padding, so they can be copied to and from user memory byte for byte.

/// # Safety
/// Implementors must be `repr(C)` (or primitive) with no padding bytes and
/// no invalid bit patterns.
pub unsafe trait Pod: Copy + 'static {}

macro_rules! pod {
    ($($t:ty),*) => {
        $(
            // SAFETY: primitive integers have no padding and accept every
            // bit pattern.
            unsafe impl Pod for $t {}
        )*
    };
}

pod!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

// SAFETY: an array of Pod values has no padding between elements.
unsafe impl<T: Pod, const N: usize> Pod for [T; N] {}

/// The bytes of a Pod value.
pub fn bytes_of<T: Pod>(value: &T) -> &[u8] {
    // SAFETY: T has no padding (Pod), so all its bytes are initialized.
    unsafe { core::slice::from_raw_parts(value as *const T as *const u8, core::mem::size_of::<T>()) }
}

/// The bytes of a Pod value, writable.
pub fn bytes_of_mut<T: Pod>(value: &mut T) -> &mut [u8] {
    // SAFETY: T accepts every bit pattern (Pod), so any bytes written
    // leave a valid value.
    unsafe { core::slice::from_raw_parts_mut(value as *mut T as *mut u8, core::mem::size_of::<T>()) }
}

/// A zeroed Pod value.
pub fn zeroed<T: Pod>() -> T {
    // SAFETY: all-zero bytes are a valid T (Pod).
    unsafe { core::mem::zeroed() }
}

macro_rules! pod_abi {
    ($($t:ty),*) => {
        $(
            // SAFETY: the abi crate declares this type repr(C) with
            // explicit padding fields and checks its size against the
            // riscv64 C layout, so it has no implicit padding; all its
            // fields are integers or integer arrays.
            unsafe impl Pod for $t {}
        )*
    };
}

pod_abi!(
    abi::Timespec,
    abi::Timeval,
    abi::Stat,
    abi::Utsname,
    abi::Winsize,
    abi::Termios,
    abi::Rlimit,
    abi::Iovec,
    abi::MessageHeader,
    abi::Statfs,
    abi::Tms,
    abi::Sysinfo,
    abi::Rusage,
    abi::signal::KernelSigaction
);
