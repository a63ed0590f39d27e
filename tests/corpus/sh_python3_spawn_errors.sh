# Errors of starting a child in Debian's python3: subprocess starts
# children with glibc's posix_spawn (clone with CLONE_VM|CLONE_VFORK), whose
# child reports a failed exec to the parent through the memory they share
# until it execs or exits, and with fork+exec where posix_spawn cannot do
# what is asked (preexec_fn), whose child reports through a pipe.
cat > spawn_errors.py <<'PY'
import subprocess

def start(label, args, **options):
    try:
        result = subprocess.run(args, capture_output=True, **options)
        print(f"{label}: ran, status {result.returncode}")
    except OSError as error:
        print(f"{label}: {type(error).__name__} errno {error.errno} {error.filename!r}")

start("missing program", ["/nonexistent/program"])
start("missing program in PATH", ["no-such-program-anywhere"])
start("not executable", ["/etc/passwd"])
start("directory", ["/tmp"])
start("missing cwd", ["true"], cwd="/nonexistent")
start("missing program, fork+exec", ["/nonexistent/program"], preexec_fn=lambda: None)
start("not executable, fork+exec", ["/etc/passwd"], preexec_fn=lambda: None)
start("runs, fork+exec", ["true"], preexec_fn=lambda: None)
start("runs", ["true"])
PY
python3 -u spawn_errors.py
echo "python status $?"
