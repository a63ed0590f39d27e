# Stopping and continuing processes: SIGSTOP/SIGTSTP/SIGCONT, /proc states,
# SIGKILL of a stopped process, a sleep that continues after a stop.
sleep 3 &
pid=$!
kill -STOP $pid
sleep 0.2
echo "state after STOP: $(cut -d' ' -f3 /proc/$pid/stat)"
kill -CONT $pid
sleep 0.2
echo "state after CONT: $(cut -d' ' -f3 /proc/$pid/stat)"
kill -TSTP $pid
sleep 0.2
kill -KILL $pid
# Without its "Killed" notice, which the shell prints or not depending on
# when it reaps the child (a race).
wait $pid 2>/dev/null; echo "killed while stopped: $?"
sh -c 'kill -STOP $$; echo resumed' &
pid=$!
sleep 0.3
kill -CONT $pid
wait $pid; echo "child status $?"
start=$(cut -d' ' -f1 /proc/uptime)
sleep 1 & pid=$!
sleep 0.2; kill -STOP $pid; sleep 0.2; kill -CONT $pid
wait $pid; echo "stopped sleep finished: $?"
