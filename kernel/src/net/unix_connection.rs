//! The two directions of a connected AF_UNIX socket pair (net/unix/af_unix.c):
//! each side's receive queue of messages, the shutdown bits of each side,
//! and the pending error. Stream sockets read across message boundaries;
//! datagram and seqpacket sockets read one message per call.

use super::unix_socket::SocketType;
use crate::error::Result;
use crate::fs::file::OpenFile;
use crate::return_errno;
use crate::sync::WaitQueue;
use abi::Errno;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use hal::sync::SpinLock;

/// sk_shutdown bits.
pub const RECEIVE_SHUTDOWN: u8 = 1;
pub const SEND_SHUTDOWN: u8 = 2;

/// Linux's default socket buffer (net.core.wmem_default and rmem_default).
pub const DEFAULT_BUFFER_BYTES: usize = 212992;

/// What a message costs its sender's buffer beyond its bytes: about one
/// sk_buff, so that many small datagrams fill the buffer as on Linux.
const MESSAGE_OVERHEAD_BYTES: usize = 768;

/// One sent message (a stream write, a datagram, a record).
pub struct Message {
    pub data: Vec<u8>,
    /// Bytes of `data` a stream reader has already taken.
    pub consumed: usize,
    /// Descriptors passed with SCM_RIGHTS.
    pub rights: Vec<Arc<OpenFile>>,
    /// The sender's (pid, uid, gid), for SCM_CREDENTIALS.
    pub credentials: (u32, u32, u32),
}

impl Message {
    fn cost(&self) -> usize {
        self.data.len() + MESSAGE_OVERHEAD_BYTES
    }
}

struct State {
    /// `queues[side]`: messages waiting for `side` to read them.
    queues: [VecDeque<Message>; 2],
    /// Buffer bytes charged to the sender of each queue (its sk_wmem).
    queued_bytes: [usize; 2],
    shutdown: [u8; 2],
    is_closed: [bool; 2],
    /// sk_err of each side (ECONNRESET when the peer closed with unread data).
    error: [Option<Errno>; 2],
    send_buffer_bytes: [usize; 2],
}

/// A connection between side 0 and side 1.
pub struct Connection {
    kind: SocketType,
    state: SpinLock<State>,
    /// `arrived[side]`: woken when `side` may read (data, shutdown, error).
    arrived: [WaitQueue; 2],
    /// `drained[side]`: woken when `side` may write (room, shutdown).
    drained: [WaitQueue; 2],
}

/// What a receive gives back.
pub struct Received {
    pub count: usize,
    /// The whole message's length (for MSG_TRUNC on datagrams).
    pub full_length: usize,
    pub rights: Vec<Arc<OpenFile>>,
    pub credentials: Option<(u32, u32, u32)>,
}

/// How a send or receive may wait.
#[derive(Clone, Copy)]
pub struct Mode {
    pub is_nonblocking: bool,
    pub is_peek: bool,
    pub is_wait_all: bool,
}

fn peer(side: usize) -> usize {
    1 - side
}

impl Connection {
    pub fn new(kind: SocketType) -> Arc<Connection> {
        Arc::new(Connection {
            kind,
            state: SpinLock::new(State {
                queues: [VecDeque::new(), VecDeque::new()],
                queued_bytes: [0, 0],
                shutdown: [0, 0],
                is_closed: [false, false],
                error: [None, None],
                send_buffer_bytes: [DEFAULT_BUFFER_BYTES; 2],
            }),
            arrived: [WaitQueue::new(), WaitQueue::new()],
            drained: [WaitQueue::new(), WaitQueue::new()],
        })
    }

    fn wake_everyone(&self) {
        for queue in self.arrived.iter().chain(self.drained.iter()) {
            queue.wake_all();
        }
    }

    pub fn set_send_buffer(&self, side: usize, bytes: usize) {
        self.state.lock().send_buffer_bytes[side] = bytes;
        self.drained[side].wake_all();
    }

    /// Why `side` cannot send now: EPIPE after its own SHUT_WR or the
    /// peer's SHUT_RD or close.
    fn send_error(&self, state: &State, side: usize) -> Option<Errno> {
        let is_shut = state.shutdown[side] & SEND_SHUTDOWN != 0
            || state.shutdown[peer(side)] & RECEIVE_SHUTDOWN != 0
            || state.is_closed[peer(side)];
        if !is_shut {
            return None;
        }
        // A datagram pair whose peer is gone refuses (unix_dgram_sendmsg).
        if self.kind == SocketType::Datagram && state.is_closed[peer(side)] {
            return Some(Errno::ECONNREFUSED);
        }
        Some(Errno::EPIPE)
    }

