//! Futexes: threads sleeping on a 32-bit word of user memory until
//! another wakes them (futex(2)), and what a thread's exit does to them
//! (clear_child_tid, robust lists).
//!
//! A futex is known by a key: the address space and address for private
//! memory (FUTEX_PRIVATE_FLAG, and any anonymous private mapping, as
//! Linux keys them), the physical address for shared mappings, so that
//! processes sharing the memory meet on the same key.
//!
//! One table lock serializes waits and wakes: a waiter reads the word and
//! queues itself under it, and a waker takes it after changing the word,
//! so no wake-up falls between the check and the sleep. The lock is a
//! plain spin lock without interrupt masking: reading the word may fault
//! a page in, and only tasks (never interrupts) use the table.

use super::{Pid, Process, Thread};
use crate::error::Result;
use crate::mm::user::{read_val, write_val};
use crate::return_errno;
use crate::sched::{self, Task};
use crate::syscall::{Context, UserAddr};
use alloc::collections::{BTreeMap, VecDeque};
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, Ordering};

/// (address space key or 0 for physical, address).
type Key = (usize, usize);

struct Waiter {
    task: Arc<Task>,
    bitset: u32,
    woken: AtomicBool,
    /// Where it waits (FUTEX_REQUEUE moves it).
    key: spin::Mutex<Key>,
}

static TABLE: spin::Mutex<BTreeMap<Key, VecDeque<Arc<Waiter>>>> = spin::Mutex::new(BTreeMap::new());

const FUTEX_WAIT: u32 = 0;
const FUTEX_WAKE: u32 = 1;
const FUTEX_REQUEUE: u32 = 3;
const FUTEX_CMP_REQUEUE: u32 = 4;
const FUTEX_WAKE_OP: u32 = 5;
const FUTEX_WAIT_BITSET: u32 = 9;
const FUTEX_WAKE_BITSET: u32 = 10;
const FUTEX_PRIVATE_FLAG: u32 = 128;
const FUTEX_CLOCK_REALTIME: u32 = 256;
const FUTEX_BITSET_MATCH_ANY: u32 = u32::MAX;

/// The key of the futex word at `address` in `process`'s memory.
fn key_for(process: &Process, address: usize, private: bool) -> Result<Key> {
    if !address.is_multiple_of(4) {
        return_errno!(EINVAL);
    }
    let space = process.vm().ok_or(abi::Errno::EFAULT)?;
    if private {
        return Ok((space.key(), address));
    }
    let vm = space.lock();
    let Some((_, area)) = vm.area_at(address) else { return_errno!(EFAULT) };
    if !area.shared {
        return Ok((space.key(), address));
    }
    match vm.physical_address(address) {
        Some(physical) => Ok((0, physical)),
        None => {
            // Not touched yet: bring the page in, then key it.
            drop(vm);
            let _: u32 = read_val(UserAddr(address))?;
            let vm = space.lock();
            vm.physical_address(address).map(|p| (0, p)).ok_or_else(|| abi::Errno::EFAULT.into())
        }
    }
}

/// futex(2).
pub fn futex(
    context: &mut Context,
    address: UserAddr,
    operation: u32,
    value: u32,
    timeout: usize,
    address2: UserAddr,
    value3: u32,
) -> Result<usize> {
    let private = operation & FUTEX_PRIVATE_FLAG != 0;
    let realtime = operation & FUTEX_CLOCK_REALTIME != 0;
    let command = operation & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    if realtime && !matches!(command, FUTEX_WAIT | FUTEX_WAIT_BITSET) {
        return_errno!(ENOSYS);
    }
    let process = context.process().clone();
    match command {
        FUTEX_WAIT | FUTEX_WAIT_BITSET => {
            let bitset = if command == FUTEX_WAIT { FUTEX_BITSET_MATCH_ANY } else { value3 };
            if bitset == 0 {
                return_errno!(EINVAL);
            }
            let deadline = if timeout == 0 {
                None
            } else {
                let span: abi::Timespec = read_val(UserAddr(timeout))?;
                let ns = crate::time::timespec_ns(&span)?;
                Some(if command == FUTEX_WAIT {
                    crate::time::deadline_after(ns)
                } else {
                    let now = if realtime { crate::time::realtime_ns() } else { crate::time::monotonic_ns() };
                    crate::time::deadline_after(ns.saturating_sub(now))
                })
            };
            let key = key_for(&process, address.0, private)?;
            wait(key, address, value, bitset, deadline)
        }
        FUTEX_WAKE | FUTEX_WAKE_BITSET => {
            let bitset = if command == FUTEX_WAKE { FUTEX_BITSET_MATCH_ANY } else { value3 };
            if bitset == 0 {
                return_errno!(EINVAL);
            }
            let key = key_for(&process, address.0, private)?;
            Ok(wake(&mut TABLE.lock(), key, value as i32, bitset))
        }
        FUTEX_REQUEUE | FUTEX_CMP_REQUEUE => {
            // val2 (the most to move) comes in the timeout argument.
            let (wake_count, move_count) = (value as i32, timeout as i32);
            if wake_count < 0 || move_count < 0 {
                return_errno!(EINVAL);
            }
            let from = key_for(&process, address.0, private)?;
            let to = key_for(&process, address2.0, private)?;
            let expected = (command == FUTEX_CMP_REQUEUE).then_some(value3);
            if expected.is_some() {
                let _: u32 = read_val(address)?;
            }
            let mut table = TABLE.lock();
            if let Some(expected) = expected {
                if read_val::<u32>(address)? != expected {
                    return_errno!(EAGAIN);
                }
            }
            let woken = wake_exactly(&mut table, from, wake_count as usize, FUTEX_BITSET_MATCH_ANY);
            Ok(woken + requeue(&mut table, from, to, move_count as usize))
        }
        FUTEX_WAKE_OP => {
            let first = key_for(&process, address.0, private)?;
            let second = key_for(&process, address2.0, private)?;
            let (operate, compare) = decode_wake_op(value3)?;
            let _: u32 = read_val(address2)?;
            let mut table = TABLE.lock();
            // The word is changed under the table lock; unlike Linux it is
            // not an atomic instruction against user space's own updates.
            let old: u32 = read_val(address2)?;
            write_val(address2, &operate(old))?;
            let mut woken = wake(&mut table, first, value as i32, FUTEX_BITSET_MATCH_ANY);
            if compare(old) {
                woken += wake(&mut table, second, timeout as i32, FUTEX_BITSET_MATCH_ANY);
            }
            Ok(woken)
        }
        _ => return_errno!(ENOSYS),
    }
}

