//! POSIX record locks (fcntl F_GETLK, F_SETLK, F_SETLKW): byte ranges of
//! a file read- or write-locked by a process. Advisory, as on Linux: they
//! bind only processes that ask. A process's locks on a file go when it
//! closes any descriptor of that file, and all of them when it exits.

use super::file::OpenFile;
use crate::error::Result;
use crate::mm::user::{read_bytes, write_bytes};
use crate::return_errno;
use crate::sync::WaitQueue;
use crate::syscall::UserAddr;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use hal::sync::SpinLock;

const F_RDLCK: i16 = 0;
const F_WRLCK: i16 = 1;
const F_UNLCK: i16 = 2;

#[derive(Clone, Copy, Debug)]
struct Lock {
    owner: u32,
    write: bool,
    /// [start, end), end u64::MAX for "to the end of the file and beyond".
    start: u64,
    end: u64,
}

impl Lock {
    fn overlaps(&self, start: u64, end: u64) -> bool {
        self.start < end && start < self.end
    }

    fn conflicts(&self, other: &Lock) -> bool {
        self.owner != other.owner && (self.write || other.write) && self.overlaps(other.start, other.end)
    }
}

/// Locks by inode number.
static LOCKS: SpinLock<BTreeMap<u64, Vec<Lock>>> = SpinLock::new(BTreeMap::new());
/// Woken whenever a lock goes away (F_SETLKW waiters re-check).
static RELEASED: WaitQueue = WaitQueue::new();

/// struct flock (riscv64): l_type, l_whence, l_start, l_len, l_pid at 0,
/// 2, 8, 16, 24; 32 bytes.
struct Flock {
    kind: i16,
    whence: i16,
    start: i64,
    length: i64,
}

fn read_flock(address: UserAddr) -> Result<Flock> {
    let mut raw = [0u8; 32];
    read_bytes(address, &mut raw)?;
    let half = |at: usize| i16::from_le_bytes([raw[at], raw[at + 1]]);
    let word = |at: usize| i64::from_le_bytes(raw[at..at + 8].try_into().unwrap_or([0; 8]));
    Ok(Flock { kind: half(0), whence: half(2), start: word(8), length: word(16) })
}

/// The byte range a struct flock names, from the file's offset or size
/// for SEEK_CUR and SEEK_END (EINVAL for a range before the start).
fn range(file: &OpenFile, flock: &Flock) -> Result<(u64, u64)> {
    let base = match flock.whence {
        0 => 0,
        1 => file.offset() as i64,
        2 => file.ops.size() as i64,
        _ => return_errno!(EINVAL),
    };
    let mut start = base.checked_add(flock.start).ok_or(abi::Errno::EOVERFLOW)?;
    let end = match flock.length {
        0 => u64::MAX,
        length if length > 0 => start.checked_add(length).ok_or(abi::Errno::EOVERFLOW)? as u64,
        length => {
            let end = start;
            start = start.checked_add(length).ok_or(abi::Errno::EINVAL)?;
            end as u64
        }
    };
    if start < 0 {
        return_errno!(EINVAL);
    }
    Ok((start as u64, end))
}

fn conflict(inode: u64, wanted: &Lock) -> Option<Lock> {
    LOCKS.lock().get(&inode).and_then(|locks| locks.iter().find(|l| l.conflicts(wanted)).copied())
}

/// Replaces the owner's locks over [start, end) with `new` (None unlocks).
fn apply(inode: u64, owner: u32, start: u64, end: u64, new: Option<Lock>) {
    let mut table = LOCKS.lock();
    let locks = table.entry(inode).or_default();
    let mut kept = Vec::with_capacity(locks.len() + 2);
    for lock in locks.drain(..) {
        if lock.owner != owner || !lock.overlaps(start, end) {
            kept.push(lock);
            continue;
        }
        if lock.start < start {
            kept.push(Lock { end: start, ..lock });
        }
        if lock.end > end {
            kept.push(Lock { start: end, ..lock });
        }
    }
    kept.extend(new);
    *locks = kept;
    if locks.is_empty() {
        table.remove(&inode);
    }
    drop(table);
    RELEASED.wake_all();
}

/// F_GETLK, F_SETLK, F_SETLKW for `owner` (a pid) on `file`.
pub fn fcntl_lock(file: &OpenFile, inode: u64, owner: u32, command: u32, address: UserAddr) -> Result<isize> {
    const F_GETLK: u32 = 5;
    const F_SETLKW: u32 = 7;
    let flock = read_flock(address)?;
    let (start, end) = range(file, &flock)?;
    let write = match flock.kind {
        F_RDLCK => false,
        F_WRLCK => true,
        F_UNLCK if command != F_GETLK => {
            apply(inode, owner, start, end, None);
            return Ok(0);
        }
        _ => return_errno!(EINVAL),
    };
    let wanted = Lock { owner, write, start, end };
    if command == F_GETLK {
        let mut raw = [0u8; 32];
        match conflict(inode, &wanted) {
            Some(lock) => {
                let length = if lock.end == u64::MAX { 0 } else { (lock.end - lock.start) as i64 };
                raw[0..2].copy_from_slice(&(if lock.write { F_WRLCK } else { F_RDLCK }).to_le_bytes());
                raw[8..16].copy_from_slice(&(lock.start as i64).to_le_bytes());
                raw[16..24].copy_from_slice(&length.to_le_bytes());
                raw[24..28].copy_from_slice(&(lock.owner as i32).to_le_bytes());
            }
            None => {
                // Unchanged but for l_type.
                read_bytes(address, &mut raw)?;
                raw[0..2].copy_from_slice(&F_UNLCK.to_le_bytes());
            }
        }
        write_bytes(address, &raw)?;
        return Ok(0);
    }
    if (write && !file.can_write()) || (!write && !file.can_read()) {
        return_errno!(EBADF);
    }
    if conflict(inode, &wanted).is_some() {
        if command != F_SETLKW {
            return_errno!(EAGAIN);
        }
        let free =
            RELEASED.wait_until_or(|| conflict(inode, &wanted).is_none(), crate::signal::current_has_pending);
        if !free {
            return_errno!(ERESTARTSYS);
        }
    }
    apply(inode, owner, start, end, Some(wanted));
    Ok(0)
}

/// close(2): the process's locks on that file go, whichever descriptor
/// took them.
pub fn release_file(inode: u64, owner: u32) {
    let had = LOCKS.lock().get(&inode).is_some_and(|locks| locks.iter().any(|l| l.owner == owner));
    if had {
        apply(inode, owner, 0, u64::MAX, None);
    }
}

/// Exit: every lock of the process goes.
pub fn release_all(owner: u32) {
    let inodes: Vec<u64> = LOCKS
        .lock()
        .iter()
        .filter(|(_, locks)| locks.iter().any(|l| l.owner == owner))
        .map(|(&inode, _)| inode)
        .collect();
    for inode in inodes {
        apply(inode, owner, 0, u64::MAX, None);
    }
}