    /// Queues `data` (with `rights`) for the peer of `side`. Streams take
    /// as much as fits, blocking for the rest unless nonblocking; other
    /// kinds queue the whole message or nothing.
    pub fn send(
        &self,
        side: usize,
        data: &[u8],
        rights: Vec<Arc<OpenFile>>,
        credentials: (u32, u32, u32),
        mode: Mode,
    ) -> Result<usize> {
        let target = peer(side);
        let mut rights = Some(rights);
        let mut sent = 0;
        loop {
            {
                let mut state = self.state.lock();
                if let Some(error) = self.send_error(&state, side) {
                    drop(state);
                    if sent > 0 {
                        return Ok(sent);
                    }
                    // The socket layer raises SIGPIPE for a stream's EPIPE.
                    return Err(error.into());
                }
                let limit = state.send_buffer_bytes[side];
                if self.kind != SocketType::Stream && data.len() + 32 > limit {
                    return_errno!(EMSGSIZE);
                }
                let used = state.queued_bytes[target];
                if used < limit {
                    let room = limit - used;
                    let count = if self.kind == SocketType::Stream {
                        (data.len() - sent).min(room.saturating_sub(MESSAGE_OVERHEAD_BYTES).max(1))
                    } else {
                        data.len()
                    };
                    let mut bytes = Vec::new();
                    bytes.try_reserve_exact(count).map_err(|_| Errno::ENOMEM)?;
                    bytes.extend_from_slice(&data[sent..sent + count]);
                    let message = Message {
                        data: bytes,
                        consumed: 0,
                        rights: rights.take().unwrap_or_default(),
                        credentials,
                    };
                    state.queued_bytes[target] += message.cost();
                    state.queues[target].push_back(message);
                    sent += count;
                    drop(state);
                    self.arrived[target].wake_all();
                    if sent == data.len() {
                        return Ok(sent);
                    }
                    continue;
                }
            }
            if mode.is_nonblocking {
                if sent > 0 {
                    return Ok(sent);
                }
                return_errno!(EAGAIN);
            }
            let is_ready = self.drained[side].wait_until_or(
                || {
                    let state = self.state.lock();
                    state.queued_bytes[target] < state.send_buffer_bytes[side]
                        || self.send_error(&state, side).is_some()
                },
                crate::signal::current_has_pending,
            );
            if !is_ready {
                if sent > 0 {
                    return Ok(sent);
                }
                return_errno!(ERESTARTSYS);
            }
        }
    }

    /// Whether a read by `side` would not block: data, end of file, or an error.
    fn can_receive(state: &State, side: usize) -> bool {
        !state.queues[side].is_empty()
            || state.error[side].is_some()
            || state.shutdown[side] & RECEIVE_SHUTDOWN != 0
    }

    /// Reads into `buffer` what was sent to `side`.
    pub fn receive(&self, side: usize, buffer: &mut [u8], mode: Mode) -> Result<Received> {
        let mut received = Received { count: 0, full_length: 0, rights: Vec::new(), credentials: None };
        loop {
            {
                let mut state = self.state.lock();
                if !state.queues[side].is_empty() {
                    if self.kind == SocketType::Stream {
                        self.take_stream(&mut state, side, buffer, mode, &mut received);
                    } else {
                        self.take_message(&mut state, side, buffer, mode, &mut received);
                    }
                    drop(state);
                    self.drained[peer(side)].wake_all();
                    let is_done = self.kind != SocketType::Stream
                        || !mode.is_wait_all
                        || mode.is_peek
                        || received.count == buffer.len()
                        || !received.rights.is_empty();
                    if is_done {
                        return Ok(received);
                    }
                    continue;
                }
                if received.count > 0 || buffer.is_empty() && self.kind == SocketType::Stream {
                    return Ok(received);
                }
                if let Some(error) = state.error[side].take() {
                    return Err(error.into());
                }
                if state.shutdown[side] & RECEIVE_SHUTDOWN != 0 {
                    return Ok(received);
                }
            }
            if mode.is_nonblocking {
                return_errno!(EAGAIN);
            }
            let is_ready = self.arrived[side].wait_until_or(
                || Self::can_receive(&self.state.lock(), side),
                crate::signal::current_has_pending,
            );
            if !is_ready {
                if received.count > 0 {
                    return Ok(received);
                }
                return_errno!(ERESTARTSYS);
            }
        }
    }

