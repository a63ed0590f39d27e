//! Kernel synchronization beyond hal's spin locks: a mutex whose waiters
//! give up the hart instead of spinning with interrupts off, and wait
//! queues for blocking until an event.

mod mutex;
mod wait_queue;

pub use mutex::Mutex;
pub use wait_queue::{WaitQueue, Watcher};
