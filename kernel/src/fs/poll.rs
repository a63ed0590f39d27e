//! ppoll and pselect6: wait until one of several files is ready, a
//! timeout passes or a signal comes. The waiting task registers on every
//! file's wait queues and re-tests readiness after each wake-up.

use super::file::{OpenFile, Readiness};
use crate::error::Result;
use crate::mm::user::{kernel_buffer, read_bytes, read_val, write_bytes, write_val};
use crate::return_errno;
use crate::sched;
use crate::syscall::{Context, UserAddr};
use abi::Timespec;
use alloc::sync::Arc;
use alloc::vec::Vec;

const POLLIN: u16 = 0x1;
const POLLPRI: u16 = 0x2;
const POLLOUT: u16 = 0x4;
const POLLERR: u16 = 0x8;
const POLLHUP: u16 = 0x10;
const POLLNVAL: u16 = 0x20;
const POLLRDNORM: u16 = 0x40;
const POLLWRNORM: u16 = 0x100;
const POLLRDHUP: u16 = 0x2000;

/// Linux's RLIMIT_NOFILE default: more poll entries than this is EINVAL.
const MAX_POLL_FDS: usize = 1024;

/// What a file reports to poll, as Linux's f_op->poll masks.
fn poll_mask(readiness: Readiness) -> u16 {
    let mut mask = 0;
    if readiness.readable {
        mask |= POLLIN | POLLRDNORM;
    }
    if readiness.writable {
        mask |= POLLOUT | POLLWRNORM;
    }
    if readiness.hang_up {
        mask |= POLLHUP;
    }
    if readiness.error {
        mask |= POLLERR;
    }
    if readiness.read_hang_up {
        mask |= POLLRDHUP;
    }
    mask
}

/// A timeout argument: None for "forever", else the deadline in timer
/// ticks. A malformed timespec is EINVAL.
pub(super) fn deadline_from(timeout: UserAddr) -> Result<Option<u64>> {
    if timeout.is_null() {
        return Ok(None);
    }
    let span: Timespec = read_val(timeout)?;
    Ok(Some(crate::time::deadline_after(crate::time::timespec_ns(&span)?)))
}

/// Writes the time left back, as Linux does for ppoll and pselect6.
fn write_remaining(timeout: UserAddr, deadline: Option<u64>) -> Result<()> {
    if let Some(deadline) = deadline {
        write_val(timeout, &crate::time::timespec(crate::time::ns_until(deadline)))?;
    }
    Ok(())
}

/// Installs the temporary signal mask of ppoll/pselect6; signal delivery
/// (or the return to user mode) puts the old one back.
pub(super) fn set_temporary_mask(context: &mut Context, mask: UserAddr, size: usize) -> Result<()> {
    if mask.is_null() {
        return Ok(());
    }
    if size != 8 {
        return_errno!(EINVAL);
    }
    context.thread.set_temporary_mask(read_val(mask)?);
    Ok(())
}

/// Waits until `ready` finds something (returns its count), the deadline
/// passes (0) or a signal is pending (ERESTARTNOHAND: restarted if no
/// handler runs, EINTR otherwise).
fn wait(files: &[Arc<OpenFile>], deadline: Option<u64>, mut ready: impl FnMut() -> usize) -> Result<usize> {
    let pending = crate::signal::current_has_pending;
    let mut count = ready();
    loop {
        if count > 0 {
            return Ok(count);
        }
        if deadline.is_some_and(|d| hal::timer::now() >= d) {
            return Ok(0);
        }
        if pending() {
            return_errno!(ERESTARTNOHAND);
        }
        let me = sched::current();
        let queues = || files.iter().flat_map(|f| f.ops.wait_queues()).flatten();
        for queue in queues() {
            queue.register(&me);
        }
        // Wakes for what was asked only: any readiness (a writable
        // socket polled for input) would end every wait at once and spin.
        // The test that ends the wait leaves its count (and revents).
        crate::time::timer::wait_until_or_deadline(deadline, || {
            count = ready();
            count > 0 || pending()
        });
        for queue in queues() {
            queue.unregister(&me);
        }
        // Ended by the deadline or a signal: one more look first, as
        // Linux's do_poll scans once more before it gives up.
        if count == 0 {
            count = ready();
        }
    }
}