    /// Stream read: bytes across messages, stopping after a message that
    /// passed descriptors (unix_stream_read_generic reads into it, then
    /// stops).
    fn take_stream(&self, state: &mut State, side: usize, buffer: &mut [u8], mode: Mode, out: &mut Received) {
        let mut index = 0;
        while out.count < buffer.len() {
            let Some(message) = state.queues[side].get_mut(index) else { break };
            let available = &message.data[message.consumed.min(message.data.len())..];
            let count = available.len().min(buffer.len() - out.count);
            buffer[out.count..out.count + count].copy_from_slice(&available[..count]);
            out.count += count;
            out.credentials.get_or_insert(message.credentials);
            let has_rights = !message.rights.is_empty();
            if !mode.is_peek {
                message.consumed += count;
                out.rights.append(&mut message.rights);
                if message.consumed == message.data.len() {
                    let done = state.queues[side].pop_front();
                    if let Some(done) = done {
                        state.queued_bytes[side] -= done.cost();
                    }
                }
            } else {
                out.rights.extend(message.rights.iter().cloned());
                index += 1;
            }
            if has_rights {
                break;
            }
        }
        out.full_length = out.count;
    }

    /// Datagram or record read: one message, truncated to the buffer.
    fn take_message(
        &self,
        state: &mut State,
        side: usize,
        buffer: &mut [u8],
        mode: Mode,
        out: &mut Received,
    ) {
        let message = if mode.is_peek {
            let Some(front) = state.queues[side].front() else { return };
            out.rights = front.rights.clone();
            Some((front.data.clone(), front.credentials))
        } else {
            state.queues[side].pop_front().map(|mut message| {
                state.queued_bytes[side] -= message.cost();
                out.rights = core::mem::take(&mut message.rights);
                (message.data, message.credentials)
            })
        };
        if let Some((data, credentials)) = message {
            let count = data.len().min(buffer.len());
            buffer[..count].copy_from_slice(&data[..count]);
            out.count = count;
            out.full_length = data.len();
            out.credentials = Some(credentials);
        }
    }

    /// shutdown(2) by `side`; streams and seqpacket mirror it on the peer.
    pub fn shutdown(&self, side: usize, bits: u8) {
        let mut state = self.state.lock();
        state.shutdown[side] |= bits;
        if self.kind != SocketType::Datagram {
            let mirrored = (if bits & RECEIVE_SHUTDOWN != 0 { SEND_SHUTDOWN } else { 0 })
                | (if bits & SEND_SHUTDOWN != 0 { RECEIVE_SHUTDOWN } else { 0 });
            state.shutdown[peer(side)] |= mirrored;
        }
        drop(state);
        self.wake_everyone();
    }

    /// The last descriptor of `side` went away: its queued messages (and
    /// the descriptors in them) are dropped; a connected peer sees end of
    /// file, or ECONNRESET if `side` left data unread.
    pub fn close(&self, side: usize) {
        self.close_and_maybe_reset(side, false);
    }

    /// `side` was never accepted and its listener closed: the peer sees
    /// ECONNRESET whether or not data was left unread.
    pub fn reset(&self, side: usize) {
        self.close_and_maybe_reset(side, true);
    }

    fn close_and_maybe_reset(&self, side: usize, is_reset: bool) {
        let mut state = self.state.lock();
        state.is_closed[side] = true;
        state.shutdown[side] = RECEIVE_SHUTDOWN | SEND_SHUTDOWN;
        let unread = core::mem::take(&mut state.queues[side]);
        state.queued_bytes[side] = 0;
        if self.kind != SocketType::Datagram {
            state.shutdown[peer(side)] = RECEIVE_SHUTDOWN | SEND_SHUTDOWN;
            if is_reset || !unread.is_empty() {
                state.error[peer(side)] = Some(Errno::ECONNRESET);
            }
        }
        drop(state);
        drop(unread);
        self.wake_everyone();
    }

    pub fn take_error(&self, side: usize) -> Option<Errno> {
        self.state.lock().error[side].take()
    }

    /// poll(2) readiness of `side` (unix_poll, unix_dgram_poll).
    pub fn readiness(&self, side: usize) -> crate::fs::file::Readiness {
        let state = self.state.lock();
        let shutdown = state.shutdown[side];
        let is_writable = state.queued_bytes[peer(side)] * 4 <= state.send_buffer_bytes[side]
            || (self.kind == SocketType::Datagram && state.is_closed[peer(side)]);
        crate::fs::file::Readiness {
            readable: Self::can_receive(&state, side),
            writable: is_writable,
            hang_up: shutdown == RECEIVE_SHUTDOWN | SEND_SHUTDOWN,
            error: state.error[side].is_some(),
            read_hang_up: shutdown & RECEIVE_SHUTDOWN != 0,
        }
    }

    pub fn wait_queues(&self, side: usize) -> [Option<&WaitQueue>; 2] {
        [Some(&self.arrived[side]), Some(&self.drained[side])]
    }

    /// Bytes waiting for `side` (FIONREAD/SIOCINQ).
    pub fn unread_bytes(&self, side: usize) -> usize {
        let state = self.state.lock();
        if self.kind == SocketType::Stream {
            state.queues[side].iter().map(|m| m.data.len() - m.consumed).sum()
        } else {
            state.queues[side].front().map_or(0, |m| m.data.len())
        }
    }
}
