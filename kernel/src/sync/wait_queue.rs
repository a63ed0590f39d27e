//! Tasks waiting for an event. A waiter registers itself before it tests
//! its condition (see `sched`), so a wake-up between the test and the
//! sleep is never lost.

use crate::sched::{self, Task};
use alloc::sync::Arc;
use alloc::vec::Vec;
use hal::sync::SpinLock;

#[derive(Default)]
pub struct WaitQueue {
    waiters: SpinLock<Vec<Arc<Task>>>,
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
        self.waiters.lock().push(me.clone());
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
        self.waiters.lock().push(task.clone());
    }

    pub fn unregister(&self, task: &Arc<Task>) {
        self.remove(task);
    }

    fn remove(&self, task: &Arc<Task>) {
        let mut waiters = self.waiters.lock();
        if let Some(i) = waiters.iter().position(|w| Arc::ptr_eq(w, task)) {
            waiters.swap_remove(i);
        }
    }

    /// Wakes every waiter (they re-test their conditions).
    pub fn wake_all(&self) {
        let waiters: Vec<Arc<Task>> = self.waiters.lock().clone();
        for task in &waiters {
            sched::wake(task);
        }
    }
}
