# /proc/PID/maps as programs parse it: the program's segments named by
# their path, [heap] and [stack], the dynamic linker and libc for a
# dynamically linked program. Anonymous areas (which depend on what libc
# maps for itself) are left out.
maps_of() {
    # Addresses and inode numbers vary: keep permissions, offsets and names.
    awk '{ name = $6; if ($6 == "") name = "(anonymous)"; print $2, $3, name }'
}
cat /proc/self/maps | maps_of | grep -v 'vdso\|vvar\|sigpage\|anonymous'
echo ---
lua5.4 -e 'io.write(io.open("/proc/self/maps"):read("a"))' | maps_of | grep -e lua -e ld-linux -e 'libc\.' -e heap -e stack | sort -u
echo ---
grep -c ' /usr/bin/busybox$' /proc/self/maps
awk '$6 == "[stack]" { print "stack is rw-p:", $2 == "rw-p" }' /proc/self/maps
