/* Threads: pthread create/join, mutexes and condition variables across
 * many threads, thread-local storage, thread ids, signals to one thread
 * (tgkill) and to the process (taken by a thread that does not block it),
 * exit of one thread versus the whole group, a fatal signal in a thread,
 * execve from a thread, robust mutexes whose owner died, futex operations
 * and their errors, clone flag rules, and CPU affinity.
 *
 * Nothing waits on time: threads hand over through mutexes, condition
 * variables and futexes, and a thread that must be asleep in a futex is
 * moved with FUTEX_CMP_REQUEUE until the kernel reports it moved. */
#define _GNU_SOURCE
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long futex(void *address, int operation, unsigned value, const void *timeout, void *address2,
                  unsigned value3)
{
    return syscall(SYS_futex, address, operation, value, timeout, address2, value3);
}

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

/* --- mutex counter over many threads --- */
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread long local_count;

static void *add_many(void *argument)
{
    long times = (long)argument;
    for (long i = 0; i < times; i++) {
        pthread_mutex_lock(&counter_lock);
        counter++;
        pthread_mutex_unlock(&counter_lock);
        local_count++;
    }
    return (void *)local_count;
}

static void mutex_counter(void)
{
    pthread_t threads[8];
    for (long i = 0; i < 8; i++)
        pthread_create(&threads[i], NULL, add_many, (void *)(1000 * (i + 1)));
    long sum_local = 0;
    for (int i = 0; i < 8; i++) {
        void *result;
        pthread_join(threads[i], &result);
        sum_local += (long)result;
    }
    printf("counter %ld, thread-local sum %ld, main's local %ld\n", counter, sum_local, local_count);
}

/* --- condition variable: a queue with 4 consumers --- */
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_changed = PTHREAD_COND_INITIALIZER;
static int queue[64], queue_length, produced_all;
static long consumed_sum;

static void *consume(void *unused)
{
    (void)unused;
    long mine = 0;
    pthread_mutex_lock(&queue_lock);
    for (;;) {
        while (queue_length == 0 && !produced_all)
            pthread_cond_wait(&queue_changed, &queue_lock);
        if (queue_length == 0)
            break;
        int item = queue[--queue_length];
        consumed_sum += item;
        mine++;
        pthread_cond_broadcast(&queue_changed);
    }
    pthread_mutex_unlock(&queue_lock);
    return (void *)mine;
}

static void condition_queue(void)
{
    pthread_t consumers[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&consumers[i], NULL, consume, NULL);
    for (int item = 1; item <= 1000; item++) {
        pthread_mutex_lock(&queue_lock);
        while (queue_length == 64)
            pthread_cond_wait(&queue_changed, &queue_lock);
        queue[queue_length++] = item;
        pthread_cond_signal(&queue_changed);
        pthread_mutex_unlock(&queue_lock);
    }
    pthread_mutex_lock(&queue_lock);
    produced_all = 1;
    pthread_cond_broadcast(&queue_changed);
    pthread_mutex_unlock(&queue_lock);
    long total = 0;
    for (int i = 0; i < 4; i++) {
        void *mine;
        pthread_join(consumers[i], &mine);
        total += (long)mine;
    }
    printf("consumed %ld items, sum %ld\n", total, consumed_sum);
}

/* --- ids --- */
static pid_t seen_pid, seen_tid;

static void *report_ids(void *unused)
{
    (void)unused;
    seen_pid = getpid();
    seen_tid = gettid_();
    return NULL;
}

static void thread_ids(void)
{
    pthread_t thread;
    pthread_create(&thread, NULL, report_ids, NULL);
    pthread_join(thread, NULL);
    printf("thread: same pid %d, own tid %d, main tid is pid %d\n", seen_pid == getpid(),
           seen_tid != getpid() && seen_tid > 0, gettid_() == getpid());
}

/* --- signals to a thread and to the process --- */
static _Atomic pid_t handled_in;
static _Atomic int handled_code;

static void on_usr1(int signal, siginfo_t *info, void *context)
{
    (void)signal, (void)context;
    handled_code = info->si_code;
    handled_in = gettid_();
}

static _Atomic pid_t worker_tid;
static _Atomic int stop_worker;

static void *spin_until_stopped(void *unused)
{
    (void)unused;
    worker_tid = gettid_();
    while (!stop_worker)
        sched_yield();
    return NULL;
}

