/* Bad user pointers: every syscall gives EFAULT (or Linux's lazy result),
 * and the kernel stays up. */
#include "check.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define BAD ((void *)1)
#define KERNEL ((void *)0xffffffc000001000UL)

int main(void)
{
    int p[2];
    CHECK(syscall(SYS_write, 1, BAD, 10));
    CHECK(syscall(SYS_write, 1, KERNEL, 10));
    CHECK(syscall(SYS_write, 1, NULL, 0));
    CHECK(syscall(SYS_read, 0, NULL, 0));
    CHECK(syscall(SYS_openat, AT_FDCWD, BAD, O_RDONLY));
    CHECK(syscall(SYS_openat, AT_FDCWD, NULL, O_RDONLY));
    CHECK(syscall(SYS_newfstatat, AT_FDCWD, "/", BAD, 0));
    CHECK(syscall(SYS_fstat, 1, KERNEL));
    CHECK(syscall(SYS_uname, BAD));
    CHECK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD));
    CHECK(syscall(SYS_gettimeofday, BAD, NULL));
    CHECK(syscall(SYS_pipe2, BAD, 0));
    CHECK(syscall(SYS_getcwd, BAD, 100));
    CHECK(syscall(SYS_chdir, KERNEL));
    CHECK(syscall(SYS_mkdirat, AT_FDCWD, BAD, 0755));
    CHECK(syscall(SYS_execve, BAD, NULL, NULL));
    CHECK(syscall(SYS_writev, 1, BAD, 1));
    struct iovec v = { BAD, 5 };
    CHECK(syscall(SYS_writev, 1, &v, 1));
    CHECK(pipe(p));
    CHECK(syscall(SYS_read, p[0], BAD, 0));
    CHECK(write(p[1], "abc", 3));
    CHECK(syscall(SYS_read, p[0], BAD, 3));
    CHECK(syscall(SYS_read, p[0], KERNEL, 3));
    CHECK(syscall(SYS_wait4, -1, BAD, 0, NULL));
    CHECK(syscall(SYS_rt_sigaction, 2, BAD, NULL, 8));
    CHECK(syscall(SYS_rt_sigprocmask, 0, BAD, NULL, 8));
    CHECK(syscall(SYS_nanosleep, BAD, NULL));
    /* /dev/null takes a write without reading it: only the range is
     * checked. */
    int null = open("/dev/null", O_WRONLY);
    CHECK(syscall(SYS_write, null, BAD, 10));
    CHECK(syscall(SYS_write, null, KERNEL, 10));
    CHECK(syscall(SYS_writev, null, &v, 1));
    CHECK(syscall(SYS_read, null, BAD, 10));
    CHECK(close(null));
    null = open("/dev/null", O_RDONLY);
    CHECK(syscall(SYS_write, null, BAD, 10));
    CHECK(syscall(SYS_read, null, BAD, 10));
    CHECK(close(null));
    printf("still alive\n");
    return 0;
}
