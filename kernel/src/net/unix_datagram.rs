//! AF_UNIX datagrams between named sockets (unix_dgram_sendmsg,
//! unix_dgram_recvmsg, unix_dgram_connect): each datagram socket not
//! made by socketpair has its own queue, which any sender may fill up to
//! net.unix.max_dgram_qlen; connect() sets a default destination and,
//! on the receiving side, refuses senders other than the peer.

use super::socket::*;
use super::unix_address;
use super::unix_names;
use super::unix_socket::{split_control, Credentials, SocketType, State, UnixSocket};
use crate::error::Result;
use crate::fs::file::OpenFile;
use crate::return_errno;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;

/// net.unix.max_dgram_qlen: a queue is full past this many datagrams.
const MAX_QUEUE: usize = 10;

/// One datagram waiting in a socket's queue.
pub struct Datagram {
    pub data: Vec<u8>,
    pub rights: Vec<Arc<OpenFile>>,
    /// The sender's, or what it gave with SCM_CREDENTIALS.
    pub credentials: Credentials,
    /// The sender's name when it had one (recvfrom reports length 0
    /// otherwise).
    pub source: Option<Vec<u8>>,
}

/// Whether `state`'s socket is connected to `sender` (unix_our_peer).
fn is_connected_to(state: &State, sender: &UnixSocket) -> bool {
    state.datagram_peer.as_ref().is_some_and(|(peer, _)| core::ptr::eq(peer.as_ptr(), sender))
}

/// Whether `sender` may send to the socket of `state` (unix_may_send):
/// not when that socket is connected to another one.
fn may_send(state: &State, sender: &UnixSocket) -> bool {
    state.datagram_peer.is_none() || is_connected_to(state, sender)
}

impl UnixSocket {
    /// Whether a datagram from `sender` would have to wait: the queue is
    /// full, unless this socket is connected back to the sender.
    pub(super) fn is_full_for(&self, sender: &UnixSocket) -> bool {
        let state = self.state.lock();
        state.inbox.len() > MAX_QUEUE && !is_connected_to(&state, sender)
    }

    /// Drops the default destination if it is still `peer` (it closed).
    fn forget_peer(&self, peer: &Weak<UnixSocket>) {
        let mut state = self.state.lock();
        if state.datagram_peer.as_ref().is_some_and(|(current, _)| Weak::ptr_eq(current, peer)) {
            state.datagram_peer = None;
        }
    }

    /// connect(2) on a datagram socket: the default destination, or none
    /// for AF_UNSPEC.
    pub(super) fn connect_datagram(&self, address: &[u8]) -> Result<()> {
        if address.len() < unix_address::PATH_OFFSET {
            return_errno!(EINVAL);
        }
        if unix_address::is_unspecified(address) {
            self.state.lock().datagram_peer = None;
            return Ok(());
        }
        let name = unix_address::parse(address)?;
        self.bind_if_passing_credentials()?;
        let target = unix_names::find(&name, self.kind)?;
        if target.kind != self.kind {
            return_errno!(EPROTOTYPE);
        }
        let target_name = target.name_bytes().unwrap_or_else(unix_address::unnamed);
        if !core::ptr::eq(Arc::as_ptr(&target), self) && !may_send(&target.state.lock(), self) {
            return_errno!(EPERM);
        }
        self.state.lock().datagram_peer = Some((Arc::downgrade(&target), target_name));
        Ok(())
    }

    /// sendto(2) or send(2) on a datagram socket without a socketpair
    /// connection: to `destination`, else to the default destination.
    pub(super) fn send_datagram(
        &self,
        data: &[u8],
        destination: Option<&[u8]>,
        control: Vec<ControlMessage>,
        flags: IoFlags,
    ) -> Result<usize> {
        let name = destination.map(unix_address::parse).transpose()?;
        let peer = match &name {
            Some(_) => None,
            None => match self.state.lock().datagram_peer.clone() {
                Some((peer, _)) => Some(peer),
                None => return_errno!(ENOTCONN),
            },
        };
        self.bind_if_passing_credentials()?;
        if data.len() + 32 > self.send_buffer() {
            return_errno!(EMSGSIZE);
        }
        let target = match (&name, &peer) {
            (Some(name), _) => {
                let target = unix_names::find(name, self.kind)?;
                if target.kind != SocketType::Datagram {
                    return_errno!(EPROTOTYPE);
                }
                target
            }
            (None, Some(peer)) => match peer.upgrade().filter(|target| target.is_alive()) {
                Some(target) => target,
                None => {
                    // A peer that closed refuses once, then the socket is
                    // unconnected (unix_dgram_sendmsg).
                    self.forget_peer(peer);
                    return_errno!(ECONNREFUSED);
                }
            },
            (None, None) => return_errno!(ENOTCONN),
        };
        let (rights, credentials) = split_control(control);
        let mut datagram =
            Some(Datagram { data: data.to_vec(), rights, credentials, source: self.name_bytes() });
        loop {
            if !target.is_alive() {
                if let Some(peer) = &peer {
                    self.forget_peer(peer);
                }
                return_errno!(ECONNREFUSED);
            }
            {
                let mut state = target.state.lock();
                if !may_send(&state, self) {
                    return_errno!(EPERM);
                }
                if state.inbox.len() <= MAX_QUEUE || is_connected_to(&state, self) {
                    if let Some(datagram) = datagram.take() {
                        state.inbox.push_back(datagram);
                    }
                    drop(state);
                    target.arrived.wake_all();
                    return Ok(data.len());
                }
            }
            if flags.is_nonblocking {
                return_errno!(EAGAIN);
            }
            let is_ready = target.room.wait_until_or(
                || !target.is_alive() || !target.is_full_for(self),
                crate::signal::current_has_pending,
            );
            if !is_ready {
                return_errno!(ERESTARTSYS);
            }
        }
    }

    /// recv(2) from the socket's own datagram queue.
    pub(super) fn receive_datagram(&self, buffer: &mut [u8], flags: IoFlags) -> Result<Received> {
        let is_peek = flags.flags & MSG_PEEK != 0;
        loop {
            let taken = {
                let mut state = self.state.lock();
                if is_peek {
                    state.inbox.front().map(|front| Datagram {
                        data: front.data.clone(),
                        rights: front.rights.clone(),
                        credentials: front.credentials,
                        source: front.source.clone(),
                    })
                } else {
                    state.inbox.pop_front()
                }
            };
            if let Some(datagram) = taken {
                if !is_peek {
                    self.room.wake_all();
                }
                let count = datagram.data.len().min(buffer.len());
                buffer[..count].copy_from_slice(&datagram.data[..count]);
                let is_truncated = datagram.data.len() > count;
                return Ok(Received {
                    count,
                    full_length: datagram.data.len(),
                    source: datagram.source,
                    control: self.control_for(datagram.rights, Some(datagram.credentials)),
                    message_flags: if is_truncated { MSG_TRUNC } else { 0 },
                });
            }
            if flags.is_nonblocking {
                return_errno!(EAGAIN);
            }
            let is_ready = self
                .arrived
                .wait_until_or(|| !self.state.lock().inbox.is_empty(), crate::signal::current_has_pending);
            if !is_ready {
                return_errno!(ERESTARTSYS);
            }
        }
    }
}
