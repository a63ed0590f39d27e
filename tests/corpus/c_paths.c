/* Path lookup, success and error paths: the length limits (PATH_MAX,
 * NAME_MAX), symbolic links (40 at most, O_NOFOLLOW, readlink truncation),
 * ENOTDIR/EISDIR/EEXIST, dirfd-relative lookups, getcwd and chdir. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char path[PATH_MAX + 64];

/* "./" repeated, then `tail`, `length` characters in all. */
static const char *dotted(size_t length, const char *tail)
{
    size_t tail_length = strlen(tail);
    size_t i = 0;
    while (i + tail_length < length) {
        path[i] = (i % 2) ? '/' : '.';
        i++;
    }
    /* An odd number of characters before the tail would end in '.'. */
    if (i > 0 && path[i - 1] == '.')
        path[i - 1] = '/';
    strcpy(path + i, tail);
    return path;
}

static const char *repeated(char c, size_t length)
{
    memset(path, c, length);
    path[length] = 0;
    return path;
}

static void show_link(const char *link, size_t size)
{
    char buf[64];
    memset(buf, '#', sizeof buf);
    errno = 0;
    long n = readlink(link, buf, size);
    if (n < 0) {
        printf("readlink(%s, %zu) = -1 %s\n", link, size, errno_name(errno));
        return;
    }
    printf("readlink(%s, %zu) = %ld \"%.*s\" next byte %s\n", link, size, n, (int)n, buf,
           buf[n] == '#' ? "untouched" : "written");
}

