# procfs as shells and busybox read it: /proc/self, per-process files,
# system files; only what is the same on every run is printed.
cat /proc/self/comm
readlink /proc/self/exe
[ -L /proc/self ] && echo "/proc/self is a symlink"
[ "$(readlink /proc/self)" != "$$" ] && echo "/proc/self is the reader, not the shell"
[ -d /proc/$$ ] && echo "shell has a directory"
[ -d /proc/99999 ] || echo "no directory for a missing pid"
awk '/^Name:/ {print "status name", $2} /^State:/ {print "status state", $2, $3} /^Uid:/ {print "status uid", $2}' /proc/self/status
cut -d' ' -f2,3 /proc/self/stat
sh -c 'exec cut -d" " -f4 /proc/self/stat' > /tmp/ppid
[ "$(cat /tmp/ppid)" = "$$" ] && echo "ppid of a child is the shell"
echo "stat fields: $(wc -w < /proc/self/stat)"
tr '\0' ' ' < /proc/self/cmdline; echo
cd /proc/self/fd && ls -d 0 1 2 && cd /
sleep 5 & pid=$!
sleep 0.5
echo "sleeper state: $(cut -d' ' -f3 /proc/$pid/stat)"
echo "sleeper parent is the shell: $([ "$(cut -d' ' -f4 /proc/$pid/stat)" = "$$" ] && echo yes)"
tr '\0' ' ' < /proc/$pid/cmdline; echo
# The shell's "Terminated" notice depends on whether it reaps the sleeper
# inside `wait` or before: a race, so the notice goes away.
kill $pid; wait $pid 2>/dev/null
[ -d /proc/$pid ] || echo "reaped process is gone"
echo "cpus: $(grep -c ^processor /proc/cpuinfo)"
echo "meminfo total line: $(grep -c '^MemTotal: .* kB$' /proc/meminfo)"
echo "uptime fields: $(wc -w < /proc/uptime)"
echo "loadavg fields: $(wc -w < /proc/loadavg)"
grep '^proc /proc proc' /proc/mounts | cut -d' ' -f1-3
cat /proc/version | cut -d' ' -f1,2
stat -f -c '%T' /proc /tmp
mkdir -p /tmp/m && mount -t tmpfs none /tmp/m && touch /tmp/m/inside && ls /tmp/m
grep -c ' /tmp/m tmpfs ' /proc/mounts
umount /tmp/m && ls /tmp/m | wc -l
umount /tmp/m 2>/dev/null || echo "second umount fails"
(echo x > /proc/version) 2>/dev/null || echo "cannot write /proc/version"
