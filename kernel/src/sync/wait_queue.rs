//! Tasks waiting for an event. A waiter registers itself before it tests
//! its condition (see `sched`), so a wake-up between the test and the
//! sleep is never lost. Besides tasks, a queue can hold watchers: objects
//! told of every wake-up (epoll's entries, Linux's wait-queue callbacks).

use crate::sched::{self, Task};
use alloc::sync::Arc;
use alloc::vec::Vec;
use hal::sync::SpinLock;

/// Something told of a queue's wake-ups instead of being woken: it runs
/// in the waker's context (maybe the timer interrupt), after the queue's
/// lock is released, so it may only take interrupt-safe locks.
pub trait Watcher: Send + Sync {
    fn notify(&self);
}

#[derive(Clone)]
enum Waiter {
    Task(Arc<Task>),
    Watcher(Arc<dyn Watcher>),
}

#[derive(Default)]
pub struct WaitQueue {
    waiters: SpinLock<Vec<Waiter>>,
}

impl WaitQueue {
    pub const fn new() -> Self {
        WaitQueue { waiters: SpinLock::new(Vec::new()) }
    }

    /// Blocks until `condition` returns true. The condition is tested
    /// with the task already registered, and again after every wake-up.
    pub fn wait_until(&self, mut condition: impl FnMut() -> bool) {
        if condition() {
            return;
        }
        let me = sched::current();
        self.waiters.lock().push(Waiter::Task(me.clone()));
        sched::wait_until(&mut condition);
        self.remove(&me);
    }

    /// Like [`wait_until`](Self::wait_until) but also gives up when
    /// `interrupted` returns true (a signal arrived); returns false then.
    pub fn wait_until_or(&self, mut condition: impl FnMut() -> bool, interrupted: impl Fn() -> bool) -> bool {
        let mut satisfied = false;
        self.wait_until(|| {
            satisfied = condition();
            satisfied || interrupted()
        });
        satisfied
    }

    /// Adds `task` as a waiter without blocking (a task waiting on several
    /// queues at once, as poll does, registers on each, then blocks).
    pub fn register(&self, task: &Arc<Task>) {
        self.waiters.lock().push(Waiter::Task(task.clone()));
    }

    /// Adds a watcher, told of every wake-up until it is removed.
    pub fn add_watcher(&self, watcher: Arc<dyn Watcher>) {
        self.waiters.lock().push(Waiter::Watcher(watcher));
    }

    pub fn remove_watcher(&self, watcher: &Arc<dyn Watcher>) {
        let mut waiters = self.waiters.lock();
        let same = |w: &Waiter| matches!(w, Waiter::Watcher(w) if Arc::ptr_eq(w, watcher));
        if let Some(i) = waiters.iter().position(same) {
            waiters.swap_remove(i);
        }
    }

    pub fn unregister(&self, task: &Arc<Task>) {
        self.remove(task);
    }

    fn remove(&self, task: &Arc<Task>) {
        let mut waiters = self.waiters.lock();
        if let Some(i) = waiters.iter().position(|w| matches!(w, Waiter::Task(t) if Arc::ptr_eq(t, task))) {
            waiters.swap_remove(i);
        }
    }

    /// Wakes every waiter (they re-test their conditions) and tells every
    /// watcher, with the queue unlocked.
    pub fn wake_all(&self) {
        let waiters: Vec<Waiter> = self.waiters.lock().clone();
        for waiter in &waiters {
            match waiter {
                Waiter::Task(task) => {
                    sched::wake(task);
                }
                Waiter::Watcher(watcher) => watcher.notify(),
            }
        }
    }
}
