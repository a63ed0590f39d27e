//! The socket syscalls (net/socket.c): creating sockets and pairs, names,
//! connections, sending, receiving, options and shutdown. User memory in
//! and out, descriptors and SIGPIPE are handled here; the rest is the
//! socket's [`SocketOps`], whatever its family. sendmsg and recvmsg are in
//! `message_syscalls`.

use super::socket::*;
use crate::error::Result;
use crate::fs::file::{OpenFile, O_RDWR};
use crate::fs::syscalls::MAX_IO;
use crate::mm::user::{check_range, kernel_buffer, read_bytes, read_val, write_bytes, write_val};
use crate::return_errno;
use crate::syscall::{Context, UserAddr};
use abi::open_flags::{O_CLOEXEC, O_NONBLOCK};
use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;

/// The longest sockaddr accepted (sizeof(struct sockaddr_storage)).
const MAX_ADDRESS: u32 = 128;
const SOCK_TYPE_MASK: u32 = 0xf;

/// The socket behind `fd`: EBADF for no file, ENOTSOCK for another kind.
pub(super) fn socket_of(context: &Context, fd: i32) -> Result<(Arc<OpenFile>, Arc<dyn SocketOps>)> {
    let file = context.process().files.lock().get(fd)?;
    let socket = SocketFile::of(&file)?.clone();
    Ok((file, socket))
}

/// A new open file for a socket, named socket:[inode] as in /proc/PID/fd.
fn open_socket(socket: Arc<dyn SocketOps>, flags: u32) -> Arc<OpenFile> {
    let file = SocketFile::new(socket);
    let path = format!("socket:[{}]", file.inode).into_bytes();
    OpenFile::new(file, O_RDWR | (flags & O_NONBLOCK), path)
}

/// Installs a socket as a new descriptor with SOCK_NONBLOCK/SOCK_CLOEXEC.
fn install(context: &Context, socket: Arc<dyn SocketOps>, flags: u32) -> Result<i32> {
    let file = open_socket(socket, flags);
    context.process().files.lock().insert(file, flags & O_CLOEXEC != 0)
}

/// The flags or-ed into socket(2)'s type: anything but SOCK_NONBLOCK and
/// SOCK_CLOEXEC is EINVAL.
fn split_type(raw_type: u32) -> Result<(i32, u32)> {
    let flags = raw_type & !SOCK_TYPE_MASK;
    if flags & !(O_CLOEXEC | O_NONBLOCK) != 0 {
        return_errno!(EINVAL);
    }
    Ok(((raw_type & SOCK_TYPE_MASK) as i32, flags))
}

/// A sockaddr from user memory (move_addr_to_kernel): EINVAL when longer
/// than a sockaddr_storage, nothing read for length 0.
pub(super) fn read_address(address: UserAddr, length: u32) -> Result<Vec<u8>> {
    if length > MAX_ADDRESS {
        return_errno!(EINVAL);
    }
    let mut bytes = alloc::vec![0; length as usize];
    read_bytes(address, &mut bytes)?;
    Ok(bytes)
}

/// Writes an address to a user buffer whose size is at `length_at`,
/// truncating it, and stores the full length there (move_addr_to_user).
/// Nothing happens when `address` is null.
pub(super) fn write_address(address: UserAddr, length_at: UserAddr, bytes: &[u8]) -> Result<()> {
    if address.is_null() {
        return Ok(());
    }
    let room: i32 = read_val(length_at)?;
    if room < 0 {
        return_errno!(EINVAL);
    }
    let count = bytes.len().min(room as usize);
    write_bytes(address, &bytes[..count])?;
    write_val(length_at, &(bytes.len() as u32))
}

pub fn socket(context: &mut Context, domain: i32, raw_type: u32, protocol: i32) -> Result<i32> {
    let (kind, flags) = split_type(raw_type)?;
    let socket = super::create(domain, kind, protocol)?;
    install(context, socket, flags)
}

