//! Physical address ranges and the arithmetic on them.

/// A half-open physical address range `[start, start + size)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Region {
    pub start: u64,
    pub size: u64,
}

impl Region {
    pub const fn new(start: u64, size: u64) -> Self {
        Self { start, size }
    }

    /// The first address past the range, saturating at `u64::MAX`.
    pub const fn end(&self) -> u64 {
        self.start.saturating_add(self.size)
    }

    pub const fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// Whether `other` lies entirely inside `self`.
    pub const fn contains_region(&self, other: &Region) -> bool {
        other.start >= self.start && other.end() <= self.end()
    }

    pub const fn overlaps(&self, other: &Region) -> bool {
        self.start < other.end() && other.start < self.end()
    }
}

/// Sorts `regions` and merges the ones that touch or overlap; empty ones are
/// dropped.
pub fn normalize(regions: &mut alloc::vec::Vec<Region>) {
    regions.retain(|r| !r.is_empty());
    regions.sort();
    let mut merged: alloc::vec::Vec<Region> = alloc::vec::Vec::with_capacity(regions.len());
    for region in regions.drain(..) {
        match merged.last_mut() {
            Some(last) if region.start <= last.end() => {
                let end = last.end().max(region.end());
                last.size = end - last.start;
            }
            _ => merged.push(region),
        }
    }
    *regions = merged;
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn merges_overlapping_and_touching() {
        let mut v = vec![
            Region::new(0x2000, 0x1000),
            Region::new(0x1000, 0x1000),
            Region::new(0x8000, 0),
            Region::new(0x2800, 0x1000),
            Region::new(0x9000, 0x10),
        ];
        normalize(&mut v);
        assert_eq!(v, vec![Region::new(0x1000, 0x2800), Region::new(0x9000, 0x10)]);
    }

    #[test]
    fn end_saturates() {
        assert_eq!(Region::new(u64::MAX - 1, 10).end(), u64::MAX);
    }

    #[test]
    fn containment() {
        let ram = Region::new(0x8000_0000, 0x1000_0000);
        assert!(ram.contains_region(&Region::new(0x8000_0000, 0x1000)));
        assert!(!ram.contains_region(&Region::new(0x7fff_f000, 0x2000)));
        assert!(!ram.contains_region(&Region::new(0x8fff_f000, 0x2000)));
        assert!(ram.overlaps(&Region::new(0x8fff_f000, 0x2000)));
    }
}
