//! User memory: address spaces and the copies in and out of them.

pub mod space;
pub mod user;
pub mod vdso;
pub mod vm;

/// Heap kept free for the processes that already exist (their files,
/// pipes, address-space bookkeeping): a new process needs the heap to be
/// at most this full.
const HEAP_RESERVE_PERCENT: usize = 20;
/// A process's own kernel structures, with room to grow.
const HEAP_PER_PROCESS: usize = 64 << 10;

/// Whether the kernel heap can take one more process and keep its reserve.
pub fn heap_has_room_for_a_process() -> bool {
    let (used, total) = hal::memory::heap::usage();
    let reserve = total / 100 * HEAP_RESERVE_PERCENT;
    used.saturating_add(HEAP_PER_PROCESS).saturating_add(reserve) <= total
}
