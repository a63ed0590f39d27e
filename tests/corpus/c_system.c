/* System information and per-process limits, success and error paths:
 * uname (sysname and machine only), sysinfo, getrandom, getrlimit,
 * setrlimit and prlimit64 (defaults, lowering, raising above the hard
 * limit, enforcement of RLIMIT_NOFILE), getrusage, prctl's name. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define BAD ((void *)0x10)

static void show_limit(const char *name, int resource)
{
    struct rlimit limit;
    if (getrlimit(resource, &limit) < 0) {
        printf("%s: %s\n", name, errno_name(errno));
        return;
    }
    printf("%s:", name);
    if (limit.rlim_cur == RLIM_INFINITY)
        printf(" soft unlimited");
    else
        printf(" soft %lu", (unsigned long)limit.rlim_cur);
    if (limit.rlim_max == RLIM_INFINITY)
        printf(" hard unlimited\n");
    else
        printf(" hard %lu\n", (unsigned long)limit.rlim_max);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* uname: only the fields that do not depend on the build. */
    struct utsname name;
    CHECK(uname(&name));
    printf("sysname %s machine %s\n", name.sysname, name.machine);
    printf("release starts with a digit: %d\n", name.release[0] >= '0' && name.release[0] <= '9');
    CHECK(syscall(SYS_uname, BAD));

    /* sysinfo. */
    struct sysinfo info;
    CHECK(sysinfo(&info));
    printf("mem_unit %u, totalram > freeram > 0: %d, procs > 0: %d, uptime >= 0: %d\n", info.mem_unit,
           info.totalram > info.freeram && info.freeram > 0, info.procs > 0, info.uptime >= 0);
    printf("totalram between 64 MiB and 8 GiB: %d\n",
           info.totalram * info.mem_unit >= (64UL << 20) && info.totalram * info.mem_unit <= (8UL << 30));
    CHECK(syscall(SYS_sysinfo, BAD));

    /* getrandom. */
    unsigned char a[32], b[32];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK(getrandom(a, sizeof a, 0));
    CHECK(getrandom(b, sizeof b, GRND_NONBLOCK));
    printf("two draws differ: %d\n", memcmp(a, b, sizeof a) != 0);
    CHECK(getrandom(a, 0, 0));
    CHECK(getrandom(a, sizeof a, GRND_RANDOM));
    CHECK(getrandom(a, sizeof a, GRND_INSECURE));
    CHECK(getrandom(a, sizeof a, GRND_INSECURE | GRND_RANDOM));
    CHECK(getrandom(a, sizeof a, 0x40));
    CHECK(syscall(SYS_getrandom, BAD, 16, 0));
    CHECK(syscall(SYS_getrandom, NULL, 0, 0));

    /* Default limits, as Linux gives them to init's descendants. */
    show_limit("RLIMIT_NOFILE", RLIMIT_NOFILE);
    show_limit("RLIMIT_STACK", RLIMIT_STACK);
    show_limit("RLIMIT_CORE", RLIMIT_CORE);
    show_limit("RLIMIT_CPU", RLIMIT_CPU);
    show_limit("RLIMIT_FSIZE", RLIMIT_FSIZE);
    show_limit("RLIMIT_DATA", RLIMIT_DATA);
    show_limit("RLIMIT_AS", RLIMIT_AS);
    show_limit("RLIMIT_MEMLOCK", RLIMIT_MEMLOCK);
    show_limit("RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE);
    show_limit("RLIMIT_NICE", RLIMIT_NICE);
    show_limit("RLIMIT_RTPRIO", RLIMIT_RTPRIO);
    show_limit("RLIMIT_RTTIME", RLIMIT_RTTIME);
    struct rlimit limit;
    CHECK(getrlimit(16, &limit));
    CHECK(getrlimit(-1, &limit));
    CHECK(syscall(SYS_getrlimit, RLIMIT_NOFILE, BAD));

    /* Lowering and raising, in a child so the changes stay there. */
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        struct rlimit nofile = {16, 32};
        CHECK(setrlimit(RLIMIT_NOFILE, &nofile));
        show_limit("RLIMIT_NOFILE lowered", RLIMIT_NOFILE);
        int last = -1, fd;
        while ((fd = open("/dev/null", O_RDONLY)) >= 0)
            last = fd;
        printf("highest descriptor %d, then %s\n", last, errno_name(errno));
        CHECK(dup2(0, 16));
        CHECK(dup2(0, 15));
        CHECK(fcntl(0, F_DUPFD, 16));
        nofile.rlim_cur = 64;
        CHECK(setrlimit(RLIMIT_NOFILE, &nofile));
        nofile.rlim_cur = 8;
        nofile.rlim_max = 4;
        CHECK(setrlimit(RLIMIT_NOFILE, &nofile));
        nofile.rlim_cur = 32;
        nofile.rlim_max = 32;
        CHECK(setrlimit(RLIMIT_NOFILE, &nofile));
        nofile.rlim_max = 1 << 30;
        CHECK(setrlimit(RLIMIT_NOFILE, &nofile));
        CHECK(setrlimit(RLIMIT_NOFILE, BAD));
        struct rlimit old, cpu = {1000, RLIM_INFINITY};
        CHECK(prlimit(0, RLIMIT_CPU, &cpu, &old));
        printf("old RLIMIT_CPU soft unlimited: %d\n", old.rlim_cur == RLIM_INFINITY);
        show_limit("RLIMIT_CPU", RLIMIT_CPU);
        CHECK(prlimit(getpid(), RLIMIT_CORE, NULL, &old));
        CHECK(prlimit(99999, RLIMIT_CORE, NULL, &old));
        CHECK(prlimit(0, 99, NULL, &old));
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    printf("child status %#x\n", status);
    show_limit("RLIMIT_NOFILE in the parent", RLIMIT_NOFILE);

    /* getrusage. */
    struct rusage usage;
    CHECK(getrusage(RUSAGE_SELF, &usage));
    CHECK(getrusage(RUSAGE_CHILDREN, &usage));
    CHECK(getrusage(RUSAGE_THREAD, &usage));
    CHECK(getrusage(5, &usage));
    CHECK(syscall(SYS_getrusage, RUSAGE_SELF, BAD));

    /* prctl: the task name is 15 bytes and a NUL. */
    char task[32];
    memset(task, 0, sizeof task);
    CHECK(prctl(PR_GET_NAME, task));
    printf("name at start: %s\n", task);
    CHECK(prctl(PR_SET_NAME, "a-much-longer-name-than-fits"));
    CHECK(prctl(PR_GET_NAME, task));
    printf("name now: %s (%zu bytes)\n", task, strlen(task));
    CHECK(prctl(PR_SET_NAME, BAD));
    CHECK(prctl(PR_GET_NAME, BAD));
    CHECK(prctl(12345, 0, 0, 0, 0));
    return 0;
}
