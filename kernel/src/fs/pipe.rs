//! Pipes: a bounded byte queue between a read end and a write end.
//! Readers block while it is empty and a writer exists; writers block while
//! it is full; writing with no reader left is EPIPE (and SIGPIPE).

use super::file::{FileOps, Metadata, OpenFile, Readiness};
use crate::error::Result;
use crate::return_errno;
use crate::sync::WaitQueue;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use hal::sync::SpinLock;

/// st_dev of pipes (pipefs, an anonymous device).
pub const DEVICE: u64 = 13;

/// Linux's default pipe capacity.
pub const CAPACITY: usize = 65536;

struct State {
    buffer: VecDeque<u8>,
    readers: usize,
    writers: usize,
}

pub struct Pipe {
    state: SpinLock<State>,
    readable: WaitQueue,
    writable: WaitQueue,
    inode: u64,
}

pub struct PipeEnd {
    pipe: Arc<Pipe>,
    is_writer: bool,
}

/// A new pipe's read and write ends.
pub fn new() -> (Arc<dyn FileOps>, Arc<dyn FileOps>) {
    static NEXT: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(1);
    let pipe = Arc::new(Pipe {
        state: SpinLock::new(State { buffer: VecDeque::new(), readers: 1, writers: 1 }),
        readable: WaitQueue::new(),
        writable: WaitQueue::new(),
        inode: NEXT.fetch_add(1, core::sync::atomic::Ordering::Relaxed),
    });
    (Arc::new(PipeEnd { pipe: pipe.clone(), is_writer: false }), Arc::new(PipeEnd { pipe, is_writer: true }))
}

impl FileOps for PipeEnd {
    fn read(&self, file: &OpenFile, _offset: u64, buffer: &mut [u8]) -> Result<usize> {
        if buffer.is_empty() {
            return Ok(0);
        }
        let pipe = &self.pipe;
        loop {
            {
                let mut state = pipe.state.lock();
                if !state.buffer.is_empty() {
                    let count = buffer.len().min(state.buffer.len());
                    for (slot, byte) in buffer.iter_mut().zip(state.buffer.drain(..count)) {
                        *slot = byte;
                    }
                    drop(state);
                    pipe.writable.wake_all();
                    return Ok(count);
                }
                if state.writers == 0 {
                    return Ok(0);
                }
            }
            if file.is_nonblocking() {
                return_errno!(EAGAIN);
            }
            let interrupted = pipe.readable.wait_until_or(
                || {
                    let state = pipe.state.lock();
                    !state.buffer.is_empty() || state.writers == 0
                },
                crate::signal::current_has_pending,
            );
            if !interrupted {
                return_errno!(ERESTARTSYS);
            }
        }
    }

    fn write(&self, file: &OpenFile, _offset: u64, data: &[u8]) -> Result<usize> {
        let pipe = &self.pipe;
        let mut written = 0;
        while written < data.len() {
            {
                let mut state = pipe.state.lock();
                if state.readers == 0 {
                    drop(state);
                    crate::signal::send_to_current(abi::signal::SIGPIPE);
                    if written > 0 {
                        return Ok(written);
                    }
                    return_errno!(EPIPE);
                }
                let mut room = CAPACITY - state.buffer.len();
                // The buffer is on the kernel heap: if it cannot grow, write
                // what fits, or fail with ENOMEM, rather than failing an
                // allocation the kernel could not recover from.
                let wanted = room.min(data.len() - written);
                if state.buffer.capacity() - state.buffer.len() < wanted
                    && state.buffer.try_reserve(wanted).is_err()
                {
                    room = state.buffer.capacity() - state.buffer.len();
                    if room == 0 {
                        drop(state);
                        if written > 0 {
                            return Ok(written);
                        }
                        return_errno!(ENOMEM);
                    }
                }
                if room > 0 {
                    let count = room.min(data.len() - written);
                    state.buffer.extend(&data[written..written + count]);
                    written += count;
                    drop(state);
                    pipe.readable.wake_all();
                    continue;
                }
            }
            if file.is_nonblocking() {
                if written > 0 {
                    return Ok(written);
                }
                return_errno!(EAGAIN);
            }
            let satisfied = pipe.writable.wait_until_or(
                || {
                    let state = pipe.state.lock();
                    state.buffer.len() < CAPACITY || state.readers == 0
                },
                crate::signal::current_has_pending,
            );
            if !satisfied {
                if written > 0 {
                    return Ok(written);
                }
                return_errno!(ERESTARTSYS);
            }
        }
        Ok(written)
    }

    fn metadata(&self) -> Result<Metadata> {
        Ok(Metadata {
            mode: abi::mode::S_IFIFO | 0o600,
            links: 1,
            inode: self.pipe.inode,
            device: DEVICE,
            block_size: 4096,
            ..Metadata::default()
        })
    }

    fn is_seekable(&self) -> bool {
        false
    }

    fn readiness(&self) -> Readiness {
        let state = self.pipe.state.lock();
        Readiness {
            readable: !self.is_writer && !state.buffer.is_empty(),
            writable: self.is_writer && state.buffer.len() < CAPACITY,
            hang_up: !self.is_writer && state.writers == 0,
            error: self.is_writer && state.readers == 0,
            read_hang_up: false,
        }
    }

    fn wait_queues(&self) -> [Option<&WaitQueue>; 2] {
        [Some(&self.pipe.readable), Some(&self.pipe.writable)]
    }

    fn opened_again(&self) {
        let mut state = self.pipe.state.lock();
        if self.is_writer {
            state.writers += 1;
        } else {
            state.readers += 1;
        }
    }

    fn release(&self) {
        let mut state = self.pipe.state.lock();
        if self.is_writer {
            state.writers -= 1;
        } else {
            state.readers -= 1;
        }
        drop(state);
        self.pipe.readable.wake_all();
        self.pipe.writable.wake_all();
    }
}
