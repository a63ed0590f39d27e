//! eventfd: a 64-bit counter as a file (fs/eventfd.c). A write adds to
//! it, blocking while the sum would reach u64::MAX; a read takes all of
//! it (or 1, in semaphore mode), blocking while it is 0. Reads and writes
//! move exactly 8 bytes.

use super::file::{FileOps, Metadata, OpenFile, Readiness, O_RDWR};
use crate::error::Result;
use crate::return_errno;
use crate::sync::WaitQueue;
use crate::syscall::Context;
use abi::open_flags::{O_CLOEXEC, O_NONBLOCK};
use alloc::sync::Arc;
use hal::sync::SpinLock;

const EFD_SEMAPHORE: u32 = 1;

pub struct EventFd {
    count: SpinLock<u64>,
    is_semaphore: bool,
    /// Woken on every change of the counter, for readers and writers.
    queue: WaitQueue,
}

/// The largest amount the counter may hold, as Linux keeps u64::MAX out of
/// it (a write of u64::MAX itself is EINVAL).
const MAX_COUNT: u64 = u64::MAX - 1;

impl FileOps for EventFd {
    fn read(&self, file: &OpenFile, _offset: u64, buffer: &mut [u8]) -> Result<usize> {
        if buffer.len() < 8 {
            return_errno!(EINVAL);
        }
        loop {
            {
                let mut count = self.count.lock();
                if *count > 0 {
                    let taken = if self.is_semaphore { 1 } else { *count };
                    *count -= taken;
                    drop(count);
                    self.queue.wake_all();
                    buffer[..8].copy_from_slice(&taken.to_ne_bytes());
                    return Ok(8);
                }
            }
            if file.is_nonblocking() {
                return_errno!(EAGAIN);
            }
            let is_ready =
                self.queue.wait_until_or(|| *self.count.lock() > 0, crate::signal::current_has_pending);
            if !is_ready {
                return_errno!(ERESTARTSYS);
            }
        }
    }

    fn write(&self, file: &OpenFile, _offset: u64, data: &[u8]) -> Result<usize> {
        let Some(bytes) = data.get(..8) else { return_errno!(EINVAL) };
        let mut word = [0u8; 8];
        word.copy_from_slice(bytes);
        let value = u64::from_ne_bytes(word);
        if value == u64::MAX {
            return_errno!(EINVAL);
        }
        loop {
            {
                let mut count = self.count.lock();
                if MAX_COUNT - *count >= value {
                    *count += value;
                    drop(count);
                    self.queue.wake_all();
                    return Ok(8);
                }
            }
            if file.is_nonblocking() {
                return_errno!(EAGAIN);
            }
            let has_room = self.queue.wait_until_or(
                || MAX_COUNT - *self.count.lock() >= value,
                crate::signal::current_has_pending,
            );
            if !has_room {
                return_errno!(ERESTARTSYS);
            }
        }
    }

    fn metadata(&self) -> Result<Metadata> {
        Ok(super::anonymous_metadata())
    }

    fn is_seekable(&self) -> bool {
        false
    }

    fn readiness(&self) -> Readiness {
        let count = *self.count.lock();
        Readiness { readable: count > 0, writable: count < MAX_COUNT, ..Readiness::default() }
    }

    fn wait_queues(&self) -> [Option<&WaitQueue>; 2] {
        [Some(&self.queue), None]
    }
}

pub fn eventfd2(context: &mut Context, initial: u32, flags: u32) -> Result<i32> {
    if flags & !(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE) != 0 {
        return_errno!(EINVAL);
    }
    let eventfd = EventFd {
        count: SpinLock::new(u64::from(initial)),
        is_semaphore: flags & EFD_SEMAPHORE != 0,
        queue: WaitQueue::new(),
    };
    let file =
        OpenFile::new(Arc::new(eventfd), O_RDWR | (flags & O_NONBLOCK), b"anon_inode:[eventfd]".to_vec());
    context.process().files.lock().insert(file, flags & O_CLOEXEC != 0)
}
