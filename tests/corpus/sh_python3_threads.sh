# Debian's python3 with threads: threading (Thread, Lock, RLock, Condition,
# Event, Semaphore, Barrier, Timer), queue.Queue, a thread pool, and
# subprocess and os.fork from a process that has threads.
cat > threads.py <<'PY'
import concurrent.futures
import os
import queue
import subprocess
import threading
import time

def show(label, value):
    print(f"{label}: {value!r}")

# Several threads adding under a Lock, joined.
counter = 0
lock = threading.Lock()
def add(times):
    global counter
    for _ in range(times):
        with lock:
            counter += 1
threads = [threading.Thread(target=add, args=(1000,), name=f"adder-{i}") for i in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
show("lock counter", counter)
show("all joined", [thread.is_alive() for thread in threads].count(False))
show("thread names", sorted(thread.name for thread in threads)[:2])
show("native ids differ", len({thread.native_id for thread in threads} | {threading.get_native_id()}) == 9)

# A bounded buffer with a Condition: one producer, three consumers.
buffer, done = [], False
condition = threading.Condition()
consumed = []
def producer():
    global done
    for item in range(200):
        with condition:
            condition.wait_for(lambda: len(buffer) < 5)
            buffer.append(item)
            condition.notify_all()
    with condition:
        done = True
        condition.notify_all()
def consumer():
    while True:
        with condition:
            condition.wait_for(lambda: buffer or done)
            if not buffer:
                return
            consumed.append(buffer.pop(0))
            condition.notify_all()
workers = [threading.Thread(target=consumer) for _ in range(3)] + [threading.Thread(target=producer)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
show("condition", (len(consumed), sum(consumed), sorted(consumed) == list(range(200))))

# queue.Queue: workers take jobs until a sentinel, task_done and join.
jobs, results = queue.Queue(maxsize=10), queue.Queue()
def work():
    while (job := jobs.get()) is not None:
        results.put(job * job)
        jobs.task_done()
    jobs.task_done()
pool = [threading.Thread(target=work) for _ in range(4)]
for thread in pool:
    thread.start()
for job in range(50):
    jobs.put(job)
for _ in pool:
    jobs.put(None)
jobs.join()
for thread in pool:
    thread.join()
squares = sorted(results.get() for _ in range(results.qsize()))
show("queue", (len(squares), sum(squares)))
try:
    results.get(timeout=0.05)
except queue.Empty:
    show("queue get timeout", "Empty")

# RLock, Event, Semaphore, Barrier, Timer, thread-local data.
rlock = threading.RLock()
with rlock:
    with rlock:
        show("rlock reentered", True)
event = threading.Event()
waiter = threading.Thread(target=lambda: show("event seen", event.wait(10)))
waiter.start()
event.set()
waiter.join()
show("event wait timeout", threading.Event().wait(0.05))
semaphore = threading.BoundedSemaphore(2)
inside, most = 0, 0
def limited():
    global inside, most
    with semaphore:
        with lock:
            inside += 1
            most = max(most, inside)
        time.sleep(0.01)
        with lock:
            inside -= 1
limited_threads = [threading.Thread(target=limited) for _ in range(6)]
for thread in limited_threads:
    thread.start()
for thread in limited_threads:
    thread.join()
show("semaphore at most", most <= 2)
barrier = threading.Barrier(4)
order = []
def meet(i):
    order.append(("before", i))
    barrier.wait()
    order.append(("after", i))
meeting = [threading.Thread(target=meet, args=(i,)) for i in range(4)]
for thread in meeting:
    thread.start()
for thread in meeting:
    thread.join()
show("barrier", [step for step, _ in order] == ["before"] * 4 + ["after"] * 4)
fired = threading.Event()
start = time.monotonic()
timer = threading.Timer(0.05, fired.set)
timer.start()
show("timer fired", fired.wait(10))
show("timer not early", time.monotonic() - start >= 0.05)
local = threading.local()
def set_local(value, out):
    local.value = value
    time.sleep(0.01)
    out.append(local.value == value)
checks = []
local_threads = [threading.Thread(target=set_local, args=(i, checks)) for i in range(4)]
for thread in local_threads:
    thread.start()
for thread in local_threads:
    thread.join()
show("thread-local", checks == [True] * 4)

# A thread pool.
with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
    show("pool map", list(executor.map(lambda n: n * 3, range(10))))
    future = executor.submit(pow, 2, 20)
    show("pool future", future.result(timeout=10))

# subprocess from several threads at once.
def run_child(n):
    return subprocess.run(["sh", "-c", f"echo child {n}; exit {n}"], capture_output=True, text=True)
with concurrent.futures.ThreadPoolExecutor(max_workers=3) as executor:
    children = list(executor.map(run_child, range(6)))
show("subprocess from threads", [(c.stdout.strip(), c.returncode) for c in children])

# os.fork while another thread runs: only the forking thread goes on in
# the child.
stop = threading.Event()
spinner = threading.Thread(target=stop.wait)
spinner.start()
read_end, write_end = os.pipe()
pid = os.fork()
if pid == 0:
    os.write(write_end, str(threading.active_count()).encode())
    os._exit(3)
os.close(write_end)
child_threads = os.read(read_end, 10)
os.close(read_end)
_, status = os.waitpid(pid, 0)
stop.set()
spinner.join()
show("fork with a thread running", (child_threads, os.WEXITSTATUS(status)))
show("active threads at the end", threading.active_count())
PY
python3 -u -W ignore::DeprecationWarning threads.py
echo "python status $?"
