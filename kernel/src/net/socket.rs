//! The family-independent socket: [`SocketOps`] is what each address
//! family (AF_INET in `net/inet*`, AF_UNIX in `net/unix*`) implements, and
//! [`SocketFile`] puts any of them behind a file descriptor, so read,
//! write, poll, epoll, fcntl and close work on sockets as on other files.
//!
//! Addresses cross this interface as the raw `sockaddr` bytes user space
//! gave (or will get): each family parses and builds its own, so the
//! generic layer never needs to know a family's address format.

use crate::error::Result;
use crate::fs::file::{FileOps, Metadata, OpenFile, Readiness};
use crate::mm::user::read_val;
use crate::return_errno;
use crate::sync::WaitQueue;
use crate::syscall::UserAddr;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

/// Address families (include/linux/socket.h).
pub const AF_UNIX: u16 = 1;
pub const AF_INET: u16 = 2;
pub const AF_INET6: u16 = 10;

/// Socket types (the low bits of socket(2)'s `type`).
pub const SOCK_STREAM: i32 = 1;
pub const SOCK_DGRAM: i32 = 2;
pub const SOCK_RAW: i32 = 3;
pub const SOCK_SEQPACKET: i32 = 5;

/// send/recv flags (include/linux/socket.h).
pub const MSG_PEEK: u32 = 0x2;
pub const MSG_CTRUNC: u32 = 0x8;
pub const MSG_TRUNC: u32 = 0x20;
pub const MSG_DONTWAIT: u32 = 0x40;
pub const MSG_WAITALL: u32 = 0x100;
pub const MSG_NOSIGNAL: u32 = 0x4000;
pub const MSG_CMSG_CLOEXEC: u32 = 0x4000_0000;

/// Option levels and the SOL_SOCKET options the generic layer answers.
pub const SOL_SOCKET: i32 = 1;
pub const SO_TYPE: i32 = 3;
pub const SO_ERROR: i32 = 4;
pub const SO_ACCEPTCONN: i32 = 30;
pub const SO_PROTOCOL: i32 = 38;
pub const SO_DOMAIN: i32 = 39;

/// shutdown(2)'s `how`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shutdown {
    Read,
    Write,
    Both,
}

impl Shutdown {
    pub fn from_how(how: i32) -> Result<Shutdown> {
        match how {
            0 => Ok(Shutdown::Read),
            1 => Ok(Shutdown::Write),
            2 => Ok(Shutdown::Both),
            _ => return_errno!(EINVAL),
        }
    }
    pub fn has_read(self) -> bool {
        self != Shutdown::Write
    }
    pub fn has_write(self) -> bool {
        self != Shutdown::Read
    }
}

/// Ancillary data, parsed from / turned into `cmsghdr`s by the generic
/// layer, so a family never touches a descriptor table.
pub enum ControlMessage {
    /// SCM_RIGHTS: open files passed along (AF_UNIX).
    Rights(Vec<Arc<OpenFile>>),
    /// SCM_CREDENTIALS: pid, uid, gid.
    Credentials { pid: i32, uid: u32, gid: u32 },
}

/// How a send or receive may wait: `is_nonblocking` is O_NONBLOCK on the
/// file or MSG_DONTWAIT; `flags` are the MSG_* flags as given.
#[derive(Clone, Copy, Debug)]
pub struct IoFlags {
    pub flags: u32,
    pub is_nonblocking: bool,
}

/// The value setsockopt(2) was given, still in user memory.
#[derive(Clone, Copy)]
pub struct OptionValue {
    pub address: UserAddr,
    pub length: u32,
}

impl OptionValue {
    /// An int option: EINVAL when shorter than an int (sock_setsockopt).
    pub fn int(&self) -> Result<i32> {
        if (self.length as i32) < 4 {
            return_errno!(EINVAL);
        }
        read_val(self.address)
    }
}

pub use super::socket_options::{SocketOptions, SO_SNDBUF};

