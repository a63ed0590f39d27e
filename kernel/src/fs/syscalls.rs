//! File syscalls.

use super::file::O_RDONLY;
use super::file::{FileOps, OpenFile};
use super::inode_file::InodeFile;
use super::path::{resolve, resolve_parent, Start};
use super::tmpfs::{Content, Inode};
use crate::error::Result;
use crate::mm::user::{check_range, kernel_buffer, read_bytes, read_path, read_val, write_bytes, write_val};
use crate::return_errno;
use crate::syscall::{Context, UserAddr};
use abi::mode::*;
use abi::open_flags::*;
use abi::{Errno, AT_FDCWD};
use alloc::sync::Arc;
use alloc::vec::Vec;

/// Largest single read or write (Linux's MAX_RW_COUNT is about 2 GiB;
/// goose caps the kernel buffer).
pub(crate) const MAX_IO: usize = 1 << 20;

/// Linux's MAX_RW_COUNT (INT_MAX rounded down to a page): the most one
/// read or write moves; a file that takes writes without reading them
/// (/dev/null) reports this much at most.
const MAX_RW_COUNT: usize = 0x7fff_f000;

/// Reads and writes this small go through a buffer on the kernel stack,
/// not the heap: most are (a shell's byte, a pipe's line, a request),
/// and allocating cost more than the rest of a write to /dev/null.
const STACK_IO: usize = 256;

/// The directory a relative path starts from (AT_FDCWD or a directory fd).
/// An absolute path ignores `dirfd` altogether (even a bad one), as on
/// Linux.
fn start_directory(context: &Context, dirfd: i32, path: &[u8]) -> Result<(Arc<Inode>, Arc<Inode>)> {
    let fs = context.process().fs.lock().clone();
    if dirfd == AT_FDCWD || path.starts_with(b"/") {
        return Ok((fs.root, fs.cwd));
    }
    let file = context.process().files.lock().get(dirfd)?;
    let inode = inode_of(&file).ok_or(Errno::ENOTDIR)?;
    if !inode.is_directory() {
        return_errno!(ENOTDIR);
    }
    Ok((fs.root, inode))
}

pub(super) fn lookup_at(context: &Context, dirfd: i32, path: &[u8], follow: bool) -> Result<Arc<Inode>> {
    if path.is_empty() {
        return_errno!(ENOENT);
    }
    let (root, directory) = start_directory(context, dirfd, path)?;
    resolve(&Start { root: &root, directory: &directory }, path, follow)
}

fn parent_at(context: &Context, dirfd: i32, path: &[u8]) -> Result<(Arc<Inode>, Vec<u8>, bool)> {
    let (root, directory) = start_directory(context, dirfd, path)?;
    resolve_parent(&Start { root: &root, directory: &directory }, path)
}

/// EINVAL for flags outside `allowed`, as the *at calls check them first.
fn check_flags(flags: u32, allowed: u32) -> Result<()> {
    if flags & !allowed != 0 {
        return_errno!(EINVAL);
    }
    Ok(())
}

/// What an *at call with `flags` acts on: with AT_EMPTY_PATH and an empty
/// path, the file `dirfd` refers to (the current directory for
/// AT_FDCWD); else the path, its last symlink followed unless
/// AT_SYMLINK_NOFOLLOW (or `follow` says otherwise).
fn target_at(context: &Context, dirfd: i32, path: &[u8], flags: u32, follow: bool) -> Result<Arc<Inode>> {
    if path.is_empty() && flags & abi::AT_EMPTY_PATH != 0 {
        if dirfd == AT_FDCWD {
            return Ok(context.process().fs.lock().cwd.clone());
        }
        let file = get(context, dirfd)?;
        return inode_of(&file).ok_or(Errno::EBADF.into());
    }
    lookup_at(context, dirfd, path, follow && flags & abi::AT_SYMLINK_NOFOLLOW == 0)
}

/// The tmpfs inode behind an open file, if it has one.
pub fn inode_of(file: &OpenFile) -> Option<Arc<Inode>> {
    let ops: &dyn core::any::Any = &*file.ops;
    ops.downcast_ref::<InodeFile>().map(|f| f.inode.clone())
}

fn open_inode(inode: &Arc<Inode>) -> Result<Arc<dyn FileOps>> {
    if let super::tmpfs::Content::Opened(file) = &inode.content {
        file.ops.opened_again();
        return Ok(file.ops.clone());
    }
    match inode.mode() & S_IFMT {
        S_IFCHR => super::device::open(inode.attributes.lock().rdev),
        S_IFBLK | S_IFIFO | S_IFSOCK => return_errno!(ENXIO),
        _ => Ok(Arc::new(InodeFile { inode: inode.clone() })),
    }
}

