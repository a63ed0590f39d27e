/* epoll, eventfd and timerfd: level- and edge-triggered readiness,
 * EPOLLONESHOT, hang-up and error on pipes, data returned as given, a
 * closed descriptor leaving the interest list, nested epoll, wake-ups by
 * another process, timeouts, signals (EINTR even with SA_RESTART, the
 * temporary mask of epoll_pwait), eventfd's counter and semaphore modes
 * and overflow, timerfd's one-shot, periodic and absolute timers; and the
 * error paths of each. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Through volatiles, so the compiler does not warn about what the test
 * passes on purpose. */
static void *volatile BAD = (void *)0x10;
static void *volatile NO_BUFFER = NULL;
static void *volatile KERNEL_ADDRESS = (void *)0xffffffffffff0000UL;
static volatile int minus_one = -1;

static volatile sig_atomic_t got_signal;
static void on_usr1(int signal) { got_signal = signal; }

static int cmp_data(const void *a, const void *b)
{
    const struct epoll_event *x = a, *y = b;
    return x->data.u64 < y->data.u64 ? -1 : x->data.u64 > y->data.u64;
}

/* Waits without blocking and prints what came back, sorted by data so the
 * output does not depend on the order of the ready list. */
static void show_wait(const char *what, int ep, int max)
{
    struct epoll_event events[8];
    memset(events, 0, sizeof events);
    int n = epoll_wait(ep, events, max, 0);
    if (n < 0) {
        printf("%s: -1 %s\n", what, errno_name(errno));
        return;
    }
    qsort(events, n, sizeof events[0], cmp_data);
    printf("%s: %d", what, n);
    for (int i = 0; i < n; i++)
        printf(" [events=%#x data=%#llx]", events[i].events, (unsigned long long)events[i].data.u64);
    printf("\n");
}

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event event = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &event);
}

static int modify(int ep, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event event = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &event);
}

static void show_link(const char *what, int fd)
{
    char path[64], target[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    long n = readlink(path, target, sizeof target - 1);
    printf("%s links to %.*s\n", what, n < 0 ? 0 : (int)n, target);
}

static void epoll_errors(void)
{
    printf("-- epoll errors\n");
    int p[2];
    pipe(p);
    int ep = epoll_create1(0);
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = 1};
    CHECK(epoll_create1(1));
    CHECK(epoll_create1(O_NONBLOCK));
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], BAD));
    CHECK(epoll_ctl(ep, 99, p[0], BAD));
    CHECK(epoll_ctl(ep, 99, p[0], &event));
    CHECK(epoll_ctl(99, EPOLL_CTL_ADD, p[0], &event));
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, 99, &event));
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &event));
    CHECK(epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &event));
    int file = open("/tmp/epoll-regular", O_RDWR | O_CREAT, 0600);
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, file, &event));
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, dir, &event));
    int null = open("/dev/null", O_RDWR);
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, null, &event));
    CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &event));
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &event));
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &event));
    CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], BAD));
    CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], BAD));
    /* EPOLLEXCLUSIVE: only at ADD, only with some flags, not for epoll. */
    CHECK(add(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE, 1));
    CHECK(modify(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE, 1));
    CHECK(add(ep, p[1], EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT, 1));
    int inner = epoll_create1(0);
    CHECK(add(ep, inner, EPOLLIN | EPOLLEXCLUSIVE, 1));
    CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    CHECK(add(ep, p[1], EPOLLOUT | EPOLLEXCLUSIVE, 1));
    CHECK(modify(ep, p[1], EPOLLOUT, 1));
    CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));

    struct epoll_event events[4];
    CHECK(epoll_wait(ep, events, 0, 0));
    CHECK(epoll_wait(ep, events, minus_one, 0));
    CHECK(epoll_wait(99, events, 4, 0));
    CHECK(epoll_wait(p[0], events, 4, 0));
    CHECK(epoll_wait(ep, KERNEL_ADDRESS, 4, 0));
    CHECK(epoll_wait(ep, BAD, 4, 0));
    CHECK(add(ep, p[1], EPOLLOUT, 1));
    CHECK(epoll_wait(ep, BAD, 4, 0));
    CHECK(epoll_wait(ep, events, 4, 0));
    sigset_t none;
    sigemptyset(&none);
    CHECK(syscall(SYS_epoll_pwait, ep, events, 4, 0, &none, 4));
    CHECK(syscall(SYS_epoll_pwait, ep, events, 0, 0, &none, 4));
    CHECK(syscall(SYS_epoll_pwait, ep, events, 4, 0, BAD, 8));
    CHECK(syscall(SYS_epoll_pwait, ep, events, 4, 0, &none, 8));
    struct timespec bad_ts = {0, 1000000000};
    CHECK(syscall(SYS_epoll_pwait2, ep, events, 4, &bad_ts, NULL, 8));
    CHECK(syscall(SYS_epoll_pwait2, ep, events, 4, BAD, NULL, 8));
    struct timespec zero = {0, 0};
    CHECK(syscall(SYS_epoll_pwait2, ep, events, 4, &zero, NULL, 8));
    char c;
    CHECK(read(ep, &c, 1));
    CHECK(write(ep, &c, 1));
    close(ep);
    close(inner);
    close(file);
    close(dir);
    close(null);
    close(p[0]);
    close(p[1]);
    unlink("/tmp/epoll-regular");
}

