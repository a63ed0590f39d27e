//! One Sv39 page-table entry and its permission bits.

use core::fmt;

/// The low ten bits of an entry (privileged spec, "Sv39").
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct PteFlags(u64);

impl PteFlags {
    pub const VALID: Self = Self(1 << 0);
    pub const READ: Self = Self(1 << 1);
    pub const WRITE: Self = Self(1 << 2);
    pub const EXECUTE: Self = Self(1 << 3);
    pub const USER: Self = Self(1 << 4);
    pub const GLOBAL: Self = Self(1 << 5);
    pub const ACCESSED: Self = Self(1 << 6);
    pub const DIRTY: Self = Self(1 << 7);
    /// The first of the two bits the hardware leaves to software.
    pub const SOFTWARE_0: Self = Self(1 << 8);
    pub const SOFTWARE_1: Self = Self(1 << 9);

    pub const fn empty() -> Self {
        Self(0)
    }
    pub const fn bits(self) -> u64 {
        self.0
    }
    pub const fn from_bits_truncate(bits: u64) -> Self {
        Self(bits & 0x3ff)
    }
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
    pub const fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
    pub const fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }
    /// A leaf has at least one of R, W, X; a pointer to the next level has
    /// none.
    pub const fn is_leaf(self) -> bool {
        self.intersects(Self(0b1110))
    }
}

impl core::ops::BitOr for PteFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

impl core::ops::BitOrAssign for PteFlags {
    fn bitor_assign(&mut self, rhs: Self) {
        *self = self.union(rhs);
    }
}

impl fmt::Debug for PteFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = ['V', 'R', 'W', 'X', 'U', 'G', 'A', 'D'];
        for (bit, name) in names.iter().enumerate() {
            let set = self.0 & (1 << bit) != 0;
            write!(f, "{}", if set { *name } else { '-' })?;
        }
        Ok(())
    }
}

/// The sizes a leaf can map: level 0, 1 and 2 leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageSize {
    Size4K,
    Size2M,
    Size1G,
}

impl PageSize {
    pub const fn bytes(self) -> u64 {
        match self {
            PageSize::Size4K => 1 << 12,
            PageSize::Size2M => 1 << 21,
            PageSize::Size1G => 1 << 30,
        }
    }
    /// The table level whose entries map pages of this size.
    pub const fn level(self) -> usize {
        match self {
            PageSize::Size4K => 0,
            PageSize::Size2M => 1,
            PageSize::Size1G => 2,
        }
    }
    pub const fn from_level(level: usize) -> Option<Self> {
        match level {
            0 => Some(PageSize::Size4K),
            1 => Some(PageSize::Size2M),
            2 => Some(PageSize::Size1G),
            _ => None,
        }
    }
}

/// One 64-bit entry: PPN in bits 53..10, flags in 9..0.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Pte(pub u64);

const PPN_MASK: u64 = (1 << 44) - 1;

impl Pte {
    pub const INVALID: Pte = Pte(0);

    /// An entry pointing at physical address `pa` (page aligned).
    pub const fn new(pa: u64, flags: PteFlags) -> Self {
        Pte((((pa >> 12) & PPN_MASK) << 10) | flags.bits())
    }
    /// An entry pointing at the next-level table at `table_pa`.
    pub const fn table(table_pa: u64) -> Self {
        Self::new(table_pa, PteFlags::VALID)
    }
    pub const fn flags(self) -> PteFlags {
        PteFlags::from_bits_truncate(self.0)
    }
    pub const fn pa(self) -> u64 {
        ((self.0 >> 10) & PPN_MASK) << 12
    }
    pub const fn is_valid(self) -> bool {
        self.flags().contains(PteFlags::VALID)
    }
    pub const fn is_leaf(self) -> bool {
        self.is_valid() && self.flags().is_leaf()
    }
    pub const fn with_flags(self, flags: PteFlags) -> Self {
        Pte((self.0 & !0x3ff) | flags.bits())
    }
}

impl fmt::Debug for Pte {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pte({:#x} {:?})", self.pa(), self.flags())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_address_and_flags() {
        let flags = PteFlags::VALID | PteFlags::READ | PteFlags::USER;
        let pte = Pte::new(0x8765_4000, flags);
        assert_eq!(pte.pa(), 0x8765_4000);
        assert_eq!(pte.flags(), flags);
        assert!(pte.is_leaf());
        assert!(!Pte::table(0x1000).is_leaf());
        assert!(Pte::table(0x1000).is_valid());
        assert_eq!(format!("{:?}", flags), "VR--U---");
    }

    #[test]
    fn ignores_address_bits_beyond_56() {
        assert_eq!(Pte::new(1 << 60, PteFlags::VALID).pa(), 0);
    }
}
