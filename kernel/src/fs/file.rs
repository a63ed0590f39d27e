//! Open files: what a file descriptor refers to. [`FileOps`] is what each
//! kind of file (regular, directory, pipe, device, procfs entry) does;
//! [`OpenFile`] is Linux's "open file description": the operations plus
//! the offset and status flags that `dup` and `fork` share.

use crate::error::Result;
use crate::return_errno;
use crate::sync::WaitQueue;
use abi::Errno;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};
use hal::sync::SpinLock;

/// Readiness for poll/select.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Readiness {
    pub readable: bool,
    pub writable: bool,
    pub hang_up: bool,
    pub error: bool,
    /// The peer shut its writing side (POLLRDHUP, EPOLLRDHUP).
    pub read_hang_up: bool,
}

/// Metadata as stat(2) reports it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Metadata {
    pub device: u64,
    pub inode: u64,
    pub mode: u32,
    pub links: u32,
    pub uid: u32,
    pub gid: u32,
    pub rdev: u64,
    pub size: u64,
    pub block_size: u32,
    pub blocks: u64,
    pub accessed: (i64, u32),
    pub modified: (i64, u32),
    pub changed: (i64, u32),
}

/// One directory entry as getdents64 returns it.
pub struct DirectoryEntry {
    pub inode: u64,
    /// The offset to resume after this entry.
    pub next_offset: u64,
    pub kind: u8,
    pub name: Vec<u8>,
}

/// What a kind of file does. Defaults are Linux's answers for files that
/// do not support the operation.
pub trait FileOps: core::any::Any + Send + Sync {
    /// Reads at `offset` (ignored by unseekable files).
    fn read(&self, _file: &OpenFile, _offset: u64, _buffer: &mut [u8]) -> Result<usize> {
        return_errno!(EINVAL)
    }
    fn write(&self, _file: &OpenFile, _offset: u64, _data: &[u8]) -> Result<usize> {
        return_errno!(EINVAL)
    }
    fn metadata(&self) -> Result<Metadata>;
    /// Whether writes are taken without being read (/dev/null): write(2)
    /// then checks only that the buffer is in user space, as Linux does.
    fn discards_writes(&self) -> bool {
        false
    }
    /// Whether lseek and pread/pwrite apply (ESPIPE otherwise).
    fn is_seekable(&self) -> bool {
        true
    }
    /// Size for SEEK_END.
    fn size(&self) -> u64 {
        self.metadata().map_or(0, |m| m.size)
    }
    fn ioctl(&self, _file: &OpenFile, _command: u32, _argument: usize) -> Result<isize> {
        return_errno!(ENOTTY)
    }
    fn readiness(&self) -> Readiness {
        Readiness { readable: true, writable: true, ..Readiness::default() }
    }
    /// The wait queues woken when the readiness may have changed (poll
    /// waits on them); none for files that are always ready.
    fn wait_queues(&self) -> [Option<&WaitQueue>; 2] {
        [None, None]
    }
    /// Entries from `offset` on, for getdents64 (ENOTDIR for non-directories).
    fn read_directory(&self, _offset: u64, _max: usize) -> Result<Vec<DirectoryEntry>> {
        return_errno!(ENOTDIR)
    }
    fn truncate(&self, _length: u64) -> Result<()> {
        return_errno!(EINVAL)
    }
    /// Called when the last descriptor of the open file goes away.
    fn release(&self) {}
    /// Called when a second open file description comes to share these
    /// operations (opening /proc/PID/fd/N of a pipe); `release` will be
    /// called once more.
    fn opened_again(&self) {}
}

/// Open file description.
pub struct OpenFile {
    pub ops: Arc<dyn FileOps>,
    offset: SpinLock<u64>,
    /// O_* status flags (O_APPEND, O_NONBLOCK, access mode).
    flags: AtomicU32,
    /// The path it was opened by, for /proc/PID/fd.
    #[allow(dead_code)]
    pub path: Vec<u8>,
    /// F_SETOWN's process (positive) or process group (negative), 0 none.
    pub owner: core::sync::atomic::AtomicI32,
}

pub const O_ACCMODE: u32 = 3;
pub const O_LARGEFILE: u32 = 0o100000;
pub const O_RDONLY: u32 = 0;
pub const O_WRONLY: u32 = 1;
pub const O_RDWR: u32 = 2;
pub const O_APPEND: u32 = 0o2000;
pub const O_NONBLOCK: u32 = 0o4000;
/// FASYNC: SIGIO on readiness (recorded; the signal is not sent yet).
pub const O_ASYNC: u32 = 0o20000;

