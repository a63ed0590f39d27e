/* sigaltstack and SA_ONSTACK: the handler's stack, what sigaltstack
 * reports inside and outside a handler, a stack overflow caught on the
 * alternate stack, SS_AUTODISARM, inheritance across fork, and errors. */
#define _GNU_SOURCE
#include "check.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

static char alt[65536];
static volatile int on_alt, inner_flags, inner_change;
static sigjmp_buf escape;

static int inside_alt(void *address)
{
    return (char *)address >= alt && (char *)address < alt + sizeof alt;
}

static void handler(int signal)
{
    int local;
    (void)signal;
    on_alt = inside_alt(&local);
    stack_t now;
    sigaltstack(NULL, &now);
    inner_flags = now.ss_flags;
    stack_t other = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    inner_change = sigaltstack(&other, NULL) == 0 ? 0 : errno;
}

static void on_segv(int signal)
{
    int local;
    (void)signal;
    on_alt = inside_alt(&local);
    siglongjmp(escape, 1);
}

static int deep(int n)
{
    volatile char frame[4096];
    frame[0] = (char)n;
    return deep(n + 1) + frame[0];
}

int main(void)
{
    stack_t old;
    CHECK(sigaltstack(NULL, &old));
    printf("initially: flags %d (SS_DISABLE %d)\n", old.ss_flags, SS_DISABLE);
    stack_t small = {.ss_sp = alt, .ss_size = 1000, .ss_flags = 0};
    CHECK(sigaltstack(&small, NULL));
    stack_t bad = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0x10};
    CHECK(sigaltstack(&bad, NULL));
    CHECK(sigaltstack((void *)16, NULL));
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    CHECK(sigaltstack(&ss, NULL));
    CHECK(sigaltstack(NULL, &old));
    printf("set: base ok %d size %zu flags %d\n", old.ss_sp == alt, old.ss_size, old.ss_flags);

    struct sigaction action = {0};
    action.sa_handler = handler;
    action.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &action, NULL);
    raise(SIGUSR1);
    printf("SA_ONSTACK handler on the alternate stack: %d, flags inside %d (SS_ONSTACK %d), change inside: %s\n",
           on_alt, inner_flags, SS_ONSTACK, errno_name(inner_change));
    action.sa_flags = 0;
    sigaction(SIGUSR2, &action, NULL);
    raise(SIGUSR2);
    printf("handler without SA_ONSTACK on the alternate stack: %d\n", on_alt);

    pid_t child = fork();
    if (child == 0) {
        stack_t inherited;
        sigaltstack(NULL, &inherited);
        printf("child inherits it: %d\n", inherited.ss_sp == alt && inherited.ss_flags == 0);
        fflush(stdout);
        _exit(0);
    }
    waitpid(child, NULL, 0);

    /* A stack overflow is caught on the alternate stack. */
    struct sigaction segv = {0};
    segv.sa_handler = on_segv;
    segv.sa_flags = SA_ONSTACK | SA_NODEFER;
    sigaction(SIGSEGV, &segv, NULL);
    on_alt = 0;
    if (sigsetjmp(escape, 1) == 0)
        deep(0);
    printf("stack overflow handled on the alternate stack: %d\n", on_alt);

    /* SS_AUTODISARM: disabled while the handler runs, back after. */
    stack_t disarm = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = SS_AUTODISARM};
    CHECK(sigaltstack(&disarm, NULL));
    action.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &action, NULL);
    raise(SIGUSR1);
    printf("with SS_AUTODISARM: on it %d, flags inside %d\n", on_alt, inner_flags);
    CHECK(sigaltstack(NULL, &old));
    printf("after the handler: flags %#x\n", (unsigned)old.ss_flags);

    stack_t off = {.ss_flags = SS_DISABLE};
    CHECK(sigaltstack(&off, &old));
    CHECK(sigaltstack(NULL, &old));
    printf("disabled: flags %d\n", old.ss_flags);
    return 0;
}
