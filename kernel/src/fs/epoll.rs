//! An epoll instance: the interest list, keyed by (descriptor, open file)
//! as Linux keys it, and the ready list. Each entry watches its file's
//! wait queues; a wake-up there puts the entry on the ready list and wakes
//! the instance's own queue, where epoll_pwait sleeps and where an outer
//! poll or epoll watches this one. Readiness is tested again when events
//! are collected (fs/eventpoll.c's ep_send_events): a level-triggered
//! entry goes back on the ready list after it reports, an edge-triggered
//! one waits for its file's next wake-up, a one-shot one is disabled until
//! EPOLL_CTL_MOD.
//!
//! An entry holds its file weakly, so closing the last descriptor still
//! releases the file (a pipe's reader then sees the hang-up); it holds the
//! file's operations strongly, so the wait queues stay there to leave. An
//! entry whose file is gone is dropped when it is next seen.

use super::file::{FileOps, Metadata, OpenFile, Readiness};
use crate::error::Result;
use crate::return_errno;
use crate::sync::{WaitQueue, Watcher};
use alloc::collections::{BTreeMap, VecDeque};
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use hal::sync::SpinLock;

pub const EPOLLIN: u32 = 0x1;
pub const EPOLLOUT: u32 = 0x4;
pub const EPOLLERR: u32 = 0x8;
pub const EPOLLHUP: u32 = 0x10;
pub const EPOLLRDNORM: u32 = 0x40;
pub const EPOLLWRNORM: u32 = 0x100;
pub const EPOLLRDHUP: u32 = 0x2000;
pub const EPOLLEXCLUSIVE: u32 = 1 << 28;
pub const EPOLLWAKEUP: u32 = 1 << 29;
pub const EPOLLONESHOT: u32 = 1 << 30;
pub const EPOLLET: u32 = 1 << 31;
/// Flags about the entry rather than events (Linux's EP_PRIVATE_BITS):
/// what a disabled one-shot entry keeps.
const PRIVATE_BITS: u32 = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;

/// Linux's EPOLL_MAX_NESTS: deeper chains of epoll in epoll are ELOOP.
const MAX_NESTS: usize = 4;

/// The events a file's readiness stands for, as Linux's f_op->poll masks.
pub fn event_mask(readiness: Readiness) -> u32 {
    let mut mask = 0;
    if readiness.readable {
        mask |= EPOLLIN | EPOLLRDNORM;
    }
    if readiness.writable {
        mask |= EPOLLOUT | EPOLLWRNORM;
    }
    if readiness.hang_up {
        mask |= EPOLLHUP;
    }
    if readiness.error {
        mask |= EPOLLERR;
    }
    if readiness.read_hang_up {
        mask |= EPOLLRDHUP;
    }
    mask
}

/// Whether a file supports poll: Linux refuses (EPERM) to watch files
/// without f_op->poll, such as regular files, directories and /dev/null;
/// in goose those are the files with no wait queue.
pub fn is_pollable(ops: &dyn FileOps) -> bool {
    ops.wait_queues().iter().any(Option::is_some)
}

/// An interest-list key: the descriptor and the address of its open file.
type Key = (i32, usize);

pub fn key_of(fd: i32, file: &Arc<OpenFile>) -> Key {
    (fd, Arc::as_ptr(file) as usize)
}

struct Entry {
    file: Weak<OpenFile>,
    ops: Arc<dyn FileOps>,
    /// The requested events, with EPOLLERR and EPOLLHUP always added.
    events: u32,
    data: u64,
    /// On the ready list (at most once).
    is_queued: bool,
    watcher: Arc<dyn Watcher>,
}

impl Entry {
    fn unwatch(&self) {
        for queue in self.ops.wait_queues().into_iter().flatten() {
            queue.remove_watcher(&self.watcher);
        }
    }
}

#[derive(Default)]
struct Lists {
    entries: BTreeMap<Key, Entry>,
    ready: VecDeque<Key>,
    /// Dead entries are swept when the list grows to this size.
    sweep_at: usize,
}

impl Lists {
    /// Puts an entry on the ready list; returns whether it was not there.
    fn enqueue(&mut self, key: Key) -> bool {
        match self.entries.get_mut(&key) {
            Some(entry) if !entry.is_queued && entry.events & !PRIVATE_BITS != 0 => {
                entry.is_queued = true;
                self.ready.push_back(key);
                true
            }
            _ => false,
        }
    }
}

pub struct Epoll {
    lists: SpinLock<Lists>,
    /// Woken when an entry becomes ready.
    queue: WaitQueue,
    me: Weak<Epoll>,
}

/// Tells an epoll that one of its entries' files woke its waiters.
struct EntryWatcher {
    epoll: Weak<Epoll>,
    key: Key,
}

