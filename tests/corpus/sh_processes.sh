# Exit statuses, signals and waiting, as the shell reports them.
sh -c 'exit 42'; echo "exit status $?"
sh -c 'kill -TERM $$'; echo "killed by TERM: $?"
sh -c 'kill -KILL $$'; echo "killed by KILL: $?"
sleep 10 & pid=$!
kill $pid
# Whether ash prints "Terminated" depends on whether the job ended before
# `wait` began (a race on Linux as well): let it end first.
sleep 0.5
wait $pid; echo "wait after kill: $?"
(exit 5) & wait $!; echo "background exit: $?"
true & wait; echo "wait all: $?"
trap 'echo got USR1' USR1
kill -USR1 $$
echo "after trap"
sh -c 'trap "echo child got INT; exit 9" INT; kill -INT $$; sleep 1'; echo "child status $?"
wait 12345 2>/dev/null; echo "wait unknown: $?"