pub fn openat(context: &mut Context, dirfd: i32, path: UserAddr, flags: u32, mode: u32) -> Result<i32> {
    let path = read_path(path)?;
    let umask = context.process().fs.lock().umask;
    let inode = if flags & O_CREAT != 0 {
        let (parent, name, trailing_slash) = parent_at(context, dirfd, &path)?;
        match parent.lookup(&name) {
            Ok(existing) => {
                if flags & O_EXCL != 0 {
                    return_errno!(EEXIST);
                }
                let existing = if existing.is_symlink() && flags & O_NOFOLLOW == 0 {
                    match lookup_at(context, dirfd, &path, true) {
                        Ok(target) => target,
                        // A dangling symlink: O_CREAT creates what it
                        // points to.
                        Err(e) if e.errno == Errno::ENOENT => {
                            let target = existing.symlink_target().unwrap_or_default();
                            let root = context.process().fs.lock().root.clone();
                            let start = Start { root: &root, directory: &parent };
                            let (directory, target_name, _) = resolve_parent(&start, &target)?;
                            let inode = Inode::new_file(mode & !umask, Default::default());
                            directory.insert(&target_name, inode.clone())?;
                            inode
                        }
                        Err(e) => return Err(e),
                    }
                } else {
                    existing
                };
                if existing.is_directory() {
                    return_errno!(EISDIR);
                }
                existing
            }
            Err(e) if e.errno == Errno::ENOENT => {
                if trailing_slash || name == b"." || name == b".." {
                    return_errno!(EISDIR);
                }
                let inode = Inode::new_file(mode & !umask, Default::default());
                parent.insert(&name, inode.clone())?;
                inode
            }
            Err(e) => return Err(e),
        }
    } else {
        lookup_at(context, dirfd, &path, flags & O_NOFOLLOW == 0)?
    };
    if flags & O_DIRECTORY != 0 && !inode.is_directory() {
        return_errno!(ENOTDIR);
    }
    if inode.is_symlink() {
        return_errno!(ELOOP);
    }
    let access = flags & O_ACCMODE;
    if inode.is_directory() && (access != O_RDONLY || flags & O_TRUNC != 0) {
        return_errno!(EISDIR);
    }
    if flags & O_TRUNC != 0 && inode.mode() & S_IFMT == S_IFREG && access != O_RDONLY {
        inode.truncate(0)?;
    }
    let ops = open_inode(&inode)?;
    if inode.mode() & S_IFMT == S_IFCHR && flags & O_NOCTTY == 0 {
        let (session, group) = crate::process::current_session_and_group();
        if session == context.process().pid {
            crate::tty::adopt(session, group);
        }
    }
    // open(2) on a 64-bit machine always adds O_LARGEFILE (Linux's
    // force_o_largefile); F_GETFL shows it.
    let status = (flags & !(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY | O_CLOEXEC)) | super::file::O_LARGEFILE;
    let file = OpenFile::new(ops, status, path);
    context.process().files.lock().insert(file, flags & O_CLOEXEC != 0)
}

pub fn close(context: &mut Context, fd: i32) -> Result<()> {
    let file = context.process().files.lock().remove(fd)?;
    if let Some(inode) = inode_of(&file) {
        super::record_locks::release_file(inode.number, context.process().pid);
    }
    drop(file);
    Ok(())
}

fn get(context: &Context, fd: i32) -> Result<Arc<OpenFile>> {
    context.process().files.lock().get(fd)
}

pub fn read(context: &mut Context, fd: i32, buffer: UserAddr, count: usize) -> Result<usize> {
    let file = get(context, fd)?;
    // EBADF before the buffer is looked at, as vfs_read.
    if !file.can_read() {
        return_errno!(EBADF);
    }
    if count == 0 {
        return file.read(&mut []);
    }
    check_range(buffer, count)?;
    if count <= STACK_IO {
        let mut kernel = [0u8; STACK_IO];
        let done = file.read(&mut kernel[..count])?;
        write_bytes(buffer, &kernel[..done])?;
        return Ok(done);
    }
    let mut kernel = kernel_buffer(count.min(MAX_IO))?;
    let done = file.read(&mut kernel)?;
    write_bytes(buffer, &kernel[..done])?;
    Ok(done)
}

pub fn write(context: &mut Context, fd: i32, buffer: UserAddr, count: usize) -> Result<usize> {
    let file = get(context, fd)?;
    // EBADF before the buffer is looked at, as vfs_write.
    if !file.can_write() {
        return_errno!(EBADF);
    }
    check_range(buffer, count)?;
    if file.ops.discards_writes() {
        return Ok(count.min(MAX_RW_COUNT));
    }
    if count <= STACK_IO {
        let mut kernel = [0u8; STACK_IO];
        read_bytes(buffer, &mut kernel[..count])?;
        return file.write(&kernel[..count]);
    }
    let mut kernel = kernel_buffer(count.min(MAX_IO))?;
    read_bytes(buffer, &mut kernel)?;
    file.write(&kernel)
}

pub fn pread64(context: &mut Context, fd: i32, buffer: UserAddr, count: usize, offset: i64) -> Result<usize> {
    let file = get(context, fd)?;
    if offset < 0 {
        return_errno!(EINVAL);
    }
    check_range(buffer, count)?;
    let mut kernel = kernel_buffer(count.min(MAX_IO))?;
    let done = file.pread(&mut kernel, offset as u64)?;
    write_bytes(buffer, &kernel[..done])?;
    Ok(done)
}

pub fn pwrite64(
    context: &mut Context,
    fd: i32,
    buffer: UserAddr,
    count: usize,
    offset: i64,
) -> Result<usize> {
    let file = get(context, fd)?;
    if offset < 0 {
        return_errno!(EINVAL);
    }
    check_range(buffer, count)?;
    let mut kernel = kernel_buffer(count.min(MAX_IO))?;
    read_bytes(buffer, &mut kernel)?;
    file.pwrite(&kernel, offset as u64)
}