type Operate = alloc::boxed::Box<dyn Fn(u32) -> u32>;
type Compare = alloc::boxed::Box<dyn Fn(u32) -> bool>;

/// FUTEX_WAKE_OP's encoded operation: op (bits 28-31, 8 = shift the
/// argument), comparison (24-27), argument (12-23), comparand (0-11).
fn decode_wake_op(encoded: u32) -> Result<(Operate, Compare)> {
    let sign_extend = |bits: u32| ((bits << 20) as i32 >> 20) as u32;
    let mut argument = sign_extend((encoded >> 12) & 0xfff);
    if encoded >> 28 & 8 != 0 {
        argument = 1u32.wrapping_shl(argument & 31);
    }
    let comparand = sign_extend(encoded & 0xfff) as i32;
    let operate: Operate = match encoded >> 28 & 7 {
        0 => alloc::boxed::Box::new(move |_| argument),
        1 => alloc::boxed::Box::new(move |old: u32| old.wrapping_add(argument)),
        2 => alloc::boxed::Box::new(move |old| old | argument),
        3 => alloc::boxed::Box::new(move |old| old & !argument),
        4 => alloc::boxed::Box::new(move |old| old ^ argument),
        _ => return_errno!(ENOSYS),
    };
    let compare: Compare = match encoded >> 24 & 15 {
        0 => alloc::boxed::Box::new(move |old| old as i32 == comparand),
        1 => alloc::boxed::Box::new(move |old| old as i32 != comparand),
        2 => alloc::boxed::Box::new(move |old| (old as i32) < comparand),
        3 => alloc::boxed::Box::new(move |old| old as i32 <= comparand),
        4 => alloc::boxed::Box::new(move |old| old as i32 > comparand),
        5 => alloc::boxed::Box::new(move |old| old as i32 >= comparand),
        _ => return_errno!(ENOSYS),
    };
    Ok((operate, compare))
}

/// Sleeps on `key` if the word at `address` still holds `expected`, until
/// woken, the deadline (ticks) or a signal.
fn wait(key: Key, address: UserAddr, expected: u32, bitset: u32, deadline: Option<u64>) -> Result<usize> {
    // Fault the page in before taking the table lock.
    let _: u32 = read_val(address)?;
    let waiter = Arc::new(Waiter {
        task: sched::current(),
        bitset,
        woken: AtomicBool::new(false),
        key: spin::Mutex::new(key),
    });
    {
        let mut table = TABLE.lock();
        if read_val::<u32>(address)? != expected {
            return_errno!(EAGAIN);
        }
        table.entry(key).or_default().push_back(waiter.clone());
    }
    let timed_out = crate::time::timer::wait_until_or_deadline(deadline, || {
        waiter.woken.load(Ordering::Acquire) || crate::signal::current_has_pending()
    });
    let mut table = TABLE.lock();
    if waiter.woken.load(Ordering::Acquire) {
        return Ok(0);
    }
    let key = *waiter.key.lock();
    if let Some(queue) = table.get_mut(&key) {
        queue.retain(|w| !Arc::ptr_eq(w, &waiter));
        if queue.is_empty() {
            table.remove(&key);
        }
    }
    drop(table);
    if timed_out {
        return_errno!(ETIMEDOUT);
    }
    // Interrupted: restarted unless a handler runs (Linux restarts a timed
    // wait through a restart block; an absolute deadline is kept either
    // way, a relative one starts again).
    if deadline.is_some() {
        return_errno!(ERESTARTNOHAND);
    }
    return_errno!(ERESTARTSYS)
}

