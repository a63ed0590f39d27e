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

/// The largest timebase the vDSO can convert exactly: the leftover ticks
/// of a second times 10^9 must fit in 64 bits.
pub const MAX_TIMEBASE_HZ: u64 = u64::MAX / 1_000_000_000;

/// Bytes of [vvar] (two pages, as Linux riscv64 maps its data page and
/// time-namespace page); the data page is the first.
pub const VVAR_SIZE: usize = 2 * crate::PAGE_SIZE;
