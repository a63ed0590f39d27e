/* Many processes at once: fork until 3000 children wait in pause() or
 * fork fails (it may, with EAGAIN or ENOMEM, when the kernel runs short),
 * then kill and reap them all. The kernel must survive either way; what
 * this prints is the same whichever happened first. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 3000

static pid_t children[MAX_CHILDREN];

int main(void)
{
    int count = 0, failure = 0;
    while (count < MAX_CHILDREN) {
        pid_t child = fork();
        if (child < 0) {
            failure = errno;
            break;
        }
        if (child == 0) {
            for (;;)
                pause();
        }
        children[count++] = child;
    }
    printf("fork stopped cleanly: %s\n",
           failure == 0 || failure == EAGAIN || failure == ENOMEM ? "yes" : "no");
    printf("at least 100 children: %s\n", count >= 100 ? "yes" : "no");
    for (int i = 0; i < count; i++)
        kill(children[i], SIGKILL);
    int reaped = 0, status;
    while (wait(&status) > 0)
        reaped += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    printf("all reaped, killed by SIGKILL: %s\n", reaped == count ? "yes" : "no");
    pid_t again = fork();
    if (again == 0)
        _exit(3);
    waitpid(again, &status, 0);
    printf("fork works again: %s\n", WIFEXITED(status) && WEXITSTATUS(status) == 3 ? "yes" : "no");
    return 0;
}
