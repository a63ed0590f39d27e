/* RLIMIT_NPROC: a user other than root gets EAGAIN from fork and from
 * pthread_create once its tasks reach the limit; root is exempt. The
 * children wait on a pipe, so nothing depends on time. */
#define _GNU_SOURCE
#include "check.h"
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int hold[2];

static pid_t spawn_waiting_child(void)
{
    pid_t child = fork();
    if (child == 0) {
        char byte;
        close(hold[1]);
        read(hold[0], &byte, 1);
        _exit(0);
    }
    return child;
}

static void *nothing(void *unused)
{
    return unused;
}

static void limited_user(void)
{
    struct rlimit limit = {.rlim_cur = 3, .rlim_max = 3};
    CHECK(setrlimit(RLIMIT_NPROC, &limit));
    CHECK(setuid(1000));
    int started = 0;
    pid_t child;
    while ((child = spawn_waiting_child()) > 0 && started < 10)
        started++;
    printf("user 1000 with RLIMIT_NPROC 3: %d forks, then %s\n", started, child < 0 ? errno_name(errno) : "no error");
    pthread_t thread;
    int result = pthread_create(&thread, NULL, nothing, NULL);
    printf("pthread_create at the limit: %s\n", errno_name(result));
    close(hold[1]);
    while (wait(NULL) > 0)
        ;
    /* With the children gone, there is room again. */
    result = pthread_create(&thread, NULL, nothing, NULL);
    printf("pthread_create after they exited: %s\n", errno_name(result));
    if (result == 0)
        pthread_join(thread, NULL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    pipe(hold);
    pid_t child = fork();
    if (child == 0) {
        limited_user();
        _exit(0);
    }
    close(hold[0]);
    close(hold[1]);
    waitpid(child, NULL, 0);

    /* Root is not held to it. */
    struct rlimit limit = {.rlim_cur = 1, .rlim_max = 1};
    CHECK(setrlimit(RLIMIT_NPROC, &limit));
    child = fork();
    if (child == 0)
        _exit(0);
    printf("root with RLIMIT_NPROC 1 forks: %s\n", child > 0 ? "yes" : errno_name(errno));
    waitpid(child, NULL, 0);
    return 0;
}