static void thread_signals(void)
{
    struct sigaction action = {.sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO};
    sigaction(SIGUSR1, &action, NULL);
    pthread_t worker;
    pthread_create(&worker, NULL, spin_until_stopped, NULL);
    while (!worker_tid)
        sched_yield();
    /* To the worker alone. */
    syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1);
    while (!handled_in)
        sched_yield();
    printf("tgkill: handled in the target thread %d, si_code SI_TKILL %d\n", handled_in == worker_tid,
           handled_code == SI_TKILL);
    /* To the process, with the main thread blocking it: the worker takes it. */
    handled_in = 0;
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &block, NULL);
    kill(getpid(), SIGUSR1);
    while (!handled_in)
        sched_yield();
    printf("kill: handled by the thread that does not block it %d, si_code SI_USER %d\n",
           handled_in == worker_tid, handled_code == SI_USER);
    pthread_sigmask(SIG_UNBLOCK, &block, NULL);
    stop_worker = 1;
    pthread_join(worker, NULL);
    CHECK(syscall(SYS_tgkill, getpid(), 0, SIGUSR1));
    CHECK(syscall(SYS_tgkill, 0, gettid_(), SIGUSR1));
    CHECK(syscall(SYS_tgkill, getpid(), 0x3ffffff0, 0));
    CHECK(syscall(SYS_tgkill, getppid(), gettid_(), 0));
    CHECK(syscall(SYS_tgkill, getpid(), gettid_(), 0));
    CHECK(syscall(SYS_tkill, -1, SIGUSR1));
    CHECK(syscall(SYS_tkill, gettid_(), 0));
    CHECK(syscall(SYS_tgkill, getpid(), gettid_(), 65));
}

/* --- exits --- */
static void *exit_whole_process(void *code)
{
    exit((int)(long)code);
}

static void *exit_this_thread(void *code)
{
    syscall(SYS_exit, (int)(long)code);
    return NULL;
}

static int *volatile nowhere = (int *)16;

static void *crash(void *unused)
{
    (void)unused;
    *nowhere = 1;
    return NULL;
}

static void *block_forever(void *unused)
{
    (void)unused;
    for (;;)
        pause();
    return NULL;
}

static void report_child(const char *what, pid_t child)
{
    int status;
    waitpid(child, &status, 0);
    if (WIFEXITED(status))
        printf("%s: exited %d\n", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        printf("%s: killed by signal %d\n", what, WTERMSIG(status));
}

static void exits(void)
{
    pthread_t thread;
    pid_t child = fork();
    if (child == 0) {
        pthread_create(&thread, NULL, block_forever, NULL);
        pthread_create(&thread, NULL, exit_whole_process, (void *)7L);
        pthread_join(thread, NULL);
        _exit(99);
    }
    report_child("exit() in a thread while main joins", child);

    child = fork();
    if (child == 0) {
        /* The worker's own exit leaves the process running. */
        pthread_create(&thread, NULL, exit_this_thread, (void *)5L);
        pthread_join(thread, NULL);
        _exit(11);
    }
    report_child("SYS_exit in a thread, then main exits 11", child);

    child = fork();
    if (child == 0) {
        /* main leaves first; the process ends with its last thread. */
        pthread_create(&thread, NULL, exit_this_thread, (void *)0L);
        pthread_create(&thread, NULL, exit_whole_process, (void *)3L);
        pthread_exit(NULL);
    }
    report_child("main pthread_exit, a thread exit(3)", child);

    child = fork();
    if (child == 0) {
        pthread_create(&thread, NULL, block_forever, NULL);
        pthread_create(&thread, NULL, crash, NULL);
        pthread_join(thread, NULL);
        _exit(0);
    }
    report_child("segfault in a thread", child);

    child = fork();
    if (child == 0) {
        pthread_create(&thread, NULL, block_forever, NULL);
        pthread_create(&thread, NULL, block_forever, NULL);
        exit(4);
    }
    report_child("return from main with blocked threads", child);
}

/* --- execve from a thread --- */
static char original_pid[32];

static void *exec_self(void *unused)
{
    (void)unused;
    execl("/proc/self/exe", "c_threads", "after-exec", original_pid, (char *)NULL);
    return NULL;
}

static void after_exec(const char *pid)
{
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    int threads = -1;
    while (status && fgets(line, sizeof line, status))
        if (sscanf(line, "Threads: %d", &threads) == 1)
            break;
    printf("after execve from a thread: pid kept %d, tid is pid %d, threads %d\n", atoi(pid) == getpid(),
           gettid_() == getpid(), threads);
}

static void exec_from_thread(void)
{
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        snprintf(original_pid, sizeof original_pid, "%d", getpid());
        pthread_t thread;
        pthread_create(&thread, NULL, block_forever, NULL);
        pthread_create(&thread, NULL, exec_self, NULL);
        pthread_join(thread, NULL);
        _exit(98);
    }
    report_child("execve from a thread", child);
}

/* --- robust mutex --- */
static pthread_mutex_t robust;

static void *lock_and_leave(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&robust);
    return NULL;
}

static void robust_mutex(void)
{
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &attributes);
    pthread_t thread;
    pthread_create(&thread, NULL, lock_and_leave, NULL);
    pthread_join(thread, NULL);
    int result = pthread_mutex_lock(&robust);
    printf("robust mutex after its owner exited: EOWNERDEAD %d\n", result == EOWNERDEAD);
    printf("consistent %d, unlock %d\n", pthread_mutex_consistent(&robust), pthread_mutex_unlock(&robust));
    size_t length = 0;
    void *head = NULL;
    CHECK(syscall(SYS_get_robust_list, 0, &head, &length));
    printf("robust list length %zu, head set %d\n", length, head != NULL);
    CHECK(syscall(SYS_get_robust_list, 0x3ffffff0, &head, &length));
    CHECK(syscall(SYS_get_robust_list, 0, NULL, &length));
    CHECK(syscall(SYS_set_robust_list, head, 8));
}

