//! Locks that are safe against interrupts on the same hart.

mod spinlock;

pub use spinlock::{SpinLock, SpinLockGuard};