impl OpenFile {
    pub fn new(ops: Arc<dyn FileOps>, flags: u32, path: Vec<u8>) -> Arc<OpenFile> {
        Arc::new(OpenFile {
            ops,
            offset: SpinLock::new(0),
            flags: AtomicU32::new(flags),
            path,
            owner: core::sync::atomic::AtomicI32::new(0),
        })
    }

    pub fn flags(&self) -> u32 {
        self.flags.load(Ordering::Relaxed)
    }

    /// Changes the flags F_SETFL may change (O_APPEND, O_NONBLOCK).
    pub fn set_status_flags(&self, flags: u32) {
        let settable = O_APPEND | O_NONBLOCK | O_ASYNC;
        let old = self.flags();
        self.flags.store((old & !settable) | (flags & settable), Ordering::Relaxed);
    }

    pub fn is_nonblocking(&self) -> bool {
        self.flags() & O_NONBLOCK != 0
    }

    pub fn can_read(&self) -> bool {
        self.flags() & O_ACCMODE != O_WRONLY
    }

    pub fn can_write(&self) -> bool {
        matches!(self.flags() & O_ACCMODE, O_WRONLY | O_RDWR)
    }

    /// read(2): at the file offset, advancing it.
    pub fn read(&self, buffer: &mut [u8]) -> Result<usize> {
        if !self.can_read() {
            return_errno!(EBADF);
        }
        if !self.ops.is_seekable() {
            return self.ops.read(self, 0, buffer);
        }
        let mut offset = self.offset.lock();
        let count = self.ops.read(self, *offset, buffer)?;
        *offset += count as u64;
        Ok(count)
    }

    /// write(2): at the offset (or the end with O_APPEND), advancing it.
    pub fn write(&self, data: &[u8]) -> Result<usize> {
        if !self.can_write() {
            return_errno!(EBADF);
        }
        if !self.ops.is_seekable() {
            return self.ops.write(self, 0, data);
        }
        let mut offset = self.offset.lock();
        if self.flags() & O_APPEND != 0 {
            *offset = self.ops.size();
        }
        let count = self.ops.write(self, *offset, data)?;
        *offset += count as u64;
        Ok(count)
    }

    pub fn pread(&self, buffer: &mut [u8], offset: u64) -> Result<usize> {
        if !self.can_read() {
            return_errno!(EBADF);
        }
        if !self.ops.is_seekable() {
            return_errno!(ESPIPE);
        }
        self.ops.read(self, offset, buffer)
    }

    pub fn pwrite(&self, data: &[u8], offset: u64) -> Result<usize> {
        if !self.can_write() {
            return_errno!(EBADF);
        }
        if !self.ops.is_seekable() {
            return_errno!(ESPIPE);
        }
        // Linux appends on an O_APPEND file whatever the offset (a
        // documented bug kept for compatibility; see pwrite(2)).
        let offset = if self.flags() & O_APPEND != 0 { self.ops.size() } else { offset };
        self.ops.write(self, offset, data)
    }

    /// lseek(2).
    pub fn seek(&self, offset: i64, whence: u32) -> Result<u64> {
        if !self.ops.is_seekable() {
            return_errno!(ESPIPE);
        }
        let mut current = self.offset.lock();
        const SEEK_DATA: u32 = 3;
        const SEEK_HOLE: u32 = 4;
        let base = match whence {
            0 => 0,
            1 => *current as i64,
            2 => self.ops.size() as i64,
            // Everything before the end counts as data, and the end as
            // the one hole, as for file systems that do not track holes.
            SEEK_DATA | SEEK_HOLE => {
                let size = self.ops.size() as i64;
                if offset < 0 || offset >= size {
                    return_errno!(ENXIO);
                }
                let at = if whence == SEEK_DATA { offset } else { size };
                *current = at as u64;
                return Ok(at as u64);
            }
            _ => return_errno!(EINVAL),
        };
        let new = base.checked_add(offset).filter(|&n| n >= 0).ok_or(Errno::EINVAL)?;
        *current = new as u64;
        Ok(new as u64)
    }

    /// The offset (for directories, the readdir cookie).
    pub fn offset(&self) -> u64 {
        *self.offset.lock()
    }

    pub fn set_offset(&self, offset: u64) {
        *self.offset.lock() = offset;
    }
}

impl Drop for OpenFile {
    fn drop(&mut self) {
        self.ops.release();
    }
}