pub fn ppoll(
    context: &mut Context,
    fds: UserAddr,
    count: usize,
    timeout: UserAddr,
    mask: UserAddr,
    mask_size: usize,
) -> Result<usize> {
    if count > MAX_POLL_FDS {
        return_errno!(EINVAL);
    }
    let deadline = deadline_from(timeout)?;
    let mut raw = kernel_buffer(count * 8)?;
    read_bytes(fds, &mut raw)?;
    set_temporary_mask(context, mask, mask_size)?;
    let entries: Vec<(i32, u16)> = raw
        .chunks_exact(8)
        .map(|e| (i32::from_le_bytes([e[0], e[1], e[2], e[3]]), u16::from_le_bytes([e[4], e[5]])))
        .collect();
    let table = context.process().files.lock().clone_files(entries.iter().map(|e| e.0));
    let files: Vec<Arc<OpenFile>> = table.iter().flatten().cloned().collect();
    let mut revents = alloc::vec![0u16; entries.len()];
    let result = wait(&files, deadline, || {
        let mut ready = 0;
        for (i, (fd, events)) in entries.iter().enumerate() {
            revents[i] = match (&table[i], *fd) {
                (_, fd) if fd < 0 => 0,
                (None, _) => POLLNVAL,
                (Some(file), _) => poll_mask(file.ops.readiness()) & (events | POLLERR | POLLHUP),
            };
            if revents[i] != 0 {
                ready += 1;
            }
        }
        ready
    });
    if !timeout.is_null() {
        write_remaining(timeout, deadline)?;
    }
    let ready = result?;
    for (i, value) in revents.iter().enumerate() {
        raw[i * 8 + 6..i * 8 + 8].copy_from_slice(&value.to_le_bytes());
    }
    write_bytes(fds, &raw)?;
    Ok(ready)
}

/// One fd_set argument of select: `words` 64-bit words, or none.
fn read_set(address: UserAddr, words: usize) -> Result<Option<Vec<u64>>> {
    if address.is_null() {
        return Ok(None);
    }
    (0..words).map(|i| read_val::<u64>(address.add(i * 8))).collect::<Result<Vec<u64>>>().map(Some)
}

fn write_set(address: UserAddr, set: &Option<Vec<u64>>) -> Result<()> {
    if let Some(set) = set {
        for (i, word) in set.iter().enumerate() {
            write_val(address.add(i * 8), word)?;
        }
    }
    Ok(())
}

pub fn pselect6(
    context: &mut Context,
    count: i32,
    read: UserAddr,
    write: UserAddr,
    except: UserAddr,
    timeout: UserAddr,
    mask_argument: UserAddr,
) -> Result<usize> {
    if count < 0 {
        return_errno!(EINVAL);
    }
    let deadline = deadline_from(timeout)?;
    // Linux clamps nfds to the size of the descriptor table.
    let count = (count as usize).min(context.process().files.lock().capacity());
    let words = count.div_ceil(64);
    let sets = [read_set(read, words)?, read_set(write, words)?, read_set(except, words)?];
    if !mask_argument.is_null() {
        let mask: UserAddr = UserAddr(read_val::<usize>(mask_argument)?);
        let size: usize = read_val(mask_argument.add(8))?;
        set_temporary_mask(context, mask, size)?;
    }
    let wanted =
        |fd: usize| sets.iter().any(|s| s.as_ref().is_some_and(|s| s[fd / 64] & (1 << (fd % 64)) != 0));
    let fds: Vec<usize> = (0..count).filter(|&fd| wanted(fd)).collect();
    let table = context.process().files.lock().clone_files(fds.iter().map(|&fd| fd as i32));
    if table.iter().any(Option::is_none) {
        return_errno!(EBADF);
    }
    let files: Vec<Arc<OpenFile>> = table.iter().flatten().cloned().collect();
    let mut out: [Option<Vec<u64>>; 3] = [None, None, None];
    let result = wait(&files, deadline, || {
        out = sets.clone().map(|s| s.map(|s| alloc::vec![0u64; s.len()]));
        let mut ready = 0;
        for (fd, file) in fds.iter().zip(&files) {
            let mask = poll_mask(file.ops.readiness());
            let conditions = [POLLIN | POLLHUP | POLLERR, POLLOUT | POLLERR, POLLPRI];
            for (which, condition) in conditions.iter().enumerate() {
                let asked = sets[which].as_ref().is_some_and(|s| s[fd / 64] & (1 << (fd % 64)) != 0);
                if asked && mask & condition != 0 {
                    if let Some(set) = out[which].as_mut() {
                        set[fd / 64] |= 1 << (fd % 64);
                    }
                    ready += 1;
                }
            }
        }
        ready
    });
    if !timeout.is_null() {
        write_remaining(timeout, deadline)?;
    }
    let ready = result?;
    write_set(read, &out[0])?;
    write_set(write, &out[1])?;
    write_set(except, &out[2])?;
    Ok(ready)
}
