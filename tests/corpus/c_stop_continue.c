/* Stop and continue as wait4 reports them: WUNTRACED, WCONTINUED,
 * WNOHANG, SIGCHLD (and SA_NOCLDSTOP), a stopped child killed, a sleep
 * resumed after a stop, and a handler for SIGCONT. */
#define _GNU_SOURCE
#include "check.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t sigchld_count, sigcont_count;
static void on_chld(int s) { (void)s; sigchld_count++; }
static void on_cont(int s) { (void)s; sigcont_count++; }

static void describe(const char *what, pid_t got, pid_t child, int status)
{
    printf("%s: %s", what, got == child ? "child" : got == 0 ? "nothing" : "error");
    if (got == child) {
        if (WIFSTOPPED(status)) printf(" stopped by %d", WSTOPSIG(status));
        else if (WIFCONTINUED(status)) printf(" continued");
        else if (WIFSIGNALED(status)) printf(" killed by %d", WTERMSIG(status));
        else if (WIFEXITED(status)) printf(" exited %d", WEXITSTATUS(status));
        printf(" (status %#x)", status);
    }
    printf("\n");
    fflush(stdout);
}

static void pause_ms(int ms)
{
    struct timespec t = {0, ms * 1000000L};
    nanosleep(&t, NULL);
}

int main(void)
{
    struct sigaction action = {0};
    action.sa_handler = on_chld;
    sigaction(SIGCHLD, &action, NULL);
    int status = 0;

    /* The child reports only once the parent has seen it continue (it
     * waits on this pipe), so the two never race to print. */
    int go_on[2];
    pipe(go_on);
    pid_t child = fork();
    if (child == 0) {
        struct sigaction cont = {0};
        cont.sa_handler = on_cont;
        sigaction(SIGCONT, &cont, NULL);
        close(go_on[1]);
        /* Sleeps 300 ms in all even though stopped in the middle. */
        struct timespec t = {0, 300 * 1000000L};
        int r = nanosleep(&t, NULL);
        int saved = errno;
        char byte;
        read(go_on[0], &byte, 1);
        printf("child: nanosleep %d %s, SIGCONT handled %d\n", r, r ? errno_name(saved) : "", sigcont_count);
        exit(7);
    }
    close(go_on[0]);
    pause_ms(50);
    CHECK(kill(child, SIGSTOP));
    describe("WUNTRACED", waitpid(child, &status, WUNTRACED), child, status);
    describe("WNOHANG after the report", waitpid(child, &status, WNOHANG | WUNTRACED), child, status);
    printf("SIGCHLD for the stop: %d\n", sigchld_count >= 1);
    CHECK(kill(child, SIGCONT));
    describe("WCONTINUED", waitpid(child, &status, WCONTINUED), child, status);
    close(go_on[1]);
    describe("exit", waitpid(child, &status, 0), child, status);

    /* A stopped child is not reported without WUNTRACED; killed, it is. */
    child = fork();
    if (child == 0) {
        for (;;)
            pause();
    }
    pause_ms(20);
    CHECK(kill(child, SIGTSTP));
    pause_ms(50);
    describe("no WUNTRACED", waitpid(child, &status, WNOHANG), child, status);
    CHECK(kill(child, SIGKILL));
    describe("killed while stopped", waitpid(child, &status, 0), child, status);

    /* SA_NOCLDSTOP: no SIGCHLD for stops, one for the exit. */
    action.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &action, NULL);
    sigchld_count = 0;
    child = fork();
    if (child == 0) {
        raise(SIGSTOP);
        _exit(3);
    }
    describe("self-stopped", waitpid(child, &status, WUNTRACED), child, status);
    printf("SIGCHLD with SA_NOCLDSTOP after a stop: %d\n", sigchld_count);
    kill(child, SIGCONT);
    describe("exit", waitpid(child, &status, 0), child, status);
    printf("SIGCHLD after the exit: %d\n", sigchld_count);
    return 0;
}
