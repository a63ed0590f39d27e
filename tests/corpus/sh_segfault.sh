# A process killed by SIGSEGV: the shell sees 128 + 11, the system stays up.
cat > /tmp/segv.sh <<'EOT'
kill -SEGV $$
EOT
sh /tmp/segv.sh; echo "status $?"
echo still running