/// The iovec array of readv/writev: at most IOV_MAX entries, lengths that
/// fit an ssize_t in all (EINVAL), each in user space (EFAULT).
pub fn read_iovecs(address: UserAddr, count: usize) -> Result<Vec<abi::Iovec>> {
    if count > 1024 {
        return_errno!(EINVAL);
    }
    let vectors: Vec<abi::Iovec> =
        (0..count).map(|i| read_val::<abi::Iovec>(address.add(i * 16))).collect::<Result<_>>()?;
    let mut total: u64 = 0;
    for vector in &vectors {
        total =
            total.checked_add(vector.len).filter(|t| *t <= isize::MAX as u64).ok_or(abi::Errno::EINVAL)?;
    }
    for vector in &vectors {
        check_range(UserAddr(vector.base as usize), vector.len as usize)?;
    }
    Ok(vectors)
}

pub fn readv(context: &mut Context, fd: i32, vectors: UserAddr, count: usize) -> Result<usize> {
    let file = get(context, fd)?;
    let mut total = 0;
    for vector in read_iovecs(vectors, count)? {
        if vector.len == 0 {
            continue;
        }
        let mut kernel = kernel_buffer((vector.len as usize).min(MAX_IO))?;
        let done = file.read(&mut kernel)?;
        write_bytes(UserAddr(vector.base as usize), &kernel[..done])?;
        total += done;
        if done < kernel.len() {
            break;
        }
    }
    Ok(total)
}

pub fn writev(context: &mut Context, fd: i32, vectors: UserAddr, count: usize) -> Result<usize> {
    let file = get(context, fd)?;
    if !file.can_write() {
        return_errno!(EBADF);
    }
    let vectors = read_iovecs(vectors, count)?;
    if file.ops.discards_writes() {
        return Ok(vectors.iter().map(|v| v.len as usize).sum::<usize>().min(MAX_RW_COUNT));
    }
    // One write of everything (up to MAX_IO), so pipes keep it together.
    let data = gather_iovecs(&vectors)?;
    file.write(&data)
}

/// The bytes of `vectors` (checked by `read_iovecs`) in one kernel
/// buffer, up to MAX_IO in all: writev, sendmsg.
pub fn gather_iovecs(vectors: &[abi::Iovec]) -> Result<Vec<u8>> {
    let total = vectors.iter().map(|v| v.len as usize).sum::<usize>().min(MAX_IO);
    let mut data = kernel_buffer(total)?;
    let mut filled = 0;
    for vector in vectors {
        let length = (vector.len as usize).min(total - filled);
        read_bytes(UserAddr(vector.base as usize), &mut data[filled..filled + length])?;
        filled += length;
    }
    Ok(data)
}

/// sendfile: copies from a seekable file to any writable one, at
/// `offset` (then updated) or at the input's own offset.
pub fn sendfile(
    context: &mut Context,
    out_fd: i32,
    in_fd: i32,
    offset: UserAddr,
    count: usize,
) -> Result<usize> {
    const CHUNK: usize = 64 * 1024;
    let input = get(context, in_fd)?;
    let output = get(context, out_fd)?;
    if !input.can_read() || !output.can_write() {
        return_errno!(EBADF);
    }
    if !input.ops.is_seekable() || output.flags() & O_APPEND != 0 {
        return_errno!(EINVAL);
    }
    let mut position: Option<u64> = if offset.is_null() {
        None
    } else {
        let start: i64 = read_val(offset)?;
        if start < 0 {
            return_errno!(EINVAL);
        }
        Some(start as u64)
    };
    let count = count.min(0x7fff_f000); // MAX_RW_COUNT
    let mut buffer = kernel_buffer(count.min(CHUNK))?;
    let mut done = 0;
    while done < count {
        let want = (count - done).min(buffer.len());
        let read = match position {
            Some(at) => input.pread(&mut buffer[..want], at)?,
            None => input.read(&mut buffer[..want])?,
        };
        if read == 0 {
            break;
        }
        let written = match output.write(&buffer[..read]) {
            Ok(written) => written,
            Err(error) if done == 0 => return Err(error),
            Err(_) => break,
        };
        done += written;
        if let Some(at) = position.as_mut() {
            *at += written as u64;
        } else if written < read {
            input.seek(written as i64 - read as i64, 1)?;
        }
        if written < read {
            break;
        }
    }
    if let Some(at) = position {
        write_val(offset, &(at as i64))?;
    }
    Ok(done)
}

pub fn lseek(context: &mut Context, fd: i32, offset: i64, whence: u32) -> Result<u64> {
    get(context, fd)?.seek(offset, whence)
}

pub fn getdents64(context: &mut Context, fd: i32, buffer: UserAddr, size: usize) -> Result<usize> {
    let file = get(context, fd)?;
    let entries = file.ops.read_directory(file.offset(), size / 24 + 1)?;
    let mut out = Vec::new();
    let mut next = file.offset();
    for entry in entries {
        let length = (abi::DIRENT64_NAME_OFFSET + entry.name.len() + 1).div_ceil(8) * 8;
        if out.len() + length > size {
            if out.is_empty() {
                return_errno!(EINVAL);
            }
            break;
        }
        let start = out.len();
        out.resize(start + length, 0);
        out[start..start + 8].copy_from_slice(&entry.inode.to_le_bytes());
        out[start + 8..start + 16].copy_from_slice(&entry.next_offset.to_le_bytes());
        out[start + 16..start + 18].copy_from_slice(&(length as u16).to_le_bytes());
        out[start + 18] = entry.kind;
        out[start + 19..start + 19 + entry.name.len()].copy_from_slice(&entry.name);
        next = entry.next_offset;
    }
    write_bytes(buffer, &out)?;
    file.set_offset(next);
    Ok(out.len())
}

