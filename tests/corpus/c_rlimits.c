/* Resource limits: defaults, setting them, their errors, inheritance
 * across fork and execve, and enforcement of RLIMIT_NOFILE, RLIMIT_AS and
 * RLIMIT_STACK. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *name, int resource)
{
    struct rlimit limit;
    if (getrlimit(resource, &limit) != 0) {
        printf("%s: getrlimit failed %s\n", name, errno_name(errno));
        return;
    }
    printf("%s: ", name);
    if (limit.rlim_cur == RLIM_INFINITY) printf("unlimited"); else printf("%lu", (unsigned long)limit.rlim_cur);
    printf(" / ");
    if (limit.rlim_max == RLIM_INFINITY) printf("unlimited\n"); else printf("%lu\n", (unsigned long)limit.rlim_max);
}

static int depth(int n)
{
    volatile char frame[1024];
    frame[0] = (char)n;
    return depth(n + 1) + frame[0];
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        /* Re-executed with a small stack: recurse until it overflows. */
        show("RLIMIT_STACK after execve", RLIMIT_STACK);
        fflush(stdout);
        return depth(0);
    }
    show("RLIMIT_STACK", RLIMIT_STACK);
    show("RLIMIT_CORE", RLIMIT_CORE);
    show("RLIMIT_NOFILE", RLIMIT_NOFILE);
    show("RLIMIT_AS", RLIMIT_AS);
    show("RLIMIT_MEMLOCK", RLIMIT_MEMLOCK);
    show("RLIMIT_CPU", RLIMIT_CPU);

    struct rlimit limit = {.rlim_cur = 20, .rlim_max = 10};
    CHECK(setrlimit(RLIMIT_NOFILE, &limit));
    CHECK(syscall(SYS_getrlimit, 99, &limit));
    CHECK(syscall(SYS_getrlimit, RLIMIT_NOFILE, (void *)16));
    CHECK(syscall(SYS_setrlimit, RLIMIT_NOFILE, (void *)16));
    CHECK(syscall(SYS_prlimit64, 99999, RLIMIT_NOFILE, NULL, &limit));
    limit.rlim_cur = limit.rlim_max = (1UL << 20) + 1;
    CHECK(setrlimit(RLIMIT_NOFILE, &limit));

    /* RLIMIT_NOFILE = 10: descriptors stop at 9. */
    limit.rlim_cur = 10;
    limit.rlim_max = 4096;
    CHECK(setrlimit(RLIMIT_NOFILE, &limit));
    show("RLIMIT_NOFILE now", RLIMIT_NOFILE);
    int last = -1, fd;
    while ((fd = open("/dev/null", O_RDONLY)) >= 0)
        last = fd;
    printf("last fd %d, then %s\n", last, errno_name(errno));
    CHECK(dup2(0, 10));
    CHECK(dup2(0, 9));
    CHECK(fcntl(0, F_DUPFD, 10));
    pid_t child = fork();
    if (child == 0) {
        show("RLIMIT_NOFILE in child", RLIMIT_NOFILE);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    for (int i = 3; i < 10; i++)
        close(i);

    /* prlimit64 on another process. */
    int p[2];
    pipe(p);
    child = fork();
    if (child == 0) {
        char c;
        read(p[0], &c, 1);
        show("RLIMIT_CORE set by the parent", RLIMIT_CORE);
        _exit(0);
    }
    struct rlimit core = {.rlim_cur = 4096, .rlim_max = 8192}, old;
    CHECK(prlimit(child, RLIMIT_CORE, &core, &old));
    printf("old core limit %lu\n", (unsigned long)old.rlim_cur);
    write(p[1], "x", 1);
    waitpid(child, NULL, 0);

    /* RLIMIT_AS: big mappings fail, small ones still work. */
    child = fork();
    if (child == 0) {
        struct rlimit as = {.rlim_cur = 64 << 20, .rlim_max = 64 << 20};
        CHECK(setrlimit(RLIMIT_AS, &as));
        void *big = mmap(NULL, 128 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("128 MiB mmap under a 64 MiB limit: %s\n", big == MAP_FAILED ? errno_name(errno) : "mapped");
        void *small = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("1 MiB mmap: %s\n", small == MAP_FAILED ? errno_name(errno) : "mapped");
        void *before = sbrk(0);
        printf("sbrk past the limit: %s\n", sbrk(100 << 20) == (void *)-1 ? errno_name(errno) : "grew");
        printf("break unchanged: %d\n", sbrk(0) == before);
        _exit(0);
    }
    waitpid(child, NULL, 0);

    /* RLIMIT_STACK: a new program gets a small stack and overflows it. */
    child = fork();
    if (child == 0) {
        struct rlimit stack = {.rlim_cur = 256 << 10, .rlim_max = RLIM_INFINITY};
        setrlimit(RLIMIT_STACK, &stack);
        execl("/proc/self/exe", argv[0], "overflow", (char *)NULL);
        printf("execl failed %s\n", errno_name(errno));
        _exit(1);
    }
    int status;
    waitpid(child, &status, 0);
    printf("deep recursion: %s %d\n", WIFSIGNALED(status) ? "signal" : "exit",
           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    return 0;
}
