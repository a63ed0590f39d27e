/* fork, exit and the wait statuses, as Linux encodes them. */
#include "check.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
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
    printf("\n");
}

int main(void)
{
    int status;
    pid_t pid;

    CHECK(wait(&status));
    if ((pid = fork()) == 0)
        _exit(3);
    CHECK(waitpid(pid, &status, 0) == pid);
    report("exit 3", status);

    if ((pid = fork()) == 0) {
        volatile int *volatile bad = (int *)8;
        *bad = 1;
        _exit(0);
    }
    waitpid(pid, &status, 0);
    report("null write", status);

    if ((pid = fork()) == 0) {
        pause();
        _exit(0);
    }
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    report("SIGTERM", status);

    if ((pid = fork()) == 0) {
        sleep(5);
        _exit(0);
    }
    CHECK(waitpid(pid, &status, WNOHANG));
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    report("SIGKILL", status);

    if ((pid = fork()) == 0)
        abort();
    waitpid(pid, &status, 0);
    report("abort", status);

    CHECK(waitpid(-1, &status, WNOHANG));
    CHECK(waitpid(12345, &status, 0));
    CHECK(kill(12345, 0));
    CHECK(kill(getpid(), 0));
    CHECK(kill(getpid(), 99));
    return 0;
}