fn to_stat(metadata: &super::file::Metadata) -> abi::Stat {
    abi::Stat {
        st_dev: metadata.device,
        st_ino: metadata.inode,
        st_mode: metadata.mode,
        st_nlink: metadata.links,
        st_uid: metadata.uid,
        st_gid: metadata.gid,
        st_rdev: metadata.rdev,
        st_size: metadata.size as i64,
        st_blksize: metadata.block_size as i32,
        st_blocks: metadata.blocks as i64,
        st_atime: metadata.accessed.0,
        st_atime_nsec: u64::from(metadata.accessed.1),
        st_mtime: metadata.modified.0,
        st_mtime_nsec: u64::from(metadata.modified.1),
        st_ctime: metadata.changed.0,
        st_ctime_nsec: u64::from(metadata.changed.1),
        ..abi::Stat::default()
    }
}

/// statx(2): the stat fields in struct statx's layout (256 bytes), with
/// STATX_BASIC_STATS and STATX_MNT_ID reported.
pub fn statx(
    context: &mut Context,
    dirfd: i32,
    path: UserAddr,
    flags: u32,
    mask: u32,
    buffer: UserAddr,
) -> Result<()> {
    const AT_NO_AUTOMOUNT: u32 = 0x800;
    const AT_STATX_FORCE_SYNC: u32 = 0x2000;
    const AT_STATX_DONT_SYNC: u32 = 0x4000;
    const STATX_RESERVED: u32 = 0x8000_0000;
    const STATX_BASIC_STATS: u32 = 0x7ff;
    const STATX_MNT_ID: u32 = 0x1000;
    check_flags(
        flags,
        abi::AT_SYMLINK_NOFOLLOW
            | AT_NO_AUTOMOUNT
            | abi::AT_EMPTY_PATH
            | AT_STATX_FORCE_SYNC
            | AT_STATX_DONT_SYNC,
    )?;
    if flags & (AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC) == AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC
        || mask & STATX_RESERVED != 0
    {
        return_errno!(EINVAL);
    }
    let path = read_path(path)?;
    let metadata = if path.is_empty() && flags & abi::AT_EMPTY_PATH != 0 && dirfd != AT_FDCWD {
        get(context, dirfd)?.ops.metadata()?
    } else {
        let inode = target_at(context, dirfd, &path, flags, true)?;
        let mut metadata =
            open_inode(&inode).and_then(|ops| ops.metadata()).unwrap_or_else(|_| inode.metadata());
        metadata.inode = inode.number;
        metadata.device = super::tmpfs::DEVICE;
        metadata.mode = inode.mode();
        metadata.links = inode.attributes.lock().links;
        metadata
    };
    let major = |device: u64| ((device >> 8) & 0xfff) as u32 | ((device >> 32) as u32 & !0xfff);
    let minor = |device: u64| (device & 0xff) as u32 | ((device >> 12) as u32 & !0xff);
    let mut bytes = [0u8; 256];
    let mut put = |at: usize, value: &[u8]| bytes[at..at + value.len()].copy_from_slice(value);
    put(0, &(STATX_BASIC_STATS | STATX_MNT_ID).to_le_bytes());
    put(4, &metadata.block_size.to_le_bytes());
    put(16, &metadata.links.to_le_bytes());
    put(20, &metadata.uid.to_le_bytes());
    put(24, &metadata.gid.to_le_bytes());
    put(28, &(metadata.mode as u16).to_le_bytes());
    put(32, &metadata.inode.to_le_bytes());
    put(40, &metadata.size.to_le_bytes());
    put(48, &metadata.blocks.to_le_bytes());
    for (at, (seconds, nanoseconds)) in
        [(64, metadata.accessed), (96, metadata.changed), (112, metadata.modified)]
    {
        put(at, &seconds.to_le_bytes());
        put(at + 8, &nanoseconds.to_le_bytes());
    }
    put(128, &major(metadata.rdev).to_le_bytes());
    put(132, &minor(metadata.rdev).to_le_bytes());
    put(136, &major(metadata.device).to_le_bytes());
    put(140, &minor(metadata.device).to_le_bytes());
    put(144, &1u64.to_le_bytes()); // mount id
    write_bytes(buffer, &bytes)
}

pub fn fstat(context: &mut Context, fd: i32, buffer: UserAddr) -> Result<()> {
    let metadata = get(context, fd)?.ops.metadata()?;
    write_val(buffer, &to_stat(&metadata))
}

pub fn newfstatat(
    context: &mut Context,
    dirfd: i32,
    path: UserAddr,
    buffer: UserAddr,
    flags: u32,
) -> Result<()> {
    const AT_NO_AUTOMOUNT: u32 = 0x800;
    const AT_STATX_SYNC_TYPE: u32 = 0x6000;
    check_flags(flags, abi::AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | abi::AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)?;
    let path = read_path(path)?;
    if path.is_empty() && flags & abi::AT_EMPTY_PATH != 0 && dirfd != AT_FDCWD {
        return fstat(context, dirfd, buffer);
    }
    let inode = target_at(context, dirfd, &path, flags, true)?;
    let metadata = open_inode(&inode).and_then(|ops| ops.metadata()).unwrap_or_else(|_| inode.metadata());
    let mut stat = to_stat(&metadata);
    stat.st_ino = inode.number;
    stat.st_dev = super::tmpfs::DEVICE;
    stat.st_mode = inode.mode();
    stat.st_nlink = inode.attributes.lock().links;
    write_val(buffer, &stat)
}

pub fn faccessat(context: &mut Context, dirfd: i32, path: UserAddr, mode: u32) -> Result<()> {
    faccessat2(context, dirfd, path, mode, 0)
}

