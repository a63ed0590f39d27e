/* File attributes, success and error paths: umask, fchmod/fchmodat,
 * fchownat, faccessat/faccessat2 (as root), utimensat with explicit
 * times, UTIME_OMIT and UTIME_NOW, truncate/ftruncate, and the flags of
 * newfstatat. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void show(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        printf("%s: %s\n", path, errno_name(errno));
        return;
    }
    printf("%s: mode %06o uid %u gid %u size %ld\n", path, st.st_mode, st.st_uid, st.st_gid,
           S_ISDIR(st.st_mode) ? 0L : (long)st.st_size);
}

static void show_times(const char *path, int flags)
{
    struct stat st;
    if (fstatat(AT_FDCWD, path, &st, flags) < 0) {
        printf("%s: %s\n", path, errno_name(errno));
        return;
    }
    printf("%s: atime %ld.%09ld mtime %ld.%09ld\n", path, (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static long now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec;
}

static void put(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
    write(fd, text, strlen(text));
    close(fd);
}

int main(void)
{
    struct stat st;
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* umask: returns the old mask, applies to creation only. */
    printf("umask at start %03o\n", umask(027));
    printf("umask now %03o\n", umask(027));
    printf("umask keeps 9 bits: %03o\n", umask(0777 | 07000));
    printf("umask read back %03o\n", umask(022));
    umask(077);
    put("private", "p", 0666);
    CHECK(mkdir("pdir", 0777));
    CHECK(mknod("pfifo", S_IFIFO | 0666, 0));
    show("private");
    show("pdir");
    show("pfifo");
    umask(0);
    put("open", "o", 0777);
    show("open");
    umask(022);

    /* fchmod and fchmodat: permission bits and the special bits. */
    put("f", "0123456789", 0644);
    CHECK(chmod("f", 0600));
    show("f");
    CHECK(chmod("f", 04755));
    show("f");
    CHECK(chmod("f", 07777));
    show("f");
    CHECK(chmod("f", 0170644));
    show("f");
    CHECK(chmod("missing", 0644));
    CHECK(chmod("f/x", 0644));
    CHECK(chmod("", 0644));
    CHECK(symlink("f", "link"));
    CHECK(chmod("link", 0640));
    show("f");
    show("link");
    int fd = open("f", O_RDONLY);
    CHECK(fchmod(fd, 0444));
    show("f");
    CHECK(fchmod(99, 0644));
    CHECK(syscall(SYS_fchmodat, AT_FDCWD, "f", 0644));
    CHECK(syscall(SYS_fchmodat, 99, "f", 0644));
    CHECK(syscall(SYS_fchmodat, fd, "x", 0644));
    CHECK(syscall(SYS_fchmodat, 99, "/tmp/t/c_file_attrs/f", 0644));
    show("f");

    /* fchownat: root may give files away; -1 keeps an id. */
    CHECK(chown("f", 1000, 1000));
    show("f");
    CHECK(chown("f", -1, 50));
    show("f");
    CHECK(chmod("f", 06755));
    CHECK(chown("f", 0, 0));
    show("f");
    CHECK(lchown("link", 7, 8));
    show("link");
    show("f");
    CHECK(fchownat(AT_FDCWD, "link", 9, 9, 0));
    show("link");
    show("f");
    CHECK(fchownat(AT_FDCWD, "link", 0, 0, 0x1));
    CHECK(fchownat(AT_FDCWD, "missing", 0, 0, 0));
    CHECK(fchownat(fd, "", 3, 3, AT_EMPTY_PATH));
    show("f");
    CHECK(chown("f", 0, 0));
    CHECK(chmod("f", 0644));

    /* faccessat as root: read and write always, execute only if some x
     * bit is set (or for directories). */
    put("noperm", "", 0);
    CHECK(chmod("noperm", 0));
    put("exec", "", 0);
    CHECK(chmod("exec", 0001));
    CHECK(access("noperm", F_OK));
    CHECK(access("noperm", R_OK | W_OK));
    CHECK(access("noperm", X_OK));
    CHECK(access("exec", X_OK));
    CHECK(access("pdir", X_OK));
    CHECK(access("missing", F_OK));
    CHECK(access("f/x", F_OK));
    CHECK(access("noperm", 8));
    CHECK(access("noperm", -1));
    CHECK(faccessat(AT_FDCWD, "noperm", R_OK, 0x1));
    CHECK(faccessat(99, "noperm", R_OK, 0));
    CHECK(faccessat(fd, "x", R_OK, 0));
    CHECK(symlink("missing", "dangling"));
    CHECK(access("dangling", F_OK));
    CHECK(syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
    CHECK(syscall(SYS_faccessat2, AT_FDCWD, "noperm", X_OK, AT_EACCESS));
    CHECK(syscall(SYS_faccessat2, AT_FDCWD, "noperm", F_OK, 0x1));
    CHECK(syscall(SYS_faccessat2, fd, "", R_OK, AT_EMPTY_PATH));
    CHECK(syscall(SYS_faccessat2, fd, "", R_OK, 0));

    /* utimensat: explicit times, UTIME_OMIT, UTIME_NOW, links, errors. */
    struct timespec times[2] = {{1000000000, 500}, {1234567890, 123456789}};
    CHECK(utimensat(AT_FDCWD, "f", times, 0));
    show_times("f", 0);
    times[0].tv_nsec = UTIME_OMIT;
    times[1].tv_sec = 42;
    times[1].tv_nsec = 0;
    CHECK(utimensat(AT_FDCWD, "f", times, 0));
    show_times("f", 0);
    long before = now_seconds();
    times[0].tv_nsec = UTIME_NOW;
    times[1].tv_nsec = UTIME_OMIT;
    CHECK(utimensat(AT_FDCWD, "f", times, 0));
    CHECK(stat("f", &st));
    printf("UTIME_NOW atime is now: %d, mtime kept: %d\n",
           st.st_atim.tv_sec >= before && st.st_atim.tv_sec <= now_seconds(), st.st_mtim.tv_sec == 42);
    CHECK(utimensat(AT_FDCWD, "f", NULL, 0));
    CHECK(stat("f", &st));
    printf("NULL times are now: %d\n", st.st_mtim.tv_sec >= before && st.st_atim.tv_sec >= before);
    struct timespec negative[2] = {{-1, 0}, {-86400, 999999999}};
    CHECK(utimensat(AT_FDCWD, "f", negative, 0));
    show_times("f", 0);
    struct timespec link_times[2] = {{7, 7}, {8, 8}};
    CHECK(utimensat(AT_FDCWD, "link", link_times, AT_SYMLINK_NOFOLLOW));
    show_times("link", AT_SYMLINK_NOFOLLOW);
    show_times("f", 0);
    CHECK(syscall(SYS_utimensat, fd, NULL, link_times, 0));
    show_times("f", 0);
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    CHECK(utimensat(AT_FDCWD, "f", bad, 0));
    bad[0].tv_nsec = -1;
    CHECK(utimensat(AT_FDCWD, "f", bad, 0));
    CHECK(utimensat(AT_FDCWD, "f", link_times, 0x1));
    CHECK(utimensat(AT_FDCWD, "missing", link_times, 0));
    CHECK(utimensat(AT_FDCWD, "dangling", link_times, 0));
    CHECK(syscall(SYS_utimensat, 99, NULL, link_times, 0));
    CHECK(syscall(SYS_utimensat, AT_FDCWD, "f", (void *)0x10, 0));
    CHECK(utimensat(AT_FDCWD, "", link_times, 0));
    CHECK(utimensat(fd, "", link_times, AT_EMPTY_PATH));

    /* truncate and ftruncate. */
    show("f");
    CHECK(truncate("f", 4));
    show("f");
    CHECK(truncate("f", 10000));
    show("f");
    char buf[16];
    int rw = open("f", O_RDWR);
    CHECK(pread(rw, buf, 4, 5000));
    printf("extended bytes are zero: %d\n", buf[0] == 0 && buf[3] == 0);
    CHECK(pread(rw, buf, 4, 0));
    printf("kept: %.4s\n", buf);
    CHECK(truncate("f", -1));
    CHECK(truncate("pdir", 0));
    CHECK(truncate("missing", 0));
    CHECK(truncate("f/x", 0));
    CHECK(truncate("", 0));
    CHECK(truncate("pfifo", 0));
    CHECK(ftruncate(rw, 3));
    show("f");
    CHECK(ftruncate(fd, 0));
    CHECK(ftruncate(rw, -5));
    CHECK(ftruncate(99, 0));
    int p[2];
    CHECK(pipe(p));
    CHECK(ftruncate(p[1], 0));
    int dir = open("pdir", O_RDONLY | O_DIRECTORY);
    CHECK(ftruncate(dir, 0));
    int ap = open("f", O_WRONLY | O_APPEND);
    CHECK(ftruncate(ap, 1));
    CHECK(write(ap, "Z", 1));
    show("f");

    /* newfstatat flags. */
    CHECK(fstatat(AT_FDCWD, "link", &st, 0));
    printf("followed is regular: %d\n", S_ISREG(st.st_mode));
    CHECK(fstatat(AT_FDCWD, "link", &st, AT_SYMLINK_NOFOLLOW));
    printf("not followed is a link: %d size %ld\n", S_ISLNK(st.st_mode), (long)st.st_size);
    CHECK(fstatat(fd, "", &st, AT_EMPTY_PATH));
    printf("AT_EMPTY_PATH size %ld\n", (long)st.st_size);
    CHECK(fstatat(fd, "", &st, 0));
    CHECK(fstatat(AT_FDCWD, "", &st, AT_EMPTY_PATH));
    printf("AT_EMPTY_PATH on AT_FDCWD is a directory: %d\n", S_ISDIR(st.st_mode));
    CHECK(fstatat(AT_FDCWD, "f", &st, 0x1));
    CHECK(fstatat(AT_FDCWD, "f", &st, AT_NO_AUTOMOUNT));
    CHECK(fstatat(99, "f", &st, 0));
    CHECK(fstat(99, &st));
    CHECK(fstat(p[0], &st));
    printf("pipe is a FIFO: %d\n", S_ISFIFO(st.st_mode));
    CHECK(fstat(dir, &st));
    printf("directory nlink %ld\n", (long)st.st_nlink);
    CHECK(fstat(rw, &st));
    printf("f: nlink %ld size %ld blksize %ld\n", (long)st.st_nlink, (long)st.st_size, (long)st.st_blksize);
    return 0;
}
