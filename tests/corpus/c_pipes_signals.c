/* Pipes and signals, success and error paths: pipe2 flags, capacity and
 * EAGAIN, EOF, EPIPE with SIGPIPE ignored or blocked and the SIGPIPE death
 * when not, EINTR from a blocking read, nanosleep and sigsuspend
 * interrupted by a handler set without SA_RESTART and a read restarted
 * with it, masks, SA_RESETHAND, SA_SIGINFO, and dispositions across
 * execve.
 *
 * The signals come from a child that kill()s the parent again and again
 * until the parent reports, through a second pipe, that its call
 * returned: a signal that lands before the parent blocks only runs the
 * handler, and the next one interrupts the call, so no timing matters. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;
static volatile sig_atomic_t last_code, last_pid_is_parent, last_signo;
static pid_t parent_pid;

static void on_signal(int signal)
{
    (void)signal;
    handled++;
}

static void on_info(int signal, siginfo_t *info, void *context)
{
    (void)context;
    last_signo = signal;
    last_code = info->si_code;
    last_pid_is_parent = info->si_pid == parent_pid;
    handled++;
}

static void set_handler(int signal, void (*handler)(int), int flags)
{
    struct sigaction action = {0};
    action.sa_handler = handler;
    action.sa_flags = flags;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, NULL);
}

/* A child that sends `signal` to the parent every 10 ms until the parent
 * writes a byte into `done`; returns its pid. */
static pid_t pester(int signal, int done[2])
{
    pid_t parent = getpid();
    pipe(done);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        close(done[1]);
        fcntl(done[0], F_SETFL, O_NONBLOCK);
        char c;
        for (int i = 0; i < 3000 && read(done[0], &c, 1) < 0; i++) {
            kill(parent, signal);
            struct timespec ten_ms = {0, 10 * 1000 * 1000};
            nanosleep(&ten_ms, NULL);
        }
        _exit(0);
    }
    close(done[0]);
    return child;
}

static void stop_pestering(pid_t child, int done[2])
{
    write(done[1], "x", 1);
    close(done[1]);
    waitpid(child, NULL, 0);
}