pub fn faccessat2(context: &mut Context, dirfd: i32, path: UserAddr, mode: u32, flags: u32) -> Result<()> {
    if mode & !7 != 0 {
        return_errno!(EINVAL);
    }
    check_flags(flags, abi::AT_EACCESS | abi::AT_SYMLINK_NOFOLLOW | abi::AT_EMPTY_PATH)?;
    let path = read_path(path)?;
    let inode = target_at(context, dirfd, &path, flags, true)?;
    // Root may read and write anything, and execute what has an x bit.
    if mode & 1 != 0 && !inode.is_directory() && inode.mode() & 0o111 == 0 {
        return_errno!(EACCES);
    }
    Ok(())
}

pub fn mkdirat(context: &mut Context, dirfd: i32, path: UserAddr, mode: u32) -> Result<()> {
    let path = read_path(path)?;
    let (parent, name, _) = parent_at(context, dirfd, &path)?;
    if name == b"." || name == b".." || parent.lookup(&name).is_ok() {
        return_errno!(EEXIST);
    }
    let umask = context.process().fs.lock().umask;
    parent.insert(&name, Inode::new_directory(mode & !umask & 0o7777))
}

pub fn mknodat(context: &mut Context, dirfd: i32, path: UserAddr, mode: u32, device: u32) -> Result<()> {
    let path = read_path(path)?;
    let (parent, name, _) = parent_at(context, dirfd, &path)?;
    let umask = context.process().fs.lock().umask;
    let kind = mode & S_IFMT;
    let inode = match kind {
        0 | S_IFREG => Inode::new_file(mode & !umask, Default::default()),
        S_IFDIR => return_errno!(EPERM),
        S_IFCHR | S_IFBLK | S_IFIFO | S_IFSOCK => {
            let rdev = super::initramfs::device_number(device >> 8, device & 0xff);
            Inode::new(kind | (mode & !umask & 0o7777), Content::Special, rdev)
        }
        _ => return_errno!(EINVAL),
    };
    parent.insert(&name, inode)
}

pub fn unlinkat(context: &mut Context, dirfd: i32, path: UserAddr, flags: u32) -> Result<()> {
    check_flags(flags, abi::AT_REMOVEDIR)?;
    let path = read_path(path)?;
    if !path.is_empty() && path.iter().all(|&b| b == b'/') {
        // The root itself: busy (a mount point of everything).
        return Err(if flags & abi::AT_REMOVEDIR != 0 { Errno::EBUSY } else { Errno::EISDIR }.into());
    }
    let (parent, name, trailing_slash) = parent_at(context, dirfd, &path)?;
    let directory = flags & abi::AT_REMOVEDIR != 0;
    if directory {
        match name.as_slice() {
            b"." => return_errno!(EINVAL),
            b".." => return_errno!(ENOTEMPTY),
            _ => {}
        }
    } else if trailing_slash {
        let target = parent.lookup(&name)?;
        return Err(if target.is_directory() { Errno::EISDIR } else { Errno::ENOTDIR }.into());
    }
    parent.remove(&name, directory).map(drop)
}

pub fn renameat2(
    context: &mut Context,
    old_dirfd: i32,
    old_path: UserAddr,
    new_dirfd: i32,
    new_path: UserAddr,
    flags: u32,
) -> Result<()> {
    const RENAME_NOREPLACE: u32 = 1;
    const RENAME_EXCHANGE: u32 = 2;
    if flags & !(RENAME_NOREPLACE | RENAME_EXCHANGE) != 0
        || flags & (RENAME_NOREPLACE | RENAME_EXCHANGE) == RENAME_NOREPLACE | RENAME_EXCHANGE
    {
        return_errno!(EINVAL);
    }
    let old_path = read_path(old_path)?;
    let new_path = read_path(new_path)?;
    let (old_parent, old_name, old_slash) = parent_at(context, old_dirfd, &old_path)?;
    let (new_parent, new_name, new_slash) = parent_at(context, new_dirfd, &new_path)?;
    let is_dot = |name: &[u8]| name == b"." || name == b"..";
    if is_dot(&old_name) || is_dot(&new_name) {
        return_errno!(EBUSY);
    }
    let moving = old_parent.lookup(&old_name)?;
    let existing = new_parent.lookup(&new_name).ok();
    let slash_on_file = |inode: &Arc<Inode>, slash: bool| slash && !inode.is_directory();
    if slash_on_file(&moving, old_slash || new_slash) {
        return_errno!(ENOTDIR);
    }
    // A directory cannot move into its own subtree.
    let inside = |directory: &Arc<Inode>, ancestor: &Arc<Inode>| {
        let mut cursor = Some(directory.clone());
        while let Some(current) = cursor {
            if Arc::ptr_eq(&current, ancestor) {
                return true;
            }
            cursor = current.parent.lock().upgrade().filter(|p| !Arc::ptr_eq(p, &current));
        }
        false
    };
    if moving.is_directory() && inside(&new_parent, &moving) {
        return_errno!(EINVAL);
    }
    if flags & RENAME_EXCHANGE != 0 {
        let Some(other) = existing else { return_errno!(ENOENT) };
        if other.is_directory() && inside(&old_parent, &other) {
            return_errno!(EINVAL);
        }
        if Arc::ptr_eq(&other, &moving) {
            return Ok(());
        }
        old_parent.detach(&old_name)?;
        new_parent.detach(&new_name)?;
        new_parent.insert(&new_name, moving)?;
        return old_parent.insert(&old_name, other);
    }
    if let Some(existing) = existing {
        if flags & RENAME_NOREPLACE != 0 {
            return_errno!(EEXIST);
        }
        if Arc::ptr_eq(&existing, &moving) {
            return Ok(());
        }
        if slash_on_file(&existing, new_slash) {
            return_errno!(ENOTDIR);
        }
        match (moving.is_directory(), existing.is_directory()) {
            (true, false) => return_errno!(ENOTDIR),
            (false, true) => return_errno!(EISDIR),
            (true, true) if !existing.is_empty_directory() => return_errno!(ENOTEMPTY),
            _ => {}
        }
        new_parent.remove(&new_name, existing.is_directory())?;
    }
    old_parent.detach(&old_name)?;
    new_parent.insert(&new_name, moving)
}

