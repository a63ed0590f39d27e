/* mremap (shrink, grow in place, move, MREMAP_FIXED, realloc of a large
 * block, errors) and rt_sigtimedwait (a pending signal, a signal sent
 * while waiting, timeouts, EINTR from another signal, errors). */
#define _GNU_SOURCE
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static int filled(const char *memory, size_t pages, int first)
{
    for (size_t i = 0; i < pages; i++)
        if (memory[i * PAGE] != (char)(first + i) || memory[i * PAGE + PAGE - 1] != (char)(first + i))
            return 0;
    return 1;
}

static void fill(char *memory, size_t pages, int first)
{
    for (size_t i = 0; i < pages; i++) {
        memory[i * PAGE] = (char)(first + i);
        memory[i * PAGE + PAGE - 1] = (char)(first + i);
    }
}

static int mapped(void *address, size_t length)
{
    return msync(address, length, MS_ASYNC) == 0;
}

static void remaps(void)
{
    /* Grow with MREMAP_MAYMOVE, keeping the contents. The pages after
     * are taken (a PROT_NONE reservation), so it cannot grow in place. */
    char *reserved = mmap(NULL, 12 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *a = mmap(reserved, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    fill(a, 4, 1);
    CHECK(mremap(a, 4 * PAGE, 8 * PAGE, 0) == MAP_FAILED);
    printf("errno %s\n", errno_name(errno));
    char *b = mremap(a, 4 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
    printf("moved %d, contents kept %d, new pages zero %d, old range gone %d\n", b != a, filled(b, 4, 1),
           b[5 * PAGE] == 0 && b[8 * PAGE - 1] == 0, !mapped(a, 4 * PAGE));
    b[7 * PAGE] = 9;

    /* Shrink in place. */
    char *c = mremap(b, 8 * PAGE, 2 * PAGE, 0);
    printf("shrunk in place %d, head kept %d, tail gone %d\n", c == b, filled(c, 2, 1),
           !mapped(b + 2 * PAGE, 6 * PAGE));

    /* Grow in place: the pages after are free now. */
    char *d = mremap(c, 2 * PAGE, 5 * PAGE, 0);
    printf("grown in place %d, head kept %d, rest zero %d\n", d == c, filled(d, 2, 1), d[4 * PAGE] == 0);

    /* MREMAP_FIXED to a place of our choosing, replacing what is there. */
    char *target = mmap(NULL, 16 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *e = mremap(d, 5 * PAGE, 3 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target + 4 * PAGE);
    printf("fixed at the target %d, contents kept %d, old gone %d, writable %d\n", e == target + 4 * PAGE,
           filled(e, 2, 1), !mapped(d, 5 * PAGE), (e[2 * PAGE] = 1) == 1);

    /* Errors. */
    CHECK(syscall(SYS_mremap, e, PAGE, 2 * PAGE, 8, 0));
    CHECK(syscall(SYS_mremap, e, PAGE, 2 * PAGE, MREMAP_FIXED, target));
    CHECK(syscall(SYS_mremap, e + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0));
    CHECK(syscall(SYS_mremap, e, PAGE, 0, MREMAP_MAYMOVE, 0));
    CHECK(syscall(SYS_mremap, e, 0, PAGE, MREMAP_MAYMOVE, 0));
    CHECK(syscall(SYS_mremap, d, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0));
    CHECK(syscall(SYS_mremap, e, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, e + PAGE));
    CHECK(syscall(SYS_mremap, e, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, e + 100));
    CHECK(syscall(SYS_mremap, e, 8 * PAGE, 9 * PAGE, MREMAP_MAYMOVE, 0));

    /* glibc's realloc of a large block moves it with mremap. */
    size_t size = 1 << 20;
    unsigned *block = malloc(size);
    for (size_t i = 0; i < size / sizeof *block; i++)
        block[i] = (unsigned)i * 2654435761u;
    block = realloc(block, 4 * size);
    int same = 1;
    for (size_t i = 0; i < size / sizeof *block; i++)
        same &= block[i] == (unsigned)i * 2654435761u;
    block[4 * size / sizeof *block - 1] = 1;
    printf("realloc 1 MiB -> 4 MiB kept the data %d\n", same);
    free(block);
}

static _Atomic int waiting_done;
static pthread_t main_thread;

static void on_usr2(int signal)
{
    (void)signal;
}

static void *send_usr1_to_process(void *unused)
{
    (void)unused;
    kill(getpid(), SIGUSR1);
    return NULL;
}

static void *interrupt_main(void *unused)
{
    (void)unused;
    while (!waiting_done)
        pthread_kill(main_thread, SIGUSR2);
    return NULL;
}

static void sigwaits(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    siginfo_t info;
    raise(SIGUSR1);
    int signal = sigtimedwait(&set, &info, NULL);
    printf("pending: signal %d, code %d, from me %d\n", signal, info.si_code, info.si_pid == getpid());
    struct timespec zero = {0, 0}, short_wait = {0, 20 * 1000 * 1000};
    CHECK(sigtimedwait(&set, &info, &zero));
    CHECK(sigtimedwait(&set, &info, &short_wait));

    /* Sent to the process while this thread waits (it blocks SIGUSR1). */
    pthread_t thread;
    pthread_create(&thread, NULL, send_usr1_to_process, NULL);
    signal = sigwaitinfo(&set, &info);
    pthread_join(thread, NULL);
    printf("while waiting: signal %d, code SI_USER %d\n", signal, info.si_code == SI_USER);
    sigset_t still;
    sigprocmask(SIG_BLOCK, NULL, &still);
    printf("mask unchanged after the wait %d\n", sigismember(&still, SIGUSR1));

    /* Another signal with a handler interrupts the wait. */
    struct sigaction action = {.sa_handler = on_usr2};
    sigaction(SIGUSR2, &action, NULL);
    main_thread = pthread_self();
    pthread_create(&thread, NULL, interrupt_main, NULL);
    CHECK(sigwaitinfo(&set, &info));
    waiting_done = 1;
    pthread_join(thread, NULL);

    /* Errors. */
    CHECK(syscall(SYS_rt_sigtimedwait, &set, &info, &zero, 4));
    CHECK(syscall(SYS_rt_sigtimedwait, (void *)16, &info, &zero, 8));
    struct timespec bad = {0, -1};
    CHECK(syscall(SYS_rt_sigtimedwait, &set, &info, &bad, 8));
    CHECK(syscall(SYS_rt_sigtimedwait, &set, &info, (void *)16, 8));
    raise(SIGUSR1);
    CHECK(syscall(SYS_rt_sigtimedwait, &set, (void *)16, &zero, 8));
    sigset_t kill_only;
    sigemptyset(&kill_only);
    sigaddset(&kill_only, SIGKILL);
    CHECK(sigtimedwait(&kill_only, &info, &zero));
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    remaps();
    sigwaits();
    return 0;
}
