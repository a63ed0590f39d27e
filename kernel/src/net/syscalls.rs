//! The socket syscalls (socket, bind, listen, accept4, connect, send and
//! receive in all their forms, options, shutdown): user memory in and out,
//! descriptors, SIGPIPE and msghdr/cmsghdr handling, then a call to the
//! socket's [`SocketOps`], whatever its family.

use super::socket::*;
use crate::error::Result;
use crate::fs::file::{OpenFile, O_NONBLOCK, O_RDWR};
use crate::fs::syscalls::{read_iovecs, MAX_IO};
use crate::mm::user::{check_range, kernel_buffer, read_bytes, read_val, write_bytes, write_val};
use crate::return_errno;
use crate::syscall::{Context, UserAddr};
use alloc::sync::Arc;
use alloc::vec::Vec;

/// The longest sockaddr accepted (sizeof(struct sockaddr_storage)).
const MAX_ADDRESS: u32 = 128;

fn socket_of(context: &Context, fd: i32) -> Result<(Arc<OpenFile>, Arc<dyn SocketOps>)> {
    let file = context.process().files.lock().get(fd)?;
    let socket = SocketFile::of(&file)?;
    Ok((file, socket))
}

/// Installs a socket as a new descriptor with SOCK_NONBLOCK/SOCK_CLOEXEC.
fn install(context: &Context, socket: Arc<dyn SocketOps>, flags: i32) -> Result<i32> {
    let status = if flags & SOCK_NONBLOCK != 0 { O_NONBLOCK } else { 0 };
    let file = OpenFile::new(SocketFile::new(socket), O_RDWR | status, b"socket:".to_vec());
    context.process().files.lock().insert(file, flags & SOCK_CLOEXEC != 0)
}

fn read_address(address: UserAddr, length: u32) -> Result<Vec<u8>> {
    if length > MAX_ADDRESS {
        return_errno!(EINVAL);
    }
    let mut bytes = alloc::vec![0; length as usize];
    read_bytes(address, &mut bytes)?;
    Ok(bytes)
}