/// Waits on `queue` until `ready` holds, the way a blocking socket call
/// waits: EAGAIN at once when non-blocking or when `timeout_ns`
/// (SO_RCVTIMEO/SO_SNDTIMEO) runs out; on a signal ERESTARTSYS, or EINTR
/// when a timeout was set (sock_intr_errno: such calls are not restarted).
pub fn wait_on(
    queue: &WaitQueue,
    is_nonblocking: bool,
    timeout_ns: Option<u64>,
    mut ready: impl FnMut() -> bool,
) -> Result<()> {
    if ready() {
        return Ok(());
    }
    if is_nonblocking || timeout_ns == Some(0) {
        return_errno!(EAGAIN);
    }
    let me = crate::sched::current();
    queue.register(&me);
    let mut is_ready = false;
    let deadline = timeout_ns.map(crate::time::deadline_after);
    let timed_out = crate::time::timer::wait_until_or_deadline(deadline, || {
        is_ready = ready();
        is_ready || crate::signal::current_has_pending()
    });
    queue.unregister(&me);
    if is_ready {
        return Ok(());
    }
    if timed_out {
        return_errno!(EAGAIN);
    }
    if timeout_ns.is_some() {
        return_errno!(EINTR);
    }
    return_errno!(ERESTARTSYS)
}

/// What a receive produced.
#[derive(Default)]
pub struct Received {
    /// Bytes placed in the buffer.
    pub count: usize,
    /// The datagram's full length when it was longer than the buffer
    /// (MSG_TRUNC in the flags returns it); otherwise equal to `count`.
    pub full_length: usize,
    /// The sender's address (datagram sockets), raw sockaddr bytes.
    pub source: Option<Vec<u8>>,
    pub control: Vec<ControlMessage>,
    /// MSG_TRUNC, MSG_CTRUNC, MSG_EOR for msg_flags.
    pub message_flags: u32,
}

/// One address family's socket. Blocking calls wait on the socket's own
/// wait queues and return ERESTARTSYS when a signal arrives (the syscall
/// layer turns that into EINTR or a restart). Defaults are Linux's answer
/// for a socket that does not support the call.
pub trait SocketOps: Send + Sync {
    /// AF_* of this socket.
    fn domain(&self) -> u16;
    /// SOCK_* of this socket (without flags).
    fn socket_type(&self) -> i32;
    /// The protocol number getsockopt(SO_PROTOCOL) reports.
    fn protocol(&self) -> i32 {
        0
    }

    fn bind(&self, _address: &[u8]) -> Result<()> {
        return_errno!(EOPNOTSUPP)
    }
    fn listen(&self, _backlog: i32) -> Result<()> {
        return_errno!(EOPNOTSUPP)
    }
    /// The next connection of a listening socket and its peer's address.
    fn accept(&self, _is_nonblocking: bool) -> Result<(Arc<dyn SocketOps>, Vec<u8>)> {
        return_errno!(EOPNOTSUPP)
    }
    /// EINPROGRESS when non-blocking and the connection is under way.
    fn connect(&self, _address: &[u8], _is_nonblocking: bool) -> Result<()> {
        return_errno!(EOPNOTSUPP)
    }
    /// getsockname(2), as raw sockaddr bytes (truncated by the caller).
    fn local_address(&self) -> Result<Vec<u8>>;
    /// getpeername(2); ENOTCONN when there is no peer.
    fn peer_address(&self) -> Result<Vec<u8>> {
        return_errno!(ENOTCONN)
    }

    /// Sends `data` (to `destination` when given: sendto/sendmsg with a
    /// name). Returns the bytes taken. EPIPE is returned as is: the
    /// generic layer raises SIGPIPE unless MSG_NOSIGNAL.
    fn send(
        &self,
        data: &[u8],
        destination: Option<&[u8]>,
        control: Vec<ControlMessage>,
        flags: IoFlags,
    ) -> Result<usize>;
    /// Receives into `buffer`.
    fn receive(&self, buffer: &mut [u8], flags: IoFlags) -> Result<Received>;
    fn shutdown(&self, _how: Shutdown) -> Result<()> {
        return_errno!(ENOTCONN)
    }

    /// The SOL_SOCKET options every socket keeps; setsockopt and
    /// getsockopt at SOL_SOCKET are answered from them by the generic
    /// layer (`socket_options`).
    fn options(&self) -> &SocketOptions;
    /// A SOL_SOCKET option was set: the family applies what it honours
    /// (buffer sizes, keep-alive).
    fn socket_option_changed(&self, _name: i32) {}

    /// setsockopt(2) for what the generic layer does not answer. The
    /// value is read through `value` only when the option needs it, so
    /// an unknown level fails before a bad pointer does, as on Linux.
    fn set_option(&self, _level: i32, _name: i32, _value: OptionValue) -> Result<()> {
        return_errno!(ENOPROTOOPT)
    }
    /// getsockopt(2): the option's bytes (truncated by the caller).
    fn get_option(&self, _level: i32, _name: i32) -> Result<Vec<u8>> {
        return_errno!(ENOPROTOOPT)
    }
    /// Whether listen() was called (SO_ACCEPTCONN).
    fn is_listening(&self) -> bool {
        false
    }
    /// Takes the pending error (SO_ERROR), 0 if none.
    fn take_error(&self) -> i32 {
        0
    }
    /// The socket's lines in /proc/net/tcp or udp (AF_INET only): its
    /// own, and a listener's connections not accepted yet.
    fn inet_entries(&self) -> Vec<(super::proc_sockets::Table, super::proc_sockets::InetEntry)> {
        Vec::new()
    }

