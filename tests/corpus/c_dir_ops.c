/* Directory operations, success and error paths: mkdirat, unlinkat,
 * rmdir, renameat2 (with RENAME_NOREPLACE and RENAME_EXCHANGE), linkat,
 * mknodat, and getdents64 (entries sorted here, as Linux gives no order). */
#define _GNU_SOURCE
#include "check.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4
#endif

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static int compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *type_name(unsigned char type)
{
    switch (type) {
    case DT_REG: return "reg";
    case DT_DIR: return "dir";
    case DT_LNK: return "lnk";
    case DT_FIFO: return "fifo";
    case DT_CHR: return "chr";
    case DT_BLK: return "blk";
    case DT_SOCK: return "sock";
    case DT_UNKNOWN: return "unknown";
    default: return "?";
    }
}

/* Lists a directory with getdents64 in `chunk`-byte reads, sorted. */
static void list(const char *dir, size_t chunk)
{
    char buf[4096], *names[64];
    int count = 0, calls = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, chunk);
        if (n < 0) {
            printf("getdents64(%s, %zu) = -1 %s\n", dir, chunk, errno_name(errno));
            break;
        }
        if (n == 0)
            break;
        calls++;
        for (long at = 0; at < n;) {
            struct linux_dirent64 *entry = (struct linux_dirent64 *)(buf + at);
            if (count < 64) {
                names[count] = malloc(300);
                snprintf(names[count], 300, "%s(%s)", entry->d_name, type_name(entry->d_type));
                count++;
            }
            at += entry->d_reclen;
        }
    }
    close(fd);
    qsort(names, count, sizeof names[0], compare);
    printf("%s:", dir);
    for (int i = 0; i < count; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf(" (%s)\n", calls > 1 ? "several calls" : "one call");
}

static void show_mode(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        printf("%s: %s\n", path, errno_name(errno));
        return;
    }
    printf("%s: mode %06o nlink %ld size %ld", path, st.st_mode, (long)st.st_nlink,
           S_ISDIR(st.st_mode) ? 0L : (long)st.st_size);
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
        printf(" rdev %u:%u", major(st.st_rdev), minor(st.st_rdev));
    printf("\n");
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return lstat(a, &sa) == 0 && lstat(b, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

static void put(const char *path, const char *text)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, text, strlen(text));
    close(fd);
}

