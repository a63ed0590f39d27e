/* wait4/waitpid, success and error paths: ECHILD, WNOHANG, waiting for a
 * specific pid, for the caller's process group and for another group,
 * the status encodings of exit and death by signal, zombies, reparenting
 * of orphans to init, and bad options. */
#define _GNU_SOURCE
#include "check.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void report(const char *what, int status)
{
    printf("%s: raw %#x", what, status);
    if (WIFEXITED(status))
        printf(" exited %d", WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        printf(" signaled %d%s", WTERMSIG(status), WCOREDUMP(status) ? " core" : "");
    if (WIFSTOPPED(status))
        printf(" stopped %d", WSTOPSIG(status));
    if (WIFCONTINUED(status))
        printf(" continued");
    printf("\n");
}

/* Forks a child that runs `body`, then reaps it and reports its status. */
static void status_of(const char *what, void (*body)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        body();
        _exit(99);
    }
    int status = -1;
    pid_t got = waitpid(pid, &status, 0);
    if (got != pid)
        printf("%s: waitpid returned another pid or %s\n", what, errno_name(errno));
    report(what, status);
}

static void exit_0(void) { _exit(0); }
static void exit_1(void) { _exit(1); }
static void exit_255(void) { _exit(255); }
static void exit_256(void) { _exit(256); }
static void exit_minus_1(void) { exit(-1); }
static void return_from_main_like(void) { exit(42); }
static void sigterm(void) { raise(SIGTERM); }
static void sigkill(void) { kill(getpid(), SIGKILL); }
static void sigquit(void)
{
    /* No core file: the limit is 0, so no core flag either. */
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    raise(SIGQUIT);
}
static void sigsegv(void)
{
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    volatile int *volatile nowhere = (int *)16;
    *nowhere = 1;
}
static void sigill(void)
{
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    __asm__ volatile(".word 0");
}
static void sigfpe_raise(void) { raise(SIGFPE); }
static void sigabrt(void) { abort(); }
static void sighup(void) { raise(SIGHUP); }
static void sigusr1(void) { raise(SIGUSR1); }
static void sigalrm(void) { raise(SIGALRM); }
static void sigrtmin(void) { raise(SIGRTMIN + 1); }

