# Files and directories through busybox: create, list, copy, move, link,
# remove, permissions, sizes.
set -u
mkdir -p a/b/c
echo hello > a/f1
printf 'line1\nline2\n' > a/b/f2
ls a
ls -R a | sort
cat a/f1 a/b/f2
cp a/f1 a/f3 && cat a/f3
mv a/f3 a/b/c/moved && ls a/b/c
ln a/f1 a/hard && ls -l a/hard | awk '{print $1, $2, $5}'
ln -s f1 a/soft && readlink a/soft && cat a/soft
chmod 640 a/f1 && ls -l a/f1 | awk '{print $1}'
wc -c a/f1 a/b/f2 | sort
rm a/hard a/soft
rmdir a/b/c 2>&1 || echo "rmdir failed: $?"
rm a/b/c/moved && rmdir a/b/c && echo removed
test -d a/b && echo "a/b is a dir"
test -f a/f1 && echo "a/f1 is a file"
test -e a/nothing || echo "a/nothing does not exist"
: > empty && wc -c < empty
stat -c '%s %F' a/f1 a/b empty
truncate -s 10000 sparse 2>/dev/null && stat -c '%s' sparse
find a | sort