static void epoll_triggers(void)
{
    printf("-- level, edge, oneshot\n");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    printf("EPOLL_CLOEXEC sets FD_CLOEXEC: %d\n", fcntl(ep, F_GETFD) == FD_CLOEXEC);
    show_link("epoll fd", ep);
    int p[2];
    pipe(p);
    CHECK(add(ep, p[0], EPOLLIN | EPOLLRDHUP, 0x1122334455667788ULL));
    show_wait("empty pipe", ep, 8);
    write(p[1], "ab", 2);
    show_wait("level: data", ep, 8);
    show_wait("level: still data", ep, 8);
    char buf[8];
    read(p[0], buf, 2);
    show_wait("level: drained", ep, 8);

    CHECK(modify(ep, p[0], EPOLLIN | EPOLLET, 2));
    show_wait("edge: empty", ep, 8);
    write(p[1], "a", 1);
    show_wait("edge: data", ep, 8);
    show_wait("edge: again", ep, 8);
    write(p[1], "b", 1);
    show_wait("edge: more data", ep, 8);
    show_wait("edge: again", ep, 8);
    CHECK(modify(ep, p[0], EPOLLIN | EPOLLET, 3));
    show_wait("edge: after MOD while readable", ep, 8);
    read(p[0], buf, 2);

    CHECK(modify(ep, p[0], EPOLLIN | EPOLLONESHOT, 4));
    write(p[1], "a", 1);
    show_wait("oneshot: data", ep, 8);
    show_wait("oneshot: disabled", ep, 8);
    write(p[1], "b", 1);
    show_wait("oneshot: still disabled", ep, 8);
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &(struct epoll_event){.events = EPOLLIN}));
    CHECK(modify(ep, p[0], EPOLLIN | EPOLLONESHOT, 5));
    show_wait("oneshot: re-armed", ep, 8);
    read(p[0], buf, 2);

    /* Write end: EPOLLOUT; both ends in one set. */
    CHECK(modify(ep, p[0], EPOLLIN, 6));
    CHECK(add(ep, p[1], EPOLLOUT, 7));
    show_wait("write end", ep, 8);
    write(p[1], "a", 1);
    show_wait("both ends", ep, 8);
    CHECK(modify(ep, p[1], 0, 7));
    show_wait("write end with no events", ep, 8);
    CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    show_wait("write end deleted", ep, 8);

    /* Writer gone: EPOLLHUP even though not asked for; reader gone: EPOLLERR. */
    close(p[1]);
    show_wait("writer closed, a byte left", ep, 8);
    read(p[0], buf, 1);
    show_wait("writer closed, drained", ep, 8);
    CHECK(modify(ep, p[0], EPOLLOUT, 8));
    show_wait("writer closed, only EPOLLOUT asked", ep, 8);
    int q[2];
    pipe(q);
    CHECK(add(ep, q[1], EPOLLOUT | EPOLLET, 9));
    show_wait("lone writer", ep, 8);
    close(q[0]);
    show_wait("reader closed", ep, 8);
    close(q[1]);
    close(p[0]);
    show_wait("all closed", ep, 8);
    close(ep);
}

