# Debian's python3 without threads: subprocess (run, capture, return codes,
# pipes between children, timeouts), os.fork/os.waitpid/os.pipe, exec,
# signals and files. sh_python3_threads has the threading part,
# sh_python3_spawn_errors the errors of starting a child.
cat > processes.py <<'PY'
import os
import signal
import subprocess
import sys

def show(label, value):
    print(f"{label}: {value!r}")

# subprocess: output, return codes, errors.
result = subprocess.run(["echo", "hello from echo"], capture_output=True, text=True)
show("run echo", (result.returncode, result.stdout, result.stderr))
result = subprocess.run(["sh", "-c", "echo out; echo err >&2; exit 3"], capture_output=True, text=True)
show("run sh", (result.returncode, result.stdout, result.stderr))
show("check_output", subprocess.check_output("printf 'a b c' | wc -w", shell=True, text=True).strip())
try:
    subprocess.run(["false"], check=True)
except subprocess.CalledProcessError as error:
    show("check=True", (error.returncode, error.cmd))
result = subprocess.run(["tr", "a-z", "A-Z"], input="shout this\n", capture_output=True, text=True)
show("stdin to tr", result.stdout)
result = subprocess.run(["sh", "-c", "kill -TERM $$"])
show("killed child returncode", result.returncode)
try:
    subprocess.run(["sleep", "10"], timeout=0.3)
except subprocess.TimeoutExpired as error:
    show("timeout", error.cmd)

# Two children joined by a pipe, as a shell pipeline.
producer = subprocess.Popen(["seq", "1", "100"], stdout=subprocess.PIPE)
consumer = subprocess.Popen(["awk", "{ s += $1 } END { print s }"], stdin=producer.stdout, stdout=subprocess.PIPE, text=True)
producer.stdout.close()
total, _ = consumer.communicate()
show("pipeline", (total.strip(), producer.wait(), consumer.returncode))

# Large output through communicate (more than a pipe's buffer).
result = subprocess.run(["sh", "-c", "yes 0123456789 | head -n 20000"], capture_output=True)
show("large output bytes", len(result.stdout))

# env and cwd of a child.
os.mkdir("child-dir")
result = subprocess.run(["sh", "-c", "echo $GREETING; pwd"], env={"GREETING": "hi", "PATH": os.environ["PATH"]}, cwd="child-dir", capture_output=True, text=True)
show("env and cwd", result.stdout.split())

# os.fork, os.pipe, os.waitpid.
parent = os.getpid()
read_end, write_end = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(read_end)
    os.write(write_end, f"child of {os.getppid() == parent}".encode())
    os._exit(7)
os.close(write_end)
data = b""
while chunk := os.read(read_end, 100):
    data += chunk
os.close(read_end)
waited, status = os.waitpid(pid, 0)
show("fork pipe", (data, waited == pid, os.WIFEXITED(status), os.WEXITSTATUS(status), os.waitstatus_to_exitcode(status)))

pid = os.fork()
if pid == 0:
    signal.pause()
    os._exit(0)
os.kill(pid, signal.SIGKILL)
_, status = os.waitpid(pid, 0)
show("killed", (os.WIFSIGNALED(status), os.WTERMSIG(status), os.waitstatus_to_exitcode(status)))

try:
    os.waitpid(-1, os.WNOHANG)
except ChildProcessError as error:
    show("no children", error.errno)

# A forked child that execs, its stdout redirected into a pipe by dup2.
read_end, write_end = os.pipe()
pid = os.fork()
if pid == 0:
    os.dup2(write_end, 1)
    os.close(read_end)
    os.close(write_end)
    os.execvp("sh", ["sh", "-c", "echo from exec; exit 4"])
os.close(write_end)
with os.fdopen(read_end) as pipe:
    text = pipe.read()
_, status = os.waitpid(pid, 0)
show("fork exec dup2", (text, os.WEXITSTATUS(status)))

# Many children, reaped in any order.
children = {}
for code in range(10):
    pid = os.fork()
    if pid == 0:
        os._exit(code)
    children[pid] = code
codes = []
while children:
    pid, status = os.wait()
    codes.append(os.WEXITSTATUS(status) == children.pop(pid))
show("ten children", (len(codes), all(codes)))

# Signals: a handler, a blocked signal, SIGCHLD.
got = []
signal.signal(signal.SIGUSR1, lambda signum, frame: got.append(signum))
os.kill(os.getpid(), signal.SIGUSR1)
show("handler", got == [signal.SIGUSR1])
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2])
os.kill(os.getpid(), signal.SIGUSR2)
show("pending", signal.SIGUSR2 in signal.sigpending())
signal.signal(signal.SIGUSR2, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR2])

# Files.
with open("data.txt", "w") as f:
    for i in range(5):
        f.write(f"line {i}\n")
with open("data.txt") as f:
    show("file lines", [line.strip() for line in f][-2:])
os.rename("data.txt", "renamed.txt")
show("listdir", sorted(os.listdir(".")))
show("stat size", os.stat("renamed.txt").st_size)
os.remove("renamed.txt")
os.rmdir("child-dir")
show("empty again", os.listdir("."))
print("exit", file=sys.stderr)
sys.exit(5)
PY
# Unbuffered: the children's output and python's own come in order.
python3 -u processes.py
echo "python status $?"
