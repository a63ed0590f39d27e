//! Rust's std threads on the kernel: spawn and join, scoped threads,
//! std::sync (Mutex, Condvar, mpsc, Arc, atomics, Barrier, RwLock, Once),
//! and threads writing files at once (rust_std_fs has the rest). Built
//! statically for riscv64gc-unknown-linux-gnu by the xtask; every line it
//! prints is deterministic.

use std::collections::BTreeMap;
use std::fs;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Barrier, Condvar, Mutex, Once, RwLock};
use std::thread;
use std::time::{Duration, Instant};

fn spawn_and_join() {
    let handles: Vec<_> =
        (0..8u64).map(|i| thread::spawn(move || (1..=1000u64).map(|n| n * i).sum::<u64>())).collect();
    let sums: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    println!("spawn: sums {sums:?}");

    let named = thread::Builder::new()
        .name("worker-7".into())
        .stack_size(256 * 1024)
        .spawn(|| thread::current().name().map(String::from))
        .unwrap();
    println!("builder: thread named {:?}", named.join().unwrap());

    let panicked = thread::spawn(|| {
        if true {
            std::panic::set_hook(Box::new(|_| {}));
            panic!("on purpose");
        }
    })
    .join();
    let _ = std::panic::take_hook();
    println!("panic in a thread: join is_err {}", panicked.is_err());

    let main_id = thread::current().id();
    let other_id = thread::spawn(|| thread::current().id()).join().unwrap();
    println!("thread ids differ: {}", main_id != other_id);
}

fn scoped() {
    let mut data = vec![1u64; 4000];
    let chunks = 4;
    let total = AtomicUsize::new(0);
    thread::scope(|s| {
        for (k, chunk) in data.chunks_mut(1000).enumerate() {
            let total = &total;
            s.spawn(move || {
                for v in chunk.iter_mut() {
                    *v += k as u64;
                }
                total.fetch_add(chunk.len(), Ordering::SeqCst);
            });
        }
    });
    let sum: u64 = data.iter().sum();
    println!("scope: {chunks} threads touched {} items, sum {sum}", total.load(Ordering::SeqCst));
}

fn mutex_and_atomics() {
    let counter = Arc::new(Mutex::new(0u64));
    let atomic = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let counter = Arc::clone(&counter);
            let atomic = Arc::clone(&atomic);
            thread::spawn(move || {
                for _ in 0..2000 {
                    *counter.lock().unwrap() += 1;
                    atomic.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    println!(
        "mutex: {} atomic: {} arc strong count back to {}",
        *counter.lock().unwrap(),
        atomic.load(Ordering::SeqCst),
        Arc::strong_count(&counter)
    );

    let lock = Arc::new(RwLock::new(BTreeMap::new()));
    thread::scope(|s| {
        for i in 0..4 {
            let lock = Arc::clone(&lock);
            s.spawn(move || lock.write().unwrap().insert(i, i * 10));
        }
    });
    let readers: Vec<usize> = thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| lock.read().unwrap().len())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    println!("rwlock: map {:?}, readers saw {readers:?}", lock.read().unwrap());

    static INIT: Once = Once::new();
    let runs = AtomicUsize::new(0);
    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                INIT.call_once(|| {
                    runs.fetch_add(1, Ordering::SeqCst);
                })
            });
        }
    });
    println!("once: ran {} time(s)", runs.load(Ordering::SeqCst));
}