static void epoll_ready_list(void)
{
    printf("-- ready list, closing, nesting\n");
    int ep = epoll_create1(0);
    int pipes[3][2];
    for (int i = 0; i < 3; i++) {
        pipe(pipes[i]);
        write(pipes[i][1], "x", 1);
        add(ep, pipes[i][0], EPOLLIN, 10 + i);
    }
    /* Fewer slots than ready files: the rest come next time, and level
     * triggered ones go to the back. */
    struct epoll_event events[3];
    for (int round = 0; round < 3; round++) {
        int n = epoll_wait(ep, events, 2, 0);
        printf("round %d: %d:", round, n);
        for (int i = 0; i < n; i++)
            printf(" %llu", (unsigned long long)events[i].data.u64);
        printf("\n");
    }

    /* Closing the only descriptor removes the file; a duplicate keeps it. */
    close(pipes[0][0]);
    show_wait("first read end closed", ep, 8);
    int copy = dup(pipes[1][0]);
    close(pipes[1][0]);
    show_wait("second closed, dup left", ep, 8);
    CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, pipes[1][0], NULL));
    CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, copy, NULL));
    CHECK(add(ep, copy, EPOLLIN, 13));
    show_wait("dup added too", ep, 8);
    CHECK(dup2(pipes[2][0], pipes[1][0]));
    CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, pipes[1][0], NULL));

    /* An epoll descriptor is readable when something in it is. */
    int outer = epoll_create1(0);
    CHECK(add(outer, ep, EPOLLIN | EPOLLOUT, 20));
    show_wait("outer", outer, 8);
    struct pollfd pfd = {.fd = ep, .events = POLLIN | POLLOUT};
    CHECK(poll(&pfd, 1, 0));
    printf("poll on epoll fd revents=%#x\n", pfd.revents);
    CHECK(add(ep, outer, EPOLLIN, 21));
    int third = epoll_create1(0);
    CHECK(add(third, outer, EPOLLIN, 22));
    CHECK(add(ep, third, EPOLLIN, 23));
    int empty = epoll_create1(0);
    CHECK(add(outer, empty, EPOLLIN, 24));
    pfd.fd = empty;
    CHECK(poll(&pfd, 1, 0));
    char c;
    read(copy, &c, 1);
    read(pipes[2][0], &c, 1);
    show_wait("drained", ep, 8);
    show_wait("outer drained", outer, 8);
    write(pipes[2][1], "y", 1);
    show_wait("outer again", outer, 8);
    close(third);
    close(empty);
    close(outer);
    close(copy);
    close(ep);
    for (int i = 0; i < 3; i++) {
        close(pipes[i][1]);
        close(pipes[i][0]);
    }
}

