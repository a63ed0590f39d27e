//! sendmsg and recvmsg: scatter-gather through iovecs and ancillary
//! data (SCM_RIGHTS descriptor passing, with MSG_CTRUNC when the
//! receiver's control buffer is too small).

use super::syscalls::{as_socket, probe_writable, socket_file, MAX_IO};
use super::unix_socket::{SocketType, MSG_TRUNC};
use crate::error::Result;
use crate::fs::file::OpenFile;
use crate::fs::syscalls::read_iovecs;
use crate::mm::user::{kernel_buffer, read_val, write_bytes, write_val};
use crate::return_errno;
use crate::syscall::{Context, UserAddr};
use abi::MessageHeader;
use alloc::sync::Arc;
use alloc::vec::Vec;

const SOL_SOCKET: i32 = 1;
const SCM_RIGHTS: i32 = 1;
const MSG_CTRUNC: u32 = 8;
const MSG_CMSG_CLOEXEC: u32 = 0x4000_0000;
/// SCM_MAX_FD: the most descriptors one message may carry.
const MAX_RIGHTS: usize = 253;
/// sizeof(struct cmsghdr) on 64-bit.
const CMSG_HEADER_BYTES: usize = 16;

fn align(length: usize) -> usize {
    length.next_multiple_of(8)
}

/// The descriptors named by SCM_RIGHTS messages in a control buffer.
fn read_rights(context: &Context, control: UserAddr, length: usize) -> Result<Vec<Arc<OpenFile>>> {
    let mut rights = Vec::new();
    let mut offset = 0;
    while offset + CMSG_HEADER_BYTES <= length {
        let cmsg_length: u64 = read_val(control.add(offset))?;
        let level: i32 = read_val(control.add(offset + 8))?;
        let kind: i32 = read_val(control.add(offset + 12))?;
        let cmsg_length = cmsg_length as usize;
        if cmsg_length < CMSG_HEADER_BYTES || cmsg_length > length - offset {
            return_errno!(EINVAL);
        }
        if level != SOL_SOCKET || kind != SCM_RIGHTS {
            return_errno!(EINVAL);
        }
        let count = (cmsg_length - CMSG_HEADER_BYTES) / 4;
        if count == 0 || rights.len() + count > MAX_RIGHTS {
            return_errno!(EINVAL);
        }
        let files = context.process().files.lock();
        for index in 0..count {
            let fd: i32 = read_val(control.add(offset + CMSG_HEADER_BYTES + index * 4))?;
            rights.push(files.get(fd)?);
        }
        drop(files);
        offset += align(cmsg_length);
    }
    Ok(rights)
}

pub fn sendmsg(context: &mut Context, fd: i32, message: UserAddr, flags: u32) -> Result<usize> {
    let file = socket_file(context, fd)?;
    let socket = as_socket(&file)?;
    let header: MessageHeader = read_val(message)?;
    let vectors = read_iovecs(UserAddr(header.iov as usize), header.iov_length as usize)?;
    let rights = if header.control_length > 0 {
        read_rights(context, UserAddr(header.control as usize), header.control_length as usize)?
    } else {
        Vec::new()
    };
    if header.name != 0 && header.name_length != 0 {
        if socket.kind != SocketType::Datagram {
            return_errno!(EISCONN);
        }
        return_errno!(EOPNOTSUPP);
    }
    let data = crate::fs::syscalls::gather_iovecs(&vectors)?;
    socket.send(&file, &data, flags, rights)
}

pub fn recvmsg(context: &mut Context, fd: i32, message: UserAddr, flags: u32) -> Result<usize> {
    let file = socket_file(context, fd)?;
    let socket = as_socket(&file)?;
    let mut header: MessageHeader = read_val(message)?;
    let vectors = read_iovecs(UserAddr(header.iov as usize), header.iov_length as usize)?;
    for vector in &vectors {
        probe_writable(UserAddr(vector.base as usize), vector.len as usize)?;
    }
    let total = vectors.iter().map(|v| v.len as usize).sum::<usize>().min(MAX_IO);
    let mut data = kernel_buffer(total)?;
    let received = socket.receive(&file, &mut data, flags)?;
    let mut copied = 0;
    for vector in vectors {
        if copied == received.count {
            break;
        }
        let length = (vector.len as usize).min(received.count - copied);
        write_bytes(UserAddr(vector.base as usize), &data[copied..copied + length])?;
        copied += length;
    }
    let mut out_flags = 0;
    if socket.kind != SocketType::Stream && received.full_length > received.count {
        out_flags |= MSG_TRUNC;
    }
    let mut control_used = 0;
    if !received.rights.is_empty() {
        let room = (header.control_length as usize).saturating_sub(CMSG_HEADER_BYTES) / 4;
        let fitting = received.rights.len().min(room);
        if fitting < received.rights.len() {
            out_flags |= MSG_CTRUNC;
        }
        if fitting > 0 {
            let control = UserAddr(header.control as usize);
            let cloexec = flags & MSG_CMSG_CLOEXEC != 0;
            let mut fds = Vec::new();
            for passed in received.rights.iter().take(fitting) {
                match context.process().files.lock().insert(passed.clone(), cloexec) {
                    Ok(fd) => fds.push(fd),
                    Err(_) => {
                        out_flags |= MSG_CTRUNC;
                        break;
                    }
                }
            }
            let cmsg_length = CMSG_HEADER_BYTES + fds.len() * 4;
            write_val(control, &(cmsg_length as u64))?;
            write_val(control.add(8), &SOL_SOCKET)?;
            write_val(control.add(12), &SCM_RIGHTS)?;
            for (index, fd) in fds.iter().enumerate() {
                write_val(control.add(CMSG_HEADER_BYTES + index * 4), fd)?;
            }
            control_used = align(cmsg_length).min(header.control_length as usize);
        }
    }
    header.control_length = control_used as u64;
    header.flags = out_flags;
    header.name_length = 0;
    write_val(message, &header)?;
    if flags & MSG_TRUNC != 0 && socket.kind != SocketType::Stream {
        return Ok(received.full_length);
    }
    Ok(received.count)
}
