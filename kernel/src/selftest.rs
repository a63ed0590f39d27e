//! Switches for the test suite (`goose.test=` on the command line): each
//! exercises something that cannot be reached from user space.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicUsize, Ordering};

pub fn run(test: &str) {
    match test {
        "panic" => deliberate_panic(3),
        "sleep" => sleeps_last_as_long_as_asked(),
        "smp" => {
            threads_on_every_hart();
            block_and_wake_across_harts();
        }
        "costs" => primitive_costs(),
        other => log::warn!("goose.test={other}: no such test"),
    }
}

/// Panics a few calls deep, so the backtrace has frames to show.
#[inline(never)]
fn deliberate_panic(depth: usize) {
    if depth == 0 {
        panic!("deliberate panic (goose.test=panic)");
    }
    deliberate_panic(depth - 1);
    core::hint::black_box(depth);
}

/// Runs many short threads and reports which harts ran them: with
/// preemption and stealing, every online hart takes part.
fn threads_on_every_hart() {
    const THREADS: usize = 64;
    let harts = hal::cpu::count();
    let seen: Arc<Vec<AtomicUsize>> = Arc::new((0..harts).map(|_| AtomicUsize::new(0)).collect());
    let finished = Arc::new(AtomicUsize::new(0));
    for n in 0..THREADS {
        let seen = seen.clone();
        let finished = finished.clone();
        crate::sched::spawn("smp-test", move || {
            // Spin for a few ticks, so the work spreads over the harts.
            let until = hal::timer::now() + hal::timer::frequency() / 50;
            while hal::timer::now() < until {
                core::hint::spin_loop();
            }
            seen[hal::cpu::index()].fetch_add(1, Ordering::Relaxed);
            finished.fetch_add(1, Ordering::Release);
            let _ = n;
        })
        .expect("no memory for a test thread");
    }
    while finished.load(Ordering::Acquire) < THREADS {
        crate::sched::yield_now();
    }
    let used: Vec<usize> = (0..harts).filter(|&h| seen[h].load(Ordering::Relaxed) > 0).collect();
    let counts: Vec<usize> = seen.iter().map(|c| c.load(Ordering::Relaxed)).collect();
    log::info!("smp test: {THREADS} threads ran on harts {used:?} (per hart {counts:?})");
}

/// Two tasks hand a token back and forth by blocking and waking each
/// other many times; a lost wake-up would hang (and time the test out).
fn block_and_wake_across_harts() {
    use crate::sched::{self, Task};
    use core::sync::atomic::AtomicBool;
    const ROUNDS: usize = 2000;
    struct Side {
        task: spin::Once<Arc<Task>>,
        has_token: AtomicBool,
    }
    let sides: Arc<[Side; 2]> =
        Arc::new([0, 1].map(|_| Side { task: spin::Once::new(), has_token: AtomicBool::new(false) }));
    sides[0].has_token.store(true, Ordering::Release);
    let done = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for me in 0..2 {
        let sides = sides.clone();
        let done = done.clone();
        let task = sched::spawn("ping-pong", move || {
            let other = 1 - me;
            for _ in 0..ROUNDS {
                sched::wait_until(|| sides[me].has_token.swap(false, Ordering::AcqRel));
                sides[other].has_token.store(true, Ordering::Release);
                if let Some(task) = sides[other].task.get() {
                    sched::wake(task);
                }
            }
            done.fetch_add(1, Ordering::Release);
        })
        .expect("no memory for a test thread");
        tasks.push(task);
    }
    for (side, task) in sides.iter().zip(&tasks) {
        side.task.call_once(|| task.clone());
        sched::wake(task);
    }
    while done.load(Ordering::Acquire) < 2 {
        sched::yield_now();
    }
    log::info!(
        "wake test: {} hand-offs between tasks {} ({}) and {} ({}) completed",
        2 * ROUNDS,
        tasks[0].id,
        tasks[0].name,
        tasks[1].id,
        tasks[1].name
    );
}

/// Sleeps of several lengths end no earlier than asked and not much later.
fn sleeps_last_as_long_as_asked() {
    for millis in [1u64, 10, 50] {
        let start = crate::time::monotonic_ns();
        let deadline = hal::timer::now() + hal::timer::ns_to_ticks(millis * 1_000_000);
        let finished = crate::time::timer::sleep_until(deadline, || false);
        let slept_ns = crate::time::monotonic_ns() - start;
        let on_time = finished && slept_ns >= millis * 1_000_000;
        log::info!(
            "sleep test: {millis} ms asked, {} ({} us)",
            if on_time { "ok" } else { "too short" },
            slept_ns / 1000
        );
    }
}

/// Prints what the kernel's building blocks cost here (for
/// docs/performance.md): each timed over many iterations so the clock
/// read itself does not count.
fn primitive_costs() {
    const N: u64 = 20000;
    fn measure(name: &str, mut body: impl FnMut()) {
        let start = hal::timer::now_ns();
        for _ in 0..N {
            body();
        }
        // Integers only: the kernel never touches the FP unit.
        let tenths = (hal::timer::now_ns() - start) * 10 / N;
        log::info!("cost: {name}: {}.{} ns", tenths / 10, tenths % 10);
    }
    measure("empty loop", || core::hint::black_box(()));
    measure("read the time CSR", || {
        core::hint::black_box(hal::timer::now());
    });
    let lock = hal::sync::SpinLock::new(0u64);
    measure("spin lock + unlock (interrupts off)", || *lock.lock() += 1);
    let mutex = crate::sync::Mutex::new(0u64);
    measure("mutex lock + unlock", || *mutex.lock() += 1);
    measure("heap alloc + free, 8 bytes", || {
        core::hint::black_box(alloc::boxed::Box::new(7u64));
    });
    measure("heap alloc + free, 4 KiB", || {
        core::hint::black_box(alloc::vec![0u8; 4096]);
    });
    let shared = Arc::new(1u64);
    measure("Arc clone + drop", || {
        core::hint::black_box(shared.clone());
    });
    measure("sstatus.SUM set (a write to sstatus)", hal::arch::csr::allow_user_access);
    let mut buffer = [0u8; 64];
    measure("copy_from_user of an unmapped page (fault path)", || {
        let _ = hal::user_copy::copy_from_user(&mut buffer[..1], 0x1000);
    });
}
