//! sendmsg and recvmsg: scatter-gather through iovecs, names, and
//! ancillary data (SCM_RIGHTS descriptor passing, with MSG_CTRUNC when the
//! receiver's control buffer is too small; SCM_CREDENTIALS checked as
//! Linux checks them). Families see parsed [`ControlMessage`]s only.

use super::socket::*;
use super::syscalls::{io_flags, probe_writable, read_address, received_length, send, socket_of};
use crate::error::Result;
use crate::fs::file::OpenFile;
use crate::fs::syscalls::{read_iovecs, MAX_IO};
use crate::mm::user::{kernel_buffer, read_val, write_bytes, write_val};
use crate::return_errno;
use crate::syscall::{Context, UserAddr};
use abi::MessageHeader;
use alloc::sync::Arc;
use alloc::vec::Vec;

const SCM_RIGHTS: i32 = 1;
const SCM_CREDENTIALS: i32 = 2;
/// SCM_MAX_FD: the most descriptors one message may carry.
const MAX_RIGHTS: usize = 253;
/// sizeof(struct cmsghdr) on 64-bit.
const CMSG_HEADER_BYTES: usize = 16;

fn align(length: usize) -> usize {
    length.next_multiple_of(8)
}

/// The descriptors named by SCM_RIGHTS messages in `fds`.
fn read_rights(context: &Context, fds: UserAddr, count: usize, so_far: usize) -> Result<Vec<Arc<OpenFile>>> {
    if count == 0 || so_far + count > MAX_RIGHTS {
        return_errno!(EINVAL);
    }
    let files = context.process().files.lock();
    (0..count).map(|index| files.get(read_val(fds.add(index * 4))?)).collect()
}

/// SCM_CREDENTIALS as given: the sender's own pid and one of its ids
/// unless it is root, else EPERM (scm_check_creds).
fn read_credentials(context: &Context, data: UserAddr) -> Result<ControlMessage> {
    let (pid, uid, gid): (i32, u32, u32) = (read_val(data)?, read_val(data.add(4))?, read_val(data.add(8))?);
    let process = context.process();
    let own = *process.credentials.lock();
    let is_own_uid = [own.uid, own.euid, own.suid].contains(&uid);
    let is_own_gid = [own.gid, own.egid, own.sgid].contains(&gid);
    if !own.is_root() && (pid != process.pid as i32 || !is_own_uid || !is_own_gid) {
        return_errno!(EPERM);
    }
    Ok(ControlMessage::Credentials { pid, uid, gid })
}

/// The control messages of a sendmsg's control buffer (cmsg(3)).
fn read_control(context: &Context, control: UserAddr, length: usize) -> Result<Vec<ControlMessage>> {
    let mut messages = Vec::new();
    let mut rights_count = 0;
    let mut offset = 0;
    while offset + CMSG_HEADER_BYTES <= length {
        let cmsg_length: u64 = read_val(control.add(offset))?;
        let level: i32 = read_val(control.add(offset + 8))?;
        let kind: i32 = read_val(control.add(offset + 12))?;
        let cmsg_length = cmsg_length as usize;
        if cmsg_length < CMSG_HEADER_BYTES || cmsg_length > length - offset {
            return_errno!(EINVAL);
        }
        let data = control.add(offset + CMSG_HEADER_BYTES);
        let data_length = cmsg_length - CMSG_HEADER_BYTES;
        match (level, kind) {
            (SOL_SOCKET, SCM_RIGHTS) => {
                let rights = read_rights(context, data, data_length / 4, rights_count)?;
                rights_count += rights.len();
                messages.push(ControlMessage::Rights(rights));
            }
            (SOL_SOCKET, SCM_CREDENTIALS) if data_length == 12 => {
                messages.push(read_credentials(context, data)?);
            }
            _ => return_errno!(EINVAL),
        }
        offset += align(cmsg_length);
    }
    Ok(messages)
}

pub fn sendmsg(context: &mut Context, fd: i32, message: UserAddr, flags: u32) -> Result<usize> {
    let (file, socket) = socket_of(context, fd)?;
    let header: MessageHeader = read_val(message)?;
    let vectors = read_iovecs(UserAddr(header.iov as usize), header.iov_length as usize)?;
    let destination = if header.name == 0 {
        None
    } else {
        Some(read_address(UserAddr(header.name as usize), header.name_length)?)
    };
    let control = if header.control_length > 0 {
        read_control(context, UserAddr(header.control as usize), header.control_length as usize)?
    } else {
        Vec::new()
    };
    let data = crate::fs::syscalls::gather_iovecs(&vectors)?;
    send(&*socket, &data, destination.as_deref(), control, io_flags(&file, flags))
}

/// Writes received control messages as cmsghdrs into the user's control
/// buffer of `room` bytes, installing passed files as descriptors.
/// Returns the bytes used and the MSG_CTRUNC flag if something was lost.
fn write_control(
    context: &Context,
    control: UserAddr,
    room: usize,
    messages: Vec<ControlMessage>,
    flags: u32,
) -> Result<(usize, u32)> {
    let mut used = 0;
    let mut out_flags = 0;
    for message in messages {
        let (kind, data): (i32, Vec<u8>) = match message {
            ControlMessage::Rights(files) => {
                let fitting = room.saturating_sub(used + CMSG_HEADER_BYTES) / 4;
                if fitting < files.len() {
                    out_flags |= MSG_CTRUNC;
                }
                let cloexec = flags & MSG_CMSG_CLOEXEC != 0;
                let mut data = Vec::new();
                for passed in files.into_iter().take(fitting) {
                    match context.process().files.lock().insert(passed, cloexec) {
                        Ok(fd) => data.extend_from_slice(&fd.to_ne_bytes()),
                        Err(_) => {
                            out_flags |= MSG_CTRUNC;
                            break;
                        }
                    }
                }
                if data.is_empty() {
                    continue;
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
        let cmsg_length = CMSG_HEADER_BYTES + data.len();
        if used + cmsg_length > room {
            out_flags |= MSG_CTRUNC;
            continue;
        }
        let at = control.add(used);
        write_val(at, &(cmsg_length as u64))?;
        write_val(at.add(8), &SOL_SOCKET)?;
        write_val(at.add(12), &kind)?;
        write_bytes(at.add(CMSG_HEADER_BYTES), &data)?;
        used = (used + align(cmsg_length)).min(room);
    }
    Ok((used, out_flags))
}

pub fn recvmsg(context: &mut Context, fd: i32, message: UserAddr, flags: u32) -> Result<usize> {
    let (file, socket) = socket_of(context, fd)?;
    let mut header: MessageHeader = read_val(message)?;
    let vectors = read_iovecs(UserAddr(header.iov as usize), header.iov_length as usize)?;
    for vector in &vectors {
        probe_writable(UserAddr(vector.base as usize), vector.len as usize)?;
    }
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
    let length = received_length(&*socket, &received, flags);
    let mut out_flags = received.message_flags;
    let (control_used, control_flags) = if received.control.is_empty() {
        (0, 0)
    } else {
        let room = if header.control == 0 { 0 } else { header.control_length as usize };
        write_control(context, UserAddr(header.control as usize), room, received.control, flags)?
    };
    out_flags |= control_flags;
    header.name_length = match (&received.source, header.name) {
        (Some(source), name) if name != 0 => {
            let count = source.len().min(header.name_length as usize);
            write_bytes(UserAddr(name as usize), &source[..count])?;
            source.len() as u32
        }
        _ => 0,
    };
    header.control_length = control_used as u64;
    header.flags = out_flags;
    write_val(message, &header)?;
    Ok(length)
}
