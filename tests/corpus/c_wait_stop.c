/* Job control as wait4 reports it: a child stopped by SIGSTOP is seen
 * with WUNTRACED (once), continued by SIGCONT is seen with WCONTINUED
 * (once), a stopped child still dies of SIGKILL, and SIGTSTP stops only
 * when it has no handler. */
#define _GNU_SOURCE
#include "check.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t handled;
static void on_signal(int signal)
{
    (void)signal;
    handled++;
}

static void report(const char *what, int status)
{
    printf("%s: raw %#x", what, status);
    if (WIFEXITED(status))
        printf(" exited %d", WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        printf(" signaled %d", WTERMSIG(status));
    if (WIFSTOPPED(status))
        printf(" stopped %d", WSTOPSIG(status));
    if (WIFCONTINUED(status))
        printf(" continued");
    printf("\n");
}

/* A child that waits for a byte on `gate`, then exits with `code`. It
 * leads a process group of its own: the caller's group may be orphaned
 * (its members' parents are init or inside it), and Linux discards
 * SIGTSTP sent to an orphaned group (signal(7)). */
static pid_t waiting_child(int gate[2], int code)
{
    pipe(gate);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        setpgid(0, 0);
        close(gate[1]);
        while (read(gate[0], &c, 1) < 0)
            ;
        _exit(code);
    }
    setpgid(pid, pid);
    close(gate[0]);
    return pid;
}

int main(void)
{
    int status, gate[2];
    setvbuf(stdout, NULL, _IOLBF, 0);

    pid_t pid = waiting_child(gate, 3);
    CHECK(kill(pid, SIGSTOP));
    CHECK_PID(waitpid(pid, &status, WUNTRACED), pid);
    report("SIGSTOP", status);
    CHECK(waitpid(pid, &status, WUNTRACED | WNOHANG));
    CHECK(kill(pid, SIGCONT));
    CHECK_PID(waitpid(pid, &status, WCONTINUED), pid);
    report("SIGCONT", status);
    CHECK(waitpid(pid, &status, WCONTINUED | WNOHANG));
    CHECK(write(gate[1], "x", 1));
    CHECK_PID(waitpid(pid, &status, WUNTRACED | WCONTINUED), pid);
    report("then exit", status);

    /* Stopped, then killed: the death is reported. */
    pid = waiting_child(gate, 4);
    CHECK(kill(pid, SIGSTOP));
    CHECK_PID(waitpid(pid, &status, WUNTRACED), pid);
    CHECK(kill(pid, SIGKILL));
    CHECK_PID(waitpid(pid, &status, 0), pid);
    report("SIGKILL while stopped", status);

    /* A stop is not reported without WUNTRACED; SIGTERM to a stopped
     * child waits until SIGCONT. */
    pid = waiting_child(gate, 5);
    CHECK(kill(pid, SIGSTOP));
    CHECK_PID(waitpid(pid, &status, WUNTRACED), pid);
    CHECK(kill(pid, SIGTERM));
    CHECK(waitpid(pid, &status, WNOHANG));
    CHECK(kill(pid, SIGCONT));
    CHECK_PID(waitpid(pid, &status, 0), pid);
    report("SIGTERM while stopped, then SIGCONT", status);

    /* SIGTSTP stops by default; with a handler it does not. */
    pid = waiting_child(gate, 6);
    CHECK(kill(pid, SIGTSTP));
    CHECK_PID(waitpid(pid, &status, WUNTRACED), pid);
    report("SIGTSTP", status);
    CHECK(kill(pid, SIGCONT));
    CHECK(write(gate[1], "x", 1));
    CHECK_PID(waitpid(pid, &status, 0), pid);
    report("after SIGCONT", status);
    struct sigaction action = {0};
    action.sa_handler = on_signal;
    sigaction(SIGTSTP, &action, NULL);
    int ready[2];
    pipe(ready);
    pipe(gate);
    fflush(stdout);
    if ((pid = fork()) == 0) {
        char c;
        setpgid(0, 0);
        close(gate[1]);
        write(ready[1], "r", 1);
        while (read(gate[0], &c, 1) < 0)
            ;
        _exit(handled == 1 ? 7 : 8);
    }
    close(gate[0]);
    char c;
    read(ready[0], &c, 1);
    CHECK(kill(pid, SIGTSTP));
    CHECK(write(gate[1], "x", 1));
    CHECK_PID(waitpid(pid, &status, WUNTRACED), pid);
    report("SIGTSTP with a handler", status);
    return 0;
}
