//! Socket syscalls (net/socket.c): creating sockets and pairs, sending,
//! receiving, shutting down, and socket options.

use super::unix_socket::{SocketType, UnixSocket, MSG_TRUNC};
use crate::error::Result;
use crate::fs::file::{OpenFile, O_RDWR};
use crate::mm::user::{check_range, kernel_buffer, read_bytes, read_val, write_bytes, write_val};
use crate::return_errno;
use crate::syscall::{Context, UserAddr};
use abi::open_flags::{O_CLOEXEC, O_NONBLOCK};
use abi::Errno;
use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;

pub const AF_UNIX: i32 = 1;
pub const AF_INET: i32 = 2;
pub const AF_INET6: i32 = 10;
/// Families Linux knows at all (AF_MAX); others are EAFNOSUPPORT too.
const SOCK_MAX: u32 = 11;
const SOCK_TYPE_MASK: u32 = 0xf;
const SOL_SOCKET: i32 = 1;

/// Largest single send or receive goose copies at once.
pub(super) const MAX_IO: usize = 1 << 20;

/// The socket behind `fd`: EBADF for no file, ENOTSOCK for another kind.
pub fn socket_file(context: &Context, fd: i32) -> Result<Arc<OpenFile>> {
    let file = context.process().files.lock().get(fd)?;
    as_socket(&file)?;
    Ok(file)
}

pub fn as_socket(file: &OpenFile) -> Result<&UnixSocket> {
    let ops: &dyn core::any::Any = &*file.ops;
    ops.downcast_ref::<UnixSocket>().ok_or_else(|| Errno::ENOTSOCK.into())
}

/// The type and flags of socket(2) and socketpair(2), checked as
/// __sock_create and unix_create check them.
fn parse_type(family: i32, raw_type: u32, protocol: i32) -> Result<(SocketType, u32)> {
    let flags = raw_type & !SOCK_TYPE_MASK;
    if flags & !(O_CLOEXEC | O_NONBLOCK) != 0 {
        return_errno!(EINVAL);
    }
    let kind = raw_type & SOCK_TYPE_MASK;
    if !(0..46).contains(&family) {
        return_errno!(EAFNOSUPPORT);
    }
    if kind >= SOCK_MAX {
        return_errno!(EINVAL);
    }
    if family != AF_UNIX {
        return_errno!(EAFNOSUPPORT);
    }
    if protocol != 0 && protocol != AF_UNIX {
        return_errno!(EPROTONOSUPPORT);
    }
    let kind = match kind {
        1 => SocketType::Stream,
        // SOCK_RAW is taken as SOCK_DGRAM (unix_create).
        2 | 3 => SocketType::Datagram,
        5 => SocketType::SeqPacket,
        _ => return_errno!(ESOCKTNOSUPPORT),
    };
    Ok((kind, flags))
}

fn open_socket(socket: UnixSocket, flags: u32) -> Arc<OpenFile> {
    let path = format!("socket:[{}]", socket.inode).into_bytes();
    OpenFile::new(Arc::new(socket), O_RDWR | (flags & O_NONBLOCK), path)
}

pub fn socket(context: &mut Context, family: i32, raw_type: u32, protocol: i32) -> Result<i32> {
    let (kind, flags) = parse_type(family, raw_type, protocol)?;
    let file = open_socket(UnixSocket::new_unconnected(kind), flags);
    context.process().files.lock().insert(file, flags & O_CLOEXEC != 0)
}

pub fn socketpair(
    context: &mut Context,
    family: i32,
    raw_type: u32,
    protocol: i32,
    fds: UserAddr,
) -> Result<()> {
    if raw_type & !SOCK_TYPE_MASK & !(O_CLOEXEC | O_NONBLOCK) != 0 {
        return_errno!(EINVAL);
    }
    // Linux stores the two descriptor numbers before it creates the
    // sockets, so a bad pointer is EFAULT whatever the family.
    write_val(fds, &[0i32; 2])?;
    if family == AF_INET || family == AF_INET6 {
        parse_type(AF_UNIX, raw_type, 0)?;
        return_errno!(EOPNOTSUPP);
    }
    let (kind, flags) = parse_type(family, raw_type, protocol)?;
    let (first, second) = UnixSocket::new_pair(kind);
    let (first, second) = (open_socket(first, flags), open_socket(second, flags));
    let cloexec = flags & O_CLOEXEC != 0;
    let mut files = context.process().files.lock();
    let first_fd = files.insert(first, cloexec)?;
    let second_fd = match files.insert(second, cloexec) {
        Ok(fd) => fd,
        Err(error) => {
            let _ = files.remove(first_fd);
            return Err(error);
        }
    };
    drop(files);
    if let Err(error) = write_val(fds, &[first_fd, second_fd]) {
        let mut files = context.process().files.lock();
        let _ = files.remove(first_fd);
        let _ = files.remove(second_fd);
        return Err(error);
    }
    Ok(())
}