pub fn linkat(
    context: &mut Context,
    old_dirfd: i32,
    old_path: UserAddr,
    new_dirfd: i32,
    new_path: UserAddr,
    flags: u32,
) -> Result<()> {
    check_flags(flags, abi::AT_SYMLINK_FOLLOW | abi::AT_EMPTY_PATH)?;
    let old_path = read_path(old_path)?;
    let new_path = read_path(new_path)?;
    let target = if old_path.is_empty() && flags & abi::AT_EMPTY_PATH != 0 {
        target_at(context, old_dirfd, &old_path, flags, false)?
    } else {
        lookup_at(context, old_dirfd, &old_path, flags & abi::AT_SYMLINK_FOLLOW != 0)?
    };
    if target.is_directory() {
        return_errno!(EPERM);
    }
    let (parent, name, trailing_slash) = parent_at(context, new_dirfd, &new_path)?;
    if trailing_slash && parent.lookup(&name).is_err() {
        return_errno!(ENOENT);
    }
    parent.insert(&name, target.clone())?;
    target.attributes.lock().links += 1;
    Ok(())
}

pub fn symlinkat(context: &mut Context, target: UserAddr, dirfd: i32, path: UserAddr) -> Result<()> {
    let target = read_path(target)?;
    let path = read_path(path)?;
    if target.is_empty() {
        return_errno!(ENOENT);
    }
    let (parent, name, _) = parent_at(context, dirfd, &path)?;
    parent.insert(&name, Inode::new(S_IFLNK | 0o777, Content::Symlink(target), 0))
}

pub fn readlinkat(
    context: &mut Context,
    dirfd: i32,
    path: UserAddr,
    buffer: UserAddr,
    size: i32,
) -> Result<usize> {
    let path = read_path(path)?;
    if size <= 0 {
        return_errno!(EINVAL);
    }
    let inode = lookup_at(context, dirfd, &path, false)?;
    let target = inode.symlink_target().ok_or(Errno::EINVAL)?;
    let count = target.len().min(size as usize);
    write_bytes(buffer, &target[..count])?;
    Ok(count)
}

pub fn fchmodat(context: &mut Context, dirfd: i32, path: UserAddr, mode: u32) -> Result<()> {
    let path = read_path(path)?;
    let inode = lookup_at(context, dirfd, &path, true)?;
    let mut attributes = inode.attributes.lock();
    attributes.mode = (attributes.mode & S_IFMT) | (mode & 0o7777);
    Ok(())
}

pub fn fchmod(context: &mut Context, fd: i32, mode: u32) -> Result<()> {
    let file = get(context, fd)?;
    if let Some(inode) = inode_of(&file) {
        let mut attributes = inode.attributes.lock();
        attributes.mode = (attributes.mode & S_IFMT) | (mode & 0o7777);
    }
    Ok(())
}

/// fchown: as fchownat on the descriptor's file.
pub fn fchown(context: &mut Context, fd: i32, uid: u32, gid: u32) -> Result<()> {
    let file = get(context, fd)?;
    let inode = inode_of(&file).ok_or(Errno::EINVAL)?;
    chown(&inode, uid, gid);
    Ok(())
}

/// fsync and fdatasync: tmpfs has nothing to write back; pipes, sockets
/// and the like are EINVAL, as Linux says.
pub fn fsync(context: &mut Context, fd: i32) -> Result<()> {
    let file = get(context, fd)?;
    let mode = file.ops.metadata()?.mode & S_IFMT;
    if mode == S_IFIFO || mode == S_IFSOCK {
        return_errno!(EINVAL);
    }
    Ok(())
}

pub fn fchownat(
    context: &mut Context,
    dirfd: i32,
    path: UserAddr,
    uid: u32,
    gid: u32,
    flags: u32,
) -> Result<()> {
    check_flags(flags, abi::AT_SYMLINK_NOFOLLOW | abi::AT_EMPTY_PATH)?;
    let path = read_path(path)?;
    let inode = target_at(context, dirfd, &path, flags, true)?;
    chown(&inode, uid, gid);
    Ok(())
}

/// Sets the owner and group (-1 keeps one), as root may.
fn chown(inode: &Inode, uid: u32, gid: u32) {
    let mut attributes = inode.attributes.lock();
    if uid != u32::MAX {
        attributes.uid = uid;
    }
    if gid != u32::MAX {
        attributes.gid = gid;
    }
    // A change of owner drops set-user-ID, and set-group-ID where it means
    // "run as the group" (group execute set), as chown(2) describes.
    if (uid != u32::MAX || gid != u32::MAX) && attributes.mode & S_IFMT != S_IFDIR {
        attributes.mode &= !S_ISUID;
        if attributes.mode & 0o010 != 0 {
            attributes.mode &= !S_ISGID;
        }
    }
    attributes.changed = crate::time::realtime();
}