    /// Readiness for poll/epoll: readable also for a pending connection
    /// or end of stream, hang_up when both directions are shut.
    fn readiness(&self) -> Readiness;
    /// The queues woken when readiness may have changed.
    fn wait_queues(&self) -> [Option<&WaitQueue>; 2];
    /// ioctl(2) on the socket (FIONREAD and friends).
    fn ioctl(&self, _command: u32, _argument: usize) -> Result<isize> {
        return_errno!(ENOTTY)
    }
    /// The last descriptor is closed.
    fn release(&self) {}
}

/// st_dev of sockets (sockfs, an anonymous device).
pub const DEVICE: u64 = 8;

/// A socket as a file: read is recv with no flags, write is send.
pub struct SocketFile {
    pub socket: Arc<dyn SocketOps>,
    pub inode: u64,
    /// The creator's effective ids, which fstat reports.
    uid: u32,
    gid: u32,
}

impl SocketFile {
    pub fn new(socket: Arc<dyn SocketOps>) -> Arc<SocketFile> {
        static NEXT: AtomicU64 = AtomicU64::new(4000);
        let credentials = crate::process::current().map(|p| *p.credentials.lock()).unwrap_or_default();
        super::sockstat::socket_created();
        let is_inet = socket.domain() == AF_INET;
        let file = Arc::new(SocketFile {
            socket,
            inode: NEXT.fetch_add(1, Ordering::Relaxed),
            uid: credentials.euid,
            gid: credentials.egid,
        });
        if is_inet {
            super::proc_sockets::register(&file);
        }
        file
    }

    /// The creator's effective user id.
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// The socket behind an open file, or ENOTSOCK.
    pub fn of(file: &OpenFile) -> Result<&Arc<dyn SocketOps>> {
        let any: &dyn core::any::Any = file.ops.as_ref();
        match any.downcast_ref::<SocketFile>() {
            Some(socket_file) => Ok(&socket_file.socket),
            None => return_errno!(ENOTSOCK),
        }
    }
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        super::sockstat::socket_freed();
    }
}

/// EPIPE on a stream socket raises SIGPIPE unless MSG_NOSIGNAL (send(2)).
pub fn raise_sigpipe_on_epipe<T>(socket: &dyn SocketOps, result: Result<T>, flags: u32) -> Result<T> {
    if let Err(error) = &result {
        if error.errno == abi::Errno::EPIPE
            && socket.socket_type() == SOCK_STREAM
            && flags & MSG_NOSIGNAL == 0
        {
            crate::signal::send_to_current(abi::signal::SIGPIPE);
        }
    }
    result
}

impl FileOps for SocketFile {
    fn read(&self, file: &OpenFile, _offset: u64, buffer: &mut [u8]) -> Result<usize> {
        let flags = IoFlags { flags: 0, is_nonblocking: file.is_nonblocking() };
        Ok(self.socket.receive(buffer, flags)?.count)
    }

    fn write(&self, file: &OpenFile, _offset: u64, data: &[u8]) -> Result<usize> {
        let flags = IoFlags { flags: 0, is_nonblocking: file.is_nonblocking() };
        let result = self.socket.send(data, None, Vec::new(), flags);
        raise_sigpipe_on_epipe(&*self.socket, result, 0)
    }

    fn metadata(&self) -> Result<Metadata> {
        Ok(Metadata {
            mode: abi::mode::S_IFSOCK | 0o777,
            links: 1,
            inode: self.inode,
            device: DEVICE,
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
        // Every socket answers the interface ioctls (sock_do_ioctl).
        if super::interface_ioctl::is_interface_ioctl(command) {
            return super::interface_ioctl::ioctl(command, argument);
        }
        self.socket.ioctl(command, argument)
    }

    fn readiness(&self) -> Readiness {
        self.socket.readiness()
    }

    fn wait_queues(&self) -> [Option<&WaitQueue>; 2] {
        self.socket.wait_queues()
    }

    fn release(&self) {
        self.socket.release();
    }
}
