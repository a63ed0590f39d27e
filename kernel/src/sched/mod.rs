//! The scheduler: per-hart run queues, round-robin within a queue, idle
//! harts stealing from busy ones, and preemption on the timer tick.
//!
//! Blocking follows one rule that makes wake-ups impossible to lose: a task
//! marks itself Blocked *before* it checks for the event it waits on, and
//! [`wake`] only enqueues a task it moves from Blocked to Ready. Both sides
//! put a full fence between their store (Blocked; the event) and their
//! load (the event; the state): acquire and release alone let each load
//! pass the other side's store (RVWMO, and the x86 store buffer under
//! QEMU), and both would miss. A task
//! woken before it managed to switch away is simply Ready (and queued)
//! when it switches; `on_cpu` in the hal keeps another hart from resuming
//! it until its registers are saved.

mod run_queue;
mod task;

pub use task::{State, Task};

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, Ordering};
use hal::arch::csr;
use hal::cpu::MAX_HARTS;
use hal::task::{Schedulable, ThreadContext};
use run_queue::RunQueues;
use spin::Once;

static QUEUES: Once<RunQueues> = Once::new();
/// Each hart's idle task: its boot flow, which runs when nothing else can.
static IDLE: [Once<Arc<Task>>; MAX_HARTS] = [const { Once::new() }; MAX_HARTS];
/// Set by the timer tick: the running task has used its slice.
static NEED_RESCHED: [AtomicBool; MAX_HARTS] = [const { AtomicBool::new(false) }; MAX_HARTS];

/// Context switches since boot (/proc/stat's ctxt).
static SWITCHES: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

pub fn context_switches() -> u64 {
    SWITCHES.load(Ordering::Relaxed)
}

fn queues() -> &'static RunQueues {
    QUEUES.get().expect("scheduler used before sched::init")
}

/// Sets up the run queues for `harts` harts.
pub fn init(harts: usize) {
    QUEUES.call_once(|| RunQueues::new(harts.min(MAX_HARTS)));
}

/// Makes the code running on this hart its idle task.
fn adopt_boot_flow() -> Arc<Task> {
    let hart = hal::cpu::index();
    let idle =
        IDLE[hart].call_once(|| Arc::new(Task::new("idle", ThreadContext::for_running_code(), None))).clone();
    idle.set_state(State::Running);
    hal::task::set_initial(idle.clone());
    idle
}

/// The task running on this hart.
pub fn current() -> Arc<Task> {
    let current: Arc<dyn core::any::Any + Send + Sync> = hal::task::current();
    current.downcast::<Task>().unwrap_or_else(|_| unreachable!("every thread is a Task"))
}

/// Starts a new task running `body`; it exits when `body` returns.
pub fn spawn(name: &str, body: impl FnOnce() + Send + 'static) -> Result<Arc<Task>, hal::task::NoMemory> {
    spawn_with(name, None, |_| {}, body)
}

/// Like [`spawn`], with the user thread the task runs attached, and
/// `prepare` run on the task, before it can start.
pub fn spawn_with(
    name: &str,
    user: Option<Arc<dyn core::any::Any + Send + Sync>>,
    prepare: impl FnOnce(&Arc<Task>),
    body: impl FnOnce() + Send + 'static,
) -> Result<Arc<Task>, hal::task::NoMemory> {
    let context = ThreadContext::new(task_entry, 0)?;
    let task = Arc::new(Task::new(name, context, Some(Box::new(body))));
    if let Some(user) = user {
        task.user.call_once(|| user);
    }
    prepare(&task);
    enqueue(task.clone(), None);
    Ok(task)
}

fn task_entry(_: usize) -> ! {
    let task = current();
    let body = task.entry.lock().take();
    drop(task);
    if let Some(body) = body {
        body();
    }
    exit()
}

/// Ends the running task.
pub fn exit() -> ! {
    csr::interrupts_disable();
    current().set_state(State::Exited);
    schedule();
    unreachable!("an exited task was resumed")
}

/// Puts a Ready task on a run queue (the given hart's, or the least loaded)
/// and wakes that hart if it idles.
fn enqueue(task: Arc<Task>, hart: Option<usize>) {
    let queues = queues();
    let target = hart.unwrap_or_else(|| queues.least_loaded());
    task.last_hart.store(target, Ordering::Relaxed);
    task.set_state(State::Ready);
    queues.push(target, task);
    if target != hal::cpu::index() {
        queues.kick(target);
    }
}

/// Makes a Blocked task runnable. Returns false if it was not blocked.
pub fn wake(task: &Arc<Task>) -> bool {
    // The event the caller just made visible, before the state is read.
    core::sync::atomic::fence(Ordering::SeqCst);
    if !task.transition(State::Blocked, State::Ready) {
        return false;
    }
    let hart = task.last_hart.load(Ordering::Relaxed);
    enqueue(task.clone(), Some(hart));
    true
}

