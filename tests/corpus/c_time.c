/* Clocks and sleeps, success and error paths: clock_gettime and
 * clock_getres for every clock id (through the syscall, not the vDSO),
 * gettimeofday, nanosleep and clock_nanosleep (relative, absolute, bad
 * arguments), times. Only relations are printed, never times. */
#define _GNU_SOURCE
#include "check.h"
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#define BAD ((void *)0x10)

static const struct {
    int id;
    const char *name;
} clocks[] = {
    {CLOCK_REALTIME, "CLOCK_REALTIME"},
    {CLOCK_MONOTONIC, "CLOCK_MONOTONIC"},
    {CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID"},
    {CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID"},
    {CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW"},
    {CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE"},
    {CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE"},
    {CLOCK_BOOTTIME, "CLOCK_BOOTTIME"},
    {CLOCK_TAI, "CLOCK_TAI"},
};

static long long ns(struct timespec t)
{
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long now(int clock)
{
    struct timespec t;
    syscall(SYS_clock_gettime, clock, &t);
    return ns(t);
}

int main(void)
{
    struct timespec a, b, res;
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* Every valid clock: a normalized time that does not go back. */
    for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        errno = 0;
        long r1 = syscall(SYS_clock_gettime, clocks[i].id, &a);
        long r2 = syscall(SYS_clock_gettime, clocks[i].id, &b);
        printf("%s: gettime %ld %ld, normalized %d, not backwards %d\n", clocks[i].name, r1, r2,
               a.tv_nsec >= 0 && a.tv_nsec < 1000000000 && a.tv_sec >= 0, ns(b) >= ns(a));
    }
    /* Resolution: one nanosecond for the high-resolution clocks. */
    int fine[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME, CLOCK_TAI,
                  CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID};
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        res.tv_sec = res.tv_nsec = -1;
        long r = syscall(SYS_clock_getres, fine[i], &res);
        printf("clock_getres(%d) = %ld: %ld.%09ld\n", fine[i], r, (long)res.tv_sec, res.tv_nsec);
    }
    res.tv_sec = res.tv_nsec = -1;
    CHECK(syscall(SYS_clock_getres, CLOCK_MONOTONIC_COARSE, &res));
    printf("coarse resolution is at least 1 ms and at most 10 ms: %d\n",
           res.tv_sec == 0 && res.tv_nsec >= 1000000 && res.tv_nsec <= 10000000);
    CHECK(syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));

    /* Invalid clocks and pointers. */
    CHECK(syscall(SYS_clock_gettime, 12, &a));
    CHECK(syscall(SYS_clock_gettime, 100, &a));
    CHECK(syscall(SYS_clock_gettime, INT32_MAX, &a));
    CHECK(syscall(SYS_clock_gettime, CLOCK_REALTIME, BAD));
    CHECK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL));
    CHECK(syscall(SYS_clock_gettime, 100, BAD));
    CHECK(syscall(SYS_clock_getres, 12, &res));
    CHECK(syscall(SYS_clock_getres, 100, &res));
    CHECK(syscall(SYS_clock_getres, CLOCK_MONOTONIC, BAD));
    /* A CPU-time clock of a process that does not exist (pid 99999),
     * encoded as Linux's MAKE_PROCESS_CPUCLOCK does. */
    clockid_t missing_process = (clockid_t)((~99999u) << 3 | 2);
    CHECK(syscall(SYS_clock_gettime, missing_process, &a));
    clockid_t own_process;
    CHECK(clock_getcpuclockid(0, &own_process));
    CHECK(syscall(SYS_clock_gettime, own_process, &a));

    /* Clocks agree with each other. */
    long long mono = now(CLOCK_MONOTONIC), boot = now(CLOCK_BOOTTIME), raw = now(CLOCK_MONOTONIC_RAW);
    printf("boot time not behind monotonic: %d\n", boot >= mono);
    printf("raw within a second of monotonic: %d\n", llabs(raw - mono) < 1000000000LL);
    long long real = now(CLOCK_REALTIME), tai = now(CLOCK_TAI);
    printf("TAI not behind realtime: %d\n", tai >= real);
    struct timeval tv;
    CHECK(gettimeofday(&tv, NULL));
    printf("gettimeofday normalized %d, within a second of CLOCK_REALTIME %d\n",
           tv.tv_usec >= 0 && tv.tv_usec < 1000000, llabs(tv.tv_sec * 1000000000LL - now(CLOCK_REALTIME)) < 2000000000LL);
    CHECK(syscall(SYS_gettimeofday, NULL, NULL));
    struct timezone tz;
    CHECK(syscall(SYS_gettimeofday, NULL, &tz));
    CHECK(syscall(SYS_gettimeofday, &tv, BAD));

    /* nanosleep: valid and invalid requests. */
    struct timespec zero = {0, 0};
    CHECK(nanosleep(&zero, NULL));
    struct timespec ten_ms = {0, 10 * 1000 * 1000}, left = {7, 7};
    long long before = now(CLOCK_MONOTONIC);
    CHECK(nanosleep(&ten_ms, &left));
    printf("slept at least 10 ms: %d, remainder untouched: %d\n", now(CLOCK_MONOTONIC) - before >= 10000000,
           left.tv_sec == 7 && left.tv_nsec == 7);
    struct timespec bad = {0, 1000000000};
    CHECK(nanosleep(&bad, NULL));
    bad.tv_nsec = -1;
    CHECK(nanosleep(&bad, NULL));
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    CHECK(nanosleep(&bad, NULL));
    CHECK(syscall(SYS_nanosleep, BAD, NULL));
    CHECK(syscall(SYS_nanosleep, NULL, NULL));
    CHECK(syscall(SYS_nanosleep, &zero, BAD));

    /* clock_nanosleep: relative, absolute in the past and the near
     * future, and the clocks it refuses. */
    before = now(CLOCK_MONOTONIC);
    CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ten_ms, NULL));
    printf("relative: slept at least 10 ms: %d\n", now(CLOCK_MONOTONIC) - before >= 10000000);
    struct timespec past = {0, 1};
    CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
    CHECK(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &past, NULL));
    long long target = now(CLOCK_MONOTONIC) + 20000000;
    struct timespec deadline = {target / 1000000000, target % 1000000000};
    CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL));
    printf("absolute: woke at or after the deadline: %d\n", now(CLOCK_MONOTONIC) >= target);
    CHECK(syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, &zero, NULL));
    CHECK(syscall(SYS_clock_nanosleep, CLOCK_TAI, 0, &zero, NULL));
    CHECK(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &ten_ms, NULL));
    CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_RAW, 0, &ten_ms, NULL));
    CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_COARSE, 0, &ten_ms, NULL));
    CHECK(syscall(SYS_clock_nanosleep, 100, 0, &ten_ms, NULL));
    CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL));
    CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BAD, NULL));
    bad.tv_sec = 0;
    bad.tv_nsec = 1000000000;
    CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &bad, NULL));
    CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0x10, &zero, NULL));

    /* times: the return value counts clock ticks and moves forward. */
    struct tms t;
    clock_t t1 = times(&t);
    CHECK(syscall(SYS_nanosleep, &ten_ms, NULL));
    clock_t t2 = times(NULL);
    printf("times: not -1 %d, forward %d, ticks per second %ld\n", t1 != (clock_t)-1, t2 >= t1,
           sysconf(_SC_CLK_TCK));
    CHECK(syscall(SYS_times, BAD));
    return 0;
}