/// Wakes up to `count` waiters on `key` whose bitset meets `bitset` (at
/// least one, as Linux's futex_wake, when `count` is 0 or less).
fn wake(table: &mut BTreeMap<Key, VecDeque<Arc<Waiter>>>, key: Key, count: i32, bitset: u32) -> usize {
    wake_exactly(table, key, count.max(1) as usize, bitset)
}

/// Wakes up to `count` waiters on `key` (none for 0, as requeue's).
fn wake_exactly(
    table: &mut BTreeMap<Key, VecDeque<Arc<Waiter>>>,
    key: Key,
    count: usize,
    bitset: u32,
) -> usize {
    let Some(queue) = table.get_mut(&key) else { return 0 };
    let mut woken = 0usize;
    queue.retain(|waiter| {
        if woken >= count || waiter.bitset & bitset == 0 {
            return true;
        }
        waiter.woken.store(true, Ordering::Release);
        sched::wake(&waiter.task);
        woken += 1;
        false
    });
    if queue.is_empty() {
        table.remove(&key);
    }
    woken
}

/// Moves up to `count` waiters from `from` to `to`.
fn requeue(table: &mut BTreeMap<Key, VecDeque<Arc<Waiter>>>, from: Key, to: Key, count: usize) -> usize {
    if from == to || count == 0 {
        return 0;
    }
    let Some(queue) = table.get_mut(&from) else { return 0 };
    let moved: VecDeque<Arc<Waiter>> = queue.drain(..count.min(queue.len())).collect();
    if queue.is_empty() {
        table.remove(&from);
    }
    let number = moved.len();
    for waiter in &moved {
        *waiter.key.lock() = to;
    }
    table.entry(to).or_default().extend(moved);
    number
}

/// Wakes `count` waiters on the word at `address` of `process` (a thread's
/// exit: clear_child_tid, robust futexes). Keyed as a shared futex, which
/// for private memory is the same key as a private one.
pub fn wake_address(process: &Process, address: usize, count: i32) {
    if let Ok(key) = key_for(process, address, false) {
        wake(&mut TABLE.lock(), key, count, FUTEX_BITSET_MATCH_ANY);
    }
}

/// struct robust_list_head: the list (a pointer to the first entry, or to
/// the head itself when empty), the offset from an entry to its futex
/// word, and the entry being added or removed.
const ROBUST_LIST_HEAD_SIZE: usize = 24;
/// Entries walked at most (Linux's ROBUST_LIST_LIMIT), against loops.
const ROBUST_LIST_LIMIT: usize = 2048;
const FUTEX_WAITERS: u32 = 0x8000_0000;
const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
const FUTEX_TID_MASK: u32 = 0x3fff_ffff;

pub fn set_robust_list(context: &mut Context, head: UserAddr, length: usize) -> Result<()> {
    if length != ROBUST_LIST_HEAD_SIZE {
        return_errno!(EINVAL);
    }
    context.thread.robust_list.store(head.0, Ordering::Relaxed);
    Ok(())
}

pub fn get_robust_list(context: &mut Context, tid: Pid, head: UserAddr, length: UserAddr) -> Result<()> {
    let thread =
        if tid == 0 { context.thread.clone() } else { super::find_thread(tid).ok_or(abi::Errno::ESRCH)? };
    if !super::credentials::may_signal(context.process(), &thread.process) {
        return_errno!(EPERM);
    }
    write_val(head, &thread.robust_list.load(Ordering::Relaxed))?;
    write_val(length, &ROBUST_LIST_HEAD_SIZE)
}

/// At a thread's exit: every futex on its robust list that it still
/// owns is marked FUTEX_OWNER_DIED and one waiter woken, so the next
/// locker learns the owner died (pthread mutexes with PTHREAD_MUTEX_ROBUST).
pub fn release_robust_list(thread: &Thread) {
    let head = thread.robust_list.load(Ordering::Relaxed);
    if head == 0 {
        return;
    }
    let Ok([first, offset, pending]) = read_val::<[usize; 3]>(UserAddr(head)) else { return };
    let tid = thread.tid();
    // Bit 0 of an entry pointer marks a PI futex; the word is the same.
    let mut entry = first & !1;
    let pending = pending & !1;
    for _ in 0..ROBUST_LIST_LIMIT {
        if entry == head || entry == 0 {
            break;
        }
        let Ok(next) = read_val::<usize>(UserAddr(entry)) else { return };
        if entry != pending {
            owner_died(thread, entry.wrapping_add(offset), tid);
        }
        entry = next & !1;
    }
    if pending != 0 {
        owner_died(thread, pending.wrapping_add(offset), tid);
    }
}

fn owner_died(thread: &Thread, address: usize, tid: Pid) {
    if !address.is_multiple_of(4) {
        return;
    }
    let Ok(word) = read_val::<u32>(UserAddr(address)) else { return };
    if word & FUTEX_TID_MASK != tid {
        return;
    }
    if write_val(UserAddr(address), &(word & FUTEX_WAITERS | FUTEX_OWNER_DIED)).is_ok()
        && word & FUTEX_WAITERS != 0
    {
        wake_address(&thread.process, address, 1);
    }
}