int main(void)
{
    int status;
    pid_t pid, other;
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* Nothing to wait for. */
    CHECK(wait(&status));
    CHECK(waitpid(-1, &status, WNOHANG));
    CHECK(waitpid(0, &status, 0));
    CHECK(waitpid(getpid(), &status, 0));
    CHECK(waitpid(1, &status, 0));
    CHECK(waitpid(-1, NULL, 0));

    /* Status encodings. */
    status_of("_exit(0)", exit_0);
    status_of("_exit(1)", exit_1);
    status_of("_exit(255)", exit_255);
    status_of("_exit(256)", exit_256);
    status_of("exit(-1)", exit_minus_1);
    status_of("exit(42)", return_from_main_like);
    status_of("SIGTERM", sigterm);
    status_of("SIGKILL", sigkill);
    status_of("SIGQUIT, core limit 0", sigquit);
    status_of("SIGSEGV, core limit 0", sigsegv);
    status_of("illegal instruction, core limit 0", sigill);
    status_of("raise(SIGFPE)", sigfpe_raise);
    status_of("abort()", sigabrt);
    status_of("SIGHUP", sighup);
    status_of("SIGUSR1", sigusr1);
    status_of("SIGALRM", sigalrm);
    status_of("SIGRTMIN+1", sigrtmin);

    /* WNOHANG: 0 while the child runs, its pid once it is a zombie. A
     * zombie still exists for kill(pid, 0) until it is reaped. */
    int gate[2];
    pipe(gate);
    fflush(stdout);
    if ((pid = fork()) == 0) {
        char c;
        close(gate[1]);
        read(gate[0], &c, 1);
        _exit(5);
    }
    close(gate[0]);
    CHECK(waitpid(pid, &status, WNOHANG));
    CHECK(kill(pid, 0));
    close(gate[1]);
    /* Poll with WNOHANG until the child is done. */
    for (int i = 0; i < 2000; i++) {
        long got = waitpid(pid, &status, WNOHANG);
        if (got != 0) {
            printf("WNOHANG once exited: %s\n", got == pid ? "the child's pid" : errno_name(errno));
            break;
        }
        struct timespec ms = {0, 1000 * 1000};
        nanosleep(&ms, NULL);
    }
    report("after WNOHANG", status);
    CHECK(kill(pid, 0));
    CHECK(waitpid(pid, &status, 0));

    /* A zombie stays until reaped: kill(pid, 0) still finds it. */
    fflush(stdout);
    if ((pid = fork()) == 0)
        _exit(6);
    pipe(gate);
    fflush(stdout);
    if ((other = fork()) == 0) {
        char c;
        close(gate[1]);
        read(gate[0], &c, 1);
        _exit(7);
    }
    close(gate[0]);
    /* Reaping the other child by pid leaves the first one alone. */
    close(gate[1]);
    CHECK_PID(waitpid(other, &status, 0), other);
    report("specific pid", status);
    CHECK(kill(pid, 0));
    CHECK_PID(waitpid(-1, &status, 0), pid);
    report("any child", status);
    CHECK(waitpid(-1, &status, 0));

    /* Process groups: 0 waits for the caller's group, -pgid for another.
     * The test leads a group of its own first: it starts in init's group,
     * which is 0 on Linux, and waitpid(-0) would mean waitpid(0). */
    CHECK(setpgid(0, 0));
    fflush(stdout);
    if ((pid = fork()) == 0) {
        setpgid(0, 0);
        _exit(8);
    }
    setpgid(pid, pid);
    CHECK(waitpid(0, &status, 0));
    CHECK(waitpid(-getpgrp(), &status, WNOHANG));
    CHECK_PID(waitpid(-pid, &status, 0), pid);
    report("by group", status);
    fflush(stdout);
    if ((pid = fork()) == 0)
        _exit(9);
    CHECK_PID(waitpid(0, &status, 0), pid);
    report("own group", status);
    CHECK(waitpid(-99999, &status, 0));

    /* Grandchildren are not children; orphans go to init. */
    int report_pipe[2];
    pipe(report_pipe);
    fflush(stdout);
    if ((pid = fork()) == 0) {
        pid_t middle = getpid();
        if (fork() == 0) {
            /* Wait until the middle process is gone. */
            for (int i = 0; i < 5000 && getppid() == middle; i++) {
                struct timespec ms = {0, 1000 * 1000};
                nanosleep(&ms, NULL);
            }
            char line[64];
            int n = snprintf(line, sizeof line, "orphan's parent is init: %d\n", getppid() == 1);
            write(report_pipe[1], line, n);
            _exit(0);
        }
        _exit(10);
    }
    close(report_pipe[1]);
    CHECK_PID(waitpid(pid, &status, 0), pid);
    char line[64];
    int n = read(report_pipe[0], line, sizeof line);
    if (n > 0)
        fwrite(line, 1, n, stdout);
    CHECK(waitpid(-1, &status, WNOHANG));

    /* wait4 with an rusage, bad options, bad pointers. */
    struct rusage usage;
    fflush(stdout);
    if ((pid = fork()) == 0)
        _exit(11);
    CHECK_PID(wait4(pid, &status, 0, &usage), pid);
    report("wait4 with rusage", status);
    fflush(stdout);
    if ((pid = fork()) == 0)
        _exit(12);
    CHECK_PID(wait4(pid, NULL, 0, NULL), pid);
    CHECK(syscall(SYS_wait4, -1, &status, 0x10000, NULL));
    CHECK(syscall(SYS_wait4, -1, &status, -1, NULL));
    fflush(stdout);
    if ((pid = fork()) == 0)
        _exit(13);
    CHECK(syscall(SYS_wait4, pid, (int *)0x10, 0, NULL));
    CHECK_PID(waitpid(pid, &status, WNOHANG), pid);
    fflush(stdout);
    if ((pid = fork()) == 0)
        _exit(14);
    CHECK(syscall(SYS_wait4, pid, &status, 0, (void *)0x10));
    CHECK_PID(waitpid(pid, &status, WNOHANG), pid);
    return 0;
}
