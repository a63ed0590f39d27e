//! An AF_UNIX socket: its type, its name, its state (unconnected,
//! listening, one side of a connection, or a datagram socket with its
//! own queue and maybe a default destination), its options, behind the
//! family-independent [`SocketOps`]. Listening and connecting are in
//! `unix_listener`, datagrams to names in `unix_datagram`, the names
//! themselves in `unix_names`.

use super::socket::*;
use super::unix_address::{self, BindRequest, UnixName};
use super::unix_connection::{Connection, Mode, DEFAULT_BUFFER_BYTES, RECEIVE_SHUTDOWN, SEND_SHUTDOWN};
use super::unix_datagram::Datagram;
use super::unix_listener::Backlog;
use super::unix_names;
use crate::error::Result;
use crate::fs::file::Readiness;
use crate::fs::tmpfs::Inode;
use crate::return_errno;
use crate::sync::WaitQueue;
use alloc::collections::VecDeque;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};
use hal::sync::SpinLock;
use spin::Once;

/// The SOL_SOCKET option only AF_UNIX answers (asm-generic/socket.h).
const SO_PEERCRED: i32 = 17;

/// SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketType {
    Stream = 1,
    Datagram = 2,
    SeqPacket = 5,
}

/// A process's (pid, uid, gid), as SO_PEERCRED and SCM_CREDENTIALS carry.
pub type Credentials = (u32, u32, u32);

/// The caller's pid, effective uid and effective gid.
pub fn current_credentials() -> Credentials {
    crate::process::current()
        .map(|p| {
            let credentials = *p.credentials.lock();
            (p.pid, credentials.euid, credentials.egid)
        })
        .unwrap_or_default()
}

/// What changes after creation, under one lock.
#[derive(Default)]
pub(super) struct State {
    pub name: Option<UnixName>,
    /// The inode of a path name, to free the name on close.
    pub inode: Option<Arc<Inode>>,
    /// Pending connections, once listen() was called.
    pub backlog: Option<Backlog>,
    /// The peer's name as it was at connect time (streams, seqpacket).
    pub peer_name: Option<Vec<u8>>,
    /// SO_PEERCRED: the peer's at connect or socketpair time; a
    /// listener's own, from listen().
    pub peer_credentials: Option<Credentials>,
    /// A datagram socket's default destination and its name.
    pub datagram_peer: Option<(Weak<UnixSocket>, Vec<u8>)>,
    /// Datagrams sent to this socket by name.
    pub inbox: VecDeque<Datagram>,
}

pub struct UnixSocket {
    pub kind: SocketType,
    /// This socket, to hand out to the name tables and to peers.
    pub(super) this: Weak<UnixSocket>,
    /// Its side of a connection, once connected (never undone).
    pub(super) connected: Once<(Arc<Connection>, usize)>,
    pub(super) state: SpinLock<State>,
    /// The SOL_SOCKET options (SO_SNDBUF sizes the connection's queue,
    /// SO_PASSCRED attaches credentials).
    options: SocketOptions,
    /// Set when the last descriptor closes: names stop reaching it.
    is_released: AtomicBool,
    /// Woken when something arrives for the socket itself: a datagram
    /// sent to its name, a connection to accept, a state change.
    pub(super) arrived: WaitQueue,
    /// Woken when its datagram queue or backlog has room again, or it
    /// closes: senders and connectors wait here.
    pub(super) room: WaitQueue,
}

impl UnixSocket {
    pub fn new(kind: SocketType) -> Arc<UnixSocket> {
        Arc::new_cyclic(|this| UnixSocket {
            kind,
            this: this.clone(),
            connected: Once::new(),
            state: SpinLock::new(State::default()),
            options: SocketOptions::new(DEFAULT_BUFFER_BYTES, DEFAULT_BUFFER_BYTES),
            is_released: AtomicBool::new(false),
            arrived: WaitQueue::new(),
            room: WaitQueue::new(),
        })
    }

    /// Two sockets connected to each other (socketpair); each has the
    /// caller's credentials as its peer's.
    pub fn new_pair(kind: SocketType) -> (Arc<UnixSocket>, Arc<UnixSocket>) {
        let connection = Connection::new(kind);
        let (first, second) = (Self::new(kind), Self::new(kind));
        first.connected.call_once(|| (connection.clone(), 0));
        second.connected.call_once(|| (connection, 1));
        let credentials = current_credentials();
        first.state.lock().peer_credentials = Some(credentials);
        second.state.lock().peer_credentials = Some(credentials);
        (first, second)
    }

