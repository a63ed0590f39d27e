/* File descriptor operations, success and error paths: dup, dup3, fcntl
 * (descriptor and status flags, F_DUPFD*), close, reads and writes on
 * descriptors of the wrong mode, lseek, pread/pwrite, readv/writev. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define BAD ((void *)0x10)
#define KERNEL ((void *)0xffffffc000001000UL)

static void show_file(const char *what, const char *path)
{
    char data[64];
    int fd = open(path, O_RDONLY);
    long n = read(fd, data, sizeof data);
    close(fd);
    printf("%s: %ld bytes \"", what, n);
    for (long i = 0; i < n; i++)
        putchar(data[i] ? data[i] : '.');
    printf("\"\n");
}

int main(void)
{
    char buf[64];
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* The lowest free descriptor, every time. */
    CHECK(open("f", O_CREAT | O_RDWR | O_TRUNC, 0644));
    CHECK(dup(3));
    CHECK(close(3));
    CHECK(dup(4));
    CHECK(close(3));
    CHECK(close(3));
    CHECK(dup(3));
    CHECK(dup(-1));

    /* dup2 and dup3. */
    CHECK(dup2(4, 4));
    CHECK(dup3(4, 4, 0));
    CHECK(dup3(4, 10, O_CLOEXEC));
    CHECK(fcntl(10, F_GETFD));
    CHECK(dup3(4, 11, O_NONBLOCK));
    CHECK(dup3(4, 11, 0));
    CHECK(fcntl(11, F_GETFD));
    CHECK(dup3(4, -1, 0));
    CHECK(dup3(99, 12, 0));
    CHECK(dup2(4, 1023));
    CHECK(dup2(4, 1024));
    CHECK(dup2(4, INT_MAX));
    CHECK(close(1023));

    /* An open description is shared by its duplicates: one offset. */
    CHECK(write(4, "hello", 5));
    CHECK(lseek(11, 0, SEEK_CUR));
    CHECK(lseek(10, 1, SEEK_SET));
    CHECK(read(4, buf, 2));
    CHECK(lseek(11, 0, SEEK_CUR));

    /* Descriptor flags are per descriptor; status flags are shared. */
    CHECK(fcntl(4, F_GETFD));
    CHECK(fcntl(4, F_SETFD, FD_CLOEXEC));
    CHECK(fcntl(4, F_GETFD));
    CHECK(fcntl(11, F_GETFD));
    CHECK(fcntl(4, F_SETFD, 0));
    printf("F_GETFL O_RDWR file: %#x\n", fcntl(4, F_GETFL));
    CHECK(fcntl(4, F_SETFL, O_APPEND | O_NONBLOCK));
    printf("F_GETFL after O_APPEND|O_NONBLOCK: %#x\n", fcntl(4, F_GETFL));
    printf("F_GETFL of the duplicate: %#x\n", fcntl(11, F_GETFL));
    CHECK(fcntl(4, F_SETFL, O_WRONLY));
    printf("F_SETFL cannot change the access mode: %#x\n", fcntl(4, F_GETFL));
    CHECK(fcntl(4, F_SETFL, 0));
    printf("F_GETFL of stdin (/dev/null, O_RDONLY): %#x\n", fcntl(0, F_GETFL));

    /* F_DUPFD and F_DUPFD_CLOEXEC: the lowest free at or above the arg. */
    CHECK(fcntl(4, F_DUPFD, 20));
    CHECK(fcntl(4, F_DUPFD, 20));
    CHECK(fcntl(4, F_DUPFD_CLOEXEC, 20));
    CHECK(fcntl(22, F_GETFD));
    CHECK(fcntl(21, F_GETFD));
    CHECK(fcntl(4, F_DUPFD, 0));
    CHECK(fcntl(4, F_DUPFD, -1));
    CHECK(fcntl(4, F_DUPFD, 1024));
    CHECK(fcntl(4, F_DUPFD_CLOEXEC, 5000));
    CHECK(fcntl(99, F_GETFD));
    CHECK(fcntl(99, F_DUPFD, 0));
    CHECK(fcntl(-1, F_GETFL));
    CHECK(fcntl(4, 9999));
    close(3);
    for (int fd = 5; fd < 30; fd++)
        close(fd);

    /* Reads and writes on descriptors of the wrong mode. */
    int rd = open("f", O_RDONLY);
    int wr = open("f", O_WRONLY);
    printf("descriptors %d %d\n", rd, wr);
    CHECK(write(rd, "x", 1));
    CHECK(read(wr, buf, 1));
    CHECK(pwrite(rd, "x", 1, 0));
    CHECK(pread(wr, buf, 1, 0));
    struct iovec one = {buf, 1};
    CHECK(readv(wr, &one, 1));
    CHECK(writev(rd, &one, 1));
    CHECK(read(rd, NULL, 0));
    CHECK(write(wr, NULL, 0));
    CHECK(write(wr, BAD, 0));
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    CHECK(read(dir, buf, sizeof buf));
    CHECK(write(dir, "x", 1));
    CHECK(open(".", O_RDONLY | O_DIRECTORY | O_WRONLY));
    close(dir);

    /* lseek: whence values, negative results, past the end, pipes. */
    CHECK(lseek(rd, 0, SEEK_END));
    CHECK(lseek(rd, 2, SEEK_SET));
    CHECK(lseek(rd, 1, SEEK_CUR));
    CHECK(lseek(rd, -10, SEEK_CUR));
    CHECK(lseek(rd, -1, SEEK_SET));
    CHECK(lseek(rd, -6, SEEK_END));
    CHECK(lseek(rd, -5, SEEK_END));
    CHECK(lseek(rd, 0, 5));
    CHECK(lseek(rd, 0, -1));
    CHECK(lseek(rd, 100, SEEK_END));
    CHECK(read(rd, buf, sizeof buf));
    CHECK(lseek(rd, 0, SEEK_DATA));
    CHECK(lseek(rd, 0, SEEK_HOLE));
    CHECK(lseek(rd, 5, SEEK_DATA));
    CHECK(lseek(rd, 100, SEEK_HOLE));
    CHECK(lseek(wr, 10, SEEK_SET));
    CHECK(write(wr, "end", 3));
    show_file("after a write past the end", "f");
    int p[2];
    CHECK(pipe(p));
    CHECK(lseek(p[0], 0, SEEK_CUR));
    CHECK(lseek(p[1], 0, SEEK_SET));
    CHECK(lseek(0, 0, SEEK_SET));
    CHECK(lseek(99, 0, SEEK_SET));

    /* pread/pwrite: at an offset, the file offset unchanged. */
    CHECK(lseek(rd, 1, SEEK_SET));
    CHECK(pwrite(wr, "AB", 2, 3));
    CHECK(pread(rd, buf, 4, 2));
    printf("pread data: %.4s\n", buf);
    CHECK(lseek(rd, 0, SEEK_CUR));
    CHECK(pread(rd, buf, 4, 100));
    CHECK(pread(rd, buf, 4, -1));
    CHECK(pwrite(wr, "x", 1, -1));
    CHECK(pread(p[0], buf, 1, 0));
    CHECK(pwrite(p[1], "x", 1, 0));
    CHECK(syscall(SYS_pread64, rd, BAD, 4, 0));
    CHECK(syscall(SYS_pwrite64, wr, BAD, 4, 0));
    /* O_APPEND: Linux's pwrite appends whatever the offset (pwrite(2)). */
    int ap = open("f", O_WRONLY | O_APPEND);
    CHECK(write(ap, "+", 1));
    CHECK(lseek(ap, 0, SEEK_CUR));
    CHECK(pwrite(ap, "*", 1, 0));
    CHECK(lseek(ap, 0, SEEK_CUR));
    CHECK(lseek(ap, 0, SEEK_SET));
    CHECK(write(ap, "!", 1));
    show_file("after O_APPEND writes", "f");
    close(ap);

    /* readv and writev. */
    CHECK(ftruncate(wr, 0));
    CHECK(lseek(wr, 0, SEEK_SET));
    struct iovec out[3] = {{"abc", 3}, {"", 0}, {"defgh", 5}};
    CHECK(writev(wr, out, 3));
    char a[2], b[4], c[8];
    struct iovec in[3] = {{a, 2}, {b, 4}, {c, 8}};
    CHECK(lseek(rd, 0, SEEK_SET));
    CHECK(readv(rd, in, 3));
    printf("readv: %.2s|%.4s|%.2s\n", a, b, c);
    CHECK(writev(wr, out, 0));
    CHECK(readv(rd, in, 0));
    CHECK(syscall(SYS_writev, wr, out, -1));
    CHECK(syscall(SYS_writev, wr, out, IOV_MAX + 1));
    CHECK(syscall(SYS_readv, rd, in, IOV_MAX + 1));
    CHECK(syscall(SYS_writev, wr, BAD, 1));
    CHECK(syscall(SYS_readv, rd, KERNEL, 1));
    struct iovec bad_base = {BAD, 4};
    CHECK(writev(wr, &bad_base, 1));
    CHECK(lseek(rd, 0, SEEK_SET));
    CHECK(readv(rd, &bad_base, 1));
    struct iovec kernel_base = {KERNEL, 4};
    CHECK(writev(wr, &kernel_base, 1));
    struct iovec negative = {buf, (size_t)-1};
    CHECK(readv(rd, &negative, 1));
    CHECK(readv(99, in, 1));
    CHECK(writev(-1, out, 1));
    show_file("after writev", "f");

    /* Closing: the other duplicates keep the file open. */
    CHECK(close(rd));
    CHECK(close(rd));
    CHECK(close(-1));
    CHECK(close(INT_MAX));
    CHECK(read(rd, buf, 1));
    CHECK(write(wr, "!", 1));
    CHECK(close(wr));
    CHECK(write(wr, "!", 1));
    CHECK(write(4, "?", 1));
    show_file("at the end", "f");
    return 0;
}
