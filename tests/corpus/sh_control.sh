# Shell control flow, functions, globbing and arithmetic.
for i in 1 2 3; do printf '%s ' "$i"; done; echo
i=0; while [ $i -lt 5 ]; do i=$((i + 1)); done; echo "i=$i"
case foo.txt in *.txt) echo text ;; *) echo other ;; esac
f() { echo "args: $# first: $1"; return 7; }
f x y z; echo "f returned $?"
touch g1.c g2.c g3.h
echo *.c
echo g?.h
echo nomatch* 
x=abcdef; echo ${#x} ${x#ab} ${x%ef} ${x:-unset} ${y:-default}
set -- a b c; shift; echo "$@"
echo $((7 * 6)) $((17 % 5)) $((1 << 10))
[ "abc" = "abc" ] && echo equal
[ 3 -gt 2 ] && echo greater
test -z "" && echo empty
until false; do echo once; break; done