static void report(const char *what, int status)
{
    printf("%s: raw %#x", what, status);
    if (WIFEXITED(status))
        printf(" exited %d", WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        printf(" signaled %d", WTERMSIG(status));
    printf("\n");
}

/* The re-executed program: reports the dispositions it inherited. */
static int after_exec(void)
{
    struct sigaction action;
    sigset_t mask;
    sigaction(SIGUSR1, NULL, &action);
    printf("after execve: handled SIGUSR1 is %s\n", action.sa_handler == SIG_DFL ? "default" : "not default");
    sigaction(SIGUSR2, NULL, &action);
    printf("after execve: ignored SIGUSR2 is %s\n", action.sa_handler == SIG_IGN ? "ignored" : "not ignored");
    sigprocmask(SIG_BLOCK, NULL, &mask);
    printf("after execve: SIGINT still blocked: %d\n", sigismember(&mask, SIGINT));
    return 0;
}

int main(int argc, char **argv)
{
    int p[2], done[2], status;
    char buf[256];
    pid_t child;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "after-exec") == 0)
        return after_exec();
    parent_pid = getpid();

    /* pipe2 flags. */
    CHECK(pipe2(p, O_CLOEXEC));
    CHECK(fcntl(p[0], F_GETFD));
    CHECK(fcntl(p[1], F_GETFD));
    printf("read end %#x, write end %#x\n", fcntl(p[0], F_GETFL), fcntl(p[1], F_GETFL));
    close(p[0]);
    close(p[1]);
    CHECK(pipe2(p, O_NONBLOCK));
    printf("read end %#x, write end %#x\n", fcntl(p[0], F_GETFL), fcntl(p[1], F_GETFL));
    CHECK(read(p[0], buf, 1));
    CHECK(pipe2(p, O_RDWR));
    CHECK(pipe2(p, 0x40));
    CHECK(syscall(SYS_pipe2, (int *)0x10, 0));

    /* Capacity: a non-blocking writer fills 64 KiB, then EAGAIN. */
    long total = 0, n;
    memset(buf, 'x', sizeof buf);
    while ((n = write(p[1], buf, sizeof buf)) > 0)
        total += n;
    printf("pipe holds %ld bytes, then %s\n", total, errno_name(errno));
    CHECK(fcntl(p[1], F_GETPIPE_SZ));
    for (int i = 0; i < 16; i++)
        read(p[0], buf, sizeof buf);
    CHECK(write(p[1], buf, 200));
    close(p[0]);
    close(p[1]);

    /* EOF when every writer is gone, after the data. */
    CHECK(pipe(p));
    CHECK(write(p[1], "abc", 3));
    CHECK(close(p[1]));
    CHECK(read(p[0], buf, sizeof buf));
    CHECK(read(p[0], buf, sizeof buf));
    close(p[0]);

    /* No reader: SIGPIPE kills by default; ignored or blocked, EPIPE. */
    CHECK(pipe(p));
    close(p[0]);
    fflush(stdout);
    if ((child = fork()) == 0) {
        write(p[1], "x", 1);
        _exit(0);
    }
    waitpid(child, &status, 0);
    report("write with no reader, SIGPIPE default", status);
    set_handler(SIGPIPE, SIG_IGN, 0);
    CHECK(write(p[1], "x", 1));
    CHECK(write(p[1], "", 0));
    set_handler(SIGPIPE, SIG_DFL, 0);
    sigset_t pipe_set, pending;
    sigemptyset(&pending);
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigprocmask(SIG_BLOCK, &pipe_set, NULL);
    CHECK(write(p[1], "x", 1));
    sigpending(&pending);
    printf("SIGPIPE pending while blocked: %d\n", sigismember(&pending, SIGPIPE));
    set_handler(SIGPIPE, SIG_IGN, 0);
    sigpending(&pending);
    printf("ignoring discards the pending SIGPIPE: %d\n", !sigismember(&pending, SIGPIPE));
    sigprocmask(SIG_UNBLOCK, &pipe_set, NULL);
    close(p[1]);

    /* A handler without SA_RESTART: a blocked read fails with EINTR. */
    set_handler(SIGUSR1, on_signal, 0);
    CHECK(pipe(p));
    handled = 0;
    child = pester(SIGUSR1, done);
    CHECK(read(p[0], buf, 1));
    stop_pestering(child, done);
    printf("handler ran: %d\n", handled > 0);

    /* With SA_RESTART the read goes on until data comes. */
    set_handler(SIGUSR1, on_signal, SA_RESTART);
    handled = 0;
    fflush(stdout);
    if ((child = fork()) == 0) {
        for (int i = 0; i < 5; i++) {
            kill(parent_pid, SIGUSR1);
            struct timespec ten_ms = {0, 10 * 1000 * 1000};
            nanosleep(&ten_ms, NULL);
        }
        write(p[1], "z", 1);
        _exit(0);
    }
    CHECK(read(p[0], buf, 1));
    printf("read restarted and got '%c'; handler ran: %d\n", buf[0], handled > 0);
    waitpid(child, NULL, 0);

    /* nanosleep is never restarted: EINTR and the time left. */
    set_handler(SIGUSR1, on_signal, SA_RESTART);
    child = pester(SIGUSR1, done);
    struct timespec long_sleep = {100, 0}, left = {0, 0};
    CHECK(nanosleep(&long_sleep, &left));
    stop_pestering(child, done);
    printf("time left is positive and below the request: %d\n",
           (left.tv_sec > 0 || left.tv_nsec > 0) && left.tv_sec < 100);

    /* sigsuspend: waits with a temporary mask, returns EINTR. */
    sigset_t usr1, old, during;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    handled = 0;
    child = pester(SIGUSR1, done);
    sigemptyset(&during);
    CHECK(sigsuspend(&during));
    stop_pestering(child, done);
    printf("handler ran in sigsuspend: %d\n", handled > 0);
    sigset_t after;
    sigprocmask(SIG_BLOCK, NULL, &after);
    printf("mask restored after sigsuspend: %d\n", sigismember(&after, SIGUSR1));
    /* A signal to itself arrives before kill returns; sent while blocked
     * it stays pending and arrives on unblocking, a standard signal once. */
    set_handler(SIGUSR1, on_signal, 0);
    sigprocmask(SIG_UNBLOCK, &usr1, NULL);
    handled = 0;
    kill(getpid(), SIGUSR1);
    printf("delivered to itself before kill returned: %d\n", handled == 1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    handled = 0;
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    sigemptyset(&pending);
    sigpending(&pending);
    printf("pending while blocked: %d, handled %d\n", sigismember(&pending, SIGUSR1), (int)handled);
    handled = 0;
    sigprocmask(SIG_UNBLOCK, &usr1, NULL);
    printf("three sends while blocked, handled %d on unblocking\n", (int)handled);

    /* sigaction and sigprocmask error paths. */
    struct sigaction action = {0};
    action.sa_handler = on_signal;
    CHECK(sigaction(SIGKILL, &action, NULL));
    CHECK(sigaction(SIGSTOP, &action, NULL));
    CHECK(sigaction(SIGKILL, NULL, &action));
    CHECK(sigaction(0, &action, NULL));
    CHECK(sigaction(65, &action, NULL));
    CHECK(syscall(SYS_rt_sigaction, SIGUSR1, &action, NULL, 4));
    CHECK(syscall(SYS_rt_sigprocmask, 99, &usr1, NULL, 8));
    CHECK(syscall(SYS_rt_sigprocmask, 99, NULL, &old, 8));
    CHECK(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &usr1, NULL, 16));
    sigset_t unblockable;
    sigemptyset(&unblockable);
    sigaddset(&unblockable, SIGKILL);
    sigaddset(&unblockable, SIGSTOP);
    CHECK(sigprocmask(SIG_BLOCK, &unblockable, NULL));
    sigprocmask(SIG_BLOCK, NULL, &after);
    printf("SIGKILL blocked: %d, SIGSTOP blocked: %d\n", sigismember(&after, SIGKILL),
           sigismember(&after, SIGSTOP));
    CHECK(kill(getpid(), 65));
    CHECK(kill(getpid(), -1));

    /* SA_RESETHAND: the handler runs once, then the default applies. */
    set_handler(SIGUSR2, on_signal, SA_RESETHAND);
    handled = 0;
    raise(SIGUSR2);
    sigaction(SIGUSR2, NULL, &action);
    printf("SA_RESETHAND: ran %d, now default: %d\n", (int)handled, action.sa_handler == SIG_DFL);

    /* SA_SIGINFO: who sent it and how. */
    struct sigaction info_action = {0};
    info_action.sa_sigaction = on_info;
    info_action.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &info_action, NULL);
    kill(getpid(), SIGUSR2);
    printf("kill: signo %d code %d (SI_USER %d) from itself %d\n", (int)last_signo, (int)last_code, SI_USER,
           (int)last_pid_is_parent);
    raise(SIGUSR2);
    printf("raise: signo %d code %d (SI_TKILL %d) from itself %d\n", (int)last_signo, (int)last_code,
           SI_TKILL, (int)last_pid_is_parent);
    fflush(stdout);
    if ((child = fork()) == 0) {
        kill(parent_pid, SIGUSR2);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    printf("from a child: code %d, from the parent itself %d\n", (int)last_code, (int)last_pid_is_parent);
    sigaction(SIGUSR2, NULL, &action);
    printf("sa_flags has SA_SIGINFO: %d\n", (action.sa_flags & SA_SIGINFO) != 0);

    /* An ignored signal is discarded; SIGCHLD's default is to ignore. */
    set_handler(SIGUSR2, SIG_IGN, 0);
    CHECK(raise(SIGUSR2));
    CHECK(raise(SIGCHLD));
    CHECK(raise(SIGURG));

    /* Across execve, handlers reset to default, ignored stays ignored,
     * and the mask is kept. */
    set_handler(SIGUSR1, on_signal, 0);
    set_handler(SIGUSR2, SIG_IGN, 0);
    sigset_t intset;
    sigemptyset(&intset);
    sigaddset(&intset, SIGINT);
    sigprocmask(SIG_BLOCK, &intset, NULL);
    fflush(stdout);
    if ((child = fork()) == 0) {
        execl(argv[0], argv[0], "after-exec", (char *)NULL);
        _exit(127);
    }
    waitpid(child, &status, 0);
    report("re-executed child", status);

    /* A handler for a fatal signal makes it survivable; the default
     * kills the child with it. */
    fflush(stdout);
    if ((child = fork()) == 0) {
        set_handler(SIGTERM, SIG_DFL, 0);
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        raise(SIGTERM);
        _exit(0);
    }
    waitpid(child, &status, 0);
    report("raise(SIGTERM) with the default action", status);
    fflush(stdout);
    if ((child = fork()) == 0) {
        set_handler(SIGTERM, on_signal, 0);
        handled = 0;
        raise(SIGTERM);
        _exit(handled == 1 ? 7 : 8);
    }
    waitpid(child, &status, 0);
    report("raise(SIGTERM) with a handler", status);
    return 0;
}
