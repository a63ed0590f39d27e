//! An AF_UNIX socket: its type, its state (unconnected or one side of a
//! connection), and its options, behind the family-independent
//! [`SocketOps`].

use super::socket::*;
use super::unix_connection::{Connection, Mode, DEFAULT_BUFFER_BYTES, RECEIVE_SHUTDOWN, SEND_SHUTDOWN};
use crate::error::Result;
use crate::fs::file::Readiness;
use crate::return_errno;
use crate::sync::WaitQueue;
use alloc::sync::Arc;
use alloc::vec::Vec;
use spin::Once;

/// SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketType {
    Stream = 1,
    Datagram = 2,
    SeqPacket = 5,
}

pub struct UnixSocket {
    pub kind: SocketType,
    /// Its side of a connection, once connected (never undone).
    connected: Once<(Arc<Connection>, usize)>,
    /// The SOL_SOCKET options (SO_SNDBUF sizes the connection's queue).
    options: SocketOptions,
    /// Woken on state changes of an unconnected socket (none yet).
    idle: WaitQueue,
}

impl UnixSocket {
    pub fn new_unconnected(kind: SocketType) -> UnixSocket {
        UnixSocket {
            kind,
            connected: Once::new(),
            options: SocketOptions::new(DEFAULT_BUFFER_BYTES, DEFAULT_BUFFER_BYTES),
            idle: WaitQueue::new(),
        }
    }

    /// Two sockets connected to each other (socketpair).
    pub fn new_pair(kind: SocketType) -> (UnixSocket, UnixSocket) {
        let connection = Connection::new(kind);
        let (first, second) = (Self::new_unconnected(kind), Self::new_unconnected(kind));
        first.connected.call_once(|| (connection.clone(), 0));
        second.connected.call_once(|| (connection, 1));
        (first, second)
    }

    fn connection(&self) -> Option<(&Connection, usize)> {
        self.connected.get().map(|(connection, side)| (&**connection, *side))
    }

    fn mode(flags: IoFlags) -> Mode {
        Mode {
            is_nonblocking: flags.is_nonblocking,
            is_peek: flags.flags & MSG_PEEK != 0,
            is_wait_all: flags.flags & MSG_WAITALL != 0,
        }
    }
}

/// An AF_UNIX name without a path: what getsockname reports for an
/// unbound socket, and getpeername for a socketpair's peer.
fn unnamed_address() -> Vec<u8> {
    (AF_UNIX).to_ne_bytes().to_vec()
}

impl SocketOps for UnixSocket {
    fn domain(&self) -> u16 {
        AF_UNIX
    }

    fn socket_type(&self) -> i32 {
        self.kind as i32
    }

    fn local_address(&self) -> Result<Vec<u8>> {
        Ok(unnamed_address())
    }

    fn peer_address(&self) -> Result<Vec<u8>> {
        match self.connection() {
            Some(_) => Ok(unnamed_address()),
            None => return_errno!(ENOTCONN),
        }
    }

    /// send(2) to the connected peer, with descriptors to pass.
    fn send(
        &self,
        data: &[u8],
        destination: Option<&[u8]>,
        control: Vec<ControlMessage>,
        flags: IoFlags,
    ) -> Result<usize> {
        if destination.is_some_and(|name| !name.is_empty()) {
            // A connected stream refuses an address (unix_stream_sendmsg);
            // sending to a bound name is not there yet.
            if self.kind != SocketType::Datagram {
                return_errno!(EISCONN);
            }
            return_errno!(EOPNOTSUPP);
        }
        let Some((connection, side)) = self.connection() else { return_errno!(ENOTCONN) };
        let mut rights = Vec::new();
        for message in control {
            if let ControlMessage::Rights(mut files) = message {
                rights.append(&mut files);
            }
        }
        let credentials = crate::process::current()
            .map(|p| {
                let credentials = *p.credentials.lock();
                (p.pid, credentials.euid, credentials.egid)
            })
            .unwrap_or_default();
        connection.send(side, data, rights, credentials, Self::mode(flags))
    }

    /// recv(2).
    fn receive(&self, buffer: &mut [u8], flags: IoFlags) -> Result<Received> {
        let Some((connection, side)) = self.connection() else {
            if self.kind == SocketType::Datagram {
                if flags.is_nonblocking {
                    return_errno!(EAGAIN);
                }
                let _ = self.idle.wait_until_or(|| false, crate::signal::current_has_pending);
                return_errno!(ERESTARTSYS);
            }
            return_errno!(EINVAL);
        };
        let received = connection.receive(side, buffer, Self::mode(flags))?;
        let mut message_flags = 0;
        if self.kind != SocketType::Stream && received.full_length > received.count {
            message_flags |= MSG_TRUNC;
        }
        let mut control = Vec::new();
        if !received.rights.is_empty() {
            control.push(ControlMessage::Rights(received.rights));
        }
        Ok(Received {
            count: received.count,
            full_length: received.full_length,
            source: None,
            control,
            message_flags,
        })
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
                connection.set_send_buffer(side, self.options.get().send_buffer);
            }
        }
    }

    /// Only SOL_SOCKET options, which the generic layer answers.
    fn set_option(&self, _level: i32, _name: i32, _value: OptionValue) -> Result<()> {
        return_errno!(EOPNOTSUPP)
    }

    fn get_option(&self, level: i32, _name: i32) -> Result<Vec<u8>> {
        if level == SOL_SOCKET {
            return_errno!(ENOPROTOOPT);
        }
        return_errno!(EOPNOTSUPP)
    }

    /// SO_ERROR: the pending error, cleared.
    fn take_error(&self) -> i32 {
        self.connection().and_then(|(connection, side)| connection.take_error(side)).map_or(0, |e| e as i32)
    }

    fn ioctl(&self, command: u32, argument: usize) -> Result<isize> {
        const FIONREAD: u32 = 0x541b;
        match command {
            FIONREAD => {
                let count = self.connection().map_or(0, |(connection, side)| connection.unread_bytes(side));
                crate::mm::user::write_val(crate::syscall::UserAddr(argument), &(count as i32))?;
                Ok(0)
            }
            _ => return_errno!(ENOTTY),
        }
    }

    fn readiness(&self) -> Readiness {
        match self.connection() {
            Some((connection, side)) => connection.readiness(side),
            None if self.kind == SocketType::Datagram => Readiness { writable: true, ..Readiness::default() },
            // An unconnected stream socket polls as hung up (unix_poll).
            None => Readiness { writable: true, hang_up: true, ..Readiness::default() },
        }
    }

    fn wait_queues(&self) -> [Option<&WaitQueue>; 2] {
        match self.connection() {
            Some((connection, side)) => connection.wait_queues(side),
            None => [Some(&self.idle), None],
        }
    }

    fn release(&self) {
        if let Some((connection, side)) = self.connection() {
            connection.close(side);
        }
    }
}