impl Watcher for EntryWatcher {
    fn notify(&self) {
        if let Some(epoll) = self.epoll.upgrade() {
            epoll.make_ready(self.key);
        }
    }
}

/// What collecting needs of an entry, copied out so that the files'
/// readiness is tested without the lists locked (a file may wake its
/// queues, and so this epoll, with its own lock held).
struct Snapshot {
    file: Weak<OpenFile>,
    ops: Arc<dyn FileOps>,
    events: u32,
}

impl Epoll {
    pub fn new() -> Arc<Epoll> {
        Arc::new_cyclic(|me| Epoll {
            lists: SpinLock::new(Lists::default()),
            queue: WaitQueue::new(),
            me: me.clone(),
        })
    }

    /// The epoll behind a file's operations, if it is one.
    pub fn of(ops: &dyn FileOps) -> Option<&Epoll> {
        let any: &dyn core::any::Any = ops;
        any.downcast_ref::<Epoll>()
    }

    fn make_ready(&self, key: Key) {
        if self.lists.lock().enqueue(key) {
            self.queue.wake_all();
        }
    }

    /// Whether something is on the ready list (maybe no longer ready).
    pub fn has_queued(&self) -> bool {
        !self.lists.lock().ready.is_empty()
    }

    pub fn queue(&self) -> &WaitQueue {
        &self.queue
    }

    fn snapshot(&self, key: &Key) -> Option<Snapshot> {
        let lists = self.lists.lock();
        let entry = lists.entries.get(key)?;
        Some(Snapshot { file: entry.file.clone(), ops: entry.ops.clone(), events: entry.events })
    }

    /// EPOLL_CTL_ADD; `events` already has EPOLLERR and EPOLLHUP.
    pub fn add(&self, fd: i32, file: &Arc<OpenFile>, events: u32, data: u64) -> Result<()> {
        let key = key_of(fd, file);
        let watcher: Arc<dyn Watcher> = Arc::new(EntryWatcher { epoll: self.me.clone(), key });
        {
            let mut lists = self.lists.lock();
            if lists.entries.contains_key(&key) {
                return_errno!(EEXIST);
            }
            if lists.entries.len() >= lists.sweep_at {
                Self::sweep(&mut lists);
            }
            let entry = Entry {
                file: Arc::downgrade(file),
                ops: file.ops.clone(),
                events,
                data,
                is_queued: false,
                watcher: watcher.clone(),
            };
            lists.entries.insert(key, entry);
        }
        for queue in file.ops.wait_queues().into_iter().flatten() {
            queue.add_watcher(watcher.clone());
        }
        // Watching before testing: a change in between is not lost.
        if event_mask(file.ops.readiness()) & events != 0 {
            self.make_ready(key);
        }
        Ok(())
    }

    /// EPOLL_CTL_MOD; `events` already has EPOLLERR and EPOLLHUP.
    pub fn modify(&self, fd: i32, file: &Arc<OpenFile>, events: u32, data: u64) -> Result<()> {
        let key = key_of(fd, file);
        {
            let mut lists = self.lists.lock();
            let Some(entry) = lists.entries.get_mut(&key) else { return_errno!(ENOENT) };
            // Linux never changes an exclusive entry (EINVAL).
            if entry.events & EPOLLEXCLUSIVE != 0 {
                return_errno!(EINVAL);
            }
            entry.events = events;
            entry.data = data;
        }
        if event_mask(file.ops.readiness()) & events != 0 {
            self.make_ready(key);
        }
        Ok(())
    }

    /// EPOLL_CTL_DEL.
    pub fn delete(&self, fd: i32, file: &Arc<OpenFile>) -> Result<()> {
        let key = key_of(fd, file);
        let entry = {
            let mut lists = self.lists.lock();
            let Some(entry) = lists.entries.remove(&key) else { return_errno!(ENOENT) };
            if entry.is_queued {
                lists.ready.retain(|k| *k != key);
            }
            entry
        };
        entry.unwatch();
        Ok(())
    }

    /// Drops the entries whose files are gone, and sets the next sweep
    /// at twice the live size, so sweeping costs O(1) per addition.
    fn sweep(lists: &mut Lists) {
        let dead: Vec<Key> =
            lists.entries.iter().filter(|(_, e)| e.file.strong_count() == 0).map(|(k, _)| *k).collect();
        for key in &dead {
            if let Some(entry) = lists.entries.remove(key) {
                entry.unwatch();
            }
        }
        if !dead.is_empty() {
            lists.ready.retain(|k| !dead.contains(k));
        }
        lists.sweep_at = (lists.entries.len() * 2).max(64);
    }