/// Writes an address to a user buffer whose size is at `length_at`,
/// truncating it, and stores the full length there (accept(2)).
fn write_address(address: UserAddr, length_at: UserAddr, bytes: &[u8]) -> Result<()> {
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

pub fn socket(context: &mut Context, domain: i32, kind: i32, protocol: i32) -> Result<i32> {
    let flags = kind & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    let socket = super::create(domain, kind & !flags, protocol)?;
    install(context, socket, flags)
}

pub fn socketpair(context: &mut Context, domain: i32, kind: i32, protocol: i32, fds: UserAddr) -> Result<()> {
    let flags = kind & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    let (first, second) = super::create_pair(domain, kind & !flags, protocol)?;
    check_range(fds, 8)?;
    let first = install(context, first, flags)?;
    let second = match install(context, second, flags) {
        Ok(fd) => fd,
        Err(error) => {
            let _ = context.process().files.lock().remove(first);
            return Err(error);
        }
    };
    if let Err(error) = write_val(fds, &[first, second]) {
        let mut files = context.process().files.lock();
        let _ = files.remove(first);
        let _ = files.remove(second);
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
    flags: i32,
) -> Result<i32> {
    if flags & !(SOCK_NONBLOCK | SOCK_CLOEXEC) != 0 {
        return_errno!(EINVAL);
    }
    let (file, socket) = socket_of(context, fd)?;
    if !address.is_null() {
        check_range(length_at, 4)?;
    }
    let (connection, peer) = socket.accept(file.is_nonblocking())?;
    // Linux accepts the connection first and reports EFAULT after (the
    // connection is then lost), accept(2).
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
    check_range(length_at, 4)?;
    write_address(address, length_at, &name)
}

pub fn getpeername(context: &mut Context, fd: i32, address: UserAddr, length_at: UserAddr) -> Result<()> {
    let (_, socket) = socket_of(context, fd)?;
    let name = socket.peer_address()?;
    check_range(length_at, 4)?;
    write_address(address, length_at, &name)
}

/// Sends, raising SIGPIPE on EPIPE unless MSG_NOSIGNAL (send(2)).
pub fn send_raising_sigpipe(
    socket: &Arc<dyn SocketOps>,
    data: &[u8],
    destination: Option<&[u8]>,
    control: Vec<ControlMessage>,
    flags: IoFlags,
) -> Result<usize> {
    let result = socket.send(data, destination, control, flags);
    if let Err(error) = &result {
        if error.errno == abi::Errno::EPIPE && flags.flags & MSG_NOSIGNAL == 0 {
            crate::signal::send_to_current(abi::signal::SIGPIPE);
        }
    }
    result
}

fn io_flags(file: &OpenFile, flags: u32) -> IoFlags {
    IoFlags { flags, is_nonblocking: file.is_nonblocking() || flags & MSG_DONTWAIT != 0 }
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
    send_raising_sigpipe(&socket, &data, destination.as_deref(), Vec::new(), io_flags(&file, flags))
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
    check_range(buffer, length)?;
    let mut data = kernel_buffer(length.min(MAX_IO))?;
    let received = socket.receive(&mut data, io_flags(&file, flags))?;
    write_bytes(buffer, &data[..received.count])?;
    if let Some(source) = &received.source {
        write_address(address, length_at, source)?;
    } else if !address.is_null() {
        // Connected streams report no address: Linux sets the length to 0.
        write_val(length_at, &0u32)?;
    }
    Ok(if flags & MSG_TRUNC != 0 { received.full_length } else { received.count })
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
    if length as i32 > 4096 || (length as i32) < 0 {
        return_errno!(EINVAL);
    }
    let mut bytes = alloc::vec![0; length as usize];
    read_bytes(value, &mut bytes)?;
    socket.set_option(level, name, &bytes)
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
    let room: i32 = read_val(length_at)?;
    if room < 0 {
        return_errno!(EINVAL);
    }
    let bytes: Vec<u8> = match (level, name) {
        (SOL_SOCKET, SO_TYPE) => socket.socket_type().to_ne_bytes().to_vec(),
        (SOL_SOCKET, SO_DOMAIN) => (socket.domain() as i32).to_ne_bytes().to_vec(),
        (SOL_SOCKET, SO_PROTOCOL) => socket.protocol().to_ne_bytes().to_vec(),
        (SOL_SOCKET, SO_ACCEPTCONN) => (socket.is_listening() as i32).to_ne_bytes().to_vec(),
        (SOL_SOCKET, SO_ERROR) => socket.take_error().to_ne_bytes().to_vec(),
        _ => socket.get_option(level, name)?,
    };
    let count = bytes.len().min(room as usize);
    write_bytes(value, &bytes[..count])?;
    write_val(length_at, &(count as u32))
}

pub fn shutdown(context: &mut Context, fd: i32, how: i32) -> Result<()> {
    let (_, socket) = socket_of(context, fd)?;
    socket.shutdown(Shutdown::from_how(how)?)
}

/// struct msghdr on riscv64.
#[derive(Clone, Copy, Default)]
#[repr(C)]
struct MessageHeader {
    name: u64,
    name_length: u32,
    _pad: u32,
    iov: u64,
    iov_length: u64,
    control: u64,
    control_length: u64,
    flags: i32,
    _pad2: u32,
}

fn read_message_header(address: UserAddr) -> Result<MessageHeader> {
    let raw: [u64; 7] = read_val(address)?;
    Ok(MessageHeader {
        name: raw[0],
        name_length: raw[1] as u32,
        _pad: 0,
        iov: raw[2],
        iov_length: raw[3],
        control: raw[4],
        control_length: raw[5],
        flags: raw[6] as i32,
        _pad2: 0,
    })
}

const SCM_RIGHTS: i32 = 1;
const SCM_CREDENTIALS: i32 = 2;
/// sizeof(struct cmsghdr): len (8), level (4), type (4).
const CMSG_HEADER: usize = 16;

fn cmsg_align(length: usize) -> usize {
    (length + 7) & !7
}

/// Parses the control buffer of sendmsg into messages (cmsg(3)).
fn read_control(context: &Context, address: u64, length: u64) -> Result<Vec<ControlMessage>> {
    let mut messages = Vec::new();
    if address == 0 || length == 0 {
        return Ok(messages);
    }
    if length > 65536 {
        return_errno!(ENOBUFS);
    }
    let mut bytes = alloc::vec![0u8; length as usize];
    read_bytes(UserAddr(address as usize), &mut bytes)?;
    let mut offset = 0;
    while offset + CMSG_HEADER <= bytes.len() {
        let word = |at: usize| u64::from_ne_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
        let cmsg_length = word(offset) as usize;
        let level = word(offset + 8) as u32 as i32;
        let kind = (word(offset + 8) >> 32) as u32 as i32;
        if cmsg_length < CMSG_HEADER || offset + cmsg_length > bytes.len() {
            return_errno!(EINVAL);
        }
        let data = &bytes[offset + CMSG_HEADER..offset + cmsg_length];
        match (level, kind) {
            (SOL_SOCKET, SCM_RIGHTS) => {
                let files = context.process().files.lock();
                let rights = data
                    .chunks_exact(4)
                    .map(|fd| files.get(i32::from_ne_bytes([fd[0], fd[1], fd[2], fd[3]])))
                    .collect::<Result<Vec<_>>>()?;
                messages.push(ControlMessage::Rights(rights));
            }
            (SOL_SOCKET, SCM_CREDENTIALS) if data.len() >= 12 => {
                let field = |at: usize| [data[at], data[at + 1], data[at + 2], data[at + 3]];
                messages.push(ControlMessage::Credentials {
                    pid: i32::from_ne_bytes(field(0)),
                    uid: u32::from_ne_bytes(field(4)),
                    gid: u32::from_ne_bytes(field(8)),
                });
            }
            _ => return_errno!(EINVAL),
        }
        offset += cmsg_align(cmsg_length);
    }
    Ok(messages)
}

pub fn sendmsg(context: &mut Context, fd: i32, message: UserAddr, flags: u32) -> Result<usize> {
    let (file, socket) = socket_of(context, fd)?;
    let header = read_message_header(message)?;
    let vectors = read_iovecs(UserAddr(header.iov as usize), header.iov_length as usize)?;
    let total = vectors.iter().map(|v| v.len as usize).sum::<usize>().min(MAX_IO);
    let mut data = kernel_buffer(total)?;
    let mut filled = 0;
    for vector in vectors {
        let length = (vector.len as usize).min(total - filled);
        read_bytes(UserAddr(vector.base as usize), &mut data[filled..filled + length])?;
        filled += length;
    }
    let destination = if header.name == 0 {
        None
    } else {
        Some(read_address(UserAddr(header.name as usize), header.name_length)?)
    };
    let control = read_control(context, header.control, header.control_length)?;
    send_raising_sigpipe(&socket, &data, destination.as_deref(), control, io_flags(&file, flags))
}

/// Writes received control messages as cmsghdrs, installing passed files
/// as descriptors; returns the bytes used and whether it was truncated.
fn write_control(
    context: &Context,
    address: u64,
    room: u64,
    messages: Vec<ControlMessage>,
    flags: u32,
) -> Result<(usize, bool)> {
    let mut bytes: Vec<u8> = Vec::new();
    let mut is_truncated = false;
    for message in messages {
        let (kind, data): (i32, Vec<u8>) = match message {
            ControlMessage::Rights(files) => {
                let space = (room as usize).saturating_sub(bytes.len() + CMSG_HEADER) / 4;
                if space < files.len() {
                    is_truncated = true;
                }
                let mut table = context.process().files.lock();
                let mut data = Vec::new();
                for file in files.into_iter().take(space) {
                    let fd = table.insert(file, flags & MSG_CMSG_CLOEXEC != 0)?;
                    data.extend_from_slice(&fd.to_ne_bytes());
                }
                (SCM_RIGHTS, data)
            }
            ControlMessage::Credentials { pid, uid, gid } => {
                let mut data = pid.to_ne_bytes().to_vec();
                data.extend_from_slice(&uid.to_ne_bytes());
                data.extend_from_slice(&gid.to_ne_bytes());
                (SCM_CREDENTIALS, data)
            }
        };
        let length = CMSG_HEADER + data.len();
        if bytes.len() + length > room as usize {
            is_truncated = true;
            break;
        }
        bytes.extend_from_slice(&(length as u64).to_ne_bytes());
        bytes.extend_from_slice(&SOL_SOCKET.to_ne_bytes());
        bytes.extend_from_slice(&kind.to_ne_bytes());
        bytes.extend_from_slice(&data);
        bytes.resize(cmsg_align(bytes.len()).min(room as usize), 0);
    }
    write_bytes(UserAddr(address as usize), &bytes)?;
    Ok((bytes.len(), is_truncated))
}

pub fn recvmsg(context: &mut Context, fd: i32, message: UserAddr, flags: u32) -> Result<usize> {
    let (file, socket) = socket_of(context, fd)?;
    let header = read_message_header(message)?;
    let vectors = read_iovecs(UserAddr(header.iov as usize), header.iov_length as usize)?;
    let total = vectors.iter().map(|v| v.len as usize).sum::<usize>().min(MAX_IO);
    let mut data = kernel_buffer(total)?;
    let received = socket.receive(&mut data, io_flags(&file, flags))?;
    let mut copied = 0;
    for vector in vectors {
        if copied == received.count {
            break;
        }
        let length = (vector.len as usize).min(received.count - copied);
        write_bytes(UserAddr(vector.base as usize), &data[copied..copied + length])?;
        copied += length;
    }
    let mut message_flags = received.message_flags;
    let name_length = match (&received.source, header.name) {
        (Some(source), name) if name != 0 => {
            let count = source.len().min(header.name_length as usize);
            write_bytes(UserAddr(name as usize), &source[..count])?;
            source.len() as u32
        }
        _ => 0,
    };
    let (control_length, is_truncated) = if header.control == 0 {
        (0, !received.control.is_empty())
    } else {
        write_control(context, header.control, header.control_length, received.control, flags)?
    };
    if is_truncated {
        message_flags |= MSG_CTRUNC;
    }
    // msg_namelen, msg_controllen and msg_flags are written back.
    write_val(message.add(8), &name_length)?;
    write_val(message.add(40), &(control_length as u64))?;
    write_val(message.add(48), &(message_flags as i32))?;
    Ok(if flags & MSG_TRUNC != 0 { received.full_length } else { received.count })
}
