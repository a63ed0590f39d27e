/* POSIX timers: timer_create on the monotonic and wall clocks with
 * SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID and glibc's SIGEV_THREAD,
 * one-shot and periodic, relative and absolute, siginfo (SI_TIMER, value,
 * id, overrun), timer_gettime, disarming, and the errors. Signals are
 * taken with sigwaitinfo; only the overrun test lets time pass on
 * purpose, as overruns are what it shows. */
#define _GNU_SOURCE
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static timer_t make(clockid_t clock, int notify, int signal, int value)
{
    struct sigevent event = {.sigev_notify = notify, .sigev_signo = signal};
    event.sigev_value.sival_int = value;
    timer_t timer;
    if (timer_create(clock, &event, &timer) != 0)
        printf("timer_create failed: %s\n", errno_name(errno));
    return timer;
}

static void arm(timer_t timer, long value_ns, long interval_ns, int flags)
{
    struct itimerspec spec = {
        .it_value = {value_ns / 1000000000, value_ns % 1000000000},
        .it_interval = {interval_ns / 1000000000, interval_ns % 1000000000},
    };
    if (timer_settime(timer, flags, &spec, NULL) != 0)
        printf("timer_settime failed: %s\n", errno_name(errno));
}

static sigset_t usr1;
static _Atomic pid_t waiter_tid;
static _Atomic int waiter_got;

static void *wait_for_usr1(void *unused)
{
    (void)unused;
    waiter_tid = (pid_t)syscall(SYS_gettid);
    siginfo_t info;
    if (sigwaitinfo(&usr1, &info) == SIGUSR1 && info.si_code == SI_TIMER)
        waiter_got = info.si_value.sival_int;
    return NULL;
}

static pthread_mutex_t fired_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fired_changed = PTHREAD_COND_INITIALIZER;
static int fired_value;

