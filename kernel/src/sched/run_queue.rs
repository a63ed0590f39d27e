//! One FIFO run queue per hart. A hart that runs dry steals from the
//! longest other queue; a hart that gets work while idle is sent an IPI.

use super::task::Task;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicUsize, Ordering};
use hal::sync::SpinLock;

pub struct RunQueues {
    queues: Vec<SpinLock<VecDeque<Arc<Task>>>>,
    lengths: Vec<AtomicUsize>,
}

impl RunQueues {
    pub fn new(harts: usize) -> Self {
        let harts = harts.max(1);
        RunQueues {
            queues: (0..harts).map(|_| SpinLock::new(VecDeque::new())).collect(),
            lengths: (0..harts).map(|_| AtomicUsize::new(0)).collect(),
        }
    }

    fn slot(&self, hart: usize) -> usize {
        hart.min(self.queues.len() - 1)
    }

    pub fn push(&self, hart: usize, task: Arc<Task>) {
        let hart = self.slot(hart);
        self.queues[hart].lock().push_back(task);
        self.lengths[hart].fetch_add(1, Ordering::Relaxed);
    }

    pub fn pop(&self, hart: usize) -> Option<Arc<Task>> {
        let hart = self.slot(hart);
        let task = self.queues[hart].lock().pop_front()?;
        self.lengths[hart].fetch_sub(1, Ordering::Relaxed);
        Some(task)
    }

    /// Takes a task from the back of the longest other queue.
    pub fn steal(&self, hart: usize) -> Option<Arc<Task>> {
        let (victim, length) = self
            .lengths
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != hart && hal::cpu::is_online(*i))
            .map(|(i, l)| (i, l.load(Ordering::Relaxed)))
            .max_by_key(|(_, l)| *l)?;
        if length == 0 {
            return None;
        }
        let task = self.queues[victim].lock().pop_back()?;
        self.lengths[victim].fetch_sub(1, Ordering::Relaxed);
        Some(task)
    }

    pub fn has_work(&self, hart: usize) -> bool {
        self.lengths
            .iter()
            .enumerate()
            .any(|(i, l)| l.load(Ordering::Relaxed) > 0 && (i == self.slot(hart) || hal::cpu::is_online(i)))
    }

    /// The online hart with the shortest queue.
    pub fn least_loaded(&self) -> usize {
        self.lengths
            .iter()
            .enumerate()
            .filter(|(i, _)| hal::cpu::is_online(*i))
            .min_by_key(|(_, l)| l.load(Ordering::Relaxed))
            .map_or(0, |(i, _)| i)
    }

    /// Wakes hart `hart` so it looks at its queue.
    pub fn kick(&self, hart: usize) {
        if hal::cpu::is_online(hart) {
            hal::arch::sbi::send_ipi(hal::cpu::by_index(hart).hart_id());
        }
    }
}
