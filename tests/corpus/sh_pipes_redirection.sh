# Pipes, redirections and here-documents.
echo one two three | tr ' ' '\n' | sort -r
seq 1 5 | awk '{ s += $1 } END { print "sum", s }'
echo out > f; echo err 1>&2 2>>f; cat f
{ echo a; echo b >&2; } > both 2>&1; cat both
cat <<EOT
here $((1 + 2))
EOT
cat <<'EOT'
quoted $((1 + 2))
EOT
exec 3> fd3; echo via3 >&3; exec 3>&-; cat fd3
echo append >> f; cat f
yes | head -n 3
seq 1 100000 | tail -n 1
(echo sub; exit 3); echo "subshell status $?"
false | true; echo "pipeline status $?"
echo $(echo nested $(echo deep))