pub fn socketpair(
    context: &mut Context,
    domain: i32,
    raw_type: u32,
    protocol: i32,
    fds: UserAddr,
) -> Result<()> {
    let (kind, flags) = split_type(raw_type)?;
    // Linux stores the two descriptor numbers before it creates the
    // sockets, so a bad pointer is EFAULT whatever the family.
    write_val(fds, &[0i32; 2])?;
    let (first, second) = super::create_pair(domain, kind, protocol)?;
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

pub fn bind(context: &mut Context, fd: i32, address: UserAddr, length: u32) -> Result<()> {
    let (_, socket) = socket_of(context, fd)?;
    socket.bind(&read_address(address, length)?)
}

pub fn listen(context: &mut Context, fd: i32, backlog: i32) -> Result<()> {
    let (_, socket) = socket_of(context, fd)?;
    socket.listen(backlog)
}

pub fn accept(context: &mut Context, fd: i32, address: UserAddr, length_at: UserAddr) -> Result<i32> {
    accept4(context, fd, address, length_at, 0)
}

pub fn accept4(
    context: &mut Context,
    fd: i32,
    address: UserAddr,
    length_at: UserAddr,
    flags: u32,
) -> Result<i32> {
    if flags & !(O_NONBLOCK | O_CLOEXEC) != 0 {
        return_errno!(EINVAL);
    }
    let (file, socket) = socket_of(context, fd)?;
    let (connection, peer) = socket.accept(file.is_nonblocking())?;
    // Linux accepts the connection first and reports EFAULT after, when
    // the connection is lost (accept(2)).
    let new_fd = install(context, connection, flags)?;
    if let Err(error) = write_address(address, length_at, &peer) {
        let _ = context.process().files.lock().remove(new_fd);
        return Err(error);
    }
    Ok(new_fd)
}

pub fn connect(context: &mut Context, fd: i32, address: UserAddr, length: u32) -> Result<()> {
    let (file, socket) = socket_of(context, fd)?;
    socket.connect(&read_address(address, length)?, file.is_nonblocking())
}

pub fn getsockname(context: &mut Context, fd: i32, address: UserAddr, length_at: UserAddr) -> Result<()> {
    let (_, socket) = socket_of(context, fd)?;
    let name = socket.local_address()?;
    write_address(address, length_at, &name)
}

pub fn getpeername(context: &mut Context, fd: i32, address: UserAddr, length_at: UserAddr) -> Result<()> {
    let (_, socket) = socket_of(context, fd)?;
    let name = socket.peer_address()?;
    write_address(address, length_at, &name)
}

pub(super) fn io_flags(file: &OpenFile, flags: u32) -> IoFlags {
    IoFlags { flags, is_nonblocking: file.is_nonblocking() || flags & MSG_DONTWAIT != 0 }
}

/// Sends through the socket's family, raising SIGPIPE for EPIPE on a
/// stream unless MSG_NOSIGNAL.
pub(super) fn send(
    socket: &dyn SocketOps,
    data: &[u8],
    destination: Option<&[u8]>,
    control: Vec<ControlMessage>,
    flags: IoFlags,
) -> Result<usize> {
    let result = socket.send(data, destination, control, flags);
    raise_sigpipe_on_epipe(socket, result, flags.flags)
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
    let (file, socket) = socket_of(context, fd)?;
    check_range(buffer, length)?;
    let mut data = kernel_buffer(length.min(MAX_IO))?;
    read_bytes(buffer, &mut data)?;
    let destination = if address.is_null() { None } else { Some(read_address(address, address_length)?) };
    send(&*socket, &data, destination.as_deref(), Vec::new(), io_flags(&file, flags))
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

/// What recv returns: the full datagram length for MSG_TRUNC on a
/// message socket, else the bytes copied.
pub(super) fn received_length(socket: &dyn SocketOps, received: &Received, flags: u32) -> usize {
    if flags & MSG_TRUNC != 0 && socket.socket_type() != SOCK_STREAM {
        received.full_length
    } else {
        received.count
    }
}

pub fn recvfrom(
    context: &mut Context,
    fd: i32,
    buffer: UserAddr,
    length: usize,
    flags: u32,
    address: UserAddr,
    length_at: UserAddr,
) -> Result<usize> {
    let (file, socket) = socket_of(context, fd)?;
    probe_writable(buffer, length)?;
    let mut data = kernel_buffer(length.min(MAX_IO))?;
    let received = socket.receive(&mut data, io_flags(&file, flags))?;
    write_bytes(buffer, &data[..received.count])?;
    // A connected stream reports no address: Linux stores length 0.
    write_address(address, length_at, received.source.as_deref().unwrap_or(&[]))?;
    Ok(received_length(&*socket, &received, flags))
}

pub fn setsockopt(
    context: &mut Context,
    fd: i32,
    level: i32,
    name: i32,
    value: UserAddr,
    length: u32,
) -> Result<()> {
    let (_, socket) = socket_of(context, fd)?;
    if level == SOL_SOCKET {
        return super::socket_options::set(&*socket, name, value, length);
    }
    socket.set_option(level, name, OptionValue { address: value, length })
}

pub fn getsockopt(
    context: &mut Context,
    fd: i32,
    level: i32,
    name: i32,
    value: UserAddr,
    length_at: UserAddr,
) -> Result<()> {
    let (_, socket) = socket_of(context, fd)?;
    let int = |value: i32| Ok(value.to_ne_bytes().to_vec());
    let bytes: Vec<u8> = if level == SOL_SOCKET {
        // sock_getsockopt reads the length before it looks at the name.
        let room: i32 = read_val(length_at)?;
        if room < 0 {
            return_errno!(EINVAL);
        }
        match name {
            SO_TYPE => int(socket.socket_type()),
            SO_DOMAIN => int(socket.domain() as i32),
            SO_PROTOCOL => int(socket.protocol()),
            SO_ACCEPTCONN => int(socket.is_listening() as i32),
            SO_ERROR => int(socket.take_error()),
            _ => match super::socket_options::get(&*socket, name) {
                Some(bytes) => Ok(bytes),
                None => socket.get_option(level, name),
            },
        }?
    } else {
        socket.get_option(level, name)?
    };
    let room: i32 = read_val(length_at)?;
    if room < 0 {
        return_errno!(EINVAL);
    }
    let count = bytes.len().min(room as usize);
    write_bytes(value, &bytes[..count])?;
    write_val(length_at, &(count as u32))
}

pub fn shutdown(context: &mut Context, fd: i32, how: i32) -> Result<()> {
    let (_, socket) = socket_of(context, fd)?;
    socket.shutdown(Shutdown::from_how(how)?)
}