static void epoll_blocking(void)
{
    printf("-- blocking\n");
    int ep = epoll_create1(0);
    int p[2];
    pipe(p);
    add(ep, p[0], EPOLLIN, 1);
    struct epoll_event events[2];
    CHECK(epoll_wait(ep, events, 2, 30));
    struct timespec span = {0, 20000000};
    CHECK(syscall(SYS_epoll_pwait2, ep, events, 2, &span, NULL, 8));

    pid_t child = fork();
    if (child == 0) {
        usleep(50000);
        write(p[1], "x", 1);
        _exit(0);
    }
    CHECK(epoll_wait(ep, events, 2, -1));
    printf("woken by a writer: events=%#x data=%llu\n", events[0].events,
           (unsigned long long)events[0].data.u64);
    waitpid(child, NULL, 0);
    char c;
    read(p[0], &c, 1);

    /* A signal ends the wait with EINTR, SA_RESTART or not. */
    struct sigaction action = {0};
    action.sa_handler = on_usr1;
    action.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &action, NULL);
    pid_t parent = getpid();
    child = fork();
    if (child == 0) {
        usleep(50000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    CHECK(epoll_wait(ep, events, 2, -1));
    printf("handler ran: %d\n", got_signal == SIGUSR1);
    waitpid(child, NULL, 0);

    /* epoll_pwait's mask: SIGUSR1 let in only during the wait. */
    sigset_t blocked, during, after;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    sigprocmask(SIG_BLOCK, &blocked, NULL);
    got_signal = 0;
    child = fork();
    if (child == 0) {
        usleep(50000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    sigemptyset(&during);
    CHECK(epoll_pwait(ep, events, 2, -1, &during));
    printf("handler ran in epoll_pwait: %d\n", got_signal == SIGUSR1);
    sigprocmask(SIG_BLOCK, NULL, &after);
    printf("SIGUSR1 blocked again after epoll_pwait: %d\n", sigismember(&after, SIGUSR1));
    waitpid(child, NULL, 0);
    sigprocmask(SIG_UNBLOCK, &blocked, NULL);
    close(ep);
    close(p[0]);
    close(p[1]);
}

static void eventfd_tests(void)
{
    printf("-- eventfd\n");
    uint64_t value = 0;
    CHECK(syscall(SYS_eventfd2, 0, 0x10));
    int efd = eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC);
    printf("EFD_CLOEXEC: %d, EFD_NONBLOCK: %d\n", fcntl(efd, F_GETFD) == FD_CLOEXEC,
           (fcntl(efd, F_GETFL) & O_NONBLOCK) != 0);
    show_link("eventfd", efd);
    CHECK(read(efd, &value, 4));
    CHECK(read(efd, &value, 8));
    printf("value %llu\n", (unsigned long long)value);
    CHECK(read(efd, &value, 8));
    value = 3;
    CHECK(write(efd, &value, 8));
    value = 4;
    CHECK(write(efd, &value, 8));
    uint64_t big[2] = {0, 0};
    CHECK(read(efd, big, 16));
    printf("value %llu\n", (unsigned long long)big[0]);
    CHECK(write(efd, &value, 7));
    value = UINT64_MAX;
    CHECK(write(efd, &value, 8));
    CHECK(write(efd, NO_BUFFER, 8));
    value = 0;
    CHECK(write(efd, &value, 8));
    CHECK(read(efd, &value, 8));

    /* The counter stops short of UINT64_MAX: the writer would block. */
    value = UINT64_MAX - 1;
    CHECK(write(efd, &value, 8));
    value = 1;
    CHECK(write(efd, &value, 8));
    value = 0;
    CHECK(write(efd, &value, 8));
    struct pollfd pfd = {.fd = efd, .events = POLLIN | POLLOUT};
    CHECK(poll(&pfd, 1, 0));
    printf("full counter revents=%#x\n", pfd.revents);
    CHECK(read(efd, &value, 8));
    printf("value %#llx\n", (unsigned long long)value);
    CHECK(poll(&pfd, 1, 0));
    printf("empty counter revents=%#x\n", pfd.revents);

    /* Semaphore mode: one at a time. */
    int sem = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
    for (int i = 0; i < 3; i++) {
        value = 99;
        CHECK(read(sem, &value, 8));
        printf("semaphore read %llu\n", (unsigned long long)value);
    }

    /* In epoll, level and edge triggered. */
    int ep = epoll_create1(0);
    CHECK(add(ep, efd, EPOLLIN | EPOLLOUT, 1));
    CHECK(add(ep, sem, EPOLLIN | EPOLLET, 2));
    show_wait("eventfds", ep, 8);
    value = 1;
    write(sem, &value, 8);
    show_wait("semaphore written", ep, 8);
    show_wait("semaphore again", ep, 8);
    write(efd, &value, 8);
    write(sem, &value, 8);
    show_wait("both written", ep, 8);

    /* A blocking read woken by another process. */
    int blocking = eventfd(0, 0);
    pid_t child = fork();
    if (child == 0) {
        usleep(50000);
        value = 42;
        write(blocking, &value, 8);
        _exit(0);
    }
    CHECK(read(blocking, &value, 8));
    printf("woken with %llu\n", (unsigned long long)value);
    waitpid(child, NULL, 0);
    close(blocking);
    close(ep);
    close(sem);
    close(efd);
}

static long long ns_of(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static void timerfd_tests(void)
{
    printf("-- timerfd\n");
    CHECK(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
    CHECK(timerfd_create(CLOCK_MONOTONIC, 1));
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    printf("TFD_CLOEXEC: %d, TFD_NONBLOCK: %d\n", fcntl(tfd, F_GETFD) == FD_CLOEXEC,
           (fcntl(tfd, F_GETFL) & O_NONBLOCK) != 0);
    show_link("timerfd", tfd);
    struct itimerspec spec, old;
    memset(&old, 0x55, sizeof old);
    CHECK(timerfd_gettime(tfd, &old));
    printf("fresh: value %lld interval %lld\n", ns_of(old.it_value), ns_of(old.it_interval));
    uint64_t ticks = 0;
    CHECK(read(tfd, &ticks, 8));
    CHECK(read(tfd, &ticks, 4));
    CHECK(write(tfd, &ticks, 8));

    int p[2];
    pipe(p);
    memset(&spec, 0, sizeof spec);
    CHECK(timerfd_settime(tfd, 4, &spec, NULL));
    spec.it_value.tv_nsec = 1000000000;
    CHECK(timerfd_settime(tfd, 0, &spec, NULL));
    spec.it_value.tv_nsec = 0;
    spec.it_interval.tv_sec = -1;
    CHECK(timerfd_settime(tfd, 0, &spec, NULL));
    spec.it_interval.tv_sec = 0;
    CHECK(timerfd_settime(tfd, 0, BAD, NULL));
    CHECK(timerfd_settime(99, 0, &spec, NULL));
    CHECK(timerfd_settime(p[0], 0, &spec, NULL));
    CHECK(timerfd_gettime(p[0], &old));
    CHECK(timerfd_gettime(tfd, BAD));

    /* The old value comes back; disarming. */
    spec.it_value.tv_sec = 10;
    spec.it_interval.tv_nsec = 250000000;
    CHECK(timerfd_settime(tfd, 0, &spec, NULL));
    memset(&spec, 0, sizeof spec);
    CHECK(timerfd_settime(tfd, 0, &spec, &old));
    printf("old: value in (9s, 10s]: %d, interval %lld\n",
           ns_of(old.it_value) > 9000000000LL && ns_of(old.it_value) <= 10000000000LL,
           ns_of(old.it_interval));
    CHECK(timerfd_gettime(tfd, &old));
    printf("disarmed: value %lld interval %lld\n", ns_of(old.it_value), ns_of(old.it_interval));

    /* A one-shot timer wakes epoll; read gives the expirations. */
    int ep = epoll_create1(0);
    CHECK(add(ep, tfd, EPOLLIN | EPOLLOUT, 5));
    show_wait("unarmed timer", ep, 8);
    spec.it_value.tv_nsec = 20000000;
    CHECK(timerfd_settime(tfd, 0, &spec, NULL));
    struct epoll_event events[2];
    CHECK(epoll_wait(ep, events, 2, -1));
    printf("expired: events=%#x data=%llu\n", events[0].events, (unsigned long long)events[0].data.u64);
    struct pollfd pfd = {.fd = tfd, .events = POLLIN | POLLOUT};
    CHECK(poll(&pfd, 1, 0));
    printf("expired timer revents=%#x\n", pfd.revents);
    CHECK(read(tfd, &ticks, 8));
    printf("ticks %llu\n", (unsigned long long)ticks);
    CHECK(read(tfd, &ticks, 8));
    CHECK(timerfd_gettime(tfd, &old));
    printf("after expiry: value %lld interval %lld\n", ns_of(old.it_value), ns_of(old.it_interval));

    /* A periodic timer keeps counting until read. */
    spec.it_value.tv_nsec = 10000000;
    spec.it_interval.tv_nsec = 10000000;
    CHECK(timerfd_settime(tfd, 0, &spec, NULL));
    usleep(100000);
    CHECK(read(tfd, &ticks, 8));
    printf("periodic: several ticks: %d\n", ticks >= 2);
    CHECK(timerfd_gettime(tfd, &old));
    printf("periodic: value in (0, 10ms]: %d, interval %lld\n",
           ns_of(old.it_value) > 0 && ns_of(old.it_value) <= 10000000, ns_of(old.it_interval));
    /* Setting the timer again drops the expirations not yet read. */
    usleep(30000);
    spec.it_value.tv_sec = 10;
    CHECK(timerfd_settime(tfd, 0, &spec, NULL));
    CHECK(read(tfd, &ticks, 8));

    /* Absolute deadlines on both clocks; one in the past counts the
     * intervals that went by. */
    int blocking = timerfd_create(CLOCK_MONOTONIC, 0);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    spec.it_value = now;
    spec.it_value.tv_nsec += 20000000;
    if (spec.it_value.tv_nsec >= 1000000000) {
        spec.it_value.tv_sec++;
        spec.it_value.tv_nsec -= 1000000000;
    }
    spec.it_interval.tv_sec = 0;
    spec.it_interval.tv_nsec = 0;
    CHECK(timerfd_settime(blocking, TFD_TIMER_ABSTIME, &spec, NULL));
    CHECK(read(blocking, &ticks, 8));
    printf("absolute monotonic ticks %llu\n", (unsigned long long)ticks);
    close(blocking);
    int real = timerfd_create(CLOCK_REALTIME, 0);
    clock_gettime(CLOCK_REALTIME, &now);
    spec.it_value.tv_sec = now.tv_sec - 6;
    spec.it_value.tv_nsec = now.tv_nsec;
    spec.it_interval.tv_sec = 1;
    CHECK(timerfd_settime(real, TFD_TIMER_ABSTIME, &spec, NULL));
    CHECK(read(real, &ticks, 8));
    printf("absolute realtime in the past, 1s interval: ticks %llu\n", (unsigned long long)ticks);
    CHECK(timerfd_gettime(real, &old));
    printf("next in (0, 1s]: %d\n", ns_of(old.it_value) > 0 && ns_of(old.it_value) <= 1000000000);
    close(real);
    close(ep);
    close(tfd);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    epoll_errors();
    epoll_triggers();
    epoll_ready_list();
    epoll_blocking();
    eventfd_tests();
    timerfd_tests();
    return 0;
}