pub fn sendto(
    context: &mut Context,
    fd: i32,
    buffer: UserAddr,
    length: usize,
    flags: u32,
    address: UserAddr,
    address_length: u32,
) -> Result<usize> {
    let file = socket_file(context, fd)?;
    let socket = as_socket(&file)?;
    check_range(buffer, length)?;
    let mut data = kernel_buffer(length.min(MAX_IO))?;
    read_bytes(buffer, &mut data)?;
    if !address.is_null() && address_length != 0 {
        if socket.kind != SocketType::Datagram {
            // A connected stream refuses an address (unix_stream_sendmsg).
            return_errno!(EISCONN);
        }
        return_errno!(EOPNOTSUPP);
    }
    socket.send(&file, &data, flags, Vec::new())
}

pub fn recvfrom(
    context: &mut Context,
    fd: i32,
    buffer: UserAddr,
    length: usize,
    flags: u32,
    address: UserAddr,
    address_length: UserAddr,
) -> Result<usize> {
    let file = socket_file(context, fd)?;
    let socket = as_socket(&file)?;
    probe_writable(buffer, length)?;
    let mut data = kernel_buffer(length.min(MAX_IO))?;
    let received = socket.receive(&file, &mut data, flags)?;
    write_bytes(buffer, &data[..received.count])?;
    if !address.is_null() && !address_length.is_null() {
        // The peer of a socketpair has no name: Linux reports length 0.
        let given: i32 = read_val(address_length)?;
        if given < 0 {
            return_errno!(EINVAL);
        }
        write_val(address_length, &0i32)?;
    }
    if flags & MSG_TRUNC != 0 && socket.kind != SocketType::Stream {
        return Ok(received.full_length);
    }
    Ok(received.count)
}

/// EFAULT before a receive consumes anything, for a buffer whose ends
/// cannot be reached (Linux leaves the data queued when its copy fails).
pub(super) fn probe_writable(buffer: UserAddr, length: usize) -> Result<()> {
    check_range(buffer, length)?;
    if length > 0 {
        let mut byte = [0u8];
        read_bytes(buffer, &mut byte)?;
        read_bytes(buffer.add(length.min(MAX_IO) - 1), &mut byte)?;
    }
    Ok(())
}

pub fn shutdown(context: &mut Context, fd: i32, how: i32) -> Result<()> {
    let file = socket_file(context, fd)?;
    as_socket(&file)?.shutdown(how)
}

const SO_TYPE: i32 = 3;
const SO_ERROR: i32 = 4;
const SO_SNDBUF: i32 = 7;
const SO_RCVBUF: i32 = 8;
const SO_ACCEPTCONN: i32 = 30;
const SO_PROTOCOL: i32 = 38;
const SO_DOMAIN: i32 = 39;

/// net.core.wmem_max and rmem_max: the most SO_SNDBUF/SO_RCVBUF may ask.
const BUFFER_MAX: usize = 212992;
/// SOCK_MIN_SNDBUF and SOCK_MIN_RCVBUF on 64-bit Linux.
const SEND_BUFFER_MIN: usize = 4608;
const RECEIVE_BUFFER_MIN: usize = 2304;

pub fn getsockopt(
    context: &mut Context,
    fd: i32,
    level: i32,
    name: i32,
    value: UserAddr,
    length: UserAddr,
) -> Result<()> {
    let file = socket_file(context, fd)?;
    let socket = as_socket(&file)?;
    if level != SOL_SOCKET {
        return_errno!(EOPNOTSUPP);
    }
    let given: i32 = read_val(length)?;
    if given < 0 {
        return_errno!(EINVAL);
    }
    let (send_buffer, receive_buffer) = socket.buffer_sizes();
    let answer: i32 = match name {
        SO_TYPE => socket.kind as i32,
        SO_ERROR => socket.take_error().map_or(0, |e| e as i32),
        SO_SNDBUF => send_buffer as i32,
        SO_RCVBUF => receive_buffer as i32,
        SO_ACCEPTCONN => 0,
        SO_PROTOCOL => 0,
        SO_DOMAIN => AF_UNIX,
        _ => return_errno!(ENOPROTOOPT),
    };
    let count = (given as usize).min(4);
    write_bytes(value, &answer.to_ne_bytes()[..count])?;
    write_val(length, &(count as i32))
}

pub fn setsockopt(
    context: &mut Context,
    fd: i32,
    level: i32,
    name: i32,
    value: UserAddr,
    length: u32,
) -> Result<()> {
    let file = socket_file(context, fd)?;
    let socket = as_socket(&file)?;
    if level != SOL_SOCKET {
        return_errno!(EOPNOTSUPP);
    }
    if (length as i32) < 4 {
        return_errno!(EINVAL);
    }
    let requested: i32 = read_val(value)?;
    // Linux doubles the request for bookkeeping and clamps it.
    let doubled = |minimum: usize| ((requested.max(0) as usize).min(BUFFER_MAX) * 2).max(minimum);
    match name {
        SO_SNDBUF => socket.set_send_buffer(doubled(SEND_BUFFER_MIN)),
        SO_RCVBUF => socket.set_receive_buffer(doubled(RECEIVE_BUFFER_MIN)),
        SO_TYPE | SO_ERROR | SO_PROTOCOL | SO_DOMAIN | SO_ACCEPTCONN => return_errno!(ENOPROTOOPT),
        _ => {}
    }
    Ok(())
}