/* --- futex --- */
static _Atomic unsigned gate, target;

static void *wait_on_gate(void *unused)
{
    (void)unused;
    while (gate == 0)
        futex(&gate, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return NULL;
}

static void futexes(void)
{
    unsigned word = 1;
    struct timespec short_wait = {0, 10 * 1000 * 1000};
    CHECK(futex(&word, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0));
    CHECK(futex(&word, FUTEX_WAIT_PRIVATE, 1, &short_wait, NULL, 0));
    CHECK(futex(&word, FUTEX_WAIT, 1, &short_wait, NULL, 0));
    struct timespec past = {1, 0};
    CHECK(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 1, &past, NULL, FUTEX_BITSET_MATCH_ANY));
    CHECK(futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1, &past, NULL, FUTEX_BITSET_MATCH_ANY));
    CHECK(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, NULL, 0));
    CHECK(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
    CHECK(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0));
    CHECK(futex((char *)&word + 1, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
    CHECK(futex((void *)16, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0));
    CHECK(futex(&word, FUTEX_WAKE_PRIVATE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0));
    CHECK(futex(&word, 99, 1, NULL, NULL, 0));
    struct timespec bad = {0, 2000000000};
    CHECK(futex(&word, FUTEX_WAIT_PRIVATE, 1, &bad, NULL, 0));
    CHECK(futex(&word, FUTEX_WAIT_PRIVATE, 1, (void *)16, NULL, 0));
    CHECK(futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1, &target, 7));
    CHECK(futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, (unsigned)-1, (void *)1, &target, 1));

    /* Three threads asleep on `gate`, moved to `target`, then woken there. */
    pthread_t threads[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&threads[i], NULL, wait_on_gate, NULL);
    long moved = 0;
    while (moved < 3) {
        long result = futex(&gate, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)1, &target, 0);
        if (result > 0)
            moved += result;
        else
            sched_yield();
    }
    gate = 1;
    long woken = futex(&target, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
    for (int i = 0; i < 3; i++)
        pthread_join(threads[i], NULL);
    printf("requeued %ld, then woke %ld on the target\n", moved, woken);

    /* FUTEX_WAKE_OP: word2 += 5 (old 0 < 1 holds), nobody waits. */
    unsigned word2 = 0;
    unsigned op = FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_LT, 1);
    CHECK(futex(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &word2, op));
    printf("wake_op left %u\n", word2);
}

/* --- clone rules and affinity --- */
static void clone_and_affinity(void)
{
    CHECK(syscall(SYS_clone, CLONE_THREAD, NULL, NULL, NULL, NULL));
    CHECK(syscall(SYS_clone, CLONE_SIGHAND, NULL, NULL, NULL, NULL));
    cpu_set_t set;
    CPU_ZERO(&set);
    long size = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
    printf("sched_getaffinity: returns %ld, has a cpu %d\n", size, CPU_COUNT(&set) > 0);
    CHECK(syscall(SYS_sched_getaffinity, 0, 4, &set));
    CHECK(syscall(SYS_sched_getaffinity, 0x3ffffff0, sizeof set, &set));
    CHECK(syscall(SYS_sched_getaffinity, 0, sizeof set, (void *)16));
    CHECK(sched_setaffinity(0, sizeof set, &set));
    cpu_set_t empty;
    CPU_ZERO(&empty);
    CHECK(sched_setaffinity(0, sizeof empty, &empty));
    unsigned cpu = 99;
    CHECK(syscall(SYS_getcpu, &cpu, NULL, NULL));
    printf("getcpu gave a cpu in the set %d\n", CPU_ISSET(cpu, &set));
}

/* --- many threads at once --- */
static void *square(void *argument)
{
    long n = (long)argument;
    return (void *)(n * n);
}

static void many_threads(void)
{
    pthread_t threads[64];
    for (long i = 0; i < 64; i++)
        if (pthread_create(&threads[i], NULL, square, (void *)i) != 0)
            printf("create %ld failed\n", i);
    long sum = 0;
    for (int i = 0; i < 64; i++) {
        void *result;
        pthread_join(threads[i], &result);
        sum += (long)result;
    }
    printf("64 threads: sum of squares %ld\n", sum);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "after-exec") == 0) {
        after_exec(argv[2]);
        return 0;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    mutex_counter();
    condition_queue();
    thread_ids();
    thread_signals();
    exits();
    exec_from_thread();
    robust_mutex();
    futexes();
    clone_and_affinity();
    many_threads();
    /* Threads still blocked when main returns: exit_group ends them. */
    pthread_t thread;
    pthread_create(&thread, NULL, block_forever, NULL);
    return 0;
}