    /// Whether a descriptor still refers to it.
    pub fn is_alive(&self) -> bool {
        !self.is_released.load(Ordering::Acquire)
    }

    pub(super) fn connection(&self) -> Option<(&Connection, usize)> {
        self.connected.get().map(|(connection, side)| (&**connection, *side))
    }

    /// Its name as sockaddr bytes, None when unbound.
    pub(super) fn name_bytes(&self) -> Option<Vec<u8>> {
        self.state.lock().name.as_ref().map(UnixName::to_bytes)
    }

    pub(super) fn send_buffer(&self) -> usize {
        self.options.get().send_buffer
    }

    /// SO_PASSCRED.
    pub(super) fn passes_credentials(&self) -> bool {
        self.options.get().pass_credentials
    }

    pub(super) fn mode(flags: IoFlags) -> Mode {
        Mode {
            is_nonblocking: flags.is_nonblocking,
            is_peek: flags.flags & MSG_PEEK != 0,
            is_wait_all: flags.flags & MSG_WAITALL != 0,
        }
    }

    fn arc(&self) -> Result<Arc<UnixSocket>> {
        self.this.upgrade().ok_or_else(|| abi::Errno::EBADF.into())
    }

    /// Binds a name: EINVAL when it has one already (checked after the
    /// path is found free, as Linux makes the node first).
    fn bind_name(&self, request: BindRequest) -> Result<()> {
        let this = self.arc()?;
        match request {
            BindRequest::Automatic => self.bind_automatic(),
            BindRequest::Name(UnixName::Path(path)) => {
                let (directory, name) = unix_names::prepare_path(&path)?;
                let mut state = self.state.lock();
                if state.name.is_some() {
                    return_errno!(EINVAL);
                }
                let inode = unix_names::bind_path(&directory, &name, &this)?;
                state.name = Some(UnixName::Path(path));
                state.inode = Some(inode);
                Ok(())
            }
            BindRequest::Name(UnixName::Abstract(name)) => {
                let mut state = self.state.lock();
                if state.name.is_some() {
                    return_errno!(EINVAL);
                }
                unix_names::bind_abstract(self.kind, &name, &this)?;
                state.name = Some(UnixName::Abstract(name));
                Ok(())
            }
        }
    }

    /// Autobind: an abstract name if it has none (succeeds if it has).
    pub(super) fn bind_automatic(&self) -> Result<()> {
        let this = self.arc()?;
        let mut state = self.state.lock();
        if state.name.is_none() {
            let name = unix_names::bind_automatic(self.kind, &this)?;
            state.name = Some(UnixName::Abstract(name));
        }
        Ok(())
    }

    /// A sender or connector with SO_PASSCRED gets a name if it has none,
    /// so its peer can tell who it is (unix_dgram_sendmsg, unix_connect).
    pub(super) fn bind_if_passing_credentials(&self) -> Result<()> {
        if self.passes_credentials() {
            self.bind_automatic()?;
        }
        Ok(())
    }

    /// Control messages a receive delivers: the passed descriptors, and
    /// the sender's credentials when SO_PASSCRED is on.
    pub(super) fn control_for(
        &self,
        rights: Vec<Arc<crate::fs::file::OpenFile>>,
        credentials: Option<Credentials>,
    ) -> Vec<ControlMessage> {
        let mut control = Vec::new();
        if self.passes_credentials() {
            if let Some((pid, uid, gid)) = credentials {
                control.push(ControlMessage::Credentials { pid: pid as i32, uid, gid });
            }
        }
        if !rights.is_empty() {
            control.push(ControlMessage::Rights(rights));
        }
        control
    }

    /// A queued connection whose listener closed: the connector sees
    /// ECONNRESET, then end of file (unix_release_sock of an embryo).
    pub(super) fn reset(&self) {
        self.is_released.store(true, Ordering::Release);
        if let Some((connection, side)) = self.connection() {
            connection.reset(side);
        }
    }

