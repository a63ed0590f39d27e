//! Converting raw register values into handler arguments and handler
//! results into register values.

/// A user-space address. The kernel never dereferences it; it goes to the
/// user-copy functions (`crate::mm::user`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UserAddr(pub usize);

impl UserAddr {
    pub fn is_null(self) -> bool {
        self.0 == 0
    }
    pub fn add(self, bytes: usize) -> UserAddr {
        UserAddr(self.0.wrapping_add(bytes))
    }
}

pub trait FromArg {
    fn from_arg(raw: usize) -> Self;
}

impl FromArg for usize {
    fn from_arg(raw: usize) -> Self {
        raw
    }
}
impl FromArg for isize {
    fn from_arg(raw: usize) -> Self {
        raw as isize
    }
}
/// 32-bit arguments: Linux takes the low half of the register.
impl FromArg for i32 {
    fn from_arg(raw: usize) -> Self {
        raw as i32
    }
}
impl FromArg for u32 {
    fn from_arg(raw: usize) -> Self {
        raw as u32
    }
}
impl FromArg for u64 {
    fn from_arg(raw: usize) -> Self {
        raw as u64
    }
}
impl FromArg for i64 {
    fn from_arg(raw: usize) -> Self {
        raw as i64
    }
}
impl FromArg for UserAddr {
    fn from_arg(raw: usize) -> Self {
        UserAddr(raw)
    }
}

pub trait IntoReturn {
    fn into_return(self) -> isize;
}

impl IntoReturn for () {
    fn into_return(self) -> isize {
        0
    }
}
impl IntoReturn for usize {
    fn into_return(self) -> isize {
        self as isize
    }
}
impl IntoReturn for isize {
    fn into_return(self) -> isize {
        self
    }
}
impl IntoReturn for i32 {
    fn into_return(self) -> isize {
        self as isize
    }
}
impl IntoReturn for u32 {
    fn into_return(self) -> isize {
        self as isize
    }
}
impl IntoReturn for u64 {
    fn into_return(self) -> isize {
        self as isize
    }
}
