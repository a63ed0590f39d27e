/* Interval timers: alarm and setitimer(ITIMER_REAL) deliver SIGALRM,
 * periodic timers repeat, getitimer and the old value report what is
 * left, a new alarm replaces the old, SIGALRM interrupts a blocking read
 * (EINTR without SA_RESTART), the default action kills, fork does not
 * inherit the timer; and the errors. */
#define _GNU_SOURCE
#include "check.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;
static void on_alarm(int signal) { (void)signal; alarms++; }

int main(void)
{
    struct sigaction action = {0};
    action.sa_handler = on_alarm;
    sigaction(SIGALRM, &action, NULL);

    CHECK(alarm(5));
    printf("alarm replaced, seconds left: %u\n", alarm(0));
    CHECK(alarm(0));

    /* A one-shot timer interrupts a blocking read. */
    struct itimerval shot = {.it_value = {0, 100000}};
    CHECK(setitimer(ITIMER_REAL, &shot, NULL));
    int p[2];
    pipe(p);
    char c;
    CHECK(read(p[0], &c, 1));
    printf("alarms after the read: %d\n", alarms);
    struct itimerval now;
    CHECK(getitimer(ITIMER_REAL, &now));
    printf("disarmed after firing: %ld %ld\n", (long)now.it_value.tv_sec, (long)now.it_value.tv_usec);

    /* A periodic timer fires again and again. */
    alarms = 0;
    struct itimerval periodic = {.it_interval = {0, 20000}, .it_value = {0, 20000}};
    CHECK(setitimer(ITIMER_REAL, &periodic, NULL));
    while (alarms < 5)
        pause();
    printf("periodic timer fired at least 5 times: %d\n", alarms >= 5);
    struct itimerval old;
    struct itimerval stop = {0};
    CHECK(setitimer(ITIMER_REAL, &stop, &old));
    printf("old interval %ld us, value left within it: %d\n", (long)old.it_interval.tv_usec,
           old.it_value.tv_sec == 0 && old.it_value.tv_usec > 0 && old.it_value.tv_usec <= 20000);

    /* Long timer: getitimer counts down. */
    struct itimerval longer = {.it_value = {100, 0}};
    CHECK(setitimer(ITIMER_REAL, &longer, NULL));
    CHECK(getitimer(ITIMER_REAL, &now));
    printf("left of 100 s: between 99 and 100: %d\n", now.it_value.tv_sec >= 99 && now.it_value.tv_sec <= 100);

    /* fork: the child has no timer. */
    pid_t child = fork();
    if (child == 0) {
        struct itimerval mine;
        getitimer(ITIMER_REAL, &mine);
        printf("child's timer: %ld\n", (long)mine.it_value.tv_sec);
        fflush(stdout);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    setitimer(ITIMER_REAL, &stop, NULL);

    /* Default action: SIGALRM kills. */
    child = fork();
    if (child == 0) {
        signal(SIGALRM, SIG_DFL);
        alarm(1);
        for (;;)
            pause();
    }
    int status;
    waitpid(child, &status, 0);
    printf("killed by SIGALRM: %d\n", WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM);

    /* Errors. */
    struct itimerval bad = {.it_value = {0, 1000000}};
    CHECK(setitimer(ITIMER_REAL, &bad, NULL));
    CHECK(syscall(SYS_setitimer, 5, &shot, NULL));
    CHECK(syscall(SYS_getitimer, 5, &now));
    CHECK(syscall(SYS_setitimer, ITIMER_REAL, (void *)16, NULL));
    CHECK(syscall(SYS_getitimer, ITIMER_REAL, (void *)16));
    return 0;
}