int main(void)
{
    struct stat st;
    setvbuf(stdout, NULL, _IOLBF, 0);
    CHECK(mkdir("d", 0755));
    CHECK(close(open("f", O_CREAT | O_WRONLY, 0644)));

    /* PATH_MAX counts the terminating NUL; NAME_MAX is per component. */
    CHECK(strlen(dotted(PATH_MAX - 1, "f")));
    CHECK(stat(path, &st));
    CHECK(strlen(dotted(PATH_MAX, "f")));
    CHECK(stat(path, &st));
    CHECK(strlen(dotted(PATH_MAX + 10, "f")));
    CHECK(access(path, F_OK));
    CHECK(mkdir(path, 0755));
    CHECK(open(repeated('a', NAME_MAX), O_CREAT | O_WRONLY, 0644) >= 0);
    CHECK(unlink(repeated('a', NAME_MAX)));
    CHECK(open(repeated('a', NAME_MAX + 1), O_CREAT | O_WRONLY, 0644));
    CHECK(stat(repeated('a', NAME_MAX + 1), &st));
    CHECK(mkdir(repeated('b', NAME_MAX + 1), 0755));
    CHECK(symlink("f", repeated('c', NAME_MAX + 1)));
    CHECK(symlink(repeated('c', PATH_MAX - 1), "long-target"));
    CHECK(lstat("long-target", &st));
    printf("long target size %ld\n", (long)st.st_size);
    CHECK(unlink("long-target"));
    CHECK(symlink(repeated('c', PATH_MAX), "too-long-target"));

    /* Symbolic links: Linux follows at most 40 in one lookup. */
    char name[16], target[16];
    CHECK(symlink("f", "l0"));
    for (int i = 1; i <= 40; i++) {
        snprintf(name, sizeof name, "l%d", i);
        snprintf(target, sizeof target, "l%d", i - 1);
        symlink(target, name);
    }
    CHECK(open("l39", O_RDONLY) >= 0);
    CHECK(open("l40", O_RDONLY));
    CHECK(stat("l40", &st));
    CHECK(lstat("l40", &st));
    CHECK(symlink("self", "self"));
    CHECK(open("self", O_RDONLY));
    CHECK(open("self", O_CREAT | O_WRONLY, 0644));
    CHECK(symlink("loop-b", "loop-a"));
    CHECK(symlink("loop-a", "loop-b"));
    CHECK(stat("loop-a", &st));
    CHECK(stat("loop-a/x", &st));
    CHECK(open("l0", O_RDONLY | O_NOFOLLOW));
    CHECK(open("l0", O_WRONLY | O_CREAT | O_NOFOLLOW, 0644));
    CHECK(open("self", O_RDONLY | O_NOFOLLOW));
    CHECK(symlink("d", "dlink"));
    CHECK(open("dlink/", O_RDONLY | O_NOFOLLOW) >= 0);
    CHECK(open("dlink", O_RDONLY | O_NOFOLLOW | O_DIRECTORY));
    CHECK(mkdir("dlink/through", 0755));
    CHECK(stat("d/through", &st));
    CHECK(symlink("missing", "dangling"));
    CHECK(stat("dangling", &st));
    CHECK(lstat("dangling", &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK(open("dangling", O_CREAT | O_EXCL | O_WRONLY, 0644));
    CHECK(open("dangling", O_CREAT | O_WRONLY, 0644) >= 0);
    CHECK(stat("missing", &st));
    CHECK(symlink("", "empty"));
    CHECK(symlink("/tmp/t/c_paths/d", "absolute"));
    CHECK(stat("absolute/through", &st));

    /* readlink: no NUL, truncation to the buffer, errors. */
    show_link("l1", 64);
    show_link("l1", 2);
    show_link("l1", 1);
    show_link("l1", 0);
    show_link("absolute", 5);
    show_link("f", 64);
    show_link("d", 64);
    show_link("nowhere", 64);
    show_link("f/x", 64);
    show_link("dlink/", 64);
    CHECK(syscall(SYS_readlinkat, AT_FDCWD, "l1", (char *)1, 8));
    int here = open(".", O_RDONLY | O_DIRECTORY);
    int dir = open("d", O_RDONLY | O_DIRECTORY);
    int file = open("f", O_RDONLY);
    char buf[64];
    CHECK(readlinkat(here, "l1", buf, sizeof buf));
    CHECK(symlinkat("../f", dir, "up"));
    CHECK(readlinkat(dir, "up", buf, sizeof buf));
    CHECK(fstatat(dir, "up", &st, 0));
    CHECK(readlinkat(file, "up", buf, sizeof buf));
    CHECK(readlinkat(99, "up", buf, sizeof buf));
    CHECK(readlinkat(99, "/tmp/t/c_paths/l1", buf, sizeof buf));
    CHECK(symlinkat("x", 99, "y"));
    CHECK(symlinkat("x", file, "y"));

    /* ENOTDIR: a file used as a directory. */
    CHECK(open("f/", O_RDONLY));
    CHECK(open("f/x", O_RDONLY));
    CHECK(open("f/x", O_CREAT | O_WRONLY, 0644));
    CHECK(open("f", O_RDONLY | O_DIRECTORY));
    CHECK(mkdir("f/d", 0755));
    CHECK(stat("f/.", &st));
    CHECK(stat("f/..", &st));
    CHECK(stat("l0/", &st));
    CHECK(fstatat(file, "x", &st, 0));
    CHECK(openat(file, "x", O_RDONLY));
    CHECK(mkdirat(file, "x", 0755));
    CHECK(openat(file, "", O_RDONLY));

    /* EISDIR: a directory opened for writing or created over. */
    CHECK(open("d", O_WRONLY));
    CHECK(open("d", O_RDWR));
    CHECK(open("d", O_CREAT | O_WRONLY, 0644));
    CHECK(open("d", O_CREAT | O_RDONLY, 0644));
    CHECK(open("d/", O_CREAT | O_WRONLY, 0644));
    CHECK(open("newdir/", O_CREAT | O_WRONLY, 0644));
    CHECK(open("d", O_RDONLY | O_TRUNC));
    CHECK(open("d", O_RDONLY) >= 0);
    CHECK(open("d/", O_RDONLY | O_DIRECTORY) >= 0);

    /* EEXIST. */
    CHECK(open("f", O_CREAT | O_EXCL | O_WRONLY, 0644));
    CHECK(open("d", O_CREAT | O_EXCL | O_RDONLY, 0644));
    CHECK(open("l0", O_CREAT | O_EXCL | O_WRONLY, 0644));
    CHECK(mkdir("f", 0755));
    CHECK(mkdir("d/", 0755));
    CHECK(mkdir("dangling", 0755));
    CHECK(symlink("x", "d"));
    CHECK(symlink("x", "f"));
    CHECK(link("f", "d"));
    CHECK(mkdir(".", 0755));
    CHECK(mkdir("..", 0755));
    CHECK(mkdir("/", 0755));

    /* ENOENT and empty names. */
    CHECK(open("", O_RDONLY));
    CHECK(mkdir("", 0755));
    CHECK(open("absent/x", O_CREAT | O_WRONLY, 0644));
    CHECK(mkdir("absent/x", 0755));
    CHECK(mkdir("d/a/b", 0755));
    CHECK(open("d/../f", O_RDONLY) >= 0);
    CHECK(open("absent/../f", O_RDONLY));
    CHECK(open("//tmp///t/./c_paths//f", O_RDONLY) >= 0);
    CHECK(stat("/..", &st));
    CHECK(stat("/../../tmp/t/c_paths/f", &st));

    /* getcwd: the length includes the NUL; too small a buffer is ERANGE. */
    char cwd[PATH_MAX];
    CHECK(syscall(SYS_getcwd, cwd, sizeof cwd));
    printf("cwd %s\n", cwd);
    CHECK(syscall(SYS_getcwd, cwd, 15));
    CHECK(syscall(SYS_getcwd, cwd, 14));
    CHECK(syscall(SYS_getcwd, cwd, 1));
    CHECK(syscall(SYS_getcwd, cwd, 0));
    CHECK(syscall(SYS_getcwd, NULL, 100));

    /* chdir and fchdir. */
    CHECK(chdir("f"));
    CHECK(chdir("absent"));
    CHECK(chdir("missing"));
    CHECK(chdir(""));
    CHECK(chdir("l40"));
    CHECK(chdir("dlink"));
    printf("cwd after chdir through a link: %s\n", getcwd(cwd, sizeof cwd));
    CHECK(chdir(".."));
    CHECK(fchdir(file));
    CHECK(fchdir(99));
    CHECK(fchdir(dir));
    printf("cwd after fchdir: %s\n", getcwd(cwd, sizeof cwd));
    CHECK(chdir("/"));
    printf("cwd %s\n", getcwd(cwd, sizeof cwd));
    CHECK(chdir(".."));
    printf("cwd after / then ..: %s\n", getcwd(cwd, sizeof cwd));
    CHECK(chdir("/tmp/t/c_paths/d"));
    CHECK(rmdir("through"));
    CHECK(unlink("up"));
    CHECK(chdir(".."));
    CHECK(rmdir("d"));
    CHECK(stat("d", &st));
    CHECK(fchdir(dir));
    printf("getcwd in a removed directory: %s\n", getcwd(cwd, sizeof cwd) ? "ok" : errno_name(errno));
    CHECK(open("new", O_CREAT | O_WRONLY, 0644));
    CHECK(mkdir("sub", 0755));
    CHECK(stat(".", &st));
    printf("removed directory nlink %ld\n", (long)st.st_nlink);
    CHECK(stat("..", &st));
    return 0;
}
