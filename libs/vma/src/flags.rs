//! The two small bit sets an area carries: its protection ([`Prot`], the
//! `PROT_*` bits of mmap(2)) and its kind ([`AreaFlags`]: shared or private,
//! anonymous, stack, heap). Written here rather than with `bitflags` to keep
//! the crate free of dependencies; one macro gives both the same API.

use core::fmt;
use core::ops::{BitAnd, BitOr, BitOrAssign, Sub};

macro_rules! small_flags {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$flag_meta:meta])* $flag:ident = $value:expr; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name(u32);

        impl $name {
            $( $(#[$flag_meta])* pub const $flag: Self = Self($value); )*

            /// Every defined bit.
            pub const ALL: Self = Self(0 $(| $value)*);

            /// No bit set.
            pub const fn empty() -> Self {
                Self(0)
            }

            pub const fn bits(self) -> u32 {
                self.0
            }

            /// `None` when `bits` holds an undefined bit.
            pub const fn from_bits(bits: u32) -> Option<Self> {
                if bits & !Self::ALL.0 == 0 {
                    Some(Self(bits))
                } else {
                    None
                }
            }

            /// Drops undefined bits.
            pub const fn from_bits_truncate(bits: u32) -> Self {
                Self(bits & Self::ALL.0)
            }

            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }

            /// Whether every bit of `other` is set in `self`.
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }

            /// Whether `self` and `other` share a bit.
            pub const fn intersects(self, other: Self) -> bool {
                self.0 & other.0 != 0
            }

            pub const fn union(self, other: Self) -> Self {
                Self(self.0 | other.0)
            }

            pub const fn difference(self, other: Self) -> Self {
                Self(self.0 & !other.0)
            }
        }

        impl BitOr for $name {
            type Output = Self;
            fn bitor(self, other: Self) -> Self {
                self.union(other)
            }
        }

        impl BitOrAssign for $name {
            fn bitor_assign(&mut self, other: Self) {
                *self = self.union(other);
            }
        }

        impl BitAnd for $name {
            type Output = Self;
            fn bitand(self, other: Self) -> Self {
                Self(self.0 & other.0)
            }
        }

        impl Sub for $name {
            type Output = Self;
            fn sub(self, other: Self) -> Self {
                self.difference(other)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}(", stringify!($name))?;
                let mut first = true;
                $(
                    if self.contains(Self::$flag) && Self::$flag.0 != 0 {
                        if !first {
                            f.write_str(" | ")?;
                        }
                        f.write_str(stringify!($flag))?;
                        first = false;
                    }
                )*
                let _ = first;
                f.write_str(")")
            }
        }
    };
}

small_flags! {
    /// Access rights of an area, with the values of Linux's `PROT_*`
    /// (asm-generic/mman-common.h). The kernel strips `PROT_GROWSDOWN`,
    /// `PROT_GROWSUP` and `PROT_SEM` before building one.
    Prot {
        /// `PROT_READ`
        READ = 0x1;
        /// `PROT_WRITE`
        WRITE = 0x2;
        /// `PROT_EXEC`
        EXEC = 0x4;
    }
}

impl Prot {
    /// `PROT_NONE`: no access.
    pub const NONE: Prot = Prot(0);

    /// The `rwx` column of `/proc/PID/maps`.
    pub fn rwx(self) -> [char; 3] {
        [
            if self.contains(Prot::READ) { 'r' } else { '-' },
            if self.contains(Prot::WRITE) { 'w' } else { '-' },
            if self.contains(Prot::EXEC) { 'x' } else { '-' },
        ]
    }
}

small_flags! {
    /// What kind of mapping an area is. Areas merge only when these are
    /// equal, so the kernel should set exactly the bits it cares about.
    AreaFlags {
        /// `MAP_SHARED` (Linux's `VM_MAYSHARE`): writes reach the backing
        /// object and other mappers. Without it the area is private
        /// (copy-on-write).
        SHARED = 0x1;
        /// Not backed by a file (`MAP_ANONYMOUS`, brk, the stack).
        ANONYMOUS = 0x2;
        /// Grows down on faults below it (`VM_GROWSDOWN`); placement keeps
        /// the stack guard gap free below it.
        GROWSDOWN = 0x4;
        /// The main thread's stack, named `[stack]` in `/proc/PID/maps`.
        STACK = 0x8;
        /// Made by brk, named `[heap]` in `/proc/PID/maps`.
        HEAP = 0x10;
    }
}

impl AreaFlags {
    /// Whether the area is shared (`s` in `/proc/PID/maps`) rather than
    /// private (`p`).
    pub const fn is_shared(self) -> bool {
        self.contains(AreaFlags::SHARED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prot_bits_match_linux() {
        assert_eq!(Prot::READ.bits(), 1);
        assert_eq!(Prot::WRITE.bits(), 2);
        assert_eq!(Prot::EXEC.bits(), 4);
        assert_eq!(Prot::from_bits(7), Some(Prot::ALL));
        assert_eq!(Prot::from_bits(8), None);
        assert_eq!(Prot::from_bits_truncate(0x0100_0003), Prot::READ | Prot::WRITE);
    }

    #[test]
    fn set_operations() {
        let rw = Prot::READ | Prot::WRITE;
        assert!(rw.contains(Prot::READ));
        assert!(!rw.contains(Prot::READ | Prot::EXEC));
        assert!(rw.intersects(Prot::READ | Prot::EXEC));
        assert_eq!(rw - Prot::WRITE, Prot::READ);
        assert_eq!(rw & Prot::WRITE, Prot::WRITE);
        assert!(Prot::NONE.is_empty());
        assert_eq!(rw.rwx(), ['r', 'w', '-']);
    }

    #[test]
    fn debug_lists_names() {
        assert_eq!(format!("{:?}", Prot::READ | Prot::EXEC), "Prot(READ | EXEC)");
        assert_eq!(format!("{:?}", Prot::NONE), "Prot()");
        assert_eq!(
            format!("{:?}", AreaFlags::SHARED | AreaFlags::ANONYMOUS),
            "AreaFlags(SHARED | ANONYMOUS)"
        );
    }
}
