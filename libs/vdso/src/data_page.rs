//! The data page the kernel fills and the vDSO reads ([vvar], mapped
//! read-only into every process just below the code). All fields are
//! little-endian u64 at 8-byte aligned offsets, written with single
//! stores by the kernel so a reader never sees a torn word.
//!
//! The kernel updates it as a sequence lock: `SEQUENCE` becomes odd, the
//! fields change, `SEQUENCE` becomes even again; a reader retries while
//! the sequence is odd or moved during its reads.

/// The sequence count (odd while the kernel writes the page).
pub const SEQUENCE: usize = 0;
/// Ticks per second of the `time` CSR; 0 tells the vDSO to make the
/// system call instead (page not filled yet, or a timebase so fast that
/// `ticks % frequency * 10^9` could overflow 64 bits).
pub const TIMEBASE_HZ: usize = 8;
/// Wall-clock time at tick 0 (CLOCK_REALTIME - CLOCK_MONOTONIC), whole
/// seconds ...
pub const REALTIME_OFFSET_SEC: usize = 16;
/// ... and the nanoseconds below a second (< 10^9).
pub const REALTIME_OFFSET_NSEC: usize = 24;
/// What clock_getres reports for the coarse clocks, in nanoseconds.
pub const COARSE_RESOLUTION_NS: usize = 32;
/// Nanoseconds per tick when that is a whole number (10 MHz: 100), else
/// 0. With it, a clock read needs one multiplication and no division.
pub const NS_PER_TICK: usize = 40;
/// [`DIVIDE_BY_1E9_MULTIPLIER`], for the vDSO to load.
pub const DIVIDE_BY_1E9: usize = 48;

/// `x / 10^9 == mulhu(x >> 9, M) >> 11` for every u64 `x`, with this M
/// (= ceil(2^75 / (10^9 / 2^9)); the sequence compilers emit for the
/// division, Granlund and Montgomery, "Division by invariant integers
/// using multiplication", 1994).
pub const DIVIDE_BY_1E9_MULTIPLIER: u64 = 0x44_b82f_a09b_5a53;

/// [`NS_PER_TICK`] for a timebase of `hz`.
pub fn ns_per_tick(hz: u64) -> u64 {
    if hz != 0 && 1_000_000_000 % hz == 0 {
        1_000_000_000 / hz
    } else {
        0
    }
}

/// The largest timebase the vDSO can convert exactly: the leftover ticks
/// of a second times 10^9 must fit in 64 bits.
pub const MAX_TIMEBASE_HZ: u64 = u64::MAX / 1_000_000_000;

/// Bytes of [vvar] (two pages, as Linux riscv64 maps its data page and
/// time-namespace page); the data page is the first.
pub const VVAR_SIZE: usize = 2 * crate::PAGE_SIZE;

#[cfg(test)]
mod tests {
    use super::*;

    fn divide(x: u64) -> u64 {
        (((x >> 9) as u128 * DIVIDE_BY_1E9_MULTIPLIER as u128) >> 64) as u64 >> 11
    }

    #[test]
    fn the_multiplier_divides_by_a_billion_exactly() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for edge in [0, 1, 999_999_999, 1_000_000_000, u64::MAX, u64::MAX - 1_000_000_000] {
            assert_eq!(divide(edge), edge / 1_000_000_000, "{edge}");
        }
        for _ in 0..1_000_000 {
            // xorshift64: values across the whole range ...
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            assert_eq!(divide(x), x / 1_000_000_000, "{x}");
            // ... and around multiples of a billion.
            let near = (x % (1 << 40)) / 1_000_000_000 * 1_000_000_000;
            for y in [near.wrapping_sub(1), near, near + 1] {
                assert_eq!(divide(y), y / 1_000_000_000, "{y}");
            }
        }
    }

    #[test]
    fn whole_nanoseconds_per_tick() {
        assert_eq!(ns_per_tick(10_000_000), 100);
        assert_eq!(ns_per_tick(1_000_000_000), 1);
        assert_eq!(ns_per_tick(24_000_000), 0);
        assert_eq!(ns_per_tick(0), 0);
    }
}
