//! An AF_UNIX socket as a file: its type, its state (unconnected or one
//! side of a connection), and its options. Reads and writes are receives
//! and sends without flags.

use super::unix_connection::{
    Connection, Mode, Received, DEFAULT_BUFFER_BYTES, RECEIVE_SHUTDOWN, SEND_SHUTDOWN,
};
use crate::error::Result;
use crate::fs::file::{FileOps, Metadata, OpenFile, Readiness};
use crate::return_errno;
use crate::sync::WaitQueue;
use abi::Errno;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};
use hal::sync::SpinLock;
use spin::Once;

/// SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketType {
    Stream = 1,
    Datagram = 2,
    SeqPacket = 5,
}

/// st_dev of sockets (sockfs, an anonymous device).
const SOCKFS_DEVICE: u64 = 8;

pub const MSG_PEEK: u32 = 2;
pub const MSG_TRUNC: u32 = 0x20;
pub const MSG_DONTWAIT: u32 = 0x40;
pub const MSG_WAITALL: u32 = 0x100;
pub const MSG_NOSIGNAL: u32 = 0x4000;

pub struct UnixSocket {
    pub kind: SocketType,
    pub inode: u64,
    /// Its side of a connection, once connected (never undone).
    connected: Once<(Arc<Connection>, usize)>,
    /// SO_SNDBUF and SO_RCVBUF as getsockopt reports them.
    buffer_sizes: SpinLock<(usize, usize)>,
    /// Woken on state changes of an unconnected socket (none yet).
    idle: WaitQueue,
    uid: u32,
    gid: u32,
}

/// A fresh inode number for a socket (socket:[N]).
fn next_inode() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(4000);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl UnixSocket {
    pub fn new_unconnected(kind: SocketType) -> UnixSocket {
        let credentials = crate::process::current().map(|p| *p.credentials.lock()).unwrap_or_default();
        UnixSocket {
            kind,
            inode: next_inode(),
            connected: Once::new(),
            buffer_sizes: SpinLock::new((DEFAULT_BUFFER_BYTES, DEFAULT_BUFFER_BYTES)),
            idle: WaitQueue::new(),
            uid: credentials.euid,
            gid: credentials.egid,
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

    fn mode(file: &OpenFile, flags: u32) -> Mode {
        Mode {
            is_nonblocking: file.is_nonblocking() || flags & MSG_DONTWAIT != 0,
            is_peek: flags & MSG_PEEK != 0,
            is_wait_all: flags & MSG_WAITALL != 0,
            is_no_signal: flags & MSG_NOSIGNAL != 0,
        }
    }

    /// send(2) to the connected peer, with descriptors to pass.
    pub fn send(
        &self,
        file: &OpenFile,
        data: &[u8],
        flags: u32,
        rights: Vec<Arc<OpenFile>>,
    ) -> Result<usize> {
        let Some((connection, side)) = self.connection() else { return_errno!(ENOTCONN) };
        let credentials = crate::process::current()
            .map(|p| {
                let credentials = *p.credentials.lock();
                (p.pid, credentials.euid, credentials.egid)
            })
            .unwrap_or_default();
        connection.send(side, data, rights, credentials, Self::mode(file, flags))
    }

    /// recv(2).
    pub fn receive(&self, file: &OpenFile, buffer: &mut [u8], flags: u32) -> Result<Received> {
        let Some((connection, side)) = self.connection() else {
            if self.kind == SocketType::Datagram {
                if file.is_nonblocking() || flags & MSG_DONTWAIT != 0 {
                    return_errno!(EAGAIN);
                }
                let _ = self.idle.wait_until_or(|| false, crate::signal::current_has_pending);
                return_errno!(ERESTARTSYS);
            }
            return_errno!(EINVAL);
        };
        connection.receive(side, buffer, Self::mode(file, flags))
    }

    /// shutdown(2): `how` is SHUT_RD (0), SHUT_WR (1) or SHUT_RDWR (2).
    pub fn shutdown(&self, how: i32) -> Result<()> {
        let bits = match how {
            0 => RECEIVE_SHUTDOWN,
            1 => SEND_SHUTDOWN,
            2 => RECEIVE_SHUTDOWN | SEND_SHUTDOWN,
            _ => return_errno!(EINVAL),
        };
        match self.connection() {
            Some((connection, side)) => {
                connection.shutdown(side, bits);
                Ok(())
            }
            // Linux records the bits on an unconnected socket and
            // succeeds; nothing here reads them yet.
            None => Ok(()),
        }
    }

    /// SO_ERROR: the pending error, cleared.
    pub fn take_error(&self) -> Option<Errno> {
        self.connection().and_then(|(connection, side)| connection.take_error(side))
    }

    pub fn buffer_sizes(&self) -> (usize, usize) {
        *self.buffer_sizes.lock()
    }

    pub fn set_send_buffer(&self, bytes: usize) {
        self.buffer_sizes.lock().0 = bytes;
        if let Some((connection, side)) = self.connection() {
            connection.set_send_buffer(side, bytes);
        }
    }

    pub fn set_receive_buffer(&self, bytes: usize) {
        self.buffer_sizes.lock().1 = bytes;
    }
}

impl FileOps for UnixSocket {
    fn read(&self, file: &OpenFile, _offset: u64, buffer: &mut [u8]) -> Result<usize> {
        self.receive(file, buffer, 0).map(|received| received.count)
    }

    fn write(&self, file: &OpenFile, _offset: u64, data: &[u8]) -> Result<usize> {
        self.send(file, data, 0, Vec::new())
    }

    fn metadata(&self) -> Result<Metadata> {
        Ok(Metadata {
            mode: abi::mode::S_IFSOCK | 0o777,
            links: 1,
            inode: self.inode,
            device: SOCKFS_DEVICE,
            uid: self.uid,
            gid: self.gid,
            block_size: 4096,
            ..Metadata::default()
        })
    }

    fn is_seekable(&self) -> bool {
        false
    }

    fn ioctl(&self, _file: &OpenFile, command: u32, argument: usize) -> Result<isize> {
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