/// Brings a task that is running on another hart back to the kernel
/// soon (an IPI: a user thread then passes through its signal checks).
pub fn kick(task: &Arc<Task>) {
    if task.state() == State::Running {
        let hart = task.last_hart.load(Ordering::Relaxed);
        if hart != hal::cpu::index() {
            queues().kick(hart);
        }
    }
}

/// Blocks the running task until `condition` holds. Whoever makes it hold
/// must then [`wake`] the task.
pub fn wait_until(mut condition: impl FnMut() -> bool) {
    let task = current();
    loop {
        task.set_state(State::Blocked);
        // Blocked visible before the condition's loads (see the module
        // comment).
        core::sync::atomic::fence(Ordering::SeqCst);
        if condition() {
            if !task.transition(State::Blocked, State::Running) {
                // Woken (and queued) in the meantime: let the queue entry
                // be consumed before going on.
                yield_now();
            }
            return;
        }
        let was_on = csr::interrupts_disable();
        schedule();
        csr::interrupts_restore(was_on);
    }
}

/// Lets other Ready tasks run.
pub fn yield_now() {
    let was_on = csr::interrupts_disable();
    schedule();
    csr::interrupts_restore(was_on);
}

/// Picks the next task and switches to it. Interrupts must be off.
fn schedule() {
    let hart = hal::cpu::index();
    NEED_RESCHED[hart].store(false, Ordering::Relaxed);
    let current = current();
    let queues = queues();
    let mut next = queues.pop(hart).or_else(|| queues.steal(hart));
    if let Some(busy) = next.take_if(|n| !Arc::ptr_eq(n, &current) && n.thread_context().is_on_cpu()) {
        // Still finishing its switch away on another hart: waiting for it
        // here could deadlock against that hart, so put it back and let
        // this hart come back for it.
        queues.push(hart, busy);
    }
    let next = match next {
        Some(next) if Arc::ptr_eq(&next, &current) => {
            current.set_state(State::Running);
            return;
        }
        Some(next) => next,
        None => match current.state() {
            // Nothing else to run: keep going.
            State::Running => return,
            // Woken before it could switch: it is queued somewhere, so run
            // the idle task until it is picked up.
            _ => IDLE[hart].get().expect("idle task").clone(),
        },
    };
    if current.state() == State::Running && !is_idle(&current, hart) {
        enqueue(current.clone(), Some(hart));
    }
    if Arc::ptr_eq(&next, &current) {
        current.set_state(State::Running);
        return;
    }
    let now = hal::timer::now();
    current.stop_running(now);
    next.start_running(now);
    next.set_state(State::Running);
    next.last_hart.store(hart, Ordering::Relaxed);
    drop(current);
    SWITCHES.fetch_add(1, Ordering::Relaxed);
    hal::task::switch_to(next);
    crate::process::after_switch();
}

fn is_idle(task: &Arc<Task>, hart: usize) -> bool {
    IDLE[hart].get().is_some_and(|idle| Arc::ptr_eq(idle, task))
}

/// The idle task's loop: run whatever is ready, else wait for an
/// interrupt.
pub fn idle_loop() -> ! {
    adopt_boot_flow();
    crate::irq::start_tick();
    loop {
        csr::interrupts_disable();
        let hart = hal::cpu::index();
        if queues().has_work(hart) {
            schedule();
        } else {
            csr::wait_for_interrupt();
        }
        csr::interrupts_enable();
    }
}

/// Scheduler ticks each hart has taken (sampled CPU-time accounting).
static TICKS: [core::sync::atomic::AtomicU64; MAX_HARTS] =
    [const { core::sync::atomic::AtomicU64::new(0) }; MAX_HARTS];

/// Called by the timer tick.
pub fn tick() {
    let hart = hal::cpu::index();
    TICKS[hart].fetch_add(1, Ordering::Relaxed);
    NEED_RESCHED[hart].store(true, Ordering::Relaxed);
}

/// This hart and the ticks it has taken: a thread that finds the count
/// moved on the same hart after running user code was interrupted there
/// by the tick.
pub fn tick_count() -> (usize, u64) {
    let hart = hal::cpu::index();
    (hart, TICKS[hart].load(Ordering::Relaxed))
}

/// Called after an interrupt of kernel code that had interrupts on: switch
/// if the running task's slice is over.
///
/// A task caught between marking itself Blocked and testing its condition
/// is not preempted: switching it out then would take it off the run
/// queues without it having seen its condition, and a wake-up that came
/// before it marked itself would be lost. It calls the scheduler itself
/// moments later (as Linux's preemption never blocks a task).
pub fn preempt_if_needed() {
    let hart = hal::cpu::index();
    if NEED_RESCHED[hart].load(Ordering::Relaxed) {
        let current = current();
        let idle = IDLE[hart].get().is_some_and(|idle| Arc::ptr_eq(idle, &current));
        let running = current.state() == State::Running;
        drop(current);
        if !idle && running {
            let was_on = csr::interrupts_disable();
            schedule();
            csr::interrupts_restore(was_on);
        } else if idle {
            NEED_RESCHED[hart].store(false, Ordering::Relaxed);
        }
    }
}