    /// Receives from a connection (socketpair, connect or accept).
    fn receive_connected(
        &self,
        connection: &Connection,
        side: usize,
        buffer: &mut [u8],
        flags: IoFlags,
    ) -> Result<Received> {
        let received = connection.receive(side, buffer, Self::mode(flags))?;
        let mut message_flags = 0;
        if self.kind != SocketType::Stream && received.full_length > received.count {
            message_flags |= MSG_TRUNC;
        }
        Ok(Received {
            count: received.count,
            full_length: received.full_length,
            source: None,
            control: self.control_for(received.rights, received.credentials),
            message_flags,
        })
    }
}

/// The descriptors and credentials of a send's control messages: the
/// sender's own credentials unless it gave (checked) ones.
pub(super) fn split_control(
    control: Vec<ControlMessage>,
) -> (Vec<Arc<crate::fs::file::OpenFile>>, Credentials) {
    let mut rights = Vec::new();
    let mut credentials = current_credentials();
    for message in control {
        match message {
            ControlMessage::Rights(mut files) => rights.append(&mut files),
            ControlMessage::Credentials { pid, uid, gid } => credentials = (pid as u32, uid, gid),
        }
    }
    (rights, credentials)
}

impl SocketOps for UnixSocket {
    fn domain(&self) -> u16 {
        AF_UNIX
    }

    fn socket_type(&self) -> i32 {
        self.kind as i32
    }

    fn bind(&self, address: &[u8]) -> Result<()> {
        self.bind_name(unix_address::parse_bind(address)?)
    }

    fn listen(&self, backlog: i32) -> Result<()> {
        self.start_listening(backlog)
    }

    fn accept(&self, is_nonblocking: bool) -> Result<(Arc<dyn SocketOps>, Vec<u8>)> {
        if self.kind == SocketType::Datagram {
            return_errno!(EOPNOTSUPP);
        }
        let accepted = self.take_connection(is_nonblocking)?;
        let peer = accepted.peer_address()?;
        Ok((accepted, peer))
    }

    fn connect(&self, address: &[u8], is_nonblocking: bool) -> Result<()> {
        if self.kind == SocketType::Datagram {
            return self.connect_datagram(address);
        }
        self.connect_stream(address, is_nonblocking)
    }

    fn local_address(&self) -> Result<Vec<u8>> {
        Ok(self.name_bytes().unwrap_or_else(unix_address::unnamed))
    }

    fn peer_address(&self) -> Result<Vec<u8>> {
        let state = self.state.lock();
        if self.connection().is_some() {
            return Ok(state.peer_name.clone().unwrap_or_else(unix_address::unnamed));
        }
        match &state.datagram_peer {
            Some((_, name)) => Ok(name.clone()),
            None => return_errno!(ENOTCONN),
        }
    }

    /// send(2): to the connected peer, or for a datagram socket to a
    /// name or its default destination.
    fn send(
        &self,
        data: &[u8],
        destination: Option<&[u8]>,
        control: Vec<ControlMessage>,
        flags: IoFlags,
    ) -> Result<usize> {
        let destination = destination.filter(|name| !name.is_empty());
        match self.kind {
            SocketType::Datagram if destination.is_some() || self.connection().is_none() => {
                return self.send_datagram(data, destination, control, flags);
            }
            // unix_stream_sendmsg refuses an address.
            SocketType::Stream if destination.is_some() => {
                if self.connection().is_some() {
                    return_errno!(EISCONN);
                }
                return_errno!(EOPNOTSUPP);
            }
            // unix_seqpacket_sendmsg ignores one.
            _ => {}
        }
        let Some((connection, side)) = self.connection() else { return_errno!(ENOTCONN) };
        let (rights, credentials) = split_control(control);
        connection.send(side, data, rights, credentials, Self::mode(flags))
    }

    /// recv(2).
    fn receive(&self, buffer: &mut [u8], flags: IoFlags) -> Result<Received> {
        if let Some((connection, side)) = self.connection() {
            return self.receive_connected(connection, side, buffer, flags);
        }
        if self.kind == SocketType::Datagram {
            return self.receive_datagram(buffer, flags);
        }
        return_errno!(EINVAL)
    }

    fn shutdown(&self, how: Shutdown) -> Result<()> {
        let bits = match how {
            Shutdown::Read => RECEIVE_SHUTDOWN,
            Shutdown::Write => SEND_SHUTDOWN,
            Shutdown::Both => RECEIVE_SHUTDOWN | SEND_SHUTDOWN,
        };
        if let Some((connection, side)) = self.connection() {
            connection.shutdown(side, bits);
        }
        // Linux records the bits on an unconnected socket and succeeds;
        // nothing here reads them yet.
        Ok(())
    }

