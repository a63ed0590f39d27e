/* poll, ppoll and select on pipes and /dev/null: readiness, hang-up,
 * POLLNVAL, timeouts, a wake-up by another process, a signal (EINTR and
 * the temporary mask of ppoll), and the error paths. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BAD ((void *)0x10)

static volatile sig_atomic_t got_signal;
static void on_usr1(int signal) { got_signal = signal; }

static void show(const char *what, struct pollfd *fds, int n)
{
    printf("%s:", what);
    for (int i = 0; i < n; i++)
        printf(" [fd%d events=%#x revents=%#x]", i, fds[i].events, fds[i].revents);
    printf("\n");
}

int main(void)
{
    int p[2];
    CHECK(pipe(p));
    struct pollfd fds[3] = {
        {.fd = p[0], .events = POLLIN},
        {.fd = p[1], .events = POLLOUT},
        {.fd = -1, .events = POLLIN},
    };
    CHECK(poll(fds, 3, 0));
    show("empty pipe", fds, 3);
    CHECK(write(p[1], "x", 1));
    CHECK(poll(fds, 3, 0));
    show("one byte", fds, 3);
    fds[0].events = POLLOUT;
    CHECK(poll(fds, 1, 0));
    show("read end asked for POLLOUT", fds, 1);
    fds[0].events = POLLIN;

    /* A timeout that expires. */
    char c;
    CHECK(read(p[0], &c, 1));
    CHECK(poll(fds, 1, 30));
    show("timeout", fds, 1);

    /* A closed descriptor: POLLNVAL, counted. */
    struct pollfd closed = {.fd = 99, .events = POLLIN};
    CHECK(poll(&closed, 1, 0));
    printf("closed fd revents=%#x\n", closed.revents);

    /* Another process writes while we wait. */
    pid_t child = fork();
    if (child == 0) {
        usleep(50000);
        write(p[1], "y", 1);
        _exit(0);
    }
    CHECK(poll(fds, 1, 5000));
    show("woken by a writer", fds, 1);
    waitpid(child, NULL, 0);
    CHECK(read(p[0], &c, 1));

    /* Writer gone: POLLHUP on the read end, POLLERR on a lone writer. */
    int q[2];
    CHECK(pipe(q));
    CHECK(close(q[1]));
    struct pollfd hup = {.fd = q[0], .events = POLLIN};
    CHECK(poll(&hup, 1, 0));
    printf("no writer revents=%#x\n", hup.revents);
    int r[2];
    CHECK(pipe(r));
    CHECK(close(r[0]));
    struct pollfd err = {.fd = r[1], .events = POLLOUT};
    CHECK(poll(&err, 1, 0));
    printf("no reader revents=%#x\n", err.revents);

    /* /dev/null is always ready. */
    int null = open("/dev/null", O_RDWR);
    struct pollfd dev = {.fd = null, .events = POLLIN | POLLOUT};
    CHECK(poll(&dev, 1, 0));
    printf("/dev/null revents=%#x\n", dev.revents);

    /* Error paths. */
    CHECK(poll(BAD, 1, 0));
    CHECK(poll(NULL, 0, 0));
    CHECK(syscall(SYS_ppoll, fds, 1, BAD, NULL, 8));
    struct timespec bad_ts = {.tv_sec = 0, .tv_nsec = 1000000000};
    CHECK(syscall(SYS_ppoll, fds, 1, &bad_ts, NULL, 8));
    sigset_t none;
    sigemptyset(&none);
    struct timespec zero = {0, 0};
    CHECK(syscall(SYS_ppoll, fds, 1, &zero, &none, 4));
    CHECK(poll(fds, 100000, 0));

    /* A signal interrupts an endless poll: EINTR, the handler ran. */
    struct sigaction action = {0};
    action.sa_handler = on_usr1;
    sigaction(SIGUSR1, &action, NULL);
    pid_t parent = getpid();
    child = fork();
    if (child == 0) {
        usleep(50000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    CHECK(poll(fds, 1, -1));
    printf("handler ran: %d\n", got_signal == SIGUSR1);
    waitpid(child, NULL, 0);

    /* ppoll's mask: SIGUSR1 blocked outside, let in during the wait,
     * blocked again after. */
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
    CHECK(ppoll(fds, 1, NULL, &during));
    printf("handler ran in ppoll: %d\n", got_signal == SIGUSR1);
    sigprocmask(SIG_BLOCK, NULL, &after);
    printf("SIGUSR1 blocked again after ppoll: %d\n", sigismember(&after, SIGUSR1));
    waitpid(child, NULL, 0);
    sigprocmask(SIG_UNBLOCK, &blocked, NULL);

    /* select: readable, writable, timeout, bad descriptor. */
    fd_set readable, writable;
    FD_ZERO(&readable);
    FD_ZERO(&writable);
    FD_SET(p[0], &readable);
    FD_SET(p[1], &writable);
    struct timeval tv = {0, 0};
    CHECK(select(p[1] + 1, &readable, &writable, NULL, &tv));
    printf("select: read end set %d, write end set %d\n", FD_ISSET(p[0], &readable) != 0,
           FD_ISSET(p[1], &writable) != 0);
    CHECK(write(p[1], "z", 1));
    FD_ZERO(&readable);
    FD_SET(p[0], &readable);
    tv.tv_sec = 1;
    CHECK(select(p[0] + 1, &readable, NULL, NULL, &tv));
    printf("select: read end set %d\n", FD_ISSET(p[0], &readable) != 0);
    CHECK(read(p[0], &c, 1));
    FD_ZERO(&readable);
    FD_SET(p[0], &readable);
    tv.tv_sec = 0;
    tv.tv_usec = 20000;
    CHECK(select(p[0] + 1, &readable, NULL, NULL, &tv));
    printf("select timeout: read end set %d, tv %ld.%06ld\n", FD_ISSET(p[0], &readable) != 0,
           (long)tv.tv_sec, (long)tv.tv_usec);
    FD_ZERO(&readable);
    FD_SET(50, &readable);
    tv.tv_usec = 0;
    CHECK(select(51, &readable, NULL, NULL, &tv));
    CHECK(select(-1, NULL, NULL, NULL, &tv));
    CHECK(select(1, BAD, NULL, NULL, &tv));

    /* Waiting for input on a socket that is writable sleeps: the
     * writability poll did not ask for does not end the wait (seen
     * spinning, on the CPU the whole timeout). */
    int pair[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, pair));
    struct timespec cpu_before, cpu_after;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_before);
    struct pollfd input = {.fd = pair[0], .events = POLLIN};
    CHECK(poll(&input, 1, 300));
    FD_ZERO(&readable);
    FD_SET(pair[0], &readable);
    tv.tv_sec = 0;
    tv.tv_usec = 300000;
    CHECK(select(pair[0] + 1, &readable, NULL, NULL, &tv));
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_after);
    long used_ms = (cpu_after.tv_sec - cpu_before.tv_sec) * 1000 + (cpu_after.tv_nsec - cpu_before.tv_nsec) / 1000000;
    printf("CPU time while waiting 600 ms for input: %s\n", used_ms < 100 ? "under 100 ms" : "too much");
    return 0;
}
