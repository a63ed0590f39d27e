# Debian's dynamically linked programs (glibc's ld.so, shared libraries):
# lua, bash and sqlite3 doing ordinary work.
lua5.4 -e 'local t = {} for i = 1, 10 do t[i] = i * i end print(#t, t[10]) print(string.format("%5.2f", math.pi))'
lua5.4 -e 'local co = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end) print(co(), co(), co())'
lua5.4 -e 'print(os.execute("exit 3"))'
bash -c 'a=(x y z); echo ${#a[@]} ${a[2]}; declare -A m; m[k]=v; echo ${m[k]}; echo $(( 6 * 7 ))'
bash -c 'for f in one two; do echo "[$f]"; done; shopt -s extglob; x=aaab; echo ${x//a/b}'
bash -c 'read -r line < <(echo from process substitution); echo "$line"'
bash -c 'f() { return 7; }; f; echo "function status $?"; trap "echo trapped" EXIT'
printf 'create table t(x, y);\ninsert into t values (1, "a"), (2, "b"), (3, "c");\nselect count(*), sum(x) from t;\nselect y from t where x > 1 order by x desc;\n' | sqlite3
cd /tmp && sqlite3 test.db 'create table u(v); insert into u values (42), (58);' && sqlite3 test.db 'select sum(v) from u;'
sqlite3 /tmp/test.db 'select * from missing;' ; echo "sqlite3 status $?"