    fn options(&self) -> &SocketOptions {
        &self.options
    }

    fn socket_option_changed(&self, name: i32) {
        if name == SO_SNDBUF {
            if let Some((connection, side)) = self.connection() {
                connection.set_send_buffer(side, self.send_buffer());
            }
        }
    }

    /// SOL_SOCKET options are the generic layer's; AF_UNIX has no others.
    fn set_option(&self, _level: i32, _name: i32, _value: OptionValue) -> Result<()> {
        return_errno!(EOPNOTSUPP)
    }

    /// SO_PEERCRED, the one SOL_SOCKET option only AF_UNIX answers.
    fn get_option(&self, level: i32, name: i32) -> Result<Vec<u8>> {
        if level != SOL_SOCKET {
            return_errno!(EOPNOTSUPP);
        }
        if name != SO_PEERCRED {
            return_errno!(ENOPROTOOPT);
        }
        // No peer: pid 0 and ids -1 (cred_to_ucred).
        let (pid, uid, gid) = self.state.lock().peer_credentials.unwrap_or((0, u32::MAX, u32::MAX));
        let mut bytes = pid.to_ne_bytes().to_vec();
        bytes.extend_from_slice(&uid.to_ne_bytes());
        bytes.extend_from_slice(&gid.to_ne_bytes());
        Ok(bytes)
    }

    fn is_listening(&self) -> bool {
        self.state.lock().backlog.is_some()
    }

    /// SO_ERROR: the pending error, cleared.
    fn take_error(&self) -> i32 {
        self.connection().and_then(|(connection, side)| connection.take_error(side)).map_or(0, |e| e as i32)
    }

    fn ioctl(&self, command: u32, argument: usize) -> Result<isize> {
        const FIONREAD: u32 = 0x541b;
        match command {
            FIONREAD => {
                let count = match self.connection() {
                    Some((connection, side)) => connection.unread_bytes(side),
                    None => self.state.lock().inbox.front().map_or(0, |d| d.data.len()),
                };
                crate::mm::user::write_val(crate::syscall::UserAddr(argument), &(count as i32))?;
                Ok(0)
            }
            _ => return_errno!(ENOTTY),
        }
    }

    fn readiness(&self) -> Readiness {
        if let Some((connection, side)) = self.connection() {
            return connection.readiness(side);
        }
        let state = self.state.lock();
        if let Some(backlog) = &state.backlog {
            // A listener is never writable (unix_writable).
            return Readiness { readable: !backlog.queue.is_empty(), ..Readiness::default() };
        }
        if self.kind == SocketType::Datagram {
            let peer = state.datagram_peer.as_ref().and_then(|(peer, _)| peer.upgrade());
            drop(state);
            let is_writable = peer.is_none_or(|peer| !peer.is_full_for(self));
            return Readiness {
                readable: !self.state.lock().inbox.is_empty(),
                writable: is_writable,
                ..Readiness::default()
            };
        }
        // An unconnected stream socket polls as hung up (unix_poll).
        Readiness { writable: true, hang_up: true, ..Readiness::default() }
    }

    fn wait_queues(&self) -> [Option<&WaitQueue>; 2] {
        match self.connection() {
            Some((connection, side)) => connection.wait_queues(side),
            None => [Some(&self.arrived), Some(&self.room)],
        }
    }

    fn release(&self) {
        self.is_released.store(true, Ordering::Release);
        if let Some((connection, side)) = self.connection() {
            connection.close(side);
        }
        let (name, inode, backlog, inbox) = {
            let mut state = self.state.lock();
            state.datagram_peer = None;
            (state.name.clone(), state.inode.take(), state.backlog.take(), core::mem::take(&mut state.inbox))
        };
        if let Some(name) = name {
            unix_names::unbind(self, &name, inode.as_ref());
        }
        // Connections never accepted are reset (unix_release_sock).
        if let Some(backlog) = backlog {
            for embryo in backlog.queue {
                embryo.reset();
            }
        }
        drop(inbox);
        self.arrived.wake_all();
        self.room.wake_all();
    }
}
