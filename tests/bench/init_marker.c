/* The first user program of a `cargo xtask bench` boot (rdinit=): prints
 * the marker whose arrival on the host's console is "boot to init", then
 * becomes the initramfs's own /init with the same arguments and
 * environment. A C program rather than a script, so the time measured is
 * the kernel's, not a shell's start-up. */
#include <string.h>
#include <unistd.h>

#define MARKER "@@@ bench init\n"

int main(int argc, char **argv)
{
    (void)argc;
    write(1, MARKER, strlen(MARKER));
    argv[0] = "/init";
    execv("/init", argv);
    write(2, "init_marker: cannot execute /init\n", 34);
    return 127;
}