fn condvar() {
    // A bounded queue of 4 between a producer and two consumers.
    let state = Arc::new((Mutex::new((Vec::new(), false)), Condvar::new()));
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let state = Arc::clone(&state);
            thread::spawn(move || {
                let (lock, ready) = &*state;
                let mut taken = Vec::new();
                let mut guard = lock.lock().unwrap();
                loop {
                    if let Some(v) = guard.0.pop() {
                        taken.push(v);
                        ready.notify_all();
                    } else if guard.1 {
                        return taken;
                    } else {
                        guard = ready.wait(guard).unwrap();
                    }
                }
            })
        })
        .collect();
    {
        let (lock, ready) = &*state;
        for v in 0..100 {
            let mut guard = ready.wait_while(lock.lock().unwrap(), |(queue, _)| queue.len() >= 4).unwrap();
            guard.0.push(v);
            ready.notify_all();
        }
        lock.lock().unwrap().1 = true;
        ready.notify_all();
    }
    let mut all: Vec<u32> = consumers.into_iter().flat_map(|c| c.join().unwrap()).collect();
    all.sort();
    println!("condvar: consumed {} items, sum {}", all.len(), all.iter().sum::<u32>());

    let (lock, ready) = (Mutex::new(()), Condvar::new());
    let start = Instant::now();
    let (_guard, timeout) = ready.wait_timeout(lock.lock().unwrap(), Duration::from_millis(20)).unwrap();
    println!(
        "condvar: wait_timeout timed out {}, not early {}",
        timeout.timed_out(),
        start.elapsed() >= Duration::from_millis(20)
    );
}

fn channels() {
    let (tx, rx) = mpsc::channel();
    for id in 0..4u32 {
        let tx = tx.clone();
        thread::spawn(move || {
            for n in 0..25u32 {
                tx.send(id * 100 + n).unwrap();
            }
        });
    }
    drop(tx);
    let mut got: Vec<u32> = rx.iter().collect();
    got.sort();
    println!("mpsc: {} messages, first {:?}, last {:?}", got.len(), got.first(), got.last());

    let (tx, rx) = mpsc::sync_channel(0);
    let echo = thread::spawn(move || rx.iter().map(|s: String| s.len()).sum::<usize>());
    for word in ["rendezvous", "channel", "of", "size", "zero"] {
        tx.send(word.to_string()).unwrap();
    }
    drop(tx);
    println!("sync_channel(0): {} bytes", echo.join().unwrap());

    let (_tx, rx) = mpsc::channel::<u8>();
    println!("recv_timeout on a silent channel: {:?}", rx.recv_timeout(Duration::from_millis(10)));
}

fn barrier() {
    let count = 5;
    let barrier = Arc::new(Barrier::new(count));
    let arrived = Arc::new(AtomicUsize::new(0));
    let all_seen = Arc::new(AtomicBool::new(true));
    let handles: Vec<_> = (0..count)
        .map(|_| {
            let (barrier, arrived, all_seen) =
                (Arc::clone(&barrier), Arc::clone(&arrived), Arc::clone(&all_seen));
            thread::spawn(move || {
                arrived.fetch_add(1, Ordering::SeqCst);
                let leader = barrier.wait().is_leader();
                // Past the barrier, every thread has arrived.
                if arrived.load(Ordering::SeqCst) != count {
                    all_seen.store(false, Ordering::SeqCst);
                }
                leader
            })
        })
        .collect();
    let leaders = handles.into_iter().map(|h| h.join().unwrap()).filter(|&l| l).count();
    println!("barrier: {leaders} leader, everyone arrived first: {}", all_seen.load(Ordering::SeqCst));

    let start = Instant::now();
    thread::sleep(Duration::from_millis(15));
    println!("sleep: not early {}", start.elapsed() >= Duration::from_millis(15));
}

fn parallel_files() -> std::io::Result<()> {
    // Threads writing files of their own at once.
    fs::create_dir("parallel")?;
    thread::scope(|s| {
        for i in 0..4 {
            s.spawn(move || fs::write(format!("parallel/f{i}"), vec![b'x'; 1000 * (i + 1)]).unwrap());
        }
    });
    let mut sizes: Vec<u64> =
        fs::read_dir("parallel")?.map(|e| e.unwrap().metadata().unwrap().len()).collect();
    sizes.sort();
    println!("parallel writes: sizes {sizes:?}");
    fs::remove_dir_all("parallel")?;
    Ok(())
}

fn main() {
    spawn_and_join();
    scoped();
    mutex_and_atomics();
    condvar();
    channels();
    barrier();
    parallel_files().unwrap();
    println!(
        "available_parallelism at least 1: {}",
        thread::available_parallelism().map_or(false, |n| n.get() >= 1)
    );
}