pub fn utimensat(
    context: &mut Context,
    dirfd: i32,
    path: UserAddr,
    times: UserAddr,
    flags: u32,
) -> Result<()> {
    check_flags(flags, abi::AT_SYMLINK_NOFOLLOW | abi::AT_EMPTY_PATH)?;
    let inode = if path.is_null() {
        inode_of(&*get(context, dirfd)?).ok_or(Errno::EBADF)?
    } else {
        let path = read_path(path)?;
        target_at(context, dirfd, &path, flags, true)?
    };
    const UTIME_NOW: i64 = (1 << 30) - 1;
    const UTIME_OMIT: i64 = (1 << 30) - 2;
    let now = crate::time::realtime();
    let (access, modify) = if times.is_null() {
        (Some(now), Some(now))
    } else {
        let [a, m]: [abi::Timespec; 2] = [read_val(times)?, read_val(times.add(16))?];
        let pick = |t: abi::Timespec| -> Result<Option<(i64, u32)>> {
            match t.tv_nsec {
                UTIME_OMIT => Ok(None),
                UTIME_NOW => Ok(Some(now)),
                n if (0..1_000_000_000).contains(&n) => Ok(Some((t.tv_sec, n as u32))),
                _ => Err(Errno::EINVAL.into()),
            }
        };
        (pick(a)?, pick(m)?)
    };
    let mut attributes = inode.attributes.lock();
    if let Some(time) = access {
        attributes.accessed = time;
    }
    if let Some(time) = modify {
        attributes.modified = time;
    }
    attributes.changed = now;
    Ok(())
}

pub fn ftruncate(context: &mut Context, fd: i32, length: i64) -> Result<()> {
    if length < 0 {
        return_errno!(EINVAL);
    }
    let file = get(context, fd)?;
    if !file.can_write() {
        return_errno!(EINVAL);
    }
    file.ops.truncate(length as u64)
}

pub fn truncate(context: &mut Context, path: UserAddr, length: i64) -> Result<()> {
    let path = read_path(path)?;
    if length < 0 {
        return_errno!(EINVAL);
    }
    lookup_at(context, AT_FDCWD, &path, true)?.truncate(length as u64)
}

pub fn chdir(context: &mut Context, path: UserAddr) -> Result<()> {
    let path = read_path(path)?;
    let inode = lookup_at(context, AT_FDCWD, &path, true)?;
    if !inode.is_directory() {
        return_errno!(ENOTDIR);
    }
    context.process().fs.lock().cwd = inode;
    Ok(())
}

pub fn fchdir(context: &mut Context, fd: i32) -> Result<()> {
    let inode = inode_of(&*get(context, fd)?).ok_or(Errno::ENOTDIR)?;
    if !inode.is_directory() {
        return_errno!(ENOTDIR);
    }
    context.process().fs.lock().cwd = inode;
    Ok(())
}

pub fn getcwd(context: &mut Context, buffer: UserAddr, size: usize) -> Result<usize> {
    let fs = context.process().fs.lock().clone();
    // A removed current directory has no path any more.
    if fs.cwd.attributes.lock().links == 0 {
        return_errno!(ENOENT);
    }
    let mut path = super::path::absolute(&fs.root, &fs.cwd);
    path.push(0);
    if path.len() > size {
        return_errno!(ERANGE);
    }
    write_bytes(buffer, &path)?;
    Ok(path.len())
}

pub fn dup(context: &mut Context, fd: i32) -> Result<i32> {
    let mut files = context.process().files.lock();
    let file = files.get(fd)?;
    files.insert(file, false)
}

pub fn dup3(context: &mut Context, old: i32, new: i32, flags: u32) -> Result<i32> {
    if old == new || flags & !O_CLOEXEC != 0 {
        return_errno!(EINVAL);
    }
    let mut files = context.process().files.lock();
    let file = files.get(old)?;
    let new_index = usize::try_from(new).ok().filter(|&n| n < files.limit).ok_or(Errno::EBADF)?;
    let replaced = files.put(new_index, file, flags & O_CLOEXEC != 0)?;
    drop(files);
    drop(replaced);
    Ok(new)
}

pub fn fcntl(context: &mut Context, fd: i32, command: u32, argument: usize) -> Result<isize> {
    const F_DUPFD: u32 = 0;
    const F_GETFD: u32 = 1;
    const F_SETFD: u32 = 2;
    const F_GETFL: u32 = 3;
    const F_SETFL: u32 = 4;
    const F_DUPFD_CLOEXEC: u32 = 1030;
    const F_GETPIPE_SZ: u32 = 1032;
    const F_GETLK: u32 = 5;
    const F_SETLK: u32 = 6;
    const F_SETLKW: u32 = 7;
    const F_SETOWN: u32 = 8;
    const F_GETOWN: u32 = 9;
    let mut files = context.process().files.lock();
    let file = files.get(fd)?;
    match command {
        F_DUPFD | F_DUPFD_CLOEXEC => {
            if argument >= files.limit {
                return_errno!(EINVAL);
            }
            let cloexec = command == F_DUPFD_CLOEXEC;
            let limit = files.limit;
            Ok(files.insert_from(argument, file, cloexec, limit)? as isize)
        }
        F_GETFD => Ok(isize::from(files.close_on_exec(fd)?)),
        F_SETFD => files.set_close_on_exec(fd, argument & 1 != 0).map(|()| 0),
        F_GETFL => Ok(file.flags() as isize),
        F_GETLK | F_SETLK | F_SETLKW => {
            drop(files);
            let inode = inode_of(&file).ok_or(Errno::EINVAL)?;
            let pid = context.process().pid;
            super::record_locks::fcntl_lock(&file, inode.number, pid, command, UserAddr(argument))
        }
        F_GETPIPE_SZ if file.ops.metadata()?.mode & abi::mode::S_IFMT == abi::mode::S_IFIFO => {
            Ok(super::pipe::CAPACITY as isize)
        }
        F_SETFL => {
            file.set_status_flags(argument as u32);
            Ok(0)
        }
        // The owner SIGIO would go to (recorded; SIGIO is not sent yet).
        F_SETOWN => {
            let owner = argument as i32;
            if owner > 0 && crate::process::find(owner as u32).is_none() {
                return_errno!(ESRCH);
            }
            file.owner.store(owner, core::sync::atomic::Ordering::Relaxed);
            Ok(0)
        }
        F_GETOWN => Ok(file.owner.load(core::sync::atomic::Ordering::Relaxed) as isize),
        _ => return_errno!(EINVAL),
    }
}

