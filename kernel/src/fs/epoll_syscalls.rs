//! epoll_create1, epoll_ctl, epoll_pwait and epoll_pwait2 (riscv64 has no
//! epoll_create or epoll_wait: the C library builds them on these), with
//! Linux's order of checks (fs/eventpoll.c), which decides the errno when
//! several arguments are wrong.

use super::epoll::{
    is_pollable, Epoll, EPOLLERR, EPOLLET, EPOLLEXCLUSIVE, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLWAKEUP,
};
use super::file::{OpenFile, O_RDWR};
use crate::error::Result;
use crate::mm::user::{check_range, read_val, write_val};
use crate::return_errno;
use crate::sched;
use crate::syscall::{Context, UserAddr};
use abi::open_flags::O_CLOEXEC;
use alloc::sync::Arc;
use alloc::vec::Vec;

const EPOLL_CTL_ADD: i32 = 1;
const EPOLL_CTL_DEL: i32 = 2;
const EPOLL_CTL_MOD: i32 = 3;

/// The flags an EPOLLEXCLUSIVE entry may have besides it.
const EXCLUSIVE_OK_BITS: u32 =
    EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;

/// Linux's EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event).
const MAX_EVENTS: i32 = i32::MAX / 16;

/// struct epoll_event on riscv64 is not packed: u32 events, 4 bytes of
/// padding, u64 data; read and written as two words.
const EVENT_SIZE: usize = 16;

pub fn epoll_create1(context: &mut Context, flags: u32) -> Result<i32> {
    if flags & !O_CLOEXEC != 0 {
        return_errno!(EINVAL);
    }
    let file = OpenFile::new(Epoll::new(), O_RDWR, b"anon_inode:[eventpoll]".to_vec());
    context.process().files.lock().insert(file, flags & O_CLOEXEC != 0)
}

pub fn epoll_ctl(context: &mut Context, epfd: i32, op: i32, fd: i32, event: UserAddr) -> Result<()> {
    let has_event = op != EPOLL_CTL_DEL;
    let (events, data) = if has_event {
        let [events, data]: [u64; 2] = read_val(event)?;
        (events as u32, data)
    } else {
        (0, 0)
    };
    let (epoll_file, target) = {
        let files = context.process().files.lock();
        (files.get(epfd)?, files.get(fd)?)
    };
    if !is_pollable(&*target.ops) {
        return_errno!(EPERM);
    }
    if Arc::ptr_eq(&epoll_file, &target) {
        return_errno!(EINVAL);
    }
    let Some(epoll) = Epoll::of(&*epoll_file.ops) else { return_errno!(EINVAL) };
    let nested = Epoll::of(&*target.ops);
    if has_event && events & EPOLLEXCLUSIVE != 0 {
        // Exclusive wake-ups are set up at ADD only, and not for epoll in
        // epoll.
        if op == EPOLL_CTL_MOD
            || (op == EPOLL_CTL_ADD && (nested.is_some() || events & !EXCLUSIVE_OK_BITS != 0))
        {
            return_errno!(EINVAL);
        }
    }
    if op == EPOLL_CTL_ADD && nested.is_some_and(|nested| nested.would_loop(epoll)) {
        return_errno!(ELOOP);
    }
    // Errors and hang-ups are reported whether asked for or not.
    let events = events | EPOLLERR | EPOLLHUP;
    match op {
        EPOLL_CTL_ADD => epoll.add(fd, &target, events, data),
        EPOLL_CTL_DEL => epoll.delete(fd, &target),
        EPOLL_CTL_MOD => epoll.modify(fd, &target, events, data),
        _ => return_errno!(EINVAL),
    }
}

pub fn epoll_pwait(
    context: &mut Context,
    epfd: i32,
    events: UserAddr,
    max_events: i32,
    timeout_ms: i32,
    mask: UserAddr,
    mask_size: usize,
) -> Result<usize> {
    super::poll::set_temporary_mask(context, mask, mask_size)?;
    let deadline = (timeout_ms >= 0).then(|| crate::time::deadline_after(timeout_ms as u64 * 1_000_000));
    wait(context, epfd, events, max_events, deadline)
}

pub fn epoll_pwait2(
    context: &mut Context,
    epfd: i32,
    events: UserAddr,
    max_events: i32,
    timeout: UserAddr,
    mask: UserAddr,
    mask_size: usize,
) -> Result<usize> {
    let deadline = super::poll::deadline_from(timeout)?;
    super::poll::set_temporary_mask(context, mask, mask_size)?;
    wait(context, epfd, events, max_events, deadline)
}

/// do_epoll_wait: waits for events until the deadline (ticks; None for
/// ever) and copies them out.
fn wait(
    context: &Context,
    epfd: i32,
    events: UserAddr,
    max_events: i32,
    deadline: Option<u64>,
) -> Result<usize> {
    if max_events <= 0 || max_events > MAX_EVENTS {
        return_errno!(EINVAL);
    }
    let max = max_events as usize;
    check_range(events, max * EVENT_SIZE)?;
    let file = context.process().files.lock().get(epfd)?;
    let Some(epoll) = Epoll::of(&*file.ops) else { return_errno!(EINVAL) };
    let found = wait_for_events(epoll, max, deadline)?;
    for (i, (mask, data)) in found.iter().enumerate() {
        if let Err(error) = write_val(events.add(i * EVENT_SIZE), &[u64::from(*mask), *data]) {
            // Linux reports the events copied before the fault, if any.
            if i == 0 {
                return Err(error);
            }
            return Ok(i);
        }
    }
    Ok(found.len())
}

/// Collects events, sleeping on the epoll's queue while there are none.
/// A signal ends the wait with EINTR, never a restart, handler or not
/// (signal(7) lists epoll_wait among the calls SA_RESTART does not
/// restart).
fn wait_for_events(epoll: &Epoll, max: usize, deadline: Option<u64>) -> Result<Vec<(u32, u64)>> {
    let pending = crate::signal::current_has_pending;
    loop {
        let found = epoll.collect(max);
        if !found.is_empty() {
            return Ok(found);
        }
        if deadline.is_some_and(|d| hal::timer::now() >= d) {
            return Ok(found);
        }
        if pending() {
            return_errno!(EINTR);
        }
        let me = sched::current();
        epoll.queue().register(&me);
        crate::time::timer::wait_until_or_deadline(deadline, || pending() || epoll.has_queued());
        epoll.queue().unregister(&me);
    }
}
