# A fork loop bounded by ulimit -u: forks fail, nothing breaks.
ulimit -u 40 2>/dev/null || echo "ulimit -u not supported"
n=0
while [ $n -lt 100 ]; do
  (sleep 2) 2>/dev/null &
  n=$((n + 1))
done 2>/dev/null
wait
echo "loop done"