static void on_expiry(union sigval value)
{
    pthread_mutex_lock(&fired_lock);
    fired_value = value.sival_int;
    pthread_cond_signal(&fired_changed);
    pthread_mutex_unlock(&fired_lock);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigaddset(&usr1, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &usr1, NULL);
    siginfo_t info;

    /* One shot on the monotonic clock. */
    timer_t first = make(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIGUSR1, 42);
    arm(first, 10000000, 0, 0);
    int signal = sigwaitinfo(&usr1, &info);
    printf("one shot: signal %d, SI_TIMER %d, value %d, overrun %d, id matches %d\n", signal,
           info.si_code == SI_TIMER, info.si_value.sival_int, info.si_overrun,
           info.si_timerid == (int)(intptr_t)first);
    struct itimerspec now;
    CHECK(timer_gettime(first, &now));
    printf("expired: %ld.%09ld left, interval %ld.%09ld\n", (long)now.it_value.tv_sec, now.it_value.tv_nsec,
           (long)now.it_interval.tv_sec, now.it_interval.tv_nsec);

    /* Periodic. */
    arm(first, 5000000, 5000000, 0);
    int count = 0;
    while (count < 3 && sigwaitinfo(&usr1, &info) == SIGUSR1)
        count++;
    printf("periodic: %d signals\n", count);
    CHECK(timer_gettime(first, &now));
    printf("interval kept: %ld ns\n", now.it_interval.tv_nsec);

    /* Overruns: expirations while the signal is still pending. */
    arm(first, 1000000, 1000000, 0);
    struct timespec pause_for = {0, 60000000};
    nanosleep(&pause_for, NULL);
    sigwaitinfo(&usr1, &info);
    printf("overrun counted: %d\n", info.si_overrun > 5);
    arm(first, 0, 0, 0);
    struct timespec zero = {0, 0};
    while (sigtimedwait(&usr1, &info, &zero) > 0)
        ;
    CHECK(timer_gettime(first, &now));
    printf("disarmed: %ld.%09ld\n", (long)now.it_value.tv_sec, now.it_value.tv_nsec);

    /* Armed far ahead: the time left is below what was set. */
    arm(first, 10000000000L, 0, 0);
    timer_gettime(first, &now);
    printf("10 s ahead: 9 < left <= 10: %d\n",
           now.it_value.tv_sec == 9 || (now.it_value.tv_sec == 10 && now.it_value.tv_nsec == 0));
    CHECK(timer_delete(first));
    CHECK(timer_delete(first));

    /* Absolute, on the wall clock. */
    timer_t wall = make(CLOCK_REALTIME, SIGEV_SIGNAL, SIGUSR1, 7);
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    long long at = (long long)t.tv_sec * 1000000000 + t.tv_nsec + 10000000;
    struct itimerspec absolute = {.it_value = {at / 1000000000, at % 1000000000}};
    CHECK(timer_settime(wall, TIMER_ABSTIME, &absolute, NULL));
    signal = sigwaitinfo(&usr1, &info);
    printf("absolute: signal %d, value %d\n", signal, info.si_value.sival_int);
    absolute.it_value.tv_sec -= 100;
    CHECK(timer_settime(wall, TIMER_ABSTIME, &absolute, NULL));
    signal = sigwaitinfo(&usr1, &info);
    printf("absolute in the past fires at once: signal %d\n", signal);
    timer_delete(wall);

    /* No sigevent: SIGALRM with the id as value. */
    timer_t plain;
    CHECK(timer_create(CLOCK_MONOTONIC, NULL, &plain));
    arm(plain, 1000000, 0, 0);
    signal = sigwaitinfo(&usr1, &info);
    printf("default: signal %d, SI_TIMER %d\n", signal, info.si_code == SI_TIMER);
    timer_delete(plain);

    /* SIGEV_NONE counts down without a signal. */
    timer_t silent = make(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0);
    arm(silent, 5000000000L, 0, 0);
    timer_gettime(silent, &now);
    printf("SIGEV_NONE armed: %d\n", now.it_value.tv_sec >= 4);
    timer_delete(silent);

    /* To one thread (SIGEV_THREAD_ID). */
    pthread_t thread;
    pthread_create(&thread, NULL, wait_for_usr1, NULL);
    while (!waiter_tid)
        sched_yield();
    struct sigevent to_thread = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR1};
    to_thread.sigev_value.sival_int = 99;
    to_thread._sigev_un._tid = waiter_tid;
    timer_t directed;
    CHECK(timer_create(CLOCK_MONOTONIC, &to_thread, &directed));
    arm(directed, 2000000, 0, 0);
    pthread_join(thread, NULL);
    printf("SIGEV_THREAD_ID: the thread got value %d\n", waiter_got);
    timer_delete(directed);

    /* glibc's SIGEV_THREAD: the function runs in a helper thread. */
    struct sigevent threaded = {.sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_expiry};
    threaded.sigev_value.sival_int = 5;
    timer_t helper;
    CHECK(timer_create(CLOCK_MONOTONIC, &threaded, &helper));
    arm(helper, 2000000, 0, 0);
    pthread_mutex_lock(&fired_lock);
    while (fired_value == 0)
        pthread_cond_wait(&fired_changed, &fired_lock);
    pthread_mutex_unlock(&fired_lock);
    printf("SIGEV_THREAD: the function ran with %d\n", fired_value);
    timer_delete(helper);

    /* Errors. */
    timer_t bad;
    struct sigevent event = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
    CHECK(timer_create(99, &event, &bad));
    CHECK(timer_create(CLOCK_MONOTONIC_RAW, &event, &bad));
    CHECK(syscall(SYS_timer_create, CLOCK_MONOTONIC, (void *)16, &bad));
    CHECK(syscall(SYS_timer_create, CLOCK_MONOTONIC, &event, (void *)16));
    event.sigev_signo = 0;
    CHECK(timer_create(CLOCK_MONOTONIC, &event, &bad));
    event.sigev_signo = 65;
    CHECK(timer_create(CLOCK_MONOTONIC, &event, &bad));
    event.sigev_signo = SIGUSR1;
    event.sigev_notify = 99;
    CHECK(timer_create(CLOCK_MONOTONIC, &event, &bad));
    event.sigev_notify = SIGEV_THREAD_ID;
    event._sigev_un._tid = 0x3ffffff0;
    CHECK(timer_create(CLOCK_MONOTONIC, &event, &bad));
    event.sigev_notify = SIGEV_SIGNAL;
    int raw_id = -1;
    CHECK(syscall(SYS_timer_create, CLOCK_MONOTONIC, &event, &raw_id));
    struct itimerspec wrong = {.it_value = {0, 1000000000}};
    CHECK(syscall(SYS_timer_settime, raw_id, 0, &wrong, NULL));
    CHECK(syscall(SYS_timer_settime, raw_id, 0, NULL, NULL));
    CHECK(syscall(SYS_timer_settime, 12345, 0, &wrong, NULL));
    CHECK(syscall(SYS_timer_gettime, raw_id, (void *)16));
    CHECK(syscall(SYS_timer_gettime, 12345, &now));
    CHECK(syscall(SYS_timer_getoverrun, raw_id));
    CHECK(syscall(SYS_timer_getoverrun, 12345));
    CHECK(syscall(SYS_timer_delete, raw_id));
    CHECK(syscall(SYS_timer_delete, -1));
    return 0;
}
