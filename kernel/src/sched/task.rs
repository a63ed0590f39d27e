//! A kernel task: a thread of execution the scheduler runs. User
//! processes' threads are tasks too (later), running their user code from
//! the task's loop.

use alloc::boxed::Box;
use alloc::string::String;
use core::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use hal::sync::SpinLock;
use hal::task::{Schedulable, ThreadContext};

/// Where a task is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum State {
    /// Running on a hart.
    Running = 0,
    /// In a run queue.
    Ready = 1,
    /// Waiting for a wake-up.
    Blocked = 2,
    /// Finished; never runs again.
    Exited = 3,
}

pub type TaskId = usize;

static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

pub struct Task {
    pub id: TaskId,
    pub name: String,
    state: AtomicU8,
    /// The hart whose run queue it was last put on.
    pub(super) last_hart: AtomicUsize,
    context: ThreadContext,
    /// What a new task runs; taken when it starts.
    pub(super) entry: SpinLock<Option<Box<dyn FnOnce() + Send>>>,
    /// The user thread this task runs, if any (process::Thread).
    pub user: spin::Once<alloc::sync::Arc<dyn core::any::Any + Send + Sync>>,
    /// Time on a hart (timer ticks) up to its last switch away, and when
    /// it last started running: CPU-time accounting.
    cpu_ticks: AtomicU64,
    running_since: AtomicU64,
}

impl Task {
    pub(super) fn new(name: &str, context: ThreadContext, entry: Option<Box<dyn FnOnce() + Send>>) -> Task {
        Task {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            name: String::from(name),
            state: AtomicU8::new(State::Ready as u8),
            last_hart: AtomicUsize::new(0),
            context,
            entry: SpinLock::new(entry),
            user: spin::Once::new(),
            cpu_ticks: AtomicU64::new(0),
            running_since: AtomicU64::new(hal::timer::now()),
        }
    }

    /// Timer ticks the task has run, counting the current stretch if it is
    /// running now.
    pub fn cpu_ticks(&self) -> u64 {
        let ticks = self.cpu_ticks.load(Ordering::Acquire);
        if self.state() == State::Running {
            ticks + hal::timer::now().saturating_sub(self.running_since.load(Ordering::Acquire))
        } else {
            ticks
        }
    }

    /// At a switch: the task leaving the hart is charged until `now`.
    pub(super) fn stop_running(&self, now: u64) {
        let since = self.running_since.load(Ordering::Acquire);
        self.cpu_ticks.fetch_add(now.saturating_sub(since), Ordering::AcqRel);
    }

    /// At a switch: the task taking the hart starts a stretch at `now`.
    pub(super) fn start_running(&self, now: u64) {
        self.running_since.store(now, Ordering::Release);
    }

    pub fn state(&self) -> State {
        match self.state.load(Ordering::Acquire) {
            0 => State::Running,
            1 => State::Ready,
            2 => State::Blocked,
            _ => State::Exited,
        }
    }

    pub(super) fn set_state(&self, state: State) {
        self.state.store(state as u8, Ordering::Release);
    }

    /// Moves from `from` to `to` if the task is in `from`.
    pub(super) fn transition(&self, from: State, to: State) -> bool {
        self.state.compare_exchange(from as u8, to as u8, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }
}

impl Schedulable for Task {
    fn thread_context(&self) -> &ThreadContext {
        &self.context
    }
}