pub fn pipe2(context: &mut Context, fds: UserAddr, flags: u32) -> Result<()> {
    if flags & !(O_CLOEXEC | O_NONBLOCK) != 0 {
        return_errno!(EINVAL);
    }
    let (reader, writer) = super::pipe::new();
    let status = flags & O_NONBLOCK;
    let cloexec = flags & O_CLOEXEC != 0;
    let reader = OpenFile::new(reader, O_RDONLY | status, b"pipe:".to_vec());
    let writer = OpenFile::new(writer, super::file::O_WRONLY | status, b"pipe:".to_vec());
    let mut files = context.process().files.lock();
    let read_fd = files.insert(reader, cloexec)?;
    let write_fd = match files.insert(writer, cloexec) {
        Ok(fd) => fd,
        Err(error) => {
            let _ = files.remove(read_fd);
            return Err(error);
        }
    };
    drop(files);
    if let Err(error) = write_val(fds, &[read_fd, write_fd]) {
        let mut files = context.process().files.lock();
        let _ = files.remove(read_fd);
        let _ = files.remove(write_fd);
        return Err(error);
    }
    Ok(())
}

pub fn ioctl(context: &mut Context, fd: i32, command: u32, argument: usize) -> Result<isize> {
    let file = get(context, fd)?;
    const FIOCLEX: u32 = 0x5451;
    const FIONCLEX: u32 = 0x5450;
    const FIOASYNC: u32 = 0x5452;
    match command {
        FIOCLEX | FIONCLEX => {
            context.process().files.lock().set_close_on_exec(fd, command == FIOCLEX)?;
            Ok(0)
        }
        FIOASYNC => {
            // O_ASYNC is recorded (fcntl F_GETFL shows it); SIGIO is not
            // sent yet.
            let on: i32 = read_val(UserAddr(argument))?;
            let async_flag = crate::fs::file::O_ASYNC;
            let flags = if on != 0 { file.flags() | async_flag } else { file.flags() & !async_flag };
            file.set_status_flags(flags);
            Ok(0)
        }
        crate::tty::ioctl::FIONBIO => {
            let on: i32 = read_val(UserAddr(argument))?;
            let flags = if on != 0 { file.flags() | O_NONBLOCK } else { file.flags() & !O_NONBLOCK };
            file.set_status_flags(flags);
            Ok(0)
        }
        _ => file.ops.ioctl(&file, command, argument),
    }
}

pub fn umask(context: &mut Context, mask: u32) -> Result<u32> {
    let mut fs = context.process().fs.lock();
    let old = fs.umask;
    fs.umask = mask & 0o777;
    Ok(old)
}

pub fn mount(
    context: &mut Context,
    source: UserAddr,
    target: UserAddr,
    fstype: UserAddr,
    _flags: u64,
    _data: UserAddr,
) -> Result<()> {
    let target = read_path(target)?;
    let source = if source.is_null() { Vec::new() } else { read_path(source)? };
    let fstype = crate::mm::user::read_cstring(fstype, 255, Errno::ENODEV)?;
    let directory = lookup_at(context, AT_FDCWD, &target, true)?;
    if !directory.is_directory() {
        return_errno!(ENOTDIR);
    }
    let (root, fstype, options): (Arc<Inode>, &'static str, &'static str) = match fstype.as_slice() {
        b"devtmpfs" => {
            let root = Inode::new_directory(0o755);
            super::device::populate(&root);
            (root, "devtmpfs", "rw,relatime,mode=755")
        }
        b"tmpfs" => (Inode::new_directory(0o1777), "tmpfs", "rw,relatime"),
        b"proc" => (super::procfs::new_root(), "proc", "rw,relatime"),
        _ => return_errno!(ENODEV),
    };
    let start = context.process().fs.lock().clone();
    let path = super::path::canonical(&Start { root: &start.root, directory: &start.cwd }, &target)?;
    let source = alloc::string::String::from_utf8_lossy(&source).into_owned();
    super::mounts::mount(&directory, root, path, &source, fstype, options);
    Ok(())
}

pub fn umount2(context: &mut Context, target: UserAddr, flags: u32) -> Result<()> {
    const KNOWN: u32 = 0x1 | 0x2 | 0x4 | 0x8; // MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW
    if flags & !KNOWN != 0 {
        return_errno!(EINVAL);
    }
    let target = read_path(target)?;
    let root = lookup_at(context, AT_FDCWD, &target, flags & 0x8 == 0)?;
    super::mounts::unmount(&root)
}

/// Everything lives in memory: there is nothing to write back.
pub fn sync(_context: &mut Context) -> Result<()> {
    Ok(())
}
