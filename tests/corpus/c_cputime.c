/* CPU-time accounting: the process and thread CPU clocks advance while
 * the program computes, getrusage and times report it for the process,
 * the thread and reaped children, a thread's time stays with its process
 * after it exits, and the CPU clocks of other processes and threads.
 * Only orders and lower bounds are printed: how much CPU time a spin
 * costs varies, that it is counted does not. */
#define _GNU_SOURCE
#include "check.h"
#include <pthread.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t ns_of(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static volatile uint64_t sink;

/* Computes until `clock` has advanced by `ns`, or 20 s of wall time. */
static int spin(clockid_t clock, int64_t ns)
{
    int64_t start = ns_of(clock), wall = ns_of(CLOCK_MONOTONIC);
    while (ns_of(clock) - start < ns) {
        for (int i = 0; i < 10000; i++)
            sink += (uint64_t)i * i;
        if (ns_of(CLOCK_MONOTONIC) - wall > 20000000000LL)
            return 0;
    }
    return 1;
}

static int64_t timeval_ns(struct timeval t)
{
    return (int64_t)t.tv_sec * 1000000000 + t.tv_usec * 1000;
}

static int64_t total_ns(const struct rusage *usage)
{
    return timeval_ns(usage->ru_utime) + timeval_ns(usage->ru_stime);
}

static void *spin_in_thread(void *unused)
{
    (void)unused;
    return (void *)(intptr_t)spin(CLOCK_THREAD_CPUTIME_ID, 60000000);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("process clock advances while computing: %d\n", spin(CLOCK_PROCESS_CPUTIME_ID, 60000000));
    printf("thread clock advances while computing: %d\n", spin(CLOCK_THREAD_CPUTIME_ID, 60000000));
    printf("thread clock <= process clock: %d\n",
           ns_of(CLOCK_THREAD_CPUTIME_ID) <= ns_of(CLOCK_PROCESS_CPUTIME_ID));

    struct rusage usage;
    CHECK(getrusage(RUSAGE_SELF, &usage));
    printf("self: user + system >= 100 ms %d\n", total_ns(&usage) >= 100000000);
    CHECK(getrusage(RUSAGE_THREAD, &usage));
    printf("thread: user + system >= 100 ms %d\n", total_ns(&usage) >= 100000000);
    CHECK(getrusage(RUSAGE_CHILDREN, &usage));
    int64_t children_before = total_ns(&usage);
    CHECK(getrusage(7, &usage));
    CHECK(getrusage(RUSAGE_SELF, (void *)16));
    struct tms tms;
    times(&tms);
    printf("times: utime + stime >= 10 ticks %d\n", tms.tms_utime + tms.tms_stime >= 10);
    clock_t children_ticks_before = tms.tms_cutime + tms.tms_cstime;

    /* A child's time comes to its parent when it is reaped. */
    pid_t child = fork();
    if (child == 0)
        _exit(spin(CLOCK_PROCESS_CPUTIME_ID, 60000000) ? 0 : 1);
    int status;
    waitpid(child, &status, 0);
    printf("child spun: %d\n", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(getrusage(RUSAGE_CHILDREN, &usage));
    printf("children: grew by >= 50 ms %d\n", total_ns(&usage) - children_before >= 50000000);
    times(&tms);
    printf("times: cutime + cstime grew by >= 5 ticks %d\n", tms.tms_cutime + tms.tms_cstime - children_ticks_before >= 5);

    /* A thread's time stays with the process once it has exited. */
    int64_t before = ns_of(CLOCK_PROCESS_CPUTIME_ID);
    pthread_t thread;
    void *spun;
    pthread_create(&thread, NULL, spin_in_thread, NULL);
    clockid_t thread_clock;
    CHECK(pthread_getcpuclockid(thread, &thread_clock));
    struct timespec t;
    CHECK(clock_gettime(thread_clock, &t));
    pthread_join(thread, &spun);
    printf("thread spun %d, process clock grew by >= 50 ms %d\n", (int)(intptr_t)spun,
           ns_of(CLOCK_PROCESS_CPUTIME_ID) - before >= 50000000);

    /* Other processes' clocks; invalid ids. */
    clockid_t process_clock;
    CHECK(clock_getcpuclockid(getpid(), &process_clock));
    CHECK(clock_gettime(process_clock, &t));
    printf("own process clock by pid >= 180 ms %d\n", (int64_t)t.tv_sec * 1000000000 + t.tv_nsec >= 180000000);
    CHECK(clock_getcpuclockid(1, &process_clock));
    CHECK(clock_gettime(process_clock, &t));
    CHECK(clock_gettime((clockid_t)((~0x3ffffff0u << 3) | 2), &t));
    CHECK(clock_gettime((clockid_t)((~(unsigned)getpid() << 3) | 3), &t));
    CHECK(clock_getres(CLOCK_PROCESS_CPUTIME_ID, &t));
    return 0;
}
