//! Kernel errors: a Linux errno and, for the log only, a message. The
//! conversion to the `-errno` a syscall returns happens in one place,
//! `syscall::dispatch`.

use abi::Errno;
use core::fmt;

#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Error {
    pub errno: Errno,
    pub message: Option<&'static str>,
}

pub type Result<T, E = Error> = core::result::Result<T, E>;

impl Error {
    pub const fn new(errno: Errno) -> Self {
        Error { errno, message: None }
    }

    pub const fn with_message(errno: Errno, message: &'static str) -> Self {
        Error { errno, message: Some(message) }
    }
}

impl From<Errno> for Error {
    fn from(errno: Errno) -> Self {
        Error::new(errno)
    }
}

impl From<hal::user_copy::Fault> for Error {
    fn from(_: hal::user_copy::Fault) -> Self {
        Error::new(Errno::EFAULT)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.message {
            Some(message) => write!(f, "{} ({message})", self.errno.name()),
            None => write!(f, "{}", self.errno.name()),
        }
    }
}

/// Returns early with an errno: `return_errno!(ENOENT)`.
#[macro_export]
macro_rules! return_errno {
    ($errno:ident) => {
        return Err($crate::error::Error::new(abi::Errno::$errno))
    };
    ($errno:ident, $message:expr) => {
        return Err($crate::error::Error::with_message(abi::Errno::$errno, $message))
    };
}

/// An error value: `errno!(EINVAL)`.
#[macro_export]
macro_rules! errno {
    ($errno:ident) => {
        $crate::error::Error::new(abi::Errno::$errno)
    };
}