    fn remove_dead(&self, key: Key) {
        let entry = {
            let mut lists = self.lists.lock();
            match lists.entries.get(&key) {
                Some(entry) if entry.file.strong_count() == 0 => {}
                _ => return,
            }
            let entry = lists.entries.remove(&key);
            lists.ready.retain(|k| *k != key);
            entry
        };
        if let Some(entry) = entry {
            entry.unwatch();
        }
    }

    /// Takes up to `max` events off the ready list as (events, data).
    /// Entries not reached stay at the front; level-triggered entries
    /// that reported go to the back, behind any that became ready since.
    pub fn collect(&self, max: usize) -> Vec<(u32, u64)> {
        let batch: Vec<Key> = {
            let mut lists = self.lists.lock();
            let batch: Vec<Key> = core::mem::take(&mut lists.ready).into();
            for key in &batch {
                if let Some(entry) = lists.entries.get_mut(key) {
                    entry.is_queued = false;
                }
            }
            batch
        };
        let mut found = Vec::new();
        let mut again = Vec::new();
        let mut reached = 0;
        for key in &batch {
            if found.len() >= max {
                break;
            }
            reached += 1;
            let Some(snapshot) = self.snapshot(key) else { continue };
            // Held while its readiness is tested: a close on another hart
            // must not release the file under the test (a socket's
            // release frees what readiness reads).
            let Some(_file) = snapshot.file.upgrade() else {
                self.remove_dead(*key);
                continue;
            };
            let events = event_mask(snapshot.ops.readiness()) & snapshot.events;
            if events == 0 {
                continue;
            }
            let mut lists = self.lists.lock();
            let Some(entry) = lists.entries.get_mut(key) else { continue };
            found.push((events & entry.events, entry.data));
            if entry.events & EPOLLONESHOT != 0 {
                entry.events &= PRIVATE_BITS;
            } else if entry.events & EPOLLET == 0 {
                again.push(*key);
            }
        }
        let mut lists = self.lists.lock();
        // Entries that became ready while the batch was tested (a file's
        // wake-up, or the readiness test itself polling the network stack)
        // are marked queued: unmark them so that the rebuilt list takes
        // them, or they would stay marked and never be queued again.
        let arrived = core::mem::take(&mut lists.ready);
        for key in &arrived {
            if let Some(entry) = lists.entries.get_mut(key) {
                entry.is_queued = false;
            }
        }
        for key in batch[reached..].iter().chain(arrived.iter()).chain(again.iter()) {
            lists.enqueue(*key);
        }
        found
    }

    /// Whether some entry on the ready list has an event to report (what
    /// poll and an outer epoll see of this one).
    fn has_event(&self) -> bool {
        let keys: Vec<Key> = self.lists.lock().ready.iter().copied().collect();
        keys.iter()
            .filter_map(|key| self.snapshot(key))
            .any(|s| s.file.upgrade().is_some_and(|_file| event_mask(s.ops.readiness()) & s.events != 0))
    }

    /// Whether `target` is this epoll or is reachable from it through
    /// watched epolls, or the chain is deeper than Linux allows
    /// (ep_loop_check): adding this epoll to `target` would be ELOOP.
    pub fn would_loop(&self, target: &Epoll) -> bool {
        let mut visited = Vec::new();
        self.reaches(target, 0, &mut visited)
    }

    fn reaches(&self, target: &Epoll, depth: usize, visited: &mut Vec<usize>) -> bool {
        visited.push(self as *const Epoll as usize);
        let inner: Vec<Arc<dyn FileOps>> = {
            let lists = self.lists.lock();
            lists.entries.values().filter(|e| Epoll::of(&*e.ops).is_some()).map(|e| e.ops.clone()).collect()
        };
        inner.iter().filter_map(|ops| Epoll::of(&**ops)).any(|nested| {
            if visited.contains(&(nested as *const Epoll as usize)) {
                return false;
            }
            core::ptr::eq(nested, target) || depth > MAX_NESTS || nested.reaches(target, depth + 1, visited)
        })
    }
}

impl FileOps for Epoll {
    fn metadata(&self) -> Result<Metadata> {
        Ok(super::anonymous_metadata())
    }

    fn is_seekable(&self) -> bool {
        false
    }

    /// Readable when an event is waiting; never writable (Linux's
    /// ep_eventpoll_poll).
    fn readiness(&self) -> Readiness {
        Readiness { readable: self.has_event(), ..Readiness::default() }
    }

    fn wait_queues(&self) -> [Option<&WaitQueue>; 2] {
        [Some(&self.queue), None]
    }

    /// The last descriptor is gone: stop watching every file.
    fn release(&self) {
        let entries = {
            let mut lists = self.lists.lock();
            lists.ready.clear();
            core::mem::take(&mut lists.entries)
        };
        for entry in entries.values() {
            entry.unwatch();
        }
    }
}
