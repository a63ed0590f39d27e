# bash's process substitution, <(...) and >(...): bash passes the pipe as
# /dev/fd/N, which the image lacks (udev makes it on a full system; the
# devtmpfs does not), so this test makes the link for its own run and
# removes it after, leaving /dev as the other tests expect it.
if [ ! -e /dev/fd ]; then
    ln -s /proc/self/fd /dev/fd
    trap 'rm -f /dev/fd' EXIT
fi
cat > procsub.bash <<'BASH'
# Process substitution, reading and writing.
diff <(printf '1\n2\n3\n') <(printf '1\n3\n') && echo same || echo "diff status $?"
while read -r n; do total=$(( ${total:-0} + n )); done < <(seq 1 10)
echo "total from <(...) $total"
echo "to a writer" > >(tr a-z A-Z > upper.txt)
wait $!
cat upper.txt
paste <(echo left) <(echo right)

sort -r <(printf '%s\n' b a c)
tee >(wc -c > count.txt) <<< "through tee" > /dev/null
wait $!
echo "tee count $(cat count.txt)"
readarray -t lines < <(printf 'p\nq\n'); echo "readarray ${lines[*]}"
BASH
bash procsub.bash
echo "bash status $?"
