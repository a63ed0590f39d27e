//! Listening and connecting for AF_UNIX stream and seqpacket sockets
//! (unix_listen, unix_stream_connect, unix_accept): a connect makes the
//! server's side of the connection at once and queues it on the
//! listener, so it completes before accept; a full backlog makes the
//! connector wait (EAGAIN when non-blocking).

use super::unix_address::{self, UnixName};
use super::unix_connection::Connection;
use super::unix_names;
use super::unix_socket::{current_credentials, SocketType, UnixSocket};
use crate::error::Result;
use crate::return_errno;
use alloc::collections::VecDeque;
use alloc::sync::Arc;

/// net.core.somaxconn: listen(2) clamps its backlog to this.
const MAX_BACKLOG: u32 = 4096;

/// A listener's pending connections: the server sides, not yet accepted.
pub struct Backlog {
    pub queue: VecDeque<Arc<UnixSocket>>,
    /// sk_max_ack_backlog: the queue is full past it (unix_recvq_full).
    pub limit: usize,
}

impl Backlog {
    fn is_full(&self) -> bool {
        self.queue.len() > self.limit
    }
}

impl UnixSocket {
    /// listen(2): EOPNOTSUPP for datagram sockets, EINVAL when connected
    /// or unbound. Listening again changes the backlog. The listener's
    /// credentials are what its connectors see as SO_PEERCRED.
    pub(super) fn start_listening(&self, backlog: i32) -> Result<()> {
        if self.kind == SocketType::Datagram {
            return_errno!(EOPNOTSUPP);
        }
        if self.connection().is_some() {
            return_errno!(EINVAL);
        }
        let limit = (backlog as u32).min(MAX_BACKLOG) as usize;
        let mut state = self.state.lock();
        if state.name.is_none() {
            return_errno!(EINVAL);
        }
        match &mut state.backlog {
            Some(existing) => existing.limit = limit,
            None => state.backlog = Some(Backlog { queue: VecDeque::new(), limit }),
        }
        state.peer_credentials = Some(current_credentials());
        drop(state);
        self.room.wake_all();
        Ok(())
    }

    /// The next pending connection: EINVAL when not listening, EAGAIN
    /// when none is there and the socket is non-blocking.
    pub(super) fn take_connection(&self, is_nonblocking: bool) -> Result<Arc<UnixSocket>> {
        loop {
            {
                let mut state = self.state.lock();
                let Some(backlog) = state.backlog.as_mut() else { return_errno!(EINVAL) };
                if let Some(accepted) = backlog.queue.pop_front() {
                    drop(state);
                    self.room.wake_all();
                    return Ok(accepted);
                }
            }
            if is_nonblocking {
                return_errno!(EAGAIN);
            }
            let is_ready = self.arrived.wait_until_or(
                || self.state.lock().backlog.as_ref().is_none_or(|backlog| !backlog.queue.is_empty()),
                crate::signal::current_has_pending,
            );
            if !is_ready {
                return_errno!(ERESTARTSYS);
            }
        }
    }

    /// connect(2) for streams and seqpacket. Linux's order: the address,
    /// the socket it names (ENOENT, ECONNREFUSED, EPROTOTYPE), whether it
    /// listens (ECONNREFUSED), room in its backlog (EAGAIN or a wait),
    /// and only then this socket's own state (EISCONN, EINVAL).
    pub(super) fn connect_stream(&self, address: &[u8], is_nonblocking: bool) -> Result<()> {
        let name = unix_address::parse(address)?;
        self.bind_if_passing_credentials()?;
        loop {
            let listener = unix_names::find(&name, self.kind)?;
            if listener.kind != self.kind {
                return_errno!(EPROTOTYPE);
            }
            let is_self = core::ptr::eq(Arc::as_ptr(&listener), self);
            // This socket's own state, read before the listener is locked
            // (they may be the same socket).
            let (own_name, is_listening) = if is_self {
                (None, true)
            } else {
                let state = self.state.lock();
                (state.name.as_ref().map(UnixName::to_bytes), state.backlog.is_some())
            };
            let mut listener_state = listener.state.lock();
            let Some(backlog) = listener_state.backlog.as_ref() else { return_errno!(ECONNREFUSED) };
            if backlog.is_full() {
                drop(listener_state);
                if is_nonblocking {
                    return_errno!(EAGAIN);
                }
                let is_ready = listener.room.wait_until_or(
                    || {
                        !listener.is_alive()
                            || listener.state.lock().backlog.as_ref().is_none_or(|b| !b.is_full())
                    },
                    crate::signal::current_has_pending,
                );
                if !is_ready {
                    return_errno!(ERESTARTSYS);
                }
                continue;
            }
            if self.connection().is_some() {
                return_errno!(EISCONN);
            }
            if is_listening {
                return_errno!(EINVAL);
            }
            let connection = Connection::new(self.kind);
            connection.set_send_buffer(0, self.send_buffer());
            // Claim this side first: of two threads connecting the same
            // socket, the loser queues nothing.
            let mut is_first = false;
            self.connected.call_once(|| {
                is_first = true;
                (connection.clone(), 0)
            });
            if !is_first {
                return_errno!(EISCONN);
            }
            let accepted = UnixSocket::new(self.kind);
            accepted.connected.call_once(|| (connection, 1));
            {
                let mut accepted_state = accepted.state.lock();
                // The accepted socket has the listener's name.
                accepted_state.name = listener_state.name.clone();
                accepted_state.peer_name = own_name;
                accepted_state.peer_credentials = Some(current_credentials());
            }
            let listener_name = listener_state.name.as_ref().map(UnixName::to_bytes);
            let listener_credentials = listener_state.peer_credentials;
            if let Some(backlog) = listener_state.backlog.as_mut() {
                backlog.queue.push_back(accepted);
            }
            drop(listener_state);
            listener.arrived.wake_all();
            let mut state = self.state.lock();
            state.peer_name = listener_name;
            state.peer_credentials = listener_credentials;
            drop(state);
            self.arrived.wake_all();
            return Ok(());
        }
    }
}