static void show_content(const char *path)
{
    char buf[64];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("%s: %s\n", path, errno_name(errno));
        return;
    }
    long n = read(fd, buf, sizeof buf);
    close(fd);
    if (n < 0)
        printf("%s: read %s\n", path, errno_name(errno));
    else
        printf("%s: \"%.*s\"\n", path, (int)n, buf);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    umask(022);
    int here = open(".", O_RDONLY | O_DIRECTORY);
    int file;

    /* mkdirat and the link counts of directories. */
    CHECK(mkdirat(here, "a", 0755));
    CHECK(mkdirat(AT_FDCWD, "a/b", 0700));
    int a = open("a", O_RDONLY | O_DIRECTORY);
    CHECK(mkdirat(a, "c", 01777));
    CHECK(mkdirat(a, "c", 0755));
    CHECK(mkdirat(99, "x", 0755));
    CHECK(mkdirat(99, "/tmp/t/c_dir_ops/abs", 0755));
    show_mode("a");
    show_mode("a/b");
    show_mode("a/c");
    show_mode("abs");
    put("a/file", "data");
    file = open("a/file", O_RDONLY);
    CHECK(mkdirat(file, "x", 0755));
    CHECK(mkdirat(here, "trailing/", 0755));
    CHECK(mkdirat(here, "trailing//", 0755));
    show_mode("trailing");

    /* unlinkat and rmdir. */
    CHECK(unlinkat(a, "b", 0));
    CHECK(unlinkat(a, "file", AT_REMOVEDIR));
    CHECK(unlinkat(a, "file", 0x1));
    CHECK(unlinkat(a, "missing", 0));
    CHECK(unlinkat(99, "x", 0));
    CHECK(unlinkat(file, "x", 0));
    CHECK(unlinkat(here, "a", AT_REMOVEDIR));
    CHECK(unlinkat(a, ".", AT_REMOVEDIR));
    CHECK(unlinkat(a, "..", AT_REMOVEDIR));
    CHECK(rmdir("a/b/."));
    CHECK(rmdir("a/b/.."));
    CHECK(rmdir("a/file/"));
    CHECK(unlink("a/file/"));
    CHECK(unlink("a/c/"));
    CHECK(rmdir("abs/"));
    CHECK(unlinkat(a, "b", AT_REMOVEDIR));
    show_mode("a");
    CHECK(rmdir("/"));
    CHECK(unlink("/tmp/t/c_dir_ops/abs"));

    /* mknodat: FIFOs, regular files and device nodes (root may). */
    CHECK(mknodat(here, "fifo", S_IFIFO | 0640, 0));
    CHECK(mknodat(here, "plain", S_IFREG | 0600, 0));
    CHECK(mknodat(here, "zero-type", 0644, 0));
    CHECK(mknodat(here, "null", S_IFCHR | 0666, makedev(1, 3)));
    CHECK(mknodat(here, "blk", S_IFBLK | 0600, makedev(7, 0)));
    CHECK(mknodat(here, "dir", S_IFDIR | 0755, 0));
    CHECK(mknodat(here, "bad", 0170000 | 0644, 0));
    CHECK(mknodat(here, "fifo", S_IFIFO | 0644, 0));
    CHECK(mknodat(here, "missing/x", S_IFIFO | 0644, 0));
    show_mode("fifo");
    show_mode("plain");
    show_mode("zero-type");
    show_mode("null");
    show_mode("blk");
    int null = open("null", O_WRONLY);
    CHECK(write(null, "gone", 4));
    close(null);

    /* renameat2: replacing, RENAME_NOREPLACE, directories. */
    put("one", "1");
    put("two", "2");
    CHECK(renameat2(here, "one", here, "two", 0));
    show_content("one");
    show_content("two");
    put("one", "1");
    CHECK(renameat2(here, "one", here, "two", RENAME_NOREPLACE));
    CHECK(renameat2(here, "one", a, "moved", RENAME_NOREPLACE));
    show_content("a/moved");
    CHECK(renameat2(a, "moved", here, "one", 0));
    CHECK(renameat2(here, "one", here, "one", 0));
    CHECK(renameat2(here, "one", here, "one", RENAME_NOREPLACE));
    CHECK(renameat2(here, "missing", here, "x", 0));
    CHECK(renameat2(here, "one", here, "missing/x", 0));
    CHECK(renameat2(here, "one", here, "two", 8));
    CHECK(renameat2(here, "one", here, "two", RENAME_NOREPLACE | RENAME_EXCHANGE));
    CHECK(renameat2(99, "one", here, "two", 0));
    CHECK(renameat2(here, "one", file, "two", 0));
    CHECK(mkdir("e1", 0755));
    CHECK(mkdir("e2", 0755));
    CHECK(mkdir("full", 0755));
    put("full/x", "x");
    CHECK(rename("e1", "e2"));
    CHECK(stat("e1", &(struct stat){0}));
    CHECK(rename("e2", "full"));
    CHECK(rename("e2", "one"));
    CHECK(rename("one", "e2"));
    CHECK(rename("e2", "e2/inside"));
    CHECK(rename("e2", "e2/"));
    CHECK(rename("one", "one/"));
    CHECK(rename("one/", "three"));
    CHECK(rename("e2/", "e3/"));
    CHECK(rename("full", "e3/full"));
    CHECK(rename(".", "x"));
    CHECK(rename("x", "."));
    CHECK(rename("e3", ".."));
    show_content("e3/full/x");
    /* RENAME_EXCHANGE swaps two names (tmpfs supports it on Linux). */
    put("two", "2");
    CHECK(renameat2(here, "one", here, "two", RENAME_EXCHANGE));
    show_content("one");
    show_content("two");
    CHECK(renameat2(here, "one", here, "nothing", RENAME_EXCHANGE));
    CHECK(renameat2(here, "one", here, "e3", RENAME_EXCHANGE));
    CHECK(stat("e3", &(struct stat){0}));
    show_mode("one");
    show_content("e3");
    /* Renaming over a symbolic link replaces the link, not its target. */
    CHECK(symlink("e3", "link"));
    CHECK(rename("two", "link"));
    show_mode("link");
    show_mode("e3");

    /* linkat. */
    put("orig", "o");
    CHECK(linkat(here, "orig", a, "hard", 0));
    show_mode("orig");
    printf("same inode: %d\n", same_file("orig", "a/hard"));
    CHECK(linkat(here, "orig", here, "orig", 0));
    CHECK(linkat(here, "a", here, "dirlink", 0));
    CHECK(linkat(here, "missing", here, "x", 0));
    CHECK(linkat(here, "orig", here, "missing/x", 0));
    CHECK(linkat(here, "orig", here, "x", 0x1));
    CHECK(linkat(99, "orig", here, "x", 0));
    CHECK(symlink("orig", "soft"));
    CHECK(linkat(here, "soft", here, "soft-nofollow", 0));
    CHECK(linkat(here, "soft", here, "soft-follow", AT_SYMLINK_FOLLOW));
    show_mode("soft-nofollow");
    show_mode("soft-follow");
    printf("nofollow is the link: %d, follow is the target: %d\n", same_file("soft", "soft-nofollow"),
           same_file("orig", "soft-follow"));
    show_mode("orig");
    CHECK(unlink("orig"));
    show_mode("a/hard");
    show_content("a/hard");
    CHECK(link("a/hard", "orig/"));
    CHECK(link("a/hard/", "x"));

    /* getdents64: every kind of entry, small buffers, errors. */
    list(".", 4096);
    list(".", 64);
    list("a", 4096);
    list("one/full", 4096);
    char tiny[8];
    int dfd = open(".", O_RDONLY | O_DIRECTORY);
    CHECK(syscall(SYS_getdents64, dfd, tiny, sizeof tiny));
    CHECK(syscall(SYS_getdents64, dfd, tiny, 0));
    CHECK(syscall(SYS_getdents64, dfd, (void *)0x10, 4096));
    CHECK(syscall(SYS_getdents64, file, tiny, sizeof tiny));
    CHECK(syscall(SYS_getdents64, 99, tiny, sizeof tiny));
    char buf[4096];
    long first = syscall(SYS_getdents64, dfd, buf, sizeof buf);
    printf("first read has entries: %d\n", first > 0);
    CHECK(syscall(SYS_getdents64, dfd, buf, sizeof buf));
    CHECK(lseek(dfd, 0, SEEK_SET));
    printf("read again after rewinding: %d\n", syscall(SYS_getdents64, dfd, buf, sizeof buf) == first);
    /* A removed directory cannot be listed. */
    CHECK(mkdir("gone", 0755));
    int gone = open("gone", O_RDONLY | O_DIRECTORY);
    CHECK(rmdir("gone"));
    CHECK(syscall(SYS_getdents64, gone, buf, sizeof buf));
    return 0;
}
